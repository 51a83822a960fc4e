#include "core/batch.h"

namespace assay {

std::string_view FieldTypeName(FieldType type) {
  switch (type) {
    case FieldType::kAny: return "any";
    case FieldType::kString: return "string";
    case FieldType::kInteger: return "integer";
    case FieldType::kNumber: return "number";
    case FieldType::kBoolean: return "boolean";
    case FieldType::kTimestamp: return "timestamp";
    case FieldType::kDate: return "date";
  }
  return "unknown";
}

size_t Batch::AddColumn(std::string name, FieldType type) {
  Column column;
  column.name = std::move(name);
  column.type = type;
  column.raw.resize(num_rows_);
  column.kind.resize(num_rows_, CellKind::kNull);
  columns_.push_back(std::move(column));
  return columns_.size() - 1;
}

int Batch::FindColumn(std::string_view name) const {
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

size_t Batch::AppendRow(const RowOrigin& origin, std::string_view record_text) {
  for (Column& column : columns_) {
    column.raw.emplace_back();
    column.kind.push_back(CellKind::kNull);
  }
  origins_.push_back(origin);
  record_text_.push_back(record_text);
  parse_failed_.push_back(0);
  parse_errors_.emplace_back();
  return num_rows_++;
}

void Batch::SetParseError(size_t row, std::string_view code, std::string_view message) {
  parse_failed_[row] = 1;
  parse_errors_[row] = ParseError{code, arena_.Copy(message)};
  for (Column& column : columns_) {
    column.kind[row] = CellKind::kNull;
    column.raw[row] = {};
  }
}

uint32_t Batch::AddUnit(std::string unit) {
  for (size_t i = 0; i < units_.size(); ++i) {
    if (units_[i] == unit) return static_cast<uint32_t>(i);
  }
  units_.push_back(std::move(unit));
  return static_cast<uint32_t>(units_.size() - 1);
}

void Batch::HoldBuffer(std::shared_ptr<const void> buffer) {
  buffers_.push_back(std::move(buffer));
}

}  // namespace assay
