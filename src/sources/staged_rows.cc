#include "sources/staged_rows.h"

#include "core/ascii.h"
#include "sources/record_reader.h"

namespace assay::sources {

int ColumnOf(const std::vector<std::string>& fields, std::string_view name) {
  for (size_t c = 0; c < fields.size(); ++c) {
    if (fields[c] == name) return static_cast<int>(c);
  }
  for (size_t c = 0; c < fields.size(); ++c) {
    if (EqualsIgnoringCase(fields[c], name)) return static_cast<int>(c);
  }
  return -1;
}

uint32_t UnitOf(Batch& batch, const std::string& unit) {
  return batch.num_units() > 0 && batch.unit(0) == unit ? 0 : batch.AddUnit(unit);
}

void StagedRows::AppendTo(Batch& batch, const std::string& unit, uint64_t first_line) {
  const uint32_t unit_index = UnitOf(batch, unit);
  const std::string_view text(*buffer_);
  ReserveRows(batch, batch.columns().size(), rows_.size());
  for (size_t i = 0; i < rows_.size(); ++i) {
    const Row& r = rows_[i];
    const size_t row = batch.AppendRow(RowOrigin{unit_index, first_line + i, 0},
                                       text.substr(r.record_start, r.record_size));
    if (!r.error_code.empty()) {
      batch.SetParseError(row, r.error_code, r.error);
      continue;
    }
    for (const Cell& cell : r.cells) {
      batch.SetCell(row, cell.column, CellKind::kText, text.substr(cell.offset, cell.size));
    }
  }
  batch.input_bytes += buffer_->size();
  batch.HoldBuffer(std::move(buffer_));
  buffer_ = std::make_shared<std::string>();
  rows_.clear();
}

}  // namespace assay::sources
