#pragma once

#include <algorithm>
#include <cstddef>
#include <string_view>
#include <vector>

namespace assay {

/// Levenshtein distance, for "did you mean" suggestions in error messages (keys, fields,
/// functions). `ignore_ascii_case` compares A-Z as a-z.
inline size_t EditDistance(std::string_view a, std::string_view b, bool ignore_ascii_case = false) {
  auto fold = [&](char c) {
    return ignore_ascii_case && c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  };
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      const size_t cost = fold(a[i - 1]) == fold(b[j - 1]) ? 0 : 1;
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace assay
