#include "schema/json_schema_compatibility.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <utility>

#include "schema/json_schema_diff.h"
#include "schema/json_text.h"

namespace assay::schema {
namespace {

using Json = nlohmann::ordered_json;

// Arrays and objects nested deeper than this are refused: no real schema comes near it, and it
// bounds the recursion of the checker and the differ (which run on server threads).
constexpr size_t kMaxNesting = 256;

constexpr std::string_view kTypeNames[] = {"string", "integer", "number", "boolean",
                                           "null",   "array",   "object"};

Status JsonError(std::string_view text, size_t offset, std::string_view reason) {
  auto [line, column] = LineColumn(text, offset);
  return InvalidArgument(
      fmt::format("invalid JSON at line {}, column {}: {}", line, column, reason));
}

Result<Json> ParseJson(std::string_view text) {
  if (std::optional<size_t> at = NestingDeeperThan(text, kMaxNesting)) {
    return JsonError(text, *at,
                     fmt::format("arrays and objects nested more than {} deep", kMaxNesting));
  }
  try {
    return Json::parse(text.begin(), text.end());
  } catch (const Json::parse_error& e) {
    // nlohmann's message starts "[json.exception.parse_error.101] parse error at line L,
    // column C: "; keep what follows.
    std::string what = e.what();
    const size_t colon = what.find(": ", what.find("column"));
    return JsonError(text, e.byte == 0 ? 0 : e.byte - 1,
                     colon == std::string::npos ? what : what.substr(colon + 2));
  } catch (const Json::exception& e) {
    // A number beyond a double's range (1e999) is out_of_range.406, without a position: point
    // at the literal the message quotes.
    std::string what = e.what();
    size_t offset = 0;
    const size_t open = what.find('\''), close = what.rfind('\'');
    if (open != std::string::npos && close > open) {
      const size_t found = text.find(std::string_view(what).substr(open + 1, close - open - 1));
      if (found != std::string_view::npos) offset = found;
    }
    const size_t bracket = what.find("] ");
    return JsonError(text, offset, bracket == std::string::npos ? what : what.substr(bracket + 2));
  }
}

// Checks the shapes of the keywords the differ reads, at every schema of the document (and at
// every location a "$ref" points to), so that a bad document is refused here with the JSON
// Pointer of the culprit rather than compared oddly later. Unknown keywords are allowed, as
// draft-07 allows them.
class ShapeChecker {
 public:
  explicit ShapeChecker(const Json& root) : root_(root) {
    const Json* dialect = root.is_object() && root.contains("$schema") ? &root["$schema"] : nullptr;
    draft4_ = dialect != nullptr && dialect->is_string() &&
              dialect->get_ref<const std::string&>().find("draft-04") != std::string::npos;
  }

  Status Check() {
    if (!root_.is_object() && !root_.is_boolean()) {
      return InvalidArgument(
          fmt::format("invalid JSON Schema: the document is {} {}, not an "
                      "object or a boolean",
                      root_.is_array() ? "an" : "a", root_.type_name()));
    }
    checked_.insert("");
    RETURN_IF_ERROR(CheckSchema(root_, ""));
    // References, including those found inside the locations they point to.
    for (size_t i = 0; i < refs_.size(); ++i) {
      const auto [ref, at] = refs_[i];
      std::string pointer;
      const Json* target = json_diff::ResolveReference(root_, ref, &pointer);
      if (target == nullptr) {
        return Bad(at, fmt::format("\"$ref\" \"{}\" does not point into this document (only "
                                   "\"#\", \"#/json/pointer\" and \"#name\" are supported)",
                                   ref));
      }
      if (checked_.insert(pointer).second) RETURN_IF_ERROR(CheckSchema(*target, pointer));
    }
    return Status::Ok();
  }

 private:
  static Status Bad(const std::string& at, std::string_view what) {
    return InvalidArgument(fmt::format("invalid JSON Schema at #{}: {}", at, what));
  }

  Status CheckSchema(const Json& j, const std::string& at) {
    if (j.is_boolean()) return Status::Ok();
    if (!j.is_object()) return Bad(at, "a schema must be an object or a boolean");
    const bool is_ref = j.contains("$ref");
    for (auto it = j.begin(); it != j.end(); ++it) {
      const std::string& key = it.key();
      // Draft-07 ignores the siblings of "$ref" (bar annotations and definitions).
      if (is_ref && key != "$ref" && key != "definitions" && key != "$defs") continue;
      RETURN_IF_ERROR(CheckKeyword(key, it.value(), at + "/" + EscapePointerToken(key)));
    }
    return Status::Ok();
  }

  Status CheckKeyword(const std::string& key, const Json& v, const std::string& at) {
    auto is = [&](std::initializer_list<std::string_view> names) {
      return std::find(names.begin(), names.end(), key) != names.end();
    };
    if (is({"$id", "$schema", "$ref", "$comment", "title", "description", "pattern", "format"})) {
      if (!v.is_string()) return Bad(at, fmt::format("\"{}\" must be a string", key));
      if (key == "$ref") refs_.emplace_back(v.get<std::string>(), at);
    } else if (key == "type") {
      return CheckType(v, at);
    } else if (key == "enum") {
      if (!v.is_array()) return Bad(at, "\"enum\" must be an array");
    } else if (key == "required") {
      if (!v.is_array() ||
          !std::all_of(v.begin(), v.end(), [](const Json& n) { return n.is_string(); })) {
        return Bad(at, "\"required\" must be an array of strings");
      }
    } else if (is({"properties", "patternProperties", "definitions", "$defs"})) {
      if (!v.is_object()) return Bad(at, fmt::format("\"{}\" must be an object", key));
      for (auto it = v.begin(); it != v.end(); ++it) {
        RETURN_IF_ERROR(CheckSchema(it.value(), at + "/" + EscapePointerToken(it.key())));
      }
    } else if (key == "dependencies") {
      if (!v.is_object()) return Bad(at, "\"dependencies\" must be an object");
      for (auto it = v.begin(); it != v.end(); ++it) {
        const std::string here = at + "/" + EscapePointerToken(it.key());
        if (!it.value().is_array()) {
          RETURN_IF_ERROR(CheckSchema(it.value(), here));
        } else if (!std::all_of(it.value().begin(), it.value().end(),
                                [](const Json& n) { return n.is_string(); })) {
          return Bad(here, "a property dependency must be an array of strings or a schema");
        }
      }
    } else if (is({"additionalProperties", "additionalItems", "not", "if", "then", "else",
                   "contains", "propertyNames"})) {
      return CheckSchema(v, at);
    } else if (key == "items") {
      if (!v.is_array()) return CheckSchema(v, at);
      for (size_t i = 0; i < v.size(); ++i) {
        RETURN_IF_ERROR(CheckSchema(v[i], fmt::format("{}/{}", at, i)));
      }
    } else if (is({"allOf", "anyOf", "oneOf"})) {
      if (!v.is_array() || v.empty()) {
        return Bad(at, fmt::format("\"{}\" must be a non-empty array of schemas", key));
      }
      for (size_t i = 0; i < v.size(); ++i) {
        RETURN_IF_ERROR(CheckSchema(v[i], fmt::format("{}/{}", at, i)));
      }
    } else if (is({"minimum", "maximum"})) {
      if (!v.is_number()) return Bad(at, fmt::format("\"{}\" must be a number", key));
    } else if (key == "multipleOf") {
      if (!v.is_number() || v.get<double>() <= 0) {
        return Bad(at, "\"multipleOf\" must be a number greater than 0");
      }
    } else if (is({"exclusiveMinimum", "exclusiveMaximum"})) {
      if (!v.is_number() && !(draft4_ && v.is_boolean())) {
        return Bad(at, fmt::format("\"{}\" must be a number", key));
      }
    } else if (is({"minLength", "maxLength", "minItems", "maxItems", "minProperties",
                   "maxProperties"})) {
      bool integral = v.is_number_unsigned();
      if (v.is_number_integer() && !v.is_number_unsigned()) integral = v.get<int64_t>() >= 0;
      if (v.is_number_float()) {
        const double d = v.get<double>();
        integral = d >= 0 && d == std::floor(d);
      }
      if (!integral) return Bad(at, fmt::format("\"{}\" must be a non-negative integer", key));
    } else if (key == "uniqueItems") {
      if (!v.is_boolean()) return Bad(at, "\"uniqueItems\" must be a boolean");
    }
    return Status::Ok();
  }

  static Status CheckType(const Json& v, const std::string& at) {
    auto known = [](const Json& t) {
      return t.is_string() && std::find(std::begin(kTypeNames), std::end(kTypeNames),
                                        t.get_ref<const std::string&>()) != std::end(kTypeNames);
    };
    constexpr std::string_view kExpected =
        "\"type\" must be one of string, integer, number, boolean, null, array, object, or a "
        "non-empty array of distinct ones";
    if (v.is_string()) {
      if (!known(v))
        return Bad(at, fmt::format("unknown type \"{}\": {}", v.get<std::string>(), kExpected));
      return Status::Ok();
    }
    if (!v.is_array() || v.empty()) return Bad(at, kExpected);
    std::set<std::string> seen;
    for (const Json& t : v) {
      if (!known(t) || !seen.insert(t.get<std::string>()).second) return Bad(at, kExpected);
    }
    return Status::Ok();
  }

  const Json& root_;
  bool draft4_ = false;  // "$schema" names draft-04: boolean exclusiveMinimum/Maximum
  std::vector<std::pair<std::string, std::string>> refs_;  // value, where
  std::set<std::string> checked_;                          // JSON Pointers already checked
};

Result<Json> ParseSchema(std::string_view text) {
  ASSIGN_OR_RETURN(Json root, ParseJson(text));
  RETURN_IF_ERROR(ShapeChecker(root).Check());
  return root;
}

}  // namespace

Result<std::string> CanonicalJsonSchema(std::string_view text) {
  ASSIGN_OR_RETURN(Json root, ParseSchema(text));
  return root.dump();
}

std::vector<std::string> JsonSchemaBackwardIncompatibilities(std::string_view original,
                                                             std::string_view update,
                                                             CompatibilityPolicy policy) {
  Result<Json> o = ParseSchema(original);
  Result<Json> u = ParseSchema(update);
  if (!o.ok() || !u.ok()) {
    // Callers check both with CanonicalJsonSchema first; refuse rather than guess.
    return {
        fmt::format("{{errorType:\"INVALID_SCHEMA\", description:\"The {} schema is not valid: "
                    "{}\"}}",
                    o.ok() ? "new" : "old", (o.ok() ? u : o).status().message())};
  }
  std::vector<json_diff::Difference> differences;
  try {
    differences = json_diff::DiffSchemas(*o, *u, policy);
  } catch (const std::exception& e) {  // a bug: say so rather than let it cross the library
    return {fmt::format("{{errorType:\"INTERNAL_ERROR\", description:\"{}\"}}", e.what())};
  }
  std::vector<std::string> messages;
  for (const json_diff::Difference& d : differences) {
    if (json_diff::IsIncompatible(d, policy)) messages.push_back(json_diff::DifferenceMessage(d));
  }
  return messages;
}

}  // namespace assay::schema
