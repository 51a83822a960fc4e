#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/result.h"

namespace assay::quality {

/// Reads the text of an interval literal: one or more `<amount> <unit>` pairs such as
/// `30 days`, `1 day 2 hours`, `1.5 hours`, `-10 minutes`, to microseconds. Units:
/// microsecond(s)/us, millisecond(s)/ms, second(s)/s/sec, minute(s)/min, hour(s)/h,
/// day(s)/d, week(s)/w. Months and years are refused: they have no fixed length. Errors have
/// no position (the caller adds it).
Result<int64_t> ParseIntervalText(std::string_view text);

/// Microseconds of one `unit` (as above), or nullopt for an unknown unit.
std::optional<int64_t> IntervalUnitMicros(std::string_view unit);

/// A timestamp literal: RFC 3339 (`2026-01-01T00:00:00Z`, offsets allowed), or the same without
/// an offset (read as UTC), or a bare date (midnight UTC). Microseconds since epoch.
std::optional<int64_t> ParseTimestampLiteral(std::string_view text);

/// A date literal `YYYY-MM-DD`, to days since epoch.
std::optional<int64_t> ParseDateLiteral(std::string_view text);

}  // namespace assay::quality
