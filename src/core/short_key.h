#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace assay {

/// A string's identity as two integers: values of up to kShortKeyMaxSize (8) bytes are packed
/// whole into `bits` (the first and the last 4 bytes, overlapping when shorter; bytes 0, n/2 and
/// n-1 below 4), longer ones leave `bits` 0 and must still be compared byte by byte. Two values
/// of at most 8 bytes are equal exactly when their keys are. Codes, currencies, channels and
/// tiers are this short: comparing keys replaces a memcmp call or a trip to a string buffer.
struct ShortKey {
  uint64_t bits = 0;
  size_t size = 0;
  bool operator==(const ShortKey&) const = default;
};

inline constexpr size_t kShortKeyMaxSize = 8;

[[gnu::always_inline]] inline ShortKey ShortKeyOf(std::string_view v) {
  const size_t n = v.size();
  const auto* p = reinterpret_cast<const uint8_t*>(v.data());
  ShortKey key{0, n};
  if (n >= 4 && n <= kShortKeyMaxSize) {
    uint32_t first = 0;
    uint32_t last = 0;
    std::memcpy(&first, p, 4);
    std::memcpy(&last, p + n - 4, 4);
    key.bits = first | (uint64_t{last} << 32);
  } else if (n > 0 && n < 4) {
    key.bits = p[0] | (uint64_t{p[n / 2]} << 8) | (uint64_t{p[n - 1]} << 16);
  }
  return key;
}

}  // namespace assay
