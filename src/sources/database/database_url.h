#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace assay::sources::db {

/// Which driver a URL's scheme picks.
enum class Driver : unsigned char { kPostgres, kMariaDb, kSqlite, kOdbc, kRedis };

std::string_view DriverName(Driver driver);

/// A database source's `url:` in SQLAlchemy's form (docs/database-sources.md):
///   postgresql://user[:password]@host[:port]/database[?key=value&...]   (also postgres://)
///   mysql://... or mariadb://...                                        (same shape)
///   sqlite:///relative/path.db, sqlite:////absolute/path.db, sqlite:///:memory:
///   odbc://DSN, odbc://user[:password]@DSN, or odbc:<connection string with key=value;...>
///   redis://[user][:password]@host[:port][/db]                          (type: redis sources)
/// A "+dialect" suffix on the scheme (postgresql+psycopg2) is accepted and ignored, so URLs
/// copied from a Python project work. User, password, host and database are percent-decoded.
struct DatabaseUrl {
  Driver driver = Driver::kPostgres;
  std::string user;
  std::optional<std::string> password;
  std::string host;
  std::optional<int> port;
  std::string database;  ///< the database name; for SQLite the file path; for ODBC the DSN
  std::vector<std::pair<std::string, std::string>> params;  ///< the query string, decoded
  std::string odbc_connection_string;  ///< odbc:<connection string>, as written

  /// The URL with any password replaced by "***": what messages, logs and events show.
  std::string Redacted() const;
  /// The value of query parameter `key`, if given.
  std::optional<std::string> Param(std::string_view key) const;
};

/// Parses `text`; kInvalidArgument naming what is wrong (never echoing a password).
Result<DatabaseUrl> ParseDatabaseUrl(std::string_view text);

}  // namespace assay::sources::db
