#include <sys/stat.h>

#include <future>

#include "pipeline/file_options.h"
#include "pipeline/source_runner.h"
#include "sources/file_source.h"

namespace assay::pipeline {
namespace {

namespace metric = events::metric;

// Read errors that mean the bytes themselves are bad (data), not that the machine failed.
bool IsDataError(const Status& s) {
  return s.code() == StatusCode::kDataLoss || s.code() == StatusCode::kInvalidArgument;
}

}  // namespace

Status SourceRunner::RunFiles() {
  sources::FileSourceOptions fo = FileOptionsFor(cfg_, p_.config.pipeline, SchemaFieldNames());
  ASSIGN_OR_RETURN(std::unique_ptr<sources::FileSource> files, sources::FileSource::Make(fo));
  if (p_.options.reprocess) RETURN_IF_ERROR(store_.ForgetFiles(cfg_.name));
  uint64_t total_bytes = 0;
  for (const std::string& path : files->files()) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) total_bytes += static_cast<uint64_t>(st.st_size);
  }
  if (progress_) progress_->StartSource(cfg_.name, total_bytes);
  StartWorkers(Threads::kReadingPool);
  for (size_t i = 0; i < files->files().size(); ++i) {
    Status st = RunFile(*files, i);
    if (!st.ok()) {
      files_failed_.Add();
      Fail(st.WithContext(files->files()[i]));
    }
  }
  reading_.reset();
  if (progress_) progress_->FinishSource();
  return Status::Ok();
}

SourceRunner::Tally SourceRunner::Counted() const {
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
Status SourceRunner::RunFile(const sources::FileSource& files, size_t index, bool speculate) {
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
  const bool plain = sources::CompressionFromExtension(path) == sources::Compression::kAuto;
  // Runs on whichever worker thread reads next, under the pool's lock.
  const ReadingPool::Read read = [&]() -> Result<ReadingPool::Pulled> {
    ReadingPool::Pulled pulled;
    if (!reader || !read_error.ok()) return pulled;
    auto batch = std::make_unique<Batch>();
    NewBatch(*batch, path);
    Result<size_t> n = reader->ReadBatch(*batch, p_.config.pipeline.batch_max_rows);
    if (!n.ok()) {
      if (!IsDataError(n.status())) return n.status();
      read_error = n.status();
    }
    if (batch->num_rows() == 0) return pulled;
    bytes_in_.Add(reader->bytes_consumed() - last_offset);
    last_offset = reader->bytes_consumed();
    rows_since_commit += batch->num_rows();
    state.rows_committed += batch->num_rows();
    if (progress_) progress_->Advance(reader->compressed_bytes_consumed());
    // A commit point on the last batch of a plain file would only commit the same rows just
    // before the file's final commit does.
    const bool at_end = plain && reader->bytes_consumed() == state.identity.size;
    pulled.barrier_after =
        rows_since_commit >= p_.config.pipeline.commit_interval_rows && read_error.ok() && !at_end;
    pulled.batch = std::move(batch);
    return pulled;
  };
  // A commit point: every batch read so far is processed, and the reader has not moved on.
  bool already_ingested = false;
  const ReadingPool::Barrier commit = [&]() -> Status {
    ASSIGN_OR_RETURN(bool is_new, identity_is_new());
    if (!is_new) {
      already_ingested = true;
      return {StatusCode::kCancelled, "the file was ingested before"};
    }
    state.committed_offset = reader->bytes_consumed();
    state.committed_line = reader->next_line();
    state.complete = false;
    rows_since_commit = 0;
    return CommitSinks(state, /*background=*/true);
  };
  // RejectUnreadable writes the damage to worker 0's sinks after the run: they stay open then.
  const ReadingPool::Drained close_early = [&](size_t w) -> Status {
    return read_error.ok() ? CloseDrained(workers_[w]) : Status::Ok();
  };
  Status ran = reading_->Run(read, commit, close_early);
  if (already_ingested) return RunFile(files, index, /*speculate=*/false);
  if (!ran.ok()) return AbortAll(ran);
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

// Called with the pool drained, so worker 0's state is free to use on this thread.
Status SourceRunner::RejectUnreadable(const std::string& path, const Status& error,
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
  batch.SetParseError(row,
                      error.code() == StatusCode::kDataLoss ? "file.truncated" : "file.unreadable",
                      error.message());
  return Process(batch, workers_[0]);
}

// The committed state of this path's earlier version if the file now holds exactly those
// bytes followed by more. Only plain files: compressed offsets are not byte offsets of the file.
Result<std::optional<events::FileState>> SourceRunner::GrownFrom(
    const std::optional<events::FileState>& before, const std::string& path, uint64_t size) {
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

Status SourceRunner::Skip(const std::string& path, uint64_t size) {
  files_skipped_.Add();
  if (progress_) progress_->Advance(size);
  PipelineLog().info("source '{}': {} was already ingested (use --reprocess to ingest it again)",
                     cfg_.name, path);
  return Status::Ok();
}

}  // namespace assay::pipeline
