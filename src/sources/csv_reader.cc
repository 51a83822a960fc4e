#include "sources/csv_reader.h"

#include <simdjson.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <cstring>

namespace assay::sources {
namespace {

constexpr char kBom[] = "\xEF\xBB\xBF";

uint64_t CountNewlines(const char* begin, const char* end) {
  return static_cast<uint64_t>(std::count(begin, end, '\n'));
}

}  // namespace

CsvReader::CsvReader(std::unique_ptr<ByteStream> in, uint32_t unit, CsvOptions options,
                     std::vector<std::string> fields)
    : input_(std::move(in), options.chunk_size),
      unit_(unit),
      options_(std::move(options)),
      fields_(std::move(fields)) {}

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
  stop_[static_cast<unsigned char>(d)] = true;
  stop_[static_cast<unsigned char>('\n')] = true;
  if (options_.quoting) stop_[static_cast<unsigned char>(options_.quote)] = true;
  null_is_empty_only_ = options_.null_values.size() == 1 && options_.null_values[0].empty();

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
    for (size_t i = 0; i < num_spans_; ++i) {
      const FieldSpan& span = spans_[i];
      std::string name;
      if (span.escaped) {
        StringArena scratch;
        name = std::string(Unescape(span, scratch));
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
    for (size_t i = 0; i < num_spans_; ++i) columns_.push_back("column" + std::to_string(i + 1));
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

Result<bool> CsvReader::NextRecord(Record* record) {
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
    if (ScanRecord(pos_, end, input_.eof(), record) == Scan::kRecord) return true;
    RETURN_IF_ERROR(Refill());
  }
}

CsvReader::Scan CsvReader::ScanRecord(const char* p, const char* end, bool eof, Record* record) {
  num_spans_ = 0;
  record->begin = p;
  record->newlines = 0;
  record->error = {};
  const char d = options_.delimiter;
  const char q = options_.quote;
  const bool quoting = options_.quoting;
  while (true) {
    // One field per iteration. `continuation`: text after a closing quote, scanned only to find
    // where the (rejected) record ends.
    bool continuation = false;
    if (quoting && p < end && *p == q) {
      const char* content = p + 1;
      const char* from = content;
      const char* close = nullptr;
      bool escaped = false;
      while (true) {
        close = static_cast<const char*>(std::memchr(from, q, static_cast<size_t>(end - from)));
        if (close == nullptr) {
          if (!eof) return Scan::kNeedMore;
          record->newlines += CountNewlines(content, end);
          PushSpan(content, static_cast<size_t>(end - content), true, escaped);
          record->error = kCsvUnterminatedQuote;
          record->content_end = end;
          record->next = end;
          return Scan::kRecord;
        }
        if (close + 1 == end && !eof) return Scan::kNeedMore;  // "" may straddle the chunk
        if (close + 1 < end && close[1] == q) {
          escaped = true;
          from = close + 2;
          continue;
        }
        break;
      }
      record->newlines += CountNewlines(content, close);
      PushSpan(content, static_cast<size_t>(close - content), true, escaped);
      p = close + 1;
      if (p == end) {  // eof: otherwise kNeedMore above
        record->content_end = end;
        record->next = end;
        return Scan::kRecord;
      }
      if (*p == d) {
        ++p;
        continue;
      }
      if (*p == '\n') {
        record->content_end = p;
        record->next = p + 1;
        ++record->newlines;
        return Scan::kRecord;
      }
      if (*p == '\r') {
        if (p + 1 == end) {
          if (!eof) return Scan::kNeedMore;
          record->content_end = p;
          record->next = end;
          return Scan::kRecord;
        }
        if (p[1] == '\n') {
          record->content_end = p;
          record->next = p + 2;
          ++record->newlines;
          return Scan::kRecord;
        }
      }
      // `"abc"def`: the value is ambiguous, so the row is rejected in either quote mode.
      if (record->error.empty()) record->error = kCsvStrayQuote;
      continuation = true;
    }
    const char* start = p;
    while (true) {
      p = FindStop(p, end);
      if (p < end && quoting && *p == q) {  // a quote inside an unquoted field
        if (options_.strict_quotes && record->error.empty()) record->error = kCsvStrayQuote;
        ++p;
        continue;
      }
      break;
    }
    if (p == end) {
      if (!eof) return Scan::kNeedMore;
      const char* field_end = end;
      if (field_end > start && field_end[-1] == '\r') --field_end;
      if (!continuation) PushSpan(start, static_cast<size_t>(field_end - start), false, false);
      record->content_end = field_end;
      record->next = end;
      return Scan::kRecord;
    }
    if (*p == d) {
      if (!continuation) PushSpan(start, static_cast<size_t>(p - start), false, false);
      ++p;
      continue;
    }
    // '\n'; a CR before it belongs to the terminator.
    const char* field_end = p;
    if (field_end > start && field_end[-1] == '\r') --field_end;
    if (!continuation) PushSpan(start, static_cast<size_t>(field_end - start), false, false);
    record->content_end = field_end;
    record->next = p + 1;
    ++record->newlines;
    return Scan::kRecord;
  }
}

const char* CsvReader::FindStop(const char* p, const char* end) const {
#if defined(__SSE2__)
  // 16 bytes at a time. Loads may run up to 15 bytes past `end`: ChunkedInput keeps kPadding
  // readable bytes there, and a hit past `end` is clamped.
  static_assert(ChunkedInput::kPadding >= 16);
  const __m128i delimiter = _mm_set1_epi8(options_.delimiter);
  const __m128i newline = _mm_set1_epi8('\n');
  const __m128i quote = _mm_set1_epi8(options_.quoting ? options_.quote : '\n');
  while (p < end) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i hits =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(bytes, delimiter), _mm_cmpeq_epi8(bytes, newline)),
                     _mm_cmpeq_epi8(bytes, quote));
    const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(hits));
    if (mask != 0) {
      p += __builtin_ctz(mask);
      return p < end ? p : end;
    }
    p += 16;
  }
  return end;
#else
  while (p < end && !stop_[static_cast<unsigned char>(*p)]) ++p;
  return p;
#endif
}

bool CsvReader::IsNull(std::string_view text) const {
  if (null_is_empty_only_) return text.empty();
  for (const std::string& null_value : options_.null_values) {
    if (text == null_value) return true;
  }
  return false;
}

std::string_view CsvReader::Unescape(const FieldSpan& field, StringArena& arena) const {
  char* out = arena.Allocate(field.size);
  char* o = out;
  const char* s = field.begin;
  const char* e = field.begin + field.size;
  const char q = options_.quote;
  while (s < e) {
    const char* quote = static_cast<const char*>(std::memchr(s, q, static_cast<size_t>(e - s)));
    if (quote == nullptr) {
      std::memcpy(o, s, static_cast<size_t>(e - s));
      o += e - s;
      break;
    }
    // Keep one quote of the pair.
    size_t n = static_cast<size_t>(quote - s) + 1;
    std::memcpy(o, s, n);
    o += n;
    s = quote + 2;
  }
  return {out, static_cast<size_t>(o - out)};
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
    ASSIGN_OR_RETURN(bool have, NextRecord(&record));
    if (!have) break;
    if (held_generation != input_.buffer_generation()) {
      batch.HoldBuffer(input_.buffer());
      held_generation = input_.buffer_generation();
    }
    const RowOrigin origin{unit_, line_, input_.offset_of(record.begin)};
    std::string_view text(record.begin, static_cast<size_t>(record.content_end - record.begin));

    std::string_view error = record.error;
    if (error != kCsvUnterminatedQuote && !RecordUtf8Valid(record)) error = kCsvInvalidUtf8;
    if (error.empty() && num_spans_ != columns_.size()) error = kCsvFieldCount;
    if (!error.empty()) {
      size_t row = batch.AppendRow(origin, CapText(text, options_.max_error_text));
      std::string message;
      if (error == kCsvFieldCount) {
        message = "expected " + std::to_string(columns_.size()) + " fields, found " +
                  std::to_string(num_spans_);
      } else if (error == kCsvUnterminatedQuote) {
        message = "quoted field is not closed before the end of the input";
      } else if (error == kCsvInvalidUtf8) {
        message = "record is not valid UTF-8";
      } else {
        message = "quote character inside an unquoted field or after a closing quote";
      }
      batch.SetParseError(row, error, message);
    } else {
      size_t row = batch.AppendRow(origin, text);
      for (size_t i = 0; i < num_spans_; ++i) {
        const int field = column_to_field_[i];
        if (field < 0) continue;
        const FieldSpan& span = spans_[i];
        std::string_view value(span.begin, span.size);
        if (!span.quoted) {
          if (IsNull(value)) continue;  // AppendRow made the cell kNull
        } else if (span.escaped) {
          value = Unescape(span, batch.arena());
        }
        batch.SetCell(row, static_cast<size_t>(field), CellKind::kText, value);
      }
    }
    Consume(record);
    ++rows;
  }
  batch.input_bytes += consumed_ - start_consumed;
  bytes_read_ += consumed_ - start_consumed;
  records_read_ += rows;
  return rows;
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
