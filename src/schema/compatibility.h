#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace assay::schema {

/// Schema formats the registry stores (Confluent's `schemaType`; AVRO when a request omits it).
enum class SchemaFormat { kAvro, kJson };

/// "AVRO" | "JSON".
std::string_view SchemaFormatName(SchemaFormat format);
/// The format named `name` (as Confluent spells it: upper case), or nullopt.
std::optional<SchemaFormat> SchemaFormatFromName(std::string_view name);

/// Confluent's compatibility levels. BACKWARD: the new schema reads data written with the
/// previous one; FORWARD: the previous schema reads data written with the new one; FULL: both.
/// *_TRANSITIVE: against every earlier (not deleted) version instead of only the latest.
enum class CompatibilityLevel {
  kNone,
  kBackward,
  kBackwardTransitive,
  kForward,
  kForwardTransitive,
  kFull,
  kFullTransitive,
};

/// "NONE", "BACKWARD", ..., "FULL_TRANSITIVE".
std::string_view CompatibilityLevelName(CompatibilityLevel level);
/// Case-insensitive, as Confluent parses it; nullopt for anything else.
std::optional<CompatibilityLevel> CompatibilityLevelFromName(std::string_view name);

/// Whose verdicts apply to JSON Schema changes (Avro has one set of rules). kConfluent gives
/// Confluent's answers exactly, so users moving over see the same verdicts. kLenient is Assay's
/// opt-in: it also accepts the changes Confluent rejects only because an open content model
/// *might* have carried an undeclared property (adding an optional property to an open object,
/// and its FORWARD mirror, removing one). docs/schema-registry.md lists every rule in both.
enum class CompatibilityPolicy { kConfluent, kLenient };

/// "CONFLUENT" | "LENIENT" (the `compatibilityPolicy` of /registry/config).
std::string_view CompatibilityPolicyName(CompatibilityPolicy policy);
/// Case-insensitive; nullopt for anything else.
std::optional<CompatibilityPolicy> CompatibilityPolicyFromName(std::string_view name);

/// Checks that `text` is a valid schema of `format` (the registry's 42201 on failure: a
/// kInvalidArgument Status whose message says what is wrong and where) and returns its
/// canonical form: the key under which identical schemas share one id (compact JSON, for Avro
/// also with Avro's defaults made explicit where the spec says they are equal).
Result<std::string> CanonicalSchema(SchemaFormat format, std::string_view text);

/// Why `update` cannot read every document (JSON Schema) or datum (Avro) valid under
/// `original`: one Confluent-style message per difference
/// (`{errorType:"TYPE_CHANGED", description:"..."}`), empty when it can. Both texts must be
/// valid schemas of `format` (CanonicalSchema succeeded). BACKWARD calls this with
/// (original = old, update = new), FORWARD with (original = new, update = old).
std::vector<std::string> BackwardIncompatibilities(SchemaFormat format, std::string_view original,
                                                   std::string_view update,
                                                   CompatibilityPolicy policy);

/// One earlier version a candidate is checked against.
struct PreviousVersion {
  int version = 0;
  SchemaFormat format = SchemaFormat::kAvro;
  std::string text;
};

struct CompatibilityVerdict {
  bool compatible = true;
  /// When not compatible: the differences, then `{oldSchemaVersion: N}` and
  /// `{oldSchema: '<text>'}` of the version that failed (Confluent's message list).
  std::vector<std::string> messages;
};

/// Applies `level` to a candidate schema against the earlier versions (oldest first, deleted
/// ones left out): the latest only, or all of them newest first for *_TRANSITIVE, stopping at the
/// first that fails. A version of another format is incompatible unless the level is NONE.
CompatibilityVerdict CheckCompatibility(SchemaFormat format, std::string_view candidate,
                                        const std::vector<PreviousVersion>& previous,
                                        CompatibilityLevel level, CompatibilityPolicy policy);

}  // namespace assay::schema
