#pragma once

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace assay {

/// Bump allocator for bytes that must outlive the input chunk they came from (unescaped JSON
/// strings, trimmed copies). Views it returns stay valid until the arena is destroyed or Reset.
class StringArena {
 public:
  explicit StringArena(size_t block_size = size_t{64} * 1024) : block_size_(block_size) {}
  StringArena(StringArena&&) = default;
  StringArena& operator=(StringArena&&) = default;

  /// Reserves `size` writable bytes; the caller fills them and may keep the pointer.
  char* Allocate(size_t size) {
    if (size > remaining_) NewBlock(size);
    char* out = cursor_;
    cursor_ += size;
    remaining_ -= size;
    return out;
  }

  std::string_view Copy(std::string_view text) {
    if (text.empty()) return {};
    char* out = Allocate(text.size());
    std::memcpy(out, text.data(), text.size());
    return {out, text.size()};
  }

  void Reset() {
    blocks_.clear();
    cursor_ = nullptr;
    remaining_ = 0;
    bytes_reserved_ = 0;
  }

  size_t bytes_reserved() const { return bytes_reserved_; }

 private:
  void NewBlock(size_t at_least) {
    size_t size = at_least > block_size_ ? at_least : block_size_;
    blocks_.push_back(std::make_unique<char[]>(size));
    cursor_ = blocks_.back().get();
    remaining_ = size;
    bytes_reserved_ += size;
  }

  size_t block_size_;
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* cursor_ = nullptr;
  size_t remaining_ = 0;
  size_t bytes_reserved_ = 0;
};

}  // namespace assay
