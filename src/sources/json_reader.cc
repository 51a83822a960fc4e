#include "sources/json_reader.h"

#include <algorithm>
#include <cstring>

namespace assay::sources {
namespace {

constexpr char kBom[] = "\xEF\xBB\xBF";

}  // namespace

/// Decodes NDJSON batches framed by a JsonReader, on a worker thread.
class NdjsonDecoder final : public RecordDecoder {
 public:
  NdjsonDecoder(std::vector<std::string> fields, const JsonOptions& options)
      : parser_(std::move(fields), options.max_depth), max_error_text_(options.max_error_text) {}

  void Decode(Batch& batch) override {
    std::string message;
    for (size_t row = 0; row < batch.num_rows(); ++row) {
      if (batch.has_parse_error(row)) continue;
      const std::string_view text = batch.record_text(row);
      // Framed records lie inside a ChunkedInput buffer, which has kPadding readable bytes
      // after its end, so kPadding bytes past any record's end are readable too.
      const std::string_view error =
          parser_.Parse(text, text.size() + ChunkedInput::kPadding, batch.arena(), &message);
      if (!error.empty()) {
        batch.set_record_text(row, CapText(text, max_error_text_));
        batch.SetParseError(row, error, message);
        continue;
      }
      for (const JsonRecordParser::Cell& cell : parser_.cells()) {
        batch.SetCell(row, cell.column, cell.kind, cell.raw);
      }
    }
  }

 private:
  JsonRecordParser parser_;
  size_t max_error_text_;
};

JsonReader::JsonReader(std::unique_ptr<ByteStream> in, uint32_t unit, JsonOptions options,
                       std::vector<std::string> fields)
    : input_(std::move(in), options.chunk_size),
      unit_(unit),
      options_(options),
      fields_(std::move(fields)),
      parser_(fields_, options.max_depth) {}

JsonReader::~JsonReader() = default;

Result<std::unique_ptr<JsonReader>> JsonReader::Make(std::unique_ptr<ByteStream> in, uint32_t unit,
                                                     JsonOptions options,
                                                     std::vector<std::string> fields) {
  if (in == nullptr) return InvalidArgument("JSON reader: no input stream");
  std::unique_ptr<JsonReader> reader(
      new JsonReader(std::move(in), unit, options, std::move(fields)));
  RETURN_IF_ERROR(reader->Init());
  return reader;
}

Result<std::unique_ptr<RecordReader>> MakeJsonReader(std::unique_ptr<ByteStream> in, uint32_t unit,
                                                     JsonOptions options,
                                                     std::vector<std::string> fields) {
  ASSIGN_OR_RETURN(std::unique_ptr<JsonReader> reader,
                   JsonReader::Make(std::move(in), unit, options, std::move(fields)));
  return std::unique_ptr<RecordReader>(std::move(reader));
}

Status JsonReader::Refill() {
  ASSIGN_OR_RETURN(bool added, input_.Refill(pos_));
  (void)added;
  pos_ = input_.begin();
  return Status::Ok();
}

Status JsonReader::Init() {
  RETURN_IF_ERROR(Refill());
  while (input_.end() - pos_ < 3 && !input_.eof()) RETURN_IF_ERROR(Refill());
  if (input_.end() - pos_ >= 3 && std::memcmp(pos_, kBom, 3) == 0) {
    pos_ += 3;
    consumed_ = 3;
  }
  // Peek at the first non-blank byte without consuming (line counting starts at pos_).
  size_t skip = 0;
  while (true) {
    const char* p = pos_ + skip;
    while (p < input_.end() && IsJsonSpace(*p)) ++p;
    skip = static_cast<size_t>(p - pos_);
    if (p < input_.end() || input_.eof()) break;
    RETURN_IF_ERROR(Refill());
  }
  const bool empty = pos_ + skip == input_.end();
  const bool is_array = !empty && pos_[skip] == '[';
  switch (options_.format) {
    case JsonFormat::kAuto: format_ = is_array ? JsonFormat::kArray : JsonFormat::kNdjson; break;
    case JsonFormat::kNdjson: format_ = JsonFormat::kNdjson; break;
    case JsonFormat::kArray:
      if (!is_array && !empty) {
        return InvalidArgument(input_.name() +
                               ": expected a JSON array (a file starting with '[')");
      }
      format_ = JsonFormat::kArray;
      break;
  }
  if (format_ == JsonFormat::kArray) {
    array_open_offset_ = input_.offset_of(pos_ + skip);
    if (empty) array_state_ = ArrayState::kDone;
  }
  return Status::Ok();
}

Result<bool> JsonReader::NextLine(Span* span) {
  while (true) {
    const char* end = input_.end();
    if (pos_ == end) {
      if (input_.eof()) return false;
      RETURN_IF_ERROR(Refill());
      continue;
    }
    const char* newline =
        static_cast<const char*>(std::memchr(pos_, '\n', static_cast<size_t>(end - pos_)));
    if (newline == nullptr && !input_.eof()) {
      RETURN_IF_ERROR(Refill());
      continue;
    }
    const char* line_end = newline != nullptr ? newline : end;
    const char* next = newline != nullptr ? newline + 1 : end;
    const char* text_end = TrimRight(pos_, line_end);
    const char* text_begin = pos_;
    while (text_begin < text_end && IsJsonSpace(*text_begin)) ++text_begin;
    if (text_begin == text_end) {  // blank line
      consumed_ += static_cast<uint64_t>(next - pos_);
      pos_ = next;
      if (newline != nullptr) ++line_;
      continue;
    }
    *span = Span{pos_, text_end, next, newline != nullptr ? 1u : 0u, {}, {}};
    return true;
  }
}

Result<bool> JsonReader::NextElement(Span* span) {
  while (true) {
    if (array_state_ == ArrayState::kDone) return false;
    const char* end = input_.end();
    const char* p = pos_;
    while (p < end && IsJsonSpace(*p)) ++p;
    if (p == end) {
      if (!input_.eof()) {
        RETURN_IF_ERROR(Refill());
        continue;
      }
      if (array_state_ == ArrayState::kInside) {
        // The file stops inside the array: say so once, with no record text.
        array_state_ = ArrayState::kDone;
        *span = Span{p, p, p, 1, kJsonTruncated, "end of input inside the JSON array (no ']')"};
        return true;
      }
      consumed_ += static_cast<uint64_t>(p - pos_);
      pos_ = p;
      array_state_ = ArrayState::kDone;
      return false;
    }
    if (array_state_ == ArrayState::kBefore) {
      // Init saw the '['.
      consumed_ += static_cast<uint64_t>(p + 1 - pos_);
      pos_ = p + 1;
      array_state_ = ArrayState::kInside;
      continue;
    }
    if (array_state_ == ArrayState::kAfter) {
      // Non-blank bytes after the closing ']': one rejected row, then the rest is ignored.
      array_state_ = ArrayState::kDone;
      *span = Span{p, TrimRight(p, end), end,
                   1, kJsonSyntax,       "unexpected content after the JSON array"};
      return true;
    }
    if (*p == ']') {
      consumed_ += static_cast<uint64_t>(p + 1 - pos_);
      pos_ = p + 1;
      array_state_ = ArrayState::kAfter;
      continue;
    }
    if (*p == ',') {
      *span = Span{p, p, p + 1, 1, kJsonSyntax, "empty array element"};
      return true;
    }
    // Find the element's end: a ',' or ']' outside strings and brackets.
    int depth = 0;
    const char* q = p;
    bool need_more = false;
    while (q < end) {
      const char c = *q;
      if (c == '"') {
        ++q;
        while (q < end && *q != '"') {
          q += (*q == '\\') ? 2 : 1;
        }
        if (q >= end) {
          need_more = true;
          break;
        }
        ++q;
        continue;
      }
      if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}') {
        if (depth > 0) --depth;
      } else if (c == ']') {
        if (depth == 0) break;
        --depth;
      } else if (c == ',' && depth == 0) {
        break;
      }
      ++q;
    }
    if (q >= end) need_more = true;
    if (need_more) {
      if (!input_.eof()) {
        pos_ = p;  // keep from the element start; whitespace before it is consumed
        consumed_ = input_.offset_of(p);
        RETURN_IF_ERROR(Refill());
        continue;
      }
      array_state_ = ArrayState::kDone;
      *span = Span{p, TrimRight(p, end), end,
                   1, kJsonTruncated,    "end of input inside a JSON array element"};
      return true;
    }
    *span = Span{p, TrimRight(p, q), *q == ',' ? q + 1 : q, 1, {}, {}};
    return true;
  }
}

Result<size_t> JsonReader::ReadBatch(Batch& batch, size_t max_rows) {
  if (batch.columns().size() < fields_.size()) {
    return InvalidArgument("JSON reader: batch has " + std::to_string(batch.columns().size()) +
                           " columns, expected " + std::to_string(fields_.size()));
  }
  started_ = true;
  ReserveRows(batch, fields_.size(),
              ExpectedBatchRows(max_rows, options_.batch_max_bytes, bytes_read_, records_read_));
  const uint64_t start_consumed = consumed_;
  uint64_t held_generation = 0;
  size_t rows = 0;
  Span span;
  std::string message;
  while (rows < max_rows && consumed_ - start_consumed < options_.batch_max_bytes) {
    bool have = false;
    if (format_ == JsonFormat::kArray) {
      ASSIGN_OR_RETURN(have, NextElement(&span));
    } else {
      ASSIGN_OR_RETURN(have, NextLine(&span));
    }
    if (!have) break;
    if (held_generation != input_.buffer_generation()) {
      batch.HoldBuffer(input_.buffer());
      held_generation = input_.buffer_generation();
    }
    const RowOrigin origin{unit_, line_, input_.offset_of(span.begin)};
    const std::string_view text(span.begin, static_cast<size_t>(span.end - span.begin));
    std::string_view error = span.error;
    if (!error.empty()) {
      message = span.message;
    } else if (!deferred_) {
      // The buffer has ChunkedInput::kPadding readable bytes after end(), as simdjson requires.
      error = parser_.Parse(text,
                            static_cast<size_t>(input_.end() - span.begin) + ChunkedInput::kPadding,
                            batch.arena(), &message);
    }
    if (!error.empty()) {
      size_t row = batch.AppendRow(origin, CapText(text, options_.max_error_text));
      batch.SetParseError(row, error, message);
    } else {
      size_t row = batch.AppendRow(origin, text);
      if (!deferred_) {
        for (const JsonRecordParser::Cell& cell : parser_.cells()) {
          batch.SetCell(row, cell.column, cell.kind, cell.raw);
        }
      }
    }
    consumed_ = input_.offset_of(span.next);
    pos_ = span.next;
    line_ += span.lines;
    ++rows;
  }
  batch.input_bytes += consumed_ - start_consumed;
  bytes_read_ += consumed_ - start_consumed;
  records_read_ += rows;
  return rows;
}

std::unique_ptr<RecordDecoder> JsonReader::MakeParallelDecoder() {
  if (format_ != JsonFormat::kNdjson) return nullptr;  // array elements are framed by parsing
  deferred_ = true;
  return std::make_unique<NdjsonDecoder>(fields_, options_);
}

Status JsonReader::SkipTo(uint64_t byte_offset, uint64_t line) {
  if (started_) return FailedPrecondition("JSON reader: SkipTo after the first ReadBatch");
  if (byte_offset < consumed_) {
    return InvalidArgument(input_.name() + ": resume offset " + std::to_string(byte_offset) +
                           " is before the first record");
  }
  RETURN_IF_ERROR(SkipInput(input_, pos_, consumed_, byte_offset, [this] { return Refill(); }));
  line_ = line;
  if (format_ == JsonFormat::kArray && byte_offset > array_open_offset_ &&
      array_state_ == ArrayState::kBefore) {
    // A committed offset lies after an element (or after everything): continue inside the
    // array; an offset at the very end means everything, the closing ']' included, was read.
    while (pos_ == input_.end() && !input_.eof()) RETURN_IF_ERROR(Refill());
    array_state_ = pos_ == input_.end() ? ArrayState::kDone : ArrayState::kInside;
  }
  return Status::Ok();
}

}  // namespace assay::sources
