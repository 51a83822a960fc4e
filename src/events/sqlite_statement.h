#pragma once

// Internal to src/events: a prepared SQLite statement that finalizes itself, with errors mapped
// to Status codes that carry retry meaning (busy = kUnavailable, corrupt = kDataLoss).

#include <fmt/format.h>
#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace assay::events::internal {

/// The Status for a failed SQLite call with result code `rc` on `db`.
inline Status SqliteError(sqlite3* db, int rc) {
  std::string message = fmt::format("state store: {}", sqlite3_errmsg(db));
  int primary = rc & 0xff;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) return Unavailable(message);
  if (primary == SQLITE_FULL || primary == SQLITE_IOERR) {
    return {StatusCode::kResourceExhausted, message};
  }
  if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) return DataLoss(message);
  return Internal(message);
}

/// One prepared statement; bind parameters are 1-based, columns 0-based.
class SqliteStatement {
 public:
  SqliteStatement(sqlite3* db, std::string_view sql) : db_(db) {
    rc_ = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
  }
  ~SqliteStatement() { sqlite3_finalize(stmt_); }
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  /// Whether preparing succeeded.
  Status status() const { return rc_ == SQLITE_OK ? Status::Ok() : SqliteError(db_, rc_); }

  SqliteStatement& Bind(int i, std::string_view v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  SqliteStatement& Bind(int i, int64_t v) {
    sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  SqliteStatement& BindNull(int i) {
    sqlite3_bind_null(stmt_, i);
    return *this;
  }

  /// SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return sqlite3_step(stmt_); }
  /// Runs a statement that returns no rows.
  Status StepDone() {
    int rc = Step();
    return rc == SQLITE_DONE ? Status::Ok() : SqliteError(db_, rc);
  }
  Status ErrorFor(int rc) const { return SqliteError(db_, rc); }

  std::string Text(int col) const {
    const unsigned char* p = sqlite3_column_text(stmt_, col);
    if (p == nullptr) return {};
    return {reinterpret_cast<const char*>(p),
            static_cast<size_t>(sqlite3_column_bytes(stmt_, col))};
  }
  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  int rc_;
};

}  // namespace assay::events::internal
