#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

struct sqlite3;

namespace assay::events {

/// One schema known to the registry under a global id (ids start at 1 and are never reused).
struct RegistrySchemaRow {
  int64_t id = 0;
  std::string format;     ///< "AVRO" | "JSON" (Confluent's schemaType)
  std::string canonical;  ///< the dedup key: identical schemas share one id
  std::string text;       ///< the text exactly as first registered
};

/// One version of a subject.
struct RegistryVersionRow {
  std::string subject;
  int version = 0;
  int64_t schema_id = 0;
  bool deleted = false;  ///< soft-deleted: hidden unless asked for, still counts for numbering
};

/// Compatibility settings of one scope (global or a subject); an absent value means "inherit".
struct RegistryConfigRow {
  std::optional<std::string> compatibility;  ///< "BACKWARD", ...
  std::optional<std::string> policy;         ///< "CONFLUENT" | "LENIENT"
};

/// The schema registry's tables (DESIGN.md §6, §7) in the state store's SQLite file
/// (`<state_dir>/assay.db`): schemas by global id, subject versions with a deleted flag, subject
/// and global compatibility config. It knows rows, not rules: SchemaRegistry (src/schema) decides
/// what to write.
///
/// The store has its own connection to the file, so it can sit beside a StateStore of the same
/// directory (SQLite WAL serialises writers across connections and processes). Calls are not
/// locked: one thread at a time (SchemaRegistry serialises them). Every write outside
/// InTransaction is its own durable transaction.
class RegistryStore {
 public:
  /// Opens (creating if needed) `<state_dir>/assay.db` and the registry tables.
  static Result<std::unique_ptr<RegistryStore>> Open(const std::filesystem::path& state_dir);
  ~RegistryStore();
  RegistryStore(const RegistryStore&) = delete;
  RegistryStore& operator=(const RegistryStore&) = delete;

  /// Runs `body` in one write transaction (BEGIN IMMEDIATE: no other writer, in this process or
  /// another, can interleave between its reads and its writes). Commits when `body` returns ok,
  /// rolls back otherwise and returns body's Status. Not reentrant.
  Status InTransaction(const std::function<Status()>& body);

  /// The schema with this id, if any.
  Result<std::optional<RegistrySchemaRow>> SchemaById(int64_t id);
  /// The schema with this format and canonical text, if any.
  Result<std::optional<RegistrySchemaRow>> SchemaByCanonical(std::string_view format,
                                                             std::string_view canonical);
  /// Stores a new schema and returns its id (one above every id ever given).
  Result<int64_t> InsertSchema(std::string_view format, std::string_view canonical,
                               std::string_view text);

  /// Every version of `subject` (deleted ones too), oldest first.
  Result<std::vector<RegistryVersionRow>> Versions(std::string_view subject);
  /// Every version of every subject, by subject then version.
  Result<std::vector<RegistryVersionRow>> AllVersions();
  /// Every version (of any subject) that refers to schema `id`, by subject then version.
  Result<std::vector<RegistryVersionRow>> VersionsOfSchema(int64_t id);
  /// Adds version `version` of `subject` (not deleted). kAlreadyExists if it exists.
  Status InsertVersion(std::string_view subject, int version, int64_t schema_id);
  /// Marks versions soft-deleted (all of the subject's when `version` is nullopt).
  Status MarkDeleted(std::string_view subject, std::optional<int> version);
  /// Removes versions for good (all of the subject's when `version` is nullopt).
  Status RemoveVersions(std::string_view subject, std::optional<int> version);

  /// The config of `subject`, or of the global scope when `subject` is nullopt; nullopt when
  /// that scope has none.
  Result<std::optional<RegistryConfigRow>> Config(std::optional<std::string_view> subject);
  /// Replaces the config of a scope.
  Status PutConfig(std::optional<std::string_view> subject, const RegistryConfigRow& config);
  /// Removes the config of a scope (nothing to do is not an error).
  Status DeleteConfig(std::optional<std::string_view> subject);

  const std::filesystem::path& path() const { return path_; }

 private:
  RegistryStore(sqlite3* db, std::filesystem::path path) : db_(db), path_(std::move(path)) {}
  Status Exec(const char* sql);
  Result<std::vector<RegistryVersionRow>> QueryVersions(std::string_view sql,
                                                        std::optional<std::string_view> subject,
                                                        std::optional<int64_t> schema_id);

  sqlite3* db_;
  std::filesystem::path path_;
};

}  // namespace assay::events
