#include "core/value_parse.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace assay {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Reads exactly `n` digits at `pos`; advances pos.
bool ReadDigits(std::string_view text, size_t& pos, size_t n, int& out) {
  if (pos + n > text.size()) return false;
  int value = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = text[pos + i];
    if (!IsDigit(c)) return false;
    value = value * 10 + (c - '0');
  }
  pos += n;
  out = value;
  return true;
}

bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeapYear(y) ? 29 : kDays[m - 1];
}

// Parses YYYY-MM-DD at pos into days since epoch.
bool ReadDate(std::string_view text, size_t& pos, int64_t& days) {
  int y = 0, m = 0, d = 0;
  if (!ReadDigits(text, pos, 4, y)) return false;
  if (pos >= text.size() || text[pos++] != '-') return false;
  if (!ReadDigits(text, pos, 2, m)) return false;
  if (pos >= text.size() || text[pos++] != '-') return false;
  if (!ReadDigits(text, pos, 2, d)) return false;
  if (m < 1 || m > 12 || d < 1 || d > DaysInMonth(y, m)) return false;
  days = DaysFromCivil(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
  return true;
}

}  // namespace

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  // Howard Hinnant's days_from_civil.
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

std::optional<int64_t> ParseIntegerText(std::string_view text) {
  size_t start = !text.empty() && (text[0] == '+' || text[0] == '-') ? 1 : 0;
  if (start == text.size()) return std::nullopt;
  for (size_t i = start; i < text.size(); ++i) {
    if (!IsDigit(text[i])) return std::nullopt;
  }
  // from_chars takes '-' but not '+'; starting at '-' keeps INT64_MIN representable.
  const char* first = text.data() + (text[0] == '+' ? 1 : 0);
  const char* last = text.data() + text.size();
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(first, last, value);
  if (ec != std::errc() || ptr != last) return std::nullopt;
  return value;
}

std::optional<double> ParseNumberText(std::string_view text) {
  // Validate the literal's grammar first: from_chars would also take "inf" and "nan".
  size_t pos = 0, n = text.size();
  if (n == 0) return std::nullopt;
  if (text[pos] == '+' || text[pos] == '-') ++pos;
  size_t int_digits = 0, frac_digits = 0;
  while (pos < n && IsDigit(text[pos])) ++pos, ++int_digits;
  if (pos < n && text[pos] == '.') {
    ++pos;
    while (pos < n && IsDigit(text[pos])) ++pos, ++frac_digits;
  }
  if (int_digits + frac_digits == 0) return std::nullopt;
  if (pos < n && (text[pos] == 'e' || text[pos] == 'E')) {
    ++pos;
    if (pos < n && (text[pos] == '+' || text[pos] == '-')) ++pos;
    size_t exp_digits = 0;
    while (pos < n && IsDigit(text[pos])) ++pos, ++exp_digits;
    if (exp_digits == 0) return std::nullopt;
  }
  if (pos != n) return std::nullopt;
  size_t start = text[0] == '+' ? 1 : 0;
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data() + start, text.data() + n, value);
  if (ptr != text.data() + n) return std::nullopt;
  if (ec == std::errc::result_out_of_range) {
    // Underflow rounds to zero (a number, as in JSON); overflow is not a finite number.
    char* end = nullptr;
    std::string copy(text.substr(start));
    double v = std::strtod(copy.c_str(), &end);
    if (std::isfinite(v)) return v;
    return std::nullopt;
  }
  if (ec != std::errc() || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::optional<bool> ParseBooleanText(std::string_view text) {
  auto equals_ci = [](std::string_view a, std::string_view lower) {
    if (a.size() != lower.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      char c = a[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != lower[i]) return false;
    }
    return true;
  };
  if (equals_ci(text, "true")) return true;
  if (equals_ci(text, "false")) return false;
  return std::nullopt;
}

std::optional<int64_t> ParseDateText(std::string_view text) {
  size_t pos = 0;
  int64_t days;
  if (!ReadDate(text, pos, days) || pos != text.size()) return std::nullopt;
  return days;
}

std::optional<int64_t> ParseTimestampText(std::string_view text) {
  size_t pos = 0;
  int64_t days;
  if (!ReadDate(text, pos, days)) return std::nullopt;
  if (pos >= text.size()) return std::nullopt;
  char sep = text[pos++];
  if (sep != 'T' && sep != 't' && sep != ' ') return std::nullopt;
  int hh, mm, ss;
  if (!ReadDigits(text, pos, 2, hh) || pos >= text.size() || text[pos++] != ':')
    return std::nullopt;
  if (!ReadDigits(text, pos, 2, mm) || pos >= text.size() || text[pos++] != ':')
    return std::nullopt;
  if (!ReadDigits(text, pos, 2, ss)) return std::nullopt;
  // RFC 3339 allows a leap second (60); it is folded onto the next second.
  if (hh > 23 || mm > 59 || ss > 60) return std::nullopt;
  int64_t micros = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    size_t digits = 0;
    int64_t scale = 100000;
    while (pos < text.size() && IsDigit(text[pos])) {
      if (digits < 6) {
        micros += (text[pos] - '0') * scale;
        scale /= 10;
      }
      ++pos;
      ++digits;
    }
    if (digits == 0) return std::nullopt;
  }
  if (pos >= text.size()) return std::nullopt;  // the offset is mandatory
  int64_t offset_seconds = 0;
  char z = text[pos];
  if (z == 'Z' || z == 'z') {
    ++pos;
  } else if (z == '+' || z == '-') {
    ++pos;
    int oh, om;
    if (!ReadDigits(text, pos, 2, oh) || pos >= text.size() || text[pos++] != ':') {
      return std::nullopt;
    }
    if (!ReadDigits(text, pos, 2, om) || oh > 23 || om > 59) return std::nullopt;
    offset_seconds = (int64_t{oh} * 3600 + int64_t{om} * 60) * (z == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  int64_t seconds = days * 86400 + int64_t{hh} * 3600 + int64_t{mm} * 60 + ss - offset_seconds;
  return seconds * kMicrosPerSecond + micros;
}

void CivilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  // Howard Hinnant's civil_from_days.
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
}

namespace {

// Writes `value` as exactly `width` digits (zero-padded).
char* PutDigits(char* out, uint64_t value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return out + width;
}

}  // namespace

size_t FormatDateChars(int64_t days, char* out) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, y, m, d);
  char* p = out;
  if (y < 0 || y > 9999) {  // outside RFC 3339's four digits: show the year as it is
    auto [end, ec] = std::to_chars(p, p + 20, y);
    p = end;
  } else {
    p = PutDigits(p, static_cast<uint64_t>(y), 4);
  }
  *p++ = '-';
  p = PutDigits(p, m, 2);
  *p++ = '-';
  p = PutDigits(p, d, 2);
  return static_cast<size_t>(p - out);
}

size_t FormatTimestampChars(int64_t micros, char* out, bool always_fraction) {
  // The remainder first: days * kMicrosPerDay overflows near INT64_MIN.
  int64_t rem = micros % kMicrosPerDay;
  if (rem < 0) rem += kMicrosPerDay;
  const int64_t days = FloorDiv(micros, kMicrosPerDay);
  const uint64_t secs = static_cast<uint64_t>(rem / kMicrosPerSecond);
  const uint64_t frac = static_cast<uint64_t>(rem % kMicrosPerSecond);
  char* p = out + FormatDateChars(days, out);
  *p++ = 'T';
  p = PutDigits(p, secs / 3600, 2);
  *p++ = ':';
  p = PutDigits(p, secs / 60 % 60, 2);
  *p++ = ':';
  p = PutDigits(p, secs % 60, 2);
  if (frac != 0 || always_fraction) {
    *p++ = '.';
    p = PutDigits(p, frac, 6);
  }
  *p++ = 'Z';
  return static_cast<size_t>(p - out);
}

std::string FormatDate(int64_t days) {
  char buf[kMaxTimestampChars];
  return std::string(buf, FormatDateChars(days, buf));
}

std::string FormatTimestamp(int64_t micros) {
  char buf[kMaxTimestampChars];
  return std::string(buf, FormatTimestampChars(micros, buf));
}

}  // namespace assay
