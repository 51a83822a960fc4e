#include "web/auth.h"

#include <gtest/gtest.h>

namespace assay::web {
namespace {

TEST(DecodeBase64, StandardAlphabetWithAndWithoutPadding) {
  EXPECT_EQ(DecodeBase64("YXNzYXk6dG9rMTIz"), "assay:tok123");
  EXPECT_EQ(DecodeBase64("YQ=="), "a");
  EXPECT_EQ(DecodeBase64("YQ"), "a");
  EXPECT_EQ(DecodeBase64("YWI="), "ab");
  EXPECT_EQ(DecodeBase64(""), "");
  EXPECT_FALSE(DecodeBase64("Y").has_value());
  EXPECT_FALSE(DecodeBase64("YQ!=").has_value());
  EXPECT_FALSE(DecodeBase64("Y Q=").has_value());
}

TEST(ConstantTimeEquals, ComparesWholeStrings) {
  EXPECT_TRUE(ConstantTimeEquals("secret", "secret"));
  EXPECT_FALSE(ConstantTimeEquals("secret", "secreT"));
  EXPECT_FALSE(ConstantTimeEquals("secret", "secret2"));
  EXPECT_FALSE(ConstantTimeEquals("secret2", "secret"));
  EXPECT_FALSE(ConstantTimeEquals("", "x"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

TEST(AuthorizationCarriesToken, BearerOrBasicPassword) {
  EXPECT_TRUE(AuthorizationCarriesToken("Bearer tok123", "tok123"));
  EXPECT_TRUE(AuthorizationCarriesToken("bearer  tok123 ", "tok123"));
  EXPECT_TRUE(AuthorizationCarriesToken("Basic YXNzYXk6dG9rMTIz", "tok123"));  // assay:tok123
  EXPECT_TRUE(AuthorizationCarriesToken("BASIC OnRvazEyMw==", "tok123"));      // :tok123
  EXPECT_FALSE(AuthorizationCarriesToken("Basic dG9rMTIzOng=", "tok123"));     // tok123:x
  EXPECT_FALSE(AuthorizationCarriesToken("Basic dG9rMTIz", "tok123"));         // no colon
  EXPECT_FALSE(AuthorizationCarriesToken("Bearer tok1234", "tok123"));
  EXPECT_FALSE(AuthorizationCarriesToken("Bearer", "tok123"));
  EXPECT_FALSE(AuthorizationCarriesToken("Bearertok123", "tok123"));
  EXPECT_FALSE(AuthorizationCarriesToken("Token tok123", "tok123"));
  EXPECT_FALSE(AuthorizationCarriesToken("", "tok123"));
  EXPECT_FALSE(AuthorizationCarriesToken("Bearer ", ""));  // no token configured: nothing matches
}

}  // namespace
}  // namespace assay::web
