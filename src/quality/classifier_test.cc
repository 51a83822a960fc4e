#include "quality/classifier.h"

#include <gtest/gtest.h>

#include "schema/json_schema.h"
#include "schema/typer.h"

namespace assay::quality {
namespace {

using schema::Schema;

// DESIGN.md §3a's example schema.
constexpr std::string_view kSchema = R"({"type": "object",
  "required": ["transaction_id", "quantity", "currency"],
  "properties": {
    "transaction_id": {"type": "string", "pattern": "^TX-[0-9]{10}$",
                       "x-severity": {"required": "critical"}},
    "quantity":       {"type": "integer", "minimum": 1, "maximum": 1000},
    "currency":       {"type": "string", "enum": ["USD", "EUR", "GBP", "JPY"],
                       "x-severity": {"required": "warning"}},
    "transaction_ts": {"type": "string", "format": "date-time",
                       "x-severity": {"type": "critical"}} } })";

struct Graded {
  Tier tier;
  double score;
  std::vector<std::string> failed;
};

class ClassifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<Schema> s = schema::ParseJsonSchema(kSchema, "s.json");
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    schema_ = std::move(s).value();
  }

  // Grades one CSV-like row; nullptr = null cell.
  Graded Grade(std::initializer_list<const char*> cells, ClassifierOptions options = {}) {
    Batch batch;
    for (const auto& f : schema_.fields) batch.AddColumn(f.name);
    size_t row = batch.AppendRow({}, "");
    size_t c = 0;
    for (const char* cell : cells) {
      if (cell) batch.SetCell(row, c, CellKind::kText, cell);
      ++c;
    }
    schema::TypeBatch(schema_, batch);
    Result<std::unique_ptr<Classifier>> classifier = Classifier::Make(schema_, {}, options);
    EXPECT_TRUE(classifier.ok()) << classifier.status().ToString();
    Grades grades;
    EvalScratch scratch;
    (*classifier)->Classify(batch, grades, scratch);
    Graded g{grades.tier[0], grades.score[0], {}};
    for (uint16_t id : grades.failed_checks(0))
      g.failed.push_back((*classifier)->check(id).info().name);
    return g;
  }

  Schema schema_;
};

TEST_F(ClassifierTest, CleanRowIsGoldWithScoreOne) {
  Graded g = Grade({"TX-0000000001", "5", "USD", "2026-11-24T10:00:00Z"});
  EXPECT_EQ(g.tier, Tier::kGold);
  EXPECT_DOUBLE_EQ(g.score, 1.0);
  EXPECT_TRUE(g.failed.empty());
}

TEST_F(ClassifierTest, CriticalFailureRejects) {
  Graded missing_id = Grade({nullptr, "5", "USD", "2026-11-24T10:00:00Z"});
  EXPECT_EQ(missing_id.tier, Tier::kRejected);
  EXPECT_EQ(missing_id.failed, std::vector<std::string>{"transaction_id.required"});
  Graded bad_ts = Grade({"TX-0000000001", "5", "USD", "yesterday"});
  EXPECT_EQ(bad_ts.tier, Tier::kRejected);
  EXPECT_EQ(bad_ts.failed, std::vector<std::string>{"transaction_ts.type"});
}

TEST_F(ClassifierTest, NullIsCountedOnceByCompleteness) {
  // quantity null: quantity.required fails (error); type/minimum/maximum are not applicable.
  // completeness 2/3, schema 3/3 (id, currency, ts types), accuracy 2/2 (pattern, enum).
  Graded g = Grade({"TX-0000000001", nullptr, "USD", "2026-11-24T10:00:00Z"});
  EXPECT_EQ(g.failed, std::vector<std::string>{"quantity.required"});
  EXPECT_NEAR(g.score, (2.0 / 3 + 1 + 1) / 3, 1e-12);
  EXPECT_EQ(g.tier, Tier::kSilver);  // 0.888…: an error-severity failure keeps it out of gold
}

TEST_F(ClassifierTest, TypeFailureMakesValueChecksNotApplicable) {
  // quantity "12,50": quantity.type fails; minimum/maximum are not applicable.
  // completeness 3/3, schema 3/4, accuracy 2/2 -> (1 + 0.75 + 1) / 3 = 0.9166…
  Graded g = Grade({"TX-0000000001", "12,50", "USD", "2026-11-24T10:00:00Z"});
  EXPECT_EQ(g.failed, std::vector<std::string>{"quantity.type"});
  EXPECT_NEAR(g.score, 2.75 / 3, 1e-12);
  EXPECT_EQ(g.tier, Tier::kSilver);
}

TEST_F(ClassifierTest, WarningDoesNotBlockGold) {
  // currency missing: currency.required is a warning. completeness 2/3; schema 3/3 (currency
  // type not applicable); accuracy: pattern, minimum, maximum 3/3 -> (2/3 + 1 + 1)/3 = 0.888…
  Graded g = Grade({"TX-0000000001", "5", nullptr, "2026-11-24T10:00:00Z"});
  EXPECT_EQ(g.failed, std::vector<std::string>{"currency.required"});
  EXPECT_EQ(g.tier, Tier::kSilver);  // score below 0.95
  ClassifierOptions lenient;
  lenient.gold_min_score = 0.85;
  EXPECT_EQ(Grade({"TX-0000000001", "5", nullptr, "2026-11-24T10:00:00Z"}, lenient).tier,
            Tier::kGold);  // a warning alone does not keep a row out of gold
}

TEST_F(ClassifierTest, ErrorFailureBlocksGoldEvenAboveThreshold) {
  ClassifierOptions options;
  options.gold_min_score = 0.5;
  Graded g = Grade({"TX-0000000001", "5000", "USD", "2026-11-24T10:00:00Z"}, options);
  EXPECT_EQ(g.failed, std::vector<std::string>{"quantity.maximum"});
  EXPECT_EQ(g.tier, Tier::kSilver);
}

TEST_F(ClassifierTest, ThresholdsAreInclusiveWithTolerance) {
  ClassifierOptions o;
  EXPECT_EQ(Classifier::TierFor(false, false, false, 0.95, o), Tier::kGold);
  EXPECT_EQ(Classifier::TierFor(false, false, false, 0.95 - 1e-10, o), Tier::kGold);
  EXPECT_EQ(Classifier::TierFor(false, false, false, 0.9499, o), Tier::kSilver);
  EXPECT_EQ(Classifier::TierFor(false, false, true, 1.0, o), Tier::kSilver);
  EXPECT_EQ(Classifier::TierFor(false, false, true, 4.0 / 5, o), Tier::kSilver);  // exactly 0.8
  EXPECT_EQ(Classifier::TierFor(false, false, true, 0.7999, o), Tier::kBronze);
  EXPECT_EQ(Classifier::TierFor(false, true, false, 1.0, o), Tier::kRejected);
  EXPECT_EQ(Classifier::TierFor(true, false, false, 1.0, o), Tier::kRejected);
}

TEST_F(ClassifierTest, ManyFailuresFallToBronze) {
  // pattern, quantity.maximum and currency.enum fail (errors); quantity.minimum passes:
  // completeness 3/3, schema 4/4, accuracy 1/4 -> (1 + 1 + 0.25) / 3 = 0.75
  Graded g = Grade({"tx-1", "5000", "XXX", "2026-11-24T10:00:00Z"});
  EXPECT_EQ(g.failed, (std::vector<std::string>{"transaction_id.pattern", "quantity.maximum",
                                                "currency.enum"}));
  EXPECT_NEAR(g.score, 0.75, 1e-12);
  EXPECT_EQ(g.tier, Tier::kBronze);
}

TEST_F(ClassifierTest, DimensionWeightsChangeTheMean) {
  ClassifierOptions o;
  o.weights[static_cast<size_t>(schema::Dimension::kAccuracy)] = 2;
  // completeness 1, schema 1, accuracy 0.25 (weight 2) -> (1 + 1 + 0.5) / 4 = 0.625
  Graded g = Grade({"tx-1", "5000", "XXX", "2026-11-24T10:00:00Z"}, o);
  EXPECT_NEAR(g.score, 0.625, 1e-12);
}

TEST_F(ClassifierTest, ParseErrorRowIsRejectedWithoutCheckNoise) {
  Batch batch;
  for (const auto& f : schema_.fields) batch.AddColumn(f.name);
  size_t row = batch.AppendRow({}, "\"broken");
  batch.SetParseError(row, "csv.unterminated_quote", "unterminated quote");
  schema::TypeBatch(schema_, batch);
  auto classifier = Classifier::Make(schema_, {}, {});
  ASSERT_TRUE(classifier.ok());
  Grades grades;
  EvalScratch scratch;
  (*classifier)->Classify(batch, grades, scratch);
  EXPECT_EQ(grades.tier[0], Tier::kRejected);
  EXPECT_TRUE(grades.failed_checks(0).empty());
}

TEST(ClassifierRules, RulesScoreInTheirDimensionAndNullIsNotApplicable) {
  Result<Schema> s = schema::ParseJsonSchema(R"({"type":"object","properties":{
      "quantity":{"type":"integer"}, "unit_price":{"type":"number"},
      "total_amount":{"type":"number"}, "transaction_ts":{"type":"string","format":"date-time"}}})",
                                             "s.json");
  ASSERT_TRUE(s.ok());
  std::vector<RuleSpec> rules = {
      {"total_matches_lines", schema::Dimension::kConsistency, schema::Severity::kError,
       "abs(quantity * unit_price - total_amount) <= 0.01", ""},
      {"recent", schema::Dimension::kTimeliness, schema::Severity::kWarning,
       "transaction_ts >= now() - interval '30 days'", ""}};
  ClassifierOptions options;
  options.now_us = 1'795'515'330'000'000;  // 2026-11-24T10:15:30Z
  auto classifier = Classifier::Make(*s, rules, options);
  ASSERT_TRUE(classifier.ok()) << classifier.status().ToString();
  Batch batch;
  for (const auto& f : s->fields) batch.AddColumn(f.name);
  auto row = [&](const char* q, const char* p, const char* t, const char* ts) {
    size_t r = batch.AppendRow({}, "");
    const char* cells[] = {q, p, t, ts};
    for (size_t c = 0; c < 4; ++c) {
      if (cells[c]) batch.SetCell(r, c, CellKind::kText, cells[c]);
    }
  };
  row("3", "9.99", "29.97", "2026-11-20T00:00:00Z");   // consistent and recent
  row("3", "9.99", "30.00", "2026-11-20T00:00:00Z");   // inconsistent: error
  row("3", nullptr, "30.00", "2026-01-01T00:00:00Z");  // rule n/a (null); old: warning
  row("3", "9.99", "29.97", "2026-10-25T10:15:30Z");   // exactly 30 days: still recent
  schema::TypeBatch(*s, batch);
  Grades g;
  EvalScratch scratch;
  (*classifier)->Classify(batch, g, scratch);
  EXPECT_EQ(g.tier[0], Tier::kGold);
  // schema 4/4, consistency 0/1, timeliness 1/1 -> 2/3: below silver's 0.8.
  EXPECT_NEAR(g.score[1], 2.0 / 3, 1e-12);
  EXPECT_EQ(g.tier[1], Tier::kBronze);
  EXPECT_EQ(g.failed_checks(1).size(), 1u);
  EXPECT_EQ((*classifier)->check(g.failed_checks(1)[0]).info().name, "total_matches_lines");
  // Row 2: total_matches_lines is NULL (not applicable); recent fails: schema 3/3,
  // timeliness 0/1 -> 0.5; only a warning failed but the score is low.
  EXPECT_NEAR(g.score[2], 0.5, 1e-12);
  EXPECT_EQ(g.tier[2], Tier::kBronze);
  EXPECT_EQ(g.tier[3], Tier::kGold);
}

}  // namespace
}  // namespace assay::quality
