#include "events/registry_store.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <cstdlib>

#include "core/clock.h"
#include "events/sqlite_statement.h"

namespace assay::events {
namespace {

using internal::SqliteStatement;

// Bumped when a registry table changes shape; an older binary refuses a newer file.
constexpr int kRegistrySchemaVersion = 1;

constexpr const char* kRegistrySql = R"sql(
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS registry_schemas (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  format TEXT NOT NULL,
  canonical TEXT NOT NULL,
  text TEXT NOT NULL,
  created_at_us INTEGER NOT NULL,
  UNIQUE (format, canonical));
CREATE TABLE IF NOT EXISTS registry_versions (
  subject TEXT NOT NULL,
  version INTEGER NOT NULL,
  schema_id INTEGER NOT NULL REFERENCES registry_schemas (id),
  deleted INTEGER NOT NULL DEFAULT 0,
  created_at_us INTEGER NOT NULL,
  PRIMARY KEY (subject, version));
CREATE INDEX IF NOT EXISTS registry_versions_by_schema ON registry_versions (schema_id);
CREATE TABLE IF NOT EXISTS registry_subject_config (
  subject TEXT PRIMARY KEY,
  compatibility TEXT,
  policy TEXT);
CREATE TABLE IF NOT EXISTS registry_global_config (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  compatibility TEXT,
  policy TEXT);
)sql";

constexpr std::string_view kVersionColumns = "subject, version, schema_id, deleted";

RegistrySchemaRow ReadSchema(const SqliteStatement& s) {
  return RegistrySchemaRow{s.Int(0), s.Text(1), s.Text(2), s.Text(3)};
}

}  // namespace

Result<std::unique_ptr<RegistryStore>> RegistryStore::Open(const std::filesystem::path& state_dir) {
  std::error_code ec;
  std::filesystem::create_directories(state_dir, ec);
  if (ec) {
    return ErrnoStatus(ec.value(), fmt::format("cannot create state_dir {}", state_dir.string()));
  }
  std::filesystem::path path = state_dir / "assay.db";
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = fmt::format("cannot open state store {}: {}", path.string(),
                                      db != nullptr ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close(db);
    return Unavailable(message);
  }
  std::unique_ptr<RegistryStore> store(new RegistryStore(db, path));
  sqlite3_busy_timeout(db, 10000);
  RETURN_IF_ERROR(store->Exec("PRAGMA journal_mode=WAL"));
  RETURN_IF_ERROR(store->Exec("PRAGMA synchronous=FULL"));
  RETURN_IF_ERROR(store->InTransaction([&]() -> Status {
    RETURN_IF_ERROR(store->Exec(kRegistrySql));
    SqliteStatement version(db, "SELECT value FROM meta WHERE key = 'registry_schema_version'");
    RETURN_IF_ERROR(version.status());
    int step = version.Step();
    if (step == SQLITE_ROW) {
      if (std::atoi(version.Text(0).c_str()) > kRegistrySchemaVersion) {
        return FailedPrecondition(
            fmt::format("the registry in state store {} was written by a newer assay (schema {})",
                        path.string(), version.Text(0)));
      }
      return Status::Ok();
    }
    if (step != SQLITE_DONE) return version.ErrorFor(step);
    SqliteStatement insert(db,
                           "INSERT INTO meta (key, value) VALUES ('registry_schema_version', ?)");
    RETURN_IF_ERROR(insert.status());
    return insert.Bind(1, std::to_string(kRegistrySchemaVersion)).StepDone();
  }));
  return store;
}

RegistryStore::~RegistryStore() { sqlite3_close(db_); }

Status RegistryStore::Exec(const char* sql) {
  char* error = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &error);
  if (rc == SQLITE_OK) return Status::Ok();
  Status status = internal::SqliteError(db_, rc);
  sqlite3_free(error);
  return status;
}

Status RegistryStore::InTransaction(const std::function<Status()>& body) {
  RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  Status status = body();
  if (status.ok()) status = Exec("COMMIT");
  if (!status.ok()) (void)Exec("ROLLBACK");
  return status;
}

Result<std::optional<RegistrySchemaRow>> RegistryStore::SchemaById(int64_t id) {
  SqliteStatement s(db_, "SELECT id, format, canonical, text FROM registry_schemas WHERE id = ?");
  RETURN_IF_ERROR(s.status());
  s.Bind(1, id);
  int rc = s.Step();
  if (rc == SQLITE_ROW) return std::optional<RegistrySchemaRow>(ReadSchema(s));
  if (rc == SQLITE_DONE) return std::optional<RegistrySchemaRow>();
  return s.ErrorFor(rc);
}

Result<std::optional<RegistrySchemaRow>> RegistryStore::SchemaByCanonical(
    std::string_view format, std::string_view canonical) {
  SqliteStatement s(db_,
                    "SELECT id, format, canonical, text FROM registry_schemas "
                    "WHERE format = ? AND canonical = ?");
  RETURN_IF_ERROR(s.status());
  s.Bind(1, format).Bind(2, canonical);
  int rc = s.Step();
  if (rc == SQLITE_ROW) return std::optional<RegistrySchemaRow>(ReadSchema(s));
  if (rc == SQLITE_DONE) return std::optional<RegistrySchemaRow>();
  return s.ErrorFor(rc);
}

Result<int64_t> RegistryStore::InsertSchema(std::string_view format, std::string_view canonical,
                                            std::string_view text) {
  SqliteStatement s(db_,
                    "INSERT INTO registry_schemas (format, canonical, text, created_at_us) "
                    "VALUES (?, ?, ?, ?)");
  RETURN_IF_ERROR(s.status());
  RETURN_IF_ERROR(
      s.Bind(1, format).Bind(2, canonical).Bind(3, text).Bind(4, WallClockMicros()).StepDone());
  return static_cast<int64_t>(sqlite3_last_insert_rowid(db_));
}

Result<std::vector<RegistryVersionRow>> RegistryStore::QueryVersions(
    std::string_view sql, std::optional<std::string_view> subject,
    std::optional<int64_t> schema_id) {
  SqliteStatement s(db_, sql);
  RETURN_IF_ERROR(s.status());
  if (subject) s.Bind(1, *subject);
  if (schema_id) s.Bind(1, *schema_id);
  std::vector<RegistryVersionRow> out;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    out.push_back(
        RegistryVersionRow{s.Text(0), static_cast<int>(s.Int(1)), s.Int(2), s.Int(3) != 0});
  }
  if (rc != SQLITE_DONE) return s.ErrorFor(rc);
  return out;
}

Result<std::vector<RegistryVersionRow>> RegistryStore::Versions(std::string_view subject) {
  return QueryVersions(fmt::format("SELECT {} FROM registry_versions WHERE subject = ? "
                                   "ORDER BY version",
                                   kVersionColumns),
                       subject, std::nullopt);
}

Result<std::vector<RegistryVersionRow>> RegistryStore::AllVersions() {
  return QueryVersions(
      fmt::format("SELECT {} FROM registry_versions ORDER BY subject, version", kVersionColumns),
      std::nullopt, std::nullopt);
}

Result<std::vector<RegistryVersionRow>> RegistryStore::VersionsOfSchema(int64_t id) {
  return QueryVersions(fmt::format("SELECT {} FROM registry_versions WHERE schema_id = ? "
                                   "ORDER BY subject, version",
                                   kVersionColumns),
                       std::nullopt, id);
}

Status RegistryStore::InsertVersion(std::string_view subject, int version, int64_t schema_id) {
  SqliteStatement s(db_,
                    "INSERT INTO registry_versions (subject, version, schema_id, deleted, "
                    "created_at_us) VALUES (?, ?, ?, 0, ?)");
  RETURN_IF_ERROR(s.status());
  s.Bind(1, subject).Bind(2, int64_t{version}).Bind(3, schema_id).Bind(4, WallClockMicros());
  int rc = s.Step();
  if (rc == SQLITE_DONE) return Status::Ok();
  if ((rc & 0xff) == SQLITE_CONSTRAINT) {
    return {StatusCode::kAlreadyExists,
            fmt::format("version {} of subject '{}' already exists", version, subject)};
  }
  return s.ErrorFor(rc);
}

Status RegistryStore::MarkDeleted(std::string_view subject, std::optional<int> version) {
  SqliteStatement s(db_, version ? "UPDATE registry_versions SET deleted = 1 "
                                   "WHERE subject = ? AND version = ?"
                                 : "UPDATE registry_versions SET deleted = 1 WHERE subject = ?");
  RETURN_IF_ERROR(s.status());
  s.Bind(1, subject);
  if (version) s.Bind(2, int64_t{*version});
  return s.StepDone();
}

Status RegistryStore::RemoveVersions(std::string_view subject, std::optional<int> version) {
  SqliteStatement s(db_, version ? "DELETE FROM registry_versions WHERE subject = ? AND version = ?"
                                 : "DELETE FROM registry_versions WHERE subject = ?");
  RETURN_IF_ERROR(s.status());
  s.Bind(1, subject);
  if (version) s.Bind(2, int64_t{*version});
  return s.StepDone();
}

Result<std::optional<RegistryConfigRow>> RegistryStore::Config(
    std::optional<std::string_view> subject) {
  SqliteStatement s(db_, subject ? "SELECT compatibility, policy FROM registry_subject_config "
                                   "WHERE subject = ?"
                                 : "SELECT compatibility, policy FROM registry_global_config "
                                   "WHERE id = 1");
  RETURN_IF_ERROR(s.status());
  if (subject) s.Bind(1, *subject);
  int rc = s.Step();
  if (rc == SQLITE_DONE) return std::optional<RegistryConfigRow>();
  if (rc != SQLITE_ROW) return s.ErrorFor(rc);
  RegistryConfigRow row;
  if (!s.IsNull(0)) row.compatibility = s.Text(0);
  if (!s.IsNull(1)) row.policy = s.Text(1);
  return std::optional<RegistryConfigRow>(std::move(row));
}

Status RegistryStore::PutConfig(std::optional<std::string_view> subject,
                                const RegistryConfigRow& config) {
  SqliteStatement s(db_, subject ? "INSERT OR REPLACE INTO registry_subject_config "
                                   "(compatibility, policy, subject) VALUES (?, ?, ?)"
                                 : "INSERT OR REPLACE INTO registry_global_config "
                                   "(compatibility, policy, id) VALUES (?, ?, 1)");
  RETURN_IF_ERROR(s.status());
  if (config.compatibility) {
    s.Bind(1, *config.compatibility);
  } else {
    s.BindNull(1);
  }
  if (config.policy) {
    s.Bind(2, *config.policy);
  } else {
    s.BindNull(2);
  }
  if (subject) s.Bind(3, *subject);
  return s.StepDone();
}

Status RegistryStore::DeleteConfig(std::optional<std::string_view> subject) {
  SqliteStatement s(db_, subject ? "DELETE FROM registry_subject_config WHERE subject = ?"
                                 : "DELETE FROM registry_global_config WHERE id = 1");
  RETURN_IF_ERROR(s.status());
  if (subject) s.Bind(1, *subject);
  return s.StepDone();
}

}  // namespace assay::events
