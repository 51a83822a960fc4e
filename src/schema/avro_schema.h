#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"

namespace assay::schema {

/// The types of the Avro 1.11 specification. `error` is a record (is_error says which keyword
/// declared it), as in the Java implementation.
enum class AvroType {
  kNull,
  kBoolean,
  kInt,
  kLong,
  kFloat,
  kDouble,
  kBytes,
  kString,
  kRecord,
  kEnum,
  kArray,
  kMap,
  kUnion,
  kFixed,
};

/// The type's name as a schema spells it: "null", "int", "record", ..., "union".
std::string_view AvroTypeName(AvroType type);
/// The name org.apache.avro.Schema.Type prints ("NULL", "INT", "RECORD", ...), the spelling of
/// the compatibility messages that Confluent passes through.
std::string_view AvroTypeJavaName(AvroType type);

struct AvroNode;

/// One field of a record.
struct AvroField {
  std::string name;
  /// The field's schema; owned by the AvroSchema (a named type is shared by every reference).
  const AvroNode* type = nullptr;
  /// The "default" value as written (a JSON null default is a default: `"default": null`).
  std::optional<nlohmann::json> default_value;
  /// Alternative names a reader matches a writer's field by (plain names, no namespace).
  std::vector<std::string> aliases;
  /// "ascending" (the default), "descending" or "ignore".
  std::string order = "ascending";
  std::string doc;
  /// Attributes the specification does not reserve, by name.
  nlohmann::json properties = nlohmann::json::object();
};

/// One schema node. Primitive, array, map and union nodes exist once per occurrence in the text;
/// a named type (record, enum, fixed) exists once and every reference points at its definition,
/// so recursive types are cycles of pointers.
struct AvroNode {
  AvroType type = AvroType::kNull;

  // Named types (record, enum, fixed).
  std::string name;       ///< unqualified
  std::string space;      ///< namespace; empty for the null namespace
  std::string full_name;  ///< space.name, or name in the null namespace
  /// Aliases as full names (an alias without a dot is in the type's own namespace).
  std::vector<std::string> aliases;
  std::string doc;

  // record
  bool is_error = false;
  std::vector<AvroField> fields;
  std::unordered_map<std::string, size_t> field_index;  ///< field name -> position in fields

  // enum
  std::vector<std::string> symbols;
  std::optional<std::string> enum_default;

  // fixed: bytes per value.
  int64_t size = 0;

  const AvroNode* items = nullptr;        ///< array
  const AvroNode* values = nullptr;       ///< map
  std::vector<const AvroNode*> branches;  ///< union

  /// Attributes the specification does not reserve for this type, by name: "logicalType" and its
  /// parameters ("precision", "scale"), and anything a tool added ("connect.name", ...).
  nlohmann::json properties = nlohmann::json::object();

  bool IsNamed() const {
    return type == AvroType::kRecord || type == AvroType::kEnum || type == AvroType::kFixed;
  }
  /// The "logicalType" attribute, or empty. Kept, but it plays no part in compatibility.
  std::string_view LogicalType() const;
  /// The writer field named `field_name` (not its aliases), or nullptr.
  const AvroField* FindField(std::string_view field_name) const;
};

/// A parsed and validated Avro schema (Avro 1.11 specification, "Schema Declaration").
/// Movable, not copyable: nodes point at each other.
class AvroSchema {
 public:
  /// Parses `text` (a JSON string, object or array) and validates it: names and namespaces,
  /// named types defined before use and once, records with a name and fields, unique field
  /// names, enums with unique symbols and a default among them, fixed with a positive size,
  /// unions without nested unions or duplicate branches, field defaults that match their type
  /// (for a union: its first branch). kInvalidArgument names the JSON pointer of the offending
  /// node ("/fields/1/type: ..."), or the line and column of a JSON syntax error.
  static Result<AvroSchema> Parse(std::string_view text);

  AvroSchema(AvroSchema&&) noexcept = default;
  AvroSchema& operator=(AvroSchema&&) noexcept = default;
  AvroSchema(const AvroSchema&) = delete;
  AvroSchema& operator=(const AvroSchema&) = delete;
  ~AvroSchema() = default;

  const AvroNode& root() const { return *root_; }

  /// The specification's Parsing Canonical Form: primitives as plain names, full names without
  /// namespaces, only name/type/fields/symbols/items/values/size in that order, a named type
  /// written out at its first occurrence and by full name afterwards, no whitespace. Two schemas
  /// with the same form read and write the same bytes.
  std::string ParsingCanonicalForm() const;

  /// The registry's key for this schema: the Parsing Canonical Form plus everything that changes
  /// how a schema resolves against another (field and enum `default`, `aliases` as full names,
  /// a field's `order` unless ascending) and every non-reserved attribute (`logicalType` and its
  /// parameters, ...), in a fixed key order, numbers in float/double defaults written as
  /// doubles. Only `doc`, `namespace` (folded into full names) and whitespace are dropped.
  std::string RegistryCanonicalForm() const;

 private:
  AvroSchema() = default;
  friend class AvroSchemaParser;

  std::vector<std::unique_ptr<AvroNode>> nodes_;
  const AvroNode* root_ = nullptr;
};

/// Whether `name` is a valid Avro name: [A-Za-z_][A-Za-z0-9_]*.
bool IsValidAvroName(std::string_view name);

}  // namespace assay::schema
