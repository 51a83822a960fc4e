#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace assay::schema {

/// Quality dimensions of DESIGN.md §3.
enum class Dimension : unsigned char {
  kCompleteness,
  kAccuracy,
  kTimeliness,
  kSchema,
  kConsistency,
};
inline constexpr size_t kNumDimensions = 5;

/// How bad a failed check is: critical rejects the row, error keeps it out of gold.
enum class Severity : unsigned char { kCritical, kError, kWarning };

std::string_view DimensionName(Dimension d);
std::optional<Dimension> DimensionFromName(std::string_view name);
std::string_view SeverityName(Severity s);
std::optional<Severity> SeverityFromName(std::string_view name);

}  // namespace assay::schema
