#include "schema/json_schema_diff.h"

#include <fmt/format.h>
#include <re2/re2.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "schema/json_text.h"

namespace assay::schema::json_diff {
namespace {

using Json = nlohmann::ordered_json;
using DT = DifferenceType;

struct TypeInfo {
  DifferenceType type;
  std::string_view name;
  bool compatible;  // in Confluent's SchemaDiff.COMPATIBLE_CHANGES
};

constexpr TypeInfo kTypes[] = {
    {DT::kIdChanged, "ID_CHANGED", true},
    {DT::kDescriptionChanged, "DESCRIPTION_CHANGED", true},
    {DT::kTitleChanged, "TITLE_CHANGED", true},
    {DT::kDefaultChanged, "DEFAULT_CHANGED", true},
    {DT::kSchemaAdded, "SCHEMA_ADDED", false},
    {DT::kSchemaRemoved, "SCHEMA_REMOVED", true},
    {DT::kTypeExtended, "TYPE_EXTENDED", true},
    {DT::kTypeNarrowed, "TYPE_NARROWED", false},
    {DT::kTypeChanged, "TYPE_CHANGED", false},
    {DT::kMaxLengthAdded, "MAX_LENGTH_ADDED", false},
    {DT::kMaxLengthRemoved, "MAX_LENGTH_REMOVED", true},
    {DT::kMaxLengthIncreased, "MAX_LENGTH_INCREASED", true},
    {DT::kMaxLengthDecreased, "MAX_LENGTH_DECREASED", false},
    {DT::kMinLengthAdded, "MIN_LENGTH_ADDED", false},
    {DT::kMinLengthRemoved, "MIN_LENGTH_REMOVED", true},
    {DT::kMinLengthIncreased, "MIN_LENGTH_INCREASED", false},
    {DT::kMinLengthDecreased, "MIN_LENGTH_DECREASED", true},
    {DT::kPatternAdded, "PATTERN_ADDED", false},
    {DT::kPatternRemoved, "PATTERN_REMOVED", true},
    {DT::kPatternChanged, "PATTERN_CHANGED", false},
    {DT::kMaximumAdded, "MAXIMUM_ADDED", false},
    {DT::kMaximumRemoved, "MAXIMUM_REMOVED", true},
    {DT::kMaximumIncreased, "MAXIMUM_INCREASED", true},
    {DT::kMaximumDecreased, "MAXIMUM_DECREASED", false},
    {DT::kMinimumAdded, "MINIMUM_ADDED", false},
    {DT::kMinimumRemoved, "MINIMUM_REMOVED", true},
    {DT::kMinimumIncreased, "MINIMUM_INCREASED", false},
    {DT::kMinimumDecreased, "MINIMUM_DECREASED", true},
    {DT::kExclusiveMaximumAdded, "EXCLUSIVE_MAXIMUM_ADDED", false},
    {DT::kExclusiveMaximumRemoved, "EXCLUSIVE_MAXIMUM_REMOVED", true},
    {DT::kExclusiveMaximumIncreased, "EXCLUSIVE_MAXIMUM_INCREASED", true},
    {DT::kExclusiveMaximumDecreased, "EXCLUSIVE_MAXIMUM_DECREASED", false},
    {DT::kExclusiveMinimumAdded, "EXCLUSIVE_MINIMUM_ADDED", false},
    {DT::kExclusiveMinimumRemoved, "EXCLUSIVE_MINIMUM_REMOVED", true},
    {DT::kExclusiveMinimumIncreased, "EXCLUSIVE_MINIMUM_INCREASED", false},
    {DT::kExclusiveMinimumDecreased, "EXCLUSIVE_MINIMUM_DECREASED", true},
    {DT::kMultipleOfAdded, "MULTIPLE_OF_ADDED", false},
    {DT::kMultipleOfRemoved, "MULTIPLE_OF_REMOVED", true},
    {DT::kMultipleOfExpanded, "MULTIPLE_OF_EXPANDED", false},
    {DT::kMultipleOfReduced, "MULTIPLE_OF_REDUCED", true},
    {DT::kMultipleOfChanged, "MULTIPLE_OF_CHANGED", false},
    {DT::kRequiredAttributeAdded, "REQUIRED_ATTRIBUTE_ADDED", false},
    {DT::kRequiredAttributeWithDefaultAdded, "REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED", true},
    {DT::kRequiredAttributeRemoved, "REQUIRED_ATTRIBUTE_REMOVED", true},
    {DT::kMaxPropertiesAdded, "MAX_PROPERTIES_ADDED", false},
    {DT::kMaxPropertiesRemoved, "MAX_PROPERTIES_REMOVED", true},
    {DT::kMaxPropertiesIncreased, "MAX_PROPERTIES_INCREASED", true},
    {DT::kMaxPropertiesDecreased, "MAX_PROPERTIES_DECREASED", false},
    {DT::kMinPropertiesAdded, "MIN_PROPERTIES_ADDED", false},
    {DT::kMinPropertiesRemoved, "MIN_PROPERTIES_REMOVED", true},
    {DT::kMinPropertiesIncreased, "MIN_PROPERTIES_INCREASED", false},
    {DT::kMinPropertiesDecreased, "MIN_PROPERTIES_DECREASED", true},
    {DT::kAdditionalPropertiesAdded, "ADDITIONAL_PROPERTIES_ADDED", true},
    {DT::kAdditionalPropertiesRemoved, "ADDITIONAL_PROPERTIES_REMOVED", false},
    {DT::kAdditionalPropertiesExtended, "ADDITIONAL_PROPERTIES_EXTENDED", true},
    {DT::kAdditionalPropertiesNarrowed, "ADDITIONAL_PROPERTIES_NARROWED", false},
    {DT::kDependencyArrayAdded, "DEPENDENCY_ARRAY_ADDED", false},
    {DT::kDependencyArrayRemoved, "DEPENDENCY_ARRAY_REMOVED", true},
    {DT::kDependencyArrayExtended, "DEPENDENCY_ARRAY_EXTENDED", false},
    {DT::kDependencyArrayNarrowed, "DEPENDENCY_ARRAY_NARROWED", true},
    {DT::kDependencyArrayChanged, "DEPENDENCY_ARRAY_CHANGED", false},
    {DT::kDependencySchemaAdded, "DEPENDENCY_SCHEMA_ADDED", false},
    {DT::kDependencySchemaRemoved, "DEPENDENCY_SCHEMA_REMOVED", true},
    {DT::kPropertyAddedToOpenContentModel, "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL", false},
    {DT::kPropertyWithEmptySchemaAddedToOpenContentModel,
     "PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL", true},
    {DT::kRequiredPropertyAddedToUnopenContentModel,
     "REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", false},
    {DT::kRequiredPropertyWithDefaultAddedToUnopenContentModel,
     "REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL", true},
    {DT::kOptionalPropertyAddedToUnopenContentModel,
     "OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL", true},
    {DT::kPropertyRemovedFromOpenContentModel, "PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL", true},
    {DT::kPropertyWithFalseRemovedFromClosedContentModel,
     "PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL", true},
    {DT::kPropertyRemovedFromClosedContentModel, "PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL",
     false},
    {DT::kPropertyRemovedIsCoveredByPartiallyOpenContentModel,
     "PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", true},
    {DT::kPropertyRemovedNotCoveredByPartiallyOpenContentModel,
     "PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", false},
    {DT::kPropertyAddedIsCoveredByPartiallyOpenContentModel,
     "PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", true},
    {DT::kPropertyAddedNotCoveredByPartiallyOpenContentModel,
     "PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", false},
    {DT::kMaxItemsAdded, "MAX_ITEMS_ADDED", false},
    {DT::kMaxItemsRemoved, "MAX_ITEMS_REMOVED", true},
    {DT::kMaxItemsIncreased, "MAX_ITEMS_INCREASED", true},
    {DT::kMaxItemsDecreased, "MAX_ITEMS_DECREASED", false},
    {DT::kMinItemsAdded, "MIN_ITEMS_ADDED", false},
    {DT::kMinItemsRemoved, "MIN_ITEMS_REMOVED", true},
    {DT::kMinItemsIncreased, "MIN_ITEMS_INCREASED", false},
    {DT::kMinItemsDecreased, "MIN_ITEMS_DECREASED", true},
    {DT::kUniqueItemsAdded, "UNIQUE_ITEMS_ADDED", false},
    {DT::kUniqueItemsRemoved, "UNIQUE_ITEMS_REMOVED", true},
    {DT::kAdditionalItemsAdded, "ADDITIONAL_ITEMS_ADDED", true},
    {DT::kAdditionalItemsRemoved, "ADDITIONAL_ITEMS_REMOVED", false},
    {DT::kAdditionalItemsExtended, "ADDITIONAL_ITEMS_EXTENDED", true},
    {DT::kAdditionalItemsNarrowed, "ADDITIONAL_ITEMS_NARROWED", false},
    {DT::kItemAddedToOpenContentModel, "ITEM_ADDED_TO_OPEN_CONTENT_MODEL", false},
    {DT::kItemWithEmptySchemaAddedToOpenContentModel,
     "ITEM_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL", true},
    {DT::kItemAddedToClosedContentModel, "ITEM_ADDED_TO_CLOSED_CONTENT_MODEL", true},
    {DT::kItemRemovedFromOpenContentModel, "ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL", true},
    {DT::kItemWithFalseRemovedFromClosedContentModel,
     "ITEM_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL", true},
    {DT::kItemRemovedFromClosedContentModel, "ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL", false},
    {DT::kItemRemovedIsCoveredByPartiallyOpenContentModel,
     "ITEM_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", true},
    {DT::kItemRemovedNotCoveredByPartiallyOpenContentModel,
     "ITEM_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", false},
    {DT::kItemAddedIsCoveredByPartiallyOpenContentModel,
     "ITEM_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", true},
    {DT::kItemAddedNotCoveredByPartiallyOpenContentModel,
     "ITEM_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL", false},
    {DT::kEnumArrayExtended, "ENUM_ARRAY_EXTENDED", true},
    {DT::kEnumArrayNarrowed, "ENUM_ARRAY_NARROWED", false},
    {DT::kEnumArrayChanged, "ENUM_ARRAY_CHANGED", false},
    {DT::kCombinedTypeExtended, "COMBINED_TYPE_EXTENDED", true},
    {DT::kCombinedTypeChanged, "COMBINED_TYPE_CHANGED", false},
    {DT::kProductTypeExtended, "PRODUCT_TYPE_EXTENDED", false},
    {DT::kProductTypeNarrowed, "PRODUCT_TYPE_NARROWED", true},
    {DT::kSumTypeExtended, "SUM_TYPE_EXTENDED", true},
    {DT::kSumTypeNarrowed, "SUM_TYPE_NARROWED", false},
    {DT::kCombinedTypeSubschemasChanged, "COMBINED_TYPE_SUBSCHEMAS_CHANGED", false},
    {DT::kNotTypeExtended, "NOT_TYPE_EXTENDED", false},
    {DT::kNotTypeNarrowed, "NOT_TYPE_NARROWED", true},
};

constexpr bool TableFollowsEnum() {
  for (int i = 0; i < kDifferenceTypeCount; ++i) {
    if (static_cast<int>(kTypes[i].type) != i) return false;
  }
  return true;
}
static_assert(std::size(kTypes) == kDifferenceTypeCount && TableFollowsEnum(),
              "kTypes lists every DifferenceType once, in enum order");

// ---------------------------------------------------------------------------------------------
// The schema model: what everit-json-schema (Confluent's loader) makes of a draft-07 document.

enum class Kind : uint8_t {
  kEmpty,  // {} and anything without a keyword everit loads
  kTrue,
  kFalse,
  kBoolean,
  kNull,
  kString,
  kNumber,  // "integer" too (requires_integer)
  kObject,
  kArray,
  kEnum,
  kConst,
  kNot,
  kCombined,
  kConditional,  // if/then/else: loaded, never compared
  kRef,
};

enum class Criterion : uint8_t { kAllOf, kAnyOf, kOneOf };

std::string_view CriterionName(Criterion c) {
  switch (c) {
    case Criterion::kAllOf: return "allOf";
    case Criterion::kAnyOf: return "anyOf";
    case Criterion::kOneOf: break;
  }
  return "oneOf";
}

struct Node {
  Kind kind = Kind::kEmpty;
  // Identity of a subschema when a combined schema's subschemas are deduplicated: the JSON it
  // was loaded from and which part of that JSON it is ("" for all of it).
  const Json* source = nullptr;
  std::string_view part;
  // Keywords everit keeps on the schema an object loads to (the synthetic allOf included).
  const Json* id = nullptr;
  const Json* title = nullptr;
  const Json* description = nullptr;
  const Json* default_value = nullptr;
  // String.
  const Json* max_length = nullptr;
  const Json* min_length = nullptr;
  const Json* pattern = nullptr;
  // Number.
  const Json* maximum = nullptr;
  const Json* minimum = nullptr;
  const Json* exclusive_maximum = nullptr;
  const Json* exclusive_minimum = nullptr;
  const Json* multiple_of = nullptr;
  bool requires_integer = false;
  // Object.
  std::vector<std::pair<std::string, const Node*>> properties;
  std::unordered_set<std::string> required;
  const Json* max_properties = nullptr;
  const Json* min_properties = nullptr;
  std::vector<std::pair<std::string, const Node*>> pattern_properties;
  std::vector<std::pair<std::string, std::set<std::string>>> property_dependencies;
  std::vector<std::pair<std::string, const Node*>> schema_dependencies;
  // Array.
  const Node* all_items = nullptr;
  std::vector<const Node*> item_tuple;
  const Json* max_items = nullptr;
  const Json* min_items = nullptr;
  bool unique_items = false;
  // Object (additionalProperties) or array (additionalItems): false, or a schema.
  bool permits_additional = true;
  const Node* additional = nullptr;
  // Enum values or the const value.
  const Json* values = nullptr;
  // not, allOf/anyOf/oneOf, $ref.
  const Node* negated = nullptr;
  Criterion criterion = Criterion::kAllOf;
  std::vector<const Node*> subschemas;
  const Node* target = nullptr;
};

constexpr std::string_view kStringKeywords[] = {"minLength", "maxLength", "pattern", "format"};
constexpr std::string_view kNumberKeywords[] = {"minimum", "maximum", "exclusiveMinimum",
                                                "exclusiveMaximum", "multipleOf"};
constexpr std::string_view kObjectKeywords[] = {
    "properties",   "required",          "minProperties",        "maxProperties",
    "dependencies", "patternProperties", "additionalProperties", "propertyNames"};
constexpr std::string_view kArrayKeywords[] = {"items",    "additionalItems", "minItems",
                                               "maxItems", "uniqueItems",     "contains"};

template <size_t N>
bool HasAny(const Json& j, const std::string_view (&keys)[N]) {
  return std::any_of(std::begin(keys), std::end(keys),
                     [&](std::string_view k) { return j.contains(k); });
}

const Json* Member(const Json& j, std::string_view key) {
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}
const Json* NumberMember(const Json& j, std::string_view key) {
  const Json* v = Member(j, key);
  return v != nullptr && v->is_number() ? v : nullptr;
}
const Json* StringMember(const Json& j, std::string_view key) {
  const Json* v = Member(j, key);
  return v != nullptr && v->is_string() ? v : nullptr;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    auto hex = [](char c) {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

const Json* ResolveReference(const Json& root, std::string_view ref, std::string* pointer) {
  std::string_view r = ref;
  if (const Json* id = root.is_object() ? StringMember(root, "$id") : nullptr) {
    std::string_view base = id->get_ref<const std::string&>();
    base = base.substr(0, base.find('#'));
    if (!base.empty() && r.size() > base.size() && r.substr(0, base.size()) == base &&
        r[base.size()] == '#') {
      r.remove_prefix(base.size());
    }
  }
  if (r.empty() || r[0] != '#') return nullptr;
  const std::string fragment = PercentDecode(r.substr(1));
  pointer->clear();
  if (fragment.empty()) return &root;
  if (fragment[0] != '/') {
    // A plain-name fragment: the subschema whose "$id" is "#name" (draft-07) or whose
    // "$anchor" is "name" (2019-09).
    std::vector<std::pair<const Json*, std::string>> stack{{&root, ""}};
    while (!stack.empty()) {
      auto [j, at] = std::move(stack.back());
      stack.pop_back();
      if (j->is_object()) {
        const Json* id = StringMember(*j, "$id");
        const Json* anchor = StringMember(*j, "$anchor");
        if ((id != nullptr && id->get_ref<const std::string&>() == "#" + fragment) ||
            (anchor != nullptr && anchor->get_ref<const std::string&>() == fragment)) {
          *pointer = at;
          return j;
        }
        for (auto it = j->begin(); it != j->end(); ++it) {
          stack.emplace_back(&*it, at + "/" + EscapePointerToken(it.key()));
        }
      } else if (j->is_array()) {
        for (size_t i = 0; i < j->size(); ++i) {
          stack.emplace_back(&(*j)[i], at + "/" + std::to_string(i));
        }
      }
    }
    return nullptr;
  }
  const Json* at = &root;
  size_t pos = 1;
  while (true) {
    const size_t slash = fragment.find('/', pos);
    std::string token = fragment.substr(pos, slash == std::string::npos ? slash : slash - pos);
    std::string unescaped;
    for (size_t i = 0; i < token.size(); ++i) {
      if (token[i] == '~' && i + 1 < token.size() && (token[i + 1] == '0' || token[i + 1] == '1')) {
        unescaped += token[i + 1] == '0' ? '~' : '/';
        ++i;
      } else {
        unescaped += token[i];
      }
    }
    if (at->is_object()) {
      at = Member(*at, unescaped);
    } else if (at->is_array()) {
      if (unescaped.empty() || unescaped.size() > 9 ||
          !std::all_of(unescaped.begin(), unescaped.end(),
                       [](char c) { return c >= '0' && c <= '9'; })) {
        return nullptr;
      }
      const size_t index = std::stoul(unescaped);
      at = index < at->size() ? &(*at)[index] : nullptr;
    } else {
      at = nullptr;
    }
    if (at == nullptr) return nullptr;
    *pointer += "/" + EscapePointerToken(unescaped);
    if (slash == std::string::npos) return at;
    pos = slash + 1;
  }
}

namespace {

// Loads a document the way everit does: every JSON location that is a schema becomes one Node
// (memoised by its JSON Pointer, so that "$ref"s to it share it and cycles close).
class Model {
 public:
  explicit Model(const Json& root) : root_json_(root) {
    root_ = Load(root, "");
    while (!pending_refs_.empty()) {
      auto [node, ref] = std::move(pending_refs_.back());
      pending_refs_.pop_back();
      std::string pointer;
      const Json* target = ResolveReference(root_json_, ref, &pointer);
      node->target = target == nullptr ? nullptr : Load(*target, pointer);
    }
  }
  const Node* root() const { return root_; }

 private:
  Node* New(Kind kind, const Json& source, std::string_view part) {
    Node& n = nodes_.emplace_back();
    n.kind = kind;
    n.source = &source;
    n.part = part;
    return &n;
  }

  const Node* Load(const Json& j, const std::string& pointer) {
    if (auto it = by_pointer_.find(pointer); it != by_pointer_.end()) return it->second;
    Node* node = nullptr;
    if (j.is_boolean()) {
      node = New(j.get<bool>() ? Kind::kTrue : Kind::kFalse, j, "");
    } else if (!j.is_object()) {
      node = New(Kind::kEmpty, j, "");
    } else {
      node = LoadObject(j, pointer);
    }
    by_pointer_.emplace(pointer, node);
    return node;
  }

  Node* LoadObject(const Json& j, const std::string& at) {
    Node* node = nullptr;
    if (const Json* ref = StringMember(j, "$ref")) {
      // Draft-07: "$ref" replaces its siblings (only the annotations stay, "default" included).
      node = New(Kind::kRef, j, "");
      pending_refs_.emplace_back(node, ref->get<std::string>());
    } else {
      std::vector<Node*> parts;
      if (const Json* e = Member(j, "enum"); e != nullptr && e->is_array()) {
        parts.push_back(New(Kind::kEnum, j, "enum"));
        parts.back()->values = e;
      }
      for (Criterion c : {Criterion::kAllOf, Criterion::kAnyOf, Criterion::kOneOf}) {
        const Json* list = Member(j, CriterionName(c));
        if (list == nullptr || !list->is_array()) continue;
        Node* combined = New(Kind::kCombined, j, CriterionName(c));
        combined->criterion = c;
        for (size_t i = 0; i < list->size(); ++i) {
          combined->subschemas.push_back(
              Load((*list)[i], fmt::format("{}/{}/{}", at, CriterionName(c), i)));
        }
        parts.push_back(combined);
      }
      if (const Json* negated = Member(j, "not")) {
        parts.push_back(New(Kind::kNot, j, "not"));
        parts.back()->negated = Load(*negated, at + "/not");
      }
      if (const Json* value = Member(j, "const")) {
        parts.push_back(New(Kind::kConst, j, "const"));
        parts.back()->values = value;
      }
      Consumed consumed;
      if (const Json* type = Member(j, "type")) {
        if (type->is_string()) {
          parts.push_back(LoadTyped(type->get_ref<const std::string&>(), j, at, &consumed));
        } else if (type->is_array()) {
          Node* any = New(Kind::kCombined, j, "type");
          any->criterion = Criterion::kAnyOf;
          for (const Json& t : *type) {
            if (t.is_string()) {
              any->subschemas.push_back(
                  LoadTyped(t.get_ref<const std::string&>(), j, at, &consumed));
            }
          }
          parts.push_back(any);
        }
      }
      // Keywords of a type "type" did not name still load a schema of that type (everit's
      // property sniffing), which the instance must match if it is of that type.
      if (!consumed.array && HasAny(j, kArrayKeywords)) {
        parts.push_back(LoadArray(New(Kind::kArray, j, "array"), j, at));
      }
      if (!consumed.object && HasAny(j, kObjectKeywords)) {
        parts.push_back(LoadObjectKeywords(New(Kind::kObject, j, "object"), j, at));
      }
      if (!consumed.number && HasAny(j, kNumberKeywords)) {
        parts.push_back(LoadNumber(New(Kind::kNumber, j, "number"), j));
      }
      if (!consumed.string && HasAny(j, kStringKeywords)) {
        parts.push_back(LoadString(New(Kind::kString, j, "string"), j));
      }
      if (j.contains("if") || j.contains("then") || j.contains("else")) {
        parts.push_back(New(Kind::kConditional, j, "if"));
      }
      if (parts.empty()) {
        node = New(Kind::kEmpty, j, "");
      } else if (parts.size() == 1) {
        node = parts[0];
        node->part = "";
      } else {
        node = New(Kind::kCombined, j, "");
        node->criterion = Criterion::kAllOf;
        node->subschemas.assign(parts.begin(), parts.end());
      }
    }
    node->id = StringMember(j, "$id");
    node->title = StringMember(j, "title");
    node->description = StringMember(j, "description");
    node->default_value = Member(j, "default");
    return node;
  }

  struct Consumed {
    bool string = false, number = false, object = false, array = false;
  };

  Node* LoadTyped(const std::string& type, const Json& j, const std::string& at, Consumed* c) {
    if (type == "string") {
      c->string = true;
      return LoadString(New(Kind::kString, j, "type:string"), j);
    }
    if (type == "integer" || type == "number") {
      c->number = true;
      Node* n =
          LoadNumber(New(Kind::kNumber, j, type == "integer" ? "type:integer" : "type:number"), j);
      n->requires_integer = type == "integer";
      return n;
    }
    if (type == "object") {
      c->object = true;
      return LoadObjectKeywords(New(Kind::kObject, j, "type:object"), j, at);
    }
    if (type == "array") {
      c->array = true;
      return LoadArray(New(Kind::kArray, j, "type:array"), j, at);
    }
    if (type == "boolean") return New(Kind::kBoolean, j, "type:boolean");
    if (type == "null") return New(Kind::kNull, j, "type:null");
    return New(Kind::kEmpty, j, "type:unknown");
  }

  static Node* LoadString(Node* n, const Json& j) {
    n->max_length = NumberMember(j, "maxLength");
    n->min_length = NumberMember(j, "minLength");
    n->pattern = StringMember(j, "pattern");
    return n;
  }

  static Node* LoadNumber(Node* n, const Json& j) {
    n->maximum = NumberMember(j, "maximum");
    n->minimum = NumberMember(j, "minimum");
    // Draft-04's boolean exclusiveMaximum/exclusiveMinimum only flag maximum/minimum, and
    // Confluent compares neither flag.
    n->exclusive_maximum = NumberMember(j, "exclusiveMaximum");
    n->exclusive_minimum = NumberMember(j, "exclusiveMinimum");
    n->multiple_of = NumberMember(j, "multipleOf");
    return n;
  }

  Node* LoadObjectKeywords(Node* n, const Json& j, const std::string& at) {
    if (const Json* p = Member(j, "properties"); p != nullptr && p->is_object()) {
      for (auto it = p->begin(); it != p->end(); ++it) {
        n->properties.emplace_back(
            it.key(), Load(it.value(), at + "/properties/" + EscapePointerToken(it.key())));
      }
    }
    if (const Json* r = Member(j, "required"); r != nullptr && r->is_array()) {
      for (const Json& name : *r) {
        if (name.is_string()) n->required.insert(name.get<std::string>());
      }
    }
    n->max_properties = NumberMember(j, "maxProperties");
    n->min_properties = NumberMember(j, "minProperties");
    if (const Json* d = Member(j, "dependencies"); d != nullptr && d->is_object()) {
      for (auto it = d->begin(); it != d->end(); ++it) {
        if (it.value().is_array()) {
          std::set<std::string> names;
          for (const Json& name : it.value()) {
            if (name.is_string()) names.insert(name.get<std::string>());
          }
          n->property_dependencies.emplace_back(it.key(), std::move(names));
        } else {
          n->schema_dependencies.emplace_back(
              it.key(), Load(it.value(), at + "/dependencies/" + EscapePointerToken(it.key())));
        }
      }
    }
    if (const Json* pp = Member(j, "patternProperties"); pp != nullptr && pp->is_object()) {
      for (auto it = pp->begin(); it != pp->end(); ++it) {
        n->pattern_properties.emplace_back(
            it.key(), Load(it.value(), at + "/patternProperties/" + EscapePointerToken(it.key())));
      }
    }
    LoadAdditional(n, j, "additionalProperties", at);
    return n;
  }

  Node* LoadArray(Node* n, const Json& j, const std::string& at) {
    if (const Json* items = Member(j, "items")) {
      if (items->is_array()) {
        for (size_t i = 0; i < items->size(); ++i) {
          n->item_tuple.push_back(Load((*items)[i], fmt::format("{}/items/{}", at, i)));
        }
      } else {
        n->all_items = Load(*items, at + "/items");
      }
    }
    n->max_items = NumberMember(j, "maxItems");
    n->min_items = NumberMember(j, "minItems");
    const Json* unique = Member(j, "uniqueItems");
    n->unique_items = unique != nullptr && unique->is_boolean() && unique->get<bool>();
    LoadAdditional(n, j, "additionalItems", at);
    return n;
  }

  void LoadAdditional(Node* n, const Json& j, std::string_view keyword, const std::string& at) {
    const Json* a = Member(j, keyword);
    if (a == nullptr) return;
    if (a->is_boolean()) {
      n->permits_additional = a->get<bool>();
    } else if (a->is_object()) {
      n->additional = Load(*a, at + "/" + std::string(keyword));
    }
  }

  const Json& root_json_;
  const Node* root_ = nullptr;
  std::deque<Node> nodes_;  // a deque: Node pointers stay valid as it grows
  std::unordered_map<std::string, const Node*> by_pointer_;
  std::vector<std::pair<Node*, std::string>> pending_refs_;
};

const Node& EmptyNode() {
  static const Node node{};
  return node;
}

// Follows "$ref"s; one that leads nowhere (or round in a circle of refs) accepts anything.
const Node* Resolve(const Node* n) {
  for (int hops = 0; n != nullptr && n->kind == Kind::kRef; ++hops) {
    if (hops == 64) return &EmptyNode();
    n = n->target;
  }
  return n == nullptr ? &EmptyNode() : n;
}

bool IsEmptyClass(Kind k) { return k == Kind::kEmpty || k == Kind::kTrue; }

bool SameClass(Kind a, Kind b) { return a == b || (IsEmptyClass(a) && IsEmptyClass(b)); }

// Values compared as Java compares them: 1 and 1.0 differ, object key order does not matter.
std::string ValueKey(const Json& v) { return nlohmann::json(v).dump(); }

bool SameValue(const Json* a, const Json* b) {
  if (a == nullptr || b == nullptr) return a == b;
  return ValueKey(*a) == ValueKey(*b);
}

// A JSON number as mantissa * 10^exponent, exactly as written (after nlohmann's shortest
// round-trip printing of doubles); nullopt when it does not fit.
std::optional<std::pair<__int128, int>> ToDecimal(const Json& n) {
  if (n.is_number_unsigned()) return std::pair<__int128, int>(n.get<uint64_t>(), 0);
  if (n.is_number_integer()) return std::pair<__int128, int>(n.get<int64_t>(), 0);
  const std::string text = n.dump();
  __int128 mantissa = 0;
  int exponent = 0, digits = 0;
  size_t i = 0;
  const bool negative = !text.empty() && text[0] == '-';
  if (negative) ++i;
  bool fraction = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.') {
      fraction = true;
    } else if (c >= '0' && c <= '9') {
      if (++digits > 30) return std::nullopt;
      mantissa = mantissa * 10 + (c - '0');
      if (fraction) --exponent;
    } else if (c == 'e' || c == 'E') {
      exponent += std::atoi(text.c_str() + i + 1);
      break;
    } else {
      return std::nullopt;
    }
  }
  return std::pair<__int128, int>(negative ? -mantissa : mantissa, exponent);
}

// Compares multipleOf values exactly: 0 when equal, 1 when `update` is a multiple of
// `original`, 2 when `original` is a multiple of `update`, 3 otherwise.
int CompareMultipleOf(const Json& original, const Json& update) {
  auto a = ToDecimal(original), b = ToDecimal(update);
  if (a && b && std::abs(a->second - b->second) <= 30) {
    const int exponent = std::min(a->second, b->second);
    constexpr __int128 kLimit = __int128{1} << 120;
    __int128 x = a->first, y = b->first;
    bool fits = true;
    for (int e = a->second; e > exponent && fits; --e) {
      x *= 10;
      fits = x < kLimit;
    }
    for (int e = b->second; e > exponent && fits; --e) {
      y *= 10;
      fits = y < kLimit;
    }
    if (fits && x != 0 && y != 0) {
      if (x == y) return 0;
      if (y % x == 0) return 1;
      if (x % y == 0) return 2;
      return 3;
    }
  }
  const double x = original.get<double>(), y = update.get<double>();
  if (x == y) return 0;
  auto multiple = [](double big, double small) {
    if (small == 0) return false;
    const double r = big / small;
    return std::fabs(r - std::round(r)) <= 1e-9 * std::max(1.0, std::fabs(r));
  };
  if (multiple(y, x)) return 1;
  if (multiple(x, y)) return 2;
  return 3;
}

// A patternProperties key. RE2 where it can (linear time); JSON Schema patterns are ECMA-262,
// so one RE2 refuses (lookaround, backreferences) falls back to std::regex's ECMAScript grammar.
// Property names are short, so std::regex's backtracking stays cheap.
class Pattern {
 public:
  explicit Pattern(const std::string& text) {
    RE2::Options options;
    options.set_log_errors(false);
    re2_ = std::make_unique<RE2>(text, options);
    if (re2_->ok()) return;
    try {
      ecma_.emplace(text, std::regex::ECMAScript);
    } catch (const std::regex_error&) {  // matches nothing
    }
  }
  bool Search(const std::string& name) const {
    if (re2_->ok()) return RE2::PartialMatch(name, *re2_);
    if (!ecma_) return false;
    try {
      return std::regex_search(name, *ecma_);
    } catch (const std::regex_error&) {
      return false;
    }
  }

 private:
  std::unique_ptr<RE2> re2_;
  std::optional<std::regex> ecma_;
};

// ---------------------------------------------------------------------------------------------
// The differ: Confluent's SchemaDiff and its per-type diffs.

struct Ctx {
  std::vector<std::string> path;
  std::vector<Difference> diffs;
};

std::string PathString(const std::vector<std::string>& path) {
  std::string out = "#/";
  for (size_t i = 0; i < path.size(); ++i) {
    if (i > 0) out += '/';
    out += path[i];
  }
  return out;
}

// Deeper than this many schema pairs on the stack is treated like a "$ref" cycle: compatible.
constexpr size_t kMaxCompareDepth = 384;

class Differ {
 public:
  explicit Differ(CompatibilityPolicy policy) : policy_(policy) {}

  void Compare(Ctx& ctx, const Node* o, const Node* u) {
    if (o == nullptr && u == nullptr) return;
    if (o == nullptr) return Add(ctx, DT::kSchemaAdded);
    if (u == nullptr) return Add(ctx, DT::kSchemaRemoved);
    o = Resolve(o);
    u = Resolve(u);
    const auto key = std::make_pair(o, u);
    if (auto it = memo_.find(key); it != memo_.end()) return AppendRebased(ctx, it->second);
    // A pair already being compared further up is a recursion through "$ref": Confluent
    // treats it as compatible, and so does a runaway depth.
    if (in_progress_.size() >= kMaxCompareDepth || !in_progress_.insert(key).second) return;
    Ctx fresh;
    CompareResolved(fresh, o, u);
    in_progress_.erase(key);
    AppendRebased(ctx, memo_.emplace(key, std::move(fresh.diffs)).first->second);
  }

 private:
  bool Compatible(const Ctx& ctx) const {
    return std::none_of(ctx.diffs.begin(), ctx.diffs.end(),
                        [&](const Difference& d) { return IsIncompatible(d, policy_); });
  }
  static void Add(Ctx& ctx, DT type, bool lenient_accepts = false) {
    ctx.diffs.push_back({type, PathString(ctx.path), lenient_accepts});
  }
  static void AddAt(Ctx& ctx, std::string_view attribute, DT type) {
    ctx.path.emplace_back(attribute);
    Add(ctx, type);
    ctx.path.pop_back();
  }
  static Ctx Sub(const Ctx& ctx) { return Ctx{ctx.path, {}}; }
  static void Append(Ctx& ctx, Ctx& sub) {
    for (Difference& d : sub.diffs) ctx.diffs.push_back(std::move(d));
  }
  // Differences found relative to a pair ("#/x") moved under the current path.
  static void AppendRebased(Ctx& ctx, const std::vector<Difference>& relative) {
    const std::string prefix = PathString(ctx.path);
    for (const Difference& d : relative) {
      const std::string_view rest = std::string_view(d.json_path).substr(2);
      std::string path = prefix;
      if (!rest.empty()) {
        if (!ctx.path.empty()) path += '/';
        path += rest;
      }
      ctx.diffs.push_back({d.type, std::move(path), d.lenient_accepts});
    }
  }

  void CompareResolved(Ctx& ctx, const Node* o, const Node* u) {
    const bool o_combined = o->kind == Kind::kCombined, u_combined = u->kind == Kind::kCombined;
    if (!o_combined && u_combined) {
      if (u->subschemas.size() == 1) {
        Ctx sub = Sub(ctx);
        Compare(sub, o, u->subschemas[0]);
        if (Compatible(sub)) return Append(ctx, sub);
      } else if (u->criterion != Criterion::kAllOf) {
        for (const Node* s : u->subschemas) {
          Ctx sub = Sub(ctx);
          Compare(sub, o, s);
          if (Compatible(sub)) {
            Append(ctx, sub);
            return Add(ctx, DT::kSumTypeExtended);
          }
        }
      }
    } else if (o_combined && !u_combined) {
      if (o->subschemas.size() == 1) {
        Ctx sub = Sub(ctx);
        Compare(sub, o->subschemas[0], u);
        if (Compatible(sub)) return Append(ctx, sub);
      } else if (o->criterion == Criterion::kAllOf) {
        for (const Node* s : o->subschemas) {
          Ctx sub = Sub(ctx);
          Compare(sub, s, u);
          if (Compatible(sub)) {
            Append(ctx, sub);
            return Add(ctx, DT::kProductTypeNarrowed);
          }
        }
      }
    }
    if (!SameClass(o->kind, u->kind)) {
      // false accepts nothing and {} / true everything: either way the change is safe.
      if (o->kind == Kind::kFalse || IsEmptyClass(u->kind)) return;
      return Add(ctx, DT::kTypeChanged);
    }
    if (!SameValue(o->id, u->id)) Add(ctx, DT::kIdChanged);
    if (!SameValue(o->title, u->title)) Add(ctx, DT::kTitleChanged);
    if (!SameValue(o->description, u->description)) Add(ctx, DT::kDescriptionChanged);
    if (!SameValue(o->default_value, u->default_value)) Add(ctx, DT::kDefaultChanged);
    switch (o->kind) {
      case Kind::kString: return CompareString(ctx, o, u);
      case Kind::kNumber: return CompareNumber(ctx, o, u);
      case Kind::kConst:
        if (!SameValue(o->values, u->values)) AddAt(ctx, "const", DT::kEnumArrayChanged);
        return;
      case Kind::kEnum: return CompareEnum(ctx, o, u);
      case Kind::kCombined: return CompareCombined(ctx, o, u);
      case Kind::kNot: return CompareNot(ctx, o, u);
      case Kind::kObject: return CompareObject(ctx, o, u);
      case Kind::kArray: return CompareArray(ctx, o, u);
      default: return;
    }
  }

  // The four outcomes of a numeric limit: added, removed, raised, lowered.
  static void CompareLimit(Ctx& ctx, std::string_view attribute, const Json* o, const Json* u,
                           DT added, DT removed, DT increased, DT decreased) {
    if (o == nullptr && u == nullptr) return;
    if (o == nullptr) return AddAt(ctx, attribute, added);
    if (u == nullptr) return AddAt(ctx, attribute, removed);
    const double a = o->get<double>(), b = u->get<double>();
    if (a < b) AddAt(ctx, attribute, increased);
    if (a > b) AddAt(ctx, attribute, decreased);
  }

  static void CompareString(Ctx& ctx, const Node* o, const Node* u) {
    CompareLimit(ctx, "maxLength", o->max_length, u->max_length, DT::kMaxLengthAdded,
                 DT::kMaxLengthRemoved, DT::kMaxLengthIncreased, DT::kMaxLengthDecreased);
    CompareLimit(ctx, "minLength", o->min_length, u->min_length, DT::kMinLengthAdded,
                 DT::kMinLengthRemoved, DT::kMinLengthIncreased, DT::kMinLengthDecreased);
    if (o->pattern == nullptr && u->pattern != nullptr) AddAt(ctx, "pattern", DT::kPatternAdded);
    if (o->pattern != nullptr && u->pattern == nullptr) AddAt(ctx, "pattern", DT::kPatternRemoved);
    if (o->pattern != nullptr && u->pattern != nullptr && *o->pattern != *u->pattern) {
      AddAt(ctx, "pattern", DT::kPatternChanged);  // any textual change, even a loosening
    }
  }

  static void CompareNumber(Ctx& ctx, const Node* o, const Node* u) {
    CompareLimit(ctx, "maximum", o->maximum, u->maximum, DT::kMaximumAdded, DT::kMaximumRemoved,
                 DT::kMaximumIncreased, DT::kMaximumDecreased);
    CompareLimit(ctx, "minimum", o->minimum, u->minimum, DT::kMinimumAdded, DT::kMinimumRemoved,
                 DT::kMinimumIncreased, DT::kMinimumDecreased);
    CompareLimit(ctx, "exclusiveMaximum", o->exclusive_maximum, u->exclusive_maximum,
                 DT::kExclusiveMaximumAdded, DT::kExclusiveMaximumRemoved,
                 DT::kExclusiveMaximumIncreased, DT::kExclusiveMaximumDecreased);
    CompareLimit(ctx, "exclusiveMinimum", o->exclusive_minimum, u->exclusive_minimum,
                 DT::kExclusiveMinimumAdded, DT::kExclusiveMinimumRemoved,
                 DT::kExclusiveMinimumIncreased, DT::kExclusiveMinimumDecreased);
    if (o->multiple_of == nullptr && u->multiple_of != nullptr) {
      AddAt(ctx, "multipleOf", DT::kMultipleOfAdded);
    } else if (o->multiple_of != nullptr && u->multiple_of == nullptr) {
      AddAt(ctx, "multipleOf", DT::kMultipleOfRemoved);
    } else if (o->multiple_of != nullptr) {
      constexpr DT kOutcome[] = {DT::kMultipleOfExpanded, DT::kMultipleOfExpanded,
                                 DT::kMultipleOfReduced, DT::kMultipleOfChanged};
      const int outcome = CompareMultipleOf(*o->multiple_of, *u->multiple_of);
      if (outcome != 0) AddAt(ctx, "multipleOf", kOutcome[outcome]);
    }
    if (o->requires_integer && !u->requires_integer) Add(ctx, DT::kTypeExtended);
    if (!o->requires_integer && u->requires_integer) Add(ctx, DT::kTypeNarrowed);
  }

  static void CompareEnum(Ctx& ctx, const Node* o, const Node* u) {
    std::unordered_set<std::string> a, b;
    for (const Json& v : *o->values) a.insert(ValueKey(v));
    for (const Json& v : *u->values) b.insert(ValueKey(v));
    if (a == b) return;
    auto contains_all = [](const auto& big, const auto& small) {
      return std::all_of(small.begin(), small.end(), [&](const auto& v) { return big.count(v); });
    };
    if (contains_all(b, a)) return AddAt(ctx, "enum", DT::kEnumArrayExtended);
    if (contains_all(a, b)) return AddAt(ctx, "enum", DT::kEnumArrayNarrowed);
    AddAt(ctx, "enum", DT::kEnumArrayChanged);
  }

  void CompareNot(Ctx& ctx, const Node* o, const Node* u) {
    ctx.path.emplace_back("not");
    Ctx sub = Sub(ctx);
    Compare(sub, u->negated, o->negated);  // reversed: not X accepts what X rejects
    Add(ctx, Compatible(sub) ? DT::kNotTypeNarrowed : DT::kNotTypeExtended);
    ctx.path.pop_back();
  }

  // Subschemas deduplicated as Confluent does (a set of schemas), first occurrence kept.
  static std::vector<const Node*> Distinct(const std::vector<const Node*>& subschemas) {
    std::vector<const Node*> out;
    std::vector<size_t> hashes;
    for (const Node* s : subschemas) {
      const size_t h = std::hash<Json>{}(*s->source) ^ std::hash<std::string_view>{}(s->part);
      bool seen = false;
      for (size_t i = 0; i < out.size() && !seen; ++i) {
        seen = hashes[i] == h && out[i]->part == s->part && *out[i]->source == *s->source;
      }
      if (!seen) {
        out.push_back(s);
        hashes.push_back(h);
      }
    }
    return out;
  }

  void CompareCombined(Ctx& ctx, const Node* o, const Node* u) {
    if (o->criterion != u->criterion) {
      const bool o_single = o->subschemas.size() == 1, u_single = u->subschemas.size() == 1;
      bool extended = u->criterion == Criterion::kAnyOf ||
                      (u->criterion == Criterion::kOneOf && o_single) ||
                      (u->criterion == Criterion::kAllOf && o_single && u_single);
      if (!extended) return Add(ctx, DT::kCombinedTypeChanged);
      Add(ctx, DT::kCombinedTypeExtended);
    }
    const std::vector<const Node*> os = Distinct(o->subschemas), us = Distinct(u->subschemas);
    const bool product = u->criterion == Criterion::kAllOf;
    if (os.size() < us.size()) Add(ctx, product ? DT::kProductTypeExtended : DT::kSumTypeExtended);
    if (os.size() > us.size()) Add(ctx, product ? DT::kProductTypeNarrowed : DT::kSumTypeNarrowed);
    // Compatible (original_i, update_j) pairs, then a maximum matching of them.
    std::vector<std::vector<std::pair<size_t, std::vector<Difference>>>> edges(os.size());
    for (size_t i = 0; i < os.size(); ++i) {
      ctx.path.push_back(fmt::format("{}/{}", CriterionName(o->criterion), i));
      for (size_t j = 0; j < us.size(); ++j) {
        Ctx sub = Sub(ctx);
        Compare(sub, os[i], us[j]);
        if (Compatible(sub)) edges[i].emplace_back(j, std::move(sub.diffs));
      }
      ctx.path.pop_back();
    }
    std::vector<int> match_of_update(us.size(), -1);
    std::vector<size_t> edge_of_update(us.size(), 0);
    size_t matched = 0;
    for (size_t i = 0; i < os.size(); ++i) {
      std::vector<bool> visited(us.size(), false);
      if (Augment(edges, i, visited, match_of_update, edge_of_update)) ++matched;
    }
    for (size_t j = 0; j < us.size(); ++j) {
      if (match_of_update[j] < 0) continue;
      for (const Difference& d : edges[match_of_update[j]][edge_of_update[j]].second) {
        ctx.diffs.push_back(d);
      }
    }
    if (matched < std::min(os.size(), us.size())) Add(ctx, DT::kCombinedTypeSubschemasChanged);
  }

  // Kuhn's augmenting path from original subschema i.
  static bool Augment(
      const std::vector<std::vector<std::pair<size_t, std::vector<Difference>>>>& edges, size_t i,
      std::vector<bool>& visited, std::vector<int>& match_of_update,
      std::vector<size_t>& edge_of_update) {
    for (size_t e = 0; e < edges[i].size(); ++e) {
      const size_t j = edges[i][e].first;
      if (visited[j]) continue;
      visited[j] = true;
      if (match_of_update[j] < 0 || Augment(edges, static_cast<size_t>(match_of_update[j]), visited,
                                            match_of_update, edge_of_update)) {
        match_of_update[j] = static_cast<int>(i);
        edge_of_update[j] = e;
        return true;
      }
    }
    return false;
  }

  // Object content models: open (any undeclared property, of any type), closed
  // (additionalProperties: false) or partially open (a schema covers undeclared properties).
  static bool IsOpen(const Node* n) {
    return n->pattern_properties.empty() && n->additional == nullptr && n->permits_additional;
  }

  // The schema covering an undeclared property: the first patternProperties entry whose
  // pattern is found in the name (Java's Matcher.find), else additionalProperties' schema.
  const Node* CoveringSchema(const Node* n, const std::string& name) {
    for (const auto& [pattern, schema] : n->pattern_properties) {
      if (regexes_.try_emplace(pattern, pattern).first->second.Search(name)) return schema;
    }
    return n->additional;
  }

  void CompareObject(Ctx& ctx, const Node* o, const Node* u) {
    std::unordered_map<std::string_view, const Node*> o_props, u_props;
    for (const auto& [name, schema] : o->properties) o_props.emplace(name, schema);
    for (const auto& [name, schema] : u->properties) u_props.emplace(name, schema);
    ctx.path.emplace_back("required");
    for (const auto& [name, schema] : o->properties) {
      auto it = u_props.find(name);
      if (it == u_props.end()) continue;
      const bool was = o->required.count(name) > 0, is = u->required.count(name) > 0;
      if (was && !is) AddAt(ctx, name, DT::kRequiredAttributeRemoved);
      if (!was && is) {
        AddAt(ctx, name,
              it->second->default_value != nullptr ? DT::kRequiredAttributeWithDefaultAdded
                                                   : DT::kRequiredAttributeAdded);
      }
    }
    ctx.path.back() = "properties";
    for (const auto& [name, schema] : o->properties) {
      auto it = u_props.find(name);
      CompareProperty(ctx, o, u, name, schema, it == u_props.end() ? nullptr : it->second);
    }
    for (const auto& [name, schema] : u->properties) {
      if (o_props.count(name) == 0) CompareProperty(ctx, o, u, name, nullptr, schema);
    }
    ctx.path.back() = "dependencies";
    CompareDependencies(ctx, o, u);
    ctx.path.back() = "additionalProperties";
    CompareAdditional(ctx, o, u, DT::kAdditionalPropertiesAdded, DT::kAdditionalPropertiesRemoved,
                      DT::kAdditionalPropertiesExtended, DT::kAdditionalPropertiesNarrowed);
    ctx.path.pop_back();
    CompareLimit(ctx, "maxProperties", o->max_properties, u->max_properties,
                 DT::kMaxPropertiesAdded, DT::kMaxPropertiesRemoved, DT::kMaxPropertiesIncreased,
                 DT::kMaxPropertiesDecreased);
    CompareLimit(ctx, "minProperties", o->min_properties, u->min_properties,
                 DT::kMinPropertiesAdded, DT::kMinPropertiesRemoved, DT::kMinPropertiesIncreased,
                 DT::kMinPropertiesDecreased);
  }

  void CompareProperty(Ctx& ctx, const Node* o, const Node* u, const std::string& name,
                       const Node* os, const Node* us) {
    ctx.path.push_back(name);
    if (us == nullptr) {
      // Removing is judged by the update's content model alone.
      if (IsOpen(u)) {
        Add(ctx, DT::kPropertyRemovedFromOpenContentModel);
      } else if (const Node* covering = CoveringSchema(u, name)) {
        Ctx sub = Sub(ctx);
        Compare(sub, os, covering);
        const bool covered = Compatible(sub);
        Append(ctx, sub);
        Add(ctx, covered ? DT::kPropertyRemovedIsCoveredByPartiallyOpenContentModel
                         : DT::kPropertyRemovedNotCoveredByPartiallyOpenContentModel);
      } else {
        Add(ctx, os->kind == Kind::kFalse ? DT::kPropertyWithFalseRemovedFromClosedContentModel
                                          : DT::kPropertyRemovedFromClosedContentModel);
      }
    } else if (os == nullptr) {
      // Adding is judged by the original's content model alone.
      if (IsOpen(o)) {
        if (IsEmptyClass(us->kind)) {
          Add(ctx, DT::kPropertyWithEmptySchemaAddedToOpenContentModel);
        } else {
          Add(ctx, DT::kPropertyAddedToOpenContentModel, u->required.count(name) == 0);
        }
      } else {
        if (const Node* covering = CoveringSchema(o, name)) {
          Ctx sub = Sub(ctx);
          Compare(sub, covering, us);
          const bool covered = Compatible(sub);
          Append(ctx, sub);
          Add(ctx, covered ? DT::kPropertyAddedIsCoveredByPartiallyOpenContentModel
                           : DT::kPropertyAddedNotCoveredByPartiallyOpenContentModel);
        }
        if (u->required.count(name) == 0) {
          Add(ctx, DT::kOptionalPropertyAddedToUnopenContentModel);
        } else {
          Add(ctx, us->default_value != nullptr
                       ? DT::kRequiredPropertyWithDefaultAddedToUnopenContentModel
                       : DT::kRequiredPropertyAddedToUnopenContentModel);
        }
      }
    } else {
      Compare(ctx, os, us);
    }
    ctx.path.pop_back();
  }

  void CompareDependencies(Ctx& ctx, const Node* o, const Node* u) {
    auto lookup = [](const auto& list, const std::string& name) -> decltype(&list[0].second) {
      for (const auto& entry : list) {
        if (entry.first == name) return &entry.second;
      }
      return nullptr;
    };
    auto names = [](const auto& a, const auto& b) {
      std::vector<std::string> out;
      std::unordered_set<std::string> seen;
      for (const auto* list : {&a, &b}) {
        for (const auto& entry : *list) {
          if (seen.insert(entry.first).second) out.push_back(entry.first);
        }
      }
      return out;
    };
    for (const std::string& name : names(o->property_dependencies, u->property_dependencies)) {
      const std::set<std::string>* was = lookup(o->property_dependencies, name);
      const std::set<std::string>* is = lookup(u->property_dependencies, name);
      auto includes = [](const std::set<std::string>& a, const std::set<std::string>& b) {
        return std::includes(a.begin(), a.end(), b.begin(), b.end());
      };
      if (is == nullptr) {
        AddAt(ctx, name, DT::kDependencyArrayRemoved);
      } else if (was == nullptr) {
        AddAt(ctx, name, DT::kDependencyArrayAdded);
      } else if (*was != *is) {
        AddAt(ctx, name,
              includes(*is, *was)   ? DT::kDependencyArrayExtended
              : includes(*was, *is) ? DT::kDependencyArrayNarrowed
                                    : DT::kDependencyArrayChanged);
      }
    }
    for (const std::string& name : names(o->schema_dependencies, u->schema_dependencies)) {
      const Node* const* was = lookup(o->schema_dependencies, name);
      const Node* const* is = lookup(u->schema_dependencies, name);
      if (is == nullptr) {
        AddAt(ctx, name, DT::kDependencySchemaRemoved);
      } else if (was == nullptr) {
        AddAt(ctx, name, DT::kDependencySchemaAdded);
      } else {
        ctx.path.push_back(name);
        Compare(ctx, *was, *is);
        ctx.path.pop_back();
      }
    }
  }

  // additionalProperties / additionalItems: false, absent or true, or a schema.
  void CompareAdditional(Ctx& ctx, const Node* o, const Node* u, DT added, DT removed, DT extended,
                         DT narrowed) {
    if (o->permits_additional != u->permits_additional) {
      Add(ctx, u->permits_additional ? added : removed);
    } else if (o->additional == nullptr && u->additional != nullptr) {
      Add(ctx, narrowed);
    } else if (o->additional != nullptr && u->additional == nullptr) {
      Add(ctx, extended);
    } else {
      Compare(ctx, o->additional, u->additional);
    }
  }

  // Arrays: "items" as one schema, or as a tuple whose content model is "additionalItems".
  void CompareArray(Ctx& ctx, const Node* o, const Node* u) {
    ctx.path.emplace_back("items");
    Compare(ctx, o->all_items, u->all_items);
    ctx.path.pop_back();
    const size_t common = std::min(o->item_tuple.size(), u->item_tuple.size());
    for (size_t i = 0; i < std::max(o->item_tuple.size(), u->item_tuple.size()); ++i) {
      ctx.path.push_back(fmt::format("items/{}", i));
      if (i < common) {
        Compare(ctx, o->item_tuple[i], u->item_tuple[i]);
      } else if (i < o->item_tuple.size()) {
        const Node* os = o->item_tuple[i];
        if (u->permits_additional && u->additional == nullptr) {
          Add(ctx, DT::kItemRemovedFromOpenContentModel);
        } else if (u->additional != nullptr) {
          Ctx sub = Sub(ctx);
          Compare(sub, os, u->additional);
          const bool covered = Compatible(sub);
          Append(ctx, sub);
          Add(ctx, covered ? DT::kItemRemovedIsCoveredByPartiallyOpenContentModel
                           : DT::kItemRemovedNotCoveredByPartiallyOpenContentModel);
        } else {
          Add(ctx, os->kind == Kind::kFalse ? DT::kItemWithFalseRemovedFromClosedContentModel
                                            : DT::kItemRemovedFromClosedContentModel);
        }
      } else {
        const Node* us = u->item_tuple[i];
        if (o->permits_additional && o->additional == nullptr) {
          Add(ctx, IsEmptyClass(us->kind) ? DT::kItemWithEmptySchemaAddedToOpenContentModel
                                          : DT::kItemAddedToOpenContentModel);
        } else if (o->additional != nullptr) {
          Ctx sub = Sub(ctx);
          Compare(sub, o->additional, us);
          const bool covered = Compatible(sub);
          Append(ctx, sub);
          Add(ctx, covered ? DT::kItemAddedIsCoveredByPartiallyOpenContentModel
                           : DT::kItemAddedNotCoveredByPartiallyOpenContentModel);
        } else {
          Add(ctx, DT::kItemAddedToClosedContentModel);
        }
      }
      ctx.path.pop_back();
    }
    ctx.path.emplace_back("additionalItems");
    // Note the inverted sense: additionalItems:false appearing is a removal, as in Confluent.
    CompareAdditional(ctx, o, u, DT::kAdditionalItemsAdded, DT::kAdditionalItemsRemoved,
                      DT::kAdditionalItemsExtended, DT::kAdditionalItemsNarrowed);
    ctx.path.pop_back();
    CompareLimit(ctx, "maxItems", o->max_items, u->max_items, DT::kMaxItemsAdded,
                 DT::kMaxItemsRemoved, DT::kMaxItemsIncreased, DT::kMaxItemsDecreased);
    CompareLimit(ctx, "minItems", o->min_items, u->min_items, DT::kMinItemsAdded,
                 DT::kMinItemsRemoved, DT::kMinItemsIncreased, DT::kMinItemsDecreased);
    if (o->unique_items != u->unique_items) {
      AddAt(ctx, "uniqueItems", o->unique_items ? DT::kUniqueItemsRemoved : DT::kUniqueItemsAdded);
    }
  }

  CompatibilityPolicy policy_;
  std::set<std::pair<const Node*, const Node*>> in_progress_;
  std::map<std::pair<const Node*, const Node*>, std::vector<Difference>> memo_;
  std::unordered_map<std::string, Pattern> regexes_;
};

// Confluent's description templates (Difference.error()), "%s" filled with new, then old.
std::string Description(const Difference& d) {
  const std::string& p = d.json_path;
  switch (d.type) {
    case DT::kMaximumAdded:
    case DT::kMinimumAdded:
    case DT::kExclusiveMaximumAdded:
    case DT::kExclusiveMinimumAdded:
    case DT::kMultipleOfAdded:
    case DT::kMaxLengthAdded:
    case DT::kMinLengthAdded:
    case DT::kPatternAdded:
    case DT::kRequiredAttributeAdded:
    case DT::kMaxPropertiesAdded:
    case DT::kMinPropertiesAdded:
    case DT::kDependencyArrayAdded:
    case DT::kDependencySchemaAdded:
    case DT::kMaxItemsAdded:
    case DT::kMinItemsAdded:
    case DT::kUniqueItemsAdded:
    case DT::kAdditionalItemsRemoved:
    case DT::kAdditionalPropertiesRemoved:
    case DT::kSchemaAdded:  // Confluent leaves this one empty
      return fmt::format(
          "The keyword at path '{}' in the new schema is not present in the old schema", p);
    case DT::kMinLengthIncreased:
    case DT::kMinimumIncreased:
    case DT::kExclusiveMinimumIncreased:
    case DT::kMinPropertiesIncreased:
    case DT::kMultipleOfExpanded:
    case DT::kMinItemsIncreased:
      return fmt::format(
          "The value at path '{}' in the new schema is more than its value in the old schema", p);
    case DT::kMaxLengthDecreased:
    case DT::kMaximumDecreased:
    case DT::kMaxItemsDecreased:
    case DT::kExclusiveMaximumDecreased:
    case DT::kMaxPropertiesDecreased:
      return fmt::format(
          "The value at path '{}' in the new schema is less than its value in the old schema", p);
    case DT::kPatternChanged:
    case DT::kMultipleOfChanged:
    case DT::kDependencyArrayChanged:
      return fmt::format("The value at path '{}' is different between the new and old schema", p);
    case DT::kAdditionalItemsNarrowed:
    case DT::kEnumArrayNarrowed:
    case DT::kSumTypeNarrowed:
    case DT::kAdditionalPropertiesNarrowed:
      return fmt::format(
          "An array or combined type at path '{}' has fewer elements in the new schema than the "
          "old schema",
          p);
    case DT::kDependencyArrayExtended:
    case DT::kProductTypeExtended:
    case DT::kSumTypeExtended:
    case DT::kNotTypeExtended:
      return fmt::format(
          "An array or combined type at path '{}' has more elements in the new schema than the "
          "old schema",
          p);
    case DT::kTypeChanged:
    case DT::kTypeNarrowed:
    case DT::kCombinedTypeChanged:
    case DT::kCombinedTypeSubschemasChanged:
    case DT::kEnumArrayChanged:
      return fmt::format(
          "A type at path '{}' is different between the new schema and the old schema", p);
    case DT::kPropertyAddedToOpenContentModel:
    case DT::kItemAddedToOpenContentModel:
      return fmt::format(
          "The new schema has an open content model and has a property or item at path '{}' "
          "which is missing in the old schema",
          p);
    case DT::kRequiredPropertyAddedToUnopenContentModel:
      return fmt::format(
          "The new schema has an unopen content model and has a required property at path '{}' "
          "which is missing in the old schema",
          p);
    case DT::kPropertyRemovedFromClosedContentModel:
    case DT::kItemRemovedFromClosedContentModel:
      return fmt::format(
          "The new schema has a closed content model and is missing a property or item present "
          "at path '{}' in the old schema",
          p);
    case DT::kPropertyRemovedNotCoveredByPartiallyOpenContentModel:
    case DT::kItemRemovedNotCoveredByPartiallyOpenContentModel:
      return fmt::format(
          "A property or item is missing in the new schema but present at path '{}' in the old "
          "schema and is not covered by its partially open content model",
          p);
    case DT::kPropertyAddedNotCoveredByPartiallyOpenContentModel:
    case DT::kItemAddedNotCoveredByPartiallyOpenContentModel:
      return fmt::format(
          "The new schema has a property or item at path '{}' which is missing in the old "
          "schema and is not covered by its partially open content model",
          p);
    default: return "";  // compatible kinds are never reported
  }
}

}  // namespace

std::string_view DifferenceTypeName(DifferenceType type) {
  return kTypes[static_cast<int>(type)].name;
}

bool IsConfluentCompatible(DifferenceType type) {
  return kTypes[static_cast<int>(type)].compatible;
}

bool IsIncompatible(const Difference& difference, CompatibilityPolicy policy) {
  if (IsConfluentCompatible(difference.type)) return false;
  return !(policy == CompatibilityPolicy::kLenient && difference.lenient_accepts);
}

std::string DifferenceMessage(const Difference& difference) {
  return fmt::format("{{errorType:\"{}\", description:\"{}\"}}",
                     DifferenceTypeName(difference.type), Description(difference));
}

std::vector<Difference> DiffSchemas(const nlohmann::ordered_json& original,
                                    const nlohmann::ordered_json& update,
                                    CompatibilityPolicy policy) {
  const Model o(original), u(update);
  Differ differ(policy);
  Ctx ctx;
  differ.Compare(ctx, o.root(), u.root());
  return std::move(ctx.diffs);
}

}  // namespace assay::schema::json_diff
