#include "sinks/compression.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace assay::sinks {
namespace {

TEST(Compression, ParseAcceptsKnownNamesOnly) {
  EXPECT_EQ(*ParseCompression("zstd"), Compression::kZstd);
  EXPECT_EQ(*ParseCompression("snappy"), Compression::kSnappy);
  EXPECT_EQ(*ParseCompression("none"), Compression::kNone);
  EXPECT_EQ(*ParseCompression("uncompressed"), Compression::kNone);
  EXPECT_EQ(ParseCompression("gzip").status().code(), StatusCode::kInvalidArgument);
}

TEST(Compression, ZstdLevelOutOfRangeIsInvalidArgument) {
  EXPECT_EQ(Compressor::Make(Compression::kZstd, 1000).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(Compressor::Make(Compression::kZstd, 19).ok());
}

class CompressionRoundTrip : public testing::TestWithParam<Compression> {};

TEST_P(CompressionRoundTrip, BlocksDecompressToTheInputAndAppendToOutput) {
  auto c = Compressor::Make(GetParam(), 3);
  ASSERT_TRUE(c.ok());
  std::string text;
  for (int i = 0; i < 10000; ++i) text += "row " + std::to_string(i % 97) + ";";
  const std::vector<uint8_t> input(text.begin(), text.end());
  for (const std::vector<uint8_t>& block : {input, std::vector<uint8_t>{}}) {
    UninitVector<uint8_t> out = {0xAA};  // Compress appends
    ASSERT_TRUE((*c)->Compress(block, &out).ok());
    ASSERT_EQ(out[0], 0xAA);
    if (GetParam() != Compression::kNone && !block.empty()) {
      EXPECT_LT(out.size(), block.size());
    }
    std::vector<uint8_t> back;
    ASSERT_TRUE((*c)->Decompress(std::span(out).subspan(1), block.size(), &back).ok());
    EXPECT_EQ(back, block);
  }
}

TEST_P(CompressionRoundTrip, CorruptInputIsDataLoss) {
  if (GetParam() == Compression::kNone) GTEST_SKIP() << "nothing to corrupt";
  auto c = Compressor::Make(GetParam());
  ASSERT_TRUE(c.ok());
  const std::vector<uint8_t> garbage = {0xFF, 0xFE, 0xFD, 0x01, 0x02, 0x03};
  std::vector<uint8_t> out;
  EXPECT_EQ((*c)->Decompress(garbage, 100, &out).code(), StatusCode::kDataLoss);
}

INSTANTIATE_TEST_SUITE_P(Codecs, CompressionRoundTrip,
                         testing::Values(Compression::kNone, Compression::kSnappy,
                                         Compression::kZstd),
                         [](const auto& info) { return std::string(CompressionName(info.param)); });

}  // namespace
}  // namespace assay::sinks
