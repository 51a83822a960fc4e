#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace assay::quality {

/// The text of one rule expression and the name it is known by, used to format errors that
/// point at a position in the text.
struct RuleSource {
  std::string_view name;  ///< the rule's `name` from the config; may be empty
  std::string_view text;  ///< the expression as the user wrote it

  /// An kInvalidArgument status for a problem at byte `offset` of `text`:
  ///   rule 'recent': unknown field 'transaction_tz' at column 1
  ///     transaction_tz >= now() - interval '30 days'
  ///     ^
  /// Multi-line expressions name the line as well ("at line 2, column 5").
  Status Error(size_t offset, std::string_view message) const;
};

/// 1-based line and column (in characters, not bytes) of byte `offset` in `text`.
struct TextPosition {
  size_t line = 1;
  size_t column = 1;
};
TextPosition PositionOf(std::string_view text, size_t offset);

/// Quotes a value for an error message: 'abc', with control bytes shown as \xNN and long values
/// cut, so that a message stays on one line whatever the input was.
std::string QuoteForMessage(std::string_view value);

/// " (did you mean 'quantity'?)" when one candidate is a close spelling of `name` (same letters
/// in another case, or at most two edits away); otherwise "".
std::string DidYouMean(std::string_view name, const std::vector<std::string_view>& candidates);

}  // namespace assay::quality
