#include "pipeline/source_runner.h"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

#include "pipeline/source_run.h"
#include "schema/typer.h"
#include "sinks/lake_sink.h"
#include "sinks/ndjson_sink.h"

namespace assay::pipeline {
namespace {

namespace metric = events::metric;

constexpr events::MetricInfo kFilesTotal{
    "files_total", events::MetricType::kCounter,
    "Input files a file source met, by outcome: read, skipped (already ingested), failed."};

// `pipeline.threads`: 0 means one thread per core.
size_t WorkerThreads(int configured) {
  if (configured > 0) return static_cast<size_t>(configured);
  return std::max(1u, std::thread::hardware_concurrency());
}

// Deletes files that were finished but will not be committed.
void DropStaged(std::vector<sinks::StagedFile>& staged) {
  for (const sinks::StagedFile& f : staged) {
    std::error_code ec;
    std::filesystem::remove(f.temp_path, ec);
  }
  staged.clear();
}

// Drops what sinks staged and did not finish, and the sinks.
void AbortSinks(std::vector<std::unique_ptr<sinks::Sink>>& sinks) {
  for (auto& sink : sinks) sink->Abort();
  sinks.clear();
}

void AbortUnit(std::vector<std::vector<std::unique_ptr<sinks::Sink>>>& unit) {
  for (auto& sinks : unit) AbortSinks(sinks);
}

std::array<bool, kNumTiers> TierMask(const std::vector<std::string>& names) {
  std::array<bool, kNumTiers> mask{};
  if (names.empty()) mask.fill(true);
  for (const std::string& n : names) {
    if (auto t = TierFromName(n)) mask[static_cast<size_t>(*t)] = true;
  }
  return mask;
}

}  // namespace

SourceRunner::SourceRunner(const RunContext& run, const PreparedSource& source,
                           events::StateStore& store, CommitLog& commits, uint64_t& sequence,
                           Progress* progress)
    : p_(run),
      source_(source),
      cfg_(*source.config),
      store_(store),
      commits_(commits),
      sequence_(sequence),
      progress_(progress),
      check_labels_(CheckLabels(source.schema, *source.classifier)),
      metrics_(run.bus.metrics()),
      labels_{{"source", cfg_.name}},
      rows_in_(metrics_.GetCounter(metric::kEventsReceivedTotal, labels_)),
      bytes_in_(metrics_.GetCounter(metric::kBytesReceivedTotal, labels_)),
      batch_seconds_(metrics_.GetHistogram(metric::kBatchDurationSeconds, labels_)),
      files_read_(metrics_.GetCounter(kFilesTotal, {{"source", cfg_.name}, {"outcome", "read"}})),
      files_skipped_(
          metrics_.GetCounter(kFilesTotal, {{"source", cfg_.name}, {"outcome", "skipped"}})),
      files_failed_(
          metrics_.GetCounter(kFilesTotal, {{"source", cfg_.name}, {"outcome", "failed"}})) {
  for (Tier t : kAllTiers) {
    tier_out_[static_cast<size_t>(t)] = &metrics_.GetCounter(
        metric::kEventsSentTotal, {{"source", cfg_.name}, {"tier", std::string(TierName(t))}});
  }
}

SourceSummary SourceRunner::Run() {
  summary_.name = cfg_.name;
  const auto start = Clock::now();
  const uint64_t rows0 = rows_in_.value(), bytes0 = bytes_in_.value();
  const uint64_t read0 = files_read_.value(), skipped0 = files_skipped_.value(),
                 failed0 = files_failed_.value();
  std::array<uint64_t, kNumTiers> tiers0;
  for (size_t t = 0; t < kNumTiers; ++t) tiers0[t] = tier_out_[t]->value();

  p_.bus.Publish(events::Event::Make(events::topic::kSourceStarted, "source started")
                     .WithSource(cfg_.name)
                     .Set("run_id", p_.options.run_id));
  Status st = cfg_.type == "database" ? RunDatabase()
              : cfg_.type == "redis"  ? RunRedis()
                                      : RunFiles();
  if (!st.ok()) Fail(st);

  summary_.seconds = SecondsSince(start);
  summary_.rows = rows_in_.value() - rows0 - discarded_.rows;
  summary_.bytes = bytes_in_.value() - bytes0 - discarded_.bytes;
  summary_.files_skipped = files_skipped_.value() - skipped0;
  summary_.files =
      files_read_.value() - read0 + summary_.files_skipped + (files_failed_.value() - failed0);
  for (size_t t = 0; t < kNumTiers; ++t)
    summary_.tier_rows[t] = tier_out_[t]->value() - tiers0[t] - discarded_.tiers[t];
  auto event = events::Event::Make(
                   summary_.ok ? events::topic::kSourceFinished : events::topic::kSourceFailed,
                   summary_.ok ? "source finished" : summary_.error)
                   .WithSource(cfg_.name)
                   .WithSeverity(summary_.ok ? events::Severity::kInfo : events::Severity::kError)
                   .Set("run_id", p_.options.run_id)
                   .Set("rows", summary_.rows)
                   .Set("files", summary_.files)
                   .Set("files_skipped", summary_.files_skipped)
                   .Set("seconds", summary_.seconds);
  for (Tier t : kAllTiers)
    event.Set(std::string(TierName(t)), summary_.tier_rows[static_cast<size_t>(t)]);
  p_.bus.Publish(std::move(event));
  return summary_;
}

void SourceRunner::Fail(const Status& st) {
  summary_.ok = false;
  if (!summary_.error.empty()) summary_.error += "; ";
  summary_.error += st.message();
  metrics_
      .GetCounter(metric::kErrorsTotal, {{"source", cfg_.name},
                                         {"stage", "source"},
                                         {"code", std::string(StatusCodeName(st.code()))}})
      .Add();
  PipelineLog().error("source '{}': {}", cfg_.name, st.message());
}

void SourceRunner::StartWorkers(Threads kind) {
  const size_t threads = WorkerThreads(p_.config.pipeline.threads);
  workers_ = std::vector<Worker>(threads);
  auto work = [this](size_t w, Batch& batch) { return Process(batch, workers_[w]); };
  if (kind == Threads::kReadingPool) {
    reading_ = std::make_unique<ReadingPool>(threads, std::move(work));
    return;
  }
  // Four queued batches per pool thread: when the reading thread runs a batch itself (the
  // queue was full) and that batch flushes a row group (encode + compress 8 MiB, ~30 ms), the
  // pool threads must still find work; with two they ran dry and waited every few hundred ms.
  // Six gained nothing more and, with a unit committing in the background, took peak RSS at
  // 10M rows from ~172 to 180-206 MiB.
  pool_ = std::make_unique<WorkerPool>(threads, std::max<size_t>(1, 4 * (threads - 1)),
                                       std::move(work));
}

Result<SourceRunner::Sinks> SourceRunner::MakeSinks() {
  Sinks out;
  sinks::SinkContext ctx{p_.options.run_id, cfg_.name, p_.started_us};
  const uint64_t seq = sequence_++;
  for (const config::SinkConfig& sc : p_.config.sinks) {
    if (sc.type == "lake") {
      sinks::LakeSinkOptions o;
      o.warehouse = p_.config.pipeline.warehouse;
      o.compression = sc.compression == "snappy" ? sinks::Compression::kSnappy
                      : sc.compression == "none" ? sinks::Compression::kNone
                                                 : sinks::Compression::kZstd;
      o.compression_level = sc.compression_level;
      o.row_group_max_rows = sc.row_group_max_rows;
      o.row_group_max_bytes = sc.row_group_max_bytes;
      o.delta_byte_array = sc.delta_byte_array;
      o.tiers = TierMask(sc.tiers);
      ASSIGN_OR_RETURN(auto sink, sinks::LakeSink::Make(o, ctx, seq));
      out.push_back(std::move(sink));
    } else if (sc.type == "ndjson") {
      sinks::NdjsonSinkOptions o;
      o.path = sc.path.empty() ? std::filesystem::path("./out") : sc.path;
      o.tiers = TierMask(sc.tiers);
      ASSIGN_OR_RETURN(auto sink, sinks::NdjsonSink::Make(o, ctx, seq));
      out.push_back(std::move(sink));
    } else {
      return InvalidArgument(fmt::format("unknown sink type '{}'", sc.type));
    }
  }
  return out;
}

// A fresh set of sinks per worker for the next commit unit.
Status SourceRunner::StartSinks() {
  for (Worker& w : workers_) {
    ASSIGN_OR_RETURN(w.sinks, MakeSinks());
  }
  return Status::Ok();
}

// Drops everything staged since the last commit (the input is read again next time).
Status SourceRunner::AbortAll(Status cause) {
  if (pool_) (void)pool_->Drain();  // a ReadingPool has nothing in flight between its Runs
  (void)AwaitCommit();              // an earlier unit's commit is still valid: let it land
  for (Worker& w : workers_) {
    AbortSinks(w.sinks);
    DropStaged(w.staged);
    w.tally.Clear();
  }
  return cause;
}

void SourceRunner::NewBatch(Batch& batch, const std::string& unit) {
  for (const schema::Field& f : source_.schema.fields) batch.AddColumn(f.name);
  batch.AddUnit(unit);
  batch.source_name = cfg_.name;
  batch.ingested_at_us = p_.started_us;
}

// Decoder -> Classifier -> Router -> Sinks for one batch, on worker `w`'s thread.
Status SourceRunner::Process(Batch& batch, Worker& w) {
  const auto start = Clock::now();
  if (w.decoder) w.decoder->Decode(batch);
  schema::TypeBatch(source_.schema, batch);
  source_.classifier->Classify(batch, w.grades, w.scratch);
  w.tally.Add(batch, w.grades);
  Route(batch, w.grades, *source_.classifier, w.graded);
  for (auto& sink : w.sinks) RETURN_IF_ERROR(sink->Append(w.graded));
  rows_in_.Add(batch.num_rows());
  std::array<uint64_t, kNumTiers> counts{};
  for (Tier t : kAllTiers) {
    counts[static_cast<size_t>(t)] = w.graded.rows_of(t).size();
    tier_out_[static_cast<size_t>(t)]->Add(counts[static_cast<size_t>(t)]);
  }
  batch_seconds_.Observe(SecondsSince(start));
  p_.bus.Publish(events::Event::Make(events::topic::kBatchProcessed)
                     .WithSource(cfg_.name)
                     .Set("rows", batch.num_rows())
                     .Set("gold", counts[0])
                     .Set("silver", counts[1])
                     .Set("bronze", counts[2])
                     .Set("rejected", counts[3]));
  return Status::Ok();
}

// Closes one worker's sinks; their staged files, in sink order.
Result<std::vector<sinks::StagedFile>> SourceRunner::FinishSinks(Sinks& sinks) {
  std::vector<sinks::StagedFile> files;
  for (auto& sink : sinks) {
    ASSIGN_OR_RETURN(std::vector<sinks::StagedFile> staged, sink->Finish());
    for (auto& f : staged) files.push_back(std::move(f));
  }
  sinks.clear();
  return files;
}

// Everything submitted so far becomes durable and visible, with the input position. The unit's
// sinks are finished here, one thread per worker (encode, compress and write the open row
// groups, fsync), so their row groups are freed before fresh sinks fill new ones.
// `background`: the commit log entry is then written on another thread while the workers go
// on; commits stay in order because each waits for the one before. A foreground commit returns
// once it is durable. Finishing in the background too kept two units' row groups in memory at
// every commit point (bench CSV 10M, 2 threads: peak RSS 155 MiB against 121 MiB for 1M rows,
// which commit once).
Status SourceRunner::CommitSinks(const InputPosition& position, bool background) {
  if (pool_) {
    if (Status st = pool_->Drain(); !st.ok()) return AbortAll(st);
  }
  if (Status st = AwaitCommit(); !st.ok()) return AbortAll(st);
  std::vector<Sinks> unit;
  std::vector<sinks::StagedFile> staged;
  for (Worker& w : workers_) {
    unit.push_back(std::move(w.sinks));
    for (sinks::StagedFile& f : w.staged) staged.push_back(std::move(f));
    w.staged.clear();
  }
  std::optional<events::ValidationCounts> validation = TakeValidation();
  if (background) {
    if (Status st = StartSinks(); !st.ok()) {
      AbortUnit(unit);
      DropStaged(staged);
      return AbortAll(st);
    }
  }
  Result<CommitRequest> request =
      FinishUnit(std::move(unit), std::move(staged), position, std::move(validation));
  if (!request.ok()) return AbortAll(request.status());
  if (!background) return CommitUnit(std::move(*request));
  pending_commit_ = std::async(std::launch::async, [this, request = std::move(*request)]() mutable {
    return CommitUnit(std::move(request));
  });
  return Status::Ok();
}

// The workers' counts since the last commit, for the subject version graded by (none without
// a subject); called with the pool drained.
std::optional<events::ValidationCounts> SourceRunner::TakeValidation() {
  if (source_.subject.empty()) return std::nullopt;
  events::ValidationCounts counts;
  counts.subject = source_.subject;
  counts.version = source_.subject_version;
  for (Worker& w : workers_) {
    w.tally.AddTo(check_labels_, counts);
    w.tally.Clear();
  }
  return counts;
}

// The status of the commit running in the background, once it is done (Ok if none).
Status SourceRunner::AwaitCommit() {
  if (!pending_commit_.valid()) return Status::Ok();
  return pending_commit_.get();
}

// Finishes a unit's sinks, one thread per worker (encode, compress and fsync the open row
// groups): the request that commits their files, and `staged` (finished already), with the
// input position. On failure the unit's staged files are dropped.
Result<CommitRequest> SourceRunner::FinishUnit(std::vector<Sinks> unit,
                                               std::vector<sinks::StagedFile> staged,
                                               const InputPosition& position,
                                               std::optional<events::ValidationCounts> validation) {
  CommitRequest request{p_.options.run_id, cfg_.name, std::move(staged), position,
                        std::move(validation)};
  std::vector<Result<std::vector<sinks::StagedFile>>> finished(unit.size(),
                                                               std::vector<sinks::StagedFile>{});
  {
    std::vector<std::jthread> finishers;
    for (size_t i = 1; i < unit.size(); ++i) {
      if (unit[i].empty()) continue;  // finished early (CloseDrained), or no sinks
      finishers.emplace_back([&unit, i, &finished] { finished[i] = FinishSinks(unit[i]); });
    }
    if (!unit.empty()) finished[0] = FinishSinks(unit[0]);
  }
  for (auto& files : finished) {
    if (files.ok()) continue;
    AbortUnit(unit);
    for (auto& done : finished) {
      if (done.ok()) DropStaged(*done);
    }
    DropStaged(request.files);
    return files.status();
  }
  for (auto& files : finished) {
    for (auto& f : *files) request.files.push_back(std::move(f));
  }
  return request;
}

// On a worker's thread once the input is exhausted and its batches are written: its sinks are
// finished now, while other threads may still be on their last batch, not at the commit point
// after the slowest thread (bench CSV 1M at 2 threads: one core idled ~10 ms per file).
Status SourceRunner::CloseDrained(Worker& w) {
  ASSIGN_OR_RETURN(w.staged, FinishSinks(w.sinks));
  return Status::Ok();
}

// Writes the commit log entry that makes a finished unit's files visible.
Status SourceRunner::CommitUnit(CommitRequest request) {
  ASSIGN_OR_RETURN(int64_t id, commits_.Commit(request));
  const auto* checkpoint = std::get_if<events::Checkpoint>(&request.input);
  const auto* file = std::get_if<events::FileState>(&request.input);
  uint64_t rows = 0;
  for (const auto& f : request.files) {
    rows += f.rows;
    std::string table = f.table_dir.string();
    if (std::find(summary_.outputs.begin(), summary_.outputs.end(), table) ==
        summary_.outputs.end()) {
      summary_.outputs.push_back(table);
    }
  }
  p_.bus.Publish(events::Event::Make(events::topic::kSinkCommitted, "commit")
                     .WithSource(cfg_.name)
                     .Set("commit_id", id)
                     .Set("files", request.files.size())
                     .Set("rows", rows)
                     .Set("input", checkpoint ? checkpoint->unit : file->identity.path)
                     .Set("complete", checkpoint ? true : file->complete));
  return Status::Ok();
}

std::vector<std::string> SourceRunner::SchemaFieldNames() const {
  std::vector<std::string> names;
  names.reserve(source_.schema.fields.size());
  for (const schema::Field& f : source_.schema.fields) names.push_back(f.name);
  return names;
}

SourceSummary RunSource(const RunContext& run, const PreparedSource& source,
                        events::StateStore& store, CommitLog& commits, uint64_t& sequence,
                        Progress* progress) {
  SourceRunner runner(run, source, store, commits, sequence, progress);
  return runner.Run();
}

}  // namespace assay::pipeline
