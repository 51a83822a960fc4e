#include "quality/rule_pattern.h"

#include <fmt/format.h>
#include <re2/re2.h>

namespace assay::quality {

LikeMatcher::~LikeMatcher() = default;

Result<std::shared_ptr<const LikeMatcher>> LikeMatcher::Make(std::string_view pattern, char escape,
                                                             bool case_insensitive) {
  // First pass: split into literal segments and wildcards, resolving escapes.
  enum class Piece : char { kLiteral, kAny, kOne };
  struct Part {
    Piece piece;
    std::string text;
  };
  std::vector<Part> parts;
  bool has_one = false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (escape != 0 && c == escape) {
      if (i + 1 == pattern.size()) {
        return InvalidArgument("LIKE pattern ends with its escape character");
      }
      c = pattern[++i];
    } else if (c == '%' || c == '_') {
      Piece piece = c == '%' ? Piece::kAny : Piece::kOne;
      has_one |= piece == Piece::kOne;
      // Runs of % are one %.
      if (!(piece == Piece::kAny && !parts.empty() && parts.back().piece == Piece::kAny)) {
        parts.push_back({piece, {}});
      }
      continue;
    }
    if (parts.empty() || parts.back().piece != Piece::kLiteral)
      parts.push_back({Piece::kLiteral, {}});
    parts.back().text += c;
  }

  auto matcher = std::shared_ptr<LikeMatcher>(new LikeMatcher());
  if (!has_one && !case_insensitive) {
    matcher->anchored_start_ = parts.empty() || parts.front().piece != Piece::kAny;
    matcher->anchored_end_ = parts.empty() || parts.back().piece != Piece::kAny;
    for (Part& part : parts) {
      if (part.piece == Piece::kLiteral) matcher->segments_.push_back(std::move(part.text));
    }
    if (parts.empty()) matcher->segments_.emplace_back();  // '' matches only ''
    return std::shared_ptr<const LikeMatcher>(std::move(matcher));
  }

  std::string regex;
  for (const Part& part : parts) {
    switch (part.piece) {
      case Piece::kLiteral: regex += RE2::QuoteMeta(part.text); break;
      case Piece::kAny: regex += ".*"; break;
      case Piece::kOne: regex += "."; break;
    }
  }
  RE2::Options options;
  options.set_log_errors(false);
  options.set_dot_nl(true);
  options.set_case_sensitive(!case_insensitive);
  matcher->regex_ = std::make_unique<RE2>(regex, options);
  if (!matcher->regex_->ok()) {
    return InvalidArgument(fmt::format("invalid LIKE pattern: {}", matcher->regex_->error()));
  }
  return std::shared_ptr<const LikeMatcher>(std::move(matcher));
}

bool LikeMatcher::Matches(std::string_view value) const {
  if (regex_) return RE2::FullMatch(value, *regex_);
  const size_t n = segments_.size();
  // Fixed prefix and suffix first; the middle segments are then found left to right, which is
  // optimal for literal segments (taking the earliest match leaves the most room for the rest).
  size_t begin = 0;
  size_t end = value.size();
  size_t first = 0;
  size_t last = n;
  if (anchored_start_) {
    const std::string& s = segments_[0];
    if (n == 1 && anchored_end_) return value == s;
    if (value.substr(0, s.size()) != s) return false;
    begin = s.size();
    first = 1;
  }
  if (anchored_end_ && last > first) {
    const std::string& s = segments_[n - 1];
    if (end - begin < s.size() || value.substr(end - s.size()) != s) return false;
    end -= s.size();
    last = n - 1;
  }
  std::string_view middle = value.substr(begin, end - begin);
  size_t at = 0;
  for (size_t i = first; i < last; ++i) {
    size_t found = middle.find(segments_[i], at);
    if (found == std::string_view::npos) return false;
    at = found + segments_[i].size();
  }
  return true;
}

Result<std::shared_ptr<const re2::RE2>> CompileRegex(std::string_view pattern,
                                                     std::string_view flags) {
  RE2::Options options;
  options.set_log_errors(false);
  for (char f : flags) {
    switch (f) {
      case 'i': options.set_case_sensitive(false); break;
      case 'c': options.set_case_sensitive(true); break;
      case 's':
      case 'n': options.set_dot_nl(true); break;
      case 'm':  // handled below with (?m)
      case 'g':  // global: meaningless for a match test
        break;
      default:
        return InvalidArgument(fmt::format("unknown regexp option '{}' (use i, c, s, n or m)", f));
    }
  }
  // RE2 treats ^ and $ as whole-text anchors unless the pattern sets (?m); 'm' asks for that.
  std::string text(pattern);
  if (flags.find('m') != std::string_view::npos) text = "(?m)" + text;
  auto regex = std::make_shared<const RE2>(text, options);
  if (!regex->ok())
    return InvalidArgument(fmt::format("invalid regular expression: {}", regex->error()));
  return std::shared_ptr<const re2::RE2>(std::move(regex));
}

}  // namespace assay::quality
