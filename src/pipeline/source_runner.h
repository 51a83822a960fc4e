#pragma once

// Internal to the pipeline: the run of one source, shared by file_source_run.cc,
// database_source_run.cc and redis_source_run.cc. Users call RunSource (source_run.h).

#include <array>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "events/metrics.h"
#include "events/state_store.h"
#include "pipeline/commit_log.h"
#include "pipeline/pipeline.h"
#include "pipeline/progress.h"
#include "pipeline/reading_pool.h"
#include "pipeline/router.h"
#include "pipeline/run_context.h"
#include "pipeline/validation_tally.h"
#include "pipeline/worker_pool.h"
#include "sinks/sink.h"
#include "sources/file_source.h"

namespace assay::pipeline {

/// Everything one source's run needs, so the steps read as the data flow: the input is read into
/// batches (files: by each worker thread in turn, ReadingPool; a database or Redis: on this
/// thread, for a WorkerPool), graded and written to sinks by the workers, and committed with the
/// input position at commit points.
class SourceRunner {
 public:
  SourceRunner(const RunContext& run, const PreparedSource& source, events::StateStore& store,
               CommitLog& commits, uint64_t& sequence, Progress* progress);

  SourceSummary Run();

 private:
  using Sinks = std::vector<std::unique_ptr<sinks::Sink>>;

  /// What one worker thread owns: its sinks for the current commit unit and its scratch.
  struct Worker {
    std::unique_ptr<sources::RecordDecoder> decoder;  ///< for readers that decode in parallel
    Sinks sinks;
    quality::Grades grades;
    quality::EvalScratch scratch;
    GradedBatch graded;
    ValidationTally tally;  ///< rows graded since the last commit, for the statistics
    /// Files of `sinks` finished before the commit point (CloseDrained); the commit takes them.
    std::vector<sinks::StagedFile> staged;
  };

  /// What the counters gained while a file was read speculatively and then discarded.
  struct Tally {
    uint64_t rows = 0, bytes = 0;
    std::array<uint64_t, kNumTiers> tiers{};
  };

  // --- shared by every kind of source (source_runner.cc)
  void Fail(const Status& st);
  /// The workers' state, and the threads that run them: a ReadingPool for files (each thread
  /// reads its own batches), a WorkerPool fed by this thread for server sources.
  enum class Threads { kReadingPool, kWorkerPool };
  void StartWorkers(Threads threads);
  Result<Sinks> MakeSinks();
  Status StartSinks();
  Status AbortAll(Status cause);
  void NewBatch(Batch& batch, const std::string& unit);
  Status Process(Batch& batch, Worker& w);
  static Result<std::vector<sinks::StagedFile>> FinishSinks(Sinks& sinks);
  Status CommitSinks(const InputPosition& position, bool background = false);
  std::optional<events::ValidationCounts> TakeValidation();
  Status AwaitCommit();
  Result<CommitRequest> FinishUnit(std::vector<Sinks> unit, std::vector<sinks::StagedFile> staged,
                                   const InputPosition& position,
                                   std::optional<events::ValidationCounts> validation);
  Status CloseDrained(Worker& w);
  Status CommitUnit(CommitRequest request);
  std::vector<std::string> SchemaFieldNames() const;

  // --- files (file_source_run.cc)
  Status RunFiles();
  Status RunFile(const sources::FileSource& files, size_t index, bool speculate = true);
  Status RejectUnreadable(const std::string& path, const Status& error,
                          const sources::RecordReader* reader);
  Result<std::optional<events::FileState>> GrownFrom(const std::optional<events::FileState>& before,
                                                     const std::string& path, uint64_t size);
  Status Skip(const std::string& path, uint64_t size);
  Tally Counted() const;

  // --- server sources: databases (database_source_run.cc) and Redis (redis_source_run.cc)
  /// Runs `read` (one attempt at reading a server source from its last commit) until it
  /// succeeds, fails for good, or `retry_attempts` attempts failed with kUnavailable, with
  /// doubling backoff in between. A refused login (kPermissionDenied) is not retried.
  Status RunWithRetries(const std::function<Status()>& read);
  Status RunDatabase();
  Status ReadDatabase();
  Status RunRedis();
  Status ReadRedis();

  const RunContext& p_;
  const PreparedSource& source_;
  const config::SourceConfig& cfg_;
  events::StateStore& store_;
  CommitLog& commits_;
  uint64_t& sequence_;
  Progress* progress_;
  const std::vector<std::pair<std::string, std::string>> check_labels_;  ///< by check index
  events::MetricsRegistry& metrics_;
  events::Labels labels_;
  events::Counter& rows_in_;
  events::Counter& bytes_in_;
  events::Histogram& batch_seconds_;
  events::Counter& files_read_;
  events::Counter& files_skipped_;
  events::Counter& files_failed_;
  std::array<events::Counter*, kNumTiers> tier_out_{};
  SourceSummary summary_;
  Tally discarded_;  ///< read speculatively, then dropped as already ingested: not in summary_
  std::vector<Worker> workers_;
  std::unique_ptr<WorkerPool> pool_;      ///< server sources
  std::unique_ptr<ReadingPool> reading_;  ///< files
  std::future<Status> pending_commit_;    ///< a unit committing in the background (CommitSinks)
};

}  // namespace assay::pipeline
