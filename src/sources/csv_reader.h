#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/batch.h"
#include "core/result.h"
#include "sources/byte_stream.h"
#include "sources/record_reader.h"

namespace assay::sources {

/// Parse-error codes of CSV rows (Batch::parse_error().code); docs/file-formats.md explains them.
inline constexpr std::string_view kCsvFieldCount = "csv.field_count";
inline constexpr std::string_view kCsvUnterminatedQuote = "csv.unterminated_quote";
inline constexpr std::string_view kCsvInvalidUtf8 = "csv.invalid_utf8";
inline constexpr std::string_view kCsvStrayQuote = "csv.stray_quote";

/// The CSV dialect (RFC 4180 by default) and reader tuning.
struct CsvOptions {
  /// The first non-blank record names the columns.
  bool header = true;
  /// Column names when `header` is false; empty = `column1`..`columnN` (N from the first record).
  std::vector<std::string> column_names;
  char delimiter = ',';
  char quote = '"';
  /// false: the quote character is an ordinary byte (quoting off, e.g. for plain TSV).
  bool quoting = true;
  /// Unquoted field values that mean null. A quoted field is never null: `""` is an empty string.
  std::vector<std::string> null_values = {""};
  /// true: a quote inside an unquoted field (`ab"c`) rejects the row with csv.stray_quote;
  /// false (default): the quote is kept as an ordinary character.
  bool strict_quotes = false;
  /// Bytes read from the stream at a time (a record larger than this still works).
  size_t chunk_size = 1 << 20;
  /// ReadBatch stops once the batch covers this many input bytes (after at least one record).
  size_t batch_max_bytes = SIZE_MAX;
  /// record_text of a rejected row is cut to this many bytes.
  size_t max_error_text = 64 << 10;
};

/// Streaming RFC 4180 reader (see RecordReader). Fields are kText views into the input buffers;
/// only quoted fields with doubled quotes are copied (unescaped) into the batch arena.
class CsvReader final : public RecordReader {
 public:
  /// Reads the header (when options.header) so that missing_fields()/extra_fields() are known
  /// on return. `fields` are the wanted columns, in batch column order. Errors: stream errors,
  /// kInvalidArgument for bad options or an unreadable header (unterminated quote, bad UTF-8).
  static Result<std::unique_ptr<CsvReader>> Make(std::unique_ptr<ByteStream> in, uint32_t unit,
                                                 CsvOptions options,
                                                 std::vector<std::string> fields);

  Result<size_t> ReadBatch(Batch& batch, size_t max_rows) override;
  Status SkipTo(uint64_t byte_offset, uint64_t line) override;
  uint64_t bytes_consumed() const override { return consumed_; }
  uint64_t compressed_bytes_consumed() const override { return input_.compressed_bytes_read(); }
  uint64_t next_line() const override { return line_; }
  const std::vector<std::string>& missing_fields() const override { return missing_fields_; }
  const std::vector<std::string>& extra_fields() const override { return extra_fields_; }

  /// The input's column names (from the header, the options, or `column1..N`).
  const std::vector<std::string>& columns() const { return columns_; }

 private:
  struct FieldSpan {
    const char* begin;
    size_t size;
    bool quoted;
    bool escaped;  ///< quoted with doubled quotes inside: needs unescaping
  };
  struct Record {
    const char* begin = nullptr;
    const char* content_end = nullptr;  ///< before the line terminator
    const char* next = nullptr;         ///< after the line terminator
    uint64_t newlines = 0;              ///< physical line breaks in the record and its terminator
    std::string_view error;             ///< first parse-error code, empty if none
  };
  enum class Scan { kRecord, kNeedMore };

  CsvReader(std::unique_ptr<ByteStream> in, uint32_t unit, CsvOptions options,
            std::vector<std::string> fields);

  Status Init();
  /// Positions pos_ at the next record (skipping blank lines), refilling as needed; false at
  /// the end of input.
  Result<bool> NextRecord(Record* record);
  Scan ScanRecord(const char* p, const char* end, bool eof, Record* record);
  Status Refill();
  void MapColumns();
  /// First delimiter, line feed or quote in [p, end), or end.
  const char* FindStop(const char* p, const char* end) const;
  bool IsNull(std::string_view text) const;
  std::string_view Unescape(const FieldSpan& field, StringArena& arena) const;
  bool RecordUtf8Valid(const Record& record) const;
  void Consume(const Record& record);

  ChunkedInput input_;
  uint32_t unit_;
  CsvOptions options_;
  std::vector<std::string> fields_;
  std::vector<std::string> columns_;
  std::vector<int> column_to_field_;  ///< input column -> batch column, -1 = ignored
  std::vector<std::string> missing_fields_;
  std::vector<std::string> extra_fields_;
  std::array<bool, 256> stop_{};  ///< bytes that end an unquoted run
  bool null_is_empty_only_ = true;

  void PushSpan(const char* begin, size_t size, bool quoted, bool escaped) {
    if (num_spans_ == spans_.size()) spans_.resize(spans_.size() * 2 + 16);
    spans_[num_spans_++] = FieldSpan{begin, size, quoted, escaped};
  }

  std::vector<FieldSpan> spans_;  ///< fields of the current record: [0, num_spans_)
  size_t num_spans_ = 0;
  const char* pos_ = nullptr;
  uint64_t line_ = 1;
  uint64_t consumed_ = 0;
  bool started_ = false;
  uint64_t bytes_read_ = 0;  ///< by ReadBatch, for ExpectedBatchRows
  uint64_t records_read_ = 0;
  /// [input_.begin(), utf8_valid_end_) of the current buffer is known to be valid UTF-8.
  const char* utf8_valid_end_ = nullptr;
};

/// Convenience for RecordReader users: CsvReader::Make.
Result<std::unique_ptr<RecordReader>> MakeCsvReader(std::unique_ptr<ByteStream> in, uint32_t unit,
                                                    CsvOptions options,
                                                    std::vector<std::string> fields);

}  // namespace assay::sources
