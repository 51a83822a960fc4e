#pragma once

// Internal: conversions between rule value types (CAST, TRY_CAST, ::, implicit promotions).

#include <cstddef>
#include <optional>
#include <string>

#include "quality/rule_ast.h"
#include "quality/rule_vector.h"

namespace assay::quality {

/// Why `from` cannot be cast to `to`, or nullopt when it can. Casting NULL works for every type.
std::optional<std::string> CastUnsupported(ValueType from, ValueType to);

/// Converts `rows` values of `from` into `out` as `to`. A value that does not convert (text that
/// is not a number, a number out of integer range) is NULL: a rule over it is not applicable.
void CastInto(ValueType from, ValueType to, const VecView& in, size_t rows, Slot& out);

/// Writes `YYYY-MM-DDTHH:MM:SS[.ffffff]Z` for µs since epoch; returns the length (<= 40).
size_t FormatTimestampChars(int64_t micros, char* out);
/// Writes `YYYY-MM-DD` for days since epoch; returns the length (<= 24).
size_t FormatDateChars(int64_t days, char* out);
/// Proleptic Gregorian year, month, day of days since epoch.
void CivilFromDays(int64_t days, int64_t& year, unsigned& month, unsigned& day);
/// Floor division (rounds toward minus infinity), for times before 1970.
inline int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - static_cast<int64_t>((a % b != 0) && ((a < 0) != (b < 0)));
}

}  // namespace assay::quality
