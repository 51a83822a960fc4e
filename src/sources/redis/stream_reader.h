#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/batch.h"
#include "core/result.h"
#include "sources/redis/redis_client.h"

namespace assay::sources::redis {

/// A stream entry id, `<milliseconds>-<sequence>`, ordered as Redis orders them.
struct StreamId {
  uint64_t ms = 0, seq = 0;
  static std::optional<StreamId> Parse(std::string_view text);
  std::string ToString() const;
  bool operator<=(const StreamId& other) const {
    return ms < other.ms || (ms == other.ms && seq <= other.seq);
  }
};

/// Reads a Redis stream through a consumer group (XREADGROUP), as a batch source: first the
/// entries this consumer was given but never acknowledged (a run that died before its commit),
/// then new ones, until none is left. Entries are acknowledged (XACK) only by Ack(), which the
/// pipeline calls after the entries' output is committed; the committed id is the checkpoint,
/// so entries a crash left unacknowledged after their commit are acknowledged and skipped, not
/// ingested twice.
class StreamReader {
 public:
  struct Options {
    std::string stream;
    std::string group = "assay";
    std::string consumer = "assay";
    std::vector<std::string> fields;    ///< the schema's fields, in batch column order
    std::optional<StreamId> committed;  ///< the checkpoint: entries up to it are committed
    size_t count = 1000;                ///< entries per XREADGROUP
  };

  /// Creates the group if it does not exist (reading the stream from its start, MKSTREAM).
  static Result<std::unique_ptr<StreamReader>> Open(RedisClient& client, Options options);

  /// Appends up to `max_rows` entries to `batch` (fields by name; values are text); 0 when no
  /// entry is left. `_raw` is the entry as JSON with its id as "_id".
  Result<size_t> ReadBatch(Batch& batch, size_t max_rows);

  /// The ids of the entries returned since the last call: what the next commit covers.
  std::vector<std::string> TakeReturnedIds();
  /// The id of the last entry returned (the checkpoint once committed).
  const std::optional<StreamId>& last_id() const { return last_id_; }
  /// Acknowledges entries whose output is committed.
  Status Ack(const std::vector<std::string>& ids);
  /// Entries found already committed (a crash between commit and XACK) and acknowledged.
  uint64_t skipped_committed() const { return skipped_committed_; }

 private:
  StreamReader(RedisClient& client, Options options)
      : client_(client), options_(std::move(options)) {}
  Result<size_t> Fill(size_t max_rows);

  struct Entry {
    std::string id;
    std::vector<std::pair<std::string, std::string>> fields;
  };

  RedisClient& client_;
  Options options_;
  bool pending_phase_ = true;         ///< reading this consumer's unacknowledged entries first
  std::string pending_cursor_ = "0";  ///< where this consumer's pending history goes on
  bool exhausted_ = false;
  std::vector<Entry> entries_;  ///< read from Redis, not yet returned
  size_t next_ = 0;
  std::vector<std::string> returned_ids_;
  std::optional<StreamId> last_id_;
  uint64_t skipped_committed_ = 0;
  uint64_t rows_read_ = 0;
};

}  // namespace assay::sources::redis
