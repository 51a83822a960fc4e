#include "sources/csv_reader.h"

#include <simdjson.h>

#include <algorithm>
#include <cstring>

namespace assay::sources {
namespace {

constexpr char kBom[] = "\xEF\xBB\xBF";

}  // namespace

/// Splits CSV records framed by a CsvReader into fields, on a worker thread. The reader has
/// already rejected unterminated quotes and invalid UTF-8; stray quotes and field counts are
/// decided here, with the same scanner, so rows and errors are the ones ReadBatch would give.
class CsvDecoder final : public RecordDecoder {
 public:
  CsvDecoder(const CsvOptions& options, size_t num_columns, std::vector<int> column_to_field)
      : scanner_(options),
        num_columns_(num_columns),
        column_to_field_(std::move(column_to_field)),
        max_error_text_(options.max_error_text) {}

  void Decode(Batch& batch) override {
    for (size_t row = 0; row < batch.num_rows(); ++row) {
      if (batch.has_parse_error(row)) continue;
      const std::string_view text = batch.record_text(row);
      std::string_view error = scanner_.SplitFramed(text);
      if (error.empty() && scanner_.num_spans() != num_columns_) error = kCsvFieldCount;
      if (!error.empty()) {
        batch.set_record_text(row, CapText(text, max_error_text_));
        batch.SetParseError(row, error, CsvErrorMessage(error, num_columns_, scanner_.num_spans()));
        continue;
      }
      scanner_.SetCells(batch, row, column_to_field_);
    }
  }

 private:
  CsvScanner scanner_;
  size_t num_columns_;
  std::vector<int> column_to_field_;
  size_t max_error_text_;
};

CsvReader::CsvReader(std::unique_ptr<ByteStream> in, uint32_t unit, CsvOptions options,
                     std::vector<std::string> fields)
    : input_(std::move(in), options.chunk_size),
      unit_(unit),
      options_(std::move(options)),
      fields_(std::move(fields)),
      scanner_(options_) {}

Result<std::unique_ptr<CsvReader>> CsvReader::Make(std::unique_ptr<ByteStream> in, uint32_t unit,
                                                   CsvOptions options,
                                                   std::vector<std::string> fields) {
  if (in == nullptr) return InvalidArgument("CSV reader: no input stream");
  std::unique_ptr<CsvReader> reader(
      new CsvReader(std::move(in), unit, std::move(options), std::move(fields)));
  RETURN_IF_ERROR(reader->Init());
  return reader;
}

Result<std::unique_ptr<RecordReader>> MakeCsvReader(std::unique_ptr<ByteStream> in, uint32_t unit,
                                                    CsvOptions options,
                                                    std::vector<std::string> fields) {
  ASSIGN_OR_RETURN(std::unique_ptr<CsvReader> reader,
                   CsvReader::Make(std::move(in), unit, std::move(options), std::move(fields)));
  return std::unique_ptr<RecordReader>(std::move(reader));
}

Status CsvReader::Init() {
  const char d = options_.delimiter;
  if (d == '\n' || d == '\r') return InvalidArgument("CSV delimiter cannot be a line break");
  if (options_.quoting &&
      (options_.quote == d || options_.quote == '\n' || options_.quote == '\r')) {
    return InvalidArgument("CSV quote character must differ from the delimiter and line breaks");
  }

  RETURN_IF_ERROR(Refill());
  while (input_.end() - pos_ < 3 && !input_.eof()) RETURN_IF_ERROR(Refill());
  if (input_.end() - pos_ >= 3 && std::memcmp(pos_, kBom, 3) == 0) {
    pos_ += 3;
    consumed_ = 3;
  }

  Record record;
  if (options_.header) {
    ASSIGN_OR_RETURN(bool have, NextRecord(&record));
    if (!have) return Status::Ok();  // empty file: no columns, no rows
    std::string_view error = record.error;
    if (error.empty() && !RecordUtf8Valid(record)) error = kCsvInvalidUtf8;
    if (!error.empty()) {
      return InvalidArgument(input_.name() + ": line " + std::to_string(line_) +
                             ": unreadable CSV header (" + std::string(error) + ")");
    }
    for (size_t i = 0; i < scanner_.num_spans(); ++i) {
      const CsvScanner::FieldSpan& span = scanner_.span(i);
      std::string name;
      if (span.escaped) {
        StringArena scratch;
        name = std::string(scanner_.Unescape(span, scratch));
      } else {
        name.assign(span.begin, span.size);
      }
      columns_.push_back(std::move(name));
    }
    Consume(record);
  } else if (!options_.column_names.empty()) {
    columns_ = options_.column_names;
  } else {
    // Peek at the first record for the column count; it stays unconsumed.
    ASSIGN_OR_RETURN(bool have, NextRecord(&record));
    if (!have) return Status::Ok();
    for (size_t i = 0; i < scanner_.num_spans(); ++i) {
      columns_.push_back("column" + std::to_string(i + 1));
    }
  }
  MapColumns();
  return Status::Ok();
}

void CsvReader::MapColumns() {
  column_to_field_.assign(columns_.size(), -1);
  std::vector<bool> mapped(fields_.size(), false);
  for (size_t i = 0; i < columns_.size(); ++i) {
    auto it = std::find(fields_.begin(), fields_.end(), columns_[i]);
    size_t field = static_cast<size_t>(it - fields_.begin());
    if (it == fields_.end() || mapped[field]) {  // not wanted, or a repeated header name
      extra_fields_.push_back(columns_[i]);
      continue;
    }
    mapped[field] = true;
    column_to_field_[i] = static_cast<int>(field);
  }
  for (size_t f = 0; f < fields_.size(); ++f) {
    if (!mapped[f]) missing_fields_.push_back(fields_[f]);
  }
}

Status CsvReader::Refill() {
  ASSIGN_OR_RETURN(bool added, input_.Refill(pos_));
  (void)added;
  pos_ = input_.begin();
  // Validate UTF-8 once per chunk (fast, SIMD); rows only need their own check when the chunk
  // holds invalid bytes. Stop at the last line break: the bytes after it belong to a record that
  // is not complete yet, and may end inside a multi-byte sequence.
  const char* end = input_.end();
  const char* valid_end = end;
  if (!input_.eof()) {
    const void* newline = ::memrchr(pos_, '\n', static_cast<size_t>(end - pos_));
    valid_end = newline != nullptr ? static_cast<const char*>(newline) + 1 : pos_;
  }
  utf8_valid_end_ =
      simdjson::validate_utf8(pos_, static_cast<size_t>(valid_end - pos_)) ? valid_end : pos_;
  return Status::Ok();
}

Result<bool> CsvReader::NextRecord(Record* record, bool frame_only) {
  while (true) {
    const char* end = input_.end();
    if (pos_ == end) {
      if (input_.eof()) return false;
      RETURN_IF_ERROR(Refill());
      continue;
    }
    // Blank lines are not records (a one-column file cannot hold an empty value this way).
    if (*pos_ == '\n') {
      ++pos_;
      ++line_;
      ++consumed_;
      continue;
    }
    if (*pos_ == '\r') {
      if (pos_ + 1 == end && !input_.eof()) {
        RETURN_IF_ERROR(Refill());
        continue;
      }
      if (pos_ + 1 < end && pos_[1] == '\n') {
        pos_ += 2;
        ++line_;
        consumed_ += 2;
        continue;
      }
    }
    const CsvScanner::Scan scan = frame_only ? scanner_.FrameRecord(pos_, end, input_.eof(), record)
                                             : scanner_.ScanRecord(pos_, end, input_.eof(), record);
    if (scan == CsvScanner::Scan::kRecord) return true;
    RETURN_IF_ERROR(Refill());
  }
}

bool CsvReader::RecordUtf8Valid(const Record& record) const {
  if (record.next <= utf8_valid_end_) return true;
  return simdjson::validate_utf8(record.begin,
                                 static_cast<size_t>(record.content_end - record.begin));
}

void CsvReader::Consume(const Record& record) {
  consumed_ += static_cast<uint64_t>(record.next - pos_);
  pos_ = record.next;
  line_ += record.newlines;
}

Result<size_t> CsvReader::ReadBatch(Batch& batch, size_t max_rows) {
  if (batch.columns().size() < fields_.size()) {
    return InvalidArgument("CSV reader: batch has " + std::to_string(batch.columns().size()) +
                           " columns, expected " + std::to_string(fields_.size()));
  }
  started_ = true;
  ReserveRows(batch, fields_.size(),
              ExpectedBatchRows(max_rows, options_.batch_max_bytes, bytes_read_, records_read_));
  const uint64_t start_consumed = consumed_;
  uint64_t held_generation = 0;
  size_t rows = 0;
  Record record;
  while (rows < max_rows && consumed_ - start_consumed < options_.batch_max_bytes) {
    ASSIGN_OR_RETURN(bool have, NextRecord(&record, deferred_));
    if (!have) break;
    if (held_generation != input_.buffer_generation()) {
      batch.HoldBuffer(input_.buffer());
      held_generation = input_.buffer_generation();
    }
    const RowOrigin origin{unit_, line_, input_.offset_of(record.begin)};
    std::string_view text(record.begin, static_cast<size_t>(record.content_end - record.begin));

    // The order of the checks decides which error a row gets; a deferred row gets the last
    // two (stray quote, field count) from its CsvDecoder.
    std::string_view error = record.error;
    if (error != kCsvUnterminatedQuote && !RecordUtf8Valid(record)) error = kCsvInvalidUtf8;
    if (!deferred_ && error.empty() && scanner_.num_spans() != columns_.size()) {
      error = kCsvFieldCount;
    }
    if (!error.empty()) {
      size_t row = batch.AppendRow(origin, CapText(text, options_.max_error_text));
      batch.SetParseError(row, error,
                          CsvErrorMessage(error, columns_.size(), scanner_.num_spans()));
    } else {
      size_t row = batch.AppendRow(origin, text);
      if (!deferred_) scanner_.SetCells(batch, row, column_to_field_);
    }
    Consume(record);
    ++rows;
  }
  batch.input_bytes += consumed_ - start_consumed;
  bytes_read_ += consumed_ - start_consumed;
  records_read_ += rows;
  return rows;
}

std::unique_ptr<RecordDecoder> CsvReader::MakeParallelDecoder() {
  deferred_ = true;
  return std::make_unique<CsvDecoder>(options_, columns_.size(), column_to_field_);
}

Status CsvReader::SkipTo(uint64_t byte_offset, uint64_t line) {
  if (started_) return FailedPrecondition("CSV reader: SkipTo after the first ReadBatch");
  if (byte_offset < consumed_) {
    return InvalidArgument(input_.name() + ": resume offset " + std::to_string(byte_offset) +
                           " lies inside the header (ends at " + std::to_string(consumed_) + ")");
  }
  RETURN_IF_ERROR(SkipInput(input_, pos_, consumed_, byte_offset, [this] { return Refill(); }));
  line_ = line;
  return Status::Ok();
}

}  // namespace assay::sources
