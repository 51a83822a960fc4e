#include "core/short_key.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace assay {
namespace {

// Every string of up to 5 bytes over {a, b, NUL}, and random strings of 6 to 12 bytes: two of
// at most 8 bytes have equal keys exactly when they are equal; longer ones share a key with
// every string of their size (bits 0), so their keys only rule out other sizes.
TEST(ShortKey, EqualKeysExactlyForEqualShortStrings) {
  std::vector<std::string> all = {""};
  for (size_t length = 1, begin = 0; length <= 5; ++length) {
    const size_t end = all.size();
    for (size_t i = begin; i < end; ++i) {
      for (const char c : {'a', 'b', '\0'}) all.push_back(all[i] + c);
    }
    begin = end;
  }
  std::mt19937_64 rng(1);
  for (int i = 0; i < 300; ++i) {
    std::string s(6 + rng() % 7, 'a');
    for (char& c : s) c = "ab\0"[rng() % 3];
    all.push_back(s);
  }
  for (const std::string& x : all) {
    for (const std::string& y : all) {
      const bool same_key = ShortKeyOf(x) == ShortKeyOf(y);
      if (x.size() <= kShortKeyMaxSize && y.size() <= kShortKeyMaxSize) {
        ASSERT_EQ(same_key, x == y)
            << testing::PrintToString(x) << " " << testing::PrintToString(y);
      } else if (x == y) {
        ASSERT_TRUE(same_key);
      } else if (x.size() != y.size()) {
        ASSERT_FALSE(same_key);
      }
    }
  }
}

}  // namespace
}  // namespace assay
