#include "quality/rule_error.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/edit_distance.h"

namespace assay::quality {
namespace {

// UTF-8 continuation bytes do not start a character, so they do not advance the column.
bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::string DidYouMean(std::string_view name, const std::vector<std::string_view>& candidates) {
  std::string lower_name;
  for (char c : name) lower_name += Lower(c);
  std::string_view best;
  size_t best_distance = name.size() <= 3 ? 1 : 2;  // short names: one typo at most
  bool found = false;
  for (std::string_view candidate : candidates) {
    std::string lower;
    for (char c : candidate) lower += Lower(c);
    const size_t d = lower == lower_name ? 0 : EditDistance(lower_name, lower);
    if (d <= best_distance && (!found || d < best_distance)) {
      best = candidate;
      best_distance = d;
      found = true;
    }
  }
  return found ? fmt::format(" (did you mean '{}'?)", best) : std::string();
}

TextPosition PositionOf(std::string_view text, size_t offset) {
  TextPosition pos;
  if (offset > text.size()) offset = text.size();
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++pos.line;
      pos.column = 1;
    } else if (!IsContinuationByte(text[i])) {
      ++pos.column;
    }
  }
  return pos;
}

std::string QuoteForMessage(std::string_view value) {
  constexpr size_t kMaxShown = 60;
  std::string out = "'";
  size_t shown = 0;
  for (char c : value) {
    if (shown++ == kMaxShown) {
      out += "...";
      break;
    }
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) {
      out += fmt::format("\\x{:02X}", byte);
    } else {
      out += c;
    }
  }
  out += "'";
  return out;
}

Status RuleSource::Error(size_t offset, std::string_view message) const {
  if (offset > text.size()) offset = text.size();
  const TextPosition pos = PositionOf(text, offset);
  const bool multi_line = text.find('\n') != std::string_view::npos;

  std::string out;
  if (!name.empty()) out += fmt::format("rule '{}': ", name);
  out += message;
  if (multi_line) {
    out += fmt::format(" at line {}, column {}", pos.line, pos.column);
  } else {
    out += fmt::format(" at column {}", pos.column);
  }

  // Show the line that holds the offset, with a caret under the offending character. Tabs are
  // copied into the caret line so that the caret lines up however the terminal renders them.
  const size_t newline = offset == 0 ? std::string_view::npos : text.rfind('\n', offset - 1);
  const size_t line_begin = newline == std::string_view::npos ? 0 : newline + 1;
  size_t line_end = text.find('\n', line_begin);
  if (line_end == std::string_view::npos) line_end = text.size();
  std::string_view line = text.substr(line_begin, line_end - line_begin);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

  std::string shown_line;
  std::string caret;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    auto byte = static_cast<unsigned char>(c);
    // Control bytes would garble the terminal: show them as '?' in both lines.
    bool control = (byte < 0x20 && c != '\t') || byte == 0x7F;
    shown_line += control ? '?' : c;
    if (line_begin + i < offset && !IsContinuationByte(c)) caret += c == '\t' ? '\t' : ' ';
  }
  out += "\n  ";
  out += shown_line;
  out += "\n  ";
  out += caret;
  out += "^";
  return InvalidArgument(std::move(out));
}

}  // namespace assay::quality
