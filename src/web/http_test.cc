#include "web/http.h"

#include <gtest/gtest.h>

namespace assay::web {
namespace {

TEST(PercentDecode, DecodesEscapesAndOptionallyPlus) {
  EXPECT_EQ(PercentDecode("a%2Fb%20c", false), "a/b c");
  EXPECT_EQ(PercentDecode("%C3%A9%25", false), "\xC3\xA9%");
  EXPECT_EQ(PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(PercentDecode("a+b", true), "a b");
  EXPECT_EQ(PercentDecode("", false), "");
  for (const char* bad : {"%", "%2", "%zz", "a%g0", "%%"}) {
    EXPECT_FALSE(PercentDecode(bad, false).has_value()) << bad;
  }
}

TEST(ParseTarget, SplitsSegmentsBeforeDecodingThem) {
  HttpRequest r;
  ASSERT_TRUE(ParseTarget("/registry/subjects/a%2Fb/versions?deleted=TRUE&x=1+2&flag", &r));
  EXPECT_EQ(r.segments, (std::vector<std::string>{"registry", "subjects", "a/b", "versions"}));
  EXPECT_TRUE(r.QueryFlag("deleted"));
  EXPECT_EQ(r.Query("x"), "1 2");
  EXPECT_EQ(r.Query("flag"), "");
  EXPECT_FALSE(r.QueryFlag("flag"));
  EXPECT_FALSE(r.QueryFlag("missing"));
  EXPECT_FALSE(r.Query("missing").has_value());
}

TEST(ParseTarget, TrailingSlashAndEmptySegments) {
  HttpRequest r;
  ASSERT_TRUE(ParseTarget("/registry/", &r));
  EXPECT_EQ(r.segments, (std::vector<std::string>{"registry"}));
  ASSERT_TRUE(ParseTarget("/", &r));
  EXPECT_TRUE(r.segments.empty());
  ASSERT_TRUE(ParseTarget("/a//b", &r));
  EXPECT_EQ(r.segments, (std::vector<std::string>{"a", "", "b"}));
  ASSERT_TRUE(ParseTarget("/a?", &r));
  EXPECT_EQ(r.segments, (std::vector<std::string>{"a"}));
  EXPECT_TRUE(r.query.empty());
}

TEST(ParseTarget, RejectsNonOriginFormsAndBadEscapes) {
  HttpRequest r;
  EXPECT_FALSE(ParseTarget("", &r));
  EXPECT_FALSE(ParseTarget("*", &r));
  EXPECT_FALSE(ParseTarget("http://host/a", &r));
  EXPECT_FALSE(ParseTarget("/a%zz", &r));
  EXPECT_FALSE(ParseTarget("/a?b=%", &r));
}

TEST(HttpRequest, HeadersByLowerCaseName) {
  HttpRequest r;
  r.headers = {{"content-type", "application/json"}};
  EXPECT_EQ(r.Header("content-type"), "application/json");
  EXPECT_EQ(r.Header("authorization"), "");
}

}  // namespace
}  // namespace assay::web
