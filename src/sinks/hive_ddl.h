#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/tier.h"
#include "sinks/output_layout.h"

namespace assay::sinks {

/// `CREATE EXTERNAL TABLE` for one lake table, partitioned by ingest_date, stored as Parquet,
/// readable by Hive, Spark and Trino (Hive connector). The database is the tier's name.
std::string HiveDdl(Tier tier, const std::string& dataset, const std::vector<OutputColumn>& layout,
                    const std::filesystem::path& location);

/// Writes `text` to `path` atomically: a hidden temporary file in `temp_dir` (same file system;
/// where crash recovery looks for leftovers), fsync, rename. Does nothing when `path` already
/// holds exactly `text`.
Status WriteFileAtomically(const std::filesystem::path& path, const std::string& text,
                           const std::filesystem::path& temp_dir);

}  // namespace assay::sinks
