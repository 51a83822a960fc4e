#include "sinks/thrift_compact.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace assay::sinks {
namespace {

using Bytes = std::vector<uint8_t>;

TEST(ThriftCompact, ZigZagMapsSmallMagnitudesToSmallCodes) {
  EXPECT_EQ(CompactWriter::ZigZag32(0), 0u);
  EXPECT_EQ(CompactWriter::ZigZag32(-1), 1u);
  EXPECT_EQ(CompactWriter::ZigZag32(1), 2u);
  EXPECT_EQ(CompactWriter::ZigZag32(-2), 3u);
  EXPECT_EQ(CompactWriter::ZigZag32(2147483647), 4294967294u);
  EXPECT_EQ(CompactWriter::ZigZag32(-2147483647 - 1), 4294967295u);
  EXPECT_EQ(CompactWriter::ZigZag64(-1), 1u);
  EXPECT_EQ(CompactWriter::ZigZag64(INT64_MIN), UINT64_MAX);
  EXPECT_EQ(CompactWriter::ZigZag64(INT64_MAX), UINT64_MAX - 1);
}

TEST(ThriftCompact, VarintIsLittleEndianBase128) {
  Bytes out;
  CompactWriter w(&out);
  w.WriteVarint(0);
  w.WriteVarint(127);
  w.WriteVarint(128);
  w.WriteVarint(300);
  EXPECT_EQ(out, (Bytes{0x00, 0x7F, 0x80, 0x01, 0xAC, 0x02}));
}

TEST(ThriftCompact, I32AndI64FieldsUseDeltaHeaderAndZigZagVarint) {
  Bytes out;
  CompactWriter w(&out);
  w.BeginStruct();
  w.FieldI32(1, 1);     // header (1<<4)|5, value zigzag(1)=2
  w.FieldI32(2, -1);    // delta 1: 0x15, zigzag(-1)=1
  w.FieldI64(4, 150);   // delta 2: 0x26, zigzag(150)=300 = AC 02
  w.FieldI64(5, -150);  // delta 1: 0x16, zigzag(-150)=299 = AB 02
  w.EndStruct();
  EXPECT_EQ(out, (Bytes{0x15, 0x02, 0x15, 0x01, 0x26, 0xAC, 0x02, 0x16, 0xAB, 0x02, 0x00}));
  EXPECT_EQ(w.depth(), 0u);
}

TEST(ThriftCompact, FieldDeltaOver15UsesLongFormWithZigZagId) {
  Bytes out;
  CompactWriter w(&out);
  w.BeginStruct();
  w.FieldI32(15, 0);   // delta 15 still fits: 0xF5
  w.FieldI32(31, 0);   // delta 16: type byte 0x05 then zigzag(31)=62
  w.FieldI32(300, 0);  // type byte then zigzag(300)=600 = D8 04
  w.FieldI32(2, 0);    // a decreasing id also takes the long form: zigzag(2)=4
  w.EndStruct();
  EXPECT_EQ(out,
            (Bytes{0xF5, 0x00, 0x05, 0x3E, 0x00, 0x05, 0xD8, 0x04, 0x00, 0x05, 0x04, 0x00, 0x00}));
}

TEST(ThriftCompact, BoolFieldsCarryTheValueInTheHeader) {
  Bytes out;
  CompactWriter w(&out);
  w.BeginStruct();
  w.FieldBool(1, true);
  w.FieldBool(2, false);
  w.EndStruct();
  EXPECT_EQ(out, (Bytes{0x11, 0x12, 0x00}));
}

TEST(ThriftCompact, BinaryIsVarintLengthThenBytes) {
  Bytes out;
  CompactWriter w(&out);
  w.BeginStruct();
  w.FieldBinary(4, "abc");
  w.FieldBinary(5, "");
  w.EndStruct();
  EXPECT_EQ(out, (Bytes{0x48, 0x03, 'a', 'b', 'c', 0x18, 0x00, 0x00}));
}

TEST(ThriftCompact, NestedStructRestartsAndRestoresFieldIds) {
  Bytes out;
  CompactWriter w(&out);
  w.BeginStruct();
  w.FieldI32(3, 1);       // 0x35 0x02
  w.FieldStructBegin(5);  // delta 2: 0x2C
  w.FieldI32(1, 7);       // inner ids restart at 0: 0x15 0x0E
  w.FieldStructBegin(8);  // 0x7C
  w.EndStruct();          // empty innermost struct: 0x00
  w.EndStruct();          // 0x00
  w.FieldI32(6, 2);       // delta from 5 (outer) is 1: 0x15 0x04
  w.EndStruct();
  EXPECT_EQ(out, (Bytes{0x35, 0x02, 0x2C, 0x15, 0x0E, 0x7C, 0x00, 0x00, 0x15, 0x04, 0x00}));
  EXPECT_EQ(w.depth(), 0u);
}

TEST(ThriftCompact, ShortAndLongListHeaders) {
  Bytes out;
  CompactWriter w(&out);
  w.BeginStruct();
  w.FieldListBegin(2, ThriftType::kI32, 3);  // field 0x29, list (3<<4)|5 = 0x35
  w.ElementI32(0);
  w.ElementI32(3);
  w.ElementI32(8);
  w.FieldListBegin(3, ThriftType::kBinary, 1);  // 0x19, 0x18
  w.ElementBinary("x");
  w.EndStruct();
  EXPECT_EQ(out, (Bytes{0x29, 0x35, 0x00, 0x06, 0x10, 0x19, 0x18, 0x01, 'x', 0x00}));

  Bytes big;
  CompactWriter b(&big);
  b.WriteListHeader(ThriftType::kStruct, 15);  // 15 elements needs the long form: 0xFC, 15
  b.WriteListHeader(ThriftType::kI64, 300);    // 0xF6, AC 02
  b.WriteListHeader(ThriftType::kI64, 14);     // 0xE6
  EXPECT_EQ(big, (Bytes{0xFC, 0x0F, 0xF6, 0xAC, 0x02, 0xE6}));
}

TEST(ThriftCompact, ListOfStructs) {
  Bytes out;
  CompactWriter w(&out);
  w.BeginStruct();
  w.FieldListBegin(1, ThriftType::kStruct, 2);  // 0x19, 0x2C
  for (int i = 0; i < 2; ++i) {
    w.BeginStruct();
    w.FieldI32(1, i);  // 0x15, zigzag
    w.EndStruct();
  }
  w.FieldI64(2, 1);  // field ids continue after the list: delta 1, 0x16 0x02
  w.EndStruct();
  EXPECT_EQ(out, (Bytes{0x19, 0x2C, 0x15, 0x00, 0x00, 0x15, 0x02, 0x00, 0x16, 0x02, 0x00}));
}

}  // namespace
}  // namespace assay::sinks
