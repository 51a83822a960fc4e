#include "sources/database/partitioned_read.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace assay::sources::db {
namespace {

// An integer bound from MIN()/MAX(): integer columns give integers; a decimal or float column
// is accepted when its bounds are whole (the ranges are integers either way).
Result<int64_t> IntegerBound(const RowChunk& chunk, const RowChunk::Cell& cell,
                             const std::string& column) {
  const std::string_view text = chunk.value(cell);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc() && end == text.data() + text.size()) return value;
  if (cell.type == DbType::kDecimal || cell.type == DbType::kFloat) {
    const double d = std::strtod(std::string(text).c_str(), nullptr);
    if (std::isfinite(d) && std::abs(d) < 9e15) return static_cast<int64_t>(std::floor(d));
  }
  return InvalidArgument(fmt::format(
      "partition_column '{}' must be an integer column (its bound is '{}')", column, text));
}

}  // namespace

Result<PartitionPlan> PlanPartitions(DbConnection& connection, const ReadRequest& request,
                                     int partitions) {
  const SqlDialect& dialect = connection.dialect();
  std::vector<DbParam> params;
  const std::string column = dialect.QuoteName(request.partition_column);
  std::string sql = fmt::format("SELECT MIN({0}), MAX({0})", column);
  if (!request.watermark_column.empty()) {
    sql += fmt::format(", MAX({})", dialect.QuoteName(request.watermark_column));
  }
  ReadRequest all = request;
  all.partition_column.clear();
  sql += fmt::format(" FROM ({}) AS assay_bounds", BuildSelect(all, dialect, params, false));
  ASSIGN_OR_RETURN(auto cursor, connection.Query(sql, params));
  RowChunk chunk;
  ASSIGN_OR_RETURN(size_t rows, cursor->Fetch(chunk, 1));
  PartitionPlan plan;
  if (rows == 0 || chunk.cells[0].null || chunk.cells[1].null) {
    // No row with a partition value: one read takes whatever there is (NULLs only, or nothing).
    ReadRequest only = all;
    if (!request.watermark_column.empty() && rows > 0 && !chunk.cells[2].null) {
      plan.watermark_through =
          DbParam{chunk.cells[2].type, std::string(chunk.value(chunk.cells[2]))};
      only.watermark_through = plan.watermark_through;
    }
    plan.partitions.push_back(std::move(only));
    return plan;
  }
  ASSIGN_OR_RETURN(int64_t low, IntegerBound(chunk, chunk.cells[0], request.partition_column));
  ASSIGN_OR_RETURN(int64_t high, IntegerBound(chunk, chunk.cells[1], request.partition_column));
  if (!request.watermark_column.empty() && !chunk.cells[2].null) {
    plan.watermark_through = DbParam{chunk.cells[2].type, std::string(chunk.value(chunk.cells[2]))};
  }
  // Widths in 128 bits: high - low overflows int64 for a column spanning its whole range.
  const __int128 span = static_cast<__int128>(high) - low + 1;
  const __int128 n = std::min<__int128>(partitions, span);
  const __int128 width = (span + n - 1) / n;
  for (__int128 i = 0; i < n; ++i) {
    ReadRequest part = request;
    part.watermark_through = plan.watermark_through;
    if (i > 0) part.partition_lower = static_cast<int64_t>(low + i * width);
    if (i + 1 < n) part.partition_upper = static_cast<int64_t>(low + (i + 1) * width);
    part.partition_with_nulls = i == 0;
    if (n == 1) part.partition_column.clear();  // one range is the whole table
    plan.partitions.push_back(std::move(part));
  }
  return plan;
}

Result<std::unique_ptr<PartitionedReader>> PartitionedReader::Open(const ConnectOptions& options,
                                                                   const PartitionPlan& plan,
                                                                   const std::string& unit,
                                                                   size_t batch_max_rows,
                                                                   NewBatch new_batch) {
  std::unique_ptr<PartitionedReader> out(new PartitionedReader());
  out->batch_max_rows_ = batch_max_rows;
  out->new_batch_ = std::move(new_batch);
  for (size_t i = 0; i < plan.partitions.size(); ++i) {
    Partition p;
    ASSIGN_OR_RETURN(p.connection, Connect(options));
    ASSIGN_OR_RETURN(p.reader, DatabaseReader::Open(*p.connection, plan.partitions[i],
                                                    fmt::format("{}#{}", unit, i + 1)));
    if (i == 0) out->missing_ = p.reader->missing_fields();
    out->partitions_.push_back(std::move(p));
  }
  out->running_ = out->partitions_.size();
  for (size_t i = 0; i < out->partitions_.size(); ++i) {
    out->threads_.emplace_back([self = out.get(), i] { self->Read(i); });
  }
  return out;
}

PartitionedReader::~PartitionedReader() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  taken_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void PartitionedReader::Read(size_t partition) {
  DatabaseReader& reader = *partitions_[partition].reader;
  Status error;
  while (true) {
    std::unique_ptr<Batch> batch = new_batch_();
    Result<size_t> n = reader.ReadBatch(*batch, batch_max_rows_);
    if (!n.ok()) {
      error = n.status().WithContext(fmt::format("partition {}", partition + 1));
      break;
    }
    if (*n == 0) break;
    std::unique_lock lock(mu_);
    // Two batches of each partition waiting at most: the pipeline, not the database, sets the pace.
    taken_.wait(lock, [&] { return stop_ || queue_.size() < 2 * partitions_.size(); });
    if (stop_) return;
    queue_.push_back(std::move(batch));
    ready_.notify_one();
  }
  std::lock_guard lock(mu_);
  if (!error.ok() && error_.ok()) {
    error_ = std::move(error);
    stop_ = true;
    taken_.notify_all();
  }
  --running_;
  ready_.notify_all();
}

Result<std::unique_ptr<Batch>> PartitionedReader::Next() {
  std::unique_lock lock(mu_);
  ready_.wait(lock, [&] { return !error_.ok() || !queue_.empty() || running_ == 0; });
  if (!error_.ok()) return error_;
  if (queue_.empty()) return std::unique_ptr<Batch>();
  std::unique_ptr<Batch> batch = std::move(queue_.front());
  queue_.pop_front();
  taken_.notify_all();
  return batch;
}

}  // namespace assay::sources::db
