#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "schema/compatibility.h"

/// Confluent's JSON Schema diff (io.confluent.kafka.schemaregistry.json.diff), rewritten: the
/// kinds of difference between two schemas, which of them Confluent calls compatible, and the
/// differ itself. json_schema_compatibility.cc turns its output into the registry's messages;
/// docs/schema-registry.md lists every kind with an example.
namespace assay::schema::json_diff {

/// Confluent's Difference.Type, the ones a draft-07 document can produce (the 2019-09
/// keywords maxContains/minContains/unevaluated* and the metadata-only RESERVED_PROPERTY_* are
/// not compared). DifferenceTypeName gives Confluent's spelling.
enum class DifferenceType : uint8_t {
  // Any schema.
  kIdChanged,
  kDescriptionChanged,
  kTitleChanged,
  kDefaultChanged,
  kSchemaAdded,
  kSchemaRemoved,
  kTypeExtended,
  kTypeNarrowed,
  kTypeChanged,
  // String.
  kMaxLengthAdded,
  kMaxLengthRemoved,
  kMaxLengthIncreased,
  kMaxLengthDecreased,
  kMinLengthAdded,
  kMinLengthRemoved,
  kMinLengthIncreased,
  kMinLengthDecreased,
  kPatternAdded,
  kPatternRemoved,
  kPatternChanged,
  // Number and integer.
  kMaximumAdded,
  kMaximumRemoved,
  kMaximumIncreased,
  kMaximumDecreased,
  kMinimumAdded,
  kMinimumRemoved,
  kMinimumIncreased,
  kMinimumDecreased,
  kExclusiveMaximumAdded,
  kExclusiveMaximumRemoved,
  kExclusiveMaximumIncreased,
  kExclusiveMaximumDecreased,
  kExclusiveMinimumAdded,
  kExclusiveMinimumRemoved,
  kExclusiveMinimumIncreased,
  kExclusiveMinimumDecreased,
  kMultipleOfAdded,
  kMultipleOfRemoved,
  kMultipleOfExpanded,
  kMultipleOfReduced,
  kMultipleOfChanged,
  // Object.
  kRequiredAttributeAdded,
  kRequiredAttributeWithDefaultAdded,
  kRequiredAttributeRemoved,
  kMaxPropertiesAdded,
  kMaxPropertiesRemoved,
  kMaxPropertiesIncreased,
  kMaxPropertiesDecreased,
  kMinPropertiesAdded,
  kMinPropertiesRemoved,
  kMinPropertiesIncreased,
  kMinPropertiesDecreased,
  kAdditionalPropertiesAdded,
  kAdditionalPropertiesRemoved,
  kAdditionalPropertiesExtended,
  kAdditionalPropertiesNarrowed,
  kDependencyArrayAdded,
  kDependencyArrayRemoved,
  kDependencyArrayExtended,
  kDependencyArrayNarrowed,
  kDependencyArrayChanged,
  kDependencySchemaAdded,
  kDependencySchemaRemoved,
  kPropertyAddedToOpenContentModel,
  kPropertyWithEmptySchemaAddedToOpenContentModel,
  kRequiredPropertyAddedToUnopenContentModel,
  kRequiredPropertyWithDefaultAddedToUnopenContentModel,
  kOptionalPropertyAddedToUnopenContentModel,
  kPropertyRemovedFromOpenContentModel,
  kPropertyWithFalseRemovedFromClosedContentModel,
  kPropertyRemovedFromClosedContentModel,
  kPropertyRemovedIsCoveredByPartiallyOpenContentModel,
  kPropertyRemovedNotCoveredByPartiallyOpenContentModel,
  kPropertyAddedIsCoveredByPartiallyOpenContentModel,
  kPropertyAddedNotCoveredByPartiallyOpenContentModel,
  // Array.
  kMaxItemsAdded,
  kMaxItemsRemoved,
  kMaxItemsIncreased,
  kMaxItemsDecreased,
  kMinItemsAdded,
  kMinItemsRemoved,
  kMinItemsIncreased,
  kMinItemsDecreased,
  kUniqueItemsAdded,
  kUniqueItemsRemoved,
  kAdditionalItemsAdded,
  kAdditionalItemsRemoved,
  kAdditionalItemsExtended,
  kAdditionalItemsNarrowed,
  kItemAddedToOpenContentModel,
  kItemWithEmptySchemaAddedToOpenContentModel,
  kItemAddedToClosedContentModel,
  kItemRemovedFromOpenContentModel,
  kItemWithFalseRemovedFromClosedContentModel,
  kItemRemovedFromClosedContentModel,
  kItemRemovedIsCoveredByPartiallyOpenContentModel,
  kItemRemovedNotCoveredByPartiallyOpenContentModel,
  kItemAddedIsCoveredByPartiallyOpenContentModel,
  kItemAddedNotCoveredByPartiallyOpenContentModel,
  // enum and const.
  kEnumArrayExtended,
  kEnumArrayNarrowed,
  kEnumArrayChanged,
  // allOf / anyOf / oneOf / not.
  kCombinedTypeExtended,
  kCombinedTypeChanged,
  kProductTypeExtended,
  kProductTypeNarrowed,
  kSumTypeExtended,
  kSumTypeNarrowed,
  kCombinedTypeSubschemasChanged,
  kNotTypeExtended,
  kNotTypeNarrowed,
};

/// Number of DifferenceType values (they run from 0 without gaps).
inline constexpr int kDifferenceTypeCount = static_cast<int>(DifferenceType::kNotTypeNarrowed) + 1;

/// Confluent's name: "PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL".
std::string_view DifferenceTypeName(DifferenceType type);

/// True when the type is in Confluent's SchemaDiff.COMPATIBLE_CHANGES.
bool IsConfluentCompatible(DifferenceType type);

/// One difference found walking `original` and `update` side by side.
struct Difference {
  DifferenceType type = DifferenceType::kTypeChanged;
  /// Where, as Confluent writes it: "#/properties/b", "#/items/0", "#/" for the root.
  std::string json_path;
  /// kLenient accepts this difference although Confluent does not: a property added to an open
  /// content model that the update does not list in its "required".
  bool lenient_accepts = false;
};

/// Whether `difference` makes the change incompatible under `policy`.
bool IsIncompatible(const Difference& difference, CompatibilityPolicy policy);

/// Confluent's rendering, `{errorType:"TYPE", description:"..."}`, with the original called
/// "old" and the update "new" (BACKWARD's wording).
std::string DifferenceMessage(const Difference& difference);

/// The location in `root` that `ref` (a "$ref" value of that document) points at, and its JSON
/// Pointer in canonical form (each token escaped, "" for the root) in `pointer`; nullptr when
/// it points outside the document or nowhere. Understood: "#", "#/json/pointer" (percent-
/// and ~-escaped), "#name" (a subschema whose "$id" is "#name" or whose "$anchor" is "name"), each
/// optionally preceded by the root's own "$id". CanonicalJsonSchema checks references with it; the
/// differ follows them.
const nlohmann::ordered_json* ResolveReference(const nlohmann::ordered_json& root,
                                               std::string_view ref, std::string* pointer);

/// Every difference (compatible or not) of `original` -> `update`, as Confluent's
/// SchemaDiff.compare finds them. Both must be JSON Schema documents (objects or booleans) whose
/// keywords have the shapes CanonicalJsonSchema checks; a keyword of another shape is ignored,
/// never a crash. `policy` matters because compatibility decides which branch of a combined
/// schema or partially open content model matches.
std::vector<Difference> DiffSchemas(const nlohmann::ordered_json& original,
                                    const nlohmann::ordered_json& update,
                                    CompatibilityPolicy policy);

}  // namespace assay::schema::json_diff
