#pragma once

// Value encodings of the Parquet spec (Encodings.md) that the writer needs below the page level.

#include <cstdint>
#include <span>
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

}  // namespace assay::sinks
