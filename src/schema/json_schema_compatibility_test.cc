#include "schema/json_schema_compatibility.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "schema/json_schema_diff.h"

namespace assay::schema {
namespace {

using json_diff::Difference;
using json_diff::DifferenceType;
using ::testing::HasSubstr;

constexpr CompatibilityPolicy kConfluent = CompatibilityPolicy::kConfluent;
constexpr CompatibilityPolicy kLenient = CompatibilityPolicy::kLenient;

std::vector<Difference> Diff(std::string_view original, std::string_view update,
                             CompatibilityPolicy policy = kConfluent) {
  return json_diff::DiffSchemas(nlohmann::ordered_json::parse(original),
                                nlohmann::ordered_json::parse(update), policy);
}

std::vector<std::string> TypeNames(const std::vector<Difference>& diffs) {
  std::vector<std::string> names;
  names.reserve(diffs.size());
  for (const Difference& d : diffs) names.emplace_back(json_diff::DifferenceTypeName(d.type));
  return names;
}

// BACKWARD: every document valid under `old_schema` is valid under `new_schema`.
bool Backward(std::string_view old_schema, std::string_view new_schema,
              CompatibilityPolicy policy) {
  return JsonSchemaBackwardIncompatibilities(old_schema, new_schema, policy).empty();
}
bool Forward(std::string_view old_schema, std::string_view new_schema, CompatibilityPolicy policy) {
  return JsonSchemaBackwardIncompatibilities(new_schema, old_schema, policy).empty();
}
bool Full(std::string_view old_schema, std::string_view new_schema, CompatibilityPolicy policy) {
  return Backward(old_schema, new_schema, policy) && Forward(old_schema, new_schema, policy);
}

// ---------------------------------------------------------------------------------------------
// One row per rule (Confluent's Difference.Type). docs/schema-registry.md has the same rows,
// with the same examples and verdicts: DocTableMatchesTheRuleTable keeps the two in step.

struct RuleCase {
  std::string_view error_type;  // the rule that the change must trigger
  std::string_view variant;     // tells apart two rows of one rule ("" for the only one)
  std::string_view old_schema;
  std::string_view new_schema;
  bool confluent;  // BACKWARD verdict, Confluent's rules
  bool lenient;    // BACKWARD verdict, Assay's lenient policy
};

constexpr bool kOk = true;
constexpr bool kNo = false;

// clang-format off
const RuleCase kRules[] = {
    // Any schema.
    {"ID_CHANGED", "", R"({"$id":"a.json","type":"string"})", R"({"$id":"b.json","type":"string"})", kOk, kOk},
    {"TITLE_CHANGED", "", R"({"type":"string","title":"A"})", R"({"type":"string","title":"B"})", kOk, kOk},
    {"DESCRIPTION_CHANGED", "", R"({"type":"string","description":"a"})", R"({"type":"string","description":"b"})", kOk, kOk},
    {"DEFAULT_CHANGED", "", R"({"type":"string","default":"a"})", R"({"type":"string","default":"b"})", kOk, kOk},
    {"SCHEMA_ADDED", "", R"({"type":"array"})", R"({"type":"array","items":{"type":"string"}})", kNo, kNo},
    {"SCHEMA_REMOVED", "", R"({"type":"array","items":{"type":"string"}})", R"({"type":"array"})", kOk, kOk},
    {"TYPE_EXTENDED", "", R"({"type":"integer"})", R"({"type":"number"})", kOk, kOk},
    {"TYPE_NARROWED", "", R"({"type":"number"})", R"({"type":"integer"})", kNo, kNo},
    {"TYPE_CHANGED", "", R"({"type":"string"})", R"({"type":"integer"})", kNo, kNo},
    // String.
    {"MAX_LENGTH_ADDED", "", R"({"type":"string"})", R"({"type":"string","maxLength":10})", kNo, kNo},
    {"MAX_LENGTH_REMOVED", "", R"({"type":"string","maxLength":10})", R"({"type":"string"})", kOk, kOk},
    {"MAX_LENGTH_INCREASED", "", R"({"type":"string","maxLength":10})", R"({"type":"string","maxLength":20})", kOk, kOk},
    {"MAX_LENGTH_DECREASED", "", R"({"type":"string","maxLength":20})", R"({"type":"string","maxLength":10})", kNo, kNo},
    {"MIN_LENGTH_ADDED", "", R"({"type":"string"})", R"({"type":"string","minLength":1})", kNo, kNo},
    {"MIN_LENGTH_REMOVED", "", R"({"type":"string","minLength":1})", R"({"type":"string"})", kOk, kOk},
    {"MIN_LENGTH_INCREASED", "", R"({"type":"string","minLength":1})", R"({"type":"string","minLength":3})", kNo, kNo},
    {"MIN_LENGTH_DECREASED", "", R"({"type":"string","minLength":3})", R"({"type":"string","minLength":1})", kOk, kOk},
    {"PATTERN_ADDED", "", R"({"type":"string"})", R"({"type":"string","pattern":"^a"})", kNo, kNo},
    {"PATTERN_REMOVED", "", R"({"type":"string","pattern":"^a"})", R"({"type":"string"})", kOk, kOk},
    {"PATTERN_CHANGED", "", R"({"type":"string","pattern":"^a"})", R"({"type":"string","pattern":"^[ab]"})", kNo, kNo},
    // Number and integer.
    {"MAXIMUM_ADDED", "", R"({"type":"number"})", R"({"type":"number","maximum":10})", kNo, kNo},
    {"MAXIMUM_REMOVED", "", R"({"type":"number","maximum":10})", R"({"type":"number"})", kOk, kOk},
    {"MAXIMUM_INCREASED", "", R"({"type":"number","maximum":10})", R"({"type":"number","maximum":20})", kOk, kOk},
    {"MAXIMUM_DECREASED", "", R"({"type":"number","maximum":20})", R"({"type":"number","maximum":10})", kNo, kNo},
    {"MINIMUM_ADDED", "", R"({"type":"number"})", R"({"type":"number","minimum":0})", kNo, kNo},
    {"MINIMUM_REMOVED", "", R"({"type":"number","minimum":0})", R"({"type":"number"})", kOk, kOk},
    {"MINIMUM_INCREASED", "", R"({"type":"number","minimum":0})", R"({"type":"number","minimum":5})", kNo, kNo},
    {"MINIMUM_DECREASED", "", R"({"type":"number","minimum":5})", R"({"type":"number","minimum":0})", kOk, kOk},
    {"EXCLUSIVE_MAXIMUM_ADDED", "", R"({"type":"number"})", R"({"type":"number","exclusiveMaximum":10})", kNo, kNo},
    {"EXCLUSIVE_MAXIMUM_REMOVED", "", R"({"type":"number","exclusiveMaximum":10})", R"({"type":"number"})", kOk, kOk},
    {"EXCLUSIVE_MAXIMUM_INCREASED", "", R"({"type":"number","exclusiveMaximum":10})", R"({"type":"number","exclusiveMaximum":20})", kOk, kOk},
    {"EXCLUSIVE_MAXIMUM_DECREASED", "", R"({"type":"number","exclusiveMaximum":20})", R"({"type":"number","exclusiveMaximum":10})", kNo, kNo},
    {"EXCLUSIVE_MINIMUM_ADDED", "", R"({"type":"number"})", R"({"type":"number","exclusiveMinimum":0})", kNo, kNo},
    {"EXCLUSIVE_MINIMUM_REMOVED", "", R"({"type":"number","exclusiveMinimum":0})", R"({"type":"number"})", kOk, kOk},
    {"EXCLUSIVE_MINIMUM_INCREASED", "", R"({"type":"number","exclusiveMinimum":0})", R"({"type":"number","exclusiveMinimum":5})", kNo, kNo},
    {"EXCLUSIVE_MINIMUM_DECREASED", "", R"({"type":"number","exclusiveMinimum":5})", R"({"type":"number","exclusiveMinimum":0})", kOk, kOk},
    {"MULTIPLE_OF_ADDED", "", R"({"type":"number"})", R"({"type":"number","multipleOf":2})", kNo, kNo},
    {"MULTIPLE_OF_REMOVED", "", R"({"type":"number","multipleOf":2})", R"({"type":"number"})", kOk, kOk},
    {"MULTIPLE_OF_EXPANDED", "", R"({"type":"number","multipleOf":2})", R"({"type":"number","multipleOf":4})", kNo, kNo},
    {"MULTIPLE_OF_REDUCED", "", R"({"type":"number","multipleOf":4})", R"({"type":"number","multipleOf":2})", kOk, kOk},
    {"MULTIPLE_OF_CHANGED", "", R"({"type":"number","multipleOf":2})", R"({"type":"number","multipleOf":3})", kNo, kNo},
    // Object: required.
    {"REQUIRED_ATTRIBUTE_ADDED", "", R"({"properties":{"a":{}}})", R"({"properties":{"a":{}},"required":["a"]})", kNo, kNo},
    {"REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED", "", R"({"properties":{"a":{}}})", R"({"properties":{"a":{"default":1}},"required":["a"]})", kOk, kOk},
    {"REQUIRED_ATTRIBUTE_REMOVED", "", R"({"properties":{"a":{}},"required":["a"]})", R"({"properties":{"a":{}}})", kOk, kOk},
    // Object: properties added to an open, closed or partially open content model.
    {"PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", "optional", R"({"type":"object"})", R"({"type":"object","properties":{"b":{"type":"string"}}})", kNo, kOk},
    {"PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", "required", R"({"type":"object"})", R"({"type":"object","properties":{"b":{"type":"string"}},"required":["b"]})", kNo, kNo},
    {"PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL", "", R"({"type":"object"})", R"({"type":"object","properties":{"b":{}}})", kOk, kOk},
    {"OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", "", R"({"additionalProperties":false})", R"({"properties":{"b":{"type":"string"}},"additionalProperties":false})", kOk, kOk},
    {"REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", "", R"({"additionalProperties":false})", R"({"properties":{"b":{"type":"string"}},"required":["b"],"additionalProperties":false})", kNo, kNo},
    {"REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL", "", R"({"additionalProperties":false})", R"({"properties":{"b":{"type":"string","default":"x"}},"required":["b"],"additionalProperties":false})", kOk, kOk},
    {"PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", "", R"({"additionalProperties":{"type":"string"}})", R"({"properties":{"b":{"type":"string"}},"additionalProperties":{"type":"string"}})", kOk, kOk},
    {"PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", "", R"({"additionalProperties":{"type":"string"}})", R"({"properties":{"b":{"type":"integer"}},"additionalProperties":{"type":"string"}})", kNo, kNo},
    // Object: properties removed.
    {"PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL", "", R"({"type":"object","properties":{"b":{"type":"string"}}})", R"({"type":"object"})", kOk, kOk},
    {"PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL", "", R"({"properties":{"b":{"type":"string"}},"additionalProperties":false})", R"({"additionalProperties":false})", kNo, kNo},
    {"PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL", "", R"({"properties":{"b":false},"additionalProperties":false})", R"({"additionalProperties":false})", kOk, kOk},
    {"PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", "", R"({"properties":{"b":{"type":"string"}},"additionalProperties":{"type":"string"}})", R"({"additionalProperties":{"type":"string"}})", kOk, kOk},
    {"PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", "", R"({"properties":{"b":{"type":"integer"}},"additionalProperties":{"type":"string"}})", R"({"additionalProperties":{"type":"string"}})", kNo, kNo},
    // Object: additionalProperties, dependencies, size.
    {"ADDITIONAL_PROPERTIES_ADDED", "", R"({"type":"object","additionalProperties":false})", R"({"type":"object"})", kOk, kOk},
    {"ADDITIONAL_PROPERTIES_REMOVED", "", R"({"type":"object"})", R"({"type":"object","additionalProperties":false})", kNo, kNo},
    {"ADDITIONAL_PROPERTIES_EXTENDED", "", R"({"type":"object","additionalProperties":{"type":"string"}})", R"({"type":"object"})", kOk, kOk},
    {"ADDITIONAL_PROPERTIES_NARROWED", "", R"({"type":"object"})", R"({"type":"object","additionalProperties":{"type":"string"}})", kNo, kNo},
    {"DEPENDENCY_ARRAY_ADDED", "", R"({"type":"object"})", R"({"type":"object","dependencies":{"a":["b"]}})", kNo, kNo},
    {"DEPENDENCY_ARRAY_REMOVED", "", R"({"type":"object","dependencies":{"a":["b"]}})", R"({"type":"object"})", kOk, kOk},
    {"DEPENDENCY_ARRAY_EXTENDED", "", R"({"type":"object","dependencies":{"a":["b"]}})", R"({"type":"object","dependencies":{"a":["b","c"]}})", kNo, kNo},
    {"DEPENDENCY_ARRAY_NARROWED", "", R"({"type":"object","dependencies":{"a":["b","c"]}})", R"({"type":"object","dependencies":{"a":["b"]}})", kOk, kOk},
    {"DEPENDENCY_ARRAY_CHANGED", "", R"({"type":"object","dependencies":{"a":["b"]}})", R"({"type":"object","dependencies":{"a":["c"]}})", kNo, kNo},
    {"DEPENDENCY_SCHEMA_ADDED", "", R"({"type":"object"})", R"({"type":"object","dependencies":{"a":{"required":["b"]}}})", kNo, kNo},
    {"DEPENDENCY_SCHEMA_REMOVED", "", R"({"type":"object","dependencies":{"a":{"required":["b"]}}})", R"({"type":"object"})", kOk, kOk},
    {"MAX_PROPERTIES_ADDED", "", R"({"type":"object"})", R"({"type":"object","maxProperties":5})", kNo, kNo},
    {"MAX_PROPERTIES_REMOVED", "", R"({"type":"object","maxProperties":5})", R"({"type":"object"})", kOk, kOk},
    {"MAX_PROPERTIES_INCREASED", "", R"({"type":"object","maxProperties":5})", R"({"type":"object","maxProperties":10})", kOk, kOk},
    {"MAX_PROPERTIES_DECREASED", "", R"({"type":"object","maxProperties":10})", R"({"type":"object","maxProperties":5})", kNo, kNo},
    {"MIN_PROPERTIES_ADDED", "", R"({"type":"object"})", R"({"type":"object","minProperties":1})", kNo, kNo},
    {"MIN_PROPERTIES_REMOVED", "", R"({"type":"object","minProperties":1})", R"({"type":"object"})", kOk, kOk},
    {"MIN_PROPERTIES_INCREASED", "", R"({"type":"object","minProperties":1})", R"({"type":"object","minProperties":2})", kNo, kNo},
    {"MIN_PROPERTIES_DECREASED", "", R"({"type":"object","minProperties":2})", R"({"type":"object","minProperties":1})", kOk, kOk},
    // Array.
    {"MAX_ITEMS_ADDED", "", R"({"type":"array"})", R"({"type":"array","maxItems":5})", kNo, kNo},
    {"MAX_ITEMS_REMOVED", "", R"({"type":"array","maxItems":5})", R"({"type":"array"})", kOk, kOk},
    {"MAX_ITEMS_INCREASED", "", R"({"type":"array","maxItems":5})", R"({"type":"array","maxItems":10})", kOk, kOk},
    {"MAX_ITEMS_DECREASED", "", R"({"type":"array","maxItems":10})", R"({"type":"array","maxItems":5})", kNo, kNo},
    {"MIN_ITEMS_ADDED", "", R"({"type":"array"})", R"({"type":"array","minItems":1})", kNo, kNo},
    {"MIN_ITEMS_REMOVED", "", R"({"type":"array","minItems":1})", R"({"type":"array"})", kOk, kOk},
    {"MIN_ITEMS_INCREASED", "", R"({"type":"array","minItems":1})", R"({"type":"array","minItems":2})", kNo, kNo},
    {"MIN_ITEMS_DECREASED", "", R"({"type":"array","minItems":2})", R"({"type":"array","minItems":1})", kOk, kOk},
    {"UNIQUE_ITEMS_ADDED", "", R"({"type":"array"})", R"({"type":"array","uniqueItems":true})", kNo, kNo},
    {"UNIQUE_ITEMS_REMOVED", "", R"({"type":"array","uniqueItems":true})", R"({"type":"array"})", kOk, kOk},
    {"ADDITIONAL_ITEMS_ADDED", "", R"({"items":[{}],"additionalItems":false})", R"({"items":[{}]})", kOk, kOk},
    {"ADDITIONAL_ITEMS_REMOVED", "", R"({"items":[{}]})", R"({"items":[{}],"additionalItems":false})", kNo, kNo},
    {"ADDITIONAL_ITEMS_EXTENDED", "", R"({"items":[{}],"additionalItems":{"type":"integer"}})", R"({"items":[{}]})", kOk, kOk},
    {"ADDITIONAL_ITEMS_NARROWED", "", R"({"items":[{}]})", R"({"items":[{}],"additionalItems":{"type":"integer"}})", kNo, kNo},
    {"ITEM_ADDED_TO_OPEN_CONTENT_MODEL", "", R"({"items":[{}]})", R"({"items":[{},{"type":"string"}]})", kNo, kNo},
    {"ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL", "", R"({"items":[{}]})", R"({"items":[{},{}]})", kOk, kOk},
    {"ITEM_ADDED_TO_CLOSED_CONTENT_MODEL", "", R"({"items":[{}],"additionalItems":false})", R"({"items":[{},{"type":"string"}],"additionalItems":false})", kOk, kOk},
    {"ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", "", R"({"items":[{}],"additionalItems":{"type":"integer"}})", R"({"items":[{},{"type":"integer"}],"additionalItems":{"type":"integer"}})", kOk, kOk},
    {"ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", "", R"({"items":[{}],"additionalItems":{"type":"integer"}})", R"({"items":[{},{"type":"string"}],"additionalItems":{"type":"integer"}})", kNo, kNo},
    {"ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL", "", R"({"items":[{},{"type":"string"}]})", R"({"items":[{}]})", kOk, kOk},
    {"ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL", "", R"({"items":[{},{"type":"string"}],"additionalItems":false})", R"({"items":[{}],"additionalItems":false})", kNo, kNo},
    {"ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL", "", R"({"items":[{},false],"additionalItems":false})", R"({"items":[{}],"additionalItems":false})", kOk, kOk},
    {"ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", "", R"({"items":[{},{"type":"integer"}],"additionalItems":{"type":"integer"}})", R"({"items":[{}],"additionalItems":{"type":"integer"}})", kOk, kOk},
    {"ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", "", R"({"items":[{},{"type":"string"}],"additionalItems":{"type":"integer"}})", R"({"items":[{}],"additionalItems":{"type":"integer"}})", kNo, kNo},
    // enum and const.
    {"ENUM_ARRAY_EXTENDED", "", R"({"enum":["a","b"]})", R"({"enum":["a","b","c"]})", kOk, kOk},
    {"ENUM_ARRAY_NARROWED", "", R"({"enum":["a","b"]})", R"({"enum":["a"]})", kNo, kNo},
    {"ENUM_ARRAY_CHANGED", "enum", R"({"enum":["a","b"]})", R"({"enum":["a","c"]})", kNo, kNo},
    {"ENUM_ARRAY_CHANGED", "const", R"({"const":"a"})", R"({"const":"b"})", kNo, kNo},
    // allOf / anyOf / oneOf / not.
    {"COMBINED_TYPE_EXTENDED", "", R"({"oneOf":[{"type":"string"},{"type":"integer"}]})", R"({"anyOf":[{"type":"string"},{"type":"integer"}]})", kOk, kOk},
    {"COMBINED_TYPE_CHANGED", "", R"({"anyOf":[{"type":"string"},{"type":"integer"}]})", R"({"oneOf":[{"type":"string"},{"type":"integer"}]})", kNo, kNo},
    {"SUM_TYPE_EXTENDED", "", R"({"anyOf":[{"type":"string"},{"type":"integer"}]})", R"({"anyOf":[{"type":"string"},{"type":"integer"},{"type":"boolean"}]})", kOk, kOk},
    {"SUM_TYPE_NARROWED", "", R"({"anyOf":[{"type":"string"},{"type":"integer"},{"type":"boolean"}]})", R"({"anyOf":[{"type":"string"},{"type":"integer"}]})", kNo, kNo},
    {"PRODUCT_TYPE_EXTENDED", "", R"({"allOf":[{"type":"string"},{"minLength":1}]})", R"({"allOf":[{"type":"string"},{"minLength":1},{"maxLength":5}]})", kNo, kNo},
    {"PRODUCT_TYPE_NARROWED", "", R"({"allOf":[{"type":"string"},{"minLength":1},{"maxLength":5}]})", R"({"allOf":[{"type":"string"},{"minLength":1}]})", kOk, kOk},
    {"COMBINED_TYPE_SUBSCHEMAS_CHANGED", "", R"({"anyOf":[{"type":"string"},{"type":"integer"}]})", R"({"anyOf":[{"type":"string"},{"type":"boolean"}]})", kNo, kNo},
    {"NOT_TYPE_EXTENDED", "", R"({"not":{"type":"string"}})", R"({"not":{"type":["string","integer"]}})", kNo, kNo},
    {"NOT_TYPE_NARROWED", "", R"({"not":{"type":["string","integer"]}})", R"({"not":{"type":"string"}})", kOk, kOk},
};
// clang-format on

std::string RuleName(const RuleCase& rule) {
  std::string name(rule.error_type);
  if (!rule.variant.empty()) name += "_" + std::string(rule.variant);
  return name;
}

class JsonSchemaRule : public ::testing::TestWithParam<RuleCase> {};

TEST_P(JsonSchemaRule, TriggersItsRuleWithItsVerdict) {
  const RuleCase& rule = GetParam();
  ASSERT_TRUE(CanonicalJsonSchema(rule.old_schema).ok()) << rule.old_schema;
  ASSERT_TRUE(CanonicalJsonSchema(rule.new_schema).ok()) << rule.new_schema;
  EXPECT_THAT(TypeNames(Diff(rule.old_schema, rule.new_schema)),
              ::testing::Contains(std::string(rule.error_type)));
  const std::vector<std::string> confluent =
      JsonSchemaBackwardIncompatibilities(rule.old_schema, rule.new_schema, kConfluent);
  const std::vector<std::string> lenient =
      JsonSchemaBackwardIncompatibilities(rule.old_schema, rule.new_schema, kLenient);
  EXPECT_EQ(confluent.empty(), rule.confluent) << ::testing::PrintToString(confluent);
  EXPECT_EQ(lenient.empty(), rule.lenient) << ::testing::PrintToString(lenient);
  // An incompatible rule is named in the messages, in Confluent's shape.
  const std::string tag = "{errorType:\"" + std::string(rule.error_type) + "\", description:\"";
  if (!rule.confluent) {
    EXPECT_TRUE(std::any_of(confluent.begin(), confluent.end(), [&](const std::string& m) {
      return m.rfind(tag, 0) == 0;
    })) << ::testing::PrintToString(confluent);
  }
}

INSTANTIATE_TEST_SUITE_P(EveryDifferenceType, JsonSchemaRule, ::testing::ValuesIn(kRules),
                         [](const ::testing::TestParamInfo<RuleCase>& info) {
                           return RuleName(info.param);
                         });

TEST(JsonSchemaRules, EveryDifferenceTypeHasARow) {
  for (int i = 0; i < json_diff::kDifferenceTypeCount; ++i) {
    const std::string_view name = json_diff::DifferenceTypeName(static_cast<DifferenceType>(i));
    EXPECT_TRUE(std::any_of(std::begin(kRules), std::end(kRules), [&](const RuleCase& r) {
      return r.error_type == name;
    })) << name;
  }
}

TEST(JsonSchemaRules, RowVerdictIsTheRulesVerdict) {
  // Each example is minimal: its verdict under Confluent is the verdict of the rule it shows.
  for (const RuleCase& rule : kRules) {
    for (const Difference& d : Diff(rule.old_schema, rule.new_schema)) {
      if (json_diff::DifferenceTypeName(d.type) == rule.error_type) {
        EXPECT_EQ(json_diff::IsConfluentCompatible(d.type), rule.confluent) << RuleName(rule);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The docs table: same rows as kRules, same examples, same verdicts.

std::string SourceDir() {
  if (const char* dir = std::getenv("ASSAY_SOURCE_DIR")) return dir;
  return ASSAY_SOURCE_DIR;
}

std::vector<std::string> SplitCells(const std::string& line) {
  std::vector<std::string> cells;
  std::string cell;
  for (char c : line) {
    if (c == '|') {
      cells.push_back(cell);
      cell.clear();
    } else {
      cell += c;
    }
  }
  for (std::string& c : cells) {
    c.erase(0, c.find_first_not_of(' '));
    c.erase(c.find_last_not_of(' ') + 1);
  }
  return cells;
}

TEST(JsonSchemaRules, DocTableMatchesTheRuleTable) {
  std::ifstream in(SourceDir() + "/docs/schema-registry.md");
  ASSERT_TRUE(in) << "docs/schema-registry.md not found under " << SourceDir();
  // (errorType, variant, "`old` → `new`", Confluent verdict, lenient verdict)
  using Row = std::tuple<std::string, std::string, std::string, bool, bool>;
  std::vector<Row> doc_rows, test_rows;
  bool in_section = false, in_table = false;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("## ", 0) == 0) in_section = line == "## JSON Schema compatibility";
    if (line.rfind("| Rule (", 0) == 0) in_table = in_section;
    if (line.empty()) in_table = false;
    if (!in_table || line.rfind("| `", 0) != 0) continue;
    const std::vector<std::string> cells = SplitCells(line);
    ASSERT_GE(cells.size(), 5u) << line;
    // "`TYPE`" or "`TYPE` (variant)"
    const std::string& rule = cells[1];
    const size_t close = rule.find('`', 1);
    ASSERT_NE(close, std::string::npos) << line;
    std::string variant = rule.substr(close + 1);
    variant.erase(0, variant.find_first_not_of(" ("));
    if (!variant.empty() && variant.back() == ')') variant.pop_back();
    auto verdict = [&](const std::string& cell) {
      EXPECT_NE(cell.find("✓") == std::string::npos, cell.find("✗") == std::string::npos) << line;
      return cell.find("✓") != std::string::npos;
    };
    doc_rows.emplace_back(rule.substr(1, close - 1), variant, cells[2], verdict(cells[3]),
                          verdict(cells[4]));
  }
  for (const RuleCase& rule : kRules) {
    test_rows.emplace_back(
        std::string(rule.error_type), std::string(rule.variant),
        "`" + std::string(rule.old_schema) + "` → `" + std::string(rule.new_schema) + "`",
        rule.confluent, rule.lenient);
  }
  EXPECT_EQ(doc_rows.size(), std::size(kRules));
  std::sort(doc_rows.begin(), doc_rows.end());
  std::sort(test_rows.begin(), test_rows.end());
  std::vector<Row> only_in_doc, only_in_tests;
  std::set_difference(doc_rows.begin(), doc_rows.end(), test_rows.begin(), test_rows.end(),
                      std::back_inserter(only_in_doc));
  std::set_difference(test_rows.begin(), test_rows.end(), doc_rows.begin(), doc_rows.end(),
                      std::back_inserter(only_in_tests));
  EXPECT_TRUE(only_in_doc.empty()) << ::testing::PrintToString(only_in_doc);
  EXPECT_TRUE(only_in_tests.empty()) << ::testing::PrintToString(only_in_tests);
}

// ---------------------------------------------------------------------------------------------
// The worked examples J1-J31 of the research notes, in both policies.

// O: an open object with a required string "a"; C: the same, closed; P: the same, partially
// open (undeclared properties must be strings). Prop(s): an object whose property "a" is s.
constexpr std::string_view kO =
    R"({"type":"object","properties":{"a":{"type":"string"}},"required":["a"]})";
constexpr std::string_view kC =
    R"({"type":"object","properties":{"a":{"type":"string"}},"required":["a"],"additionalProperties":false})";
constexpr std::string_view kP =
    R"({"type":"object","properties":{"a":{"type":"string"}},"required":["a"],"additionalProperties":{"type":"string"}})";

std::string Prop(std::string_view a) {
  return R"({"type":"object","properties":{"a":)" + std::string(a) + "}}";
}

// `base` with `"b":b` added to its properties, and "b" added to "required" if asked.
std::string WithB(std::string_view base, std::string_view b, bool required) {
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(base);
  j["properties"]["b"] = nlohmann::ordered_json::parse(b);
  if (required) j["required"].push_back("b");
  return j.dump();
}

struct WorkedExample {
  std::string name;
  std::string old_schema, new_schema;
  bool backward, forward;                  // Confluent
  bool lenient_backward, lenient_forward;  // Assay's lenient policy
};

std::vector<WorkedExample> WorkedExamples() {
  const std::string s = R"({"type":"string"})", i = R"({"type":"integer"})",
                    b = R"({"type":"boolean"})";
  return {
      {"J1", std::string(kO), WithB(kO, s, false), false, true, true, true},
      {"J2", std::string(kO), WithB(kO, "{}", false), true, true, true, true},
      {"J3", Prop(s), R"({"type":"object"})", true, false, true, true},
      {"J4", std::string(kC), WithB(kC, s, false), true, false, true, false},
      {"J5", std::string(kC), WithB(kC, s, true), false, false, false, false},
      {"J6", std::string(kC), WithB(kC, R"({"type":"string","default":"x"})", true), true, false,
       true, false},
      {"J7", std::string(kC), R"({"type":"object","additionalProperties":false})", false, false,
       false, false},
      {"J8", std::string(kP), WithB(kP, s, false), true, true, true, true},
      {"J9", std::string(kP), WithB(kP, i, false), false, false, false, false},
      {"J10", std::string(kO), Prop(s), true, false, true, false},
      {"J11", Prop(s), std::string(kO), false, true, false, true},
      {"J12", Prop(i), Prop(R"({"type":"number"})"), true, false, true, false},
      {"J13", Prop(s), Prop(i), false, false, false, false},
      {"J14", Prop(s), Prop(R"({"type":["string","null"]})"), true, false, true, false},
      {"J15", Prop(R"({"type":["integer","null"]})"), Prop(R"({"type":["number","null"]})"), true,
       false, true, false},
      {"J16", Prop(R"({"type":"string","enum":["x","y"]})"),
       Prop(R"({"type":"string","enum":["x","y","z"]})"), true, false, true, false},
      {"J17", Prop(R"({"type":"string","enum":["x","y"]})"),
       Prop(R"({"type":"string","enum":["x"]})"), false, true, false, true},
      {"J18", Prop(R"({"type":"string","maxLength":10})"),
       Prop(R"({"type":"string","maxLength":20})"), true, false, true, false},
      {"J19", Prop(s), Prop(R"({"type":"string","maxLength":10})"), false, true, false, true},
      {"J20", Prop(R"({"type":"number","minimum":0})"), Prop(R"({"type":"number","minimum":5})"),
       false, true, false, true},
      {"J21", Prop(R"({"type":"string","pattern":"^a"})"),
       Prop(R"({"type":"string","pattern":"^[ab]"})"), false, false, false, false},
      {"J22", Prop(R"({"type":"string","pattern":"^a"})"), Prop(s), true, false, true, false},
      {"J23", Prop(R"({"type":"string","title":"A","description":"a"})"),
       Prop(R"({"type":"string","title":"B","description":"b"})"), true, true, true, true},
      {"J24", Prop(s), Prop(R"({"type":"string","format":"date-time"})"), true, true, true, true},
      {"J25", Prop(s),
       R"({"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false})",
       false, true, false, true},
      {"J26", R"({"oneOf":[)" + s + "," + i + "]}", R"({"oneOf":[)" + s + "," + i + "," + b + "]}",
       true, false, true, false},
      {"J27", R"({"allOf":[)" + s + R"(,{"maxLength":5}]})", R"({"allOf":[)" + s + "]}", true,
       false, true, false},
      {"J28", R"({"anyOf":[)" + s + "]}", R"({"oneOf":[)" + s + "]}", true, true, true, true},
      {"J29", R"({"type":"array","items":{"type":"integer"}})",
       R"({"type":"array","items":{"type":"number"}})", true, false, true, false},
      {"J30", R"({"type":"array"})", R"({"type":"array","uniqueItems":true})", false, true, false,
       true},
      {"J31", Prop("{}"), Prop(s), false, true, false, true},
  };
}

TEST(JsonSchemaWorkedExamples, BackwardForwardFullInBothPolicies) {
  const std::vector<WorkedExample> examples = WorkedExamples();
  ASSERT_EQ(examples.size(), 31u);
  for (const WorkedExample& j : examples) {
    SCOPED_TRACE(j.name + ": " + j.old_schema + " -> " + j.new_schema);
    ASSERT_TRUE(CanonicalJsonSchema(j.old_schema).ok());
    ASSERT_TRUE(CanonicalJsonSchema(j.new_schema).ok());
    EXPECT_EQ(Backward(j.old_schema, j.new_schema, kConfluent), j.backward);
    EXPECT_EQ(Forward(j.old_schema, j.new_schema, kConfluent), j.forward);
    EXPECT_EQ(Full(j.old_schema, j.new_schema, kConfluent), j.backward && j.forward);
    EXPECT_EQ(Backward(j.old_schema, j.new_schema, kLenient), j.lenient_backward);
    EXPECT_EQ(Forward(j.old_schema, j.new_schema, kLenient), j.lenient_forward);
    EXPECT_EQ(Full(j.old_schema, j.new_schema, kLenient), j.lenient_backward && j.lenient_forward);
  }
}

TEST(JsonSchemaWorkedExamples, NameTheRuleTheNotesName) {
  auto names = [](std::string_view o, std::string_view u) { return TypeNames(Diff(o, u)); };
  using ::testing::Contains;
  EXPECT_THAT(names(kO, WithB(kO, R"({"type":"string"})", false)),
              Contains("PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL"));
  EXPECT_THAT(names(WithB(kO, R"({"type":"string"})", false), kO),
              Contains("PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL"));
  EXPECT_THAT(names(kC, R"({"type":"object","additionalProperties":false})"),
              Contains("PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL"));
  EXPECT_THAT(names(R"({"type":"object","additionalProperties":false})", kC),
              Contains("REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL"));
  // J9: the covering schema's own TYPE_CHANGED is reported with the rule.
  EXPECT_THAT(names(kP, WithB(kP, R"({"type":"integer"})", false)),
              ::testing::IsSupersetOf({"TYPE_CHANGED",
                                       "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL",
                                       "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL"}));
  EXPECT_THAT(names(Prop(R"({"type":"string"})"), Prop(R"({"type":["string","null"]})")),
              Contains("SUM_TYPE_EXTENDED"));
  EXPECT_THAT(names(Prop(R"({"type":["string","null"]})"), Prop(R"({"type":"string"})")),
              Contains("TYPE_CHANGED"));
  EXPECT_THAT(names(R"({"anyOf":[{"type":"string"}]})", R"({"oneOf":[{"type":"string"}]})"),
              Contains("COMBINED_TYPE_EXTENDED"));
}

// BACKWARD accepts v3 after v2, BACKWARD_TRANSITIVE refuses it because of v1: a default bridged
// the step from v1 to v2.
TEST(JsonSchemaWorkedExamples, TransitiveExamplePairwise) {
  const std::string v1 =
      R"({"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false})";
  const std::string v2 =
      R"({"type":"object","properties":{"a":{"type":"string","default":"x"}},"required":["a"],"additionalProperties":false})";
  const std::string v3 =
      R"({"type":"object","properties":{"a":{"type":"string"}},"required":["a"],"additionalProperties":false})";
  for (CompatibilityPolicy policy : {kConfluent, kLenient}) {
    EXPECT_TRUE(Backward(v1, v2, policy));
    EXPECT_TRUE(Backward(v2, v3, policy));  // BACKWARD against the latest: accepted
    const std::vector<std::string> against_v1 = JsonSchemaBackwardIncompatibilities(v1, v3, policy);
    ASSERT_EQ(against_v1.size(), 1u);
    EXPECT_THAT(against_v1[0], HasSubstr("REQUIRED_ATTRIBUTE_ADDED"));
    EXPECT_THAT(against_v1[0], HasSubstr("'#/required/a'"));
  }
  EXPECT_THAT(TypeNames(Diff(v1, v2)),
              ::testing::Contains("REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED"));
  EXPECT_THAT(TypeNames(Diff(v2, v3)), ::testing::ElementsAre("DEFAULT_CHANGED"));
}

// ---------------------------------------------------------------------------------------------
// Messages and paths.

TEST(JsonSchemaMessages, ConfluentShapeWithNewAndOld) {
  const std::vector<std::string> messages = JsonSchemaBackwardIncompatibilities(
      R"({"type":"object","properties":{"a":{"type":"string"}}})",
      R"({"type":"object","properties":{"a":{"type":"string"},"b":{"type":"integer"}}})",
      kConfluent);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0],
            "{errorType:\"PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL\", description:\"The new schema has "
            "an open content model and has a property or item at path '#/properties/b' which is "
            "missing in the old schema\"}");
}

TEST(JsonSchemaMessages, PathsNameTheKeywordWhereItChanged) {
  auto paths = [](std::string_view o, std::string_view u) {
    std::vector<std::string> out;
    for (const Difference& d : Diff(o, u)) out.push_back(d.json_path);
    return out;
  };
  EXPECT_THAT(paths(R"({"type":"string"})", R"({"type":"integer"})"), ::testing::ElementsAre("#/"));
  EXPECT_THAT(paths(Prop(R"({"type":"string"})"), Prop(R"({"type":"string","maxLength":3})")),
              ::testing::ElementsAre("#/properties/a/maxLength"));
  EXPECT_THAT(paths(R"({"type":"array","items":{"type":"string"}})",
                    R"({"type":"array","items":{"type":"integer"}})"),
              ::testing::ElementsAre("#/items"));
  EXPECT_THAT(paths(R"({"items":[{"type":"string"}]})", R"({"items":[{"type":"integer"}]})"),
              ::testing::ElementsAre("#/items/0"));
  EXPECT_THAT(paths(R"({"type":"object","additionalProperties":{"type":"string"}})",
                    R"({"type":"object","additionalProperties":{"type":"string","maxLength":1}})"),
              ::testing::ElementsAre("#/additionalProperties/maxLength"));
  // Inside a combined schema: the criterion and the original's index (of a matched pair).
  EXPECT_THAT(paths(R"({"anyOf":[{"type":"integer"},{"type":"string","maxLength":5}]})",
                    R"({"anyOf":[{"type":"integer"},{"type":"string","maxLength":9}]})"),
              ::testing::ElementsAre("#/anyOf/1/maxLength"));
  const std::vector<std::string> messages = JsonSchemaBackwardIncompatibilities(
      R"({"type":"string","maxLength":20})", R"({"type":"string","maxLength":10})", kConfluent);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_THAT(messages[0], HasSubstr("The value at path '#/maxLength' in the new schema is less "
                                     "than its value in the old schema"));
}

// ---------------------------------------------------------------------------------------------
// Loading as everit does: type arrays, keyword groups, $ref, content models.

TEST(JsonSchemaLoading, KeywordGroupsInOneObjectAreASyntheticAllOf) {
  // String -> allOf[Enum, String]: a new class of schema.
  EXPECT_THAT(TypeNames(Diff(R"({"type":"string"})", R"({"type":"string","enum":["a"]})")),
              ::testing::ElementsAre("TYPE_CHANGED"));
  // allOf[Enum, String] -> String: one subschema still matches.
  EXPECT_THAT(TypeNames(Diff(R"({"type":"string","enum":["a"]})", R"({"type":"string"})")),
              ::testing::Contains("PRODUCT_TYPE_NARROWED"));
  // Keywords of a type "type" does not name load a schema of their own (property sniffing).
  EXPECT_FALSE(
      Backward(R"({"type":"integer"})", R"({"type":"integer","maxLength":3})", kConfluent));
}

TEST(JsonSchemaLoading, ReferencesResolveWithinTheDocument) {
  const std::string defs =
      R"({"definitions":{"s":{"type":"string","maxLength":5}},"type":"object","properties":{"a":{"$ref":"#/definitions/s"}}})";
  const std::string defs_wider =
      R"({"$defs":{"s":{"type":"string","maxLength":9}},"type":"object","properties":{"a":{"$ref":"#/$defs/s"}}})";
  const std::string inline_narrower =
      R"({"type":"object","properties":{"a":{"type":"string","maxLength":3}}})";
  EXPECT_TRUE(Backward(defs, defs_wider, kConfluent));
  EXPECT_FALSE(Backward(defs, inline_narrower, kConfluent));
  EXPECT_THAT(JsonSchemaBackwardIncompatibilities(defs, inline_narrower, kConfluent),
              ::testing::ElementsAre(HasSubstr("'#/properties/a/maxLength'")));
  // "#name" anchors, escaped pointers and the document's own $id as a prefix.
  EXPECT_TRUE(
      CanonicalJsonSchema(
          R"({"$id":"http://x.test/s.json","definitions":{"a/b":{"$id":"#n","type":"string"}},"properties":{"p":{"$ref":"#n"},"q":{"$ref":"#/definitions/a~1b"},"r":{"$ref":"http://x.test/s.json#/definitions/a~1b"}}})")
          .ok());
  EXPECT_TRUE(Backward(
      R"({"definitions":{"a/b":{"$id":"#n","type":"integer"}},"properties":{"p":{"$ref":"#n"},"q":{"$ref":"#/definitions/a~1b"}}})",
      R"({"properties":{"p":{"type":"number"},"q":{"type":"number"}}})", kConfluent));
}

TEST(JsonSchemaLoading, PatternPropertiesCoverAddedProperties) {
  const std::string old_schema =
      R"({"type":"object","patternProperties":{"^s_":{"type":"string"}},"additionalProperties":false})";
  EXPECT_THAT(
      TypeNames(Diff(
          old_schema,
          R"({"type":"object","properties":{"s_x":{"type":"string"}},"patternProperties":{"^s_":{"type":"string"}},"additionalProperties":false})")),
      ::testing::Contains("PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL"));
  // A name no pattern matches falls to additionalProperties: false, a closed model.
  EXPECT_THAT(
      TypeNames(Diff(
          old_schema,
          R"({"type":"object","properties":{"x":{"type":"string"}},"patternProperties":{"^s_":{"type":"string"}},"additionalProperties":false})")),
      ::testing::Contains("OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL"));
  // ECMA-262 patterns RE2 does not support (lookahead) still match as the spec says.
  EXPECT_FALSE(Backward(
      R"js({"type":"object","patternProperties":{"^(?!x)":{"type":"string"}}})js",
      R"js({"type":"object","properties":{"a":{"type":"integer"}},"patternProperties":{"^(?!x)":{"type":"string"}}})js",
      kConfluent));
}

TEST(JsonSchemaLoading, NumbersCompareExactly) {
  auto types = [](std::string_view a, std::string_view b) {
    return TypeNames(Diff(R"({"type":"number","multipleOf":)" + std::string(a) + "}",
                          R"({"type":"number","multipleOf":)" + std::string(b) + "}"));
  };
  EXPECT_THAT(types("0.01", "0.02"), ::testing::ElementsAre("MULTIPLE_OF_EXPANDED"));
  EXPECT_THAT(types("0.5", "0.25"), ::testing::ElementsAre("MULTIPLE_OF_REDUCED"));
  EXPECT_THAT(types("0.1", "0.3"), ::testing::ElementsAre("MULTIPLE_OF_EXPANDED"));
  EXPECT_THAT(types("0.2", "0.3"), ::testing::ElementsAre("MULTIPLE_OF_CHANGED"));
  EXPECT_THAT(types("2", "2.0"), ::testing::IsEmpty());
  // exclusiveMaximum lowered, no maximum anywhere (Confluent compares against "maximum" here).
  EXPECT_THAT(TypeNames(Diff(R"({"type":"number","exclusiveMaximum":2.5})",
                             R"({"type":"number","exclusiveMaximum":1.5})")),
              ::testing::ElementsAre("EXCLUSIVE_MAXIMUM_DECREASED"));
}

TEST(JsonSchemaLoading, EnumValuesCompareAsASet) {
  EXPECT_THAT(
      TypeNames(Diff(R"({"enum":["a",1,{"x":1,"y":2}]})", R"({"enum":[{"y":2,"x":1},1,"a"]})")),
      ::testing::IsEmpty());
  EXPECT_THAT(TypeNames(Diff(R"({"enum":[1]})", R"({"enum":[1.0]})")),
              ::testing::ElementsAre("ENUM_ARRAY_CHANGED"));  // as Java: Integer 1 != Double 1.0
}

// ---------------------------------------------------------------------------------------------
// Lenient policy: only properties added to an open model that the update leaves optional.

TEST(JsonSchemaLenient, OnlyOptionalPropertiesAddedToOpenModels) {
  const std::string o = R"({"type":"object","properties":{"a":{"type":"string"}}})";
  EXPECT_TRUE(Backward(o, WithB(o, R"({"type":"integer"})", false), kLenient));
  EXPECT_FALSE(Backward(o, WithB(o, R"({"type":"integer"})", true), kLenient));
  // Not even with a default: lenient changes no rule but that one.
  EXPECT_FALSE(Backward(o, WithB(o, R"({"type":"integer","default":1})", true), kLenient));
  // The FORWARD mirror: removing an optional property.
  EXPECT_TRUE(Forward(WithB(o, R"({"type":"integer"})", false), o, kLenient));
  EXPECT_FALSE(Forward(WithB(o, R"({"type":"integer"})", false), o, kConfluent));
  // Tuple items added to an open array stay incompatible.
  EXPECT_FALSE(Backward(R"({"items":[{}]})", R"({"items":[{},{"type":"string"}]})", kLenient));
  // A nested object counts too, and so does the branch matching of combined schemas.
  EXPECT_TRUE(Backward(Prop(o), Prop(WithB(o, R"({"type":"integer"})", false)), kLenient));
  EXPECT_TRUE(Backward(
      R"({"anyOf":[)" + o + R"(,{"type":"string"}]})",
      R"({"anyOf":[)" + WithB(o, R"({"type":"integer"})", false) + R"(,{"type":"string"}]})",
      kLenient));
  EXPECT_FALSE(Backward(
      R"({"anyOf":[)" + o + R"(,{"type":"string"}]})",
      R"({"anyOf":[)" + WithB(o, R"({"type":"integer"})", false) + R"(,{"type":"string"}]})",
      kConfluent));
}

// ---------------------------------------------------------------------------------------------
// CanonicalJsonSchema.

TEST(CanonicalJsonSchema, CompactWithKeyOrderKept) {
  Result<std::string> c = CanonicalJsonSchema(
      "{\n  \"type\": \"object\",\n  \"properties\": {\"z\": {\"type\": \"string\"}, \"a\": {}},\n"
      "  \"required\": [\"z\"]\n}");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(*c,
            R"({"type":"object","properties":{"z":{"type":"string"},"a":{}},"required":["z"]})");
  EXPECT_EQ(*CanonicalJsonSchema("true"), "true");
  EXPECT_EQ(*CanonicalJsonSchema(" {} "), "{}");
}

TEST(CanonicalJsonSchema, SyntaxErrorNamesLineAndColumn) {
  Result<std::string> c = CanonicalJsonSchema("{\n  \"type\": \"string\",\n  \"x\": tru\n}");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(c.status().message(), HasSubstr("line 3, column"));
  Result<std::string> empty = CanonicalJsonSchema("");
  EXPECT_EQ(empty.status().code(), StatusCode::kInvalidArgument);
  Result<std::string> huge = CanonicalJsonSchema("{\"maximum\": 1e999}");
  EXPECT_EQ(huge.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(huge.status().message(), HasSubstr("line 1, column 13"));
}

TEST(CanonicalJsonSchema, BadKeywordsNamedByTheirPointer) {
  struct Bad {
    std::string_view schema;
    std::string_view pointer;
  };
  for (const Bad& bad : std::initializer_list<Bad>{
           {R"({"required":"a"})", "#/required"},
           {R"({"properties":{"a":{"required":[1]}}})", "#/properties/a/required"},
           {R"({"properties":[]})", "#/properties"},
           {R"({"type":"strin"})", "#/type"},
           {R"({"type":[]})", "#/type"},
           {R"({"type":["string","string"]})", "#/type"},
           {R"({"items":[{"maxLength":-1}]})", "#/items/0/maxLength"},
           {R"({"minItems":1.5})", "#/minItems"},
           {R"({"multipleOf":0})", "#/multipleOf"},
           {R"({"maximum":"10"})", "#/maximum"},
           {R"({"exclusiveMaximum":true})", "#/exclusiveMaximum"},
           {R"({"anyOf":[]})", "#/anyOf"},
           {R"({"not":3})", "#/not"},
           {R"({"properties":{"a/b":{"enum":1}}})", "#/properties/a~1b/enum"},
           {R"({"dependencies":{"a":[1]}})", "#/dependencies/a"},
           {R"({"uniqueItems":"yes"})", "#/uniqueItems"},
           {R"({"title":1})", "#/title"},
           {R"({"properties":{"a":{"$ref":"#/definitions/missing"}}})", "#/properties/a/$ref"},
           {R"({"$ref":"http://elsewhere.test/s.json"})", "#/$ref"},
           {R"({"definitions":{"x":{"type":"nope"}},"$ref":"#/definitions/x"})",
            "#/definitions/x/type"},
       }) {
    Result<std::string> c = CanonicalJsonSchema(bad.schema);
    ASSERT_FALSE(c.ok()) << bad.schema;
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(c.status().message(), HasSubstr("at " + std::string(bad.pointer) + ":"))
        << bad.schema;
  }
  // Draft-04 documents may use boolean exclusive limits.
  EXPECT_TRUE(
      CanonicalJsonSchema(
          R"({"$schema":"http://json-schema.org/draft-04/schema#","maximum":1,"exclusiveMaximum":true})")
          .ok());
  // Unknown keywords are allowed, and "$ref" siblings are ignored as draft-07 says.
  EXPECT_TRUE(CanonicalJsonSchema(R"({"x-extra":{"required":5},"type":"string"})").ok());
  EXPECT_TRUE(
      CanonicalJsonSchema(R"({"definitions":{"a":{}},"$ref":"#/definitions/a","type":5})").ok());
}

TEST(CanonicalJsonSchema, RootMustBeAnObjectOrABoolean) {
  for (std::string_view text : {"[]", "3", "\"schema\"", "null"}) {
    Result<std::string> c = CanonicalJsonSchema(text);
    ASSERT_FALSE(c.ok()) << text;
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  }
}

// ---------------------------------------------------------------------------------------------
// Robustness: none of these may crash, hang or blow the stack.

std::string NestedItems(int depth, std::string_view leaf) {
  std::string s;
  for (int i = 0; i < depth; ++i) s += R"({"type":"array","items":)";
  s += leaf;
  s.append(depth, '}');
  return s;
}

TEST(JsonSchemaRobustness, DeepNesting) {
  const std::string old_schema = NestedItems(200, R"({"type":"string","maxLength":5})");
  const std::string new_schema = NestedItems(200, R"({"type":"string","maxLength":3})");
  ASSERT_TRUE(CanonicalJsonSchema(old_schema).ok());
  const std::vector<std::string> messages =
      JsonSchemaBackwardIncompatibilities(old_schema, new_schema, kConfluent);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_THAT(messages[0], HasSubstr("MAX_LENGTH_DECREASED"));
  // Deeper than the nesting limit: refused, with where.
  for (const std::string& deep :
       {NestedItems(300, "{}"), std::string(100000, '['), std::string(100000, '{')}) {
    Result<std::string> c = CanonicalJsonSchema(deep);
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(c.status().message(), HasSubstr("nested more than"));
    EXPECT_FALSE(JsonSchemaBackwardIncompatibilities(deep, "{}", kConfluent).empty());
  }
}

TEST(JsonSchemaRobustness, ReferenceCycles) {
  // A linked list: a node's "next" is a node.
  const std::string list =
      R"({"$ref":"#/definitions/node","definitions":{"node":{"type":"object","properties":{"v":{"type":"integer"},"next":{"$ref":"#/definitions/node"}}}}})";
  const std::string list_wider =
      R"({"$ref":"#/definitions/node","definitions":{"node":{"type":"object","properties":{"v":{"type":"number"},"next":{"$ref":"#/definitions/node"}}}}})";
  // The same list unrolled once, then recursing through the root.
  const std::string unrolled =
      R"({"type":"object","properties":{"v":{"type":"integer"},"next":{"type":"object","properties":{"v":{"type":"integer"},"next":{"$ref":"#"}}}}})";
  ASSERT_TRUE(CanonicalJsonSchema(list).ok());
  ASSERT_TRUE(CanonicalJsonSchema(unrolled).ok());
  EXPECT_TRUE(Full(list, list, kConfluent));
  EXPECT_TRUE(Backward(list, list_wider, kConfluent));
  EXPECT_FALSE(Forward(list, list_wider, kConfluent));
  EXPECT_TRUE(Full(list, unrolled, kConfluent));
  // Refs that only point at refs, and a schema that is its own reference.
  const std::string loop =
      R"({"definitions":{"a":{"$ref":"#/definitions/b"},"b":{"$ref":"#/definitions/a"}},"properties":{"x":{"$ref":"#/definitions/a"}}})";
  ASSERT_TRUE(CanonicalJsonSchema(loop).ok());
  EXPECT_TRUE(Full(loop, loop, kConfluent));
  ASSERT_TRUE(CanonicalJsonSchema(R"({"$ref":"#"})").ok());
  Full(R"({"$ref":"#"})", R"({"anyOf":[{"$ref":"#"},{"type":"string"}]})", kConfluent);
  EXPECT_TRUE(Backward(R"({"type":"string"})", R"({"anyOf":[{"$ref":"#"},{"type":"string"}]})",
                       kConfluent));
}

// A list unrolled `levels` times whose last "next" goes back to the root.
std::string UnrolledList(int levels) {
  std::string s;
  for (int i = 0; i < levels; ++i) {
    s += R"({"type":"object","properties":{"v":{"type":"integer"},"next":)";
  }
  s += R"({"$ref":"#"})";
  for (int i = 0; i < levels; ++i) s += "}}";
  return s;
}

TEST(JsonSchemaRobustness, LongReferenceCyclesStopAtTheDepthLimit) {
  // Periods 20 and 21: the pairs of schemas compared repeat only after 420 levels, beyond the
  // differ's depth limit, which then counts the rest as compatible (as a recursion).
  const std::string a = UnrolledList(20), b = UnrolledList(21);
  ASSERT_TRUE(CanonicalJsonSchema(a).ok());
  ASSERT_TRUE(CanonicalJsonSchema(b).ok());
  EXPECT_TRUE(Full(a, b, kConfluent));
  std::string b_string = b;
  b_string.replace(b_string.find("integer"), 7, "string");  // the first level's "v"
  EXPECT_FALSE(Backward(a, b_string, kConfluent));
}

TEST(JsonSchemaRobustness, CombinedSchemasOfRecursiveAlternatives) {
  // Each level offers several alternatives that recurse: memoised pairs keep this linear.
  std::string defs = R"({"definitions":{)";
  for (int i = 0; i < 30; ++i) {
    if (i > 0) defs += ",";
    defs +=
        "\"d" + std::to_string(i) +
        R"(":{"anyOf":[{"type":"string"},{"type":"object","properties":{"x":{"$ref":"#/definitions/d)" +
        std::to_string((i + 1) % 30) + R"("},"y":{"$ref":"#/definitions/d)" +
        std::to_string((i + 7) % 30) + R"("}}}]})";
  }
  defs += R"(},"$ref":"#/definitions/d0"})";
  ASSERT_TRUE(CanonicalJsonSchema(defs).ok());
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(Full(defs, defs, kConfluent));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST(JsonSchemaRobustness, HugeEnums) {
  std::string small = R"({"enum":[)", big = R"({"enum":[)";
  for (int i = 0; i < 20000; ++i) {
    if (i > 0) {
      small += ",";
      big += ",";
    }
    small += "\"v" + std::to_string(i) + "\"";
    big += "\"v" + std::to_string(i) + "\"";
  }
  big += R"(,"extra"]})";
  small += "]}";
  ASSERT_TRUE(CanonicalJsonSchema(big).ok());
  EXPECT_TRUE(Backward(small, big, kConfluent));
  EXPECT_FALSE(Forward(small, big, kConfluent));
}

TEST(JsonSchemaRobustness, InvalidInputsAreReportedNotCompared) {
  const std::vector<std::string> m =
      JsonSchemaBackwardIncompatibilities("{not json", R"({"type":"string"})", kConfluent);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_THAT(m[0], HasSubstr("INVALID_SCHEMA"));
  EXPECT_THAT(m[0], HasSubstr("old schema"));
  EXPECT_FALSE(JsonSchemaBackwardIncompatibilities("{}", "[1]", kConfluent).empty());
  // Odd but valid documents compare without surprises.
  EXPECT_TRUE(Backward("false", R"({"type":"string"})", kConfluent));
  EXPECT_TRUE(Backward(R"({"type":"string"})", "true", kConfluent));
  EXPECT_TRUE(Backward(R"({"type":"string"})", "{}", kConfluent));
  EXPECT_FALSE(Backward("{}", R"({"type":"string"})", kConfluent));
  EXPECT_TRUE(Full(R"({"if":{"type":"string"},"then":{"minLength":1}})",
                   R"({"if":{"type":"string"},"then":{"minLength":1}})", kConfluent));
}

}  // namespace
}  // namespace assay::schema
