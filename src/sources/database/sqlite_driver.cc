// SQLite through its C API. SQLite types values, not columns: each cell gets the type of the
// value stored (an integer, a real, text, a blob), so text in an INTEGER column is graded as
// text, exactly as a CSV field would be. Declared types only name the columns' DbType.
#include <fmt/format.h>
#include <sqlite3.h>

#include <charconv>
#include <chrono>
#include <cstring>
#include <filesystem>

#include "sources/database/drivers.h"

namespace assay::sources::db {
namespace {

using SteadyClock = std::chrono::steady_clock;

bool Contains(const std::string& upper, const char* part) {
  return upper.find(part) != std::string::npos;
}

// SQLite's affinity rules (datatype3.html §3.1), plus the names that mean booleans and times.
DbType TypeOfDeclared(const char* declared) {
  if (declared == nullptr) return DbType::kOther;
  std::string upper;
  for (const char* p = declared; *p; ++p) upper.push_back(static_cast<char>(std::toupper(*p)));
  if (Contains(upper, "BOOL")) return DbType::kBoolean;
  if (Contains(upper, "INT")) return DbType::kInteger;
  if (Contains(upper, "CHAR") || Contains(upper, "CLOB") || Contains(upper, "TEXT")) {
    return DbType::kText;
  }
  if (Contains(upper, "BLOB") || upper.empty()) return DbType::kBinary;
  if (Contains(upper, "REAL") || Contains(upper, "FLOA") || Contains(upper, "DOUB")) {
    return DbType::kFloat;
  }
  if (Contains(upper, "DATETIME") || Contains(upper, "TIMESTAMP")) return DbType::kTimestamp;
  if (Contains(upper, "DATE")) return DbType::kDate;
  return DbType::kDecimal;  // NUMERIC affinity: DECIMAL(10,2), NUMERIC, ...
}

void AppendHex(std::string& out, const unsigned char* data, int size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (int i = 0; i < size; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 15]);
  }
}

class SqliteCursor final : public DbCursor {
 public:
  SqliteCursor(sqlite3* db, sqlite3_stmt* stmt, SteadyClock::time_point* deadline)
      : db_(db), stmt_(stmt), deadline_(deadline) {
    const int n = sqlite3_column_count(stmt_);
    for (int c = 0; c < n; ++c) {
      const char* decl = sqlite3_column_decltype(stmt_, c);
      columns_.push_back(
          DbColumn{sqlite3_column_name(stmt_, c), TypeOfDeclared(decl), decl ? decl : ""});
    }
  }
  ~SqliteCursor() override { sqlite3_finalize(stmt_); }
  SqliteCursor(const SqliteCursor&) = delete;
  SqliteCursor& operator=(const SqliteCursor&) = delete;

  const std::vector<DbColumn>& columns() const override { return columns_; }

  Result<size_t> Fetch(RowChunk& out, size_t max_rows) override {
    size_t rows = 0;
    while (!done_ && rows < max_rows) {
      const int rc = sqlite3_step(stmt_);
      if (rc == SQLITE_DONE) {
        done_ = true;
        break;
      }
      if (rc != SQLITE_ROW) {
        if (rc == SQLITE_INTERRUPT && *deadline_ != SteadyClock::time_point{}) {
          return Unavailable("query cancelled: statement_timeout reached");
        }
        return Unavailable(fmt::format("query failed: {}", sqlite3_errmsg(db_)));
      }
      for (int c = 0; c < static_cast<int>(columns_.size()); ++c) AppendCell(out, c);
      ++out.num_rows;
      ++rows;
    }
    return rows;
  }

 private:
  void AppendCell(RowChunk& out, int c) {
    const DbType declared = columns_[c].type;
    switch (sqlite3_column_type(stmt_, c)) {
      case SQLITE_NULL: out.AppendNull(declared); return;
      case SQLITE_INTEGER: {
        const sqlite3_int64 v = sqlite3_column_int64(stmt_, c);
        if (declared == DbType::kBoolean && (v == 0 || v == 1)) {
          out.Append(DbType::kBoolean, v ? "true" : "false");
          return;
        }
        char buf[24];
        auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
        out.Append(DbType::kInteger, std::string_view(buf, end - buf));
        return;
      }
      case SQLITE_FLOAT: {
        char buf[32];
        auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), sqlite3_column_double(stmt_, c));
        out.Append(DbType::kFloat, std::string_view(buf, end - buf));
        return;
      }
      case SQLITE_BLOB: {
        const auto* data = static_cast<const unsigned char*>(sqlite3_column_blob(stmt_, c));
        const int size = sqlite3_column_bytes(stmt_, c);
        out.AppendWith(DbType::kBinary, [&](std::string& s) { AppendHex(s, data, size); });
        return;
      }
      default: {  // TEXT: graded as text whatever the column was declared as
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, c));
        const int size = sqlite3_column_bytes(stmt_, c);
        out.Append(DbType::kText, std::string_view(text, static_cast<size_t>(size)));
        return;
      }
    }
  }

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  SteadyClock::time_point* deadline_;
  std::vector<DbColumn> columns_;
  bool done_ = false;
};

class SqliteConnection final : public DbConnection {
 public:
  SqliteConnection(sqlite3* db, std::chrono::milliseconds statement_timeout)
      : db_(db), statement_timeout_(statement_timeout) {
    dialect_.identifier_quote = '"';
    // Checked every 10k virtual-machine steps: the statement timeout without a watchdog thread.
    sqlite3_progress_handler(
        db_, 10000,
        [](void* self) -> int {
          const auto& deadline = static_cast<SqliteConnection*>(self)->deadline_;
          return deadline != SteadyClock::time_point{} && SteadyClock::now() > deadline;
        },
        this);
  }
  ~SqliteConnection() override { sqlite3_close_v2(db_); }
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  const SqlDialect& dialect() const override { return dialect_; }

  Result<std::unique_ptr<DbCursor>> Query(const std::string& sql,
                                          const std::vector<DbParam>& params) override {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), static_cast<int>(sql.size()), &stmt, nullptr) !=
        SQLITE_OK) {
      return InvalidArgument(fmt::format("query failed: {}", sqlite3_errmsg(db_)));
    }
    for (size_t i = 0; i < params.size(); ++i) {
      if (Status st = Bind(stmt, static_cast<int>(i) + 1, params[i]); !st.ok()) {
        sqlite3_finalize(stmt);
        return st;
      }
    }
    deadline_ = statement_timeout_.count() > 0 ? SteadyClock::now() + statement_timeout_
                                               : SteadyClock::time_point{};
    return std::unique_ptr<DbCursor>(std::make_unique<SqliteCursor>(db_, stmt, &deadline_));
  }

  Status Ping() override {
    sqlite3_stmt* stmt = nullptr;
    // Reading the schema proves the file is a database, not merely a file that exists.
    int rc = sqlite3_prepare_v2(db_, "SELECT count(*) FROM sqlite_schema", -1, &stmt, nullptr);
    if (rc == SQLITE_OK) rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW) return Unavailable(sqlite3_errmsg(db_));
    return Status::Ok();
  }

 private:
  Status Bind(sqlite3_stmt* stmt, int index, const DbParam& p) {
    int rc = SQLITE_OK;
    if (p.type == DbType::kInteger) {
      int64_t v = 0;
      auto [end, ec] = std::from_chars(p.text.data(), p.text.data() + p.text.size(), v);
      if (ec == std::errc() && end == p.text.data() + p.text.size()) {
        rc = sqlite3_bind_int64(stmt, index, v);
      } else {
        rc = sqlite3_bind_text(stmt, index, p.text.data(), static_cast<int>(p.text.size()),
                               SQLITE_TRANSIENT);
      }
    } else if (p.type == DbType::kFloat) {
      rc = sqlite3_bind_double(stmt, index, std::strtod(p.text.c_str(), nullptr));
    } else {
      rc = sqlite3_bind_text(stmt, index, p.text.data(), static_cast<int>(p.text.size()),
                             SQLITE_TRANSIENT);
    }
    if (rc != SQLITE_OK)
      return Internal(fmt::format("binding a parameter: {}", sqlite3_errstr(rc)));
    return Status::Ok();
  }

  sqlite3* db_;
  std::chrono::milliseconds statement_timeout_;
  SteadyClock::time_point deadline_{};
  SqlDialect dialect_;
};

}  // namespace

Result<std::unique_ptr<DbConnection>> ConnectSqlite(const ConnectOptions& options) {
  const std::string& path = options.url.database;
  const bool memory = path == ":memory:";
  std::error_code ec;
  if (!memory && !std::filesystem::is_regular_file(path, ec)) {
    return NotFound(fmt::format("no SQLite database file '{}'", path));
  }
  sqlite3* db = nullptr;
  // Read-only: a source never writes to the database it reads.
  const int rc =
      sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return Unavailable(fmt::format("cannot open '{}': {}", path, message));
  }
  sqlite3_busy_timeout(db, static_cast<int>(options.connect_timeout.count()));
  auto connection = std::make_unique<SqliteConnection>(db, options.statement_timeout);
  if (Status st = connection->Ping(); !st.ok()) {
    return Unavailable(
        fmt::format("'{}' is not a readable SQLite database: {}", path, st.message()));
  }
  return std::unique_ptr<DbConnection>(std::move(connection));
}

}  // namespace assay::sources::db
