#pragma once

#include <string>

#include "pipeline/pipeline.h"

namespace assay::pipeline {

/// The end-of-run table (DESIGN.md §9): per source, rows read and per tier, throughput,
/// elapsed time and the tables written.
std::string FormatSummary(const RunSummary& summary);

/// The same as one JSON object, for the run history and machines.
std::string SummaryJson(const RunSummary& summary);

}  // namespace assay::pipeline
