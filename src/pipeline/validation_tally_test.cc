#include "pipeline/validation_tally.h"

#include <gtest/gtest.h>

#include "schema/json_schema.h"
#include "schema/typer.h"

namespace assay::pipeline {
namespace {

// A field name with a dot: its checks must still split into (field, keyword).
constexpr const char* kSchema = R"({"type": "object", "required": ["a.b"],
  "properties": {"a.b": {"type": "integer", "maximum": 5}, "c": {"type": "string"}}})";

TEST(ValidationTallyTest, CountsRowsTiersAndFailuresPerFieldAndCheck) {
  auto schema = schema::ParseJsonSchema(kSchema, "s.json");
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  std::vector<quality::RuleSpec> rules(1);
  rules[0].name = "c_is_known";
  rules[0].expr = "c <> 'x'";
  auto classifier = quality::Classifier::Make(*schema, rules, {});
  ASSERT_TRUE(classifier.ok()) << classifier.status().ToString();
  const auto labels = CheckLabels(*schema, **classifier);
  ASSERT_EQ(labels.size(), (*classifier)->num_checks());
  EXPECT_EQ(labels.front(), (std::pair<std::string, std::string>{"a.b", "required"}));
  EXPECT_EQ(labels.back(), (std::pair<std::string, std::string>{"", "c_is_known"}));

  // rows: ok; above maximum and rule fails; not an integer; missing (required); unparseable.
  const std::vector<std::pair<const char*, const char*>> rows = {
      {"1", "y"}, {"9", "x"}, {"z", "y"}, {nullptr, "y"}, {"2", "y"}};
  Batch batch;
  for (const auto& f : schema->fields) batch.AddColumn(f.name);
  for (const auto& [ab, c] : rows) {
    size_t row = batch.AppendRow({}, "");
    if (ab) batch.SetCell(row, 0, CellKind::kText, ab);
    if (c) batch.SetCell(row, 1, CellKind::kText, c);
  }
  batch.SetParseError(4, "csv.field_count", "expected 2 fields");
  schema::TypeBatch(*schema, batch);
  quality::Grades grades;
  quality::EvalScratch scratch;
  (*classifier)->Classify(batch, grades, scratch);

  ValidationTally tally;
  tally.Add(batch, grades);
  tally.Add(batch, grades);  // two batches add up
  events::ValidationCounts counts;
  tally.AddTo(labels, counts);
  EXPECT_EQ(counts.rows, 10u);
  uint64_t tiers = 0;
  for (uint64_t n : counts.tiers) tiers += n;
  EXPECT_EQ(tiers, 10u);
  EXPECT_EQ(counts.tiers[static_cast<size_t>(Tier::kRejected)], 2u);  // the unparseable row
  using Key = std::pair<std::string, std::string>;
  EXPECT_EQ(counts.failures, (std::map<Key, uint64_t>{{{"a.b", "maximum"}, 2},
                                                      {{"a.b", "type"}, 2},
                                                      {{"a.b", "required"}, 2},
                                                      {{"", "c_is_known"}, 2},
                                                      {{"", "csv.field_count"}, 2}}));

  tally.Clear();
  events::ValidationCounts none;
  tally.AddTo(labels, none);
  EXPECT_EQ(none.rows, 0u);
  EXPECT_TRUE(none.failures.empty());
}

}  // namespace
}  // namespace assay::pipeline
