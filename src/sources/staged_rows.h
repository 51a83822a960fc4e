#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/batch.h"

namespace assay::sources {

/// Rows built value by value (a Redis entry, a hash) before they go into a Batch. Values and
/// each row's record text (its `_raw`) are copied into one buffer, and the rows are appended
/// only once it is complete, so the batch's views never point into a buffer that may still
/// move; the batch then holds the buffer. One allocation per batch, not per value.
class StagedRows {
 public:
  /// Starts the next row.
  void NewRow() { rows_.emplace_back(); }
  /// Copies `value` as the current row's cell of schema column `column`, a text to type-check.
  void AddCell(size_t column, std::string_view value) {
    rows_.back().cells.push_back({column, buffer_->size(), value.size()});
    buffer_->append(value);
  }
  /// The buffer, to append the current row's record text to, after the row's cells.
  std::string& StartRecord() {
    rows_.back().record_start = buffer_->size();
    return *buffer_;
  }
  /// Ends the record text appended since StartRecord.
  void EndRecord() { rows_.back().record_size = buffer_->size() - rows_.back().record_start; }
  /// Marks the current row as unreadable (it keeps its record text, not its cells). `code` is a
  /// stable literal (`redis.wrong_type`): the batch keeps a view of it.
  void SetError(std::string_view code, std::string message) {
    rows_.back().error_code = code;
    rows_.back().error = std::move(message);
  }
  size_t size() const { return rows_.size(); }

  /// Appends the rows to `batch` as unit `unit` (added, unless it is the batch's first unit
  /// already), numbered from `first_line`, and hands the buffer to the batch. Empties this.
  void AppendTo(Batch& batch, const std::string& unit, uint64_t first_line);

 private:
  struct Cell {
    size_t column, offset, size;
  };
  struct Row {
    std::vector<Cell> cells;
    size_t record_start = 0, record_size = 0;
    std::string_view error_code;
    std::string error;
  };
  std::shared_ptr<std::string> buffer_ = std::make_shared<std::string>();
  std::vector<Row> rows_;
};

/// The schema column of an input field named `name` (a stream entry's or a hash's field): the
/// one named exactly so, else the first equal ignoring case; -1 for none.
int ColumnOf(const std::vector<std::string>& fields, std::string_view name);

/// The index of `unit` in `batch`: its first unit if that is `unit` (the pipeline names the
/// unit of its own batches), else a new one.
uint32_t UnitOf(Batch& batch, const std::string& unit);

}  // namespace assay::sources
