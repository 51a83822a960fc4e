#include "schema/compatibility.h"

#include <array>
#include <utility>

#include "core/ascii.h"
#include "schema/avro_compatibility.h"
#include "schema/json_schema_compatibility.h"

namespace assay::schema {
namespace {

constexpr std::array<std::pair<CompatibilityLevel, std::string_view>, 7> kLevels{{
    {CompatibilityLevel::kNone, "NONE"},
    {CompatibilityLevel::kBackward, "BACKWARD"},
    {CompatibilityLevel::kBackwardTransitive, "BACKWARD_TRANSITIVE"},
    {CompatibilityLevel::kForward, "FORWARD"},
    {CompatibilityLevel::kForwardTransitive, "FORWARD_TRANSITIVE"},
    {CompatibilityLevel::kFull, "FULL"},
    {CompatibilityLevel::kFullTransitive, "FULL_TRANSITIVE"},
}};

bool IsTransitive(CompatibilityLevel level) {
  return level == CompatibilityLevel::kBackwardTransitive ||
         level == CompatibilityLevel::kForwardTransitive ||
         level == CompatibilityLevel::kFullTransitive;
}

bool ChecksBackward(CompatibilityLevel level) {
  return level == CompatibilityLevel::kBackward ||
         level == CompatibilityLevel::kBackwardTransitive || level == CompatibilityLevel::kFull ||
         level == CompatibilityLevel::kFullTransitive;
}

bool ChecksForward(CompatibilityLevel level) {
  return level == CompatibilityLevel::kForward || level == CompatibilityLevel::kForwardTransitive ||
         level == CompatibilityLevel::kFull || level == CompatibilityLevel::kFullTransitive;
}

// BackwardIncompatibilities words its messages for (original = old, update = new). A FORWARD
// check runs it the other way round, so the schemas it names are the other way round too.
std::string SwapNewAndOld(const std::string& message) {
  constexpr std::string_view kNew = "new schema";
  constexpr std::string_view kOld = "old schema";
  std::string out;
  out.reserve(message.size());
  for (size_t i = 0; i < message.size();) {
    if (message.compare(i, kNew.size(), kNew) == 0) {
      out += kOld;
      i += kNew.size();
    } else if (message.compare(i, kOld.size(), kOld) == 0) {
      out += kNew;
      i += kOld.size();
    } else {
      out += message[i++];
    }
  }
  return out;
}

// Confluent cuts the old schema quoted in a message at 10 KiB.
constexpr size_t kMaxQuotedSchema = 10 << 10;

}  // namespace

std::string_view SchemaFormatName(SchemaFormat format) {
  return format == SchemaFormat::kJson ? "JSON" : "AVRO";
}

std::optional<SchemaFormat> SchemaFormatFromName(std::string_view name) {
  if (name == "AVRO") return SchemaFormat::kAvro;
  if (name == "JSON") return SchemaFormat::kJson;
  return std::nullopt;
}

std::string_view CompatibilityLevelName(CompatibilityLevel level) {
  for (const auto& [value, name] : kLevels) {
    if (value == level) return name;
  }
  return "NONE";
}

std::optional<CompatibilityLevel> CompatibilityLevelFromName(std::string_view name) {
  for (const auto& [value, level_name] : kLevels) {
    if (EqualsIgnoringCase(name, level_name)) return value;
  }
  return std::nullopt;
}

std::string_view CompatibilityPolicyName(CompatibilityPolicy policy) {
  return policy == CompatibilityPolicy::kLenient ? "LENIENT" : "CONFLUENT";
}

std::optional<CompatibilityPolicy> CompatibilityPolicyFromName(std::string_view name) {
  if (EqualsIgnoringCase(name, "CONFLUENT")) return CompatibilityPolicy::kConfluent;
  if (EqualsIgnoringCase(name, "LENIENT")) return CompatibilityPolicy::kLenient;
  return std::nullopt;
}

Result<std::string> CanonicalSchema(SchemaFormat format, std::string_view text) {
  return format == SchemaFormat::kJson ? CanonicalJsonSchema(text) : CanonicalAvroSchema(text);
}

std::vector<std::string> BackwardIncompatibilities(SchemaFormat format, std::string_view original,
                                                   std::string_view update,
                                                   CompatibilityPolicy policy) {
  return format == SchemaFormat::kJson
             ? JsonSchemaBackwardIncompatibilities(original, update, policy)
             : AvroBackwardIncompatibilities(original, update);
}

CompatibilityVerdict CheckCompatibility(SchemaFormat format, std::string_view candidate,
                                        const std::vector<PreviousVersion>& previous,
                                        CompatibilityLevel level, CompatibilityPolicy policy) {
  CompatibilityVerdict verdict;
  if (level == CompatibilityLevel::kNone || previous.empty()) return verdict;
  // Newest first; without _TRANSITIVE only the newest counts.
  const size_t checked = IsTransitive(level) ? previous.size() : 1;
  for (size_t i = 0; i < checked; ++i) {
    const PreviousVersion& old = previous[previous.size() - 1 - i];
    std::vector<std::string> messages;
    if (old.format != format) {
      messages.emplace_back("Incompatible because of different schema type");
    } else {
      if (ChecksBackward(level)) {
        messages = BackwardIncompatibilities(format, old.text, candidate, policy);
      }
      if (ChecksForward(level)) {
        for (const std::string& m :
             BackwardIncompatibilities(format, candidate, old.text, policy)) {
          messages.push_back(SwapNewAndOld(m));
        }
      }
    }
    if (messages.empty()) continue;
    verdict.compatible = false;
    verdict.messages = std::move(messages);
    verdict.messages.push_back("{oldSchemaVersion: " + std::to_string(old.version) + "}");
    verdict.messages.push_back("{oldSchema: '" + old.text.substr(0, kMaxQuotedSchema) + "'}");
    return verdict;  // Confluent stops at the first version that fails
  }
  return verdict;
}

}  // namespace assay::schema
