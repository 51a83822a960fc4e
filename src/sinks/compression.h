#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "core/default_init_allocator.h"
#include "core/result.h"
#include "core/status.h"

struct ZSTD_CCtx_s;
struct ZSTD_DCtx_s;

namespace assay::sinks {

/// Block codecs a sink can apply to its pages or files.
enum class Compression { kNone, kSnappy, kZstd };

/// "none", "snappy", "zstd".
std::string_view CompressionName(Compression c);
/// Parses a config value ("none"/"uncompressed", "snappy", "zstd"); kInvalidArgument otherwise.
Result<Compression> ParseCompression(std::string_view name);

/// Compresses independent blocks with one codec, reusing its context and scratch space between
/// calls (a zstd context is costly to create). Not thread-safe: one per writer.
class Compressor {
 public:
  /// `zstd_level` is used by kZstd only (1..22, or negative for zstd's fast levels).
  static Result<std::unique_ptr<Compressor>> Make(Compression codec, int zstd_level = 1);
  ~Compressor();
  Compressor(const Compressor&) = delete;
  Compressor& operator=(const Compressor&) = delete;

  Compression codec() const { return codec_; }

  /// Appends the compressed form of `input` to `out` (a copy for kNone). `out` grows by the
  /// codec's bound before compressing; an UninitVector so that growth is not zero-filled.
  Status Compress(std::span<const uint8_t> input, UninitVector<uint8_t>* out);

  /// Replaces `out` with the decompression of `input`, whose uncompressed size the caller knows
  /// (Parquet page headers record it). For tests and readers; kDataLoss on corrupt input.
  Status Decompress(std::span<const uint8_t> input, size_t uncompressed_size,
                    std::vector<uint8_t>* out);

 private:
  Compressor(Compression codec, int zstd_level) : codec_(codec), zstd_level_(zstd_level) {}

  Compression codec_;
  int zstd_level_;
  ZSTD_CCtx_s* cctx_ = nullptr;
  ZSTD_DCtx_s* dctx_ = nullptr;
};

}  // namespace assay::sinks
