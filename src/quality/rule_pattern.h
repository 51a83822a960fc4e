#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace re2 {
class RE2;
}

namespace assay::quality {

/// A compiled SQL LIKE / ILIKE pattern: `%` matches any run of characters, `_` exactly one
/// character, and the escape character makes the next character literal. The whole value must
/// match. Compiled once per rule; Matches is const and safe to call from many threads.
class LikeMatcher {
 public:
  /// `escape` 0 means no escape character. Errors (a pattern ending in the escape character,
  /// invalid UTF-8 with `_` or ILIKE) have no position: the caller adds it.
  static Result<std::shared_ptr<const LikeMatcher>> Make(std::string_view pattern, char escape,
                                                         bool case_insensitive);
  ~LikeMatcher();

  bool Matches(std::string_view value) const;

 private:
  LikeMatcher() = default;

  // Patterns without `_` that are case-sensitive (nearly all of them) are literal segments
  // separated by `%`, matched with find(); others go through RE2.
  bool anchored_start_ = true;  ///< the pattern does not start with %
  bool anchored_end_ = true;    ///< the pattern does not end with %
  std::vector<std::string> segments_;
  std::unique_ptr<re2::RE2> regex_;
};

/// Compiles a regexp_matches pattern (RE2 syntax). `options` are DuckDB's: 'i' case-insensitive,
/// 'c' case-sensitive, 's' / 'n' dot matches newline, 'm' multi-line; the error has no position.
Result<std::shared_ptr<const re2::RE2>> CompileRegex(std::string_view pattern,
                                                     std::string_view options);

}  // namespace assay::quality
