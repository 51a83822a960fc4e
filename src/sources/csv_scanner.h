#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/arena.h"
#include "core/batch.h"

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

/// Finds CSV records in a buffer and splits them into fields: the part of the CSV reader that
/// the reading thread and the parallel decoders (CsvReader::MakeParallelDecoder) share, so both
/// paths give the same fields and errors. Reads may run up to 15 bytes past `end`: buffers must
/// be ChunkedInput's (kPadding readable bytes after their end).
class CsvScanner {
 public:
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

  explicit CsvScanner(const CsvOptions& options);

  /// Finds the record that starts at `p` (not at a blank line) and splits it into fields.
  /// kNeedMore when [p, end) does not hold all of it and more input may follow (!eof).
  Scan ScanRecord(const char* p, const char* end, bool eof, Record* record) {
    return Split(p, end, eof, /*framed=*/false, record);
  }
  /// ScanRecord without the fields: where the record ends, its line breaks and whether a quote
  /// is left open (csv.unterminated_quote, the only error framing decides). A quote opens a
  /// quoted field only at the start of a field; line breaks elsewhere in quotes are content.
  Scan FrameRecord(const char* p, const char* end, bool eof, Record* record) const;
  /// Splits the text of a record FrameRecord found ([begin, content_end), not an unterminated
  /// one) into the fields ScanRecord would have found; returns its error code (csv.stray_quote)
  /// or empty.
  std::string_view SplitFramed(std::string_view text);

  size_t num_spans() const { return num_spans_; }
  const FieldSpan& span(size_t i) const { return spans_[i]; }
  /// A quoted field's value with doubled quotes made single, copied into `arena`.
  std::string_view Unescape(const FieldSpan& field, StringArena& arena) const;

  /// The fields found last as the cells of `row`: input column i goes to batch column
  /// column_to_field[i] (< 0: not wanted); unquoted null values stay null.
  void SetCells(Batch& batch, size_t row, const std::vector<int>& column_to_field) const;

 private:
  Scan Split(const char* p, const char* end, bool eof, bool framed, Record* record);
  /// SplitFramed's fast path for a record without quote characters (most records): false,
  /// spans undefined, when it has one.
  bool SplitWithoutQuotes(std::string_view text);
  /// The closing quote of the quoted field whose content starts at `content`: *close, or
  /// nullptr when the input ends first (eof); *escaped when doubled quotes were passed. kNeedMore
  /// when more input could change the answer.
  Scan FindClosingQuote(const char* content, const char* end, bool eof, const char** close,
                        bool* escaped) const;
  /// Ends `record` at `end` as csv.unterminated_quote (its quoted field began at `content`).
  static Scan Unterminated(const char* content, const char* end, Record* record);
  /// First delimiter, line feed or (when quoting) quote in [p, end), or end.
  const char* FindStop(const char* p, const char* end) const;
  /// First line feed or (when quoting) quote in [p, end), or end.
  const char* FindLineOrQuote(const char* p, const char* end) const;
  bool IsNull(std::string_view text) const {  // inline: once per field
    if (null_is_empty_only_) return text.empty();
    for (const std::string& null_value : null_values_) {
      if (text == null_value) return true;
    }
    return false;
  }

  void PushSpan(const char* begin, size_t size, bool quoted, bool escaped) {
    if (num_spans_ == spans_.size()) spans_.resize(spans_.size() * 2 + 16);
    spans_[num_spans_++] = FieldSpan{begin, size, quoted, escaped};
  }

  char delimiter_;
  char quote_;
  bool quoting_;
  bool strict_quotes_;
  std::vector<std::string> null_values_;
  bool null_is_empty_only_;
  std::vector<FieldSpan> spans_;  ///< fields of the current record: [0, num_spans_)
  size_t num_spans_ = 0;
};

/// The message of a rejected CSV row with parse-error `code`; `expected` and `found` are field
/// counts (for csv.field_count).
std::string CsvErrorMessage(std::string_view code, size_t expected, size_t found);

}  // namespace assay::sources
