#pragma once

// Internal to src/config: typed, error-collecting access to yaml-cpp nodes, validated against the
// key tables of config_keys.h. Not part of the public API.

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/config.h"
#include "config/config_keys.h"

namespace assay::config::internal {

/// The candidate closest to `word` by (case-insensitive) edit distance, if it is close enough to
/// be a plausible typo.
std::optional<std::string_view> DidYouMean(std::string_view word,
                                           const std::vector<std::string_view>& candidates);

/// Collects every error found in one file, with the environment used for ${VAR}.
class Diagnostics {
 public:
  Diagnostics(std::string file, std::string_view text, const Environment& env)
      : file_(std::move(file)), text_(text), env_(env) {}

  void Add(const YAML::Mark& mark, std::string key, std::string message);
  Location At(const YAML::Mark& mark) const;
  bool empty() const { return errors_.empty(); }
  const Environment& env() const { return env_; }
  std::string_view text() const { return text_; }
  const std::string& file() const { return file_; }

  /// All errors, ordered by position, as one kInvalidArgument Status; copies them to `out`.
  Status ToStatus(std::vector<ConfigError>* out) const;

 private:
  std::string file_;
  std::string_view text_;
  const Environment& env_;
  std::vector<ConfigError> errors_;
};

/// Parses YAML; a syntax error becomes a diagnostic at yaml-cpp's mark and nullopt is returned.
std::optional<YAML::Node> ParseYaml(std::string_view text, Diagnostics& diag);

/// A mapping validated against `spec`: unknown keys (with did-you-mean), duplicate keys and
/// missing required keys are reported when it is constructed. Get() reads a key into a typed
/// field, reporting a wrong type at the value; an absent key leaves the field untouched.
class MapReader {
 public:
  /// `node` may be undefined or null (an absent or empty section: every key absent).
  /// `fallback` is used for errors about a section that has no position of its own.
  MapReader(const YAML::Node& node, std::string path, const SectionSpec& spec, Diagnostics& diag,
            const YAML::Mark& fallback);

  bool Has(std::string_view key) const { return Find(key) != nullptr; }

  /// Each returns true when the key is present and its value valid (then *out is set).
  bool Get(std::string_view key, std::string* out);  // kString, kEnum
  bool Get(std::string_view key, std::filesystem::path* out);
  bool Get(std::string_view key, bool* out);
  bool Get(std::string_view key, int* out);
  bool Get(std::string_view key, uint64_t* out);
  bool Get(std::string_view key, double* out);
  bool Get(std::string_view key, char* out);
  bool Get(std::string_view key, std::vector<std::string>* out);  // kStringList, kEnumList
  bool Get(std::string_view key, std::map<std::string, std::string>* out);  // kLevelMap

  /// The value node of `key` (undefined when absent), for nested sections.
  YAML::Node Child(std::string_view key) const;
  /// "parent.key".
  std::string PathOf(std::string_view key) const;
  /// Position of the value of `key`, else of the key, else of this mapping.
  YAML::Mark MarkOf(std::string_view key) const;
  /// Position of this mapping.
  const YAML::Mark& mark() const { return mark_; }
  const std::string& path() const { return path_; }

  /// Reports an error at the value of `key`.
  void Error(std::string_view key, std::string message);

 private:
  struct Entry {
    std::string name;
    YAML::Node key;
    YAML::Node value;
  };
  const Entry* Find(std::string_view key) const;
  // The spec of `key`, checking it has one of `types` (a mismatch is a bug in the loader).
  const KeySpec* Spec(std::string_view key, std::initializer_list<KeyType> types);
  // Scalar text of `key` after interpolation; nullopt (with an error) for a non-scalar.
  std::optional<std::string> Scalar(const Entry& entry, std::string_view what);
  // The integer value of `key` if it is one in [min, max].
  std::optional<int64_t> Integer(std::string_view key, int64_t min, int64_t max);

  std::string path_;
  const SectionSpec& spec_;
  Diagnostics& diag_;
  YAML::Mark mark_;
  std::vector<Entry> entries_;
};

/// Calls `fn(item, "path[i]", i)` for each item of the sequence `node`; reports an error when
/// `node` is defined, not null and not a sequence.
void ForEachItem(const YAML::Node& node, const std::string& path, Diagnostics& diag,
                 const YAML::Mark& fallback,
                 const std::function<void(const YAML::Node&, const std::string&, size_t)>& fn);

/// A valid position: `mark` when yaml-cpp gave it one, else `fallback`.
YAML::Mark MarkOr(const YAML::Node& node, const YAML::Mark& fallback);

}  // namespace assay::config::internal
