#include "pipeline/source_run.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "pipeline/database_input.h"
#include "pipeline/file_options.h"
#include "pipeline/router.h"
#include "pipeline/validation_tally.h"
#include "pipeline/worker_pool.h"
#include "schema/typer.h"
#include "sinks/lake_sink.h"
#include "sinks/ndjson_sink.h"
#include "sources/file_source.h"
#include "sources/redis/hash_reader.h"
#include "sources/redis/redis_client.h"
#include "sources/redis/stream_reader.h"

namespace assay::pipeline {
namespace {

namespace metric = events::metric;

constexpr events::MetricInfo kFilesTotal{
    "files_total", events::MetricType::kCounter,
    "Input files a file source met, by outcome: read, skipped (already ingested), failed."};
// Read errors that mean the bytes themselves are bad (data), not that the machine failed.
bool IsDataError(const Status& s) {
  return s.code() == StatusCode::kDataLoss || s.code() == StatusCode::kInvalidArgument;
}

// `pipeline.threads`: 0 means one thread per core.
size_t WorkerThreads(int configured) {
  if (configured > 0) return static_cast<size_t>(configured);
  return std::max(1u, std::thread::hardware_concurrency());
}

std::array<bool, kNumTiers> TierMask(const std::vector<std::string>& names) {
  std::array<bool, kNumTiers> mask{};
  if (names.empty()) mask.fill(true);
  for (const std::string& n : names) {
    if (auto t = TierFromName(n)) mask[static_cast<size_t>(*t)] = true;
  }
  return mask;
}

/// Everything one source's run needs, so the steps below read as the data flow.
class SourceRun {
 public:
  SourceRun(const RunContext& run, const PreparedSource& source, events::StateStore& store,
            CommitLog& commits, uint64_t& sequence, Progress* progress)
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

  SourceSummary Run() {
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

 private:
  void Fail(const Status& st) {
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

  Status RunFiles() {
    std::vector<std::string> fields;
    for (const schema::Field& f : source_.schema.fields) fields.push_back(f.name);
    sources::FileSourceOptions fo = FileOptionsFor(cfg_, p_.config.pipeline, std::move(fields));
    ASSIGN_OR_RETURN(std::unique_ptr<sources::FileSource> files, sources::FileSource::Make(fo));
    if (p_.options.reprocess) RETURN_IF_ERROR(store_.ForgetFiles(cfg_.name));
    uint64_t total_bytes = 0;
    for (const std::string& path : files->files()) {
      struct stat st {};
      if (::stat(path.c_str(), &st) == 0) total_bytes += static_cast<uint64_t>(st.st_size);
    }
    if (progress_) progress_->StartSource(cfg_.name, total_bytes);
    StartWorkers();
    for (size_t i = 0; i < files->files().size(); ++i) {
      Status st = RunFile(*files, i);
      if (!st.ok()) {
        files_failed_.Add();
        Fail(st.WithContext(files->files()[i]));
      }
    }
    pool_.reset();
    if (progress_) progress_->FinishSource();
    return Status::Ok();
  }

  void StartWorkers() {
    const size_t threads = WorkerThreads(p_.config.pipeline.threads);
    workers_ = std::vector<Worker>(threads);
    // Four queued batches per pool thread: when the reading thread runs a batch itself (the
    // queue was full) and that batch flushes a row group (encode + compress 8 MiB, ~30 ms), the
    // pool threads must still find work; with two they ran dry and waited every few hundred ms.
    // Six gained nothing more and, with a unit committing in the background, took peak RSS at
    // 10M rows from ~172 to 180-206 MiB.
    pool_ = std::make_unique<WorkerPool>(
        threads, std::max<size_t>(1, 4 * (threads - 1)),
        [this](size_t w, Batch& batch) { return Process(batch, workers_[w]); });
  }

  /// A database table or query (docs/database-sources.md). With a watermark column, rows come
  /// in its order after the last committed watermark, and a commit (every
  /// commit_interval_rows, and at the end) stores the watermark of its last row, only where the
  /// next row's differs. Without one, the whole result is read and committed once: an
  /// intermediate commit could not be resumed from. A failed read is retried from the last
  /// commit (`kReadAttempts` in all, with backoff) when the error may pass (the server restarted).
  Status RunDatabase() {
    namespace db = sources::db;
    ASSIGN_OR_RETURN(db::ConnectOptions connect, ConnectOptionsFor(cfg_));
    return RunWithRetries(connect, [&] { return ReadDatabase(connect); });
  }

  // Runs `read` (one attempt at reading a server source from its last commit) until it
  // succeeds, fails for good, or kReadAttempts attempts failed with kUnavailable (the
  // connection was lost, the server restarted), with backoff in between.
  template <typename Read>
  Status RunWithRetries(const sources::db::ConnectOptions& connect, Read&& read) {
    if (p_.options.reprocess) RETURN_IF_ERROR(store_.ForgetCheckpoints(cfg_.name));
    if (progress_) progress_->StartSource(cfg_.name, 0);
    StartWorkers();
    constexpr int kReadAttempts = 4;
    Status status;
    for (int attempt = 1; attempt <= kReadAttempts; ++attempt) {
      if (attempt > 1) {
        const auto backoff = std::chrono::milliseconds(500) * (1 << (attempt - 2));
        PipelineLog().warn("source '{}': {}; retrying from the last commit in {} ms ({}/{})",
                           cfg_.name, status.message(), backoff.count(), attempt, kReadAttempts);
        std::this_thread::sleep_for(backoff);
      }
      status = read();
      if (status.ok() || status.code() != StatusCode::kUnavailable) break;
    }
    pool_.reset();
    if (progress_) progress_->FinishSource();
    if (!status.ok()) return status.WithContext(connect.url.Redacted());
    files_read_.Add();  // the table, query, stream or key pattern is the source's one input
    return Status::Ok();
  }

  /// A Redis stream (through a consumer group) or the hashes of a key pattern
  /// (docs/database-sources.md). Stream entries are acknowledged only after the commit that
  /// holds their output, and the commit stores the last entry id, so a crash between the two
  /// leaves entries that the next run acknowledges without ingesting them again. Commits are
  /// in the foreground here: the acknowledgement must follow the commit.
  Status RunRedis() {
    namespace db = sources::db;
    ASSIGN_OR_RETURN(db::ConnectOptions connect, ConnectOptionsFor(cfg_));
    return RunWithRetries(connect, [&] { return ReadRedis(connect); });
  }

  Status ReadRedis(const sources::db::ConnectOptions& connect) {
    namespace redis = sources::redis;
    const config::RedisConfig& rc = cfg_.database.redis;
    const bool stream = !rc.stream.empty();
    const std::string unit = stream ? rc.stream : rc.key_pattern;
    // Each consumer's checkpoint is its own: the ids it committed say nothing of the entries
    // another consumer of the group was given.
    const std::string checkpoint_unit =
        stream ? fmt::format("{}@{}/{}", rc.stream, rc.group, rc.consumer) : unit;
    std::vector<std::string> fields;
    for (const schema::Field& f : source_.schema.fields) fields.push_back(f.name);
    ASSIGN_OR_RETURN(auto client, redis::RedisClient::Connect(connect.url, connect.password,
                                                              connect.connect_timeout));
    events::Checkpoint state{cfg_.name, checkpoint_unit, "null", 0, p_.options.run_id};
    std::unique_ptr<redis::StreamReader> entries;
    std::unique_ptr<redis::HashReader> hashes;
    if (stream) {
      redis::StreamReader::Options o;
      o.stream = rc.stream;
      o.group = rc.group;
      o.consumer = rc.consumer;
      o.fields = fields;
      ASSIGN_OR_RETURN(auto checkpoint, store_.FindCheckpoint(cfg_.name, checkpoint_unit));
      if (checkpoint) {
        state = *checkpoint;
        state.run_id = p_.options.run_id;
        o.committed = redis::StreamId::Parse(
            nlohmann::json::parse(checkpoint->value, nullptr, false).value("last_id", ""));
      }
      ASSIGN_OR_RETURN(entries, redis::StreamReader::Open(*client, o));
    } else {
      ASSIGN_OR_RETURN(hashes,
                       redis::HashReader::Open(*client, {rc.key_pattern, rc.key_field, fields}));
    }
    RETURN_IF_ERROR(StartSinks());
    // Commits the unit so far; for a stream, then acknowledges what it holds.
    auto commit = [&](uint64_t rows) -> Status {
      state.rows_committed += rows;
      if (entries && entries->last_id()) {
        state.value = nlohmann::json{{"last_id", entries->last_id()->ToString()}}.dump();
      }
      RETURN_IF_ERROR(CommitDatabase(state));
      if (!entries) return Status::Ok();
      if (Status st = entries->Ack(entries->TakeReturnedIds()); !st.ok()) {
        // Committed but not acknowledged: the next run acknowledges them (the checkpoint says
        // they are committed), so nothing is lost or ingested twice.
        PipelineLog().warn("source '{}': acknowledging committed entries failed: {}", cfg_.name,
                           st.message());
      }
      return Status::Ok();
    };
    uint64_t rows_since_commit = 0;
    while (true) {
      auto batch = std::make_unique<Batch>();
      NewBatch(*batch, unit);
      Result<size_t> n = entries ? entries->ReadBatch(*batch, p_.config.pipeline.batch_max_rows)
                                 : hashes->ReadBatch(*batch, p_.config.pipeline.batch_max_rows);
      if (!n.ok()) return AbortAll(n.status());
      if (*n == 0) break;
      bytes_in_.Add(batch->input_bytes);
      rows_since_commit += *n;
      pool_->Submit(std::move(batch));
      if (pool_->failed()) return AbortAll(pool_->Drain());
      if (entries && rows_since_commit >= p_.config.pipeline.commit_interval_rows) {
        RETURN_IF_ERROR(commit(rows_since_commit));
        RETURN_IF_ERROR(StartSinks());
        rows_since_commit = 0;
      }
    }
    if (Status st = pool_->Drain(); !st.ok()) return AbortAll(st);
    if (entries && entries->skipped_committed() > 0) {
      PipelineLog().info("source '{}': {} entries committed by an earlier run were acknowledged",
                         cfg_.name, entries->skipped_committed());
    }
    return commit(rows_since_commit);
  }

  // One attempt of RunDatabase: connect, read after the committed watermark (from the store,
  // so a retry resumes exactly where the last commit that landed left off), commit as it goes.
  Status ReadDatabase(const sources::db::ConnectOptions& connect) {
    namespace db = sources::db;
    const std::string unit = DatabaseUnitName(cfg_);
    const bool incremental = !cfg_.database.watermark_column.empty();
    events::Checkpoint state{cfg_.name, unit, "null", 0, p_.options.run_id};
    db::ReadRequest request = ReadRequestFor(cfg_, p_.config.pipeline.batch_max_bytes);
    for (const schema::Field& f : source_.schema.fields) request.fields.push_back(f.name);
    ASSIGN_OR_RETURN(auto checkpoint, store_.FindCheckpoint(cfg_.name, unit));
    if (checkpoint && incremental) {
      ASSIGN_OR_RETURN(request.watermark_after, WatermarkFromJson(checkpoint->value));
      state.value = checkpoint->value;
      state.rows_committed = checkpoint->rows_committed;
    }
    ASSIGN_OR_RETURN(auto input,
                     DatabaseInput::Open(connect, request, cfg_.database.partitions, unit,
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
        RETURN_IF_ERROR(CommitDatabase(state, /*background=*/true));
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
    return CommitDatabase(state);
  }

  Status CommitDatabase(const events::Checkpoint& state, bool background = false) {
    events::FileState unused;
    return CommitSinks(unused, background, state);
  }

  /// What the counters gained while a file was read speculatively and then discarded.
  struct Tally {
    uint64_t rows = 0, bytes = 0;
    std::array<uint64_t, kNumTiers> tiers{};
  };
  Tally Counted() const {
    Tally t{rows_in_.value(), bytes_in_.value(), {}};
    for (size_t i = 0; i < kNumTiers; ++i) t.tiers[i] = tier_out_[i]->value();
    return t;
  }

  /// `speculate`: a path this source has never seen is read while its content hash (its
  /// identity) is computed on another thread, instead of after it; the first commit waits for
  /// the hash, and if the bytes turn out to be known (a renamed or copied input), everything
  /// staged is dropped and the file is run again the careful way. Nothing is visible before a
  /// commit, so the speculation cannot duplicate a record. Hashing first cost a single-threaded
  /// pass over the file before any work: 27 ms per 122 MB (bench 10M CSV: ~0.3 s of 8.8 s).
  Status RunFile(const sources::FileSource& files, size_t index, bool speculate = true) {
    const std::string& path = files.files()[index];
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return ErrnoStatus(errno, path);
    events::FileState state;
    state.source = cfg_.name;
    state.run_id = p_.options.run_id;
    state.identity.path = path;
    state.identity.size = static_cast<uint64_t>(st.st_size);
    state.identity.mtime_ns =
        static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;

    ASSIGN_OR_RETURN(auto by_stat, store_.FindFileByStat(cfg_.name, path, state.identity.size,
                                                         state.identity.mtime_ns));
    if (by_stat && by_stat->complete) return Skip(path, state.identity.size);
    ASSIGN_OR_RETURN(auto before, store_.FindLatestByPath(cfg_.name, path));
    std::future<Result<std::string>> hashing;
    // With one thread (pipeline.threads: 1) nothing can run beside the reader: hash first.
    if (speculate && workers_.size() > 1 && !by_stat && !before) {
      hashing = std::async(std::launch::async, [path] { return events::HashFile(path); });
    } else {
      ASSIGN_OR_RETURN(state.identity.content_hash, events::HashFile(path));
      ASSIGN_OR_RETURN(auto known, store_.FindFile(cfg_.name, state.identity.content_hash));
      if (known && known->complete) return Skip(path, state.identity.size);
      if (known) {  // a commit covered part of this file: go on from there
        state.committed_offset = known->committed_offset;
        state.committed_line = known->committed_line;
        state.rows_committed = known->rows_committed;
      } else {
        ASSIGN_OR_RETURN(auto grown, GrownFrom(before, path, state.identity.size));
        if (grown) {  // the same file with bytes appended (a log): read only the new records
          state.committed_offset = grown->committed_offset;
          state.committed_line = grown->committed_line;
          state.rows_committed = grown->rows_committed;
          PipelineLog().info(
              "source '{}': {} grew by {} bytes since it was ingested: reading the new records",
              cfg_.name, path, state.identity.size - grown->identity.size);
        }
      }
    }
    const Tally counted_before = Counted();
    // Before the first commit: true if the speculation holds (the bytes are new).
    auto identity_is_new = [&]() -> Result<bool> {
      if (!hashing.valid()) return true;
      ASSIGN_OR_RETURN(state.identity.content_hash, hashing.get());
      ASSIGN_OR_RETURN(auto known, store_.FindFile(cfg_.name, state.identity.content_hash));
      if (!known) return true;
      (void)AbortAll(Status::Ok());
      const Tally now = Counted();
      discarded_.rows += now.rows - counted_before.rows;
      discarded_.bytes += now.bytes - counted_before.bytes;
      for (size_t t = 0; t < kNumTiers; ++t) {
        discarded_.tiers[t] += now.tiers[t] - counted_before.tiers[t];
      }
      PipelineLog().info("source '{}': {} holds the same bytes as {}, ingested before", cfg_.name,
                         path, known->identity.path);
      return false;
    };

    std::unique_ptr<sources::RecordReader> reader;
    Result<std::unique_ptr<sources::RecordReader>> opened = files.Open(index, 0);
    Status read_error;
    if (opened.ok()) {
      reader = std::move(opened).value();
      if (state.committed_offset > 0) {
        RETURN_IF_ERROR(reader->SkipTo(state.committed_offset, state.committed_line));
        PipelineLog().info("source '{}': resuming {} at line {}", cfg_.name, path,
                           state.committed_line);
      }
      if (!reader->missing_fields().empty()) {
        std::string names;
        for (const auto& n : reader->missing_fields()) names += (names.empty() ? "" : ", ") + n;
        PipelineLog().warn("source '{}': {} has no column for schema field(s) {}: they are null",
                           cfg_.name, path, names);
      }
    } else if (IsDataError(opened.status())) {
      read_error = opened.status();
    } else {
      return opened.status();
    }

    // NDJSON and CSV are decoded on the workers; the pool is drained here, so no worker holds a
    // decoder.
    for (Worker& w : workers_) w.decoder = reader ? reader->MakeParallelDecoder() : nullptr;
    RETURN_IF_ERROR(StartSinks());
    uint64_t rows_since_commit = 0;
    uint64_t last_offset = state.committed_offset;
    while (reader && read_error.ok()) {
      auto batch = std::make_unique<Batch>();
      NewBatch(*batch, path);
      Result<size_t> n = reader->ReadBatch(*batch, p_.config.pipeline.batch_max_rows);
      if (!n.ok()) {
        if (!IsDataError(n.status())) return AbortAll(n.status());
        read_error = n.status();
      }
      if (batch->num_rows() == 0) break;
      bytes_in_.Add(reader->bytes_consumed() - last_offset);
      last_offset = reader->bytes_consumed();
      rows_since_commit += batch->num_rows();
      state.rows_committed += batch->num_rows();
      pool_->Submit(std::move(batch));
      if (pool_->failed()) return AbortAll(pool_->Drain());
      if (progress_) progress_->Advance(reader->compressed_bytes_consumed());
      if (rows_since_commit >= p_.config.pipeline.commit_interval_rows && read_error.ok()) {
        Result<bool> is_new = identity_is_new();
        if (!is_new.ok()) return AbortAll(is_new.status());
        if (!*is_new) return RunFile(files, index, /*speculate=*/false);
        state.committed_offset = reader->bytes_consumed();
        state.committed_line = reader->next_line();
        state.complete = false;
        RETURN_IF_ERROR(CommitSinks(state, /*background=*/true));
        rows_since_commit = 0;
      }
    }
    if (Status st = pool_->Drain(); !st.ok()) return AbortAll(st);
    if (!read_error.ok()) {
      // The rows before the damage are kept; the damage itself becomes a rejected row, so the
      // loss is visible in the data and not only in a log.
      if (Status st = RejectUnreadable(path, read_error, reader.get()); !st.ok()) {
        return AbortAll(st);
      }
      ++state.rows_committed;
      PipelineLog().warn("source '{}': {}: {}", cfg_.name, path, read_error.message());
      metrics_
          .GetCounter(metric::kErrorsTotal,
                      {{"source", cfg_.name},
                       {"stage", "source"},
                       {"code", std::string(StatusCodeName(read_error.code()))}})
          .Add();
    }
    if (reader) {
      state.committed_offset = reader->bytes_consumed();
      state.committed_line = reader->next_line();
    }
    state.complete = true;
    Result<bool> is_new = identity_is_new();
    if (!is_new.ok()) return AbortAll(is_new.status());
    if (!*is_new) return RunFile(files, index, /*speculate=*/false);
    if (progress_) progress_->Advance(state.identity.size);
    RETURN_IF_ERROR(CommitSinks(state));
    files_read_.Add();
    return Status::Ok();
  }

  using Sinks = std::vector<std::unique_ptr<sinks::Sink>>;

  Result<Sinks> MakeSinks() {
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

  /// What one worker thread owns: its sinks for the current commit unit and its scratch.
  struct Worker {
    std::unique_ptr<sources::RecordDecoder> decoder;  ///< for readers that decode in parallel
    Sinks sinks;
    quality::Grades grades;
    quality::EvalScratch scratch;
    GradedBatch graded;
    ValidationTally tally;  ///< rows graded since the last commit, for the statistics
  };

  // A fresh set of sinks per worker for the next commit unit.
  Status StartSinks() {
    for (Worker& w : workers_) {
      ASSIGN_OR_RETURN(w.sinks, MakeSinks());
    }
    return Status::Ok();
  }

  // Drops everything staged since the last commit (the input is read again next time).
  Status AbortAll(Status cause) {
    (void)pool_->Drain();
    (void)AwaitCommit();  // an earlier unit's commit is still valid: let it land
    for (Worker& w : workers_) {
      for (auto& sink : w.sinks) sink->Abort();
      w.sinks.clear();
      w.tally.Clear();
    }
    return cause;
  }

  void NewBatch(Batch& batch, const std::string& path) {
    for (const schema::Field& f : source_.schema.fields) batch.AddColumn(f.name);
    batch.AddUnit(path);
    batch.source_name = cfg_.name;
    batch.ingested_at_us = p_.started_us;
  }

  // Decoder -> Classifier -> Router -> Sinks for one batch, on worker `w`'s thread.
  Status Process(Batch& batch, Worker& w) {
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

  // Called with the pool drained, so worker 0's state is free to use on this thread.
  Status RejectUnreadable(const std::string& path, const Status& error,
                          const sources::RecordReader* reader) {
    Batch batch;
    NewBatch(batch, path);
    RowOrigin origin;
    origin.line = 1;  // the file could not be opened: the damage is at its start
    if (reader) {
      origin.line = reader->next_line();
      origin.byte_offset = reader->bytes_consumed();
    }
    size_t row = batch.AppendRow(origin, {});
    batch.SetParseError(
        row, error.code() == StatusCode::kDataLoss ? "file.truncated" : "file.unreadable",
        error.message());
    return Process(batch, workers_[0]);
  }

  // Closes one worker's sinks; their staged files, in sink order.
  static Result<std::vector<sinks::StagedFile>> FinishSinks(Sinks& sinks) {
    std::vector<sinks::StagedFile> files;
    for (auto& sink : sinks) {
      ASSIGN_OR_RETURN(std::vector<sinks::StagedFile> staged, sink->Finish());
      for (auto& f : staged) files.push_back(std::move(f));
    }
    sinks.clear();
    return files;
  }

  // Everything submitted so far becomes durable and visible, with the input position.
  // `background`: the unit is finished and committed on another thread while the workers go on
  // with the next one on fresh sinks (which this starts); commits stay in order because each
  // waits for the one before. A foreground commit also waits, and returns once it is durable.
  // Bench CSV 10M, 2 threads: each of the ten commits had left the cores ~half idle for ~0.1 s.
  Status CommitSinks(const events::FileState& state, bool background = false,
                     const std::optional<events::Checkpoint>& checkpoint = std::nullopt) {
    if (Status st = pool_->Drain(); !st.ok()) return AbortAll(st);
    if (Status st = AwaitCommit(); !st.ok()) return AbortAll(st);
    std::vector<Sinks> unit;
    for (Worker& w : workers_) unit.push_back(std::move(w.sinks));
    std::optional<events::ValidationCounts> validation = TakeValidation();
    if (!background) {
      return FinishAndCommit(std::move(unit), state, checkpoint, std::move(validation));
    }
    if (Status st = StartSinks(); !st.ok()) {
      for (Sinks& sinks : unit) {
        for (auto& sink : sinks) sink->Abort();
      }
      return AbortAll(st);
    }
    pending_commit_ =
        std::async(std::launch::async, [this, unit = std::move(unit), state, checkpoint,
                                        validation = std::move(validation)]() mutable {
          return FinishAndCommit(std::move(unit), state, checkpoint, std::move(validation));
        });
    return Status::Ok();
  }

  // The workers' counts since the last commit, for the subject version graded by (none without
  // a subject); called with the pool drained.
  std::optional<events::ValidationCounts> TakeValidation() {
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
  Status AwaitCommit() {
    if (!pending_commit_.valid()) return Status::Ok();
    return pending_commit_.get();
  }

  // Finishes a unit's sinks, one thread per worker (encode, compress and fsync the open row
  // groups), and commits their files with the input position. On failure the unit's staged
  // files are dropped. In the background too: when a commit falls on the last batch of a file
  // (1M rows, commit_interval_rows 1M), finishing one worker after the other on a single
  // thread made the end of the run ~0.1 s longer.
  Status FinishAndCommit(std::vector<Sinks> unit, const events::FileState& state,
                         const std::optional<events::Checkpoint>& checkpoint,
                         std::optional<events::ValidationCounts> validation) {
    CommitRequest request{p_.options.run_id,    cfg_.name, {}, state, checkpoint,
                          std::move(validation)};
    std::vector<Result<std::vector<sinks::StagedFile>>> finished(unit.size(),
                                                                 std::vector<sinks::StagedFile>{});
    {
      std::vector<std::jthread> finishers;
      for (size_t i = 1; i < unit.size(); ++i) {
        finishers.emplace_back([&unit, i, &finished] { finished[i] = FinishSinks(unit[i]); });
      }
      if (!unit.empty()) finished[0] = FinishSinks(unit[0]);
    }
    for (auto& staged : finished) {
      if (!staged.ok()) {
        for (Sinks& sinks : unit) {
          for (auto& sink : sinks) sink->Abort();
        }
        return staged.status();
      }
      for (auto& f : *staged) request.files.push_back(std::move(f));
    }
    ASSIGN_OR_RETURN(int64_t id, commits_.Commit(request));
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
                       .Set("input", checkpoint ? checkpoint->unit : state.identity.path)
                       .Set("complete", checkpoint ? true : state.complete));
    return Status::Ok();
  }

  // The committed state of this path's earlier version if the file now holds exactly those
  // bytes followed by more. Only plain files: compressed offsets are not byte offsets of the file.
  Result<std::optional<events::FileState>> GrownFrom(const std::optional<events::FileState>& before,
                                                     const std::string& path, uint64_t size) {
    if (!before || !before->complete || before->identity.size >= size ||
        before->committed_offset != before->identity.size ||
        sources::CompressionFromExtension(path) != sources::Compression::kAuto) {
      return std::optional<events::FileState>();
    }
    Result<std::string> prefix = events::HashFile(path, before->identity.size);
    if (!prefix.ok() || *prefix != before->identity.content_hash) {
      return std::optional<events::FileState>();
    }
    return before;
  }

  Status Skip(const std::string& path, uint64_t size) {
    files_skipped_.Add();
    if (progress_) progress_->Advance(size);
    PipelineLog().info("source '{}': {} was already ingested (use --reprocess to ingest it again)",
                       cfg_.name, path);
    return Status::Ok();
  }

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
  std::unique_ptr<WorkerPool> pool_;
  std::future<Status> pending_commit_;  ///< a unit committing in the background (CommitSinks)
};

}  // namespace

SourceSummary RunSource(const RunContext& run, const PreparedSource& source,
                        events::StateStore& store, CommitLog& commits, uint64_t& sequence,
                        Progress* progress) {
  SourceRun source_run(run, source, store, commits, sequence, progress);
  return source_run.Run();
}

}  // namespace assay::pipeline
