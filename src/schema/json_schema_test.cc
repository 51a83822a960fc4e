#include "schema/json_schema.h"

#include <gtest/gtest.h>

namespace assay::schema {
namespace {

// The example schema of DESIGN.md §3a, verbatim.
constexpr std::string_view kDesignExample =
    R"({ "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "sales_transactions", "type": "object",
  "required": ["transaction_id", "quantity", "currency"],
  "properties": {
    "transaction_id": {"type": "string", "pattern": "^TX-[0-9]{10}$",
                       "x-severity": {"required": "critical"}},
    "quantity":       {"type": "integer", "minimum": 1, "maximum": 1000},
    "currency":       {"type": "string", "enum": ["USD", "EUR", "GBP", "JPY"],
                       "x-severity": {"required": "warning"}},
    "transaction_ts": {"type": "string", "format": "date-time",
                       "x-severity": {"type": "critical"}} } })";

const FieldCheck* Find(const Schema& s, std::string_view name) {
  for (const FieldCheck& c : s.checks) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

TEST(JsonSchema, DesignExampleDerivesOneCheckPerKeyword) {
  Result<Schema> s = ParseJsonSchema(kDesignExample, "sales.json");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ASSERT_EQ(s->fields.size(), 4u);
  EXPECT_EQ(s->fields[0].name, "transaction_id");  // declaration order is kept
  EXPECT_EQ(s->fields[3].name, "transaction_ts");
  EXPECT_EQ(s->fields[3].type, FieldType::kTimestamp);
  std::vector<std::string> names;
  for (const FieldCheck& c : s->checks) names.push_back(c.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{
                "transaction_id.required", "transaction_id.type", "transaction_id.pattern",
                "quantity.required", "quantity.type", "quantity.minimum", "quantity.maximum",
                "currency.required", "currency.type", "currency.enum", "transaction_ts.type"}));
  EXPECT_EQ(Find(*s, "transaction_id.required")->severity, Severity::kCritical);
  EXPECT_EQ(Find(*s, "transaction_id.pattern")->severity, Severity::kError);
  EXPECT_EQ(Find(*s, "currency.required")->severity, Severity::kWarning);
  EXPECT_EQ(Find(*s, "transaction_ts.type")->severity, Severity::kCritical);
  EXPECT_EQ(Find(*s, "quantity.maximum")->bound, 1000);
  EXPECT_EQ(CheckDimension(Find(*s, "quantity.maximum")->kind), Dimension::kAccuracy);
  EXPECT_EQ(CheckDimension(Find(*s, "currency.required")->kind), Dimension::kCompleteness);
  EXPECT_EQ(CheckDimension(Find(*s, "currency.type")->kind), Dimension::kSchema);
}

TEST(JsonSchema, PropertyWithoutTypeHasNoTypeCheck) {
  Result<Schema> s =
      ParseJsonSchema(R"({"type":"object","properties":{"note":{"maxLength":3}}})", "s.json");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->fields[0].type, FieldType::kAny);
  ASSERT_EQ(s->checks.size(), 1u);
  EXPECT_EQ(s->checks[0].name, "note.maxLength");
}

TEST(JsonSchema, NullableTypeSatisfiesRequired) {
  Result<Schema> s = ParseJsonSchema(
      R"({"type":"object","required":["d"],"properties":{"d":{"type":["number","null"]}}})",
      "s.json");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_TRUE(s->fields[0].nullable);
  EXPECT_EQ(Find(*s, "d.required"), nullptr);
  EXPECT_NE(Find(*s, "d.type"), nullptr);
}

TEST(JsonSchema, UnsupportedKeywordIsAnErrorNamingThePointer) {
  Result<Schema> s = ParseJsonSchema(
      R"({"type":"object","properties":{"a":{"type":"string","multipleOf":2}}})", "s.json");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("/properties/a/multipleOf"), std::string::npos);
}

TEST(JsonSchema, AllErrorsAreReportedTogether) {
  Result<Schema> s = ParseJsonSchema(R"({"type":"object","required":["zz"],"properties":{
      "a":{"type":"integer","pattern":"x"},
      "b":{"type":"string","pattern":"("},
      "c":{"type":"string","minimum":1},
      "d":{"type":"string","enum":[1]},
      "e":{"type":"decimal"},
      "f":{"type":"string","format":"hostname"},
      "g":{"type":"string","x-severity":{"pattern":"critical"}},
      "h":{"type":"string","x-severity":"fatal"}}})",
                                     "s.json");
  ASSERT_FALSE(s.ok());
  const std::string& m = s.status().message();
  for (const char* pointer :
       {"/required", "/properties/a/pattern", "/properties/b/pattern", "/properties/c/minimum",
        "/properties/d/enum", "/properties/e/type", "/properties/f/format",
        "/properties/g/x-severity/pattern", "/properties/h/x-severity"}) {
    EXPECT_NE(m.find(pointer), std::string::npos) << pointer << "\n" << m;
  }
}

TEST(JsonSchema, SyntaxErrorGivesLineAndColumn) {
  Result<Schema> s =
      ParseJsonSchema("{\n  \"type\": \"object\",\n  \"properties\": {,}\n}", "s.json");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("s.json:3:"), std::string::npos) << s.status().message();
}

// Found by json_schema_fuzz: nlohmann throws out_of_range (not parse_error) for a number that
// overflows a double, which escaped ParseJsonSchema and terminated the process.
TEST(JsonSchema, NumberBeyondDoubleRangeIsAnErrorNotACrash) {
  Result<Schema> s = ParseJsonSchema(
      "{\"type\": \"object\",\n \"properties\": {\"n\": {\"maximum\": 777.777e916}}}", "s.json");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.status().message().find("s.json:2:"), std::string::npos) << s.status().message();
  EXPECT_NE(s.status().message().find("777.777e916"), std::string::npos) << s.status().message();
}

TEST(JsonSchema, MissingFileIsNotFound) {
  Result<Schema> s = LoadJsonSchema("/nonexistent/schema.json");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kNotFound);
}

TEST(JsonSchema, BundledSchemasLoad) {
  for (const char* name : {"sales_transactions.json", "customer_data.json"}) {
    Result<Schema> s = LoadJsonSchema(std::string(ASSAY_SOURCE_DIR) + "/schemas/" + name);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
  }
}

}  // namespace
}  // namespace assay::schema
