#include "sources/json_reader.h"

#include <simdjson.h>

#include <algorithm>
#include <cstring>

namespace assay::sources {
namespace {

namespace od = simdjson::ondemand;

constexpr char kBom[] = "\xEF\xBB\xBF";

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

const char* TrimRight(const char* begin, const char* end) {
  while (end > begin && IsJsonSpace(end[-1])) --end;
  return end;
}

std::string_view CapText(std::string_view text, size_t limit) {
  if (text.size() <= limit) return text;
  size_t cut = limit;
  for (int i = 0; i < 3 && cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80; ++i) {
    --cut;
  }
  return text.substr(0, cut);
}

std::string_view ErrorCode(simdjson::error_code error) {
  return error == simdjson::UTF8_ERROR ? kJsonInvalidUtf8 : kJsonSyntax;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

/// The JSON number grammar (RFC 8259 §6), for literals simdjson refuses only because they
/// overflow a double (`1e400`): they are valid JSON, and the schema's type check decides.
bool IsJsonNumber(std::string_view text) {
  size_t i = 0;
  const size_t n = text.size();
  if (i < n && text[i] == '-') ++i;
  if (i < n && text[i] == '0') {
    ++i;
  } else if (i < n && IsDigit(text[i])) {
    while (i < n && IsDigit(text[i])) ++i;
  } else {
    return false;
  }
  if (i < n && text[i] == '.') {
    ++i;
    if (i == n || !IsDigit(text[i])) return false;
    while (i < n && IsDigit(text[i])) ++i;
  }
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < n && (text[i] == '+' || text[i] == '-')) ++i;
    if (i == n || !IsDigit(text[i])) return false;
    while (i < n && IsDigit(text[i])) ++i;
  }
  return i == n;
}

/// Checks a number value and returns its literal (without trailing whitespace).
simdjson::error_code CheckNumber(od::value& value, std::string_view* literal) {
  std::string_view raw = value.raw_json_token();
  *literal = raw.substr(
      0, static_cast<size_t>(TrimRight(raw.data(), raw.data() + raw.size()) - raw.data()));
  double number;
  simdjson::error_code error = value.get_double().get(number);
  if (error == simdjson::NUMBER_ERROR && IsJsonNumber(*literal)) return simdjson::SUCCESS;
  return error;
}

/// Walks a value completely so that every token is checked (On Demand only checks what is
/// visited). Returns the first error.
simdjson::error_code Validate(od::value value, size_t depth, size_t max_depth) {
  if (depth > max_depth) return simdjson::DEPTH_ERROR;
  od::json_type type;
  if (auto error = value.type().get(type)) return error;
  switch (type) {
    case od::json_type::object: {
      od::object object;
      if (auto error = value.get_object().get(object)) return error;
      for (auto member : object) {
        od::field field;
        if (auto error = std::move(member).get(field)) return error;
        std::string_view key;
        if (auto error = field.unescaped_key().get(key)) return error;
        if (auto error = Validate(field.value(), depth + 1, max_depth)) return error;
      }
      return simdjson::SUCCESS;
    }
    case od::json_type::array: {
      od::array array;
      if (auto error = value.get_array().get(array)) return error;
      for (auto element : array) {
        od::value item;
        if (auto error = element.get(item)) return error;
        if (auto error = Validate(item, depth + 1, max_depth)) return error;
      }
      return simdjson::SUCCESS;
    }
    case od::json_type::string: {
      std::string_view text;
      return value.get_string().get(text);
    }
    case od::json_type::number: {
      std::string_view literal;
      return CheckNumber(value, &literal);
    }
    case od::json_type::boolean: {
      bool flag;
      return value.get_bool().get(flag);
    }
    case od::json_type::null: {
      bool is_null = false;
      if (auto error = value.is_null().get(is_null)) return error;
      return is_null ? simdjson::SUCCESS : simdjson::N_ATOM_ERROR;
    }
  }
  return simdjson::TAPE_ERROR;
}

}  // namespace

struct JsonReader::Parser {
  od::parser parser;
};

JsonReader::JsonReader(std::unique_ptr<ByteStream> in, uint32_t unit, JsonOptions options,
                       std::vector<std::string> fields)
    : input_(std::move(in), options.chunk_size),
      unit_(unit),
      options_(options),
      fields_(std::move(fields)),
      // simdjson's parser tracks at most 1024 levels (it asserts in debug builds): stay below.
      max_depth_(std::min<size_t>(options.max_depth, 1000)),
      parser_(std::make_unique<Parser>()) {
  for (size_t i = 0; i < fields_.size(); ++i) field_index_.emplace(fields_[i], static_cast<int>(i));
}

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

int JsonReader::Lookup(std::string_view key) {
  // Records usually repeat one key order: try the field after the last match first.
  if (next_guess_ < fields_.size() && fields_[next_guess_] == key)
    return static_cast<int>(next_guess_++);
  auto it = field_index_.find(key);
  if (it == field_index_.end()) return -1;
  next_guess_ = static_cast<size_t>(it->second) + 1;
  return it->second;
}

std::string_view JsonReader::ParseRecord(const Span& span, StringArena& arena,
                                         std::string* message) {
  num_cells_ = 0;
  next_guess_ = 0;
  const size_t length = static_cast<size_t>(span.end - span.begin);
  // The buffer has ChunkedInput::kPadding readable bytes after end(), as simdjson requires.
  const size_t capacity = static_cast<size_t>(input_.end() - span.begin) + ChunkedInput::kPadding;
  auto fail = [&](simdjson::error_code error) {
    *message = simdjson::error_message(error);
    return ErrorCode(error);
  };
  od::document doc;
  if (auto error = parser_->parser.iterate(span.begin, length, capacity).get(doc))
    return fail(error);
  od::json_type type;
  if (auto error = doc.type().get(type)) return fail(error);
  if (type != od::json_type::object) {
    *message = "record is not a JSON object";
    return kJsonNotObject;
  }
  od::object object;
  if (auto error = doc.get_object().get(object)) return fail(error);
  for (auto member : object) {
    od::field field;
    if (auto error = std::move(member).get(field)) return fail(error);
    std::string_view key;
    if (auto error = field.unescaped_key().get(key)) return fail(error);
    od::value value = field.value();
    const int column = Lookup(key);
    if (column < 0) {
      if (auto error = Validate(value, 1, max_depth_)) return fail(error);
      continue;
    }
    const std::string_view raw = value.raw_json_token();
    if (auto error = value.type().get(type)) return fail(error);
    Cell cell{static_cast<size_t>(column), CellKind::kNull, {}};
    switch (type) {
      case od::json_type::string: {
        std::string_view text;
        if (auto error = value.get_string().get(text)) return fail(error);
        // raw is the literal with its quotes; without a backslash it equals the value.
        if (raw.size() >= text.size() + 2 && raw[text.size() + 1] == '"' &&
            std::memchr(raw.data() + 1, '\\', text.size()) == nullptr) {
          cell.raw = raw.substr(1, text.size());
        } else {
          cell.raw = arena.Copy(text);
        }
        cell.kind = CellKind::kString;
        break;
      }
      case od::json_type::number: {
        if (auto error = CheckNumber(value, &cell.raw)) return fail(error);
        cell.kind = CellKind::kNumber;
        break;
      }
      case od::json_type::boolean: {
        bool flag;
        if (auto error = value.get_bool().get(flag)) return fail(error);
        cell.kind = CellKind::kBool;
        cell.raw = flag ? std::string_view("true") : std::string_view("false");
        break;
      }
      case od::json_type::null: {
        bool is_null = false;
        if (auto error = value.is_null().get(is_null)) return fail(error);
        if (!is_null) return fail(simdjson::N_ATOM_ERROR);
        break;
      }
      case od::json_type::object:
      case od::json_type::array: {
        const char* start = raw.data();
        if (auto error = Validate(value, 1, max_depth_)) return fail(error);
        // After the walk the iterator stands on the token after the value (',' or '}').
        const char* after = nullptr;
        if (auto error = doc.current_location().get(after)) return fail(error);
        cell.kind = CellKind::kNested;
        cell.raw = std::string_view(start, static_cast<size_t>(TrimRight(start, after) - start));
        break;
      }
    }
    if (num_cells_ == cells_.size()) cells_.resize(cells_.size() * 2 + 16);
    cells_[num_cells_++] = cell;
  }
  // Anything after the object (`{} x`) is an error; at the end current_location fails.
  const char* trailing = nullptr;
  if (doc.current_location().get(trailing) == simdjson::SUCCESS) {
    *message = "unexpected content after the JSON object";
    return kJsonSyntax;
  }
  return {};
}

Result<size_t> JsonReader::ReadBatch(Batch& batch, size_t max_rows) {
  if (batch.columns().size() < fields_.size()) {
    return InvalidArgument("JSON reader: batch has " + std::to_string(batch.columns().size()) +
                           " columns, expected " + std::to_string(fields_.size()));
  }
  started_ = true;
  ReserveRows(batch, fields_.size(), max_rows);
  const uint64_t start_consumed = consumed_;
  uint64_t held_generation = 0;
  size_t rows = 0;
  Span span;
  std::string message;
  while (rows < max_rows) {
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
    if (error.empty()) {
      error = ParseRecord(span, batch.arena(), &message);
    } else {
      message = span.message;
    }
    if (!error.empty()) {
      size_t row = batch.AppendRow(origin, CapText(text, options_.max_error_text));
      batch.SetParseError(row, error, message);
    } else {
      size_t row = batch.AppendRow(origin, text);
      for (size_t i = 0; i < num_cells_; ++i) {
        batch.SetCell(row, cells_[i].column, cells_[i].kind, cells_[i].raw);
      }
    }
    consumed_ = input_.offset_of(span.next);
    pos_ = span.next;
    line_ += span.lines;
    ++rows;
  }
  batch.input_bytes += consumed_ - start_consumed;
  return rows;
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
