#pragma once

#include <string>
#include <vector>

#include "config/config.h"
#include "sources/file_source.h"

namespace assay::pipeline {

/// The file connector's options for a source: its glob, format, compression and CSV dialect,
/// the pipeline's batch byte limit, and `fields` as the wanted columns (batch column order).
/// Without a CSV header the columns are `csv.column_names`, else `fields` in order.
sources::FileSourceOptions FileOptionsFor(const config::SourceConfig& source,
                                          const config::PipelineConfig& pipeline,
                                          std::vector<std::string> fields);

}  // namespace assay::pipeline
