#include "schema/json_schema.h"

#include <fmt/format.h>
#include <re2/re2.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "schema/json_text.h"

namespace assay::schema {
namespace {

// ordered_json keeps properties in the order the file declares them (the output column order).
using Json = nlohmann::ordered_json;

constexpr std::string_view kTopLevelKeys[] = {"$schema",      "$id",         "$comment",
                                              "title",        "description", "type",
                                              "required",     "properties",  "additionalProperties",
                                              "x-key-fields", "examples"};

// Annotations are accepted and have no check.
constexpr std::string_view kPropertyKeys[] = {
    "type",        "format",           "pattern",          "enum",      "const",      "minimum",
    "maximum",     "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength",  "title",
    "description", "default",          "examples",         "$comment",  "deprecated", "readOnly",
    "writeOnly",   "x-severity"};

template <size_t N>
bool Contains(const std::string_view (&keys)[N], std::string_view key) {
  return std::find(std::begin(keys), std::end(keys), key) != std::end(keys);
}

class SchemaParser {
 public:
  explicit SchemaParser(std::filesystem::path path) : path_(std::move(path)) {}

  Result<Schema> Parse(std::string_view text) {
    Json root;
    try {
      root = Json::parse(text.begin(), text.end());
    } catch (const Json::parse_error& e) {
      auto [line, column] = LineColumn(text, e.byte == 0 ? 0 : e.byte - 1);
      std::string what = e.what();
      // nlohmann prefixes "[json.exception.parse_error.101] parse error at line L, column C: ".
      size_t colon = what.find(": ", what.find("column"));
      std::string reason = colon == std::string::npos ? what : what.substr(colon + 2);
      return InvalidArgument(
          fmt::format("{}:{}:{}: invalid JSON: {}", path_.string(), line, column, reason));
    } catch (const Json::exception& e) {
      // A number beyond a double's range (1e999) is thrown as out_of_range.406, without a
      // position: point at the first occurrence of the literal the message quotes.
      std::string what = e.what();
      size_t offset = 0;
      const size_t open = what.find('\''), close = what.rfind('\'');
      if (open != std::string::npos && close > open) {
        const size_t at = text.find(std::string_view(what).substr(open + 1, close - open - 1));
        if (at != std::string_view::npos) offset = at;
      }
      auto [line, column] = LineColumn(text, offset);
      const size_t bracket = what.find("] ");
      std::string reason = bracket == std::string::npos ? what : what.substr(bracket + 2);
      return InvalidArgument(
          fmt::format("{}:{}:{}: invalid JSON: {}", path_.string(), line, column, reason));
    }
    ParseRoot(root);
    if (!errors_.empty()) {
      std::string message = fmt::format("{} error(s) in schema {}", errors_.size(), path_.string());
      for (const std::string& e : errors_) message += "\n  " + e;
      return InvalidArgument(std::move(message));
    }
    return std::move(schema_);
  }

 private:
  void Error(std::string_view pointer, std::string_view what) {
    errors_.push_back(fmt::format("{}: at {}: {}", path_.string(), pointer, what));
  }

  void ParseRoot(const Json& root) {
    schema_.file = path_;
    if (!root.is_object()) {
      Error("/", "the schema must be a JSON object");
      return;
    }
    for (const auto& [key, value] : root.items()) {
      if (!Contains(kTopLevelKeys, key)) {
        Error("/" + key, fmt::format("unsupported keyword '{}'", key));
      }
    }
    if (auto it = root.find("type"); it != root.end() && *it != "object") {
      Error("/type", "the top-level type must be \"object\"");
    }
    if (auto it = root.find("title"); it != root.end()) {
      if (it->is_string())
        schema_.title = it->get<std::string>();
      else
        Error("/title", "expected a string");
    }
    if (auto it = root.find("additionalProperties"); it != root.end()) {
      if (!it->is_boolean()) {
        Error("/additionalProperties", "only true is supported (extra fields are ignored)");
      } else if (!it->get<bool>()) {
        Error("/additionalProperties",
              "false is not supported: fields outside the schema are ignored, not rejected");
      }
    }
    std::set<std::string> required;
    if (auto it = root.find("required"); it != root.end()) {
      if (!it->is_array()) {
        Error("/required", "expected an array of property names");
      } else {
        for (const Json& name : *it) {
          if (!name.is_string()) {
            Error("/required", "expected an array of property names");
            continue;
          }
          required.insert(name.get<std::string>());
        }
      }
    }
    auto props = root.find("properties");
    if (props == root.end() || !props->is_object() || props->empty()) {
      Error("/properties", "expected an object with at least one property");
      return;
    }
    // nlohmann's json object is sorted; keep the file's declaration order instead.
    for (const auto& [name, value] : props->items()) {
      Field field;
      field.name = name;
      field.required = required.count(name) > 0;
      schema_.fields.push_back(std::move(field));
    }
    for (const std::string& name : required) {
      if (schema_.FindField(name) < 0) {
        Error("/required", fmt::format("'{}' is required but not in properties", name));
      }
    }
    for (size_t i = 0; i < schema_.fields.size(); ++i) {
      const std::string& name = schema_.fields[i].name;
      ParseProperty(i, props->at(name), "/properties/" + name);
    }
    if (auto it = root.find("x-key-fields"); it != root.end()) {
      if (!it->is_array()) {
        Error("/x-key-fields", "expected an array of property names");
      } else {
        for (const Json& name : *it) {
          if (!name.is_string() || schema_.FindField(name.get<std::string>()) < 0) {
            Error("/x-key-fields", fmt::format("{} is not a property", name.dump()));
            continue;
          }
          schema_.key_fields.push_back(name.get<std::string>());
        }
      }
    }
  }

  void ParseProperty(size_t index, const Json& prop, const std::string& pointer) {
    Field& field = schema_.fields[index];
    if (!prop.is_object()) {
      Error(pointer, "expected an object");
      return;
    }
    for (const auto& [key, value] : prop.items()) {
      if (!Contains(kPropertyKeys, key)) {
        Error(fmt::format("{}/{}", pointer, key), fmt::format("unsupported keyword '{}'", key));
      }
    }
    if (auto it = prop.find("description"); it != prop.end() && it->is_string()) {
      field.description = it->get<std::string>();
    }
    bool has_type = ParseType(field, prop, pointer);

    // Severity overrides: a map keyword -> severity, or one severity for every check.
    std::map<std::string, Severity> severities;
    std::optional<Severity> field_severity;
    if (auto it = prop.find("x-severity"); it != prop.end()) {
      if (it->is_string()) {
        field_severity = SeverityFromName(it->get<std::string>());
        if (!field_severity) Error(pointer + "/x-severity", "expected critical, error or warning");
      } else if (it->is_object()) {
        for (const auto& [keyword, sev] : it->items()) {
          std::optional<Severity> s =
              sev.is_string() ? SeverityFromName(sev.get<std::string>()) : std::nullopt;
          if (!s) {
            Error(fmt::format("{}/x-severity/{}", pointer, keyword),
                  "expected critical, error or warning");
            continue;
          }
          severities[keyword] = *s;
        }
      } else {
        Error(pointer + "/x-severity", "expected a severity or a map keyword -> severity");
      }
    }
    std::set<std::string> used_keywords;
    auto add = [&](CheckKind kind) -> FieldCheck& {
      FieldCheck check;
      std::string keyword(CheckKeyword(kind));
      check.name = field.name + "." + keyword;
      check.field = index;
      check.kind = kind;
      check.severity = Severity::kError;
      if (field_severity) check.severity = *field_severity;
      if (auto s = severities.find(keyword); s != severities.end()) check.severity = s->second;
      used_keywords.insert(keyword);
      schema_.checks.push_back(std::move(check));
      return schema_.checks.back();
    };

    if (field.required && !field.nullable) add(CheckKind::kRequired);
    if (has_type) add(CheckKind::kType);

    const bool numeric = field.type == FieldType::kInteger || field.type == FieldType::kNumber;
    const bool textual = field.type == FieldType::kString || field.type == FieldType::kAny;
    if (auto it = prop.find("pattern"); it != prop.end()) {
      if (!it->is_string()) {
        Error(pointer + "/pattern", "expected a string");
      } else if (!textual) {
        Error(pointer + "/pattern", "pattern applies to string fields only");
      } else {
        RE2 re(it->get<std::string>(), RE2::Quiet);
        if (!re.ok()) {
          Error(pointer + "/pattern", fmt::format("invalid regular expression: {}", re.error()));
        } else {
          add(CheckKind::kPattern).pattern = it->get<std::string>();
        }
      }
    }
    for (auto [keyword, kind] :
         {std::pair{"enum", CheckKind::kEnum}, {"const", CheckKind::kConst}}) {
      auto it = prop.find(keyword);
      if (it == prop.end()) continue;
      std::vector<Json> values;
      if (kind == CheckKind::kEnum) {
        if (!it->is_array() || it->empty()) {
          Error(pointer + "/enum", "expected a non-empty array");
          continue;
        }
        values.assign(it->begin(), it->end());
      } else {
        values.push_back(*it);
      }
      std::vector<Literal> literals;
      bool ok = true;
      for (const Json& v : values) {
        std::optional<Literal> literal = ToLiteral(field, v);
        if (!literal) {
          Error(pointer + "/" + keyword, fmt::format("{} is not of the field's type ({})", v.dump(),
                                                     FieldTypeName(field.type)));
          ok = false;
          continue;
        }
        literals.push_back(std::move(*literal));
      }
      if (ok) add(kind).literals = std::move(literals);
    }
    for (auto [keyword, kind] : {std::pair{"minimum", CheckKind::kMinimum},
                                 {"maximum", CheckKind::kMaximum},
                                 {"exclusiveMinimum", CheckKind::kExclusiveMinimum},
                                 {"exclusiveMaximum", CheckKind::kExclusiveMaximum}}) {
      auto it = prop.find(keyword);
      if (it == prop.end()) continue;
      if (!it->is_number()) {
        Error(pointer + "/" + keyword, "expected a number");
      } else if (!numeric && field.type != FieldType::kAny) {
        Error(pointer + "/" + keyword,
              fmt::format("{} applies to integer and number fields only", keyword));
      } else {
        add(kind).bound = it->get<double>();
      }
    }
    for (auto [keyword, kind] :
         {std::pair{"minLength", CheckKind::kMinLength}, {"maxLength", CheckKind::kMaxLength}}) {
      auto it = prop.find(keyword);
      if (it == prop.end()) continue;
      if (!it->is_number_unsigned()) {
        Error(pointer + "/" + keyword, "expected a non-negative integer");
      } else if (!textual) {
        Error(pointer + "/" + keyword, fmt::format("{} applies to string fields only", keyword));
      } else {
        add(kind).length = it->get<uint64_t>();
      }
    }
    for (const auto& [keyword, severity] : severities) {
      if (!used_keywords.count(keyword)) {
        Error(fmt::format("{}/x-severity/{}", pointer, keyword),
              fmt::format("'{}' gives no check on this field", keyword));
      }
    }
  }

  // Returns whether the field has a type check.
  bool ParseType(Field& field, const Json& prop, const std::string& pointer) {
    std::string type_name;
    auto type = prop.find("type");
    if (type != prop.end()) {
      if (type->is_string()) {
        type_name = type->get<std::string>();
      } else if (type->is_array() && type->size() == 2 && (*type)[0].is_string() &&
                 (*type)[1].is_string() && ((*type)[0] == "null" || (*type)[1] == "null") &&
                 (*type)[0] != (*type)[1]) {
        type_name =
            (*type)[0] == "null" ? (*type)[1].get<std::string>() : (*type)[0].get<std::string>();
        field.nullable = true;
      } else {
        Error(pointer + "/type", "expected a type name or [type, \"null\"]");
        return false;
      }
    }
    std::string format;
    if (auto it = prop.find("format"); it != prop.end()) {
      if (!it->is_string()) {
        Error(pointer + "/format", "expected a string");
        return false;
      }
      format = it->get<std::string>();
      if (type_name.empty()) type_name = "string";  // a format implies a string
    }
    if (type_name.empty()) return false;
    if (type_name == "string")
      field.type = FieldType::kString;
    else if (type_name == "integer")
      field.type = FieldType::kInteger;
    else if (type_name == "number")
      field.type = FieldType::kNumber;
    else if (type_name == "boolean")
      field.type = FieldType::kBoolean;
    else {
      Error(pointer + "/type",
            fmt::format("unsupported type '{}' (string, integer, number, boolean)", type_name));
      return false;
    }
    if (!format.empty()) {
      if (field.type != FieldType::kString) {
        Error(pointer + "/format", "format applies to string fields only");
        return false;
      }
      if (format == "date-time")
        field.type = FieldType::kTimestamp;
      else if (format == "date")
        field.type = FieldType::kDate;
      else if (format == "email")
        field.format = StringFormat::kEmail;
      else if (format == "uuid")
        field.format = StringFormat::kUuid;
      else if (format == "ipv4")
        field.format = StringFormat::kIpv4;
      else {
        Error(pointer + "/format",
              fmt::format("unsupported format '{}' (date-time, date, email, uuid, ipv4)", format));
        return false;
      }
    }
    return true;
  }

  static std::optional<Literal> ToLiteral(const Field& field, const Json& v) {
    Literal literal;
    switch (field.type) {
      case FieldType::kInteger:
        if (!v.is_number_integer()) return std::nullopt;
        literal.kind = Literal::Kind::kNumber;
        literal.number = v.get<double>();
        return literal;
      case FieldType::kNumber:
        if (!v.is_number()) return std::nullopt;
        literal.kind = Literal::Kind::kNumber;
        literal.number = v.get<double>();
        return literal;
      case FieldType::kBoolean:
        if (!v.is_boolean()) return std::nullopt;
        literal.kind = Literal::Kind::kBool;
        literal.boolean = v.get<bool>();
        return literal;
      case FieldType::kString:
      case FieldType::kTimestamp:
      case FieldType::kDate:
        if (!v.is_string()) return std::nullopt;
        literal.kind = Literal::Kind::kString;
        literal.text = v.get<std::string>();
        return literal;
      case FieldType::kAny:
        // Untyped fields compare on their text: a JSON number matches its literal text.
        literal.kind = Literal::Kind::kString;
        literal.text = v.is_string() ? v.get<std::string>() : v.dump();
        return literal;
    }
    return std::nullopt;
  }

 private:
  std::filesystem::path path_;
  Schema schema_;
  std::vector<std::string> errors_;
};

}  // namespace

std::string_view CheckKeyword(CheckKind kind) {
  switch (kind) {
    case CheckKind::kRequired: return "required";
    case CheckKind::kType: return "type";
    case CheckKind::kPattern: return "pattern";
    case CheckKind::kEnum: return "enum";
    case CheckKind::kConst: return "const";
    case CheckKind::kMinimum: return "minimum";
    case CheckKind::kMaximum: return "maximum";
    case CheckKind::kExclusiveMinimum: return "exclusiveMinimum";
    case CheckKind::kExclusiveMaximum: return "exclusiveMaximum";
    case CheckKind::kMinLength: return "minLength";
    case CheckKind::kMaxLength: return "maxLength";
  }
  return "unknown";
}

Dimension CheckDimension(CheckKind kind) {
  switch (kind) {
    case CheckKind::kRequired: return Dimension::kCompleteness;
    case CheckKind::kType: return Dimension::kSchema;
    default: return Dimension::kAccuracy;
  }
}

int Schema::FindField(std::string_view name) const {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

Result<Schema> ParseJsonSchema(std::string_view text, const std::filesystem::path& path) {
  SchemaParser parser(path);
  return parser.Parse(text);
}

Result<std::string> ReadSchemaFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
      return NotFound(fmt::format("schema file {} does not exist", path.string()));
    }
    return PermissionDenied(fmt::format("cannot read schema file {}", path.string()));
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

Result<Schema> LoadJsonSchema(const std::filesystem::path& path) {
  ASSIGN_OR_RETURN(std::string text, ReadSchemaFile(path));
  return ParseJsonSchema(text, path);
}

}  // namespace assay::schema
