#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/result.h"
#include "sources/database/database.h"
#include "sources/database/database_reader.h"
#include "sources/database/partitioned_read.h"

namespace assay::pipeline {

/// How to connect for a `type: database` source: its URL parsed, the password from
/// `password:` or `password_file:`, TLS and timeouts. kInvalidArgument (a config error, exit 2)
/// for a bad URL or an unreadable password file; messages never hold the password.
Result<sources::db::ConnectOptions> ConnectOptionsFor(const config::SourceConfig& source);

/// What a database source reads, without the position (set from the checkpoint).
sources::db::ReadRequest ReadRequestFor(const config::SourceConfig& source, size_t batch_max_bytes);

/// The unit a database source's rows and checkpoint are known by: its table, or "query".
std::string DatabaseUnitName(const config::SourceConfig& source);

/// A watermark as stored in the checkpoint (JSON: {"type": ..., "value": ...}) and back.
std::string WatermarkToJson(const std::optional<sources::db::DbParam>& watermark);
Result<std::optional<sources::db::DbParam>> WatermarkFromJson(const std::string& json);

/// The health check of a database source (`--validate-config`, the dashboard): connects, pings
/// and runs its query for no rows, so a wrong password, an unreachable host, or a missing table
/// or watermark/partition column is found without reading data. Errors are redacted and name the
/// redacted URL.
Status CheckDatabase(const config::SourceConfig& source);

/// The batches of one read of a database source: one connection and cursor, or, with
/// `partitions` > 1, the partitions of a PartitionPlan read in parallel.
class DatabaseInput {
 public:
  using NewBatch = std::function<std::unique_ptr<Batch>()>;

  /// Connects and starts the query (or the partitions' queries). Errors are redacted.
  static Result<std::unique_ptr<DatabaseInput>> Open(const sources::db::ConnectOptions& options,
                                                     sources::db::ReadRequest request,
                                                     int partitions, const std::string& unit,
                                                     size_t batch_max_rows, NewBatch new_batch);

  /// The next batch; nullptr at the end. Errors are redacted.
  Result<std::unique_ptr<Batch>> Next();

  /// The watermark to commit after the batches returned so far, when that is possible now: the
  /// last row's, if the next row's differs (serial reads). Partitioned reads commit at the end.
  std::optional<sources::db::DbParam> CommitPoint() const;
  /// The watermark to commit once every batch is read (none if no row had one).
  std::optional<sources::db::DbParam> FinalWatermark() const;
  const std::vector<std::string>& missing_fields() const;

 private:
  DatabaseInput() = default;

  const sources::db::ConnectOptions* options_ = nullptr;
  size_t batch_max_rows_ = 0;
  NewBatch new_batch_;
  std::unique_ptr<sources::db::DbConnection> connection_;       // serial
  std::unique_ptr<sources::db::DatabaseReader> reader_;         // serial
  std::unique_ptr<sources::db::PartitionedReader> partitions_;  // partitioned
  std::optional<sources::db::DbParam> watermark_through_;       // partitioned
};

}  // namespace assay::pipeline
