#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "events/validation_stats.h"

struct sqlite3;

namespace assay::events {

/// What identifies an input file: the same bytes under the same name are the same input.
struct FileIdentity {
  std::string path;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  std::string content_hash;  ///< XXH3-128 of the file's bytes, hex
};

/// How much of an input file has been committed to every sink.
struct FileState {
  FileIdentity identity;
  std::string source;
  uint64_t committed_offset = 0;  ///< decompressed bytes consumed through the last commit
  uint64_t committed_line = 0;    ///< lines consumed through the last commit
  uint64_t rows_committed = 0;
  bool complete = false;  ///< the whole file is committed
  std::string run_id;
};

/// How far a source that is not made of files (a database table or query) has been committed:
/// `value` is what the source needs to go on (a watermark, as JSON), stored with the commit.
struct Checkpoint {
  std::string source;
  std::string unit;   ///< what is read: a table, a query, a partition
  std::string value;  ///< JSON, opaque to the store
  uint64_t rows_committed = 0;
  std::string run_id;
};

/// A commit that was recorded but whose files may not all be renamed yet (DESIGN.md §4):
/// recovery rolls it forward.
struct PendingCommit {
  int64_t id = 0;
  std::string run_id;
  std::string source;
  std::string payload;  ///< JSON written by the commit log: files to rename, positions
};

struct RunRecord {
  std::string run_id;
  int64_t started_at_us = 0;
  std::string config_file;
  int64_t as_of_us = 0;
};

/// The SQLite state store of DESIGN.md §7: checkpoints, run history and commit intents, in one
/// file `<state_dir>/assay.db`. Every write is a durable transaction (WAL, synchronous=FULL).
/// Thread-safe: calls are serialised.
class StateStore {
 public:
  static Result<std::unique_ptr<StateStore>> Open(const std::filesystem::path& state_dir);
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  /// The committed state of an input of `source` with these bytes (by content hash), if any.
  Result<std::optional<FileState>> FindFile(const std::string& source,
                                            const std::string& content_hash);
  /// The committed state recorded for `path` with this size and mtime, if any: lets an
  /// unchanged file be skipped without hashing it again.
  Result<std::optional<FileState>> FindFileByStat(const std::string& source,
                                                  const std::string& path, uint64_t size,
                                                  int64_t mtime_ns);

  /// The most recently committed state of any version of `path` (for files that grow).
  Result<std::optional<FileState>> FindLatestByPath(const std::string& source,
                                                    const std::string& path);

  /// Records a commit intent; returns its id. Durable when this returns.
  Result<int64_t> RecordPendingCommit(const std::string& run_id, const std::string& source,
                                      const std::string& payload);
  /// Marks the commit done and stores the file's new state, in one transaction; adds
  /// `validation` (the rows the commit made visible) to its subject version's statistics in
  /// that transaction too.
  Status CompleteCommit(int64_t commit_id, const FileState& state,
                        const ValidationCounts* validation = nullptr);
  /// Marks the commit done and stores the checkpoint (replacing the unit's last), in one
  /// transaction; `validation` as above.
  Status CompleteCommit(int64_t commit_id, const Checkpoint& checkpoint,
                        const ValidationCounts* validation = nullptr);
  /// The validation statistics of one subject version (zero when no rows were committed).
  Result<ValidationCounts> ValidationStats(const std::string& subject, int version);
  /// The last committed checkpoint of `unit` of `source`, if any.
  Result<std::optional<Checkpoint>> FindCheckpoint(const std::string& source,
                                                   const std::string& unit);
  /// Forgets every checkpoint of `source` (`--reprocess`: a full refresh).
  Status ForgetCheckpoints(const std::string& source);
  /// Commits recorded but not completed (after a crash), oldest first.
  Result<std::vector<PendingCommit>> PendingCommits();

  /// Forgets every file of `source` (`--reprocess`): the next run ingests them again.
  Status ForgetFiles(const std::string& source);

  Status BeginRun(const RunRecord& run);
  Status FinishRun(const std::string& run_id, const std::string& status,
                   const std::string& summary_json);

  const std::filesystem::path& path() const { return path_; }

 private:
  StateStore(sqlite3* db, std::filesystem::path path) : db_(db), path_(std::move(path)) {}
  Status Exec(const char* sql);
  /// The tables and the schema version, in the caller's transaction.
  Status CreateSchema();
  // BEGIN; marks commit `id` done; runs `store` (the input's new state); adds `validation`;
  // COMMIT.
  template <typename Store>
  Status CompleteCommitWith(int64_t commit_id, const ValidationCounts* validation, Store&& store);

  std::mutex mu_;
  sqlite3* db_;
  std::filesystem::path path_;
};

/// Hashes a file's bytes with XXH3-128 (hex), reading it in chunks; only the first `limit`
/// bytes when given (kOutOfRange if the file is shorter).
Result<std::string> HashFile(const std::filesystem::path& path,
                             std::optional<uint64_t> limit = std::nullopt);

}  // namespace assay::events
