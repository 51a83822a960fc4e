#include "sinks/parquet_encoding.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace assay::sinks {
namespace {

using Bytes = std::vector<uint8_t>;

// ---- An independent reader for the delta encodings, written from Encodings.md ----

class Reader {
 public:
  explicit Reader(const Bytes& bytes) : bytes_(bytes) {}

  uint64_t Uleb() {
    uint64_t v = 0;
    for (int shift = 0;; shift += 7) {
      const uint8_t b = bytes_.at(pos_++);
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) return v;
    }
  }
  int64_t ZigZag() {
    const uint64_t u = Uleb();
    return static_cast<int64_t>((u >> 1) ^ (uint64_t{0} - (u & 1)));
  }
  uint8_t Byte() { return bytes_.at(pos_++); }
  /// Reads `count` little-endian bit-packed values of `width` bits.
  std::vector<uint64_t> Unpack(int width, size_t count) {
    std::vector<uint64_t> v(count, 0);
    for (size_t i = 0; i < count; ++i) {
      for (int b = 0; b < width; ++b) {
        const size_t bit = i * width + b;
        if ((bytes_.at(pos_ + bit / 8) >> (bit % 8)) & 1) v[i] |= uint64_t{1} << b;
      }
    }
    pos_ += count * width / 8;
    return v;
  }
  std::string Take(size_t n) {
    std::string s(reinterpret_cast<const char*>(bytes_.data() + pos_), n);
    pos_ += n;
    return s;
  }
  size_t pos() const { return pos_; }

 private:
  const Bytes& bytes_;
  size_t pos_ = 0;
};

/// Decodes one DELTA_BINARY_PACKED stream with arithmetic in `Bits` bits (32 or 64), and checks
/// that no miniblock is wider than that.
template <int Bits>
std::vector<int64_t> DecodeDelta(Reader& r) {
  const uint64_t mask = Bits == 64 ? ~uint64_t{0} : (uint64_t{1} << Bits) - 1;
  const uint64_t block = r.Uleb();
  const uint64_t miniblocks = r.Uleb();
  const uint64_t total = r.Uleb();
  EXPECT_EQ(block, 128u);
  EXPECT_EQ(miniblocks, 4u);
  uint64_t value = static_cast<uint64_t>(r.ZigZag());
  std::vector<int64_t> out;
  const auto push = [&](uint64_t v) {
    if constexpr (Bits == 32) {
      out.push_back(static_cast<int32_t>(static_cast<uint32_t>(v)));
    } else {
      out.push_back(static_cast<int64_t>(v));
    }
  };
  if (total > 0) push(value);
  while (out.size() < total) {
    const auto min_delta = static_cast<uint64_t>(r.ZigZag());
    uint8_t widths[4];
    for (uint8_t& w : widths) w = r.Byte();
    for (uint8_t w : widths) {
      if (out.size() >= total) break;  // unused miniblocks have no body
      EXPECT_LE(w, Bits);
      for (uint64_t d : r.Unpack(w, 32)) {
        if (out.size() >= total) break;
        value = (value + min_delta + d) & mask;
        push(value);
      }
    }
  }
  return out;
}

struct DeltaStrings {
  std::vector<int64_t> prefixes;
  std::vector<int64_t> suffixes;
  std::vector<std::string> values;
};

DeltaStrings DecodeDeltaByteArray(const Bytes& bytes) {
  Reader r(bytes);
  DeltaStrings d;
  d.prefixes = DecodeDelta<32>(r);
  d.suffixes = DecodeDelta<32>(r);
  EXPECT_EQ(d.prefixes.size(), d.suffixes.size());
  std::string previous;
  for (size_t i = 0; i < d.prefixes.size(); ++i) {
    std::string v = previous.substr(0, d.prefixes[i]) + r.Take(d.suffixes[i]);
    d.values.push_back(v);
    previous = v;
  }
  EXPECT_EQ(r.pos(), bytes.size()) << "trailing bytes";
  return d;
}

template <typename T>
std::vector<int64_t> RoundTrip(const std::vector<T>& values) {
  Bytes out;
  EncodeDeltaBinaryPacked(values, &out);
  Reader r(out);
  std::vector<int64_t> decoded = DecodeDelta<sizeof(T) * 8>(r);
  EXPECT_EQ(r.pos(), out.size()) << "trailing bytes";
  return decoded;
}

template <typename T>
std::vector<int64_t> Widen(const std::vector<T>& v) {
  return std::vector<int64_t>(v.begin(), v.end());
}

Bytes PlainOf(const std::vector<std::string>& values) {
  Bytes out;
  for (const std::string& v : values) {
    const auto len = static_cast<uint32_t>(v.size());
    const size_t at = out.size();
    out.resize(at + 4 + v.size());
    std::memcpy(out.data() + at, &len, 4);
    std::memcpy(out.data() + at + 4, v.data(), v.size());
  }
  return out;
}

/// Encodes `values` from views and from PLAIN (which must agree), and decodes them back.
DeltaStrings StringRoundTrip(const std::vector<std::string>& values) {
  const std::vector<std::string_view> views(values.begin(), values.end());
  Bytes from_views;
  EncodeDeltaByteArray(views, &from_views);
  Bytes from_plain;
  EncodeDeltaByteArray(PlainOf(values), values.size(), &from_plain);
  EXPECT_EQ(from_views, from_plain);
  DeltaStrings d = DecodeDeltaByteArray(from_views);
  EXPECT_EQ(d.values, values);
  return d;
}

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

/// The RLE/bit-packed hybrid as the spec describes it, one value and one byte at a time: the
/// reference the word-at-a-time encoder must match byte for byte.
template <typename T>
Bytes ReferenceHybrid(const std::vector<T>& v, int bit_width) {
  Bytes out;
  const auto varint = [&](uint64_t x) {
    for (; x >= 0x80; x >>= 7) out.push_back(static_cast<uint8_t>(x) | 0x80);
    out.push_back(static_cast<uint8_t>(x));
  };
  const size_t n = v.size();
  const auto starts_run = [&](size_t k) {
    if (k + 8 > n) return false;
    for (size_t j = k + 1; j < k + 8; ++j) {
      if (v[j] != v[k]) return false;
    }
    return true;
  };
  size_t i = 0;
  while (i < n) {
    if (starts_run(i)) {
      size_t j = i + 8;
      while (j < n && v[j] == v[i]) ++j;
      varint(static_cast<uint64_t>(j - i) << 1);
      for (int b = 0; b < (bit_width + 7) / 8; ++b)
        out.push_back(static_cast<uint8_t>(v[i] >> (8 * b)));
      i = j;
      continue;
    }
    size_t end = i;
    do {
      end += 8;
    } while (end < n && !starts_run(end));
    varint(((end - i) / 8) << 1 | 1);
    std::vector<bool> bits;
    for (size_t k = i; k < end; ++k) {
      const uint64_t x = k < n ? static_cast<uint64_t>(v[k]) : 0;
      for (int b = 0; b < bit_width; ++b) bits.push_back(((x >> b) & 1) != 0);
    }
    for (size_t b = 0; b < bits.size(); b += 8) {
      uint8_t byte = 0;
      for (size_t t = 0; t < 8; ++t) byte |= static_cast<uint8_t>(bits[b + t] ? 1 << t : 0);
      out.push_back(byte);
    }
    i = std::min(end, n);
  }
  return out;
}

// Levels and dictionary ids of every width the writer uses, as long runs, short runs and
// random values, against the reference encoding.
TEST(ParquetEncoding, HybridMatchesAValueByValueReference) {
  std::mt19937_64 rng(7);
  for (int width = 1; width <= 32; ++width) {
    const uint64_t limit = (uint64_t{1} << width) - 1;
    for (int shape = 0; shape < 4; ++shape) {
      for (const size_t n :
           {size_t{1}, size_t{7}, size_t{8}, size_t{9}, size_t{63}, size_t{1000}}) {
        std::vector<uint32_t> v(n);
        uint32_t current = 0;
        for (size_t i = 0; i < n; ++i) {
          // shape 0: random; 1: runs of 1..20; 2: a long run then noise; 3: alternating pairs
          const bool change = shape == 0 || (shape == 1 && rng() % 10 == 0) ||
                              (shape == 2 && i > n / 2) || (shape == 3 && i % 2 == 0);
          if (change) current = static_cast<uint32_t>(rng() & limit);
          v[i] = current;
        }
        SCOPED_TRACE(::testing::Message() << "width " << width << " shape " << shape << " n " << n);
        Bytes out;
        EncodeRleHybrid(v, width, &out);
        ASSERT_EQ(out, ReferenceHybrid(v, width));
        if (width <= 8) {
          const std::vector<uint8_t> bytes(v.begin(), v.end());
          Bytes out8;
          EncodeRleHybrid(bytes, width, &out8);
          ASSERT_EQ(out8, ReferenceHybrid(bytes, width));
        }
      }
    }
  }
  // Definition levels: long runs of 1 broken by nulls at every offset within a word.
  for (size_t null_at = 0; null_at < 40; ++null_at) {
    std::vector<uint8_t> levels(200, 1);
    levels[null_at] = 0;
    levels[null_at + 100] = 0;
    Bytes out;
    EncodeRleHybrid(levels, 1, &out);
    ASSERT_EQ(out, ReferenceHybrid(levels, 1)) << null_at;
  }
}

// Every size around the 4/8/16/32-byte cases copies exactly n bytes and writes nothing else.
TEST(ParquetEncoding, CopyBytesCopiesExactlyN) {
  std::string src(100, '\0');
  for (size_t i = 0; i < src.size(); ++i) src[i] = static_cast<char>('A' + i % 50);
  for (size_t n = 0; n <= 70; ++n) {
    std::vector<uint8_t> dst(n + 32, 0xEE);
    CopyBytes(dst.data() + 16, src.data() + 3, n);
    for (size_t i = 0; i < dst.size(); ++i) {
      const bool inside = i >= 16 && i < 16 + n;
      const uint8_t want = inside ? static_cast<uint8_t>(src[3 + i - 16]) : 0xEE;
      ASSERT_EQ(dst[i], want) << "n " << n << " byte " << i;
    }
  }
}

TEST(ParquetEncoding, PlainBooleansAreLsbFirstBits) {
  Bytes out;
  const std::vector<uint8_t> values = {1, 0, 1, 1, 0, 0, 0, 0, 5};
  EncodePlainBooleans(values, &out);
  EXPECT_EQ(out, (Bytes{0x0D, 0x01}));
}

TEST(ParquetDeltaBinaryPacked, ZeroValuesAreAHeaderWithCountZero) {
  Bytes out;
  EncodeDeltaBinaryPacked(std::vector<int64_t>{}, &out);
  EXPECT_EQ(out, (Bytes{0x80, 0x01, 0x04, 0x00, 0x00}));  // 128, 4, count 0, first 0
  EXPECT_TRUE(RoundTrip(std::vector<int32_t>{}).empty());
}

TEST(ParquetDeltaBinaryPacked, OneValueIsAHeaderWithoutBlocks) {
  Bytes out;
  EncodeDeltaBinaryPacked(std::vector<int64_t>{-7}, &out);
  EXPECT_EQ(out, (Bytes{0x80, 0x01, 0x04, 0x01, 0x0D}));  // zigzag(-7) = 13
}

TEST(ParquetDeltaBinaryPacked, SpecExamplesWithBlocksOf128) {
  // Encodings.md example 1: constant deltas need width 0 and no miniblock bytes.
  Bytes out;
  EncodeDeltaBinaryPacked(std::vector<int32_t>{1, 2, 3, 4, 5}, &out);
  EXPECT_EQ(out, (Bytes{0x80, 0x01, 0x04, 0x05, 0x02, /*block*/ 0x02, 0x00, 0x00, 0x00, 0x00}));

  // Example 2: min delta -2, relative deltas 0,0,0,3,3,3,3 in 2 bits, zero-padded to 32.
  out.clear();
  EncodeDeltaBinaryPacked(std::vector<int64_t>{7, 5, 3, 1, 2, 3, 4, 5}, &out);
  EXPECT_EQ(out, (Bytes{0x80, 0x01, 0x04, 0x08, 0x0E,  // header, first value 7
                        0x03, 0x02, 0x00, 0x00, 0x00,  // min delta -2, widths 2,0,0,0
                        0xC0, 0x3F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}));
}

TEST(ParquetDeltaBinaryPacked, BlockBoundaries) {
  for (size_t n : {2, 31, 32, 33, 127, 128, 129, 130, 256, 257, 1000}) {
    std::vector<int64_t> values(n);
    for (size_t i = 0; i < n; ++i) values[i] = static_cast<int64_t>(i * i % 1013) - 300;
    EXPECT_EQ(RoundTrip(values), values) << n;
    std::vector<int32_t> narrow(values.begin(), values.end());
    EXPECT_EQ(RoundTrip(narrow), values) << n;
  }
  // 129 values are 128 deltas: exactly one full block, and 4 miniblocks of 32.
  std::vector<int64_t> ramp(129);
  for (size_t i = 0; i < ramp.size(); ++i) ramp[i] = static_cast<int64_t>(i) * 3;
  Bytes out;
  EncodeDeltaBinaryPacked(ramp, &out);
  EXPECT_EQ(out, (Bytes{0x80, 0x01, 0x04, 0x81, 0x01, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00}));
}

TEST(ParquetDeltaBinaryPacked, ExtremesWrapWithoutOverflow) {
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  const std::vector<int64_t> wide = {kMin, kMax, kMin, 0, kMax, -1, 1, kMin, kMin, kMax, 0};
  EXPECT_EQ(RoundTrip(wide), wide);
  constexpr int32_t kMin32 = std::numeric_limits<int32_t>::min();
  constexpr int32_t kMax32 = std::numeric_limits<int32_t>::max();
  const std::vector<int32_t> narrow = {kMax32, kMin32, kMax32, 0, -1, kMin32, kMin32, 5};
  EXPECT_EQ(RoundTrip(narrow), Widen(narrow));  // the decoder checks widths stay <= 32

  std::mt19937_64 rng(7);
  std::vector<int64_t> random(5000);
  for (int64_t& v : random) v = static_cast<int64_t>(rng());
  EXPECT_EQ(RoundTrip(random), random);
  std::vector<int32_t> random32(5000);
  for (int32_t& v : random32) v = static_cast<int32_t>(rng());
  EXPECT_EQ(RoundTrip(random32), Widen(random32));
  // Mostly small deltas with rare large jumps: each miniblock gets its own width.
  std::vector<int64_t> bursty(3000);
  uint64_t x = 0;  // wraps, like the values it stands for
  for (int64_t& v : bursty) {
    x += rng() % 97 == 0 ? rng() >> 4 : rng() % 5 - 2;
    v = static_cast<int64_t>(x);
  }
  EXPECT_EQ(RoundTrip(bursty), bursty);
}

TEST(ParquetDeltaByteArray, SpecExample) {
  const DeltaStrings d = StringRoundTrip({"axis", "axle", "babble", "babyhood"});
  EXPECT_EQ(d.prefixes, (std::vector<int64_t>{0, 2, 0, 3}));
  EXPECT_EQ(d.suffixes, (std::vector<int64_t>{4, 2, 6, 5}));
}

TEST(ParquetDeltaByteArray, EdgeCases) {
  EXPECT_TRUE(StringRoundTrip({}).values.empty());
  EXPECT_EQ(StringRoundTrip({"only"}).prefixes, (std::vector<int64_t>{0}));
  EXPECT_EQ(StringRoundTrip({"", "", "a", "", "ab", ""}).prefixes,
            (std::vector<int64_t>{0, 0, 0, 0, 0, 0}));
  // Equal values share everything: empty suffixes.
  const DeltaStrings same = StringRoundTrip({"same value", "same value", "same value"});
  EXPECT_EQ(same.prefixes, (std::vector<int64_t>{0, 10, 10}));
  EXPECT_EQ(same.suffixes, (std::vector<int64_t>{10, 0, 0}));
  EXPECT_EQ(StringRoundTrip({"abc", "xyz", "123"}).prefixes, (std::vector<int64_t>{0, 0, 0}));
  // A value that is a prefix of the previous one, and bytes above 0x7F.
  EXPECT_EQ(StringRoundTrip({"prefix-long", "prefix", "pr\xC3\xA9", "pr\xC3\xA8"}).prefixes,
            (std::vector<int64_t>{0, 6, 2, 3}));
}

TEST(ParquetDeltaByteArray, PositionsAndSequentialIdsShrink) {
  std::vector<std::string> positions;
  std::vector<std::string> ids;
  for (int i = 0; i < 1000; ++i) {
    positions.push_back("/data/in/orders_2026-11-24.csv:" + std::to_string(123456 + i * 57));
    ids.push_back("ORD-" + std::to_string(1000000000 + i));
  }
  for (const auto* values : {&positions, &ids}) {
    StringRoundTrip(*values);
    const std::vector<std::string_view> views(values->begin(), values->end());
    Bytes out;
    EncodeDeltaByteArray(views, &out);
    EXPECT_LT(out.size() * 4, PlainOf(*values).size());
  }
}

TEST(ParquetDeltaByteArray, CommonPrefixAcrossWordBoundaries) {
  const std::string a = "0123456789abcdefghijklmnop";
  for (size_t i = 0; i <= a.size(); ++i) {
    std::string b = a;
    if (i < b.size()) b[i] = '#';
    EXPECT_EQ(CommonPrefixLength(a, b), i);
    EXPECT_EQ(CommonPrefixLength(a.substr(0, i), a), i);
  }
}

// Every pair of lengths up to 20 and every place of a first difference, against a byte loop:
// the word, overlapping-tail and 4-byte paths all meet these lengths.
TEST(ParquetDeltaByteArray, CommonPrefixMatchesAByteLoop) {
  const std::string base =
      "\x80"
      "abcdefghijklmnopqrs";
  for (size_t la = 0; la <= 20; ++la) {
    for (size_t lb = 0; lb <= 20; ++lb) {
      for (size_t diff = 0; diff <= 20; ++diff) {
        const std::string a = base.substr(0, la);
        std::string b = base.substr(0, lb);
        if (diff < b.size()) b[diff] = static_cast<char>(b[diff] ^ 0x41);
        size_t expected = 0;
        while (expected < la && expected < lb && a[expected] == b[expected]) ++expected;
        EXPECT_EQ(CommonPrefixLength(a, b), expected) << la << " " << lb << " " << diff;
        EXPECT_EQ(CommonPrefixLength(b, a), expected) << la << " " << lb << " " << diff;
      }
    }
  }
}

// ---- DELTA_LENGTH_BYTE_ARRAY ----

/// Decodes DELTA_LENGTH_BYTE_ARRAY: the lengths stream, then the bytes back to back.
std::vector<std::string> DecodeDeltaLengthByteArray(const Bytes& bytes) {
  Reader r(bytes);
  std::vector<std::string> values;
  for (int64_t len : DecodeDelta<32>(r)) values.push_back(r.Take(static_cast<size_t>(len)));
  EXPECT_EQ(r.pos(), bytes.size()) << "trailing bytes";
  return values;
}

TEST(ParquetDeltaLengthByteArray, SpecExampleAndEdgeCases) {
  // Encodings.md: "Hello", "World", "Foobar", "ABCDEF" -> lengths 5 5 6 6, then the bytes.
  const std::vector<std::string> spec = {"Hello", "World", "Foobar", "ABCDEF"};
  Bytes out;
  EncodeDeltaLengthByteArray(PlainOf(spec), spec.size(), &out);
  EXPECT_EQ(DecodeDeltaLengthByteArray(out), spec);
  const std::string tail = "HelloWorldFoobarABCDEF";
  ASSERT_GE(out.size(), tail.size());
  EXPECT_EQ(std::string(out.end() - static_cast<ptrdiff_t>(tail.size()), out.end()), tail);

  for (const std::vector<std::string>& values : std::vector<std::vector<std::string>>{
           {}, {""}, {"", "", ""}, {"one"}, {std::string(70000, 'x'), "", "y"}}) {
    out.clear();
    EncodeDeltaLengthByteArray(PlainOf(values), values.size(), &out);
    EXPECT_EQ(DecodeDeltaLengthByteArray(out), values);
  }
}

TEST(ParquetDeltaLengthByteArray, ManyBlocksOfRandomLengths) {
  std::mt19937_64 rng(3);
  std::vector<std::string> values(1000);
  for (size_t i = 0; i < values.size(); ++i) {
    values[i] = std::string(rng() % 40, static_cast<char>('a' + i % 26));
  }
  Bytes out;
  EncodeDeltaLengthByteArray(PlainOf(values), values.size(), &out);
  EXPECT_EQ(DecodeDeltaLengthByteArray(out), values);
}

}  // namespace
}  // namespace assay::sinks
