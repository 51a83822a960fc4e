#pragma once

#include <cctype>
#include <string>
#include <string_view>

namespace assay {

/// Whether `a` and `b` are equal ignoring ASCII case (column names, header values): what
/// PostgreSQL's folding of unquoted names and HTTP's case-insensitive tokens need.
inline bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

/// `text` with ASCII letters lower-cased, for case-insensitive searches in driver messages and
/// connection strings.
inline std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace assay
