// The ODBC driver through unixODBC with real ODBC drivers and no system-wide configuration:
// Debian's SQLite ODBC driver (libsqliteodbc) named by path in the connection string or in a DSN
// of a private odbc.ini, and the PostgreSQL ODBC driver (odbc-postgresql) against a real
// PostgreSQL server (tests/servers/postgres_server.h).
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <odbcinst.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "sources/database/database.h"
#include "tests/database/database_test_util.h"
#include "tests/servers/postgres_server.h"
#include "tests/servers/server_process.h"

namespace assay::sources::db {
namespace {

constexpr const char* kSqliteOdbc = "/usr/lib/x86_64-linux-gnu/odbc/libsqlite3odbc.so";
constexpr const char* kPostgresOdbc = "/usr/lib/x86_64-linux-gnu/odbc/psqlodbcw.so";

using namespace assay::sources::db::testing;  // NOLINT(google-build-using-namespace)

Result<std::unique_ptr<DbConnection>> ConnectUrl(const std::string& url,
                                                 std::optional<std::string> password = {}) {
  ConnectOptions options;
  ASSIGN_OR_RETURN(options.url, ParseDatabaseUrl(url));
  options.password = std::move(password);
  options.connect_timeout = std::chrono::seconds(5);
  return Connect(options);
}

class OdbcSqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Result<assay::testing::TempDirectory> dir = assay::testing::TempDirectory::Make("assay-odbc-");
    ASSERT_TRUE(dir.ok()) << dir.status().message();
    dir_.emplace(std::move(*dir));
    db_ = (dir_->path() / "shop.db").string();
  }

  void Exec(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    EXPECT_EQ(rc, SQLITE_OK) << (error ? error : "");
    sqlite3_free(error);
    sqlite3_close(db);
  }

  std::string Url() const { return std::string("odbc:Driver=") + kSqliteOdbc + ";Database=" + db_; }

  std::unique_ptr<DbConnection> Open() {
    Result<std::unique_ptr<DbConnection>> connection = ConnectUrl(Url());
    EXPECT_TRUE(connection.ok()) << connection.status().message();
    return connection.ok() ? std::move(connection).value() : nullptr;
  }

  std::optional<assay::testing::TempDirectory> dir_;
  std::string db_;
};

TEST_F(OdbcSqliteTest, TypesMapOntoDbTypesWithCanonicalText) {
  Exec(
      "CREATE TABLE t (i INTEGER, big BIGINT, r DOUBLE, d DECIMAL(10,2), b BOOLEAN, "
      "tx VARCHAR(20), ts TIMESTAMP, day DATE, bl BLOB);"
      "INSERT INTO t VALUES (42, 9007199254740993, 0.25, '10.25', 1, 'héllo', "
      "'2024-02-29 23:59:58.123', '2024-02-29', x'00ff');"
      "INSERT INTO t VALUES (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);");
  auto connection = Open();
  ASSERT_NE(connection, nullptr);
  EXPECT_EQ(connection->dialect().identifier_quote, '"');
  std::vector<DbColumn> columns;
  Rows rows = ReadAll(*connection, "SELECT * FROM t", {}, &columns);
  ASSERT_EQ(rows.size(), 2U);
  ExpectTypeRows(columns, rows,
                 {
                     {"i", DbType::kInteger, "42"},
                     {"big", DbType::kInteger, "9007199254740993"},
                     {"r", DbType::kFloat, "0.25"},
                     {"d", DbType::kText, "10.25"},
                     {"b", DbType::kBoolean, "true"},
                     {"tx", DbType::kText, "héllo"},
                     {"ts", DbType::kTimestamp, "2024-02-29T23:59:58.123000Z"},
                     {"day", DbType::kDate, "2024-02-29"},
                     {"bl", DbType::kBinary, "00ff"},
                 });
}

TEST_F(OdbcSqliteTest, ADsnFromAPrivateOdbcIniWorks) {
  Exec("CREATE TABLE t (id INTEGER); INSERT INTO t VALUES (1), (2);");
  const std::string ini = (dir_->path() / "odbc.ini").string();
  std::ofstream(ini) << "[assay_shop]\nDriver = " << kSqliteOdbc << "\nDatabase = " << db_ << "\n";
  // unixODBC reads the user's DSNs from $ODBCINI: no system-wide file is touched.
  const char* old = std::getenv("ODBCINI");
  const std::string saved = old ? old : "";
  setenv("ODBCINI", ini.c_str(), 1);
  // The driver manager sees the DSN. (Calling into libodbcinst also keeps it loaded: the SQLite
  // driver dlopens it for its own DSN lookup, and memory it caches there would otherwise be
  // reported as leaked under `make sanitize` once the driver unloads it again.)
  char driver[512] = {};
  SQLGetPrivateProfileString("assay_shop", "Driver", "", driver, sizeof(driver), "odbc.ini");
  EXPECT_STREQ(driver, kSqliteOdbc);
  Result<std::unique_ptr<DbConnection>> connection = ConnectUrl("odbc://assay_shop");
  Result<std::unique_ptr<DbConnection>> unknown = ConnectUrl("odbc://user:S3cret@no_such_dsn");
  if (old) {
    setenv("ODBCINI", saved.c_str(), 1);
  } else {
    unsetenv("ODBCINI");
  }
  ASSERT_TRUE(connection.ok()) << connection.status().message();
  EXPECT_EQ(ReadAll(**connection, "SELECT id FROM t").size(), 2U);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.status().message().find("IM002"), std::string::npos)
      << unknown.status().message();
  EXPECT_EQ(unknown.status().message().find("S3cret"), std::string::npos);
}

TEST_F(OdbcSqliteTest, BadSqlNamesTheDiagnosticAndAMissingDriverIsRedacted) {
  Exec("CREATE TABLE t (id INTEGER);");
  auto connection = Open();
  ASSERT_NE(connection, nullptr);
  Result<std::unique_ptr<DbCursor>> bad = connection->Query("SELEC 1", {});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("syntax error"), std::string::npos)
      << bad.status().message();
  EXPECT_EQ(ReadAll(*connection, "SELECT * FROM t").size(), 0U);  // still usable

  Result<std::unique_ptr<DbConnection>> missing =
      ConnectUrl("odbc:Driver=/nonexistent/libnothing.so;Database=x;PWD=Hush-42");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message().find("Hush-42"), std::string::npos)
      << missing.status().message();
  EXPECT_NE(missing.status().message().find("PWD=***"), std::string::npos)
      << missing.status().message();
}

TEST_F(OdbcSqliteTest, WatermarksRoundTrip) {
  Exec(
      "CREATE TABLE marks (id INTEGER, name TEXT, amount DOUBLE);"
      "INSERT INTO marks VALUES (9007199254740993, 'a''b', 0.5), (9007199254740994, 'a?c', "
      "1.25), (9007199254740995, 'b', 1e300);");
  auto connection = Open();
  ASSERT_NE(connection, nullptr);
  ExpectWatermarkRoundTrip(*connection, "marks", "id", 0, 3);
  ExpectWatermarkRoundTrip(*connection, "marks", "name", 1, 3);
  ExpectWatermarkRoundTrip(*connection, "marks", "amount", 2, 3);
}

TEST_F(OdbcSqliteTest, AMillionRowsStreamInBoundedMemory) {
  Exec(
      "CREATE TABLE big (id INTEGER, name TEXT);"
      "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000) "
      "INSERT INTO big SELECT i, 'name-' || i || '-' || printf('%.160c', 'x') FROM n;");
  auto connection = Open();
  ASSERT_NE(connection, nullptr);
  // The SQLite driver is found by its name and told to step through the result (StepAPI).
  const long before = ProcStatusKiB("VmRSS");  // the query may read the whole result
  Result<std::unique_ptr<DbCursor>> cursor = connection->Query("SELECT id, name FROM big", {});
  ASSERT_TRUE(cursor.ok()) << cursor.status().message();
  ExpectAMillionRowsInBoundedMemory(**cursor, "ODBC/SQLite", before);
}

// ---- The PostgreSQL ODBC driver against a real PostgreSQL ----

class OdbcPostgresTest : public assay::testing::PostgresTest {
 protected:
  // UseDeclareFetch: psqlodbc reads through a server-side cursor, Fetch rows at a time, instead
  // of the whole result at execute time.
  static std::string Url(std::string_view password = assay::testing::PostgresServer::kPassword) {
    return fmt::format(
        "odbc:Driver={};Server=127.0.0.1;Port={};Database={};UID={};PWD={};UseDeclareFetch=1;"
        "Fetch=1000;ConnSettings=SET TIME ZONE 'UTC'",
        kPostgresOdbc, server().port(), assay::testing::PostgresServer::kDatabase,
        assay::testing::PostgresServer::kUser, password);
  }
  static std::unique_ptr<DbConnection> Open() {
    Result<std::unique_ptr<DbConnection>> connection = ConnectUrl(Url());
    EXPECT_TRUE(connection.ok()) << connection.status().message();
    return connection.ok() ? std::move(connection).value() : nullptr;
  }
  // Tables are created by the superuser; the test role reads them.
  static void Sql(const std::string& sql) {
    Result<std::string> out =
        server().Sql(sql + ";GRANT SELECT ON ALL TABLES IN SCHEMA public TO " +
                     std::string(assay::testing::PostgresServer::kUser));
    ASSERT_TRUE(out.ok()) << out.status().message();
  }
};

TEST_F(OdbcPostgresTest, TypesAndNulls) {
  Sql("DROP TABLE IF EXISTS t;"
      "CREATE TABLE t (i int, big bigint, n numeric(30,10), r real, d double precision, "
      "b boolean, tx text, vc varchar(20), ts timestamp(6), day date, tm time, by bytea);"
      "INSERT INTO t VALUES (42, 9007199254740993, 12345678901234567890.0123456789, 0.1, "
      "0.30000000000000004, true, 'héllo wörld', 'ab', '2024-02-29 23:59:58.000123', "
      "'2024-02-29', '12:34:56', '\\x00ff');"
      "INSERT INTO t VALUES (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
      "NULL);");
  auto connection = Open();
  ASSERT_NE(connection, nullptr);
  std::vector<DbColumn> columns;
  Rows rows = ReadAll(*connection, "SELECT * FROM t ORDER BY i NULLS LAST", {}, &columns);
  ASSERT_EQ(rows.size(), 2U);
  ExpectTypeRows(columns, rows,
                 {
                     {"i", DbType::kInteger, "42"},
                     {"big", DbType::kInteger, "9007199254740993"},
                     {"n", DbType::kDecimal, "12345678901234567890.0123456789"},
                     {"r", DbType::kFloat, "0.1"},
                     {"d", DbType::kFloat, "0.30000000000000004"},
                     {"b", DbType::kBoolean, "true"},
                     {"tx", DbType::kText, "héllo wörld"},
                     {"vc", DbType::kText, "ab"},
                     {"ts", DbType::kTimestamp, "2024-02-29T23:59:58.000123Z"},
                     {"day", DbType::kDate, "2024-02-29"},
                     {"tm", DbType::kTime, "12:34:56"},
                     {"by", DbType::kBinary, "00ff"},
                 });
}

TEST_F(OdbcPostgresTest, WatermarksRoundTrip) {
  Sql("DROP TABLE IF EXISTS marks;"
      "CREATE TABLE marks (id bigint, at timestamp(6), amount numeric(30,10), name varchar(40));"
      "INSERT INTO marks VALUES "
      "(9007199254740993, '2024-01-01 00:00:00.000001', 12345678901234567890.0000000001, 'a''b'),"
      "(9007199254740994, '2024-01-01 00:00:00.000002', 12345678901234567890.0000000002, 'a?c'),"
      "(9007199254740995, '2024-01-01 00:00:00.000003', 12345678901234567890.0000000003, 'b');");
  auto connection = Open();
  ASSERT_NE(connection, nullptr);
  ExpectWatermarkRoundTrip(*connection, "marks", "id", 0, 3);
  ExpectWatermarkRoundTrip(*connection, "marks", "at", 1, 3);
  ExpectWatermarkRoundTrip(*connection, "marks", "amount", 2, 3);
  ExpectWatermarkRoundTrip(*connection, "marks", "name", 3, 3);
}

TEST_F(OdbcPostgresTest, AWrongPasswordIsRefusedWithoutShowingIt) {
  const std::string wrong = "Wr0ng-pass-odbc";
  Result<std::unique_ptr<DbConnection>> connection = ConnectUrl(Url(wrong));
  ASSERT_FALSE(connection.ok());
  EXPECT_EQ(connection.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(connection.status().message().find(wrong), std::string::npos)
      << connection.status().message();
  EXPECT_NE(connection.status().message().find("password authentication failed"), std::string::npos)
      << connection.status().message();
}

TEST_F(OdbcPostgresTest, AnUnreachablePortFailsAsUnavailable) {
  Result<int> port = assay::testing::FreeTcpPort();
  ASSERT_TRUE(port.ok());
  Result<std::unique_ptr<DbConnection>> connection = ConnectUrl(fmt::format(
      "odbc:Driver={};Server=127.0.0.1;Port={};Database=x;UID=x", kPostgresOdbc, *port));
  ASSERT_FALSE(connection.ok());
  EXPECT_EQ(connection.status().code(), StatusCode::kUnavailable) << connection.status().message();
}

TEST_F(OdbcPostgresTest, TheStatementTimeoutCancelsALongQuery) {
  ConnectOptions options;
  options.url = *ParseDatabaseUrl(Url());
  options.statement_timeout = std::chrono::seconds(1);
  Result<std::unique_ptr<DbConnection>> connection = Connect(options);
  ASSERT_TRUE(connection.ok()) << connection.status().message();
  const auto start = std::chrono::steady_clock::now();
  Result<std::unique_ptr<DbCursor>> cursor = (*connection)->Query("SELECT pg_sleep(30)", {});
  Status failed = cursor.ok() ? Status::Ok() : cursor.status();
  if (cursor.ok()) {
    RowChunk chunk;
    failed = (*cursor)->Fetch(chunk, 1).status();
  }
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(failed.code(), StatusCode::kUnavailable) << failed.message();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
}

// A connection string that does not say UseDeclareFetch still streams: psqlODBC is found by its
// driver name and told to read through a cursor, fetch_size rows at a time.
TEST_F(OdbcPostgresTest, AMillionRowsStreamWithoutUseDeclareFetchInTheUrl) {
  Sql("DROP TABLE IF EXISTS big; CREATE TABLE big AS SELECT i AS id, repeat('v', 180) AS name "
      "FROM generate_series(1, 1000000) i");
  ConnectOptions options;
  Result<DatabaseUrl> url = ParseDatabaseUrl(fmt::format(
      "odbc:Driver={};Server=127.0.0.1;Port={};Database={};UID={};PWD={}", kPostgresOdbc,
      server().port(), assay::testing::PostgresServer::kDatabase,
      assay::testing::PostgresServer::kUser, assay::testing::PostgresServer::kPassword));
  ASSERT_TRUE(url.ok()) << url.status().message();
  options.url = *url;
  options.fetch_rows = 2000;
  Result<std::unique_ptr<DbConnection>> connection = Connect(options);
  ASSERT_TRUE(connection.ok()) << connection.status().message();
  const long before = ProcStatusKiB("VmRSS");  // the query may read the whole result
  Result<std::unique_ptr<DbCursor>> cursor = (*connection)->Query("SELECT id, name FROM big", {});
  ASSERT_TRUE(cursor.ok()) << cursor.status().message();
  ExpectAMillionRowsInBoundedMemory(**cursor, "ODBC/PostgreSQL", before);
  Sql("DROP TABLE big");
}

TEST(OdbcPostgresGoneTest, AServerKilledMidReadFailsTheFetch) {
  Result<std::unique_ptr<assay::testing::PostgresServer>> started =
      assay::testing::PostgresServer::Start();
  ASSERT_TRUE(started.ok()) << started.status().message();
  auto& server = **started;
  ASSERT_TRUE(server
                  .Sql("CREATE TABLE gone AS SELECT i, repeat('y', 200) AS pad "
                       "FROM generate_series(1, 300000) i; GRANT SELECT ON gone TO assay_test")
                  .ok());
  Result<std::unique_ptr<DbConnection>> connection = ConnectUrl(fmt::format(
      "odbc:Driver={};Server=127.0.0.1;Port={};Database={};UID={};PWD={};UseDeclareFetch=1;"
      "Fetch=1000",
      kPostgresOdbc, server.port(), assay::testing::PostgresServer::kDatabase,
      assay::testing::PostgresServer::kUser, assay::testing::PostgresServer::kPassword));
  ASSERT_TRUE(connection.ok()) << connection.status().message();
  Result<std::unique_ptr<DbCursor>> cursor = (*connection)->Query("SELECT * FROM gone", {});
  ASSERT_TRUE(cursor.ok()) << cursor.status().message();
  RowChunk chunk;
  ASSERT_EQ(*(*cursor)->Fetch(chunk, 100), 100U);
  server.Stop(SIGKILL);
  ExpectReadFailsAfterServerLoss(**cursor, 300'000);
}

}  // namespace
}  // namespace assay::sources::db
