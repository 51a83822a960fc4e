#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/arena.h"
#include "core/field_type.h"

namespace assay {

/// How a cell arrived from the decoder, before any schema typing. CSV gives kText (or kNull for
/// a null value); JSON gives the JSON kind. The schema's type check reads this with `raw`.
enum class CellKind : unsigned char {
  kNull,    ///< missing, JSON null, or a CSV null value (empty field by default)
  kText,    ///< untyped text (CSV): the type check parses it
  kString,  ///< a JSON string; raw holds the unescaped value
  kNumber,  ///< a JSON number; raw holds its literal
  kBool,    ///< a JSON true/false; raw holds the literal
  kNested,  ///< a JSON object or array; raw holds its JSON text
};

/// One field of a batch, column-wise. `raw` and `kind` are filled by the decoder for every row;
/// the typed vectors are filled by the schema typer (schema/typer.h) according to `type`.
struct Column {
  std::string name;
  FieldType type = FieldType::kAny;

  std::vector<std::string_view> raw;  ///< original text per row (views into Batch buffers)
  std::vector<CellKind> kind;

  /// 1 when the cell is non-null and passed its type check: the typed value below is valid.
  /// A null or a failed type check is null to rules and typed outputs (DESIGN.md §3a).
  std::vector<uint8_t> valid;
  /// 1 when the type check failed (a non-null value that is not of the field's type).
  std::vector<uint8_t> type_failed;

  std::vector<int64_t> i64;           ///< kInteger, kBoolean (0/1), kTimestamp (µs), kDate (days)
  std::vector<double> f64;            ///< kNumber
  std::vector<std::string_view> str;  ///< kString / kAny: the standardised text value

  bool is_null(size_t row) const { return kind[row] == CellKind::kNull; }
};

/// Where a row came from. `unit` indexes Batch::units (a file path, a partition, a table).
struct RowOrigin {
  uint32_t unit = 0;
  uint64_t line = 0;         ///< 1-based line (CSV/NDJSON) or record number (JSON array)
  uint64_t byte_offset = 0;  ///< offset of the record's first byte in the decompressed stream
};

/// A row that could not be parsed at all (rejected with this reason, DESIGN.md §3).
struct ParseError {
  std::string_view code;     ///< stable code, e.g. "csv.unterminated_quote"
  std::string_view message;  ///< human text (view into the batch arena)
};

/// A columnar set of rows moving through the pipeline together. It owns every byte its views
/// point into: input chunks (shared with the reader until both let go) and its own arena.
class Batch {
 public:
  Batch() = default;
  Batch(Batch&&) = default;
  Batch& operator=(Batch&&) = default;
  Batch(const Batch&) = delete;
  Batch& operator=(const Batch&) = delete;

  size_t num_rows() const { return num_rows_; }

  /// Adds an empty column; returns its index.
  size_t AddColumn(std::string name, FieldType type = FieldType::kAny);
  int FindColumn(std::string_view name) const;  ///< -1 if absent

  std::vector<Column>& columns() { return columns_; }
  const std::vector<Column>& columns() const { return columns_; }
  Column& column(size_t i) { return columns_[i]; }
  const Column& column(size_t i) const { return columns_[i]; }

  /// Starts a new row: every column gets a kNull cell that the decoder may overwrite with
  /// SetCell. Returns the row index.
  size_t AppendRow(const RowOrigin& origin, std::string_view record_text);
  void SetCell(size_t row, size_t column, CellKind kind, std::string_view raw) {
    columns_[column].kind[row] = kind;
    columns_[column].raw[row] = raw;
  }
  /// Marks a row as unparseable; its cells stay null. Message is copied into the arena.
  void SetParseError(size_t row, std::string_view code, std::string_view message);

  const RowOrigin& origin(size_t row) const { return origins_[row]; }
  std::string_view record_text(size_t row) const { return record_text_[row]; }
  /// Replaces a row's record text (a decoder cutting a rejected record to its error-text limit).
  void set_record_text(size_t row, std::string_view text) { record_text_[row] = text; }
  bool has_parse_error(size_t row) const { return parse_failed_[row] != 0; }
  /// One byte per row, 1 = parse error (has_parse_error as an array, for column-wise loops).
  const uint8_t* parse_failed() const { return parse_failed_.data(); }
  const ParseError& parse_error(size_t row) const { return parse_errors_[row]; }

  /// Units (file paths, partitions) that RowOrigin::unit indexes.
  uint32_t AddUnit(std::string unit);
  const std::string& unit(uint32_t i) const { return units_[i]; }
  size_t num_units() const { return units_.size(); }

  /// Keeps `buffer` (any owner of bytes the batch views) alive as long as the batch.
  void HoldBuffer(std::shared_ptr<const void> buffer);
  StringArena& arena() { return arena_; }

  std::string source_name;
  int64_t ingested_at_us = 0;  ///< ingest time, µs since epoch UTC
  uint64_t input_bytes = 0;    ///< bytes of input this batch covers (for throughput metrics)

 private:
  size_t num_rows_ = 0;
  std::vector<Column> columns_;
  std::vector<RowOrigin> origins_;
  std::vector<std::string_view> record_text_;
  std::vector<uint8_t> parse_failed_;
  std::vector<ParseError> parse_errors_;
  std::vector<std::string> units_;
  std::vector<std::shared_ptr<const void>> buffers_;
  StringArena arena_;
};

}  // namespace assay
