#include "quality/rule_literal.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <string>

#include "core/value_parse.h"
#include "quality/rule_lexer.h"

namespace assay::quality {

std::optional<int64_t> IntervalUnitMicros(std::string_view unit) {
  struct Unit {
    std::string_view names[4];
    int64_t micros;
  };
  static constexpr Unit kUnits[] = {
      {{"microsecond", "microseconds", "us", "usec"}, 1},
      {{"millisecond", "milliseconds", "ms", "msec"}, 1000},
      {{"second", "seconds", "s", "sec"}, kMicrosPerSecond},
      {{"minute", "minutes", "min", "mins"}, 60 * kMicrosPerSecond},
      {{"hour", "hours", "h", "hr"}, 3600 * kMicrosPerSecond},
      {{"day", "days", "d", ""}, kMicrosPerDay},
      {{"week", "weeks", "w", ""}, 7 * kMicrosPerDay},
  };
  for (const Unit& u : kUnits) {
    for (std::string_view name : u.names) {
      if (!name.empty() && EqualsKeyword(unit, name)) return u.micros;
    }
  }
  // Plural short forms (secs, hrs) are common enough to accept.
  if (EqualsKeyword(unit, "secs")) return kMicrosPerSecond;
  if (EqualsKeyword(unit, "hrs")) return 3600 * kMicrosPerSecond;
  return std::nullopt;
}

Result<int64_t> ParseIntervalText(std::string_view text) {
  auto is_space = [](char c) { return c == ' ' || c == '\t'; };
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  size_t pos = 0;
  int64_t total = 0;
  int pairs = 0;
  while (true) {
    while (pos < text.size() && is_space(text[pos])) ++pos;
    if (pos == text.size()) break;
    // Amount: optional sign, digits, optional fraction.
    const size_t amount_begin = pos;
    if (text[pos] == '+' || text[pos] == '-') ++pos;
    const size_t digits_begin = pos;
    while (pos < text.size() && (is_digit(text[pos]) || text[pos] == '.')) ++pos;
    std::string_view amount = text.substr(amount_begin, pos - amount_begin);
    if (pos == digits_begin) {
      return InvalidArgument(fmt::format("invalid interval '{}': expected a number", text));
    }
    while (pos < text.size() && is_space(text[pos])) ++pos;
    const size_t unit_begin = pos;
    while (pos < text.size() && !is_space(text[pos]) && !is_digit(text[pos]) && text[pos] != '+' &&
           text[pos] != '-') {
      ++pos;
    }
    std::string_view unit = text.substr(unit_begin, pos - unit_begin);
    if (unit.empty()) {
      return InvalidArgument(
          fmt::format("invalid interval '{}': a unit is missing after {}", text, amount));
    }
    std::optional<int64_t> unit_micros = IntervalUnitMicros(unit);
    if (!unit_micros) {
      for (std::string_view calendar : {"month", "months", "mon", "mons", "year", "years", "y"}) {
        if (EqualsKeyword(unit, calendar)) {
          return InvalidArgument(
              fmt::format("interval unit '{}' has no fixed length; use days or weeks", unit));
        }
      }
      return InvalidArgument(fmt::format(
          "unknown interval unit '{}' (use microseconds, milliseconds, seconds, minutes, hours, "
          "days or weeks)",
          unit));
    }
    int64_t micros = 0;
    bool ok = true;
    if (amount.find('.') == std::string_view::npos) {
      int64_t n = 0;
      const char* first = amount.data() + (amount[0] == '+' ? 1 : 0);
      auto [ptr, ec] = std::from_chars(first, amount.data() + amount.size(), n);
      ok = ec == std::errc() && ptr == amount.data() + amount.size() &&
           !__builtin_mul_overflow(n, *unit_micros, &micros);
    } else {
      double d = 0;
      const char* first = amount.data() + (amount[0] == '+' ? 1 : 0);
      auto [ptr, ec] = std::from_chars(first, amount.data() + amount.size(), d);
      double scaled = std::round(d * static_cast<double>(*unit_micros));
      ok = ec == std::errc() && ptr == amount.data() + amount.size() && std::isfinite(scaled) &&
           std::fabs(scaled) < 9.2e18;
      if (ok) micros = static_cast<int64_t>(scaled);
    }
    if (!ok || __builtin_add_overflow(total, micros, &total)) {
      return InvalidArgument(
          fmt::format("invalid interval '{}': {} is not a valid amount", text, amount));
    }
    ++pairs;
  }
  if (pairs == 0) return InvalidArgument("empty interval");
  return total;
}

std::optional<int64_t> ParseTimestampLiteral(std::string_view text) {
  if (auto ts = ParseTimestampText(text)) return ts;
  if (auto days = ParseDateText(text)) return *days * kMicrosPerDay;
  // Without an offset the time is read as UTC, as the run's reference time is.
  // (A stack copy: CAST runs this per row and must not allocate.)
  char with_zone[48];
  if (text.size() >= 19 && text.size() < sizeof(with_zone)) {
    std::memcpy(with_zone, text.data(), text.size());
    with_zone[text.size()] = 'Z';
    if (auto ts = ParseTimestampText(std::string_view(with_zone, text.size() + 1))) return ts;
  }
  return std::nullopt;
}

std::optional<int64_t> ParseDateLiteral(std::string_view text) { return ParseDateText(text); }

}  // namespace assay::quality
