#include "schema/avro_schema.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <unordered_set>
#include <utility>

#include "schema/json_text.h"

namespace assay::schema {
namespace {

using Json = nlohmann::json;

// JSON nesting the parser accepts. Real schemas stay far below; the bound keeps every recursive
// walk (ours and the compatibility check's) well inside a thread's stack.
constexpr size_t kMaxJsonDepth = 500;

// Longest default value quoted in an error message.
constexpr size_t kMaxQuotedValue = 80;

struct PrimitiveName {
  std::string_view name;
  AvroType type;
};
constexpr std::array<PrimitiveName, 8> kPrimitives{{
    {"null", AvroType::kNull},
    {"boolean", AvroType::kBoolean},
    {"int", AvroType::kInt},
    {"long", AvroType::kLong},
    {"float", AvroType::kFloat},
    {"double", AvroType::kDouble},
    {"bytes", AvroType::kBytes},
    {"string", AvroType::kString},
}};

std::optional<AvroType> PrimitiveType(std::string_view name) {
  for (const PrimitiveName& p : kPrimitives) {
    if (p.name == name) return p.type;
  }
  return std::nullopt;
}

// Attributes the specification gives a meaning to, per kind of JSON object (Java's
// SCHEMA_RESERVED, ENUM_RESERVED and FIELD_RESERVED); all others are kept as properties.
constexpr std::array<std::string_view, 10> kSchemaReserved{
    "type", "name", "namespace", "fields", "items", "values", "size", "symbols", "aliases", "doc"};
constexpr std::array<std::string_view, 6> kFieldReserved{"name",  "type",    "default",
                                                         "order", "aliases", "doc"};

template <size_t N>
bool IsOneOf(const std::array<std::string_view, N>& keys, std::string_view key) {
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

Result<Json> ParseJson(std::string_view text) {
  if (std::optional<size_t> at = NestingDeeperThan(text, kMaxJsonDepth)) {
    auto [line, column] = LineColumn(text, *at);
    return InvalidArgument(
        fmt::format("invalid Avro schema: line {}, column {}: JSON nested deeper "
                    "than {} levels",
                    line, column, kMaxJsonDepth));
  }
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& e) {
    auto [line, column] = LineColumn(text, e.byte == 0 ? 0 : e.byte - 1);
    std::string what = e.what();
    // nlohmann prefixes "[json.exception.parse_error.101] parse error at line L, column C: ".
    const size_t colon = what.find(": ", what.find("column"));
    std::string reason = colon == std::string::npos ? what : what.substr(colon + 2);
    return InvalidArgument(fmt::format("invalid Avro schema: line {}, column {}: invalid JSON: {}",
                                       line, column, reason));
  } catch (const Json::exception& e) {
    // A number beyond a double's range (1e999) comes as out_of_range.406, without a position.
    std::string what = e.what();
    const size_t bracket = what.find("] ");
    std::string reason = bracket == std::string::npos ? what : what.substr(bracket + 2);
    return InvalidArgument(fmt::format("invalid Avro schema: invalid JSON: {}", reason));
  }
}

std::string Quote(const Json& value) {
  std::string text = value.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (text.size() > kMaxQuotedValue) text = text.substr(0, kMaxQuotedValue) + "...";
  return text;
}

std::string Pointer(std::string_view parent, std::string_view token) {
  std::string out(parent);
  out += '/';
  out += EscapePointerToken(token);
  return out;
}

std::string Pointer(std::string_view parent, size_t index) {
  return Pointer(parent, std::to_string(index));
}

Status Invalid(std::string_view path, std::string_view what) {
  return InvalidArgument(
      fmt::format("invalid Avro schema at {}: {}", path.empty() ? "/" : path, what));
}

std::string FullName(std::string_view space, std::string_view name) {
  return space.empty() ? std::string(name) : fmt::format("{}.{}", space, name);
}

// A dotted namespace: empty, or valid names joined by dots.
bool IsValidNamespace(std::string_view space) {
  if (space.empty()) return true;
  size_t start = 0;
  while (true) {
    const size_t dot = space.find('.', start);
    const std::string_view part =
        space.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (!IsValidAvroName(part)) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

}  // namespace

std::string_view AvroTypeName(AvroType type) {
  switch (type) {
    case AvroType::kNull: return "null";
    case AvroType::kBoolean: return "boolean";
    case AvroType::kInt: return "int";
    case AvroType::kLong: return "long";
    case AvroType::kFloat: return "float";
    case AvroType::kDouble: return "double";
    case AvroType::kBytes: return "bytes";
    case AvroType::kString: return "string";
    case AvroType::kRecord: return "record";
    case AvroType::kEnum: return "enum";
    case AvroType::kArray: return "array";
    case AvroType::kMap: return "map";
    case AvroType::kUnion: return "union";
    case AvroType::kFixed: return "fixed";
  }
  return "null";
}

std::string_view AvroTypeJavaName(AvroType type) {
  switch (type) {
    case AvroType::kNull: return "NULL";
    case AvroType::kBoolean: return "BOOLEAN";
    case AvroType::kInt: return "INT";
    case AvroType::kLong: return "LONG";
    case AvroType::kFloat: return "FLOAT";
    case AvroType::kDouble: return "DOUBLE";
    case AvroType::kBytes: return "BYTES";
    case AvroType::kString: return "STRING";
    case AvroType::kRecord: return "RECORD";
    case AvroType::kEnum: return "ENUM";
    case AvroType::kArray: return "ARRAY";
    case AvroType::kMap: return "MAP";
    case AvroType::kUnion: return "UNION";
    case AvroType::kFixed: return "FIXED";
  }
  return "NULL";
}

bool IsValidAvroName(std::string_view name) {
  if (name.empty()) return false;
  auto is_alpha = [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
  };
  if (!is_alpha(name[0])) return false;
  return std::all_of(name.begin() + 1, name.end(),
                     [&](char c) { return is_alpha(c) || (c >= '0' && c <= '9'); });
}

std::string_view AvroNode::LogicalType() const {
  auto it = properties.find("logicalType");
  if (it == properties.end() || !it->is_string()) return {};
  return it->get_ref<const std::string&>();
}

const AvroField* AvroNode::FindField(std::string_view field_name) const {
  auto it = field_index.find(std::string(field_name));
  return it == field_index.end() ? nullptr : &fields[it->second];
}

// Builds an AvroSchema from parsed JSON, in document order: a named type must be defined before
// it is referenced (a record's own name is defined before its fields, so it may recur in them).
class AvroSchemaParser {
 public:
  Result<AvroSchema> Run(const Json& root) {
    ASSIGN_OR_RETURN(const AvroNode* node, ParseNode(root, "", ""));
    schema_.root_ = node;
    // Defaults are checked once every type is complete: a default may hold a record whose later
    // fields had not been parsed when the default was read.
    for (const auto& [record, index, path] : defaults_) {
      RETURN_IF_ERROR(CheckDefault(record->fields[index], path));
    }
    return std::move(schema_);
  }

 private:
  AvroNode* NewNode(AvroType type) {
    schema_.nodes_.push_back(std::make_unique<AvroNode>());
    schema_.nodes_.back()->type = type;
    return schema_.nodes_.back().get();
  }

  Result<const AvroNode*> ParseNode(const Json& json, const std::string& path,
                                    const std::string& space) {
    if (json.is_string()) return ParseTypeName(json.get_ref<const std::string&>(), path, space);
    if (json.is_array()) return ParseUnion(json, path, space);
    if (!json.is_object()) {
      return Invalid(path, fmt::format("{} is not a schema (expected a type name, an object or a "
                                       "union array)",
                                       Quote(json)));
    }
    auto type_it = json.find("type");
    if (type_it == json.end()) return Invalid(path, "missing \"type\"");
    if (!type_it->is_string()) {
      return Invalid(Pointer(path, "type"),
                     fmt::format("\"type\" must be a type name, not {}", Quote(*type_it)));
    }
    const std::string& type = type_it->get_ref<const std::string&>();
    if (type == "record" || type == "error") return ParseRecord(json, path, space, type == "error");
    if (type == "enum") return ParseEnum(json, path, space);
    if (type == "fixed") return ParseFixed(json, path, space);
    if (type == "array" || type == "map") return ParseContainer(json, path, space, type == "array");
    if (std::optional<AvroType> primitive = PrimitiveType(type)) {
      AvroNode* node = NewNode(*primitive);
      CollectProperties(json, node);
      return node;
    }
    // {"type": "com.ex.Name"} refers to a named type, as the Java parser allows.
    return ParseTypeName(type, Pointer(path, "type"), space);
  }

  Result<const AvroNode*> ParseTypeName(const std::string& name, const std::string& path,
                                        const std::string& space) {
    if (std::optional<AvroType> primitive = PrimitiveType(name)) return NewNode(*primitive);
    // A name with a dot is a full name; otherwise the enclosing namespace, then the null one.
    const bool dotted = name.find('.') != std::string::npos;
    auto it = named_.find(dotted ? name : FullName(space, name));
    if (it == named_.end() && !dotted) it = named_.find(name);
    if (it == named_.end() && (name == "record" || name == "error" || name == "enum" ||
                               name == "fixed" || name == "array" || name == "map")) {
      return Invalid(
          path, fmt::format("\"{}\" needs the object form {{\"type\": \"{}\", ...}}", name, name));
    }
    if (it == named_.end()) {
      return Invalid(path, fmt::format("undefined type name \"{}\"",
                                       dotted || space.empty() ? name : FullName(space, name)));
    }
    return it->second;
  }

  Result<const AvroNode*> ParseUnion(const Json& json, const std::string& path,
                                     const std::string& space) {
    AvroNode* node = NewNode(AvroType::kUnion);
    std::unordered_map<std::string, size_t> seen;  // branch key -> index
    for (size_t i = 0; i < json.size(); ++i) {
      const std::string branch_path = Pointer(path, i);
      if (json[i].is_array()) return Invalid(branch_path, "a union may not contain a union");
      ASSIGN_OR_RETURN(const AvroNode* branch, ParseNode(json[i], branch_path, space));
      // Unnamed types may appear once per type, named types once per full name.
      std::string key =
          branch->IsNamed() ? branch->full_name : std::string(AvroTypeName(branch->type));
      auto [it, inserted] = seen.emplace(key, i);
      if (!inserted) {
        return Invalid(branch_path, fmt::format("duplicate union branch \"{}\" (also at {})", key,
                                                Pointer(path, it->second)));
      }
      node->branches.push_back(branch);
    }
    return node;
  }

  // Sets name, space, full_name, aliases and doc of a named type and registers it.
  Status DefineName(const Json& json, const std::string& path, const std::string& space,
                    AvroNode* node) {
    auto name_it = json.find("name");
    if (name_it == json.end()) {
      return Invalid(path, fmt::format("a {} needs a \"name\"", AvroTypeName(node->type)));
    }
    const std::string name_path = Pointer(path, "name");
    if (!name_it->is_string()) {
      return Invalid(name_path, fmt::format("\"name\" must be a string, not {}", Quote(*name_it)));
    }
    const std::string& name = name_it->get_ref<const std::string&>();
    const size_t dot = name.rfind('.');
    if (dot != std::string::npos) {
      node->space = name.substr(0, dot);
      node->name = name.substr(dot + 1);
    } else {
      node->name = name;
      node->space = space;
      auto ns_it = json.find("namespace");
      if (ns_it != json.end() && !ns_it->is_null()) {
        if (!ns_it->is_string()) {
          return Invalid(Pointer(path, "namespace"),
                         fmt::format("\"namespace\" must be a string, not {}", Quote(*ns_it)));
        }
        node->space = ns_it->get<std::string>();
      }
    }
    if (!IsValidAvroName(node->name)) {
      return Invalid(name_path, fmt::format("invalid name \"{}\" (a name matches "
                                            "[A-Za-z_][A-Za-z0-9_]*)",
                                            node->name));
    }
    if (!IsValidNamespace(node->space)) {
      return Invalid(
          dot != std::string::npos ? name_path : Pointer(path, "namespace"),
          fmt::format("invalid namespace \"{}\" (names separated by dots)", node->space));
    }
    if (PrimitiveType(node->name)) {
      return Invalid(name_path,
                     fmt::format("\"{}\" is a primitive type and cannot be redefined", node->name));
    }
    node->full_name = FullName(node->space, node->name);
    auto [it, inserted] = named_.emplace(node->full_name, node);
    if (!inserted) {
      return Invalid(name_path, fmt::format("type \"{}\" is already defined at {}", node->full_name,
                                            defined_at_[node->full_name]));
    }
    defined_at_[node->full_name] = path.empty() ? "/" : path;

    auto aliases_it = json.find("aliases");
    if (aliases_it != json.end()) {
      RETURN_IF_ERROR(ParseAliases(*aliases_it, Pointer(path, "aliases"), true, &node->aliases));
      for (std::string& alias : node->aliases) {
        if (alias.find('.') == std::string::npos) alias = FullName(node->space, alias);
      }
    }
    auto doc_it = json.find("doc");
    if (doc_it != json.end() && doc_it->is_string()) node->doc = doc_it->get<std::string>();
    return Status::Ok();
  }

  // `dotted`: a named type's aliases may be full names; a field's are plain names.
  static Status ParseAliases(const Json& json, const std::string& path, bool dotted,
                             std::vector<std::string>* out) {
    if (!json.is_array()) {
      return Invalid(path,
                     fmt::format("\"aliases\" must be an array of names, not {}", Quote(json)));
    }
    for (size_t i = 0; i < json.size(); ++i) {
      const Json& alias = json[i];
      const bool valid =
          alias.is_string() && (dotted ? IsValidNamespace(alias.get_ref<const std::string&>()) &&
                                             !alias.get_ref<const std::string&>().empty()
                                       : IsValidAvroName(alias.get_ref<const std::string&>()));
      if (!valid) return Invalid(Pointer(path, i), fmt::format("invalid alias {}", Quote(alias)));
      out->push_back(alias.get<std::string>());
    }
    return Status::Ok();
  }

  static void CollectProperties(const Json& json, AvroNode* node) {
    for (const auto& [key, value] : json.items()) {
      if (IsOneOf(kSchemaReserved, key)) continue;
      if (node->type == AvroType::kEnum && key == "default") continue;
      node->properties[key] = value;
    }
  }

  Result<const AvroNode*> ParseRecord(const Json& json, const std::string& path,
                                      const std::string& space, bool is_error) {
    AvroNode* node = NewNode(AvroType::kRecord);
    node->is_error = is_error;
    RETURN_IF_ERROR(DefineName(json, path, space, node));
    CollectProperties(json, node);
    auto fields_it = json.find("fields");
    if (fields_it == json.end()) return Invalid(path, "a record needs \"fields\"");
    const std::string fields_path = Pointer(path, "fields");
    if (!fields_it->is_array()) {
      return Invalid(fields_path,
                     fmt::format("\"fields\" must be an array, not {}", Quote(*fields_it)));
    }
    node->fields.reserve(fields_it->size());
    for (size_t i = 0; i < fields_it->size(); ++i) {
      RETURN_IF_ERROR(ParseField((*fields_it)[i], Pointer(fields_path, i), node));
    }
    return node;
  }

  Status ParseField(const Json& json, const std::string& path, AvroNode* record) {
    if (!json.is_object()) {
      return Invalid(path, fmt::format("a field must be an object, not {}", Quote(json)));
    }
    AvroField field;
    auto name_it = json.find("name");
    if (name_it == json.end()) return Invalid(path, "a field needs a \"name\"");
    if (!name_it->is_string() || !IsValidAvroName(name_it->get_ref<const std::string&>())) {
      return Invalid(Pointer(path, "name"),
                     fmt::format("invalid field name {} (a name matches [A-Za-z_][A-Za-z0-9_]*)",
                                 Quote(*name_it)));
    }
    field.name = name_it->get<std::string>();
    if (record->field_index.count(field.name) != 0) {
      return Invalid(Pointer(path, "name"), fmt::format("duplicate field \"{}\" in record \"{}\"",
                                                        field.name, record->full_name));
    }
    auto type_it = json.find("type");
    if (type_it == json.end()) {
      return Invalid(path, fmt::format("field \"{}\" needs a \"type\"", field.name));
    }
    // Types defined inside a record are in its namespace.
    ASSIGN_OR_RETURN(field.type, ParseNode(*type_it, Pointer(path, "type"), record->space));
    auto default_it = json.find("default");
    if (default_it != json.end()) field.default_value = *default_it;
    auto order_it = json.find("order");
    if (order_it != json.end()) {
      if (!order_it->is_string() ||
          (*order_it != "ascending" && *order_it != "descending" && *order_it != "ignore")) {
        return Invalid(Pointer(path, "order"),
                       fmt::format("\"order\" must be \"ascending\", \"descending\" or \"ignore\", "
                                   "not {}",
                                   Quote(*order_it)));
      }
      field.order = order_it->get<std::string>();
    }
    auto aliases_it = json.find("aliases");
    if (aliases_it != json.end()) {
      RETURN_IF_ERROR(ParseAliases(*aliases_it, Pointer(path, "aliases"), false, &field.aliases));
    }
    auto doc_it = json.find("doc");
    if (doc_it != json.end() && doc_it->is_string()) field.doc = doc_it->get<std::string>();
    for (const auto& [key, value] : json.items()) {
      if (!IsOneOf(kFieldReserved, key)) field.properties[key] = value;
    }
    if (field.default_value) {
      defaults_.push_back({record, record->fields.size(), Pointer(path, "default")});
    }
    record->field_index.emplace(field.name, record->fields.size());
    record->fields.push_back(std::move(field));
    return Status::Ok();
  }

  Result<const AvroNode*> ParseEnum(const Json& json, const std::string& path,
                                    const std::string& space) {
    AvroNode* node = NewNode(AvroType::kEnum);
    RETURN_IF_ERROR(DefineName(json, path, space, node));
    CollectProperties(json, node);
    auto symbols_it = json.find("symbols");
    if (symbols_it == json.end()) return Invalid(path, "an enum needs \"symbols\"");
    const std::string symbols_path = Pointer(path, "symbols");
    if (!symbols_it->is_array() || symbols_it->empty()) {
      return Invalid(symbols_path, fmt::format("\"symbols\" must be a non-empty array of names, "
                                               "not {}",
                                               Quote(*symbols_it)));
    }
    std::unordered_map<std::string, size_t> seen;
    for (size_t i = 0; i < symbols_it->size(); ++i) {
      const Json& symbol = (*symbols_it)[i];
      if (!symbol.is_string() || !IsValidAvroName(symbol.get_ref<const std::string&>())) {
        return Invalid(Pointer(symbols_path, i),
                       fmt::format("invalid symbol {} (a symbol matches [A-Za-z_][A-Za-z0-9_]*)",
                                   Quote(symbol)));
      }
      auto [it, inserted] = seen.emplace(symbol.get<std::string>(), i);
      if (!inserted) {
        return Invalid(Pointer(symbols_path, i),
                       fmt::format("duplicate symbol \"{}\" (also at {})", it->first,
                                   Pointer(symbols_path, it->second)));
      }
      node->symbols.push_back(symbol.get<std::string>());
    }
    auto default_it = json.find("default");
    if (default_it != json.end()) {
      if (!default_it->is_string() || seen.count(default_it->get<std::string>()) == 0) {
        return Invalid(
            Pointer(path, "default"),
            fmt::format("the enum default {} is not one of its symbols", Quote(*default_it)));
      }
      node->enum_default = default_it->get<std::string>();
    }
    return node;
  }

  Result<const AvroNode*> ParseFixed(const Json& json, const std::string& path,
                                     const std::string& space) {
    AvroNode* node = NewNode(AvroType::kFixed);
    RETURN_IF_ERROR(DefineName(json, path, space, node));
    CollectProperties(json, node);
    auto size_it = json.find("size");
    if (size_it == json.end()) return Invalid(path, "a fixed needs a \"size\"");
    // Java reads the size as an int.
    const bool valid = (size_it->is_number_unsigned() && size_it->get<uint64_t>() >= 1 &&
                        size_it->get<uint64_t>() <= INT32_MAX) ||
                       (size_it->is_number_integer() && size_it->get<int64_t>() >= 1 &&
                        size_it->get<int64_t>() <= INT32_MAX);
    if (!valid) {
      return Invalid(Pointer(path, "size"),
                     fmt::format("\"size\" must be a positive integer, not {}", Quote(*size_it)));
    }
    node->size = size_it->get<int64_t>();
    return node;
  }

  Result<const AvroNode*> ParseContainer(const Json& json, const std::string& path,
                                         const std::string& space, bool is_array) {
    AvroNode* node = NewNode(is_array ? AvroType::kArray : AvroType::kMap);
    const char* key = is_array ? "items" : "values";
    auto it = json.find(key);
    if (it == json.end()) {
      return Invalid(path, fmt::format("{} {} needs \"{}\"", is_array ? "an" : "a",
                                       is_array ? "array" : "map", key));
    }
    ASSIGN_OR_RETURN(const AvroNode* inner, ParseNode(*it, Pointer(path, key), space));
    (is_array ? node->items : node->values) = inner;
    CollectProperties(json, node);
    return node;
  }

  // Java's Schema.isValidDefault, plus: an enum default must be one of the symbols. A record
  // member the default leaves out takes the field's own default; whether that one is valid is
  // worked out once per field (Java repeats it at every use, exponential for records that hold
  // two fields of the next record), and a default that contains itself is not valid. `depth`
  // bounds the recursion, across such substitutions too.
  bool IsValidDefault(const AvroNode& type, const Json& value, size_t depth) {
    if (depth > 2 * kMaxJsonDepth) return false;
    ++depth;
    switch (type.type) {
      case AvroType::kNull: return value.is_null();
      case AvroType::kBoolean: return value.is_boolean();
      case AvroType::kInt:
        return (value.is_number_unsigned() && value.get<uint64_t>() <= INT32_MAX) ||
               (value.is_number_integer() && !value.is_number_unsigned() &&
                value.get<int64_t>() >= INT32_MIN && value.get<int64_t>() <= INT32_MAX);
      case AvroType::kLong:
        return (value.is_number_unsigned() && value.get<uint64_t>() <= INT64_MAX) ||
               (value.is_number_integer() && !value.is_number_unsigned());
      case AvroType::kFloat:
      case AvroType::kDouble: return value.is_number();
      case AvroType::kBytes:
      case AvroType::kString:
      case AvroType::kFixed: return value.is_string();
      case AvroType::kEnum:
        return value.is_string() &&
               std::find(type.symbols.begin(), type.symbols.end(),
                         value.get_ref<const std::string&>()) != type.symbols.end();
      case AvroType::kArray:
        return value.is_array() && std::all_of(value.begin(), value.end(), [&](const Json& v) {
                 return IsValidDefault(*type.items, v, depth);
               });
      case AvroType::kMap:
        return value.is_object() && std::all_of(value.begin(), value.end(), [&](const Json& v) {
                 return IsValidDefault(*type.values, v, depth);
               });
      case AvroType::kUnion:
        return !type.branches.empty() && IsValidDefault(*type.branches.front(), value, depth);
      case AvroType::kRecord:
        if (!value.is_object()) return false;
        return std::all_of(type.fields.begin(), type.fields.end(), [&](const AvroField& f) {
          auto it = value.find(f.name);
          if (it != value.end()) return IsValidDefault(*f.type, *it, depth);
          return IsValidFieldDefault(f, depth);
        });
    }
    return false;
  }

  bool IsValidFieldDefault(const AvroField& field, size_t depth) {
    auto [it, first] = field_default_valid_.emplace(&field, false);  // false while in progress
    if (!first) return it->second;
    const bool valid =
        field.default_value && IsValidDefault(*field.type, *field.default_value, depth);
    field_default_valid_[&field] = valid;  // `it` may have moved: the map grew meanwhile
    return valid;
  }

  Status CheckDefault(const AvroField& field, const std::string& path) {
    if (IsValidFieldDefault(field, 0)) return Status::Ok();
    const AvroNode& type = *field.type;
    std::string expected;
    if (type.type == AvroType::kUnion) {
      expected = type.branches.empty()
                     ? "an empty union, which has no values"
                     : fmt::format("a union, whose default must match its first branch ({})",
                                   type.branches.front()->IsNamed()
                                       ? type.branches.front()->full_name
                                       : AvroTypeName(type.branches.front()->type));
    } else if (type.IsNamed()) {
      expected = fmt::format("{} {}", AvroTypeName(type.type), type.full_name);
    } else {
      expected = AvroTypeName(type.type);
    }
    return Invalid(path, fmt::format("default {} of field \"{}\" does not match its type: {}",
                                     Quote(*field.default_value), field.name, expected));
  }

  AvroSchema schema_;
  std::unordered_map<std::string, AvroNode*> named_;
  std::unordered_map<std::string, std::string> defined_at_;
  struct PendingDefault {
    const AvroNode* record;
    size_t field;
    std::string path;
  };
  std::vector<PendingDefault> defaults_;
  std::unordered_map<const AvroField*, bool> field_default_valid_;
};

Result<AvroSchema> AvroSchema::Parse(std::string_view text) {
  ASSIGN_OR_RETURN(Json json, ParseJson(text));
  return AvroSchemaParser().Run(json);
}

namespace {

std::string DumpJson(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string DumpString(std::string_view text) { return DumpJson(Json(text)); }

// A default value with the numbers a float or double reads written as doubles, so that `1` and
// `1.0` give one canonical form.
Json NormalizeDefault(const AvroNode& type, const Json& value) {
  switch (type.type) {
    case AvroType::kFloat:
    case AvroType::kDouble: return value.is_number() ? Json(value.get<double>()) : value;
    case AvroType::kArray: {
      if (!value.is_array()) return value;
      Json out = Json::array();
      for (const Json& v : value) out.push_back(NormalizeDefault(*type.items, v));
      return out;
    }
    case AvroType::kMap: {
      if (!value.is_object()) return value;
      Json out = Json::object();
      for (const auto& [k, v] : value.items()) out[k] = NormalizeDefault(*type.values, v);
      return out;
    }
    case AvroType::kUnion:
      return type.branches.empty() ? value : NormalizeDefault(*type.branches.front(), value);
    case AvroType::kRecord: {
      if (!value.is_object()) return value;
      Json out = value;
      for (const AvroField& f : type.fields) {
        auto it = value.find(f.name);
        if (it != value.end()) out[f.name] = NormalizeDefault(*f.type, *it);
      }
      return out;
    }
    default: return value;
  }
}

class CanonicalWriter {
 public:
  explicit CanonicalWriter(bool registry) : registry_(registry) {}

  // `space`: the namespace a parser would give a name written here without one (the namespace
  // of the nearest enclosing named type).
  void Write(const AvroNode& node, const std::string& space = "") {
    switch (node.type) {
      case AvroType::kUnion: {
        out_ += '[';
        for (size_t i = 0; i < node.branches.size(); ++i) {
          if (i > 0) out_ += ',';
          Write(*node.branches[i], space);
        }
        out_ += ']';
        return;
      }
      case AvroType::kRecord:
      case AvroType::kEnum:
      case AvroType::kFixed: WriteNamed(node, space); return;
      case AvroType::kArray:
      case AvroType::kMap:
        out_ += "{\"type\":";
        out_ += node.type == AvroType::kArray ? "\"array\",\"items\":" : "\"map\",\"values\":";
        Write(node.type == AvroType::kArray ? *node.items : *node.values, space);
        WriteProperties(node.properties);
        out_ += '}';
        return;
      default:
        if (registry_ && !node.properties.empty()) {
          out_ += "{\"type\":";
          out_ += DumpString(AvroTypeName(node.type));
          WriteProperties(node.properties);
          out_ += '}';
        } else {
          out_ += DumpString(AvroTypeName(node.type));
        }
        return;
    }
  }

  std::string Take() { return std::move(out_); }

 private:
  void WriteNamed(const AvroNode& node, const std::string& space) {
    if (!written_.insert(&node).second) {
      out_ += DumpString(node.full_name);
      return;
    }
    out_ += "{\"name\":";
    out_ += DumpString(node.full_name);
    if (registry_ && node.space.empty() && !space.empty()) {
      // A name without a dot would inherit `space`: say that this one has no namespace. (The
      // Parsing Canonical Form has no way to say it, a known gap of the specification.)
      out_ += ",\"namespace\":\"\"";
    }
    out_ += ",\"type\":";
    out_ += registry_ && node.is_error ? "\"error\"" : DumpString(AvroTypeName(node.type));
    if (node.type == AvroType::kRecord) {
      out_ += ",\"fields\":[";
      for (size_t i = 0; i < node.fields.size(); ++i) {
        if (i > 0) out_ += ',';
        WriteField(node.fields[i], node.space);
      }
      out_ += ']';
    } else if (node.type == AvroType::kEnum) {
      out_ += ",\"symbols\":";
      out_ += DumpJson(Json(node.symbols));
      if (registry_ && node.enum_default) {
        out_ += ",\"default\":";
        out_ += DumpString(*node.enum_default);
      }
    } else {
      out_ += ",\"size\":";
      out_ += std::to_string(node.size);
    }
    WriteAliases(node.aliases);
    WriteProperties(node.properties);
    out_ += '}';
  }

  void WriteField(const AvroField& field, const std::string& space) {
    out_ += "{\"name\":";
    out_ += DumpString(field.name);
    out_ += ",\"type\":";
    Write(*field.type, space);
    if (registry_) {
      if (field.default_value) {
        out_ += ",\"default\":";
        out_ += DumpJson(NormalizeDefault(*field.type, *field.default_value));
      }
      if (field.order != "ascending") {
        out_ += ",\"order\":";
        out_ += DumpString(field.order);
      }
      WriteAliases(field.aliases);
      WriteProperties(field.properties);
    }
    out_ += '}';
  }

  void WriteAliases(std::vector<std::string> aliases) {
    if (!registry_ || aliases.empty()) return;
    // A set of names: order and repetition carry no meaning.
    std::sort(aliases.begin(), aliases.end());
    aliases.erase(std::unique(aliases.begin(), aliases.end()), aliases.end());
    out_ += ",\"aliases\":";
    out_ += DumpJson(Json(aliases));
  }

  void WriteProperties(const Json& properties) {
    if (!registry_) return;
    for (const auto& [key, value] : properties.items()) {  // sorted by key
      out_ += ',';
      out_ += DumpString(key);
      out_ += ':';
      out_ += DumpJson(value);
    }
  }

  bool registry_;
  std::string out_;
  std::unordered_set<const AvroNode*> written_;
};

}  // namespace

std::string AvroSchema::ParsingCanonicalForm() const {
  CanonicalWriter writer(false);
  writer.Write(*root_);
  return writer.Take();
}

std::string AvroSchema::RegistryCanonicalForm() const {
  CanonicalWriter writer(true);
  writer.Write(*root_);
  return writer.Take();
}

}  // namespace assay::schema
