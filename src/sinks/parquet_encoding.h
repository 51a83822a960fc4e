#pragma once

// Value encodings of the Parquet spec (Encodings.md) that the writer needs below the page level.

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

namespace assay::sinks {

/// Bits needed to store values in [0, max_value]; at least 1, because some readers mishandle a
/// bit width of 0 in dictionary-index pages.
int BitWidthFor(uint64_t max_value);

/// Appends the RLE/bit-packed hybrid encoding of `values` (each < 2^bit_width, bit_width in
/// [1, 32]) to `out`, without the 4-byte length prefix that V1 definition levels carry. A run of
/// 8 or more equal values becomes an RLE run; the rest is bit-packed in groups of 8 (the last
/// group padded with zeros, which readers ignore because the page header gives the count).
void EncodeRleHybrid(std::span<const uint8_t> values, int bit_width, std::vector<uint8_t>* out);
void EncodeRleHybrid(std::span<const uint32_t> values, int bit_width, std::vector<uint8_t>* out);

/// Appends PLAIN-encoded booleans: one bit per value, least significant bit first. Nonzero = true.
void EncodePlainBooleans(std::span<const uint8_t> values, std::vector<uint8_t>* out);

/// Appends the DELTA_BINARY_PACKED encoding of `values`: blocks of 128 deltas in 4 miniblocks of
/// 32, each miniblock bit-packed with its own width (0 when its deltas are all equal). Deltas
/// wrap in the values' own width, so any int32/int64 sequence round-trips and an int32 stream
/// never uses more than 32 bits per value. Zero values give a header alone (count 0).
void EncodeDeltaBinaryPacked(std::span<const int32_t> values, std::vector<uint8_t>* out);
void EncodeDeltaBinaryPacked(std::span<const int64_t> values, std::vector<uint8_t>* out);

/// Length of the longest common prefix of `a` and `b`, in bytes. Words at a time, with the tail
/// as one overlapping word: most values (codes, ids, tiers) are 3 to 15 bytes, and a byte loop
/// over their tails was the costliest part of comparing them. Inlined: a call per value cost more.
[[gnu::always_inline]] inline size_t CommonPrefixLength(std::string_view a, std::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  // Little-endian: the first differing byte holds the lowest set bit of x ^ y.
  const auto first_difference = [](uint64_t x, uint64_t y) {
    return static_cast<size_t>(std::countr_zero(x ^ y)) / 8;
  };
  if (n >= 8) {
    uint64_t x = 0;
    uint64_t y = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      std::memcpy(&x, a.data() + i, 8);
      std::memcpy(&y, b.data() + i, 8);
      if (x != y) return i + first_difference(x, y);
    }
    if (i == n) return n;
    // The last 8 bytes; those before i are equal, so a difference found lies at or after i.
    i = n - 8;
    std::memcpy(&x, a.data() + i, 8);
    std::memcpy(&y, b.data() + i, 8);
    return x == y ? n : i + first_difference(x, y);
  }
  if (n >= 4) {
    uint32_t x = 0;
    uint32_t y = 0;
    std::memcpy(&x, a.data(), 4);
    std::memcpy(&y, b.data(), 4);
    if (x != y) return first_difference(x, y);
    std::memcpy(&x, a.data() + n - 4, 4);
    std::memcpy(&y, b.data() + n - 4, 4);
    return x == y ? n : n - 4 + first_difference(x, y);
  }
  size_t i = 0;
  while (i < n && a[i] == b[i]) ++i;
  return i;
}

/// memcpy(dst, src, n) for the short values most strings are, without a libc call per value:
/// up to 32 bytes as two overlapping loads and stores of one width, which never read or write
/// outside [src, src + n) and [dst, dst + n).
[[gnu::always_inline]] inline void CopyBytes(uint8_t* dst, const char* src, size_t n) {
  const auto copy_two = [&](auto word) {
    constexpr size_t kSize = sizeof(word);
    decltype(word) tail;
    std::memcpy(&word, src, kSize);
    std::memcpy(&tail, src + n - kSize, kSize);
    std::memcpy(dst, &word, kSize);
    std::memcpy(dst + n - kSize, &tail, kSize);
  };
  struct Bytes16 {
    uint64_t lo;
    uint64_t hi;
  };
  if (n >= 16) {
    if (n > 32) {
      std::memcpy(dst, src, n);
    } else {
      copy_two(Bytes16{});
    }
  } else if (n >= 8) {
    copy_two(uint64_t{});
  } else if (n >= 4) {
    copy_two(uint32_t{});
  } else {
    for (size_t i = 0; i < n; ++i) dst[i] = static_cast<uint8_t>(src[i]);
  }
}

/// Appends the DELTA_BYTE_ARRAY encoding of `values`: the length of each value's prefix shared
/// with the previous value (0 for the first), then the remaining suffixes as
/// DELTA_LENGTH_BYTE_ARRAY (suffix lengths DELTA_BINARY_PACKED, then the suffix bytes back to
/// back). Each value must be shorter than 2^31 bytes.
void EncodeDeltaByteArray(std::span<const std::string_view> values, std::vector<uint8_t>* out);

/// The same for `num_values` values that `plain` holds PLAIN-encoded back to back
/// ([u32 little-endian length][bytes] each, nothing else), as the string column writer keeps them.
void EncodeDeltaByteArray(std::span<const uint8_t> plain, size_t num_values,
                          std::vector<uint8_t>* out);

/// Appends the DELTA_LENGTH_BYTE_ARRAY encoding of `num_values` values that `plain` holds
/// PLAIN-encoded back to back: their lengths DELTA_BINARY_PACKED (as INT32), then their bytes
/// back to back. Each value must be shorter than 2^31 bytes.
void EncodeDeltaLengthByteArray(std::span<const uint8_t> plain, size_t num_values,
                                std::vector<uint8_t>* out);

}  // namespace assay::sinks
