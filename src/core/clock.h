#pragma once

#include <chrono>
#include <cstdint>

namespace assay {

/// The wall clock as microseconds since the epoch, UTC: the unit of every timestamp Assay
/// stores (events, lineage, state store, `--as-of`).
inline int64_t WallClockMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace assay
