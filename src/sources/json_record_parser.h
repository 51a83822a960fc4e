#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/arena.h"
#include "core/batch.h"

namespace assay::sources {

/// JSON's whitespace (RFC 8259 §2).
inline bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/// `end` moved back over trailing JSON whitespace, not past `begin`.
inline const char* TrimRight(const char* begin, const char* end) {
  while (end > begin && IsJsonSpace(end[-1])) --end;
  return end;
}

/// Parses one JSON record (an object) into cells of the wanted top-level fields, fully
/// validating it. One instance per thread: it owns a simdjson parser and its scratch.
///
/// A string is kString (a view into the record when it has no escapes, else the unescaped copy
/// in the arena), a number kNumber with its literal, true/false kBool, null or a missing key
/// kNull, an object or array kNested with its JSON text. A repeated key: the last one wins.
class JsonRecordParser {
 public:
  struct Cell {
    size_t column;
    CellKind kind;
    std::string_view raw;
  };

  /// `fields` are the wanted keys, in batch column order. Deeper nesting than `max_depth` is a
  /// json.syntax error.
  JsonRecordParser(std::vector<std::string> fields, size_t max_depth);
  ~JsonRecordParser();
  JsonRecordParser(const JsonRecordParser&) = delete;
  JsonRecordParser& operator=(const JsonRecordParser&) = delete;

  /// Parses `text`, which must have `readable` bytes readable from its start (at least
  /// text.size() + 64: simdjson reads ahead). Returns the parse-error code (empty = ok, and
  /// cells() holds the record's wanted fields); on error, *message says what is wrong.
  std::string_view Parse(std::string_view text, size_t readable, StringArena& arena,
                         std::string* message);

  std::span<const Cell> cells() const { return {cells_.data(), num_cells_}; }
  size_t num_fields() const { return fields_.size(); }

 private:
  int Lookup(std::string_view key);

  std::vector<std::string> fields_;
  std::unordered_map<std::string_view, int> field_index_;
  size_t max_depth_;
  size_t next_guess_ = 0;
  struct Parser;
  std::unique_ptr<Parser> parser_;
  std::vector<Cell> cells_;  ///< cells of the current record: [0, num_cells_)
  size_t num_cells_ = 0;
};

}  // namespace assay::sources
