#include "schema/schema_detector.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/value_parse.h"
#include "schema/compatibility.h"
#include "schema/json_schema.h"
#include "schema/typer.h"

namespace assay::schema {
namespace {

// A cell of a test table: CSV text by default, nullptr for a null, or a JSON kind.
struct Cell {
  Cell(const char* text)  // NOLINT(google-explicit-constructor): tables read better
      : kind(text != nullptr ? CellKind::kText : CellKind::kNull),
        raw(text != nullptr ? text : "") {}
  Cell(CellKind k, std::string r) : kind(k), raw(std::move(r)) {}
  CellKind kind;
  std::string raw;
};

Cell Str(std::string s) { return {CellKind::kString, std::move(s)}; }
Cell Num(std::string s) { return {CellKind::kNumber, std::move(s)}; }
Cell Bool(std::string s) { return {CellKind::kBool, std::move(s)}; }
Cell Nested(std::string s) { return {CellKind::kNested, std::move(s)}; }
Cell Null() { return {CellKind::kNull, ""}; }

Batch MakeBatch(const std::vector<std::string>& names, const std::vector<std::vector<Cell>>& rows,
                const std::string& source = "orders") {
  Batch b;
  b.source_name = source;
  for (const std::string& name : names) b.AddColumn(name);
  for (const std::vector<Cell>& row : rows) {
    const size_t r = b.AppendRow({}, "");
    for (size_t c = 0; c < row.size(); ++c) {
      if (row[c].kind != CellKind::kNull) b.SetCell(r, c, row[c].kind, b.arena().Copy(row[c].raw));
    }
  }
  return b;
}

// One column holding `values`.
Batch Column1(const std::string& name, const std::vector<Cell>& values) {
  std::vector<std::vector<Cell>> rows;
  rows.reserve(values.size());
  for (const Cell& v : values) rows.push_back({v});
  return MakeBatch({name}, rows);
}

// `n` rows of one column cycling through `values`.
Batch Cycle(const std::string& name, const std::vector<Cell>& values, size_t n) {
  std::vector<Cell> cells;
  cells.reserve(n);
  for (size_t i = 0; i < n; ++i) cells.push_back(values[i % values.size()]);
  return Column1(name, cells);
}

// `n` distinct text cells: prefix0, prefix1, ...
std::vector<Cell> Numbered(const std::string& prefix, int n) {
  std::vector<Cell> cells;
  cells.reserve(n);
  for (int i = 0; i < n; ++i) cells.emplace_back(CellKind::kText, prefix + std::to_string(i));
  return cells;
}

DetectedField Detect1(const Batch& b, DetectionOptions options = {}) {
  SchemaDetector d(options);
  d.Add(b);
  std::vector<DetectedField> fields = d.Fields();
  EXPECT_EQ(fields.size(), 1U);
  return fields.empty() ? DetectedField{} : fields[0];
}

std::string SchemaText(const SchemaDetector& d, std::string_view title = "orders") {
  Result<std::string> text = d.ToJsonSchema(title);
  EXPECT_TRUE(text.ok()) << text.status().ToString();
  return text.ok() ? *text : std::string();
}

std::string SchemaOf(const Batch& b, DetectionOptions options = {}) {
  SchemaDetector d(options);
  d.Add(b);
  return SchemaText(d);
}

Schema ParseOk(const std::string& text) {
  Result<Schema> s = ParseJsonSchema(text, "detected.json");
  EXPECT_TRUE(s.ok()) << s.status().ToString() << "\n" << text;
  return s.ok() ? std::move(s).value() : Schema{};
}

// A batch whose columns are `schema`'s fields in order (what TypeBatch expects), with the cells
// of `b` (views into `b`, which must outlive the result); fields `b` lacks are null.
Batch InSchemaOrder(const Batch& b, const Schema& schema) {
  Batch out;
  for (const Field& f : schema.fields) out.AddColumn(f.name);
  for (size_t r = 0; r < b.num_rows(); ++r) {
    out.AppendRow({}, "");
    for (size_t f = 0; f < schema.fields.size(); ++f) {
      const int c = b.FindColumn(schema.fields[f].name);
      if (c >= 0) out.SetCell(r, f, b.column(c).kind[r], b.column(c).raw[r]);
    }
    if (b.has_parse_error(r)) out.SetParseError(r, "test.error", "bad row");
  }
  return out;
}

size_t CodePointCount(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// Types `b` with the schema `text` and evaluates every check the sample decides by itself
// (required, type, enum, const, ranges, lengths): each must pass on every row.
void ExpectSampleConforms(const std::string& text, const Batch& b) {
  const Schema schema = ParseOk(text);
  ASSERT_FALSE(schema.fields.empty());
  Batch typed = InSchemaOrder(b, schema);
  TypeBatch(schema, typed);
  for (size_t r = 0; r < typed.num_rows(); ++r) {
    if (typed.has_parse_error(r)) continue;
    for (const FieldCheck& check : schema.checks) {
      const Field& field = schema.fields[check.field];
      const Column& col = typed.column(check.field);
      const std::string where =
          check.name + " row " + std::to_string(r) + " '" + std::string(col.raw[r]) + "'";
      if (check.kind == CheckKind::kRequired) {
        EXPECT_FALSE(col.is_null(r)) << where;
        continue;
      }
      if (col.is_null(r)) continue;
      if (check.kind == CheckKind::kType) {
        EXPECT_EQ(col.type_failed[r], 0) << where;
        continue;
      }
      if (!col.valid[r]) continue;
      std::optional<double> number;
      if (field.type == FieldType::kInteger) number = static_cast<double>(col.i64[r]);
      if (field.type == FieldType::kNumber) number = col.f64[r];
      if (field.type == FieldType::kAny) number = ParseNumberText(col.str[r]);
      switch (check.kind) {
        case CheckKind::kMinimum:
          if (number) {
            EXPECT_GE(*number, check.bound) << where;
          }
          break;
        case CheckKind::kMaximum:
          if (number) {
            EXPECT_LE(*number, check.bound) << where;
          }
          break;
        case CheckKind::kExclusiveMinimum:
          if (number) {
            EXPECT_GT(*number, check.bound) << where;
          }
          break;
        case CheckKind::kExclusiveMaximum:
          if (number) {
            EXPECT_LT(*number, check.bound) << where;
          }
          break;
        case CheckKind::kMinLength:
          EXPECT_GE(CodePointCount(col.raw[r]), check.length) << where;
          break;
        case CheckKind::kMaxLength:
          EXPECT_LE(CodePointCount(col.raw[r]), check.length) << where;
          break;
        case CheckKind::kEnum:
        case CheckKind::kConst: {
          bool found = false;
          for (const Literal& l : check.literals) {
            if (l.kind == Literal::Kind::kString && field.type != FieldType::kTimestamp &&
                field.type != FieldType::kDate) {
              found |= l.text == col.str[r];
            } else if (l.kind == Literal::Kind::kNumber && number) {
              found |= l.number == *number;
            } else if (l.kind == Literal::Kind::kBool) {
              found |= (l.boolean ? 1 : 0) == col.i64[r];
            } else if (field.type == FieldType::kTimestamp) {
              found |= ParseTimestampText(l.text) == col.i64[r];
            } else if (field.type == FieldType::kDate) {
              found |= ParseDateText(l.text) == col.i64[r];
            }
          }
          EXPECT_TRUE(found) << where;
          break;
        }
        default: break;
      }
    }
  }
}

const FieldCheck* FindCheck(const Schema& s, std::string_view name) {
  for (const FieldCheck& c : s.checks) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

// ---- Types ----

TEST(SchemaDetector, IntegersAndDecimalsMixedAreNumber) {
  DetectedField f = Detect1(Column1("price", {"1", "2.5", "-3", "1e3"}));
  EXPECT_TRUE(f.typed);
  EXPECT_EQ(f.type, FieldType::kNumber);
  EXPECT_FALSE(f.nullable);
  ASSERT_TRUE(f.minimum && f.maximum);
  EXPECT_EQ(*f.minimum, -3);
  EXPECT_EQ(*f.maximum, 1000);
}

TEST(SchemaDetector, OneOneDotZeroAndExponentFollowTheTypeCheck) {
  EXPECT_EQ(Detect1(Column1("x", {"1", "22", "-3", "+4"})).type, FieldType::kInteger);
  EXPECT_EQ(Detect1(Column1("x", {"1", "1.0"})).type, FieldType::kNumber);
  EXPECT_EQ(Detect1(Column1("x", {"1e3"})).type, FieldType::kNumber);
  EXPECT_EQ(Detect1(Column1("x", {".5", "5."})).type, FieldType::kNumber);
  // Beyond int64: still a number, as the typer reads it.
  EXPECT_EQ(Detect1(Column1("x", {"1", "9223372036854775808"})).type, FieldType::kNumber);
  // Not numbers for the typer, so not for detection either.
  EXPECT_EQ(Detect1(Column1("x", {"1", "12,50"})).type, FieldType::kString);
  EXPECT_EQ(Detect1(Column1("x", {"1", "NaN"})).type, FieldType::kString);
  EXPECT_EQ(Detect1(Column1("x", {"1", " 2"})).type, FieldType::kString);
  EXPECT_EQ(Detect1(Column1("x", {"$19.99"})).type, FieldType::kString);
}

TEST(SchemaDetector, LeadingZerosKeepCodesAsStrings) {
  EXPECT_EQ(Detect1(Column1("zip", {"02134", "10001"})).type, FieldType::kString);
  EXPECT_EQ(Detect1(Column1("x", {"-01"})).type, FieldType::kString);
  EXPECT_EQ(Detect1(Column1("x", {"0", "0.5", "-0.25", "10"})).type, FieldType::kNumber);
  EXPECT_EQ(Detect1(Column1("x", {"0", "-0", "100"})).type, FieldType::kInteger);
}

TEST(SchemaDetector, BooleansAsTheTyperAcceptsThem) {
  EXPECT_EQ(Detect1(Column1("b", {"true", "FALSE", "True"})).type, FieldType::kBoolean);
  // 1/0 and yes/no are not booleans for the typer.
  EXPECT_EQ(Detect1(Column1("b", {"1", "0", "1"})).type, FieldType::kInteger);
  EXPECT_EQ(Detect1(Column1("b", {"true", "1"})).type, FieldType::kString);
  EXPECT_EQ(Detect1(Column1("b", {"yes", "no"})).type, FieldType::kString);
  EXPECT_EQ(Detect1(Column1("b", {Bool("true"), Bool("false")})).type, FieldType::kBoolean);
  // A JSON string "true" is not a boolean (the typer refuses it).
  EXPECT_EQ(Detect1(Column1("b", {Str("true"), Str("false")})).type, FieldType::kString);
}

TEST(SchemaDetector, TimestampsWithOffsetsAndFractionsAreDateTime) {
  DetectedField f =
      Detect1(Column1("ts", {"2026-11-20T10:00:00Z", "2026-11-20T10:00:00.123456+01:00",
                             "2026-11-20 23:59:60-05:30", "2026-11-20t10:00:00.5z"}));
  EXPECT_EQ(f.type, FieldType::kTimestamp);
  EXPECT_FALSE(f.minimum.has_value());
  // Without an offset the typer refuses a timestamp, so it stays a string.
  EXPECT_EQ(Detect1(Column1("ts", {"2026-11-20T10:00:00Z", "2026-11-20T10:00:00"})).type,
            FieldType::kString);
  EXPECT_EQ(Detect1(Column1("d", {"2026-11-20", "2024-02-29"})).type, FieldType::kDate);
  EXPECT_EQ(Detect1(Column1("d", {"2026-11-20", "2026-02-30"})).type, FieldType::kString);
  // Dates and timestamps in one field: only string accepts both.
  EXPECT_EQ(Detect1(Column1("d", {"2026-11-20", "2026-11-20T10:00:00Z"})).type, FieldType::kString);
  EXPECT_EQ(Detect1(Column1("ts", {Str("2026-11-20T10:00:00+01:00")})).type, FieldType::kTimestamp);
}

TEST(SchemaDetector, StringFormats) {
  DetectedField uuid = Detect1(Column1(
      "id", {"123e4567-e89b-12d3-a456-426614174000", "123E4567-E89B-12D3-A456-426614174001"}));
  EXPECT_EQ(uuid.type, FieldType::kString);
  EXPECT_EQ(uuid.format, StringFormat::kUuid);
  EXPECT_EQ(Detect1(Column1("ip", {"10.0.0.1", "192.168.1.254"})).format, StringFormat::kIpv4);
  EXPECT_EQ(Detect1(Column1("ip", {"10.0.0.1", "10.0.0.256"})).format, StringFormat::kNone);
  EXPECT_EQ(Detect1(Column1("e", {"a@example.com", "b.c@d.org"})).format, StringFormat::kEmail);
  EXPECT_EQ(Detect1(Column1("e", {"a@example.com", "nobody"})).format, StringFormat::kNone);
  DetectionOptions plain;
  plain.string_formats = false;
  EXPECT_EQ(Detect1(Column1("e", {"a@example.com"}), plain).format, StringFormat::kNone);
}

// ---- Nulls, empty strings, required ----

TEST(SchemaDetector, NullsMakeAFieldNullableAndOptional) {
  SchemaDetector d;
  d.Add(MakeBatch({"id", "discount", "empty"},
                  {{"1", "0.1", nullptr}, {"2", nullptr, nullptr}, {"3", "0.2", nullptr}}));
  std::vector<DetectedField> f = d.Fields();
  ASSERT_EQ(f.size(), 3U);
  EXPECT_FALSE(f[0].nullable);
  EXPECT_TRUE(f[1].nullable);
  EXPECT_EQ(f[1].type, FieldType::kNumber);
  // All null: nothing to go on, so the permissive choice: a nullable string.
  EXPECT_TRUE(f[2].nullable);
  EXPECT_TRUE(f[2].typed);
  EXPECT_EQ(f[2].type, FieldType::kString);
  EXPECT_EQ(f[2].non_null, 0U);

  const Schema s = ParseOk(SchemaText(d));
  ASSERT_EQ(s.fields.size(), 3U);
  EXPECT_TRUE(s.fields[0].required);
  EXPECT_FALSE(s.fields[0].nullable);
  EXPECT_FALSE(s.fields[1].required);
  EXPECT_TRUE(s.fields[1].nullable);
  EXPECT_EQ(s.fields[2].type, FieldType::kString);
  EXPECT_TRUE(s.fields[2].nullable);
  EXPECT_NE(FindCheck(s, "id.required"), nullptr);
  EXPECT_EQ(FindCheck(s, "discount.required"), nullptr);
}

TEST(SchemaDetector, EmptyStringsAreValuesNotNulls) {
  // A quoted empty CSV field arrives as the text "": a string value, which no integer check
  // accepts. An unquoted empty field is a null (CellKind::kNull) and only makes it nullable.
  DetectedField quoted = Detect1(Column1("n", {"1", "", "3"}));
  EXPECT_EQ(quoted.type, FieldType::kString);
  EXPECT_FALSE(quoted.nullable);
  DetectedField unquoted = Detect1(Column1("n", {"1", nullptr, "3"}));
  EXPECT_EQ(unquoted.type, FieldType::kInteger);
  EXPECT_TRUE(unquoted.nullable);
}

TEST(SchemaDetector, RowsWithParseErrorsAreLeftOut) {
  Batch b = MakeBatch({"n"}, {{"1"}, {"2"}, {"3"}});
  b.SetParseError(1, "csv.unterminated_quote", "bad");
  b.SetCell(1, 0, CellKind::kText, "oops");  // cells of a failed row are never looked at
  SchemaDetector d;
  d.Add(b);
  EXPECT_EQ(d.rows(), 2U);
  std::vector<DetectedField> f = d.Fields();
  EXPECT_EQ(f[0].type, FieldType::kInteger);
  EXPECT_FALSE(f[0].nullable);
}

// ---- NDJSON kinds ----

TEST(SchemaDetector, JsonKindsDecideFirst) {
  EXPECT_EQ(Detect1(Column1("n", {Num("12"), Num("-3")})).type, FieldType::kInteger);
  // 12.0 is not an integer for the typer (the CSV text rule), so the field is a number.
  EXPECT_EQ(Detect1(Column1("n", {Num("12"), Num("12.0")})).type, FieldType::kNumber);
  // A JSON string holding digits is a string: the typer never reads it as a number.
  EXPECT_EQ(Detect1(Column1("n", {Str("12"), Str("13")})).type, FieldType::kString);
  // Numbers and strings in one field: no type of the subset accepts both.
  DetectedField mixed = Detect1(Column1("n", {Num("12"), Str("twelve")}));
  EXPECT_FALSE(mixed.typed);
  DetectedField nested = Detect1(Column1("o", {Nested(R"({"a":1})"), Nested("[1,2]")}));
  EXPECT_FALSE(nested.typed);
  EXPECT_FALSE(nested.minimum.has_value());
  DetectedField with_null = Detect1(Column1("n", {Num("1"), Null(), Num("2")}));
  EXPECT_EQ(with_null.type, FieldType::kInteger);
  EXPECT_TRUE(with_null.nullable);
}

TEST(SchemaDetector, NestedAndMixedJsonGetNoTypeAndAComment) {
  Batch b = MakeBatch({"id", "meta", "v"}, {{Num("1"), Nested(R"({"k":"v"})"), Num("1")},
                                            {Num("2"), Nested("[1]"), Str("x")},
                                            {Num("3"), Null(), Bool("true")}});
  const std::string text = SchemaOf(b);
  const Schema s = ParseOk(text);
  EXPECT_EQ(s.fields[1].type, FieldType::kAny);
  EXPECT_EQ(s.fields[2].type, FieldType::kAny);
  EXPECT_EQ(FindCheck(s, "meta.type"), nullptr);
  // `v` has a value in every row: required; `meta` does not.
  EXPECT_NE(FindCheck(s, "v.required"), nullptr);
  EXPECT_EQ(FindCheck(s, "meta.required"), nullptr);
  EXPECT_NE(text.find("\"$comment\": \"No type"), std::string::npos) << text;
  ExpectSampleConforms(text, b);
}

// ---- Constraints ----

TEST(SchemaDetector, LowCardinalityStringsBecomeASortedEnum) {
  DetectedField f = Detect1(Cycle("currency", {"USD", "EUR", "GBP"}, 30));
  EXPECT_EQ(f.enum_values, (std::vector<std::string>{"EUR", "GBP", "USD"}));
  const std::string text = SchemaOf(Cycle("currency", {"USD", "EUR", "GBP"}, 30));
  const Schema s = ParseOk(text);
  const FieldCheck* e = FindCheck(s, "currency.enum");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->severity, Severity::kWarning);
  EXPECT_EQ(e->literals.size(), 3U);
}

TEST(SchemaDetector, EnumNeedsFewDistinctValuesOverEnoughRows) {
  // High cardinality.
  EXPECT_TRUE(Detect1(Column1("customer", Numbered("customer-", 40))).enum_values.empty());
  // Too few rows to call it a closed list.
  EXPECT_TRUE(Detect1(Cycle("c", {"a", "b"}, 19)).enum_values.empty());
  EXPECT_EQ(Detect1(Cycle("c", {"a", "b"}, 20)).enum_values.size(), 2U);
  // 5 distinct over 20 rows is above the 0.2 ratio.
  EXPECT_TRUE(Detect1(Cycle("c", {"a", "b", "c", "d", "e"}, 20)).enum_values.empty());
  EXPECT_EQ(Detect1(Cycle("c", {"a", "b", "c", "d", "e"}, 25)).enum_values.size(), 5U);
  // 11 distinct values is more than max_enum_values, whatever the row count.
  EXPECT_TRUE(Detect1(Cycle("c", Numbered("v", 11), 1000)).enum_values.empty());
  // Values past max_enum_value_bytes are not enum material.
  const std::string long_value(100, 'x');
  EXPECT_TRUE(
      Detect1(Cycle("c", {Cell(CellKind::kText, long_value), "a"}, 40)).enum_values.empty());
  // Only plain strings: not integers, dates or formatted strings.
  EXPECT_TRUE(Detect1(Cycle("c", {"1", "2"}, 40)).enum_values.empty());
  EXPECT_TRUE(Detect1(Cycle("c", {"2026-01-01", "2026-01-02"}, 40)).enum_values.empty());
  DetectionOptions off;
  off.constraints = false;
  EXPECT_TRUE(Detect1(Cycle("c", {"a", "b"}, 40), off).enum_values.empty());
  EXPECT_FALSE(Detect1(Cycle("n", {"1", "2"}, 40), off).minimum.has_value());
}

TEST(SchemaDetector, RangesAreTheObservedMinimumAndMaximum) {
  const std::string text = SchemaOf(MakeBatch(
      {"qty", "price"}, {{"5", "19.99"}, {"-2", "0.5"}, {"120", "1e3"}, {nullptr, nullptr}}));
  const Schema s = ParseOk(text);
  EXPECT_EQ(FindCheck(s, "qty.minimum")->bound, -2);
  EXPECT_EQ(FindCheck(s, "qty.maximum")->bound, 120);
  EXPECT_EQ(FindCheck(s, "price.minimum")->bound, 0.5);
  EXPECT_EQ(FindCheck(s, "price.maximum")->bound, 1000);
  EXPECT_EQ(FindCheck(s, "qty.maximum")->severity, Severity::kWarning);
  EXPECT_NE(text.find("\"maximum\": 120,"), std::string::npos) << text;  // not 120.0
  DetectionOptions strict;
  strict.constraint_severity = std::nullopt;
  const Schema e = ParseOk(SchemaOf(Column1("qty", {"1", "2"}), strict));
  EXPECT_EQ(FindCheck(e, "qty.maximum")->severity, Severity::kError);
}

// ---- The document ----

TEST(SchemaDetector, FieldsKeepTheOrderTheyFirstAppearAcrossBatches) {
  SchemaDetector d;
  d.Add(MakeBatch({"b", "a"}, {{"1", "x"}, {"2", "y"}}));
  d.Add(MakeBatch({"c", "a", "b"}, {{"true", "z", "3"}}));
  EXPECT_EQ(d.rows(), 3U);
  const Schema s = ParseOk(SchemaText(d));
  ASSERT_EQ(s.fields.size(), 3U);
  EXPECT_EQ(s.fields[0].name, "b");
  EXPECT_EQ(s.fields[1].name, "a");
  EXPECT_EQ(s.fields[2].name, "c");
  // `c` is missing from the first batch's rows: nullable, not required.
  EXPECT_TRUE(s.fields[2].nullable);
  EXPECT_EQ(s.fields[2].type, FieldType::kBoolean);
  EXPECT_TRUE(s.fields[0].required);
  EXPECT_TRUE(s.fields[1].required);
}

TEST(SchemaDetector, DocumentIsReadableAndNamesItsSample) {
  DetectionOptions options;
  options.min_rows_for_enum = 4;
  options.enum_max_distinct_ratio = 0.5;
  SchemaDetector d(options);
  d.Add(MakeBatch({"order_id", "quantity", "price", "currency", "created_at", "note"},
                  {{"A-1", "2", "19.99", "USD", "2026-11-20T10:00:00Z", nullptr},
                   {"A-2", "1", "5", "EUR", "2026-11-20T10:05:00.250+01:00", "gift"},
                   {"A-3", "10", "0.5", "USD", "2026-11-21 08:00:00Z", nullptr},
                   {"A-4", "3", "12", "USD", "2026-11-21T09:30:00-05:00", nullptr}}));
  EXPECT_EQ(SchemaText(d, ""), R"({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "orders",
  "description": "Detected by Assay from 4 rows of source 'orders'. Types, enums and ranges reflect that sample only: review them before relying on this schema.",
  "type": "object",
  "required": ["order_id", "quantity", "price", "currency", "created_at"],
  "properties": {
    "order_id": {"type": "string"},
    "quantity": {
      "type": "integer",
      "minimum": 1,
      "maximum": 10,
      "x-severity": {"minimum": "warning", "maximum": "warning"}
    },
    "price": {
      "type": "number",
      "minimum": 0.5,
      "maximum": 19.99,
      "x-severity": {"minimum": "warning", "maximum": "warning"}
    },
    "currency": {"type": "string", "enum": ["EUR", "USD"], "x-severity": {"enum": "warning"}},
    "created_at": {"type": "string", "format": "date-time"},
    "note": {"type": ["string", "null"]}
  }
}
)");
}

TEST(SchemaDetector, LongRequiredListsWrapWithinTheLineWidth) {
  std::vector<std::string> names;
  std::vector<Cell> row;
  for (int i = 0; i < 30; ++i) {
    names.push_back("field_number_" + std::to_string(i));
    row.emplace_back("1");
  }
  const std::string text = SchemaOf(MakeBatch(names, {row}));
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + start, end - start);
    if (line.find("\"description\"") == std::string_view::npos) {
      EXPECT_LE(line.size(), 100U) << line;
    }
    start = end + 1;
  }
  EXPECT_EQ(ParseOk(text).fields.size(), 30U);
}

TEST(SchemaDetector, EmptySampleHasNoSchemaButAHeaderAloneHas) {
  SchemaDetector none;
  Result<std::string> text = none.ToJsonSchema("x");
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().code(), StatusCode::kFailedPrecondition);
  SchemaDetector header;
  header.Add(MakeBatch({"a", "b"}, {}));
  const Schema s = ParseOk(SchemaText(header));
  ASSERT_EQ(s.fields.size(), 2U);
  EXPECT_TRUE(s.fields[0].nullable);
  EXPECT_EQ(s.fields[0].type, FieldType::kString);
}

TEST(SchemaDetector, FieldNamesAndValuesAreJsonEscaped) {
  Batch b = Cycle("say \"hi\"\\", {"a\"b", "c\nd"}, 40);
  const std::string text = SchemaOf(b);
  const Schema s = ParseOk(text);
  EXPECT_EQ(s.fields[0].name, "say \"hi\"\\");
  ExpectSampleConforms(text, b);
}

TEST(SchemaDetector, IllFormedUtf8NamesAreRepairedOnce) {
  Batch b = MakeBatch({"Pr\xE9is", "ok"}, {{"1", "2"}});
  SchemaDetector d;
  d.Add(b);
  ASSERT_EQ(d.Fields().size(), 2U);
  EXPECT_EQ(d.Fields()[0].name, "Pr\uFFFDis");
  const std::string text = SchemaText(d);
  EXPECT_EQ(ParseOk(text).fields[0].name, "Pr\uFFFDis");
  // The same sample widens nothing: the repaired name is found again.
  EXPECT_FALSE(WidenJsonSchema(text, d)->has_value());
}

// The typer and the checks accept every row of the sample the schema was detected from.
TEST(SchemaDetector, DetectedSchemaAcceptsItsOwnSample) {
  std::vector<std::vector<Cell>> rows;
  const char* currencies[] = {"USD", "EUR", "GBP"};
  const char* stamps[] = {"2026-11-20T10:00:00Z", "2026-11-20T10:00:00.5+01:00",
                          "2026-11-21 00:00:00-08:00"};
  std::vector<std::string> keep;  // texts the cells point to
  keep.reserve(200);
  for (int i = 0; i < 60; ++i) {
    keep.push_back(std::to_string(i * 7 - 30));
    const char* qty = keep.back().c_str();
    keep.push_back(std::to_string(i) + ".25");
    const char* price = keep.back().c_str();
    rows.push_back({qty, price, currencies[i % 3], stamps[i % 3], i % 4 == 0 ? nullptr : "TRUE",
                    i % 2 == 0 ? "2026-01-01" : "2026-12-31", i % 5 == 0 ? "" : "note"});
  }
  Batch csv = MakeBatch({"qty", "price", "currency", "ts", "flag", "day", "note"}, rows);
  ExpectSampleConforms(SchemaOf(csv), csv);

  Batch json = MakeBatch({"n", "x", "s", "b", "o", "t"},
                         {{Num("1"), Num("1.5"), Str("a"), Bool("true"), Nested("{}"), Null()},
                          {Num("-7"), Num("2e3"), Str(""), Bool("false"), Str("s"), Null()},
                          {Null(), Num("3"), Str("a"), Null(), Num("1"), Null()}});
  ExpectSampleConforms(SchemaOf(json), json);
}

TEST(SchemaDetector, SameSampleSameTextWhateverTheBatchingAndRowOrder) {
  std::vector<Cell> values;
  values.reserve(60);
  for (int i = 0; i < 60; ++i)
    values.emplace_back(i % 3 == 0 ? "red" : i % 3 == 1 ? "green" : "blue");
  std::vector<Cell> reversed(values.rbegin(), values.rend());
  const std::string whole = SchemaOf(Column1("colour", values));
  EXPECT_EQ(whole, SchemaOf(Column1("colour", values)));
  EXPECT_EQ(whole, SchemaOf(Column1("colour", reversed)));
  SchemaDetector split;
  for (size_t start = 0; start < values.size(); start += 7) {
    const size_t end = std::min(values.size(), start + 7);
    split.Add(Column1("colour", std::vector<Cell>(values.begin() + start, values.begin() + end)));
  }
  EXPECT_EQ(whole, SchemaText(split));
}

// ---- Widening ----

std::optional<SchemaWidening> WidenOk(const std::string& current, const Batch& b,
                                      DetectionOptions options = {}) {
  SchemaDetector d(options);
  d.Add(b);
  Result<std::optional<SchemaWidening>> w = WidenJsonSchema(current, d);
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  if (!w.ok()) return std::nullopt;
  if (*w) {
    ParseOk((*w)->schema);
    // Lenient BACKWARD: the widened schema reads everything the current one accepted.
    EXPECT_EQ(BackwardIncompatibilities(SchemaFormat::kJson, current, (*w)->schema,
                                        CompatibilityPolicy::kLenient),
              std::vector<std::string>())
        << current << "\n->\n"
        << (*w)->schema;
  }
  return std::move(w).value();
}

bool HasChange(const SchemaWidening& w, std::string_view text) {
  for (const std::string& c : w.changes) {
    if (c.find(text) != std::string::npos) return true;
  }
  return false;
}

std::string ChangesOf(const SchemaWidening& w) {
  std::string out;
  for (const std::string& c : w.changes) out += c + "\n";
  return out;
}

TEST(SchemaWidening, SampleThatFitsChangesNothing) {
  Batch first = MakeBatch({"id", "qty", "cur"}, {{"1", "5", "USD"}, {"2", "7", "EUR"}});
  const std::string current = SchemaOf(first);
  EXPECT_FALSE(WidenOk(current, first).has_value());
  // Inside the range, same types, same fields.
  EXPECT_FALSE(WidenOk(current, MakeBatch({"id", "qty", "cur"}, {{"2", "6", "GBP"}})).has_value());
  // Order of columns does not matter.
  EXPECT_FALSE(WidenOk(current, MakeBatch({"cur", "id", "qty"}, {{"X", "1", "5"}})).has_value());
  // An empty sample says nothing.
  EXPECT_FALSE(WidenOk(current, MakeBatch({"id"}, {})).has_value());
}

TEST(SchemaWidening, NewFieldIsAddedOptionalAtTheEnd) {
  const std::string current = SchemaOf(MakeBatch({"id", "qty"}, {{"1", "5"}, {"2", "7"}}));
  Batch later = MakeBatch({"coupon", "id", "qty"}, {{"SAVE10", "1", "6"}, {"SAVE10", "2", "5"}});
  std::optional<SchemaWidening> w = WidenOk(current, later);
  ASSERT_TRUE(w.has_value());
  const Schema s = ParseOk(w->schema);
  ASSERT_EQ(s.fields.size(), 3U);
  EXPECT_EQ(s.fields[2].name, "coupon");
  EXPECT_EQ(s.fields[2].type, FieldType::kString);
  EXPECT_TRUE(s.fields[2].nullable);
  EXPECT_FALSE(s.fields[2].required);
  EXPECT_TRUE(s.fields[0].required);  // the others are as they were
  EXPECT_TRUE(HasChange(*w, "'coupon': new optional field (string)")) << ChangesOf(*w);
  EXPECT_EQ(w->changes.size(), 1U) << ChangesOf(*w);
  ExpectSampleConforms(w->schema, later);
}

TEST(SchemaWidening, IntegerBecomesNumberAndItsRangeWidens) {
  const std::string current = SchemaOf(Column1("amount", {"1", "5", "10"}));
  Batch later = Column1("amount", {"2.5", "12.75"});
  std::optional<SchemaWidening> w = WidenOk(current, later);
  ASSERT_TRUE(w.has_value());
  const Schema s = ParseOk(w->schema);
  EXPECT_EQ(s.fields[0].type, FieldType::kNumber);
  EXPECT_FALSE(s.fields[0].nullable);
  EXPECT_EQ(FindCheck(s, "amount.minimum")->bound, 1);
  EXPECT_EQ(FindCheck(s, "amount.maximum")->bound, 12.75);
  EXPECT_EQ(FindCheck(s, "amount.maximum")->severity, Severity::kWarning);
  EXPECT_TRUE(HasChange(*w, "'amount': type integer -> number")) << ChangesOf(*w);
  EXPECT_TRUE(HasChange(*w, "'amount': maximum 10 -> 12.75")) << ChangesOf(*w);
  ExpectSampleConforms(w->schema, later);
}

TEST(SchemaWidening, RangeWidensBothWays) {
  const std::string current = SchemaOf(Column1("qty", {"5", "10"}));
  std::optional<SchemaWidening> w = WidenOk(current, Column1("qty", {"-1", "7", "100"}));
  ASSERT_TRUE(w.has_value());
  const Schema s = ParseOk(w->schema);
  EXPECT_EQ(s.fields[0].type, FieldType::kInteger);
  EXPECT_EQ(FindCheck(s, "qty.minimum")->bound, -1);
  EXPECT_EQ(FindCheck(s, "qty.maximum")->bound, 100);
  EXPECT_NE(w->schema.find("\"minimum\": -1,"), std::string::npos) << w->schema;
}

TEST(SchemaWidening, TextInAnIntegerCsvColumnDropsTheTypeCheck) {
  const std::string current = SchemaOf(Column1("qty", {"5", "10"}));
  Batch later = Column1("qty", {"7", "n/a", "12"});
  std::optional<SchemaWidening> w = WidenOk(current, later);
  ASSERT_TRUE(w.has_value());
  const Schema s = ParseOk(w->schema);
  // Not `string`: JSON Schema compatibility would call integer -> string a narrowing (the JSON
  // number 5 is not a string). For CSV text the two accept the same values.
  EXPECT_EQ(s.fields[0].type, FieldType::kAny);
  EXPECT_EQ(w->schema.find("\"type\": \"integer\""), std::string::npos) << w->schema;
  EXPECT_TRUE(s.fields[0].required);
  // The range still applies to the values that are numbers, and widens to them.
  EXPECT_EQ(FindCheck(s, "qty.minimum")->bound, 5);
  EXPECT_EQ(FindCheck(s, "qty.maximum")->bound, 12);
  EXPECT_TRUE(HasChange(*w, "'qty': type integer -> no type")) << ChangesOf(*w);
  ExpectSampleConforms(w->schema, later);
}

TEST(SchemaWidening, BooleanWithOtherTextDropsTheTypeCheck) {
  const std::string current = SchemaOf(Column1("ok", {"true", "false"}));
  std::optional<SchemaWidening> w = WidenOk(current, Column1("ok", {"yes"}));
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(ParseOk(w->schema).fields[0].type, FieldType::kAny);
}

TEST(SchemaWidening, StringInAnIntegerJsonFieldDropsTheTypeCheck) {
  const std::string current = SchemaOf(Column1("qty", {Num("5"), Num("10")}));
  Batch later = Column1("qty", {Num("7"), Str("n/a")});
  std::optional<SchemaWidening> w = WidenOk(current, later);
  ASSERT_TRUE(w.has_value());
  const Schema s = ParseOk(w->schema);
  // ["integer", "string"] is not in the subset; a JSON number never passes `string`.
  EXPECT_EQ(s.fields[0].type, FieldType::kAny);
  EXPECT_TRUE(s.fields[0].required);
  EXPECT_TRUE(HasChange(*w, "'qty': type integer -> no type")) << ChangesOf(*w);
  ExpectSampleConforms(w->schema, later);
}

TEST(SchemaWidening, TimestampWithAnotherFormBecomesString) {
  const std::string current = SchemaOf(Column1("ts", {"2026-11-20T10:00:00Z"}));
  Batch later = Column1("ts", {"20/11/2026 10:00"});
  std::optional<SchemaWidening> w = WidenOk(current, later);
  ASSERT_TRUE(w.has_value());
  const Schema s = ParseOk(w->schema);
  EXPECT_EQ(s.fields[0].type, FieldType::kString);
  EXPECT_EQ(w->schema.find("format"), std::string::npos) << w->schema;
  EXPECT_TRUE(HasChange(*w, "type string (date-time) -> string")) << ChangesOf(*w);
}

TEST(SchemaWidening, NullsMakeARequiredFieldNullable) {
  const std::string current = SchemaOf(MakeBatch({"id", "qty"}, {{"1", "5"}, {"2", "7"}}));
  Batch later = MakeBatch({"id", "qty"}, {{"3", nullptr}, {"4", "6"}});
  std::optional<SchemaWidening> w = WidenOk(current, later);
  ASSERT_TRUE(w.has_value());
  const Schema s = ParseOk(w->schema);
  EXPECT_TRUE(s.fields[1].nullable);
  EXPECT_FALSE(s.fields[1].required);
  EXPECT_EQ(FindCheck(s, "qty.required"), nullptr);
  EXPECT_TRUE(s.fields[0].required);
  EXPECT_TRUE(HasChange(*w, "'qty': now nullable")) << ChangesOf(*w);
  EXPECT_TRUE(HasChange(*w, "'qty': no longer required")) << ChangesOf(*w);
  ExpectSampleConforms(w->schema, later);
  // A field the later sample lacks altogether is missing in every row: nullable too.
  std::optional<SchemaWidening> gone = WidenOk(current, MakeBatch({"id"}, {{"5"}}));
  ASSERT_TRUE(gone.has_value());
  EXPECT_TRUE(ParseOk(gone->schema).fields[1].nullable);
}

TEST(SchemaWidening, EnumIsExtendedOrDropped) {
  const std::string current = SchemaOf(Cycle("cur", {"USD", "EUR"}, 40));
  ASSERT_NE(current.find("\"enum\""), std::string::npos) << current;
  // One new value: extended, existing order kept, new values appended.
  Batch one = Cycle("cur", {"USD", "CHF"}, 4);
  std::optional<SchemaWidening> w = WidenOk(current, one);
  ASSERT_TRUE(w.has_value());
  EXPECT_NE(w->schema.find(R"("enum": ["EUR", "USD", "CHF"])"), std::string::npos) << w->schema;
  EXPECT_TRUE(HasChange(*w, R"('cur': enum extended with "CHF")")) << ChangesOf(*w);
  ExpectSampleConforms(w->schema, one);
  // More values than max_enum_values: no longer a closed list.
  Batch lots = Column1("cur", Numbered("C", 12));
  std::optional<SchemaWidening> dropped = WidenOk(current, lots);
  ASSERT_TRUE(dropped.has_value());
  const Schema s = ParseOk(dropped->schema);
  EXPECT_EQ(FindCheck(s, "cur.enum"), nullptr);
  EXPECT_EQ(dropped->schema.find("x-severity"), std::string::npos) << dropped->schema;
  EXPECT_TRUE(HasChange(*dropped, "'cur': enum dropped")) << ChangesOf(*dropped);
  ExpectSampleConforms(dropped->schema, lots);
  // Nine new values would make 11: dropped as well.
  std::optional<SchemaWidening> eleven = WidenOk(current, Column1("cur", Numbered("N", 9)));
  ASSERT_TRUE(eleven.has_value());
  EXPECT_EQ(FindCheck(ParseOk(eleven->schema), "cur.enum"), nullptr);
}

TEST(SchemaWidening, HandWrittenSchemaKeepsTheUsersEdits) {
  const std::string current = R"({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "sales", "description": "Written by hand.", "type": "object",
  "required": ["id", "price", "level"],
  "x-key-fields": ["id"],
  "properties": {
    "id": {"type": "string", "pattern": "^TX-[0-9]+$", "description": "The key.",
           "x-severity": {"required": "critical", "pattern": "warning"}},
    "price": {"type": "number", "exclusiveMinimum": 0, "maximum": 100,
              "x-severity": {"exclusiveMinimum": "critical", "type": "critical"}},
    "level": {"type": "integer", "enum": [1, 2, 3], "x-severity": {"enum": "warning"}},
    "size": {"type": "string", "maxLength": 3, "const": "S"}
  }
})";
  Batch later = MakeBatch({"id", "price", "level", "size"},
                          {{"TX-1", "0", "2", "S"}, {"TX-2", "150.5", "4", "XXL"}});
  std::optional<SchemaWidening> w = WidenOk(current, later);
  ASSERT_TRUE(w.has_value());
  const Schema s = ParseOk(w->schema);
  EXPECT_EQ(s.title, "sales");
  EXPECT_EQ(s.key_fields, std::vector<std::string>{"id"});
  EXPECT_NE(w->schema.find("\"description\": \"Written by hand.\""), std::string::npos);
  EXPECT_EQ(FindCheck(s, "id.pattern")->pattern, "^TX-[0-9]+$");
  EXPECT_EQ(FindCheck(s, "id.pattern")->severity, Severity::kWarning);
  EXPECT_EQ(FindCheck(s, "id.required")->severity, Severity::kCritical);
  EXPECT_EQ(s.fields[0].description, "The key.");
  // exclusiveMinimum 0 with a 0 in the sample: dropped with its severity (not turned into
  // an inclusive minimum, which the compatibility check would read as a new constraint).
  EXPECT_EQ(FindCheck(s, "price.exclusiveMinimum"), nullptr);
  EXPECT_EQ(FindCheck(s, "price.minimum"), nullptr);
  EXPECT_TRUE(HasChange(*w, "'price': exclusiveMinimum dropped (the sample has 0)"))
      << ChangesOf(*w);
  EXPECT_EQ(FindCheck(s, "price.maximum")->bound, 150.5);
  EXPECT_EQ(FindCheck(s, "price.type")->severity, Severity::kCritical);
  // An integer enum extended with an integer.
  ASSERT_NE(FindCheck(s, "level.enum"), nullptr);
  EXPECT_EQ(FindCheck(s, "level.enum")->literals.size(), 4U);
  EXPECT_NE(w->schema.find("\"enum\": [1, 2, 3, 4]"), std::string::npos) << w->schema;
  // const broken: dropped; "XXL" is within maxLength 3.
  EXPECT_EQ(FindCheck(s, "size.const"), nullptr);
  EXPECT_EQ(FindCheck(s, "size.maxLength")->length, 3U);
  EXPECT_FALSE(s.fields[3].nullable);  // every sampled row has it
  ExpectSampleConforms(w->schema, later);
}

TEST(SchemaWidening, LengthsAndTheRequiredSeverityFollowTheSample) {
  const std::string current = R"({"type": "object", "required": ["code"], "properties": {
    "code": {"type": "string", "minLength": 2, "maxLength": 3,
             "x-severity": {"required": "critical", "maxLength": "warning"}}}})";
  Batch later = MakeBatch({"code"}, {{"A"}, {"ABCD"}, {nullptr}});
  std::optional<SchemaWidening> w = WidenOk(current, later);
  ASSERT_TRUE(w.has_value());
  const Schema s = ParseOk(w->schema);
  EXPECT_EQ(FindCheck(s, "code.minLength")->length, 1U);
  EXPECT_EQ(FindCheck(s, "code.maxLength")->length, 4U);
  EXPECT_EQ(FindCheck(s, "code.maxLength")->severity, Severity::kWarning);
  // Nullable now: no required check, so its severity entry had to go.
  EXPECT_TRUE(s.fields[0].nullable);
  EXPECT_EQ(w->schema.find("critical"), std::string::npos) << w->schema;
  ExpectSampleConforms(w->schema, later);
}

TEST(SchemaWidening, WideningTwiceIsStable) {
  const std::string v1 = SchemaOf(MakeBatch({"id", "qty"}, {{"1", "5"}, {"2", "7"}}));
  Batch later = MakeBatch({"id", "qty", "note"}, {{"3", "2.5", "x"}, {"4", nullptr, nullptr}});
  std::optional<SchemaWidening> w = WidenOk(v1, later);
  ASSERT_TRUE(w.has_value());
  EXPECT_FALSE(WidenOk(w->schema, later).has_value()) << w->schema;
  // The same inputs give the same text.
  std::optional<SchemaWidening> again = WidenOk(v1, later);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(w->schema, again->schema);
  EXPECT_EQ(w->changes, again->changes);
}

// The example of docs/schema-registry.md ("Schema detection"), detection then widening.
TEST(SchemaWidening, DocumentedExample) {
  SchemaDetector d;
  d.Add(MakeBatch({"order_id", "quantity", "price", "created_at", "note"},
                  {{"A-1", "2", "19.99", "2026-11-20T10:00:00Z", nullptr},
                   {"A-2", "1", "5", "2026-11-20T10:05:00.250+01:00", "gift"},
                   {"A-3", "10", "0.5", "2026-11-21 08:00:00Z", nullptr},
                   {"A-4", "3", "12", "2026-11-21T09:30:00-05:00", nullptr}}));
  const std::string v1 = SchemaText(d);
  Batch later = MakeBatch({"order_id", "quantity", "price", "created_at", "coupon"},
                          {{"A-5", "2.5", "25", "2026-11-22T10:00:00Z", "SAVE10"},
                           {"A-6", nullptr, "3", "2026-11-22", "SAVE10"}});
  std::optional<SchemaWidening> w = WidenOk(v1, later);
  ASSERT_TRUE(w.has_value());
  EXPECT_EQ(w->changes, (std::vector<std::string>{
                            "'quantity': type integer -> number", "'quantity': now nullable",
                            "'quantity': no longer required", "'price': maximum 19.99 -> 25",
                            "'created_at': type string (date-time) -> string",
                            "'coupon': new optional field (string)"}));
  EXPECT_NE(w->schema.find(R"(  "required": ["order_id", "price", "created_at"],)"),
            std::string::npos)
      << w->schema;
  EXPECT_NE(w->schema.find(R"(    "coupon": {"type": ["string", "null"]})"), std::string::npos)
      << w->schema;
  ExpectSampleConforms(w->schema, later);
  // Under Confluent's own rules only the new field is refused (as documented).
  const std::vector<std::string> confluent = BackwardIncompatibilities(
      SchemaFormat::kJson, v1, w->schema, CompatibilityPolicy::kConfluent);
  ASSERT_EQ(confluent.size(), 1U);
  EXPECT_NE(confluent[0].find("PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL"), std::string::npos)
      << confluent[0];
}

TEST(SchemaWidening, InvalidCurrentSchemaIsAnError) {
  SchemaDetector d;
  d.Add(Column1("a", {"1"}));
  Result<std::optional<SchemaWidening>> w = WidenJsonSchema("{\"type\": \"object\"}", d);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(WidenJsonSchema("not json", d).ok());
}

}  // namespace
}  // namespace assay::schema
