#include "sinks/parquet_encoding.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <type_traits>

namespace assay::sinks {

// CommonPrefixLength finds the first differing byte from the low bits of a word.
static_assert(std::endian::native == std::endian::little,
              "the Parquet writer assumes little-endian");

namespace {

void PutVarint(uint64_t v, std::vector<uint8_t>* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<uint8_t>(v) | 0x80);
    v >>= 7;
  }
  out->push_back(static_cast<uint8_t>(v));
}

/// How many values from v[i] on equal v[i], counting at most `limit` (i < n). Bytes (definition
/// levels) are compared a word at a time: their runs are often a whole page long.
template <typename T>
size_t RunLength(const T* v, size_t i, size_t n, size_t limit) {
  const size_t stop = std::min(n, i + limit);
  const T x = v[i];
  size_t j = i + 1;
  if constexpr (sizeof(T) == 1) {
    const uint64_t pattern = uint64_t{0x0101010101010101} * x;
    for (; j + 8 <= stop; j += 8) {
      uint64_t word = 0;
      std::memcpy(&word, v + j, 8);
      if (word != pattern) {
        return j + static_cast<size_t>(std::countr_zero(word ^ pattern)) / 8 - i;
      }
    }
  }
  while (j < stop && v[j] == x) ++j;
  return j - i;
}

/// Bit-packs values [i, end) (end a multiple of 8 past i; values at or past n count as 0) of
/// `bit_width` bits each, least significant bit first, into `dst`: bit_width bytes per 8 values.
template <typename T>
void PackGroups(const T* v, size_t i, size_t end, size_t n, int bit_width, uint8_t* dst) {
  const auto width = static_cast<size_t>(bit_width);
  for (size_t g = i; g < end; g += 8) {
    uint64_t group[8];
    for (size_t t = 0; t < 8; ++t) group[t] = g + t < n ? static_cast<uint64_t>(v[g + t]) : 0;
    if (width <= 8) {  // 8 values fill at most one word: the common case (levels, small dicts)
      uint64_t acc = 0;
      for (size_t t = 0; t < 8; ++t) acc |= group[t] << (t * width);
      std::memcpy(dst, &acc, width);
      dst += width;
    } else {  // up to 32 bits each: whole bytes out as they fill, under 40 bits pending
      uint64_t acc = 0;
      size_t bits = 0;
      for (size_t t = 0; t < 8; ++t) {
        acc |= group[t] << bits;
        bits += width;
        for (; bits >= 8; bits -= 8, acc >>= 8) *dst++ = static_cast<uint8_t>(acc);
      }
    }
  }
}

template <typename T>
void EncodeHybrid(const T* v, size_t n, int bit_width, std::vector<uint8_t>* out) {
  const int value_bytes = (bit_width + 7) / 8;
  out->reserve(out->size() + n * bit_width / 8 + 16);
  size_t i = 0;
  while (i < n) {
    const size_t run = RunLength(v, i, n, n);
    if (run >= 8) {
      PutVarint(static_cast<uint64_t>(run) << 1, out);
      const uint64_t value = v[i];
      for (int b = 0; b < value_bytes; ++b) out->push_back(static_cast<uint8_t>(value >> (8 * b)));
      i += run;
      continue;
    }
    // Bit-packed groups of 8 until a run of 8 equal values starts on a group boundary.
    size_t end = i;
    do {
      end += 8;
    } while (end < n && (end + 8 > n || RunLength(v, end, n, 8) < 8));
    const size_t groups = (end - i) / 8;
    PutVarint((static_cast<uint64_t>(groups) << 1) | 1, out);
    const size_t at = out->size();
    out->resize(at + groups * static_cast<size_t>(bit_width));
    PackGroups(v, i, end, n, bit_width, out->data() + at);
    i = end < n ? end : n;
  }
}

/// Zigzag maps signed to unsigned (0, -1, 1, -2 ... to 0, 1, 2, 3 ...), computed unsigned so
/// INT64_MIN needs no signed shift or negation.
uint64_t ZigZag(int64_t v) {
  const auto u = static_cast<uint64_t>(v);
  return (u << 1) ^ (uint64_t{0} - (u >> 63));
}

constexpr size_t kDeltaBlockValues = 128;
constexpr size_t kDeltaMiniblocks = 4;
constexpr size_t kDeltaMiniblockValues = kDeltaBlockValues / kDeltaMiniblocks;  // 32

/// Appends 32 values of `width` bits (0..64) each, least significant bit first: exactly
/// 4 * width bytes, as 32 * width bits always fill whole bytes.
void PackMiniblock(const uint64_t* v, int width, std::vector<uint8_t>* out) {
  if (width == 0) return;
  const size_t at = out->size();
  out->resize(at + 4 * static_cast<size_t>(width));
  uint8_t* dst = out->data() + at;
  uint64_t acc = 0;
  int bits = 0;  // bits pending in acc; below 8 between values
  for (size_t i = 0; i < kDeltaMiniblockValues; ++i) {
    const uint64_t x = v[i];
    acc |= x << bits;
    int total = bits + width;
    if (total >= 64) {
      std::memcpy(dst, &acc, 8);
      dst += 8;
      // The top `bits` bits of x did not fit in acc (none when bits == 0: shift by 64 is UB).
      acc = bits == 0 ? 0 : x >> (64 - bits);
      total -= 64;
    }
    while (total >= 8) {
      *dst++ = static_cast<uint8_t>(acc);
      acc >>= 8;
      total -= 8;
    }
    bits = total;
  }
}

template <typename T>
void EncodeDelta(const T* v, size_t n, std::vector<uint8_t>* out) {
  // All arithmetic is unsigned in T's width: deltas and their differences wrap as the spec
  // asks, and an int32 stream never needs more than 32 bits.
  using U = std::make_unsigned_t<T>;
  PutVarint(kDeltaBlockValues, out);
  PutVarint(kDeltaMiniblocks, out);
  PutVarint(n, out);
  PutVarint(ZigZag(n == 0 ? 0 : static_cast<int64_t>(v[0])), out);
  uint64_t relative[kDeltaBlockValues];
  for (size_t start = 1; start < n; start += kDeltaBlockValues) {
    const size_t count = std::min(kDeltaBlockValues, n - start);
    T min_delta = std::numeric_limits<T>::max();
    for (size_t i = 0; i < count; ++i) {
      const auto d = static_cast<T>(
          static_cast<U>(static_cast<U>(v[start + i]) - static_cast<U>(v[start + i - 1])));
      relative[i] = static_cast<U>(d);  // the raw delta for now
      min_delta = std::min(min_delta, d);
    }
    for (size_t i = 0; i < count; ++i) {
      relative[i] = static_cast<U>(static_cast<U>(relative[i]) - static_cast<U>(min_delta));
    }
    // Padding: the rest of the last miniblock is zeros.
    std::fill(relative + count, relative + kDeltaBlockValues, 0);
    PutVarint(ZigZag(static_cast<int64_t>(min_delta)), out);
    const size_t used = (count + kDeltaMiniblockValues - 1) / kDeltaMiniblockValues;
    int widths[kDeltaMiniblocks] = {0, 0, 0, 0};
    for (size_t m = 0; m < used; ++m) {
      uint64_t all = 0;
      for (size_t i = 0; i < kDeltaMiniblockValues; ++i) {
        all |= relative[m * kDeltaMiniblockValues + i];
      }
      widths[m] = 64 - std::countl_zero(all);
    }
    // Unused miniblocks of the last block keep their width byte (0) but have no body.
    for (int w : widths) out->push_back(static_cast<uint8_t>(w));
    for (size_t m = 0; m < used; ++m) {
      PackMiniblock(relative + m * kDeltaMiniblockValues, widths[m], out);
    }
  }
}

/// Calls fn(value) for each of the `n` PLAIN-encoded values in `plain`, in order.
template <typename Fn>
void ForEachPlain(std::span<const uint8_t> plain, size_t n, const Fn& fn) {
  size_t at = 0;
  for (size_t i = 0; i < n; ++i) {
    uint32_t len = 0;
    std::memcpy(&len, plain.data() + at, 4);
    fn(std::string_view(reinterpret_cast<const char*>(plain.data() + at + 4), len));
    at += 4 + len;
  }
}

/// DELTA_BYTE_ARRAY over the values that for_each(fn) visits, `n` of them. Two passes: the
/// lengths streams come before the suffix bytes, and recomputing a prefix is cheaper than
/// buffering the suffixes.
template <typename ForEach>
void EncodeDeltaStrings(size_t n, const ForEach& for_each, std::vector<uint8_t>* out) {
  std::vector<int32_t> prefixes;
  std::vector<int32_t> suffixes;
  prefixes.reserve(n);
  suffixes.reserve(n);
  size_t suffix_bytes = 0;
  std::string_view previous;
  for_each([&](std::string_view v) {
    const size_t p = CommonPrefixLength(previous, v);
    prefixes.push_back(static_cast<int32_t>(p));
    suffixes.push_back(static_cast<int32_t>(v.size() - p));
    suffix_bytes += v.size() - p;
    previous = v;
  });
  EncodeDelta(prefixes.data(), prefixes.size(), out);
  EncodeDelta(suffixes.data(), suffixes.size(), out);
  size_t at = out->size();
  out->resize(at + suffix_bytes);
  size_t i = 0;
  for_each([&](std::string_view v) {
    const size_t p = static_cast<size_t>(prefixes[i++]);
    if (v.size() > p) std::memcpy(out->data() + at, v.data() + p, v.size() - p);
    at += v.size() - p;
  });
}

}  // namespace

int BitWidthFor(uint64_t max_value) {
  const int w = 64 - std::countl_zero(max_value);
  return w == 0 ? 1 : w;
}

void EncodeRleHybrid(std::span<const uint8_t> values, int bit_width, std::vector<uint8_t>* out) {
  EncodeHybrid(values.data(), values.size(), bit_width, out);
}

void EncodeRleHybrid(std::span<const uint32_t> values, int bit_width, std::vector<uint8_t>* out) {
  EncodeHybrid(values.data(), values.size(), bit_width, out);
}

void EncodePlainBooleans(std::span<const uint8_t> values, std::vector<uint8_t>* out) {
  const size_t n = values.size();
  const size_t start = out->size();
  out->resize(start + (n + 7) / 8, 0);
  uint8_t* dst = out->data() + start;
  for (size_t i = 0; i < n; ++i) {
    if (values[i] != 0) dst[i / 8] |= static_cast<uint8_t>(1u << (i % 8));
  }
}

void EncodeDeltaBinaryPacked(std::span<const int32_t> values, std::vector<uint8_t>* out) {
  EncodeDelta(values.data(), values.size(), out);
}

void EncodeDeltaBinaryPacked(std::span<const int64_t> values, std::vector<uint8_t>* out) {
  EncodeDelta(values.data(), values.size(), out);
}

void EncodeDeltaByteArray(std::span<const std::string_view> values, std::vector<uint8_t>* out) {
  EncodeDeltaStrings(
      values.size(),
      [&](const auto& fn) {
        for (std::string_view v : values) fn(v);
      },
      out);
}

void EncodeDeltaByteArray(std::span<const uint8_t> plain, size_t num_values,
                          std::vector<uint8_t>* out) {
  EncodeDeltaStrings(
      num_values, [&](const auto& fn) { ForEachPlain(plain, num_values, fn); }, out);
}

void EncodeDeltaLengthByteArray(std::span<const uint8_t> plain, size_t num_values,
                                std::vector<uint8_t>* out) {
  std::vector<int32_t> lengths;
  lengths.reserve(num_values);
  ForEachPlain(plain, num_values,
               [&](std::string_view v) { lengths.push_back(static_cast<int32_t>(v.size())); });
  EncodeDelta(lengths.data(), lengths.size(), out);
  // The bytes are the PLAIN buffer without its length prefixes.
  const size_t bytes = plain.size() - 4 * num_values;
  size_t at = out->size();
  out->resize(at + bytes);
  ForEachPlain(plain, num_values, [&](std::string_view v) {
    CopyBytes(out->data() + at, v.data(), v.size());
    at += v.size();
  });
}

}  // namespace assay::sinks
