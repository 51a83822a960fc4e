#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "quality/rule_error.h"

namespace assay::quality {

enum class TokenKind : unsigned char {
  kEnd,          ///< end of input (always the last token)
  kIdent,        ///< bare word: a field name, function name or keyword (case-insensitive)
  kQuotedIdent,  ///< "double quoted" field name (case-sensitive, never a keyword)
  kInteger,      ///< 42
  kNumber,       ///< 4.2, .5, 1e3
  kString,       ///< 'single quoted'; value holds the text with '' unescaped
  kLParen,
  kRParen,
  kComma,
  kPlus,
  kMinus,
  kStar,
  kSlash,
  kSlashSlash,  ///< // integer division
  kPercent,
  kConcat,  ///< ||
  kEq,      ///< = or ==
  kNe,      ///< != or <>
  kLt,
  kLe,
  kGt,
  kGe,
  kDoubleColon,  ///< :: cast shorthand
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  size_t pos = 0;         ///< byte offset in the expression
  std::string_view text;  ///< the token as written
  std::string value;      ///< unescaped value of strings and quoted identifiers; else text
};

/// Splits a rule expression into tokens. `--` starts a comment that runs to the end of the line.
/// Fails with a positioned error on an unterminated string or a character outside the language.
Result<std::vector<Token>> LexRule(const RuleSource& source);

/// Case-insensitive ASCII comparison of a word with a lower-case keyword.
bool EqualsKeyword(std::string_view word, std::string_view lower_keyword);

}  // namespace assay::quality
