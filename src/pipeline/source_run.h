#pragma once

#include <cstdint>

#include "events/state_store.h"
#include "pipeline/commit_log.h"
#include "pipeline/pipeline.h"
#include "pipeline/progress.h"
#include "pipeline/run_context.h"

namespace assay::pipeline {

/// Runs one source: its input files (skipping what is committed), its database table or query
/// (after the committed watermark), or its Redis stream or hashes, read through the worker pool
/// into the sinks and committed with the input position at commit points. Source
/// failures are reported in the summary, never thrown. `sequence` numbers the sink files of
/// the run and is advanced.
SourceSummary RunSource(const RunContext& run, const PreparedSource& source,
                        events::StateStore& store, CommitLog& commits, uint64_t& sequence,
                        Progress* progress);

}  // namespace assay::pipeline
