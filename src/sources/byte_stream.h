#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/default_init_allocator.h"
#include "core/result.h"
#include "core/status.h"

namespace assay::sources {

/// A pull source of bytes: a file, decompressed on the fly when it is gzip or zstd.
/// Not thread-safe; one reader pulls from one stream.
class ByteStream {
 public:
  virtual ~ByteStream() = default;

  /// Copies up to `n` bytes of (decompressed) input into `buf`. Returns the number of bytes
  /// copied; 0 means the end of the stream. A short read is not the end. Errors: kDataLoss for a
  /// corrupt or truncated compressed stream, others from the operating system. Bytes decoded
  /// before the damage are returned first; the error comes with the next call.
  virtual Result<size_t> Read(char* buf, size_t n) = 0;

  /// Bytes taken from the underlying storage so far (compressed size for compressed input).
  virtual uint64_t compressed_bytes_read() const = 0;

  /// The path or label used in error messages.
  virtual const std::string& name() const = 0;
};

/// How a file is encoded on disk.
enum class Compression : unsigned char {
  kAuto,  ///< from the extension (.gz, .zst, .zstd), else from the magic bytes
  kNone,
  kGzip,  ///< gzip or zlib, several concatenated gzip members allowed
  kZstd,  ///< one or more zstd frames
};

/// "none", "gzip", "zstd" or "auto".
std::string_view CompressionName(Compression compression);

/// Guesses the compression from a file name's extension; kAuto when it says nothing.
Compression CompressionFromExtension(std::string_view path);

/// Opens `path` for reading, decompressing according to `compression` (kAuto: by extension,
/// then by magic bytes). Errors: kNotFound / kPermissionDenied naming the path; kInvalidArgument
/// for a directory.
Result<std::unique_ptr<ByteStream>> OpenFileStream(const std::string& path,
                                                   Compression compression = Compression::kAuto);

/// A stream over bytes held in memory (tests, fuzzers, payloads that arrived over the network).
std::unique_ptr<ByteStream> MakeMemoryStream(std::string data, std::string name = "<memory>");

/// Wraps `raw` (compressed bytes) in a decompressor. kNone and kAuto return `raw` unchanged
/// (magic-byte detection needs a seekable file; see OpenFileStream).
std::unique_ptr<ByteStream> MakeDecompressingStream(std::unique_ptr<ByteStream> raw,
                                                    Compression compression);

/// Buffered, chunked access to a ByteStream for the record readers.
///
/// The unconsumed input is a window [begin(), end()) of one heap buffer. A record reader parses
/// records inside the window; when a record runs past end() it calls Refill(record_start), which
/// moves the partial record to the front of a fresh buffer and appends the next chunk, so a record
/// always lies in a single buffer and views into it stay valid as long as that buffer is held
/// (Batch::HoldBuffer(buffer())). The buffer grows geometrically while one record is larger than
/// the chunk, so a 10 MB field costs O(10 MB) work, not O(10 MB^2 / chunk).
///
/// Every buffer has `kPadding` readable bytes after end() (simdjson reads past the document end).
class ChunkedInput {
 public:
  /// Readable bytes after end(), at least simdjson::SIMDJSON_PADDING.
  static constexpr size_t kPadding = 64;
  /// Not zero-filled on growth: Refill overwrites what it hands out.
  using Buffer = UninitVector<char>;

  ChunkedInput(std::unique_ptr<ByteStream> stream, size_t chunk_size);

  const char* begin() const { return begin_; }
  const char* end() const { return end_; }
  /// True once the stream has reported its end: no byte follows end().
  bool eof() const { return eof_; }

  /// Offset in the decompressed stream of `p`, a pointer into the current window.
  uint64_t offset_of(const char* p) const { return base_offset_ + (p - buffer_data()); }

  /// Keeps [keep_from, end()) and reads more after it. Pointers into the old window are
  /// invalid afterwards; the kept bytes start at the new begin(). Returns false when no byte
  /// was added because the stream is exhausted. A stream error (kDataLoss for a damaged
  /// compressed file) is returned only once the bytes read before it have been handed out, so a
  /// reader keeps every record before the damage; after an error every call returns it again.
  Result<bool> Refill(const char* keep_from);

  /// Reads until at least `n` bytes follow `from` or the stream ends (keeps bytes from `from`).
  Result<bool> Ensure(const char* from, size_t n);

  /// The buffer the window lies in; hold it in every Batch that keeps views into it.
  const std::shared_ptr<Buffer>& buffer() const { return buffer_; }
  /// Changes each time Refill switches to a new buffer (0 before the first Refill).
  uint64_t buffer_generation() const { return generation_; }

  uint64_t compressed_bytes_read() const { return stream_->compressed_bytes_read(); }
  const std::string& name() const { return stream_->name(); }

 private:
  char* buffer_data() const { return buffer_ ? buffer_->data() : nullptr; }

  std::unique_ptr<ByteStream> stream_;
  size_t chunk_size_;
  std::shared_ptr<Buffer> buffer_;
  /// Earlier buffers, reused once no batch holds them. Enough for the batches in flight at
  /// once (each holds one or two): with 4, when a reading thread still fed a queue, the reader
  /// allocated a fresh buffer for about every other chunk at 2 threads.
  std::array<std::shared_ptr<Buffer>, 8> spares_;
  const char* begin_ = nullptr;
  const char* end_ = nullptr;
  uint64_t base_offset_ = 0;  ///< stream offset of buffer_->data()[0]
  uint64_t generation_ = 0;
  bool eof_ = false;
  /// A read error met after some bytes of the current window: returned by the next Refill.
  Status pending_;
};

}  // namespace assay::sources
