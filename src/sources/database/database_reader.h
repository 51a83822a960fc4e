#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/batch.h"
#include "core/result.h"
#include "sources/database/database.h"

namespace assay::sources::db {

/// What a database source reads (its `table:` or `query:`), and from where on.
struct ReadRequest {
  std::string table;  ///< a table or view, optionally schema-qualified
  std::string query;  ///< or a SELECT; exactly one of the two is set
  /// Incremental reads: rows in ascending order of this column, after `watermark_after`.
  std::string watermark_column;
  std::optional<DbParam> watermark_after;    ///< the last committed watermark; none = all rows
  std::optional<DbParam> watermark_through;  ///< and at most this one (a partitioned read's bound)
  /// Parallel reads: only rows with partition_column in [lower, upper) (either side open when
  /// unset); `with_nulls` adds the rows where it is NULL (the first partition takes them).
  std::string partition_column;
  std::optional<int64_t> partition_lower, partition_upper;
  bool partition_with_nulls = false;
  std::vector<std::string> fields;  ///< the schema's fields, in batch column order
  size_t batch_max_bytes = 1 << 20;
};

/// The SQL a request runs; its parameters go in `params`, in placeholder order. `ordered`: by
/// the watermark column, if any.
std::string BuildSelect(const ReadRequest& request, const SqlDialect& dialect,
                        std::vector<DbParam>& params, bool ordered = true);

/// Reads a query's rows into batches: each result column that matches a schema field (by name,
/// exactly, else ignoring case) fills that field's column; values keep their database type
/// (CellKind kNumber / kBool / kString) and text columns are kText, type-checked like CSV
/// text. Each row's record text (the `_raw` of rejected rows) is the row as a JSON object.
class DatabaseReader {
 public:
  /// Runs the request's query on `connection`, which must outlive the reader. `unit_name`
  /// becomes the rows' unit (`_position` is `<unit_name>:<row number>`).
  static Result<std::unique_ptr<DatabaseReader>> Open(DbConnection& connection, ReadRequest request,
                                                      std::string unit_name);

  /// Appends up to `max_rows` rows to `batch` (fewer when batch_max_bytes would be exceeded);
  /// returns how many, 0 at the end of the result.
  Result<size_t> ReadBatch(Batch& batch, size_t max_rows);

  /// True when every row with the watermark of the last row returned has been returned (the
  /// next row has a greater one, or there is none): only then may the watermark be committed,
  /// or rows sharing it would be lost or read twice. Always true without a watermark column.
  bool AtWatermarkBoundary() const;
  /// The watermark of the last row returned, if any row had one.
  const std::optional<DbParam>& last_watermark() const { return last_watermark_; }

  uint64_t rows_read() const { return rows_read_; }
  uint64_t bytes_read() const { return bytes_read_; }
  const std::vector<DbColumn>& columns() const { return cursor_->columns(); }
  const std::vector<std::string>& missing_fields() const { return missing_; }

 private:
  DatabaseReader() = default;
  Status Resolve();
  std::optional<DbParam> WatermarkOf(const RowChunk& chunk, size_t row) const;

  ReadRequest request_;
  std::string unit_name_;
  std::unique_ptr<DbCursor> cursor_;
  std::vector<int> field_of_column_;  ///< batch column per result column, -1 = not wanted
  std::vector<std::string> missing_;
  std::vector<std::string> json_keys_;  ///< `,"name":` per result column, escaped once
  int watermark_index_ = -1;            ///< result column of the watermark
  RowChunk carry_;                      ///< the row read ahead of the last batch (at most one)
  bool exhausted_ = false;
  std::optional<DbParam> last_watermark_;
  uint64_t rows_read_ = 0, bytes_read_ = 0;
};

}  // namespace assay::sources::db
