// Evaluation of compiled rules over hand-built batches: SQL three-valued logic, predicates,
// functions, time arithmetic against the reference time, and NULL for impossible arithmetic.

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <thread>

#include "core/value_parse.h"
#include "quality/rule_expr.h"
#include "quality/rule_test_util.h"

namespace assay::quality {
namespace {

using testing::Evaluate;
using testing::F;
using testing::N;
using testing::Null;
using testing::T;
using testing::TestBatch;
using testing::TypeFail;
using Outcomes = std::vector<uint8_t>;

// Every combination of two SQL booleans.
TestBatch TruthTable() {
  TestBatch t({{"p", FieldType::kBoolean}, {"q", FieldType::kBoolean}});
  const testing::Cell values[] = {true, false, Null{}};
  for (const auto& p : values) {
    for (const auto& q : values) t.Row({p, q});
  }
  return t;
}

TEST(RuleLogic, AndFollowsThreeValuedLogic) {
  // p:      T T T  F F F  N N N
  // q:      T F N  T F N  T F N
  EXPECT_EQ(Evaluate(TruthTable(), "p AND q"), (Outcomes{T, F, N, F, F, F, N, F, N}));
}

TEST(RuleLogic, OrFollowsThreeValuedLogic) {
  EXPECT_EQ(Evaluate(TruthTable(), "p OR q"), (Outcomes{T, T, T, T, F, N, T, N, N}));
}

TEST(RuleLogic, NotOfNullIsNull) {
  EXPECT_EQ(Evaluate(TruthTable(), "NOT p"), (Outcomes{F, F, F, T, T, T, N, N, N}));
}

TEST(RuleLogic, ConstantOperandsCombineWithColumns) {
  EXPECT_EQ(Evaluate(TruthTable(), "p AND NULL"), (Outcomes{N, N, N, F, F, F, N, N, N}));
  EXPECT_EQ(Evaluate(TruthTable(), "NULL OR q"), (Outcomes{T, N, N, T, N, N, T, N, N}));
  EXPECT_EQ(Evaluate(TruthTable(), "TRUE AND q"), (Outcomes{T, F, N, T, F, N, T, F, N}));
}

TEST(RuleLogic, IsNullAndIsTrueAreNeverNull) {
  TestBatch t = TruthTable();
  EXPECT_EQ(Evaluate(t, "p IS NULL"), (Outcomes{F, F, F, F, F, F, T, T, T}));
  EXPECT_EQ(Evaluate(t, "p IS NOT NULL"), (Outcomes{T, T, T, T, T, T, F, F, F}));
  EXPECT_EQ(Evaluate(t, "p IS TRUE"), (Outcomes{T, T, T, F, F, F, F, F, F}));
  EXPECT_EQ(Evaluate(t, "p IS NOT FALSE"), (Outcomes{T, T, T, F, F, F, T, T, T}));
}

TEST(RuleLogic, AFailedTypeCheckIsNull) {
  TestBatch t({{"a", FieldType::kInteger}});
  t.Row({5});
  t.Row({TypeFail{}});
  t.Row({Null{}});
  EXPECT_EQ(Evaluate(t, "a > 0"), (Outcomes{T, N, N}));
  EXPECT_EQ(Evaluate(t, "a IS NULL"), (Outcomes{F, T, T}));
}

TestBatch Numbers() {
  TestBatch t({{"a", FieldType::kInteger}, {"b", FieldType::kInteger}, {"x", FieldType::kNumber}});
  t.Row({1, 0, 1.5});
  t.Row({2, 2, 0.0});
  t.Row({3, Null{}, -2.5});
  t.Row({Null{}, 1, Null{}});
  return t;
}

TEST(RuleIn, MatchesAnyListedValue) {
  EXPECT_EQ(Evaluate(Numbers(), "a IN (1, 3)"), (Outcomes{T, F, T, N}));
  EXPECT_EQ(Evaluate(Numbers(), "a NOT IN (1, 3)"), (Outcomes{F, T, F, N}));
  EXPECT_EQ(Evaluate(Numbers(), "x IN (1, 1.5)"), (Outcomes{T, F, F, N}));
}

TEST(RuleIn, NullInTheListMakesANonMatchNull) {
  // SQL: 2 IN (1, NULL) is NULL (unknown), 1 IN (1, NULL) is TRUE.
  EXPECT_EQ(Evaluate(Numbers(), "a IN (1, NULL)"), (Outcomes{T, N, N, N}));
  // ... so NOT IN with a NULL never passes a row.
  EXPECT_EQ(Evaluate(Numbers(), "a NOT IN (1, NULL)"), (Outcomes{F, N, N, N}));
  EXPECT_EQ(Evaluate(Numbers(), "a IN (b, 3)"), (Outcomes{F, T, T, N}));
}

TEST(RuleIn, LongConstantListsFollowTheSameRules) {
  TestBatch t({{"a", FieldType::kInteger}, {"s", FieldType::kString}, {"x", FieldType::kNumber}});
  t.Row({1, "DE", 1.5});
  t.Row({99, "XX", 99.0});
  t.Row({Null{}, Null{}, Null{}});
  const std::string ints = "(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 3)";
  const std::string codes = "('AT', 'BE', 'DE', 'DK', 'ES', 'FI', 'FR', 'IE', 'IT', 'NL')";
  const std::string nums = "(1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5)";
  EXPECT_EQ(Evaluate(t, "a IN " + ints), (Outcomes{T, F, N}));
  EXPECT_EQ(Evaluate(t, "a NOT IN " + ints), (Outcomes{F, T, N}));
  EXPECT_EQ(Evaluate(t, "s IN " + codes), (Outcomes{T, F, N}));
  EXPECT_EQ(Evaluate(t, "x IN " + nums), (Outcomes{T, F, N}));
  const std::string with_null = "(1, 2, 3, 4, 5, 6, 7, NULL, 9)";
  EXPECT_EQ(Evaluate(t, "a IN " + with_null), (Outcomes{T, N, N}));
  EXPECT_EQ(Evaluate(t, "a NOT IN " + with_null), (Outcomes{F, N, N}));
}

TEST(RuleBetween, IncludesBothBounds) {
  EXPECT_EQ(Evaluate(Numbers(), "a BETWEEN 1 AND 2"), (Outcomes{T, T, F, N}));
  EXPECT_EQ(Evaluate(Numbers(), "a NOT BETWEEN 1 AND 2"), (Outcomes{F, F, T, N}));
  EXPECT_EQ(Evaluate(Numbers(), "x BETWEEN 0 AND a"), (Outcomes{F, T, F, N}));
  // A NULL bound decides only the rows the other bound cannot.
  EXPECT_EQ(Evaluate(Numbers(), "a BETWEEN b AND 2"), (Outcomes{T, T, F, N}));
}

TEST(RuleArithmetic, DivisionByZeroIsNull) {
  EXPECT_EQ(Evaluate(Numbers(), "a / b > 0"), (Outcomes{N, T, N, N}));
  EXPECT_EQ(Evaluate(Numbers(), "a // b > 0"), (Outcomes{N, T, N, N}));
  EXPECT_EQ(Evaluate(Numbers(), "a % b = 0"), (Outcomes{N, T, N, N}));
  EXPECT_EQ(Evaluate(Numbers(), "a / x > 0"), (Outcomes{T, N, F, N}));
  EXPECT_EQ(Evaluate(Numbers(), "1 / 0 IS NULL"), (Outcomes{T, T, T, T}));
}

TEST(RuleArithmetic, SlashIsFloatDivisionAndDoubleSlashIsInteger) {
  TestBatch t({{"a", FieldType::kInteger}});
  t.Row({7});
  t.Row({-7});
  EXPECT_EQ(Evaluate(t, "a / 2 = 3.5 OR a / 2 = -3.5"), (Outcomes{T, T}));
  EXPECT_EQ(Evaluate(t, "a // 2 = 3 OR a // 2 = -3"), (Outcomes{T, T}));  // truncates
  EXPECT_EQ(Evaluate(t, "a % 2 = 1 OR a % 2 = -1"), (Outcomes{T, T}));    // sign of a
}

TEST(RuleArithmetic, IntegerOverflowIsNull) {
  TestBatch t({{"a", FieldType::kInteger}});
  t.Row({int64_t{INT64_MAX}});
  t.Row({int64_t{INT64_MIN}});
  t.Row({1});
  EXPECT_EQ(Evaluate(t, "a + 1 > 0"), (Outcomes{N, F, T}));
  EXPECT_EQ(Evaluate(t, "a * 2 <> 0"), (Outcomes{N, N, T}));
  EXPECT_EQ(Evaluate(t, "-a <> 0"), (Outcomes{T, N, T}));
  EXPECT_EQ(Evaluate(t, "abs(a) > 0"), (Outcomes{T, N, T}));
  EXPECT_EQ(Evaluate(t, "a // -1 <> 0"), (Outcomes{T, N, T}));
}

TEST(RuleArithmetic, IntegersArePromotedToNumbers) {
  EXPECT_EQ(Evaluate(Numbers(), "a + x > 2"), (Outcomes{T, F, F, N}));
  EXPECT_EQ(Evaluate(Numbers(), "a = 1.0"), (Outcomes{T, F, F, N}));
}

// The rule of DESIGN.md §3a, on real numbers.
TEST(RuleConsistency, TotalMatchesLinesWithinOneCent) {
  TestBatch t({{"quantity", FieldType::kInteger},
               {"unit_price", FieldType::kNumber},
               {"total_amount", FieldType::kNumber}});
  t.Row({3, 19.99, 59.97});       // exact in decimal, not in binary
  t.Row({3, 19.99, 59.98});       // off by exactly one cent: still within tolerance
  t.Row({3, 19.99, 59.99});       // two cents
  t.Row({1, 0.1, 0.3});           // wrong
  t.Row({Null{}, 19.99, 59.97});  // quantity missing: not applicable
  t.Row({TypeFail{}, 19.99, 59.97});
  t.Row({10, 0.07, 0.7});
  EXPECT_EQ(Evaluate(t, "abs(quantity * unit_price - total_amount) <= 0.01"),
            (Outcomes{T, T, F, F, N, N, T}));
}

TEST(RuleApplicability, CoalesceMakesARuleApplicable) {
  TestBatch t({{"discount", FieldType::kNumber}});
  t.Row({0.5});
  t.Row({Null{}});
  t.Row({-1.0});
  EXPECT_EQ(Evaluate(t, "discount >= 0"), (Outcomes{T, N, F}));
  EXPECT_EQ(Evaluate(t, "coalesce(discount, 0) >= 0"), (Outcomes{T, T, F}));
  EXPECT_EQ(Evaluate(t, "discount IS NULL OR discount >= 0"), (Outcomes{T, T, F}));
}

constexpr int64_t kNow = 1772323200LL * 1'000'000;  // 2026-03-01T00:00:00Z

TEST(RuleTime, RecentComparesWithTheReferenceTimeAtTheBoundary) {
  TestBatch t({{"transaction_ts", FieldType::kTimestamp}});
  t.Row({"2026-01-30T00:00:00Z"});         // exactly 30 days before now
  t.Row({"2026-01-29T23:59:59.999999Z"});  // one microsecond earlier
  t.Row({"2026-02-28T12:00:00+01:00"});
  t.Row({Null{}});
  EXPECT_EQ(Evaluate(t, "transaction_ts >= now() - interval '30 days'", kNow),
            (Outcomes{T, F, T, N}));
  EXPECT_EQ(Evaluate(t, "transaction_ts > now() - interval '30 days'", kNow),
            (Outcomes{F, F, T, N}));
  EXPECT_EQ(Evaluate(t, "now() - transaction_ts <= interval '720 hours'", kNow),
            (Outcomes{T, F, T, N}));
  EXPECT_EQ(Evaluate(t, "transaction_ts >= current_timestamp - interval 30 day", kNow),
            (Outcomes{T, F, T, N}));
}

TEST(RuleTime, DatesPromoteToMidnightUtc) {
  TestBatch t({{"ts", FieldType::kTimestamp}, {"d", FieldType::kDate}});
  t.Row({"2026-01-01T00:00:00Z", "2026-01-01"});
  t.Row({"2026-01-01T00:00:01Z", "2026-01-01"});
  t.Row({"2025-12-31T23:59:59Z", "2026-01-01"});
  EXPECT_EQ(Evaluate(t, "ts = d"), (Outcomes{T, F, F}));
  EXPECT_EQ(Evaluate(t, "ts >= d"), (Outcomes{T, T, F}));
  EXPECT_EQ(Evaluate(t, "d = '2026-01-01' AND d < date '2026-01-02'"), (Outcomes{T, T, T}));
  EXPECT_EQ(Evaluate(t, "d + 1 = date '2026-01-02' AND d - date '2025-12-01' = 31"),
            (Outcomes{T, T, T}));
  EXPECT_EQ(Evaluate(t, "ts - d < interval '1 second'"), (Outcomes{T, F, T}));
  EXPECT_EQ(Evaluate(t, "d + interval '12 hours' > ts"), (Outcomes{T, T, T}));
  EXPECT_EQ(Evaluate(t, "d <= current_date", kNow), (Outcomes{T, T, T}));
  EXPECT_EQ(Evaluate(t, "date_trunc('day', ts) = d"), (Outcomes{T, T, F}));
  EXPECT_EQ(Evaluate(t, "date_trunc('month', ts) = timestamp '2025-12-01'"), (Outcomes{F, F, T}));
  EXPECT_EQ(Evaluate(t, "date_trunc('week', ts) = '2025-12-29'"), (Outcomes{T, T, T}));
  EXPECT_EQ(Evaluate(t, "CAST(ts AS date) = d"), (Outcomes{T, T, F}));
}

TestBatch Strings() {
  TestBatch t({{"s", FieldType::kString}});
  t.Row({"apple"});
  t.Row({"a%b"});
  t.Row({"axb"});
  t.Row({"Apple pie"});
  t.Row({"é!"});
  t.Row({""});
  t.Row({Null{}});
  return t;
}

TEST(RuleLike, PercentAndUnderscoreAreWildcards) {
  EXPECT_EQ(Evaluate(Strings(), "s LIKE 'a%'"), (Outcomes{T, T, T, F, F, F, N}));
  EXPECT_EQ(Evaluate(Strings(), "s LIKE 'a_b'"), (Outcomes{F, T, T, F, F, F, N}));
  EXPECT_EQ(Evaluate(Strings(), "s LIKE '%p%e'"), (Outcomes{T, F, F, T, F, F, N}));
  EXPECT_EQ(Evaluate(Strings(), "s LIKE '__'"), (Outcomes{F, F, F, F, T, F, N}));  // é is one
  EXPECT_EQ(Evaluate(Strings(), "s LIKE ''"), (Outcomes{F, F, F, F, F, T, N}));
  EXPECT_EQ(Evaluate(Strings(), "s LIKE '%'"), (Outcomes{T, T, T, T, T, T, N}));
  EXPECT_EQ(Evaluate(Strings(), "s NOT LIKE 'a%'"), (Outcomes{F, F, F, T, T, T, N}));
}

TEST(RuleLike, EscapesMakeWildcardsLiteral) {
  EXPECT_EQ(Evaluate(Strings(), "s LIKE 'a\\%b'"), (Outcomes{F, T, F, F, F, F, N}));
  EXPECT_EQ(Evaluate(Strings(), "s LIKE 'a!%b' ESCAPE '!'"), (Outcomes{F, T, F, F, F, F, N}));
  EXPECT_EQ(Evaluate(Strings(), "s LIKE '%!!' ESCAPE '!'"), (Outcomes{F, F, F, F, T, F, N}));
}

TEST(RuleLike, IlikeIgnoresCase) {
  EXPECT_EQ(Evaluate(Strings(), "s ILIKE 'APPLE%'"), (Outcomes{T, F, F, T, F, F, N}));
  EXPECT_EQ(Evaluate(Strings(), "s LIKE 'APPLE%'"), (Outcomes{F, F, F, F, F, F, N}));
}

TEST(RuleRegex, MatchesAnywhereUnlessAnchored) {
  EXPECT_EQ(Evaluate(Strings(), "regexp_matches(s, 'pp')"), (Outcomes{T, F, F, T, F, F, N}));
  EXPECT_EQ(Evaluate(Strings(), "regexp_matches(s, '^a.b$')"), (Outcomes{F, T, T, F, F, F, N}));
  EXPECT_EQ(Evaluate(Strings(), "regexp_matches(s, '^apple', 'i')"),
            (Outcomes{T, F, F, T, F, F, N}));
  TestBatch t({{"id", FieldType::kString}});
  t.Row({"TX-0123456789"});
  t.Row({"TX-123"});
  EXPECT_EQ(Evaluate(t, "regexp_matches(id, '^TX-[0-9]{10}$')"), (Outcomes{T, F}));
}

TEST(RuleCase, SearchedCaseTakesTheFirstTrueBranch) {
  EXPECT_EQ(Evaluate(Numbers(), "CASE WHEN a = 1 THEN 'one' WHEN a >= 1 THEN 'many' END = 'many'"),
            (Outcomes{F, T, T, N}));
  EXPECT_EQ(Evaluate(Numbers(), "CASE WHEN b = 0 THEN TRUE ELSE a > 2 END"),
            (Outcomes{T, F, T, N}));
  // A NULL condition is not true: the ELSE applies.
  EXPECT_EQ(Evaluate(Numbers(), "CASE WHEN b > 0 THEN 1 ELSE 2 END = 2"), (Outcomes{T, F, T, F}));
  // Branches compute over NULLs and zeros without harm; only the taken value counts.
  EXPECT_EQ(Evaluate(Numbers(), "CASE WHEN b = 0 THEN NULL ELSE a / b END >= 1"),
            (Outcomes{N, T, N, N}));
}

TEST(RuleCase, SimpleCaseComparesTheOperand) {
  EXPECT_EQ(Evaluate(Numbers(), "CASE a WHEN 1 THEN x > 1 WHEN 2 THEN b = 2 ELSE FALSE END"),
            (Outcomes{T, T, F, F}));
  EXPECT_EQ(Evaluate(Numbers(), "CASE a WHEN 1 THEN 10 WHEN 2 THEN 20 END > 5"),
            (Outcomes{T, T, N, N}));
}

TEST(RuleFunctions, StringFunctions) {
  TestBatch t({{"s", FieldType::kString}, {"n", FieldType::kAny}});
  t.Row({"  Hello World \t", "12"});
  t.Row({"ÉCOLE", "x"});
  t.Row({Null{}, " 7 "});
  EXPECT_EQ(Evaluate(t, "trim(s) = 'Hello World'"), (Outcomes{T, F, N}));
  EXPECT_EQ(Evaluate(t, "ltrim(s) = 'Hello World \t' AND rtrim(s) = '  Hello World'"),
            (Outcomes{T, F, N}));
  EXPECT_EQ(Evaluate(t, "lower(trim(s)) = 'hello world'"), (Outcomes{T, F, N}));
  EXPECT_EQ(Evaluate(t, "upper(s) = '  HELLO WORLD \t'"), (Outcomes{T, F, N}));
  // ASCII letters only: É stays as it is.
  EXPECT_EQ(Evaluate(t, "lower(s) = 'École'"), (Outcomes{F, T, N}));
  EXPECT_EQ(Evaluate(t, "length(s) = 15 OR length(s) = 5"), (Outcomes{T, T, N}));
  EXPECT_EQ(Evaluate(t, "starts_with(trim(s), 'Hell') AND ends_with(s, '\t')"),
            (Outcomes{T, F, N}));
  EXPECT_EQ(Evaluate(t, "contains(s, 'CO')"), (Outcomes{F, T, N}));
  EXPECT_EQ(Evaluate(t, "substr(trim(s), 7) = 'World' OR substr(s, 1, 2) = 'ÉC'"),
            (Outcomes{T, T, N}));
  EXPECT_EQ(Evaluate(t, "trim(s) || '!' || n = 'Hello World!12'"), (Outcomes{T, F, N}));
  EXPECT_EQ(Evaluate(t, "CAST(n AS integer) > 5"), (Outcomes{T, N, T}));
  EXPECT_EQ(Evaluate(t, "TRY_CAST(n AS number) = 12"), (Outcomes{T, N, F}));
  EXPECT_EQ(Evaluate(t, "nullif(n, 'x') IS NULL"), (Outcomes{F, T, F}));
}

TEST(RuleFunctions, NumericFunctions) {
  TestBatch t({{"x", FieldType::kNumber}, {"a", FieldType::kInteger}});
  t.Row({2.345, 3});
  t.Row({-2.5, -4});
  t.Row({Null{}, 0});
  EXPECT_EQ(Evaluate(t, "round(x, 2) = 2.35 OR round(x) = -3"), (Outcomes{T, T, N}));
  EXPECT_EQ(Evaluate(t, "floor(x) = 2 OR ceil(x) = -2"), (Outcomes{T, T, N}));
  EXPECT_EQ(Evaluate(t, "round(a) = a AND abs(a) >= 0"), (Outcomes{T, T, T}));
  EXPECT_EQ(Evaluate(t, "greatest(x, a) = 3"), (Outcomes{T, F, F}));
  EXPECT_EQ(Evaluate(t, "least(x, a, 100) = -4"), (Outcomes{F, T, F}));
  EXPECT_EQ(Evaluate(t, "coalesce(x, a) = 0"), (Outcomes{F, F, T}));
  EXPECT_EQ(Evaluate(t, "CAST(x AS integer) = 2 OR CAST(x AS integer) = -3"), (Outcomes{T, T, N}));
  EXPECT_EQ(Evaluate(t, "CAST(a AS string) || '' = '-4'"), (Outcomes{F, T, F}));
}

TEST(RuleFunctions, AnyFieldsReadTheirText) {
  TestBatch t({{"code", FieldType::kAny}});
  t.Row({"USD"});
  t.Row({"usd"});
  EXPECT_EQ(Evaluate(t, "code IN ('USD', 'EUR')"), (Outcomes{T, F}));
  EXPECT_EQ(Evaluate(t, "upper(code) IN ('USD', 'EUR')"), (Outcomes{T, T}));
}

TEST(RuleEvaluate, ResultsAreRightAcrossChunks) {
  TestBatch t({{"a", FieldType::kInteger}, {"s", FieldType::kString}});
  const int rows = 5000;
  for (int i = 0; i < rows; ++i) {
    if (i % 11 == 0) {
      t.Row({Null{}, "x"});
    } else {
      t.Row({i, i % 2 ? "odd" : "even"});
    }
  }
  auto out = Evaluate(t, "a % 7 = 0 OR lower(s) || 'x' = 'oddx'");
  ASSERT_EQ(out.size(), static_cast<size_t>(rows));
  for (int i = 0; i < rows; ++i) {
    uint8_t expected = i % 11 == 0 ? F : (i % 7 == 0 || i % 2 == 1) ? T : F;
    if (i % 11 == 0) expected = N;  // NULL OR FALSE
    ASSERT_EQ(out[static_cast<size_t>(i)], expected) << "row " << i;
  }
}

TEST(RuleEvaluate, UntypedColumnsReadAsNull) {
  TestBatch t({{"a", FieldType::kInteger}});
  t.Row({1});
  t.Row({2});
  Column& col = t.mutable_batch().column(0);
  col.valid.resize(1);  // the typer filled only the first row
  EXPECT_EQ(Evaluate(t, "a > 0"), (Outcomes{T, N}));
  col.valid.clear();
  col.i64.clear();
  EXPECT_EQ(Evaluate(t, "a > 0"), (Outcomes{N, N}));
}

TEST(RuleEvaluate, OneScratchServesManyRulesAndThreads) {
  TestBatch t({{"a", FieldType::kInteger}, {"x", FieldType::kNumber}});
  for (int i = 0; i < 3000; ++i) t.Row({i, i * 0.5});
  auto small = CompiledRule::Compile("a > 10", t.fields(), {});
  auto big = CompiledRule::Compile(
      "CASE WHEN a % 3 = 0 THEN x * 2 ELSE coalesce(x, 0) + a END BETWEEN 10 AND 2000", t.fields(),
      {});
  ASSERT_TRUE(small.ok() && big.ok());
  std::vector<uint8_t> expected(3000), got(3000);
  {
    RuleScratch scratch;
    (*big)->Evaluate(t.batch(), expected, scratch);
    (*small)->Evaluate(t.batch(), got, scratch);
    (*big)->Evaluate(t.batch(), got, scratch);
    EXPECT_EQ(got, expected);
  }
  std::vector<std::vector<uint8_t>> results(4, std::vector<uint8_t>(3000));
  std::vector<std::thread> threads;
  threads.reserve(results.size());
  for (auto& result : results) {
    threads.emplace_back([&] {
      RuleScratch scratch;
      for (int k = 0; k < 20; ++k) (*big)->Evaluate(t.batch(), result, scratch);
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& result : results) EXPECT_EQ(result, expected);
}

// Not a benchmark (see bench/ for those): a coarse guard that evaluation stays columnar.
TEST(RuleEvaluate, AbsRuleThroughputOverAMillionRows) {
  const size_t rows = 1'000'000;
  Batch batch;
  size_t q = batch.AddColumn("quantity", FieldType::kInteger);
  size_t p = batch.AddColumn("unit_price", FieldType::kNumber);
  size_t total = batch.AddColumn("total_amount", FieldType::kNumber);
  for (size_t i = 0; i < rows; ++i) batch.AppendRow(RowOrigin{}, "");
  for (size_t c : {q, p, total}) {
    Column& col = batch.column(c);
    col.valid.assign(rows, 1);
    col.i64.resize(rows);
    col.f64.resize(rows);
  }
  for (size_t i = 0; i < rows; ++i) {
    batch.column(q).i64[i] = static_cast<int64_t>(i % 10 + 1);
    batch.column(p).f64[i] = 1.25 * static_cast<double>(i % 100);
    batch.column(total).f64[i] =
        static_cast<double>(i % 10 + 1) * 1.25 * static_cast<double>(i % 100) + (i % 3 ? 0 : 1);
    if (i % 97 == 0) batch.column(q).valid[i] = 0;
  }
  std::vector<RuleField> fields = {{"quantity", FieldType::kInteger, q},
                                   {"unit_price", FieldType::kNumber, p},
                                   {"total_amount", FieldType::kNumber, total}};
  auto rule =
      CompiledRule::Compile("abs(quantity * unit_price - total_amount) <= 0.01", fields, {});
  ASSERT_TRUE(rule.ok());
  std::vector<uint8_t> out(rows);
  RuleScratch scratch;
  (*rule)->Evaluate(batch, out, scratch);  // warm-up: grows the scratch
  const auto start = std::chrono::steady_clock::now();
  const int runs = 5;
  for (int r = 0; r < runs; ++r) (*rule)->Evaluate(batch, out, scratch);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() / runs;
  size_t passed = 0, failed = 0, nulls = 0;
  for (uint8_t v : out) (v == T ? passed : v == F ? failed : nulls)++;
  EXPECT_EQ(nulls, (rows + 96) / 97);
  EXPECT_GT(passed, 0u);
  EXPECT_GT(failed, 0u);
  std::printf("abs rule: %.0f rows/s (%.2f ms per 1M rows)\n", rows / seconds, seconds * 1e3);
}

}  // namespace
}  // namespace assay::quality
