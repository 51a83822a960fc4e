#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "pipeline/source_runner.h"
#include "sources/redis/hash_reader.h"
#include "sources/redis/redis_client.h"
#include "sources/redis/stream_reader.h"

namespace assay::pipeline {

/// A Redis stream (through a consumer group) or the hashes of a key pattern
/// (docs/database-sources.md). Stream entries are acknowledged only after the commit that
/// holds their output, and the commit stores the last entry id, so a crash between the two
/// leaves entries that the next run acknowledges without ingesting them again. Commits are
/// in the foreground here: the acknowledgement must follow the commit.
Status SourceRunner::RunRedis() {
  return RunWithRetries([this] { return ReadRedis(); });
}

Status SourceRunner::ReadRedis() {
  namespace redis = sources::redis;
  const config::RedisConfig& rc = cfg_.database.redis;
  const bool stream = !rc.stream.empty();
  const std::string unit = stream ? rc.stream : rc.key_pattern;
  // Each consumer's checkpoint is its own: the ids it committed say nothing of the entries
  // another consumer of the group was given.
  const std::string checkpoint_unit =
      stream ? fmt::format("{}@{}/{}", rc.stream, rc.group, rc.consumer) : unit;
  const std::vector<std::string> fields = SchemaFieldNames();
  const sources::db::ConnectOptions& connect = *source_.connect;
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
    RETURN_IF_ERROR(CommitSinks(state));
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

}  // namespace assay::pipeline
