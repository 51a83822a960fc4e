#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "events/event.h"
#include "events/registry_store.h"
#include "schema/compatibility.h"
#include "schema/registry_error.h"

namespace assay::events {
class EventBus;
}  // namespace assay::events

namespace assay::schema {

/// A version as the REST API names it: a number, or the latest (`latest` or `-1`).
struct VersionRef {
  std::optional<int> number;  ///< nullopt = the latest

  bool latest() const { return !number.has_value(); }
  /// "latest" or the number.
  std::string ToString() const;
  /// Parses `latest`, `-1` or an integer in [1, 2^31-1]; 42202 otherwise.
  static RegistryResult<VersionRef> Parse(std::string_view text);
};

/// One version of a subject with its schema.
struct SubjectVersion {
  std::string subject;
  int version = 0;
  int64_t id = 0;
  SchemaFormat format = SchemaFormat::kAvro;
  std::string text;  ///< as first registered
  bool deleted = false;
};

/// A schema by its global id.
struct RegisteredSchema {
  int64_t id = 0;
  SchemaFormat format = SchemaFormat::kAvro;
  std::string text;  ///< as first registered
};

/// The outcome of Register.
struct Registration {
  int64_t id = 0;
  int version = 0;
  bool created = false;  ///< false: the subject already had this schema as a live version
};

/// Which versions or subjects a listing includes (Confluent's `deleted` / `deletedOnly`).
struct ListFilter {
  bool deleted = false;        ///< soft-deleted ones as well
  bool deleted_only = false;   ///< only soft-deleted ones (wins over `deleted`)
  std::string subject_prefix;  ///< ListSubjects only: subjects starting with this
};

/// A compatibility setting in force.
struct RegistryConfig {
  CompatibilityLevel level = CompatibilityLevel::kBackward;
  CompatibilityPolicy policy = CompatibilityPolicy::kConfluent;
};

/// A change to a scope's config: absent fields keep their value.
struct ConfigUpdate {
  std::optional<CompatibilityLevel> level;
  std::optional<CompatibilityPolicy> policy;
};

/// How the registry behaves where its stored config says nothing.
struct RegistryOptions {
  /// The global config until `PUT /config` stores one (the `registry:` section of the config).
  RegistryConfig defaults;
  /// Schemas longer than this are refused with 42209; 0 = no limit.
  size_t max_schema_bytes = 0;
};

/// The schema registry of DESIGN.md §6 with the Confluent Schema Registry's semantics,
/// independent of HTTP (src/web/registry_api.cc maps requests onto it):
///
/// - Subjects hold versions 1, 2, ...; each version refers to a schema by a global id. The same
///   schema (same format and canonical form) has one id everywhere; ids are never reused.
/// - Register validates the schema (42201), returns the id of a live version with the same
///   schema if the subject has one, else checks compatibility at the subject's level (subject
///   config, else global, else the configured default) against its live versions (409) and adds
///   version max(every version, soft-deleted ones too) + 1.
/// - Soft deletes hide versions but keep their numbers and ids; permanent deletes need a soft
///   delete first (40405, 40407). Deleting a subject's last live version drops its config.
/// - Everything lives in the state store (RegistryStore) and survives a restart.
/// - Changes publish `schema.registered` (a subject's first live version), `schema.evolved` (a
///   later one), `schema.incompatible` (a refused registration) and `schema.deleted`, with
///   `subject`, `version` and `id` attributes.
///
/// Thread-safe: every call is serialised (HTTP handlers run on several threads).
class SchemaRegistry {
 public:
  /// A registry on `store`; `bus` (may be null, not owned, must outlive the registry) receives
  /// the schema.* events.
  SchemaRegistry(std::unique_ptr<events::RegistryStore> store, RegistryOptions options,
                 events::EventBus* bus);
  /// Opens the registry tables in `<state_dir>/assay.db`.
  static Result<std::unique_ptr<SchemaRegistry>> Open(const std::filesystem::path& state_dir,
                                                      RegistryOptions options,
                                                      events::EventBus* bus);

  /// Registers `text` under `subject` (see the class comment).
  RegistryResult<Registration> Register(std::string_view subject, SchemaFormat format,
                                        std::string_view text);
  /// The version of `subject` that holds this schema (live ones, or all with `include_deleted`):
  /// 40401 when the subject has no such versions, 40403 when none holds the schema.
  RegistryResult<SubjectVersion> Lookup(std::string_view subject, SchemaFormat format,
                                        std::string_view text, bool include_deleted);
  /// One version; `latest` is the highest live one (or the highest of all with
  /// `include_deleted`). 40401 / 40402 when absent.
  RegistryResult<SubjectVersion> GetVersion(std::string_view subject, VersionRef version,
                                            bool include_deleted);
  /// Subjects with a version passing `filter`, sorted.
  RegistryResult<std::vector<std::string>> ListSubjects(const ListFilter& filter);
  /// Version numbers of `subject` passing `filter`, ascending; 40401 when there are none.
  RegistryResult<std::vector<int>> ListVersions(std::string_view subject, const ListFilter& filter);
  /// Soft-deletes every live version (40404 if there is none left), or with `permanent`
  /// removes every version (40405 while one is live). Returns the versions deleted.
  RegistryResult<std::vector<int>> DeleteSubject(std::string_view subject, bool permanent);
  /// Soft-deletes one live version (40406 if it is soft-deleted already), or with `permanent`
  /// removes a soft-deleted one (40407 while it is live). Returns its number.
  RegistryResult<int> DeleteVersion(std::string_view subject, VersionRef version, bool permanent);

  /// The schema with this id while a version (even soft-deleted) refers to it; 40403 otherwise.
  RegistryResult<RegisteredSchema> GetSchemaById(int64_t id);
  /// The versions that refer to schema `id` (live ones, or all with `include_deleted`).
  RegistryResult<std::vector<SubjectVersion>> VersionsOfSchema(int64_t id, bool include_deleted);

  /// Checks `text` as Register would, without registering: against one version of the subject
  /// (the level's transitive forms then check that version only), or with `version` nullopt
  /// against the versions the level names. A subject without live versions accepts anything
  /// for `latest`; a numbered version that does not exist is 40402 (40401 without any version).
  RegistryResult<CompatibilityVerdict> TestCompatibility(std::string_view subject,
                                                         std::optional<VersionRef> version,
                                                         SchemaFormat format,
                                                         std::string_view text);

  /// The global config in force (stored, else the defaults).
  RegistryResult<RegistryConfig> GetGlobalConfig();
  /// Changes the stored global config; returns the config now in force.
  RegistryResult<RegistryConfig> SetGlobalConfig(const ConfigUpdate& update);
  /// Forgets the stored global config (back to the defaults); returns the config that was in
  /// force before.
  RegistryResult<RegistryConfig> DeleteGlobalConfig();
  /// The subject's own config (fields it does not set come from the global config); without
  /// one, 40408 unless `default_to_global`, which then gives the global config.
  RegistryResult<RegistryConfig> GetSubjectConfig(std::string_view subject, bool default_to_global);
  /// Changes the subject's own config (the subject need not exist yet); returns the config now
  /// in force for it.
  RegistryResult<RegistryConfig> SetSubjectConfig(std::string_view subject,
                                                  const ConfigUpdate& update);
  /// Removes the subject's own config and returns it; 40401 when it has none.
  RegistryResult<RegistryConfig> DeleteSubjectConfig(std::string_view subject);

 private:
  // The *Locked methods run with mu_ held and append the events to publish to `pending`, which
  // the public methods publish after releasing the lock (a full bus must not block readers).
  RegistryResult<Registration> RegisterLocked(std::string_view subject, SchemaFormat format,
                                              std::string_view text,
                                              std::vector<events::Event>* pending);
  RegistryResult<std::vector<int>> DeleteSubjectLocked(std::string_view subject, bool permanent,
                                                       std::vector<events::Event>* pending);
  RegistryResult<int> DeleteVersionLocked(std::string_view subject, VersionRef version,
                                          bool permanent, std::vector<events::Event>* pending);
  // The version with its schema text.
  Result<SubjectVersion> Resolve(const events::RegistryVersionRow& row);
  // The config in force for `subject` (nullopt: the global scope).
  Result<RegistryConfig> Effective(std::optional<std::string_view> subject);
  // The live versions among `rows` as the compatibility checker takes them, oldest first.
  Result<std::vector<PreviousVersion>> Previous(
      const std::vector<events::RegistryVersionRow>& rows);
  // Applies `update` to the stored config of a scope.
  Status Update(std::optional<std::string_view> subject, const ConfigUpdate& update);
  void Publish(std::vector<events::Event> pending);

  std::mutex mu_;
  std::unique_ptr<events::RegistryStore> store_;
  RegistryOptions options_;
  events::EventBus* bus_;
};

/// 42208 when `subject` cannot name a subject: empty, not UTF-8, or holding a control character.
std::optional<RegistryError> ValidateSubject(std::string_view subject);

}  // namespace assay::schema
