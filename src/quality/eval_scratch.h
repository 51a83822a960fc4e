#pragma once

#include <cstdint>
#include <vector>

#include "quality/rule_expr.h"

namespace assay::quality {

/// Buffers one worker thread reuses from batch to batch, so grading allocates nothing per row
/// once warmed up. Not shared between threads.
struct EvalScratch {
  std::vector<uint8_t> outcomes;     ///< [check * rows + row]
  std::vector<uint32_t> cursor;      ///< per-row fill position in Grades::failed
  std::vector<uint16_t> applicable;  ///< [dimension * rows + row]
  std::vector<uint16_t> passed;      ///< [dimension * rows + row]
  std::vector<uint8_t> critical_failed;
  std::vector<uint8_t> error_failed;
  RuleScratch rule;
};

}  // namespace assay::quality
