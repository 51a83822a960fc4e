#include "quality/fixed_pattern.h"

#include <gtest/gtest.h>
#include <re2/re2.h>

#include <random>
#include <string>
#include <vector>

namespace assay::quality {
namespace {

TEST(FixedPatternTest, CompilesTheShapesIdsHave) {
  for (const char* p :
       {"^TX-[0-9]{10}$", "^CUST-[0-9]{6}$", "^SKU-[A-Z]{3}-[0-9]{4}$", "^(ST-[0-9]{3}|WEB)$",
        "(?:a|b)", "\\d{3}\\.\\d", "[a-z_\\-]{2}", "", "a|", "x{0}y"}) {
    EXPECT_TRUE(FixedPattern::Compile(p).has_value()) << p;
  }
}

TEST(FixedPatternTest, LeavesEverythingElseToRe2) {
  for (const char* p : {"a+",     "a*",     "a?",      "a{1,3}",  "a{2,}",   ".",           "[^a]",
                        "(a)(b)", "(a|b)c", "(?i)abc", "\\s",     "\\D",     "[[:alpha:]]", "é",
                        "a$b",    "a^",     "[]a]",    "\\bword", "a{2}{3}", "[z-a]",       "(a"}) {
    EXPECT_FALSE(FixedPattern::Compile(p).has_value()) << p;
  }
}

TEST(FixedPatternTest, MatchesTheWholeValue) {
  auto p = FixedPattern::Compile("^TX-[0-9]{10}$");
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->FullMatch("TX-0123456789"));
  EXPECT_FALSE(p->FullMatch("TX-012345678"));
  EXPECT_FALSE(p->FullMatch("TX-01234567890"));
  EXPECT_FALSE(p->FullMatch("tx-0123456789"));
  EXPECT_FALSE(p->FullMatch(" TX-0123456789"));
  auto alt = FixedPattern::Compile("^(ST-[0-9]{3}|WEB)$");
  ASSERT_TRUE(alt);
  EXPECT_TRUE(alt->FullMatch("WEB"));
  EXPECT_TRUE(alt->FullMatch("ST-042"));
  EXPECT_FALSE(alt->FullMatch("ST-42"));
  EXPECT_FALSE(alt->FullMatch("WEBX"));
}

// The promise is RE2's exact answer: compare on values built from the pattern's own alphabet
// (so near-misses are common) plus bytes that are not ASCII at all.
TEST(FixedPatternTest, AgreesWithRe2OnRandomValues) {
  const std::vector<std::string> patterns = {"^TX-[0-9]{10}$",
                                             "^CUST-[0-9]{6}$",
                                             "^SKU-[A-Z]{3}-[0-9]{4}$",
                                             "^(ST-[0-9]{3}|WEB)$",
                                             "(?:ab|a|b)",
                                             "\\d\\w\\.[-a-c]",
                                             "[a\\-z]{3}",
                                             "|a",
                                             "x{0}y{2}",
                                             "^$",
                                             "[ -~]{2}"};
  const std::string alphabet = "TXCUSKWEB-0123456789abcz.xy_ \xc3\xa9\xff";
  std::mt19937 rng(42);
  for (const std::string& pattern : patterns) {
    auto fixed = FixedPattern::Compile(pattern);
    ASSERT_TRUE(fixed) << pattern;
    RE2 re(pattern);
    ASSERT_TRUE(re.ok()) << pattern;
    int matches = 0;
    for (int i = 0; i < 20000; ++i) {
      std::string v;
      const int len = static_cast<int>(rng() % 16);
      for (int k = 0; k < len; ++k) v += alphabet[rng() % alphabet.size()];
      const bool expected = RE2::FullMatch(v, re);
      ASSERT_EQ(fixed->FullMatch(v), expected) << pattern << " on '" << v << "'";
      matches += expected ? 1 : 0;
    }
    // Near-misses from mutating known matches.
    for (const char* seed : {"TX-0123456789", "CUST-000042", "SKU-ABC-1234", "ST-001", "WEB", "ab",
                             "a", "b", "1x.b", "a-z", "yy", "", "~ "}) {
      for (int i = 0; i < 2000; ++i) {
        std::string v = seed;
        if (!v.empty()) v[rng() % v.size()] = alphabet[rng() % alphabet.size()];
        if (rng() % 4 == 0) v += alphabet[rng() % alphabet.size()];
        if (rng() % 4 == 0 && !v.empty()) v.pop_back();
        const bool expected = RE2::FullMatch(v, re);
        ASSERT_EQ(fixed->FullMatch(v), expected) << pattern << " on '" << v << "'";
        matches += expected ? 1 : 0;
      }
    }
    EXPECT_GT(matches, 0) << pattern << ": the comparison never saw a match";
  }
}

}  // namespace
}  // namespace assay::quality
