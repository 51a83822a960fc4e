#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/result.h"
#include "events/state_store.h"
#include "sinks/sink.h"

namespace assay::pipeline {

/// Where a source's input stands: a file's committed state, or, for sources that are not files
/// (databases, Redis), their checkpoint.
using InputPosition = std::variant<events::FileState, events::Checkpoint>;

/// One atomic step of progress: files the sinks staged, and the input position they cover.
struct CommitRequest {
  std::string run_id;
  std::string source;
  std::vector<sinks::StagedFile> files;
  InputPosition input;  ///< where the input stands once this commit is done
  /// The rows the files hold, for the subject version's validation statistics (none: no stats).
  std::optional<events::ValidationCounts> validation;
};

/// Makes staged output visible and moves the input position, all or nothing across crashes
/// (DESIGN.md §4). The protocol:
///  1. the intent (files to rename + new input state) is stored in the state store: durable;
///  2. each staged file is renamed to its final name and its directory fsynced;
///  3. a line per file is appended to `<table>/_assay_commits.jsonl` (the table's commit log),
///     one append and fsync per table;
///  4. the commit is marked done and the input state stored, in one transaction.
/// A crash after 1 is rolled forward by Recover; a crash before 1 leaves only hidden temporary
/// files, which Recover deletes, and the input is read again from the last committed position.
class CommitLog {
 public:
  explicit CommitLog(events::StateStore& store) : store_(store) {}

  /// Runs the protocol; returns the commit id.
  Result<int64_t> Commit(const CommitRequest& request);

  /// Rolls forward every pending commit, then deletes orphaned temporary files (`.*.tmp`) under
  /// `table_roots`. Returns the number of commits rolled forward.
  Result<size_t> Recover(const std::vector<std::filesystem::path>& table_roots);

 private:
  /// `replay`: the commit may have been applied in part before a crash (Recover), so lines the
  /// table logs already hold are not appended again. A new commit's id is in no log yet.
  Status Apply(int64_t id, const std::string& payload, bool replay);

  events::StateStore& store_;
};

}  // namespace assay::pipeline
