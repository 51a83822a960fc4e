#include "sources/byte_stream.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

namespace assay::sources {
namespace {

constexpr size_t kCompressedReadSize = size_t{256} * 1024;

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

class FileStream final : public ByteStream {
 public:
  FileStream(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  ~FileStream() override { ::close(fd_); }

  Result<size_t> Read(char* buf, size_t n) override {
    while (true) {
      ssize_t got = ::read(fd_, buf, n);
      if (got >= 0) {
        bytes_read_ += static_cast<uint64_t>(got);
        return static_cast<size_t>(got);
      }
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, "read " + path_);
    }
  }
  uint64_t compressed_bytes_read() const override { return bytes_read_; }
  const std::string& name() const override { return path_; }

 private:
  int fd_;
  std::string path_;
  uint64_t bytes_read_ = 0;
};

class MemoryStream final : public ByteStream {
 public:
  MemoryStream(std::string data, std::string name)
      : data_(std::move(data)), name_(std::move(name)) {}

  Result<size_t> Read(char* buf, size_t n) override {
    size_t take = std::min(n, data_.size() - pos_);
    std::memcpy(buf, data_.data() + pos_, take);
    pos_ += take;
    return take;
  }
  uint64_t compressed_bytes_read() const override { return pos_; }
  const std::string& name() const override { return name_; }

 private:
  std::string data_;
  std::string name_;
  size_t pos_ = 0;
};

/// gzip (and zlib) through inflate. Concatenated gzip members are one stream, as gzip(1) reads
/// them; `cat a.gz b.gz > c.gz` is a common way to append to a compressed log.
class GzipStream final : public ByteStream {
 public:
  explicit GzipStream(std::unique_ptr<ByteStream> raw)
      : raw_(std::move(raw)), in_(kCompressedReadSize) {
    std::memset(&strm_, 0, sizeof(strm_));
    // 15 + 32: largest window, detect gzip or zlib header automatically.
    init_status_ = inflateInit2(&strm_, 15 + 32);
  }
  ~GzipStream() override { inflateEnd(&strm_); }

  Result<size_t> Read(char* buf, size_t n) override {
    if (init_status_ != Z_OK) return Internal("inflateInit2 failed for " + name());
    if (!pending_.ok()) return pending_;
    if (done_ || n == 0) return size_t{0};
    strm_.next_out = reinterpret_cast<Bytef*>(buf);
    strm_.avail_out = static_cast<uInt>(std::min<size_t>(n, 1u << 30));
    const uInt want = strm_.avail_out;
    // Bytes inflated before the damage are good data: return them, and the error on the next
    // call, so that the records before a truncation or corruption are kept.
    auto fail = [&](Status error) -> Result<size_t> {
      pending_ = std::move(error);
      if (strm_.avail_out != want) return static_cast<size_t>(want - strm_.avail_out);
      return pending_;
    };
    while (strm_.avail_out == want) {
      if (strm_.avail_in == 0) {
        if (!raw_eof_) {
          Result<size_t> read = raw_->Read(in_.data(), in_.size());
          if (!read.ok()) return fail(read.status());
          const size_t got = *read;
          if (got == 0) {
            raw_eof_ = true;
          } else {
            strm_.next_in = reinterpret_cast<Bytef*>(in_.data());
            strm_.avail_in = static_cast<uInt>(got);
          }
        }
        if (raw_eof_ && strm_.avail_in == 0) {
          if (in_member_) {
            return fail(DataLoss(name() + ": truncated gzip stream at compressed byte offset " +
                                 std::to_string(raw_offset())));
          }
          done_ = true;
          break;
        }
      }
      in_member_ = true;
      const uInt avail_in_before = strm_.avail_in;
      const uInt avail_out_before = strm_.avail_out;
      int ret = inflate(&strm_, Z_NO_FLUSH);
      if (ret == Z_STREAM_END) {
        in_member_ = false;
        inflateReset(&strm_);
        continue;
      }
      if (ret == Z_OK) continue;
      if (ret == Z_BUF_ERROR && strm_.avail_in == 0) continue;  // needs more input
      if (ret == Z_BUF_ERROR &&
          (strm_.avail_in != avail_in_before || strm_.avail_out != avail_out_before)) {
        continue;
      }
      std::string detail = strm_.msg != nullptr ? strm_.msg : "invalid data";
      return fail(DataLoss(name() + ": corrupt gzip data at compressed byte offset " +
                           std::to_string(raw_offset()) + ": " + detail));
    }
    return static_cast<size_t>(want - strm_.avail_out);
  }
  uint64_t compressed_bytes_read() const override { return raw_->compressed_bytes_read(); }
  const std::string& name() const override { return raw_->name(); }

 private:
  uint64_t raw_offset() const { return raw_->compressed_bytes_read() - strm_.avail_in; }

  std::unique_ptr<ByteStream> raw_;
  std::vector<char> in_;
  z_stream strm_;
  int init_status_ = Z_OK;
  bool raw_eof_ = false;
  bool in_member_ = false;
  bool done_ = false;
  Status pending_;  ///< the damage found after the bytes the last Read returned
};

/// zstd through the streaming API; concatenated frames (and skippable frames) are one stream.
class ZstdStream final : public ByteStream {
 public:
  explicit ZstdStream(std::unique_ptr<ByteStream> raw)
      : raw_(std::move(raw)), in_buf_(kCompressedReadSize), dctx_(ZSTD_createDCtx()) {}
  ~ZstdStream() override { ZSTD_freeDCtx(dctx_); }

  Result<size_t> Read(char* buf, size_t n) override {
    if (dctx_ == nullptr) return Internal("ZSTD_createDCtx failed for " + name());
    if (done_ || n == 0) return size_t{0};
    ZSTD_outBuffer out{buf, n, 0};
    while (out.pos == 0) {
      if (in_.pos == in_.size && !raw_eof_) {
        ASSIGN_OR_RETURN(size_t got, raw_->Read(in_buf_.data(), in_buf_.size()));
        if (got == 0) {
          raw_eof_ = true;
        } else {
          in_ = ZSTD_inBuffer{in_buf_.data(), got, 0};
        }
      }
      if (raw_eof_ && in_.pos == in_.size && !frame_open_) {
        done_ = true;
        break;
      }
      const size_t in_before = in_.pos;
      size_t ret = ZSTD_decompressStream(dctx_, &out, &in_);
      if (ZSTD_isError(ret)) {
        return DataLoss(name() + ": corrupt zstd data at compressed byte offset " +
                        std::to_string(raw_offset()) + ": " + ZSTD_getErrorName(ret));
      }
      frame_open_ = ret != 0;
      if (raw_eof_ && in_.pos == in_.size && frame_open_ && out.pos == 0 && in_.pos == in_before) {
        return DataLoss(name() + ": truncated zstd stream at compressed byte offset " +
                        std::to_string(raw_offset()));
      }
    }
    return out.pos;
  }
  uint64_t compressed_bytes_read() const override { return raw_->compressed_bytes_read(); }
  const std::string& name() const override { return raw_->name(); }

 private:
  uint64_t raw_offset() const { return raw_->compressed_bytes_read() - (in_.size - in_.pos); }

  std::unique_ptr<ByteStream> raw_;
  std::vector<char> in_buf_;
  ZSTD_inBuffer in_{nullptr, 0, 0};
  ZSTD_DCtx* dctx_;
  bool raw_eof_ = false;
  bool frame_open_ = false;
  bool done_ = false;
};

Compression SniffMagic(int fd) {
  unsigned char magic[4] = {0, 0, 0, 0};
  ssize_t got = ::pread(fd, magic, sizeof(magic), 0);
  if (got >= 2 && magic[0] == 0x1f && magic[1] == 0x8b) return Compression::kGzip;
  if (got >= 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd) {
    return Compression::kZstd;
  }
  return Compression::kNone;
}

}  // namespace

std::string_view CompressionName(Compression compression) {
  switch (compression) {
    case Compression::kAuto: return "auto";
    case Compression::kNone: return "none";
    case Compression::kGzip: return "gzip";
    case Compression::kZstd: return "zstd";
  }
  return "unknown";
}

Compression CompressionFromExtension(std::string_view path) {
  if (EndsWith(path, ".gz") || EndsWith(path, ".gzip")) return Compression::kGzip;
  if (EndsWith(path, ".zst") || EndsWith(path, ".zstd")) return Compression::kZstd;
  return Compression::kAuto;
}

Result<std::unique_ptr<ByteStream>> OpenFileStream(const std::string& path,
                                                   Compression compression) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(errno, "open " + path);
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    Status status = ErrnoStatus(errno, "stat " + path);
    ::close(fd);
    return status;
  }
  if (S_ISDIR(st.st_mode)) {
    ::close(fd);
    return InvalidArgument(path + ": is a directory, not a file");
  }
  if (compression == Compression::kAuto) compression = CompressionFromExtension(path);
  // Magic bytes need a seekable file; a pipe is taken as it comes.
  if (compression == Compression::kAuto) {
    compression = S_ISREG(st.st_mode) ? SniffMagic(fd) : Compression::kNone;
  }
  if (S_ISREG(st.st_mode)) ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  std::unique_ptr<ByteStream> raw = std::make_unique<FileStream>(fd, path);
  return MakeDecompressingStream(std::move(raw), compression);
}

std::unique_ptr<ByteStream> MakeMemoryStream(std::string data, std::string name) {
  return std::make_unique<MemoryStream>(std::move(data), std::move(name));
}

std::unique_ptr<ByteStream> MakeDecompressingStream(std::unique_ptr<ByteStream> raw,
                                                    Compression compression) {
  switch (compression) {
    case Compression::kGzip: return std::make_unique<GzipStream>(std::move(raw));
    case Compression::kZstd: return std::make_unique<ZstdStream>(std::move(raw));
    case Compression::kAuto:
    case Compression::kNone: break;
  }
  return raw;
}

ChunkedInput::ChunkedInput(std::unique_ptr<ByteStream> stream, size_t chunk_size)
    : stream_(std::move(stream)), chunk_size_(std::max<size_t>(chunk_size, 1)) {}

Result<bool> ChunkedInput::Refill(const char* keep_from) {
  if (!pending_.ok()) return pending_;
  if (eof_) {
    begin_ = keep_from;
    return false;
  }
  const size_t carry = buffer_ ? static_cast<size_t>(end_ - keep_from) : 0;
  const uint64_t keep_offset = buffer_ ? offset_of(keep_from) : 0;
  // Grow with the carried record so that a record larger than a chunk is re-scanned only
  // O(log size) times.
  const size_t capacity = carry + std::max(chunk_size_, carry);
  if (buffer_ && buffer_.use_count() == 1 && buffer_->size() >= capacity + kPadding) {
    // No batch holds the buffer any more: reuse it instead of allocating.
    std::memmove(buffer_->data(), keep_from, carry);
  } else {
    // Recycle a buffer that every batch has let go of: a fresh chunk allocation costs page
    // faults on every chunk.
    std::shared_ptr<Buffer> next;
    for (auto& spare : spares_) {
      if (spare && spare.use_count() == 1 && spare->size() >= capacity + kPadding) {
        next = std::move(spare);
        break;
      }
    }
    if (next == nullptr) {
      next = std::make_shared<Buffer>();
      next->resize(capacity + kPadding);
    }
    if (carry > 0) std::memcpy(next->data(), keep_from, carry);
    if (buffer_) {
      // Keep the old buffer for later reuse; drop the oldest spare when the list is full.
      auto slot = std::find(spares_.begin(), spares_.end(), nullptr);
      if (slot == spares_.end()) {
        std::rotate(spares_.begin(), spares_.begin() + 1, spares_.end());
        slot = spares_.end() - 1;
      }
      *slot = std::move(buffer_);
    }
    buffer_ = std::move(next);
  }
  ++generation_;
  base_offset_ = keep_offset;
  char* data = buffer_->data();
  size_t filled = carry;
  while (filled < capacity) {
    Result<size_t> got = stream_->Read(data + filled, capacity - filled);
    if (!got.ok()) {
      // The bytes read before the error are good input: hand them to the reader now and the
      // error on the next Refill, when the reader needs bytes beyond them.
      pending_ = got.status();
      break;
    }
    if (*got == 0) {
      eof_ = true;
      break;
    }
    filled += *got;
  }
  // Deterministic padding: SIMD scans load it (and clamp what they find there).
  std::memset(data + filled, 0, kPadding);
  begin_ = data;
  end_ = data + filled;
  if (!pending_.ok() && filled == carry) return pending_;
  return filled > carry;
}

Result<bool> ChunkedInput::Ensure(const char* from, size_t n) {
  while (static_cast<size_t>(end_ - from) < n && !eof_) {
    ASSIGN_OR_RETURN(bool added, Refill(from));
    from = begin_;
    (void)added;
  }
  return static_cast<size_t>(end_ - from) >= n;
}

}  // namespace assay::sources
