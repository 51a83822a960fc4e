#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/batch.h"
#include "core/tier.h"
#include "events/validation_stats.h"
#include "quality/classifier.h"
#include "schema/schema.h"

namespace assay::pipeline {

/// The (field, check) a classifier check is counted under in the validation statistics:
/// schema checks `<field>.<keyword>` as (field, keyword), rules as ("", rule name).
std::vector<std::pair<std::string, std::string>> CheckLabels(const schema::Schema& schema,
                                                             const quality::Classifier& classifier);

/// Counts graded rows and failed checks on one worker thread between two commits, without a
/// string per row: failures are counted by check index and named only when the unit commits.
class ValidationTally {
 public:
  /// Counts every row of `batch` as graded in `grades`.
  void Add(const Batch& batch, const quality::Grades& grades);
  /// Adds the counts to `out`, naming check i by `labels[i]`.
  void AddTo(const std::vector<std::pair<std::string, std::string>>& labels,
             events::ValidationCounts& out) const;
  /// Forgets everything (the unit was committed or dropped).
  void Clear();

 private:
  uint64_t rows_ = 0;
  std::array<uint64_t, kNumTiers> tiers_{};
  std::vector<uint64_t> by_check_;
  std::map<std::string, uint64_t, std::less<>> parse_errors_;  ///< by error code
};

}  // namespace assay::pipeline
