#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/graded_batch.h"
#include "core/result.h"
#include "core/tier.h"

namespace assay::sinks {

/// A file a sink has written and fsynced under a temporary name. It becomes visible when the
/// commit log renames it to `final_path` (DESIGN.md §4).
struct StagedFile {
  std::filesystem::path temp_path;
  std::filesystem::path final_path;
  std::filesystem::path table_dir;  ///< the table's folder, where its commit log lives
  Tier tier = Tier::kGold;
  uint64_t rows = 0;
  uint64_t bytes = 0;
};

/// What every sink is told about the data it receives.
struct SinkContext {
  std::string run_id;
  std::string dataset;         ///< the source's name: the table name in every sink
  int64_t ingest_time_us = 0;  ///< decides the ingest_date partition
};

/// A destination for graded rows. One instance covers one commit unit (for files, one input
/// file): Append any number of batches, then Finish stages everything durably, or Abort.
/// CONVENTIONS §4: a sink reports per item; here every row of a batch is accepted or the
/// whole call fails with a Status whose code says whether a retry can help.
class Sink {
 public:
  virtual ~Sink() = default;
  virtual Status Append(const GradedBatch& batch) = 0;
  /// Writes out and fsyncs everything appended; returns the staged files to rename. Never half:
  /// on error nothing is staged.
  virtual Result<std::vector<StagedFile>> Finish() = 0;
  /// Drops everything appended and removes temporary files.
  virtual void Abort() = 0;
};

/// Fsyncs a directory so that renames and creations in it are durable.
Status SyncDirectory(const std::filesystem::path& dir);
/// Creates a directory and its parents; errors name the path.
Status MakeDirectories(const std::filesystem::path& dir);

}  // namespace assay::sinks
