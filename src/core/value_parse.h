#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace assay {

/// Text type checks of DESIGN.md §3a. Each returns nullopt when `text` is not exactly a value of
/// the type: no surrounding whitespace, no locale forms. They never allocate.

/// Optional sign and decimal digits, within int64.
std::optional<int64_t> ParseIntegerText(std::string_view text);
/// A decimal or exponent literal (`-1.5`, `.5`, `2e10`); not inf, NaN, `12,50` or `$19.99`.
std::optional<double> ParseNumberText(std::string_view text);
/// `true` or `false`, any letter case.
std::optional<bool> ParseBooleanText(std::string_view text);
/// RFC 3339 date-time with offset (`2026-11-24T10:00:00.5+01:00`, `T`/`t`/space separator,
/// `Z`/`z`), to microseconds since epoch in UTC. Fractions past microseconds are truncated.
std::optional<int64_t> ParseTimestampText(std::string_view text);
/// RFC 3339 full-date `YYYY-MM-DD`, to days since 1970-01-01.
std::optional<int64_t> ParseDateText(std::string_view text);

/// Days since epoch for a proleptic Gregorian date (no validation).
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);
/// Proleptic Gregorian year, month, day of days since epoch.
void CivilFromDays(int64_t days, int64_t& year, unsigned& month, unsigned& day);
/// Floor division (rounds toward minus infinity), for times before 1970.
inline int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - static_cast<int64_t>((a % b != 0) && ((a < 0) != (b < 0)));
}

/// Largest output of FormatTimestampChars / FormatDateChars.
inline constexpr size_t kMaxTimestampChars = 40;
/// Writes `YYYY-MM-DDTHH:MM:SS[.ffffff]Z` for µs since epoch into `out` (room for
/// kMaxTimestampChars); returns the length. The fraction is written when non-zero, or always
/// with `always_fraction` (fixed-width event times). No allocation: for hot paths.
size_t FormatTimestampChars(int64_t micros, char* out, bool always_fraction = false);
/// Writes `YYYY-MM-DD` for days since epoch; returns the length.
size_t FormatDateChars(int64_t days, char* out);

/// Formats µs since epoch as `YYYY-MM-DDTHH:MM:SS[.ffffff]Z` (fraction only when non-zero).
std::string FormatTimestamp(int64_t micros);
/// Formats days since epoch as `YYYY-MM-DD`.
std::string FormatDate(int64_t days);

inline constexpr int64_t kMicrosPerSecond = 1'000'000;
inline constexpr int64_t kMicrosPerDay = 86'400LL * kMicrosPerSecond;

}  // namespace assay
