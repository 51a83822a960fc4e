#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/batch.h"
#include "core/result.h"
#include "sources/database/database.h"
#include "sources/database/database_reader.h"

/// Parallel reads of one table (DESIGN.md §5, like Spark's JDBC `partitionColumn`): the range of
/// an integer column is split into ranges, each read on its own connection and thread.
namespace assay::sources::db {

/// A partitioned read: one request per range, and the highest watermark they read up to.
struct PartitionPlan {
  std::vector<ReadRequest> partitions;
  /// Incremental reads: every partition reads up to this watermark (the highest when the plan
  /// was made), so once all are done it is the one to commit; rows arriving meanwhile wait for
  /// the next run. None when no row is above the last committed watermark.
  std::optional<DbParam> watermark_through;
};

/// Asks `connection` for the bounds of `request.partition_column` (and the highest watermark)
/// among the rows `request` reads, and splits them into at most `partitions` ranges of equal
/// width. The first range also takes rows whose partition column is NULL. kInvalidArgument when
/// the column is not an integer column.
Result<PartitionPlan> PlanPartitions(DbConnection& connection, const ReadRequest& request,
                                     int partitions);

/// Reads the partitions of a plan in parallel, one connection and thread each, and hands out
/// their batches in the order they are ready. Memory is bounded: each thread waits while two of
/// its batches are not yet taken. A partition's rows are the unit `<unit>#<i>` (so `_position`
/// stays unique across partitions).
class PartitionedReader {
 public:
  using NewBatch = std::function<std::unique_ptr<Batch>()>;

  /// Connects every partition first: a connection failure fails the read before any row.
  static Result<std::unique_ptr<PartitionedReader>> Open(const ConnectOptions& options,
                                                         const PartitionPlan& plan,
                                                         const std::string& unit,
                                                         size_t batch_max_rows, NewBatch new_batch);
  ~PartitionedReader();
  PartitionedReader(const PartitionedReader&) = delete;
  PartitionedReader& operator=(const PartitionedReader&) = delete;

  /// The next batch of any partition; nullptr once every partition is done. The first error of
  /// any partition stops the others and is returned.
  Result<std::unique_ptr<Batch>> Next();

  /// Schema fields no partition's result has (the same for all).
  const std::vector<std::string>& missing_fields() const { return missing_; }

 private:
  PartitionedReader() = default;
  void Read(size_t partition);

  struct Partition {
    std::unique_ptr<DbConnection> connection;
    std::unique_ptr<DatabaseReader> reader;
  };
  std::vector<Partition> partitions_;
  std::vector<std::string> missing_;
  size_t batch_max_rows_ = 0;
  NewBatch new_batch_;

  std::mutex mu_;
  std::condition_variable ready_, taken_;
  std::deque<std::unique_ptr<Batch>> queue_;
  size_t running_ = 0;
  bool stop_ = false;
  Status error_;
  std::vector<std::thread> threads_;
};

}  // namespace assay::sources::db
