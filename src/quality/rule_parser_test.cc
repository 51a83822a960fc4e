// Parsing, name resolution and type checking of rule expressions: precedence, literal forms,
// and every class of compile-time error with its column.

#include <gtest/gtest.h>

#include <random>
#include <regex>
#include <string>

#include "quality/rule_expr.h"
#include "quality/rule_test_util.h"

namespace assay::quality {
namespace {

using testing::TestBatch;

std::vector<RuleField> Fields() {
  return {
      {"a", FieldType::kInteger, 0},          {"b", FieldType::kInteger, 1},
      {"c", FieldType::kInteger, 2},          {"x", FieldType::kBoolean, 3},
      {"y", FieldType::kBoolean, 4},          {"z", FieldType::kBoolean, 5},
      {"s", FieldType::kString, 6},           {"t", FieldType::kString, 7},
      {"ts", FieldType::kTimestamp, 8},       {"d", FieldType::kDate, 9},
      {"price", FieldType::kNumber, 10},      {"quantity", FieldType::kInteger, 11},
      {"unit_price", FieldType::kNumber, 12}, {"total_amount", FieldType::kNumber, 13},
      {"order id", FieldType::kInteger, 14},  {"end", FieldType::kInteger, 15},
      {"date", FieldType::kDate, 16},         {"anything", FieldType::kAny, 17},
  };
}

// 2026-03-01T00:00:00Z
constexpr int64_t kNow = 1772323200LL * 1'000'000;

// The typed, folded tree of `expr`, or the error message.
std::string Tree(std::string_view expr) {
  auto fields = Fields();
  auto rule = CompiledRule::Compile(expr, fields, RuleOptions{"r", kNow});
  if (!rule.ok()) return "ERROR: " + rule.status().message();
  return (*rule)->DebugString();
}

Status CompileError(std::string_view expr, std::string_view name = "r") {
  auto fields = Fields();
  auto rule = CompiledRule::Compile(expr, fields, RuleOptions{name, kNow});
  if (rule.ok()) return Status::Ok();
  return rule.status();
}

// The column an error message points at (from "at column N"), or 0.
int ErrorColumn(const Status& status) {
  std::smatch m;
  static const std::regex kColumn("at (?:line \\d+, )?column (\\d+)");
  const std::string& msg = status.message();
  if (!std::regex_search(msg, m, kColumn)) return 0;
  return std::stoi(m[1]);
}

TEST(RuleParser, MultiplicationBindsTighterThanAddition) {
  EXPECT_EQ(Tree("a + b * c > 0"), "(> (+ a (* b c)) 0)");
  EXPECT_EQ(Tree("(a + b) * c > 0"), "(> (* (+ a b) c) 0)");
}

TEST(RuleParser, SubtractionIsLeftAssociative) {
  EXPECT_EQ(Tree("a - b - c = 0"), "(= (- (- a b) c) 0)");
  EXPECT_EQ(Tree("a // b % c = 0"), "(= (% (// a b) c) 0)");
}

TEST(RuleParser, UnaryMinusBindsTighterThanMultiplication) {
  EXPECT_EQ(Tree("-a * b = 0"), "(= (* (neg a) b) 0)");
  EXPECT_EQ(Tree("- -a = 0"), "(= (neg (neg a)) 0)");
}

TEST(RuleParser, NotBindsLooserThanComparisonAndTighterThanAnd) {
  EXPECT_EQ(Tree("NOT a = b"), "(not (= a b))");
  EXPECT_EQ(Tree("x OR y AND NOT z"), "(or x (and y (not z)))");
  EXPECT_EQ(Tree("a = 1 OR b = 2 AND c = 3"), "(or (= a 1) (and (= b 2) (= c 3)))");
}

TEST(RuleParser, ConcatBindsBetweenAdditionAndComparison) {
  EXPECT_EQ(Tree("s || t = 'ab'"), "(= (|| s t) 'ab')");
  EXPECT_EQ(Tree("s || a + 1 = 'x2'"), "(= (|| s (cast:string (+ a 1))) 'x2')");
}

TEST(RuleParser, BetweenTakesItsAndBeforeLogicalAnd) {
  EXPECT_EQ(Tree("a BETWEEN 1 AND 2 AND x"), "(and (between a 1 2) x)");
  EXPECT_EQ(Tree("a NOT BETWEEN b - 1 AND b + 1"), "(not-between a (- b 1) (+ b 1))");
}

TEST(RuleParser, PredicatesParse) {
  EXPECT_EQ(Tree("a IS NULL"), "(is-null a)");
  EXPECT_EQ(Tree("a IS NOT NULL OR x IS NOT TRUE"), "(or (is-not-null a) (is-not-true x))");
  EXPECT_EQ(Tree("a NOT IN (1, 2, 3)"), "(not-in a 1 2 3)");
  EXPECT_EQ(Tree("s LIKE 'a%'"), "(like s 'a%')");
  EXPECT_EQ(Tree("s NOT ILIKE 'a%'"), "(not-ilike s 'a%')");
  EXPECT_EQ(Tree("CASE WHEN a > 1 THEN 'big' ELSE 'small' END = s"),
            "(= (case (> a 1) 'big' 'small') s)");
  EXPECT_EQ(Tree("CASE a WHEN 1 THEN x END"), "(case a 1 x)");
}

TEST(RuleParser, KeywordsAreCaseInsensitive) {
  EXPECT_EQ(Tree("a between 1 aNd 2 and x Is Not Null"), "(and (between a 1 2) (is-not-null x))");
  EXPECT_EQ(Tree("ABS(a) > 0"), "(> (abs a) 0)");
}

TEST(RuleParser, FieldNamesAreCaseSensitive) {
  EXPECT_NE(Tree("A > 0").find("unknown field 'A'"), std::string::npos);
  EXPECT_NE(Tree("A > 0").find("did you mean 'a'?"), std::string::npos);
}

TEST(RuleParser, QuotedIdentifiersNameAnyField) {
  EXPECT_EQ(Tree("\"order id\" > 0"), "(> order id 0)");
  EXPECT_EQ(Tree("\"end\" > 0"), "(> end 0)");
  // `date` is a field when no literal follows it.
  EXPECT_EQ(Tree("date > DATE '2026-01-01'"), "(> date date:20454)");
}

TEST(RuleParser, ConstantsAreFolded) {
  EXPECT_EQ(Tree("a > 1 + 2 * 3"), "(> a 7)");
  EXPECT_EQ(Tree("ts >= now() - interval '30 days'"), "(>= ts ts:1769731200000000)");
  EXPECT_EQ(Tree("s = lower('ABC') || 'd'"), "(= s 'abcd')");
  EXPECT_EQ(Tree("a > 7 / 2"), "(> (cast:number a) 3.5)");
  EXPECT_EQ(Tree("a > 7 // 2"), "(> a 3)");
}

TEST(RuleParser, IntervalLiteralForms) {
  const std::string expected = "(>= ts ts:" + std::to_string(kNow - 93600LL * 1'000'000) + ")";
  EXPECT_EQ(Tree("ts >= now() - interval '1 day 2 hours'"), expected);
  EXPECT_EQ(Tree("ts >= now() - INTERVAL '26 hours'"), expected);
  EXPECT_EQ(Tree("ts >= now() - interval 26 hour"), expected);
  EXPECT_EQ(Tree("ts >= now() - interval '26' hours"), expected);
  EXPECT_EQ(Tree("ts >= now() - interval '1.5 minutes' * 1"),
            "(>= ts ts:" + std::to_string(kNow - 90'000'000) + ")");
  EXPECT_EQ(Tree("ts >= now() - interval '1 week'"),
            "(>= ts ts:" + std::to_string(kNow - 7 * kMicrosPerDay) + ")");
}

TEST(RuleParser, TypedAndComparedLiteralsAreParsed) {
  EXPECT_EQ(Tree("ts > timestamp '2026-01-01T00:00:00Z'"), "(> ts ts:1767225600000000)");
  EXPECT_EQ(Tree("ts > '2026-01-01T01:00:00+01:00'"), "(> ts ts:1767225600000000)");
  EXPECT_EQ(Tree("d = '2026-01-01'"), "(= d date:20454)");
  // A date compared with a timestamp is promoted to midnight UTC.
  EXPECT_EQ(Tree("d < ts"), "(< (cast:timestamp d) ts)");
  EXPECT_EQ(Tree("d < '2026-01-01T12:00:00Z'"), "(< (cast:timestamp d) ts:1767268800000000)");
}

TEST(RuleParser, StringLiteralsUnescapeDoubledQuotes) {
  EXPECT_EQ(Tree("s = 'it''s'"), "(= s 'it's')");
  EXPECT_EQ(Tree("s = ''"), "(= s '')");
}

TEST(RuleParser, NumbersAndComments) {
  EXPECT_EQ(Tree("price > 1.5e2 -- a comment"), "(> price 150.0)");
  EXPECT_EQ(Tree("price > .5"), "(> price 0.5)");
  EXPECT_EQ(Tree("price > 99999999999999999999"), "(> price 1e+20)");
  EXPECT_EQ(Tree("a = -9223372036854775807"), "(= a -9223372036854775807)");
}

TEST(RuleParser, CastForms) {
  EXPECT_EQ(Tree("CAST(s AS integer) > 1"), "(> (cast:integer s) 1)");
  EXPECT_EQ(Tree("s::int > 1"), "(> (cast:integer s) 1)");
  EXPECT_EQ(Tree("TRY_CAST(anything AS double precision) > 1"), "(> (cast:number anything) 1.0)");
  EXPECT_EQ(Tree("CAST(price AS decimal(10, 2)) > 1"), "(> price 1.0)");
  EXPECT_EQ(Tree("CAST('12' AS integer) = a"), "(= 12 a)");
}

TEST(RuleParser, ReferencedFieldsAreListedOnceInOrder) {
  auto fields = Fields();
  auto rule = CompiledRule::Compile("b > a AND a < c + b", fields, RuleOptions{});
  ASSERT_TRUE(rule.ok());
  EXPECT_EQ((*rule)->referenced_fields(), (std::vector<std::string>{"b", "a", "c"}));
}

TEST(RuleErrors, UnknownFunctionShowsColumnAndCaret) {
  Status st =
      CompileError("abz(quantity * unit_price - total_amount) <= 0.01", "total_matches_lines");
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message(),
            "rule 'total_matches_lines': unknown function 'abz' (did you mean 'abs'?) at column 1\n"
            "  abz(quantity * unit_price - total_amount) <= 0.01\n"
            "  ^");
}

TEST(RuleErrors, CaretPointsAtTheOffendingToken) {
  Status st = CompileError("quantity > 0 AND quantiy < 5");
  EXPECT_EQ(st.message(),
            "rule 'r': unknown field 'quantiy' (did you mean 'quantity'?) at column 18\n"
            "  quantity > 0 AND quantiy < 5\n"
            "                   ^");
}

TEST(RuleErrors, WithoutARuleNameTheMessageHasNoPrefix) {
  Status st = CompileError("nope > 1", "");
  EXPECT_EQ(st.message().rfind("unknown field 'nope' at column 1", 0), 0u) << st.message();
}

TEST(RuleErrors, MultiLineExpressionsNameTheLine) {
  Status st = CompileError("a > 1 AND\n  b > zz");
  EXPECT_NE(st.message().find("at line 2, column 7\n    b > zz\n        ^"), std::string::npos)
      << st.message();
}

TEST(RuleErrors, ColumnsCountCharactersNotBytes) {
  Status st = CompileError("s = 'é' AND nope");
  EXPECT_EQ(ErrorColumn(st), 13) << st.message();
}

struct ErrorCase {
  const char* expr;
  int column;
  const char* message_part;
};

class RuleErrorColumns : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(RuleErrorColumns, IsInvalidArgumentAtColumn) {
  const ErrorCase& c = GetParam();
  Status st = CompileError(c.expr);
  ASSERT_FALSE(st.ok()) << c.expr;
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ErrorColumn(st), c.column) << st.message();
  EXPECT_NE(st.message().find(c.message_part), std::string::npos) << st.message();
}

INSTANTIATE_TEST_SUITE_P(
    EveryErrorClass, RuleErrorColumns,
    ::testing::Values(
        // Lexical.
        ErrorCase{"s = 'abc", 5, "unterminated string"},
        ErrorCase{"\"a > 1", 1, "unterminated quoted name"},
        ErrorCase{"a # b", 3, "unexpected character '#'"},
        ErrorCase{"a > 12abc", 5, "invalid number"}, ErrorCase{"x && y", 3, "use AND"},
        // Syntax.
        ErrorCase{"", 1, "empty expression"}, ErrorCase{"a > ", 5, "unexpected end of expression"},
        ErrorCase{"(a > 1", 7, "expected )"}, ErrorCase{"a > 1)", 6, "unexpected ')'"},
        ErrorCase{"a > 1 b", 7, "unexpected 'b'"}, ErrorCase{"a IN 1", 6, "( after IN"},
        ErrorCase{"CASE a > 1 THEN 1 END", 12, "expected WHEN"},
        ErrorCase{"CASE WHEN x THEN 1", 19, "expected END"},
        ErrorCase{"a > AND", 5, "unexpected keyword 'AND'"},
        ErrorCase{"a IS 5", 6, "NULL, TRUE or FALSE"},
        ErrorCase{"CAST(a integer) > 0", 8, "expected as"},
        // Names.
        ErrorCase{"quantiy > 0", 1, "unknown field 'quantiy'"},
        ErrorCase{"a > 0 AND abz(a) > 0", 11, "unknown function 'abz'"},
        ErrorCase{"abs(a, b) > 0", 1, "abs() takes 1 argument, not 2"},
        ErrorCase{"coalesce() > 0", 1, "takes at least 1 arguments"},
        ErrorCase{"CAST(a AS blob) > 0", 11, "unknown type 'blob'"},
        // Types.
        ErrorCase{"quantity + 'abc' > 0", 10, "operator + cannot take integer and string"},
        ErrorCase{"lower(5) = 'a'", 7, "lower() expects a string, not integer"},
        ErrorCase{"quantity AND x", 1, "AND expects a boolean, not integer"},
        ErrorCase{"x OR s", 6, "OR expects a boolean, not string"},
        ErrorCase{"NOT a", 5, "NOT expects a boolean"},
        ErrorCase{"quantity * unit_price", 1, "must be a boolean expression, not number"},
        ErrorCase{"abs(a - b)", 1, "must be a boolean expression, not integer"},
        ErrorCase{"a = 'abc'", 3, "cannot compare integer and string"},
        ErrorCase{"ts > 5", 4, "cannot compare timestamp and integer"},
        ErrorCase{"a IN (1, 'x')", 3, "IN cannot compare integer and string"},
        ErrorCase{"CASE WHEN x THEN 1 ELSE 'a' END = 1", 1, "CASE results cannot mix"},
        ErrorCase{"CASE WHEN a THEN 1 END = 1", 11, "WHEN expects a boolean"},
        ErrorCase{"-s = 'a'", 1, "cannot negate a string"},
        ErrorCase{"a LIKE 'x%'", 1, "LIKE expects a string, not integer"},
        ErrorCase{"CAST(ts AS integer) > 0", 12, "cannot cast timestamp to integer"},
        ErrorCase{"ts + ts > ts", 4, "operator + cannot take timestamp and timestamp"},
        ErrorCase{"date_trunc('day', a) > ts", 19, "expects a timestamp or a date"},
        // Literals and constant arguments.
        ErrorCase{"ts > now() - interval '30 fortnights'", 23, "unknown interval unit"},
        ErrorCase{"ts > now() - interval '1 month'", 23, "no fixed length"},
        ErrorCase{"ts > now() - interval 'days'", 23, "expected a number"},
        ErrorCase{"ts > now() - interval 30", 25, "an interval unit"},
        ErrorCase{"ts > '2026-13-01'", 6, "cannot read '2026-13-01' as a timestamp"},
        ErrorCase{"d = 'yesterday'", 5, "as a date"},
        ErrorCase{"ts > timestamp 'soon'", 16, "invalid timestamp literal"},
        ErrorCase{"CAST('abc' AS integer) = a", 6, "cannot cast 'abc' to integer"},
        ErrorCase{"regexp_matches(s, '(')", 19, "invalid regular expression"},
        ErrorCase{"regexp_matches(s, t)", 19, "pattern of regexp_matches() must be a constant"},
        ErrorCase{"regexp_matches(s, 'a', 'q')", 24, "unknown regexp option 'q'"},
        ErrorCase{"s LIKE t", 8, "LIKE pattern must be a constant string"},
        ErrorCase{"s LIKE 'ab\\'", 8, "ends with its escape character"},
        ErrorCase{"date_trunc('fortnight', ts) > ts", 12, "unknown date_trunc unit"}));

TEST(RuleErrors, DeepNestingIsAnErrorNotACrash) {
  std::string deep = std::string(5000, '(') + "a" + std::string(5000, ')') + " > 0";
  Status st = CompileError(deep);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("nests too deeply"), std::string::npos);

  std::string negations;
  for (int i = 0; i < 5000; ++i) negations += "NOT ";
  EXPECT_EQ(CompileError(negations + "x").code(), StatusCode::kInvalidArgument);

  std::string chain = "a > 0";
  for (int i = 0; i < 5000; ++i) chain += " OR a > 0";
  EXPECT_EQ(CompileError(chain).code(), StatusCode::kInvalidArgument);

  std::string casts = "a";
  for (int i = 0; i < 5000; ++i) casts += "::int";
  EXPECT_EQ(CompileError(casts + " > 0").code(), StatusCode::kInvalidArgument);
}

TEST(RuleErrors, LongButShallowExpressionsAreFine) {
  std::string chain = "a = 0";
  for (int i = 1; i < 500; ++i) chain += " OR a = " + std::to_string(i);
  EXPECT_TRUE(CompileError(chain).ok());
  std::string list = "a IN (0";
  for (int i = 1; i < 5000; ++i) list += ", " + std::to_string(i);
  EXPECT_TRUE(CompileError(list + ")").ok());
}

// Random garbage, truncations and mutations of valid rules must compile or fail cleanly, and
// whatever compiles must evaluate without crashing.
TEST(RuleRobustness, RandomInputsNeverCrash) {
  TestBatch t({{"a", FieldType::kInteger},
               {"b", FieldType::kInteger},
               {"c", FieldType::kInteger},
               {"x", FieldType::kBoolean},
               {"y", FieldType::kBoolean},
               {"z", FieldType::kBoolean},
               {"s", FieldType::kString},
               {"t", FieldType::kString},
               {"ts", FieldType::kTimestamp},
               {"d", FieldType::kDate},
               {"price", FieldType::kNumber}});
  t.Row({1, 0, -5, true, false, testing::Null{}, "abc", "", "2026-01-01T00:00:00Z", "2026-01-01",
         0.0});
  t.Row({testing::Null{}, int64_t{INT64_MIN}, int64_t{INT64_MAX}, testing::Null{}, true, false,
         testing::Null{}, "x%_\\", testing::Null{}, testing::Null{}, -1e308});
  const std::vector<std::string> seeds = {
      "abs(a * price - c) <= 0.01",
      "ts >= now() - interval '30 days' AND d < '2026-02-01'",
      "CASE WHEN a > 1 THEN s ELSE t END LIKE 'a\\%_' ESCAPE '\\'",
      "coalesce(a, b, c) IN (1, NULL, 3) OR x IS NOT TRUE",
      "regexp_matches(lower(s) || t, '^[a-z]+$', 'i') AND length(trim(s)) BETWEEN 1 AND 5",
      "a // b % c = -a AND greatest(a, b) > least(b, c) AND nullif(s, t) IS NULL",
      "date_trunc('month', ts) = CAST(d AS timestamp) OR substr(s, 2, 3) = 'bc'",
      "round(price, 2) > floor(price) + ceil(price) - a / b",
  };
  const std::string alphabet =
      "abcdxyzst0123456789 ()'\",.*+-/%|=<>!:;_\\\t\nANDORNOTISNULLINLIKECASEWHENTHEN";
  const std::vector<std::string> words = {"AND",       "OR",       "NOT",
                                          "IS",        "NULL",     "IN",
                                          "BETWEEN",   "LIKE",     "ILIKE",
                                          "CASE",      "WHEN",     "THEN",
                                          "ELSE",      "END",      "CAST",
                                          "AS",        "interval", "'1 day'",
                                          "timestamp", "date",     "'2026-01-01'",
                                          "(",         ")",        ",",
                                          "a",         "b",        "s",
                                          "ts",        "d",        "x",
                                          "price",     "abs(",     "coalesce(",
                                          "now()",     "||",       "::int",
                                          "=",         "<>",       "<",
                                          ">=",        "+",        "-",
                                          "*",         "/",        "//",
                                          "%",         "1",        "0",
                                          "1.5",       "'x'",      "TRUE",
                                          "FALSE",     "ESCAPE",   "regexp_matches(",
                                          "substr(",   "round(",   "date_trunc("};
  std::mt19937 rng(12345);
  int compiled = 0;
  RuleScratch scratch;
  std::vector<uint8_t> out(t.batch().num_rows());
  auto run = [&](const std::string& expr) {
    auto rule = CompiledRule::Compile(expr, t.fields(), RuleOptions{"fuzz", 0});
    if (!rule.ok()) {
      ASSERT_EQ(rule.status().code(), StatusCode::kInvalidArgument) << expr;
      ASSERT_GT(ErrorColumn(rule.status()), 0) << rule.status().message();
      return;
    }
    ++compiled;
    (*rule)->Evaluate(t.batch(), out, scratch);
    for (uint8_t v : out) ASSERT_LE(v, 2);
  };
  for (int i = 0; i < 1500; ++i) {
    std::string expr;
    const size_t len = rng() % 40;
    for (size_t k = 0; k < len; ++k) expr += alphabet[rng() % alphabet.size()];
    run(expr);
  }
  for (int i = 0; i < 1500; ++i) {
    std::string expr;
    const size_t len = 1 + rng() % 12;
    for (size_t k = 0; k < len; ++k) expr += words[rng() % words.size()] + " ";
    run(expr);
  }
  for (const std::string& seed : seeds) {
    run(seed);
    for (size_t cut = 0; cut < seed.size(); ++cut) run(seed.substr(0, cut));
    for (int m = 0; m < 200; ++m) {
      std::string mutated = seed;
      const size_t at = rng() % mutated.size();
      switch (rng() % 3) {
        case 0: mutated[at] = alphabet[rng() % alphabet.size()]; break;
        case 1: mutated.erase(at, 1 + rng() % 3); break;
        default: mutated.insert(at, words[rng() % words.size()]); break;
      }
      run(mutated);
    }
  }
  for (int i = 0; i < 300; ++i) {
    std::string bytes;
    const size_t len = rng() % 30;
    for (size_t k = 0; k < len; ++k) bytes += static_cast<char>(rng() % 256);
    run(bytes);
  }
  EXPECT_GT(compiled, 100);  // the mutations do reach evaluation
}

}  // namespace
}  // namespace assay::quality
