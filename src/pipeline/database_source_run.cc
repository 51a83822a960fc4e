#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

#include "pipeline/database_input.h"
#include "pipeline/source_runner.h"

namespace assay::pipeline {

Status SourceRunner::RunWithRetries(const std::function<Status()>& read) {
  if (p_.options.reprocess) RETURN_IF_ERROR(store_.ForgetCheckpoints(cfg_.name));
  if (progress_) progress_->StartSource(cfg_.name, 0);
  StartWorkers(Threads::kWorkerPool);
  const config::DatabaseConfig& dc = cfg_.database;
  Status status;
  double backoff_seconds = dc.retry_backoff_seconds;
  for (int attempt = 1; attempt <= dc.retry_attempts; ++attempt) {
    if (attempt > 1) {
      const auto backoff = std::chrono::milliseconds(std::llround(backoff_seconds * 1000));
      PipelineLog().warn("source '{}': {}; retrying from the last commit in {} ms ({}/{})",
                         cfg_.name, status.message(), backoff.count(), attempt, dc.retry_attempts);
      std::this_thread::sleep_for(backoff);
      backoff_seconds =
          std::min(2 * backoff_seconds, config::DatabaseConfig::kMaxRetryBackoffSeconds);
    }
    status = read();
    if (status.ok() || status.code() != StatusCode::kUnavailable) break;
  }
  pool_.reset();
  if (progress_) progress_->FinishSource();
  if (!status.ok()) return status.WithContext(source_.connect->url.Redacted());
  files_read_.Add();  // the table, query, stream or key pattern is the source's one input
  return Status::Ok();
}

/// A database table or query (docs/database-sources.md). With a watermark column, rows come
/// in its order after the last committed watermark, and a commit (every
/// commit_interval_rows, and at the end) stores the watermark of its last row, only where the
/// next row's differs. Without one, the whole result is read and committed once: an
/// intermediate commit could not be resumed from. A failed read is retried from the last
/// commit (`retry_attempts` in all, with backoff) when the error may pass (the server restarted).
Status SourceRunner::RunDatabase() {
  return RunWithRetries([this] { return ReadDatabase(); });
}

// One attempt of RunDatabase: connect, read after the committed watermark (from the store,
// so a retry resumes exactly where the last commit that landed left off), commit as it goes.
Status SourceRunner::ReadDatabase() {
  namespace db = sources::db;
  const std::string unit = DatabaseUnitName(cfg_);
  const bool incremental = !cfg_.database.watermark_column.empty();
  events::Checkpoint state{cfg_.name, unit, "null", 0, p_.options.run_id};
  db::ReadRequest request = ReadRequestFor(cfg_, p_.config.pipeline.batch_max_bytes);
  request.fields = SchemaFieldNames();
  ASSIGN_OR_RETURN(auto checkpoint, store_.FindCheckpoint(cfg_.name, unit));
  if (checkpoint && incremental) {
    ASSIGN_OR_RETURN(request.watermark_after, WatermarkFromJson(checkpoint->value));
    state.value = checkpoint->value;
    state.rows_committed = checkpoint->rows_committed;
  }
  ASSIGN_OR_RETURN(auto input,
                   DatabaseInput::Open(*source_.connect, request, cfg_.database.partitions, unit,
                                       p_.config.pipeline.batch_max_rows, [this, &unit] {
                                         auto batch = std::make_unique<Batch>();
                                         NewBatch(*batch, unit);
                                         return batch;
                                       }));
  if (request.watermark_after) {
    PipelineLog().info("source '{}': reading rows with {} > {}", cfg_.name,
                       cfg_.database.watermark_column, request.watermark_after->text);
  }
  if (!input->missing_fields().empty()) {
    std::string names;
    for (const auto& n : input->missing_fields()) names += (names.empty() ? "" : ", ") + n;
    PipelineLog().warn("source '{}': {} has no column for schema field(s) {}: they are null",
                       cfg_.name, unit, names);
  }
  RETURN_IF_ERROR(StartSinks());
  uint64_t rows_since_commit = 0;
  while (true) {
    Result<std::unique_ptr<Batch>> batch = input->Next();
    if (!batch.ok()) return AbortAll(batch.status());
    if (*batch == nullptr) break;
    bytes_in_.Add((*batch)->input_bytes);
    rows_since_commit += (*batch)->num_rows();
    pool_->Submit(std::move(batch).value());
    if (pool_->failed()) return AbortAll(pool_->Drain());
    if (!incremental || rows_since_commit < p_.config.pipeline.commit_interval_rows) continue;
    if (std::optional<db::DbParam> point = input->CommitPoint()) {
      state.rows_committed += rows_since_commit;
      state.value = WatermarkToJson(point);
      RETURN_IF_ERROR(CommitSinks(state, /*background=*/true));
      rows_since_commit = 0;
    }
  }
  if (Status st = pool_->Drain(); !st.ok()) return AbortAll(st);
  state.rows_committed += rows_since_commit;
  if (incremental) {
    if (std::optional<db::DbParam> last = input->FinalWatermark()) {
      state.value = WatermarkToJson(last);
    }
  }
  return CommitSinks(state);
}

}  // namespace assay::pipeline
