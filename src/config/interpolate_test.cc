#include "config/interpolate.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace assay::config {
namespace {

const Environment kEnv = MapEnvironment({{"HOME_DIR", "/home/ana"}, {"EMPTY", ""}, {"N", "7"}});

std::string Expand(std::string_view text) {
  Result<std::string> result = Interpolate(text, kEnv);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? *result : "";
}

TEST(Interpolate, TextWithoutReferencesIsUnchanged) {
  EXPECT_EQ(Expand("plain text"), "plain text");
  EXPECT_EQ(Expand(""), "");
}

TEST(Interpolate, ReplacesSetVariables) {
  EXPECT_EQ(Expand("${HOME_DIR}/data/${N}.csv"), "/home/ana/data/7.csv");
}

TEST(Interpolate, DefaultUsedWhenUnsetOrEmpty) {
  EXPECT_EQ(Expand("${MISSING:-fallback}"), "fallback");
  EXPECT_EQ(Expand("${EMPTY:-fallback}"), "fallback");
  EXPECT_EQ(Expand("${N:-fallback}"), "7");
  EXPECT_EQ(Expand("${MISSING:-}"), "");
}

TEST(Interpolate, DefaultMayReferenceAnotherVariable) {
  EXPECT_EQ(Expand("${MISSING:-${HOME_DIR}/x}"), "/home/ana/x");
  EXPECT_EQ(Expand("${MISSING:-${ALSO_MISSING:-deep}}"), "deep");
}

TEST(Interpolate, DollarDollarIsALiteralDollar) {
  EXPECT_EQ(Expand("cost: $$5"), "cost: $5");
  EXPECT_EQ(Expand("$${HOME_DIR}"), "${HOME_DIR}");
}

TEST(Interpolate, LoneDollarIsKeptForRegexesAndSql) {
  EXPECT_EQ(Expand("regexp_like(id, '^TX-[0-9]+$')"), "regexp_like(id, '^TX-[0-9]+$')");
  EXPECT_EQ(Expand("$HOME_DIR"), "$HOME_DIR");
  EXPECT_EQ(Expand("$"), "$");
}

TEST(Interpolate, UnsetVariableWithoutDefaultIsAnErrorNamingIt) {
  Result<std::string> result = Interpolate("${DB_PASSWORD}", kEnv);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(result.status().message().find("DB_PASSWORD"), std::string::npos);
}

TEST(Interpolate, MalformedReferencesAreErrors) {
  EXPECT_FALSE(Interpolate("${UNCLOSED", kEnv).ok());
  EXPECT_FALSE(Interpolate("${}", kEnv).ok());
  EXPECT_FALSE(Interpolate("${1ABC}", kEnv).ok());
  EXPECT_FALSE(Interpolate("${A-B}", kEnv).ok());
  EXPECT_FALSE(Interpolate("${A:default}", kEnv).ok());
}

TEST(Interpolate, ProcessEnvironmentReadsGetenv) {
  ::setenv("ASSAY_INTERPOLATE_TEST_VAR", "from-env", 1);
  Environment env = ProcessEnvironment();
  EXPECT_EQ(env("ASSAY_INTERPOLATE_TEST_VAR"), "from-env");
  EXPECT_EQ(env("ASSAY_INTERPOLATE_TEST_UNSET_VAR"), std::nullopt);
  ::unsetenv("ASSAY_INTERPOLATE_TEST_VAR");
}

TEST(Interpolate, NullEnvironmentMeansNothingIsSet) {
  EXPECT_FALSE(Interpolate("${X}", Environment()).ok());
  EXPECT_EQ(*Interpolate("${X:-d}", Environment()), "d");
}

}  // namespace
}  // namespace assay::config
