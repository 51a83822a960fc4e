#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <utility>

#include "core/result.h"
#include "core/tier.h"

namespace assay::events {

/// Validation statistics of one version of a registry subject (issue 5): the rows it graded,
/// per tier, and how many rows failed each check. Kept in the state store, added in the same
/// transaction as the commit that made the rows visible, so only committed rows count.
struct ValidationCounts {
  std::string subject;
  int version = 0;
  uint64_t rows = 0;
  std::array<uint64_t, kNumTiers> tiers{};  ///< by Tier
  /// (field, check) -> rows where it failed. Schema checks are (field, keyword), e.g.
  /// ("quantity", "maximum"); rules and unparseable rows have no field: ("", rule name) and
  /// ("", parse error code such as "csv.field_count").
  std::map<std::pair<std::string, std::string>, uint64_t> failures;

  /// Adds `other`'s counts (same subject and version).
  void Merge(const ValidationCounts& other);
};

/// `{"subject","version","rows","tiers":[g,s,b,r],"failures":[[field,check,n],...]}`: the form
/// kept in a commit intent, so a commit rolled forward after a crash counts its rows too.
nlohmann::json ValidationCountsToJson(const ValidationCounts& counts);
/// The inverse of ValidationCountsToJson; kDataLoss when `j` is not of that form.
Result<ValidationCounts> ValidationCountsFromJson(const nlohmann::json& j);

}  // namespace assay::events
