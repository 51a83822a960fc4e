#include "core/value_parse.h"

#include <gtest/gtest.h>

namespace assay {
namespace {

TEST(ValueParse, IntegerIsOptionalSignAndDigits) {
  EXPECT_EQ(ParseIntegerText("42"), 42);
  EXPECT_EQ(ParseIntegerText("-7"), -7);
  EXPECT_EQ(ParseIntegerText("+7"), 7);
  EXPECT_EQ(ParseIntegerText("-9223372036854775808"), INT64_MIN);
  EXPECT_FALSE(ParseIntegerText("9223372036854775808"));
  EXPECT_FALSE(ParseIntegerText(""));
  EXPECT_FALSE(ParseIntegerText("+"));
  EXPECT_FALSE(ParseIntegerText("+-5"));
  EXPECT_FALSE(ParseIntegerText("12.0"));
  EXPECT_FALSE(ParseIntegerText(" 12"));
  EXPECT_FALSE(ParseIntegerText("1e3"));
}

TEST(ValueParse, NumberRejectsLocaleAndSpecialForms) {
  EXPECT_EQ(ParseNumberText("19.99"), 19.99);
  EXPECT_EQ(ParseNumberText(".5"), 0.5);
  EXPECT_EQ(ParseNumberText("5."), 5.0);
  EXPECT_EQ(ParseNumberText("-2e3"), -2000.0);
  EXPECT_EQ(ParseNumberText("+1E-2"), 0.01);
  EXPECT_EQ(ParseNumberText("1e-400"), 0.0);  // underflow rounds to zero
  for (const char* bad :
       {"inf", "NaN", "12,50", "$19.99", "", ".", "1e", "1e+", "--1", "1 ", "0x10", "1e400"}) {
    EXPECT_FALSE(ParseNumberText(bad)) << bad;
  }
}

TEST(ValueParse, Boolean) {
  EXPECT_EQ(ParseBooleanText("TRUE"), true);
  EXPECT_EQ(ParseBooleanText("false"), false);
  EXPECT_FALSE(ParseBooleanText("yes"));
  EXPECT_FALSE(ParseBooleanText("1"));
}

TEST(ValueParse, TimestampIsRfc3339WithOffset) {
  EXPECT_EQ(ParseTimestampText("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(ParseTimestampText("1970-01-01T01:00:00+01:00"), 0);
  EXPECT_EQ(ParseTimestampText("1970-01-01 00:00:01.5z"), 1'500'000);
  EXPECT_EQ(ParseTimestampText("1969-12-31T23:59:59.9999999-00:00"), -1);
  EXPECT_EQ(ParseTimestampText("2026-11-24T10:15:30.123456Z"), 1795515330123456);
  EXPECT_FALSE(ParseTimestampText("2026-11-24T10:15:30"));   // no offset
  EXPECT_FALSE(ParseTimestampText("2026-02-30T00:00:00Z"));  // no such day
  EXPECT_FALSE(ParseTimestampText("2026-11-24T24:00:00Z"));
  EXPECT_FALSE(ParseTimestampText("2026-11-24T10:15:30.Z"));
  EXPECT_FALSE(ParseTimestampText("2026-11-24"));
  EXPECT_TRUE(ParseTimestampText("2024-02-29T00:00:00Z"));
}

TEST(ValueParse, DateAndFormatRoundTrip) {
  EXPECT_EQ(ParseDateText("1970-01-02"), 1);
  EXPECT_EQ(ParseDateText("1969-12-31"), -1);
  EXPECT_FALSE(ParseDateText("2023-02-29"));
  EXPECT_FALSE(ParseDateText("2023-1-01"));
  EXPECT_EQ(FormatDate(*ParseDateText("2026-11-24")), "2026-11-24");
  EXPECT_EQ(FormatTimestamp(*ParseTimestampText("2026-11-24T10:15:30.5+02:00")),
            "2026-11-24T08:15:30.500000Z");
  EXPECT_EQ(FormatTimestamp(-1), "1969-12-31T23:59:59.999999Z");
  // Regression (fuzzer, UBSan): the extremes of int64 format without signed overflow.
  EXPECT_FALSE(FormatTimestamp(INT64_MIN).empty());
  EXPECT_FALSE(FormatTimestamp(INT64_MAX).empty());
}

}  // namespace
}  // namespace assay
