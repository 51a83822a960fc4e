#include "sinks/compression.h"

#include <snappy.h>
#include <zstd.h>

#include <string>

namespace assay::sinks {

std::string_view CompressionName(Compression c) {
  switch (c) {
    case Compression::kNone: return "none";
    case Compression::kSnappy: return "snappy";
    case Compression::kZstd: return "zstd";
  }
  return "unknown";
}

Result<Compression> ParseCompression(std::string_view name) {
  if (name == "none" || name == "uncompressed") return Compression::kNone;
  if (name == "snappy") return Compression::kSnappy;
  if (name == "zstd") return Compression::kZstd;
  return InvalidArgument("unknown compression '" + std::string(name) +
                         "' (expected none, snappy or zstd)");
}

Result<std::unique_ptr<Compressor>> Compressor::Make(Compression codec, int zstd_level) {
  std::unique_ptr<Compressor> c(new Compressor(codec, zstd_level));
  if (codec == Compression::kZstd) {
    if (zstd_level < ZSTD_minCLevel() || zstd_level > ZSTD_maxCLevel()) {
      return InvalidArgument("zstd level " + std::to_string(zstd_level) + " is outside [" +
                             std::to_string(ZSTD_minCLevel()) + ", " +
                             std::to_string(ZSTD_maxCLevel()) + "]");
    }
    c->cctx_ = ZSTD_createCCtx();
    if (c->cctx_ == nullptr) return Status(StatusCode::kResourceExhausted, "ZSTD_createCCtx");
  }
  return c;
}

Compressor::~Compressor() {
  ZSTD_freeCCtx(cctx_);
  ZSTD_freeDCtx(dctx_);
}

Status Compressor::Compress(std::span<const uint8_t> input, UninitVector<uint8_t>* out) {
  const size_t start = out->size();
  switch (codec_) {
    case Compression::kNone:
      out->insert(out->end(), input.begin(), input.end());
      return Status::Ok();
    case Compression::kSnappy: {
      out->resize(start + snappy::MaxCompressedLength(input.size()));
      size_t written = 0;
      snappy::RawCompress(reinterpret_cast<const char*>(input.data()), input.size(),
                          reinterpret_cast<char*>(out->data() + start), &written);
      out->resize(start + written);
      return Status::Ok();
    }
    case Compression::kZstd: {
      out->resize(start + ZSTD_compressBound(input.size()));
      const size_t written = ZSTD_compressCCtx(cctx_, out->data() + start, out->size() - start,
                                               input.data(), input.size(), zstd_level_);
      if (ZSTD_isError(written)) {
        out->resize(start);
        return Internal(std::string("zstd compression failed: ") + ZSTD_getErrorName(written));
      }
      out->resize(start + written);
      return Status::Ok();
    }
  }
  return Internal("unknown codec");
}

Status Compressor::Decompress(std::span<const uint8_t> input, size_t uncompressed_size,
                              std::vector<uint8_t>* out) {
  out->resize(uncompressed_size);
  switch (codec_) {
    case Compression::kNone:
      if (input.size() != uncompressed_size) return DataLoss("uncompressed block size mismatch");
      std::copy(input.begin(), input.end(), out->begin());
      return Status::Ok();
    case Compression::kSnappy: {
      size_t length = 0;
      const char* in = reinterpret_cast<const char*>(input.data());
      if (!snappy::GetUncompressedLength(in, input.size(), &length) ||
          length != uncompressed_size ||
          !snappy::RawUncompress(in, input.size(), reinterpret_cast<char*>(out->data()))) {
        return DataLoss("corrupt snappy block");
      }
      return Status::Ok();
    }
    case Compression::kZstd: {
      if (dctx_ == nullptr) dctx_ = ZSTD_createDCtx();
      if (dctx_ == nullptr) return Status(StatusCode::kResourceExhausted, "ZSTD_createDCtx");
      const size_t n =
          ZSTD_decompressDCtx(dctx_, out->data(), out->size(), input.data(), input.size());
      if (ZSTD_isError(n) || n != uncompressed_size) return DataLoss("corrupt zstd block");
      return Status::Ok();
    }
  }
  return Internal("unknown codec");
}

}  // namespace assay::sinks
