#pragma once

#include <span>
#include <string>
#include <string_view>

namespace assay::config {

/// The kind of value a key takes; decides validation and the "type" column of the docs.
enum class KeyType {
  kString,
  kEnum,  ///< a string from KeySpec::allowed
  kBool,
  kInteger,
  kNumber,
  kChar,  ///< a one-character string
  kPath,
  kStringList,
  kEnumList,  ///< a list of strings from KeySpec::allowed
  kMap,       ///< a nested section with its own table
  kMapList,   ///< a list of nested sections
  kLevelMap,  ///< free-form names mapped to log levels
};

/// Name of a KeyType as shown in docs ("integer", "list of strings", ...).
std::string_view KeyTypeName(KeyType type);

/// One accepted key: the loader validates against these, and docs/configuration.md is rendered
/// from them (CONVENTIONS §4), so a key cannot exist without documentation.
struct KeySpec {
  std::string_view name;
  KeyType type = KeyType::kString;
  std::string_view default_value;  ///< as shown in docs; "" = no default
  std::string_view unit;           ///< "" when the name or type says it all
  std::string_view doc;
  bool required = false;
  std::string_view allowed;  ///< for kEnum / kEnumList: values separated by '|'
};

/// One section of a file: a mapping whose accepted keys are `keys`.
struct SectionSpec {
  std::string_view path;  ///< "pipeline", "sources[]", "sources[].csv"; "" = top level
  std::string_view doc;
  std::span<const KeySpec> keys;

  /// The spec of `key`, or nullptr when the section has no such key.
  const KeySpec* Find(std::string_view key) const;
};

/// Sections of the pipeline config (`data_sources.yml`), top level first.
std::span<const SectionSpec* const> PipelineConfigSections();

/// Sections of the logging config (`logging_config.yml`).
std::span<const SectionSpec* const> LoggingConfigSections();

/// The named section of either file, or nullptr.
const SectionSpec* FindSection(std::string_view path);

/// Markdown: one level-4 heading and one table (key, type, default, unit, description) per section.
std::string RenderMarkdownTables(std::span<const SectionSpec* const> sections);

/// True when `value` is one of the '|'-separated `allowed` values.
bool IsAllowed(std::string_view allowed, std::string_view value);

}  // namespace assay::config
