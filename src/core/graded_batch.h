#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/arena.h"
#include "core/batch.h"
#include "core/tier.h"

namespace assay {

/// A batch after grading, as the sinks see it: per-row score, tier, failed check names and
/// lineage (DESIGN.md §3), and the row indices of each tier. Sinks never see the classifier.
struct GradedBatch {
  const Batch* batch = nullptr;
  std::vector<double> score;
  std::vector<Tier> tier;
  std::vector<std::string_view> failed;    ///< `_failed`: check names joined by ','
  std::vector<std::string_view> errors;    ///< `_errors`: one message per failure, joined by "; "
  std::vector<std::string_view> position;  ///< `_position`: "<unit>:<line>"
  std::array<std::vector<uint32_t>, kNumTiers> rows;  ///< selection vectors per tier
  StringArena arena;                                  ///< owns the strings above

  size_t num_rows() const { return tier.size(); }
  const std::vector<uint32_t>& rows_of(Tier t) const { return rows[static_cast<size_t>(t)]; }
};

}  // namespace assay
