#include "schema/typer.h"

#include <gtest/gtest.h>

#include "core/value_parse.h"
#include "schema/json_schema.h"

namespace assay::schema {
namespace {

Schema MakeSchema() {
  Result<Schema> s = ParseJsonSchema(R"({"type":"object","properties":{
    "i":{"type":"integer"}, "n":{"type":"number"}, "b":{"type":"boolean"},
    "t":{"type":"string","format":"date-time"}, "d":{"type":"string","format":"date"},
    "e":{"type":"string","format":"email"}, "a":{}}})",
                                     "s.json");
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return std::move(s).value();
}

Batch MakeBatch(const Schema& s) {
  Batch b;
  for (const Field& f : s.fields) b.AddColumn(f.name);
  return b;
}

TEST(Typer, TextCellsAreTypeCheckedOnTheirText) {
  Schema s = MakeSchema();
  Batch b = MakeBatch(s);
  size_t r0 = b.AppendRow({}, "");
  for (auto [col, text] :
       std::initializer_list<std::pair<size_t, const char*>>{{0, "42"},
                                                             {1, "19.99"},
                                                             {2, "TRUE"},
                                                             {3, "2026-11-24T10:00:00+01:00"},
                                                             {4, "2026-11-24"},
                                                             {5, "a@b.co"},
                                                             {6, "anything"}}) {
    b.SetCell(r0, col, CellKind::kText, text);
  }
  size_t r1 = b.AppendRow({}, "");
  for (auto [col, text] :
       std::initializer_list<std::pair<size_t, const char*>>{{0, "12.0"},
                                                             {1, "12,50"},
                                                             {2, "yes"},
                                                             {3, "2026-11-24"},
                                                             {4, "24/11/2026"},
                                                             {5, "not an email"}}) {
    b.SetCell(r1, col, CellKind::kText, text);
  }
  TypeBatch(s, b);
  EXPECT_EQ(b.column(0).i64[0], 42);
  EXPECT_DOUBLE_EQ(b.column(1).f64[0], 19.99);
  EXPECT_EQ(b.column(2).i64[0], 1);
  EXPECT_EQ(b.column(3).i64[0], *ParseTimestampText("2026-11-24T09:00:00Z"));
  EXPECT_EQ(b.column(4).i64[0], *ParseDateText("2026-11-24"));
  EXPECT_EQ(b.column(6).str[0], "anything");
  for (size_t c = 0; c < 7; ++c) {
    EXPECT_EQ(b.column(c).valid[r0], 1) << c;
    EXPECT_EQ(b.column(c).type_failed[r0], 0) << c;
  }
  for (size_t c = 0; c < 6; ++c) {
    EXPECT_EQ(b.column(c).valid[r1], 0) << c;
    EXPECT_EQ(b.column(c).type_failed[r1], 1) << c;
  }
  // A null is not a type failure: completeness counts it.
  EXPECT_EQ(b.column(6).valid[r1], 0);
  EXPECT_EQ(b.column(6).type_failed[r1], 0);
}

TEST(Typer, JsonCellsFollowJsonSchemaTypes) {
  Schema s = MakeSchema();
  Batch b = MakeBatch(s);
  size_t r0 = b.AppendRow({}, "");
  b.SetCell(r0, 0, CellKind::kNumber, "100");
  b.SetCell(r0, 1, CellKind::kNumber, "-0.5");
  b.SetCell(r0, 2, CellKind::kBool, "false");
  b.SetCell(r0, 3, CellKind::kString, "2026-11-24T10:00:00Z");
  size_t r1 = b.AppendRow({}, "");
  b.SetCell(r1, 0, CellKind::kString, "42");  // a string is not an integer
  b.SetCell(r1, 1, CellKind::kBool, "true");
  b.SetCell(r1, 2, CellKind::kString, "true");
  b.SetCell(r1, 3, CellKind::kNumber, "1700000000");
  b.SetCell(r1, 6, CellKind::kNested, "{\"x\":1}");
  TypeBatch(s, b);
  EXPECT_EQ(b.column(0).i64[0], 100);
  EXPECT_DOUBLE_EQ(b.column(1).f64[0], -0.5);
  EXPECT_EQ(b.column(2).i64[0], 0);
  for (size_t c = 0; c < 4; ++c) {
    EXPECT_EQ(b.column(c).valid[r0], 1) << c;
    EXPECT_EQ(b.column(c).type_failed[r1], 1) << c;
  }
  EXPECT_EQ(b.column(6).valid[r1], 1);  // untyped accepts anything
}

// DESIGN §3a: the same rows as CSV or as NDJSON grade the same, so a JSON number is an integer
// exactly when its literal is one as CSV text would be.
TEST(Typer, JsonIntegersFollowTheTextRuleSoCsvAndNdjsonAgree) {
  Schema s = MakeSchema();
  for (const char* literal : {"12.0", "1e2", "-0.5"}) {
    Batch csv = MakeBatch(s), json = MakeBatch(s);
    csv.SetCell(csv.AppendRow({}, ""), 0, CellKind::kText, literal);
    json.SetCell(json.AppendRow({}, ""), 0, CellKind::kNumber, literal);
    TypeBatch(s, csv);
    TypeBatch(s, json);
    EXPECT_EQ(csv.column(0).type_failed[0], 1) << literal;
    EXPECT_EQ(json.column(0).type_failed[0], 1) << literal;
  }
}

TEST(Typer, FormatsAreStrict) {
  EXPECT_TRUE(MatchesFormat(StringFormat::kIpv4, "192.168.0.1"));
  EXPECT_FALSE(MatchesFormat(StringFormat::kIpv4, "192.168.0.256"));
  EXPECT_FALSE(MatchesFormat(StringFormat::kIpv4, "01.1.1.1"));
  EXPECT_TRUE(MatchesFormat(StringFormat::kUuid, "123e4567-e89b-12d3-a456-426614174000"));
  EXPECT_FALSE(MatchesFormat(StringFormat::kUuid, "123e4567e89b12d3a456426614174000"));
  EXPECT_FALSE(MatchesFormat(StringFormat::kEmail, "a@b"));
  EXPECT_FALSE(MatchesFormat(StringFormat::kEmail, "a b@c.de"));
}

}  // namespace
}  // namespace assay::schema
