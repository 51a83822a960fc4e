#include "sinks/parquet_encoding.h"

#include <bit>

namespace assay::sinks {

namespace {

void PutVarint(uint64_t v, std::vector<uint8_t>* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<uint8_t>(v) | 0x80);
    v >>= 7;
  }
  out->push_back(static_cast<uint8_t>(v));
}

template <typename T>
bool StartsRun8(const T* v, size_t k, size_t n) {
  if (k + 8 > n) return false;
  for (size_t j = k + 1; j < k + 8; ++j) {
    if (v[j] != v[k]) return false;
  }
  return true;
}

template <typename T>
void EncodeHybrid(const T* v, size_t n, int bit_width, std::vector<uint8_t>* out) {
  const int value_bytes = (bit_width + 7) / 8;
  out->reserve(out->size() + n * bit_width / 8 + 16);
  size_t i = 0;
  while (i < n) {
    if (StartsRun8(v, i, n)) {
      size_t j = i + 8;
      while (j < n && v[j] == v[i]) ++j;
      PutVarint(static_cast<uint64_t>(j - i) << 1, out);
      const uint64_t value = v[i];
      for (int b = 0; b < value_bytes; ++b) out->push_back(static_cast<uint8_t>(value >> (8 * b)));
      i = j;
      continue;
    }
    // Bit-packed groups of 8 until a run of 8 equal values starts on a group boundary.
    size_t end = i;
    do {
      end += 8;
    } while (end < n && !StartsRun8(v, end, n));
    const size_t groups = (end - i) / 8;
    PutVarint((static_cast<uint64_t>(groups) << 1) | 1, out);
    uint64_t acc = 0;
    int bits = 0;
    for (size_t k = i; k < end; ++k) {
      const uint64_t value = k < n ? static_cast<uint64_t>(v[k]) : 0;
      acc |= value << bits;
      bits += bit_width;
      while (bits >= 8) {
        out->push_back(static_cast<uint8_t>(acc));
        acc >>= 8;
        bits -= 8;
      }
    }
    i = end < n ? end : n;
  }
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

}  // namespace assay::sinks
