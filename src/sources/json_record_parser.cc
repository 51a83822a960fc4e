#include "sources/json_record_parser.h"

#include <simdjson.h>

#include <cstring>

#include "sources/json_reader.h"

namespace assay::sources {
namespace {

namespace od = simdjson::ondemand;

std::string_view ErrorCode(simdjson::error_code error) {
  return error == simdjson::UTF8_ERROR ? kJsonInvalidUtf8 : kJsonSyntax;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

/// The JSON number grammar (RFC 8259 §6). Literals that overflow a double (`1e400`) are valid
/// JSON: the schema's type check decides about them.
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

/// Checks a number value's grammar and returns its literal (without trailing whitespace). The
/// grammar is all a number needs here: the schema's type check parses the literal itself, so
/// converting it to a double as well would parse every number twice.
simdjson::error_code CheckNumber(od::value& value, std::string_view* literal) {
  std::string_view raw = value.raw_json_token();
  *literal = raw.substr(
      0, static_cast<size_t>(TrimRight(raw.data(), raw.data() + raw.size()) - raw.data()));
  return IsJsonNumber(*literal) ? simdjson::SUCCESS : simdjson::NUMBER_ERROR;
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

struct JsonRecordParser::Parser {
  od::parser parser;
};

JsonRecordParser::JsonRecordParser(std::vector<std::string> fields, size_t max_depth)
    : fields_(std::move(fields)),
      // simdjson's parser tracks at most 1024 levels (it asserts in debug builds): stay below.
      max_depth_(std::min<size_t>(max_depth, 1000)),
      parser_(std::make_unique<Parser>()) {
  for (size_t i = 0; i < fields_.size(); ++i) field_index_.emplace(fields_[i], static_cast<int>(i));
}

JsonRecordParser::~JsonRecordParser() = default;

int JsonRecordParser::Lookup(std::string_view key) {
  // Records usually repeat one key order: try the field after the last match first.
  if (next_guess_ < fields_.size() && fields_[next_guess_] == key)
    return static_cast<int>(next_guess_++);
  auto it = field_index_.find(key);
  if (it == field_index_.end()) return -1;
  next_guess_ = static_cast<size_t>(it->second) + 1;
  return it->second;
}

std::string_view JsonRecordParser::Parse(std::string_view text, size_t readable, StringArena& arena,
                                         std::string* message) {
  num_cells_ = 0;
  next_guess_ = 0;
  auto fail = [&](simdjson::error_code error) {
    *message = simdjson::error_message(error);
    return ErrorCode(error);
  };
  od::document doc;
  if (auto error = parser_->parser.iterate(text.data(), text.size(), readable).get(doc))
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

}  // namespace assay::sources
