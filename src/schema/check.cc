#include "schema/check.h"

#include <array>

namespace assay::schema {
namespace {
constexpr std::array<std::string_view, kNumDimensions> kDimensionNames = {
    "completeness", "accuracy", "timeliness", "schema", "consistency"};
constexpr std::array<std::string_view, 3> kSeverityNames = {"critical", "error", "warning"};
}  // namespace

std::string_view DimensionName(Dimension d) { return kDimensionNames[static_cast<size_t>(d)]; }

std::optional<Dimension> DimensionFromName(std::string_view name) {
  for (size_t i = 0; i < kDimensionNames.size(); ++i) {
    if (kDimensionNames[i] == name) return static_cast<Dimension>(i);
  }
  return std::nullopt;
}

std::string_view SeverityName(Severity s) { return kSeverityNames[static_cast<size_t>(s)]; }

std::optional<Severity> SeverityFromName(std::string_view name) {
  for (size_t i = 0; i < kSeverityNames.size(); ++i) {
    if (kSeverityNames[i] == name) return static_cast<Severity>(i);
  }
  return std::nullopt;
}

}  // namespace assay::schema
