#include "sources/database/database_reader.h"

#include <fmt/format.h>

#include <cctype>

#include "core/ascii.h"
#include "core/json_string.h"
#include "sources/record_reader.h"
#include "sources/staged_rows.h"

namespace assay::sources::db {
namespace {

// How a value of a database type reaches the schema's type check (DESIGN.md §3a): text is
// checked as CSV text is; typed values as the same JSON kinds are.
CellKind KindOf(DbType type) {
  switch (type) {
    case DbType::kInteger:
    case DbType::kDecimal:
    case DbType::kFloat: return CellKind::kNumber;
    case DbType::kBoolean: return CellKind::kBool;
    case DbType::kTimestamp:
    case DbType::kTimestampTz:
    case DbType::kDate: return CellKind::kString;
    default: return CellKind::kText;
  }
}

// Copies row `row` of `from` to the end of `to`.
void CopyRow(const RowChunk& from, size_t row, size_t num_columns, RowChunk& to) {
  for (size_t c = 0; c < num_columns; ++c) {
    const RowChunk::Cell& cell = from.cells[row * num_columns + c];
    if (cell.null) {
      to.AppendNull(cell.type);
    } else {
      to.Append(cell.type, from.value(cell));
    }
  }
  ++to.num_rows;
}

}  // namespace

std::string BuildSelect(const ReadRequest& request, const SqlDialect& dialect,
                        std::vector<DbParam>& params, bool ordered) {
  std::string sql = request.table.empty()
                        ? fmt::format("SELECT * FROM ({}) AS assay_source", request.query)
                        : fmt::format("SELECT * FROM {}", dialect.QuoteName(request.table));
  std::vector<std::string> where;
  if (!request.watermark_column.empty() && request.watermark_after) {
    params.push_back(*request.watermark_after);
    where.push_back(fmt::format("{} > {}", dialect.QuoteName(request.watermark_column),
                                dialect.Placeholder(static_cast<int>(params.size()))));
  }
  if (!request.watermark_column.empty() && request.watermark_through) {
    params.push_back(*request.watermark_through);
    where.push_back(fmt::format("{} <= {}", dialect.QuoteName(request.watermark_column),
                                dialect.Placeholder(static_cast<int>(params.size()))));
  }
  if (!request.partition_column.empty() &&
      (request.partition_lower || request.partition_upper || request.partition_with_nulls)) {
    const std::string column = dialect.QuoteName(request.partition_column);
    std::string range;
    if (request.partition_lower) range = fmt::format("{} >= {}", column, *request.partition_lower);
    if (request.partition_upper) {
      range +=
          fmt::format("{}{} < {}", range.empty() ? "" : " AND ", column, *request.partition_upper);
    }
    if (range.empty()) range = fmt::format("{} IS NOT NULL", column);
    if (request.partition_with_nulls) range = fmt::format("({} OR {} IS NULL)", range, column);
    where.push_back(range);
  }
  for (size_t i = 0; i < where.size(); ++i) sql += (i == 0 ? " WHERE " : " AND ") + where[i];
  if (ordered && !request.watermark_column.empty()) {
    sql += fmt::format(" ORDER BY {}", dialect.QuoteName(request.watermark_column));
  }
  return sql;
}

Result<std::unique_ptr<DatabaseReader>> DatabaseReader::Open(DbConnection& connection,
                                                             ReadRequest request,
                                                             std::string unit_name) {
  std::unique_ptr<DatabaseReader> reader(new DatabaseReader());
  std::vector<DbParam> params;
  const std::string sql = BuildSelect(request, connection.dialect(), params);
  reader->request_ = std::move(request);
  reader->unit_name_ = std::move(unit_name);
  ASSIGN_OR_RETURN(reader->cursor_, connection.Query(sql, params));
  RETURN_IF_ERROR(reader->Resolve());
  return reader;
}

Status DatabaseReader::Resolve() {
  const std::vector<DbColumn>& columns = cursor_->columns();
  field_of_column_.assign(columns.size(), -1);
  for (size_t f = 0; f < request_.fields.size(); ++f) {
    const std::string& field = request_.fields[f];
    int found = -1;
    for (size_t c = 0; c < columns.size() && found < 0; ++c) {
      if (columns[c].name == field) found = static_cast<int>(c);
    }
    for (size_t c = 0; c < columns.size() && found < 0; ++c) {
      if (field_of_column_[c] < 0 && EqualsIgnoringCase(columns[c].name, field)) {
        found = static_cast<int>(c);
      }
    }
    if (found < 0) {
      missing_.push_back(field);
    } else {
      field_of_column_[static_cast<size_t>(found)] = static_cast<int>(f);
    }
  }
  for (const DbColumn& column : columns) {
    std::string key = ",";
    AppendJsonString(key, column.name);
    json_keys_.push_back(key + ":");
  }
  if (!request_.watermark_column.empty()) {
    for (size_t c = 0; c < columns.size(); ++c) {
      if (EqualsIgnoringCase(columns[c].name, request_.watermark_column)) {
        watermark_index_ = static_cast<int>(c);
      }
    }
    if (watermark_index_ < 0) {
      return InvalidArgument(
          fmt::format("the result has no watermark column '{}'", request_.watermark_column));
    }
  }
  return Status::Ok();
}

std::optional<DbParam> DatabaseReader::WatermarkOf(const RowChunk& chunk, size_t row) const {
  if (watermark_index_ < 0) return std::nullopt;
  const RowChunk::Cell& cell =
      chunk.cells[row * cursor_->columns().size() + static_cast<size_t>(watermark_index_)];
  if (cell.null) return std::nullopt;
  return DbParam{cell.type, std::string(chunk.value(cell))};
}

Result<size_t> DatabaseReader::ReadBatch(Batch& batch, size_t max_rows) {
  if (max_rows == 0) return size_t{0};
  const size_t num_columns = cursor_->columns().size();
  const size_t want =
      ExpectedBatchRows(max_rows, request_.batch_max_bytes, bytes_read_, rows_read_);
  // One row more than the batch takes: the look-ahead that AtWatermarkBoundary needs.
  RowChunk chunk = std::move(carry_);
  carry_ = RowChunk();
  while (!exhausted_ && chunk.num_rows < want + 1) {
    ASSIGN_OR_RETURN(size_t got, cursor_->Fetch(chunk, want + 1 - chunk.num_rows));
    if (got == 0) exhausted_ = true;
  }
  const size_t rows = std::min(chunk.num_rows, want);
  if (chunk.num_rows > rows) {
    CopyRow(chunk, rows, num_columns, carry_);
    chunk.cells.resize(rows * num_columns);
    chunk.num_rows = rows;
  }
  if (rows == 0) return size_t{0};

  // The row as a JSON object: what rejected rows keep as `_raw`.
  auto records = std::make_shared<std::string>();
  std::vector<std::pair<size_t, size_t>> record_at(rows);
  for (size_t r = 0; r < rows; ++r) {
    const size_t start = records->size();
    records->push_back('{');
    for (size_t c = 0; c < num_columns; ++c) {
      const RowChunk::Cell& cell = chunk.cells[r * num_columns + c];
      records->append(c == 0 ? std::string_view(json_keys_[c]).substr(1) : json_keys_[c]);
      if (cell.null) {
        records->append("null");
      } else if (KindOf(cell.type) == CellKind::kNumber || cell.type == DbType::kBoolean) {
        const std::string_view v = chunk.value(cell);
        // NaN and infinities are not JSON numbers: keep them as strings.
        if (!v.empty() &&
            (std::isdigit(static_cast<unsigned char>(v.back())) || v == "true" || v == "false")) {
          records->append(v);
        } else {
          AppendJsonString(*records, v);
        }
      } else {
        AppendJsonString(*records, chunk.value(cell));
      }
    }
    records->push_back('}');
    record_at[r] = {start, records->size() - start};
  }

  if (watermark_index_ >= 0) {
    // Rows come in watermark order; a NULL watermark (full loads only) is no position.
    if (auto w = WatermarkOf(chunk, rows - 1)) last_watermark_ = std::move(w);
  }
  auto bytes = std::make_shared<const std::string>(std::move(chunk.bytes));
  const std::string_view values(*bytes), texts(*records);
  // The caller may have named the unit already (the pipeline does, for its own rows).
  const uint32_t unit = UnitOf(batch, unit_name_);
  ReserveRows(batch, batch.columns().size(), rows);
  for (size_t r = 0; r < rows; ++r) {
    RowOrigin origin{unit, rows_read_ + r + 1, 0};
    const size_t row =
        batch.AppendRow(origin, texts.substr(record_at[r].first, record_at[r].second));
    for (size_t c = 0; c < num_columns; ++c) {
      const int field = field_of_column_[c];
      if (field < 0) continue;
      const RowChunk::Cell& cell = chunk.cells[r * num_columns + c];
      if (cell.null) continue;
      batch.SetCell(row, static_cast<size_t>(field), KindOf(cell.type),
                    values.substr(cell.offset, cell.size));
    }
  }
  batch.HoldBuffer(bytes);
  batch.HoldBuffer(std::move(records));
  batch.input_bytes += bytes->size();
  rows_read_ += rows;
  bytes_read_ += bytes->size();
  return rows;
}

bool DatabaseReader::AtWatermarkBoundary() const {
  if (watermark_index_ < 0 || carry_.num_rows == 0) return true;
  const std::optional<DbParam> next = WatermarkOf(carry_, 0);
  if (!next || !last_watermark_) return true;
  return next->text != last_watermark_->text;
}

}  // namespace assay::sources::db
