#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/field_type.h"
#include "schema/check.h"

namespace assay::schema {

/// Extra validation a `format` adds to a string's type check (DESIGN.md §3a: type + format are
/// one check). date-time and date change the field's type instead.
enum class StringFormat : unsigned char { kNone, kEmail, kUuid, kIpv4 };

/// The keywords that become checks, in the order checks are derived for a field.
enum class CheckKind : unsigned char {
  kRequired,          ///< completeness: the value is present and not null
  kType,              ///< schema: type (+ format)
  kPattern,           ///< accuracy: whole-value RE2 match
  kEnum,              ///< accuracy
  kConst,             ///< accuracy
  kMinimum,           ///< accuracy
  kMaximum,           ///< accuracy
  kExclusiveMinimum,  ///< accuracy
  kExclusiveMaximum,  ///< accuracy
  kMinLength,         ///< accuracy: length in Unicode code points
  kMaxLength,         ///< accuracy
};

/// The JSON Schema keyword of a check kind, which is also the suffix of its name.
std::string_view CheckKeyword(CheckKind kind);
Dimension CheckDimension(CheckKind kind);

/// A literal from `enum` or `const`, kept in the field's typed form for comparison.
struct Literal {
  enum class Kind : unsigned char { kNull, kBool, kNumber, kString } kind = Kind::kNull;
  bool boolean = false;
  double number = 0;
  std::string text;
};

/// One check derived from one keyword of one property (DESIGN.md §3a).
struct FieldCheck {
  std::string name;  ///< `<field>.<keyword>`, the name in `_failed`
  size_t field = 0;  ///< index into Schema::fields
  CheckKind kind = CheckKind::kType;
  Severity severity = Severity::kError;
  double bound = 0;               ///< minimum / maximum / exclusive bounds
  uint64_t length = 0;            ///< minLength / maxLength
  std::string pattern;            ///< pattern (as written; matched whole-value)
  std::vector<Literal> literals;  ///< enum values, or the single const value
};

struct Field {
  std::string name;
  FieldType type = FieldType::kAny;
  StringFormat format = StringFormat::kNone;
  bool required = false;
  bool nullable = false;  ///< `"type": [T, "null"]`: null satisfies `required`
  std::string description;
};

/// A record schema: its fields (in declaration order) and the checks they imply.
struct Schema {
  std::string title;
  std::filesystem::path file;
  std::vector<Field> fields;
  std::vector<FieldCheck> checks;
  std::vector<std::string> key_fields;  ///< `x-key-fields`: fields that identify a record

  int FindField(std::string_view name) const;  ///< -1 if absent
};

}  // namespace assay::schema
