#include "sinks/parquet_encoding.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace assay::sinks {
namespace {

using Bytes = std::vector<uint8_t>;

TEST(ParquetEncoding, BitWidthCoversTheLargestValueAndIsAtLeastOne) {
  EXPECT_EQ(BitWidthFor(0), 1);
  EXPECT_EQ(BitWidthFor(1), 1);
  EXPECT_EQ(BitWidthFor(2), 2);
  EXPECT_EQ(BitWidthFor(3), 2);
  EXPECT_EQ(BitWidthFor(4), 3);
  EXPECT_EQ(BitWidthFor(255), 8);
  EXPECT_EQ(BitWidthFor(256), 9);
}

TEST(ParquetEncoding, RepeatedValuesBecomeOneRleRun) {
  Bytes out;
  const std::vector<uint8_t> levels(10, 1);
  EncodeRleHybrid(levels, 1, &out);
  EXPECT_EQ(out, (Bytes{0x14, 0x01}));  // header 10 << 1, value in one byte

  out.clear();
  const std::vector<uint32_t> wide(8, 300);
  EncodeRleHybrid(wide, 9, &out);  // 9 bits need two value bytes, little-endian
  EXPECT_EQ(out, (Bytes{0x10, 0x2C, 0x01}));

  out.clear();
  const std::vector<uint8_t> many(1000, 0);
  EncodeRleHybrid(many, 1, &out);  // 2000 as a varint: D0 0F
  EXPECT_EQ(out, (Bytes{0xD0, 0x0F, 0x00}));
}

TEST(ParquetEncoding, BitPackingMatchesTheSpecExample) {
  // Encodings.md: 0..7 with bit width 3 pack to 10001000 11000110 11111010.
  Bytes out;
  const std::vector<uint32_t> values = {0, 1, 2, 3, 4, 5, 6, 7};
  EncodeRleHybrid(values, 3, &out);
  EXPECT_EQ(out, (Bytes{0x03, 0x88, 0xC6, 0xFA}));  // header: 1 group << 1 | 1
}

TEST(ParquetEncoding, LiteralGroupThenRunThenPaddedTail) {
  Bytes out;
  const std::vector<uint32_t> values = {0, 1, 0, 1, 0, 1, 0, 1, 7, 7, 7, 7, 7, 7, 7, 7, 7, 2, 3};
  EncodeRleHybrid(values, 3, &out);
  EXPECT_EQ(out, (Bytes{
                     0x03, 0x08, 0x82, 0x20,  // one bit-packed group: 0,1,0,1,0,1,0,1
                     0x12, 0x07,              // RLE run of nine 7s
                     0x03, 0x1A, 0x00, 0x00,  // 2,3 padded with zeros to a group of 8
                 }));
}

TEST(ParquetEncoding, ShortRunsStayInsideLiteralGroups) {
  Bytes out;
  // Runs shorter than 8 never start an RLE run: 16 values in two bit-packed groups.
  std::vector<uint8_t> levels(16);
  for (int i = 0; i < 16; ++i) levels[i] = i % 4 == 0 ? 0 : 1;
  EncodeRleHybrid(levels, 1, &out);
  EXPECT_EQ(out, (Bytes{0x05, 0xEE, 0xEE}));  // 2 groups << 1 | 1; 0b11101110 twice
}

TEST(ParquetEncoding, PlainBooleansAreLsbFirstBits) {
  Bytes out;
  const std::vector<uint8_t> values = {1, 0, 1, 1, 0, 0, 0, 0, 5};
  EncodePlainBooleans(values, &out);
  EXPECT_EQ(out, (Bytes{0x0D, 0x01}));
}

}  // namespace
}  // namespace assay::sinks
