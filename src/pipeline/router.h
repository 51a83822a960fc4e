#pragma once

#include "core/graded_batch.h"
#include "quality/classifier.h"

namespace assay::pipeline {

/// The Router of DESIGN.md §1: turns a classified batch into what the sinks write — per-row
/// `_failed`, `_errors` (rejected rows only), `_position`, and the rows of each tier. `out`
/// is reused between batches.
void Route(const Batch& batch, const quality::Grades& grades, const quality::Classifier& classifier,
           GradedBatch& out);

}  // namespace assay::pipeline
