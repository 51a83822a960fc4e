#include "core/utf8.h"

#include <gtest/gtest.h>

namespace assay {
namespace {

TEST(Utf8, ValidTextIsReturnedAsIs) {
  StringArena arena;
  std::string_view s = "caf\xC3\xA9 \xF0\x9F\x98\x80";
  EXPECT_TRUE(IsValidUtf8(s));
  EXPECT_EQ(ToValidUtf8(s, arena).data(), s.data());
}

TEST(Utf8, IllFormedBytesBecomeReplacementCharacters) {
  StringArena arena;
  EXPECT_EQ(ToValidUtf8("caf\xE9", arena), "caf\xEF\xBF\xBD");
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // a surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));          // cut short
  EXPECT_EQ(ToValidUtf8("a\xFF\xFE"
                        "b",
                        arena),
            "a\xEF\xBF\xBD\xEF\xBF\xBD"
            "b");
}

}  // namespace
}  // namespace assay
