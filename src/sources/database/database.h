#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/status.h"
#include "sources/database/database_url.h"

/// The database connector of DESIGN.md §5: one driver per file (sqlite_driver.cc,
/// postgres_driver.cc, mariadb_driver.cc, odbc_driver.cc) behind the interfaces below, chosen by
/// the URL's scheme in database.cc. The reader (database_reader.h) turns a cursor's rows into
/// batches; drivers know nothing of batches or schemas.
namespace assay::sources::db {

/// What a result column holds, as far as grading is concerned (docs/database-sources.md has
/// the mapping of each database's types onto these).
enum class DbType : unsigned char {
  kText,         ///< character data: type-checked like CSV text
  kInteger,      ///< exact integers
  kDecimal,      ///< numeric/decimal: the exact decimal literal
  kFloat,        ///< real/double: shortest round-trip literal ("NaN"/"Infinity" fail number checks)
  kBoolean,      ///< "true" / "false"
  kTimestamp,    ///< without time zone: read as UTC, "YYYY-MM-DDTHH:MM:SS[.ffffff]Z"
  kTimestampTz,  ///< with time zone: converted to UTC, same text as kTimestamp
  kDate,         ///< "YYYY-MM-DD"
  kTime,         ///< "HH:MM:SS[.ffffff]" (a string to the schema)
  kJson,         ///< json/jsonb: the JSON text, graded as text
  kBinary,       ///< bytea/blob: lowercase hex
  kOther,        ///< anything else (uuid, interval, arrays, ...): the driver's text form
};

std::string_view DbTypeName(DbType type);

struct DbColumn {
  std::string name;
  DbType type = DbType::kText;
  std::string native_type;  ///< the database's own type name, for messages and docs
};

/// A chunk of rows in row-major order: cell (r, c) is cells[r * num_columns + c], its bytes
/// bytes.substr(offset, size). Values are in the canonical text of their DbType, which is the
/// cell's own: SQLite types values, not columns, so a cell may differ from its column. One
/// allocation per chunk, not per value: the reader hands `bytes` to the batch, whose views
/// point into it.
struct RowChunk {
  struct Cell {
    uint32_t offset = 0;
    uint32_t size = 0;
    DbType type = DbType::kText;
    bool null = true;
  };
  std::string bytes;
  std::vector<Cell> cells;
  size_t num_rows = 0;

  void Clear() {
    bytes.clear();
    cells.clear();
    num_rows = 0;
  }
  void AppendNull(DbType type) { cells.push_back(Cell{0, 0, type, true}); }
  void Append(DbType type, std::string_view value) {
    cells.push_back(Cell{static_cast<uint32_t>(bytes.size()), static_cast<uint32_t>(value.size()),
                         type, false});
    bytes.append(value);
  }
  /// Appends what `write(std::string&)` adds to `bytes` as one cell.
  template <typename Write>
  void AppendWith(DbType type, Write&& write) {
    const size_t start = bytes.size();
    write(bytes);
    cells.push_back(Cell{static_cast<uint32_t>(start), static_cast<uint32_t>(bytes.size() - start),
                         type, false});
  }
  std::string_view value(const Cell& cell) const {
    return std::string_view(bytes).substr(cell.offset, cell.size);
  }
};

/// A typed parameter of a query: a value a cursor returned (a watermark), given back. Each driver
/// binds its own canonical text so that it compares with the column as the stored value does.
struct DbParam {
  DbType type = DbType::kText;
  std::string text;
};

/// The rows of one running query, streamed: memory is bounded by the fetch size, not the result.
class DbCursor {
 public:
  virtual ~DbCursor() = default;
  virtual const std::vector<DbColumn>& columns() const = 0;
  /// Appends up to `max_rows` rows to `out`; returns how many (0 = the result is exhausted).
  virtual Result<size_t> Fetch(RowChunk& out, size_t max_rows) = 0;
};

/// How to reach a database: the parsed `url:` plus the source's security and timeout keys.
struct ConnectOptions {
  DatabaseUrl url;
  std::optional<std::string> password;  ///< from `password:` / `password_file:`; wins over the URL
  std::string tls_mode;  ///< disable|prefer|require|verify-ca|verify-full; "" = driver default
  std::string tls_ca_file;
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds statement_timeout{0};  ///< 0 = none
  size_t fetch_rows = 10'000;                      ///< rows per round trip
};

/// The SQL dialect details the reader needs to build a query.
struct SqlDialect {
  char identifier_quote = '"';
  bool numbered_placeholders = false;  ///< PostgreSQL's $1, $2 instead of ?

  /// `name` quoted as an identifier; a dotted name (schema.table) is quoted part by part.
  std::string QuoteName(std::string_view name) const;
  std::string Placeholder(int index) const;  ///< 1-based
};

/// One open connection. Not thread-safe: one per reading thread.
class DbConnection {
 public:
  virtual ~DbConnection() = default;
  virtual const SqlDialect& dialect() const = 0;
  /// Runs `sql` with `params` bound to its placeholders and streams its rows.
  virtual Result<std::unique_ptr<DbCursor>> Query(const std::string& sql,
                                                  const std::vector<DbParam>& params) = 0;
  /// A cheap round trip (`SELECT 1`) for health checks.
  virtual Status Ping() = 0;
};

/// Connects with the driver the URL's scheme names. Errors name the redacted URL, never the
/// password: kUnavailable when the server cannot be reached (worth retrying),
/// kPermissionDenied when it refuses the login and kNotFound when the database does not exist
/// (not worth retrying), and kInvalidArgument for options the driver does not accept.
Result<std::unique_ptr<DbConnection>> Connect(const ConnectOptions& options);

/// Whether a driver's message says the server refused the login (wrong user or password, no
/// access from this host), in the words the common servers and ODBC drivers use.
bool IsRefusedLogin(std::string_view message);

/// Appends `bytes` as lowercase hex: the canonical text of kBinary values.
void AppendHex(std::string& out, std::string_view bytes);

/// Removes a password (the text of `password`, and `password=`/`PWD=` values) from a driver's
/// message before it is logged or returned.
std::string Redact(std::string_view message, const ConnectOptions& options);

}  // namespace assay::sources::db
