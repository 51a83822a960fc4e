// The MariaDB driver against a real MariaDB server (tests/servers/mariadb_server.h): type
// mapping, streaming in bounded memory, watermark round trips, and the ways a connection fails.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "sources/database/database.h"
#include "tests/database/database_test_util.h"
#include "tests/servers/mariadb_server.h"

namespace assay::sources::db {
namespace {

using assay::testing::MariaDbServer;
using namespace assay::sources::db::testing;  // NOLINT(google-build-using-namespace)

class MariaDbDriverTest : public assay::testing::MariaDbTest {
 protected:
  static ConnectOptions Options(const std::string& url) {
    ConnectOptions options;
    Result<DatabaseUrl> parsed = ParseDatabaseUrl(url);
    EXPECT_TRUE(parsed.ok()) << parsed.status().message();
    if (parsed.ok()) options.url = *parsed;
    options.connect_timeout = std::chrono::seconds(5);
    return options;
  }

  static std::unique_ptr<DbConnection> Open(const ConnectOptions& options) {
    Result<std::unique_ptr<DbConnection>> connection = Connect(options);
    EXPECT_TRUE(connection.ok()) << connection.status().message();
    return connection.ok() ? std::move(connection).value() : nullptr;
  }
  static std::unique_ptr<DbConnection> Open() { return Open(Options(server().Url())); }

  static void Sql(const std::string& sql) {
    Result<std::string> out = server().Sql(sql);
    ASSERT_TRUE(out.ok()) << out.status().message();
  }
};

TEST_F(MariaDbDriverTest, TypesMapOntoDbTypesWithCanonicalText) {
  Sql("DROP TABLE IF EXISTS types;"
      "CREATE TABLE types (b BOOLEAN, t TINYINT, i INT, big BIGINT UNSIGNED, d DECIMAL(30,10), "
      "f FLOAT, g DOUBLE, dt DATETIME(6), ts TIMESTAMP(3) NULL, day DATE, tm TIME, y YEAR, "
      "j JSON, bl BLOB, vb VARBINARY(8), c CHAR(3), v VARCHAR(20), tx TEXT, e ENUM('a','b'), "
      "s SET('x','y'), bit1 BIT(1), bits BIT(12));"
      "INSERT INTO types VALUES (1, -7, 2147483647, 18446744073709551615, "
      "'12345678901234567890.0123456789', 0.1, 0.30000000000000004, '2024-02-29 23:59:58.000123', "
      "'2024-01-02 03:04:05.678', '2024-02-29', '-12:34:56', 2024, '{\"a\": [1, 2]}', x'00ff10', "
      "x'cafe', 'ab', 'héllo wörld', 'line\\nbreak', 'b', 'x,y', b'1', b'000100000001');"
      "INSERT INTO types VALUES (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
      "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);"
      "INSERT INTO types (b, t) VALUES (0, 5);"
      "INSERT INTO types (b) VALUES (7);");
  auto connection = Open();
  ASSERT_NE(connection, nullptr);
  std::vector<DbColumn> columns;
  Rows rows = ReadAll(*connection, "SELECT * FROM types", {}, &columns);
  ASSERT_EQ(rows.size(), 4U);
  ExpectTypeRows(columns, rows,
                 {
                     {"b", DbType::kBoolean, "true", "TINYINT(1)"},
                     {"t", DbType::kInteger, "-7", "TINYINT"},
                     {"i", DbType::kInteger, "2147483647", "INT"},
                     {"big", DbType::kInteger, "18446744073709551615", "BIGINT"},
                     {"d", DbType::kDecimal, "12345678901234567890.0123456789", "DECIMAL"},
                     {"f", DbType::kFloat, "0.1", "FLOAT"},
                     {"g", DbType::kFloat, "0.30000000000000004", "DOUBLE"},
                     {"dt", DbType::kTimestamp, "2024-02-29T23:59:58.000123Z", "DATETIME"},
                     {"ts", DbType::kTimestampTz, "2024-01-02T03:04:05.678Z", "TIMESTAMP"},
                     {"day", DbType::kDate, "2024-02-29", "DATE"},
                     {"tm", DbType::kTime, "-12:34:56", "TIME"},
                     {"y", DbType::kInteger, "2024", "YEAR"},
                     {"j", DbType::kJson, "{\"a\": [1, 2]}", "JSON"},
                     {"bl", DbType::kBinary, "00ff10", "BLOB"},
                     {"vb", DbType::kBinary, "cafe", "VARBINARY"},
                     {"c", DbType::kText, "ab", "CHAR"},
                     {"v", DbType::kText, "héllo wörld", "VARCHAR"},
                     {"tx", DbType::kText, "line\nbreak", "TEXT"},
                     {"e", DbType::kText, "b", "ENUM"},
                     {"s", DbType::kText, "x,y", "SET"},
                     {"bit1", DbType::kBoolean, "true", "BIT"},
                     {"bits", DbType::kInteger, "257", "BIT"},
                 });
  EXPECT_EQ(rows[2][0].value, "false");
  // TINYINT(1) holding 7 is not a boolean: that cell is an integer, and fails a boolean check.
  EXPECT_EQ(rows[3][0].type, DbType::kInteger);
  EXPECT_EQ(rows[3][0].value, "7");
}

TEST_F(MariaDbDriverTest, TimestampsComeOutInUtcWhateverTheServerZone) {
  // The server's own zone is not UTC; TIMESTAMP still comes out as UTC, and DATETIME as stored.
  Sql("DROP TABLE IF EXISTS zones; CREATE TABLE zones (ts TIMESTAMP NULL, dt DATETIME);"
      "SET time_zone = '+05:00';"
      "INSERT INTO zones VALUES ('2024-06-01 12:00:00', '2024-06-01 12:00:00');");
  auto connection = Open();
  ASSERT_NE(connection, nullptr);
  Rows rows = ReadAll(*connection, "SELECT ts, dt FROM zones");
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_EQ(rows[0][0].value, "2024-06-01T07:00:00Z");
  EXPECT_EQ(rows[0][1].value, "2024-06-01T12:00:00Z");
}

// A value the cursor returned, bound back as the watermark, selects exactly the later rows: the
// literal compares as the stored value does (no rounding through a double, no time zone shift).
TEST_F(MariaDbDriverTest, WatermarksRoundTripExactly) {
  Sql("DROP TABLE IF EXISTS marks;"
      "CREATE TABLE marks (id BIGINT, at DATETIME(6), amount DECIMAL(30,10), name VARCHAR(40), "
      "ts TIMESTAMP(6) NULL, score DOUBLE);"
      "INSERT INTO marks VALUES "
      "(9007199254740993, '2024-01-01 00:00:00.000001', '12345678901234567890.0000000001', "
      "'a''b', '2024-01-01 00:00:00.000001', 0.1),"
      "(9007199254740994, '2024-01-01 00:00:00.000002', '12345678901234567890.0000000002', "
      "'a\\\\b', '2024-01-01 00:00:00.000002', 0.30000000000000004),"
      "(9007199254740995, '2024-01-01 00:00:00.000003', '12345678901234567890.0000000003', "
      "'a?c', '2024-01-01 00:00:00.000003', 1e300);");
  auto connection = Open();
  ASSERT_NE(connection, nullptr);
  // Schema-qualified, so the dotted name is quoted part by part.
  const std::string table = "assay_test.marks";
  ExpectWatermarkRoundTrip(*connection, table, "id", 0, 3);
  ExpectWatermarkRoundTrip(*connection, table, "at", 1, 3);
  ExpectWatermarkRoundTrip(*connection, table, "amount", 2, 3);
  ExpectWatermarkRoundTrip(*connection, table, "name", 3, 3);
  ExpectWatermarkRoundTrip(*connection, table, "ts", 4, 3);
  ExpectWatermarkRoundTrip(*connection, table, "score", 5, 3);
}

TEST_F(MariaDbDriverTest, PlaceholdersInsideQuotesAndCommentsAreText) {
  auto connection = Open();
  ASSERT_NE(connection, nullptr);
  Rows rows = ReadAll(*connection,
                      "SELECT '?' AS a, `?` AS b, ? AS c /* ? */ -- ?\n"
                      "FROM (SELECT 'x' AS `?`) AS t # ?",
                      {DbParam{DbType::kText, "it's \\ \"quoted\""}});
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_EQ(rows[0][0].value, "?");
  EXPECT_EQ(rows[0][1].value, "x");
  EXPECT_EQ(rows[0][2].value, "it's \\ \"quoted\"");

  Result<std::unique_ptr<DbCursor>> missing = connection->Query("SELECT ?, ?", {DbParam{}});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  Result<std::unique_ptr<DbCursor>> not_a_number =
      connection->Query("SELECT ?", {DbParam{DbType::kInteger, "1 OR 1=1"}});
  ASSERT_FALSE(not_a_number.ok());
  EXPECT_EQ(not_a_number.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(MariaDbDriverTest, AMillionRowsStreamInBoundedMemory) {
  // About 200 bytes a row: 200 MB if the driver buffered the result.
  Sql("DROP TABLE IF EXISTS big;"
      "CREATE TABLE big (id INT PRIMARY KEY, name VARCHAR(200), amount DECIMAL(12,2), "
      "at DATETIME) ENGINE=InnoDB;"
      "INSERT INTO big SELECT seq, CONCAT('name-', seq, '-', REPEAT('x', 160)), seq / 100, "
      "'2024-01-01' + INTERVAL seq SECOND FROM seq_1_to_1000000;");
  auto connection = Open();
  ASSERT_NE(connection, nullptr);
  const long before = ProcStatusKiB("VmRSS");  // the query may read the whole result
  Result<std::unique_ptr<DbCursor>> cursor = connection->Query("SELECT * FROM big", {});
  ASSERT_TRUE(cursor.ok()) << cursor.status().message();
  ExpectAMillionRowsInBoundedMemory(**cursor, "MariaDB", before);
}

TEST_F(MariaDbDriverTest, ACursorClosedEarlyDoesNotReadTheRestAndTheConnectionStaysUsable) {
  Sql("DROP TABLE IF EXISTS early; CREATE TABLE early (id INT);"
      "INSERT INTO early SELECT seq FROM seq_1_to_200000;");
  auto connection = Open();
  ASSERT_NE(connection, nullptr);
  {
    Result<std::unique_ptr<DbCursor>> cursor = connection->Query("SELECT * FROM early", {});
    ASSERT_TRUE(cursor.ok());
    RowChunk chunk;
    ASSERT_EQ(*(*cursor)->Fetch(chunk, 10), 10U);
  }
  Rows rows = ReadAll(*connection, "SELECT COUNT(*) FROM early");
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_EQ(rows[0][0].value, "200000");
  EXPECT_TRUE(connection->Ping().ok());
}

TEST_F(MariaDbDriverTest, AWrongPasswordIsRefusedWithoutShowingIt) {
  const std::string wrong = "not-the-Secret-42";
  ConnectOptions options = Options(server().Url(wrong));
  Result<std::unique_ptr<DbConnection>> connection = Connect(options);
  ASSERT_FALSE(connection.ok());
  EXPECT_EQ(connection.status().code(), StatusCode::kPermissionDenied);
  const std::string message = connection.status().message();
  EXPECT_NE(message.find("Access denied"), std::string::npos) << message;
  EXPECT_EQ(message.find(wrong), std::string::npos) << message;
  // The password given as an option, not in the URL: refused just the same, not shown either.
  options = Options(server().Url(""));
  options.password = wrong;
  connection = Connect(options);
  ASSERT_FALSE(connection.ok());
  EXPECT_EQ(connection.status().message().find(wrong), std::string::npos);
  // And the right one as an option works.
  options.password = std::string(MariaDbServer::kPassword);
  EXPECT_NE(Open(options), nullptr);
}

TEST_F(MariaDbDriverTest, AnUnreachablePortFailsAsUnavailable) {
  Result<int> port = assay::testing::FreeTcpPort();
  ASSERT_TRUE(port.ok());
  ConnectOptions options =
      Options("mysql://assay_test:pw@127.0.0.1:" + std::to_string(*port) + "/assay_test");
  const auto start = std::chrono::steady_clock::now();
  Result<std::unique_ptr<DbConnection>> connection = Connect(options);
  ASSERT_FALSE(connection.ok());
  EXPECT_EQ(connection.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(connection.status().message().find("127.0.0.1"), std::string::npos)
      << connection.status().message();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
}

TEST_F(MariaDbDriverTest, BadSqlAndMissingTablesAreInvalidArguments) {
  auto connection = Open();
  ASSERT_NE(connection, nullptr);
  Result<std::unique_ptr<DbCursor>> bad = connection->Query("SELEC 1", {});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("SQL syntax"), std::string::npos) << bad.status().message();
  Result<std::unique_ptr<DbCursor>> missing = connection->Query("SELECT * FROM no_such_table", {});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("no_such_table"), std::string::npos);
  // The connection is still good afterwards.
  EXPECT_EQ(ReadAll(*connection, "SELECT 1").size(), 1U);
  // Statements without a result are not sources.
  Result<std::unique_ptr<DbCursor>> no_rows = connection->Query("DO 1", {});
  ASSERT_FALSE(no_rows.ok());
  EXPECT_EQ(no_rows.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(MariaDbDriverTest, UnknownUrlParametersAndTlsModesAreRefused) {
  ConnectOptions options = Options(server().Url() + "?sslmode=require");
  Result<std::unique_ptr<DbConnection>> connection = Connect(options);
  ASSERT_FALSE(connection.ok());
  EXPECT_EQ(connection.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(connection.status().message().find("sslmode"), std::string::npos);
  options = Options(server().Url());
  options.tls_mode = "sometimes";
  connection = Connect(options);
  ASSERT_FALSE(connection.ok());
  EXPECT_EQ(connection.status().code(), StatusCode::kInvalidArgument);
}

TEST_F(MariaDbDriverTest, RequiredTlsFailsAgainstAServerWithoutIt) {
  // The test server has no certificate: require must not quietly fall back to plain text...
  ConnectOptions options = Options(server().Url());
  options.tls_mode = "require";
  Result<std::unique_ptr<DbConnection>> connection = Connect(options);
  ASSERT_FALSE(connection.ok());
  EXPECT_EQ(connection.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(connection.status().message().find("TLS"), std::string::npos)
      << connection.status().message();
  // ...while prefer does.
  options.tls_mode = "prefer";
  EXPECT_NE(Open(options), nullptr);
}

TEST_F(MariaDbDriverTest, TheStatementTimeoutCancelsALongQuery) {
  ConnectOptions options = Options(server().Url());
  options.statement_timeout = std::chrono::milliseconds(500);
  auto connection = Open(options);
  ASSERT_NE(connection, nullptr);
  Result<std::unique_ptr<DbCursor>> cursor =
      connection->Query("SELECT COUNT(*) FROM seq_1_to_1000000 a, seq_1_to_1000000 b", {});
  Status failed = cursor.ok() ? Status::Ok() : cursor.status();
  if (cursor.ok()) {
    RowChunk chunk;
    Result<size_t> got = (*cursor)->Fetch(chunk, 10);
    ASSERT_FALSE(got.ok());
    failed = got.status();
  }
  EXPECT_EQ(failed.code(), StatusCode::kUnavailable);
  EXPECT_NE(failed.message().find("statement_timeout"), std::string::npos) << failed.message();
}

// A CA and a server certificate for 127.0.0.1 signed by it, made with the openssl command.
Result<MariaDbServer::Tls> MakeCertificates(const assay::testing::TempDirectory& dir,
                                            const std::string& prefix) {
  const std::string base = (dir.path() / prefix).string();
  ASSIGN_OR_RETURN(std::filesystem::path ext,
                   dir.WriteFile(prefix + "-ext.cnf", "subjectAltName=IP:127.0.0.1\n"));
  const std::vector<std::vector<std::string>> steps = {
      {"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", base + "-ca.key",
       "-out", base + "-ca.pem", "-days", "2", "-subj", "/CN=assay test CA " + prefix},
      {"openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", base + "-server.key", "-out",
       base + "-server.csr", "-subj", "/CN=127.0.0.1"},
      {"openssl", "x509", "-req", "-in", base + "-server.csr", "-CA", base + "-ca.pem", "-CAkey",
       base + "-ca.key", "-CAcreateserial", "-out", base + "-server.pem", "-days", "2", "-extfile",
       ext.string()},
  };
  for (const auto& argv : steps) {
    assay::testing::ProcessOptions command;
    command.argv = argv;
    command.cwd = dir.path();
    ASSIGN_OR_RETURN(assay::testing::CommandOutput out, assay::testing::RunCommand(command));
    if (out.exit_code != 0) return Internal("openssl failed: " + out.output);
  }
  return MariaDbServer::Tls{base + "-server.pem", base + "-server.key"};
}

TEST(MariaDbTlsTest, TlsModesAgainstAServerWithACertificate) {
  Result<assay::testing::TempDirectory> dir = assay::testing::TempDirectory::Make("assay-tls-");
  ASSERT_TRUE(dir.ok()) << dir.status().message();
  Result<MariaDbServer::Tls> tls = MakeCertificates(*dir, "good");
  ASSERT_TRUE(tls.ok()) << tls.status().message();
  Result<MariaDbServer::Tls> other = MakeCertificates(*dir, "other");
  ASSERT_TRUE(other.ok()) << other.status().message();
  Result<std::unique_ptr<MariaDbServer>> started = MariaDbServer::Start(*tls);
  ASSERT_TRUE(started.ok()) << started.status().message();
  const std::string url = (*started)->Url();

  auto connect = [&url](const std::string& mode, const std::string& ca) {
    ConnectOptions options;
    options.url = *ParseDatabaseUrl(url);
    options.tls_mode = mode;
    options.tls_ca_file = ca;
    options.connect_timeout = std::chrono::seconds(5);
    return Connect(options);
  };
  auto cipher = [](DbConnection& connection) {
    Rows rows = ReadAll(connection, "SHOW SESSION STATUS LIKE 'Ssl_cipher'");
    return rows.size() == 1 ? rows[0][1].value.value_or("") : std::string("?");
  };
  const std::string good_ca = (dir->path() / "good-ca.pem").string();
  const std::string other_ca = (dir->path() / "other-ca.pem").string();

  for (const std::string mode : {"require", "verify-ca", "verify-full"}) {
    SCOPED_TRACE(mode);
    Result<std::unique_ptr<DbConnection>> connection = connect(mode, good_ca);
    ASSERT_TRUE(connection.ok()) << connection.status().message();
    EXPECT_NE(cipher(**connection), "") << "not encrypted";
  }
  // A certificate from another CA is refused when verifying, accepted (encrypted) by require.
  for (const std::string mode : {"verify-ca", "verify-full"}) {
    SCOPED_TRACE(mode);
    Result<std::unique_ptr<DbConnection>> connection = connect(mode, other_ca);
    ASSERT_FALSE(connection.ok());
    EXPECT_EQ(connection.status().code(), StatusCode::kUnavailable);
  }
  Result<std::unique_ptr<DbConnection>> unverified = connect("require", "");
  ASSERT_TRUE(unverified.ok()) << unverified.status().message();
  EXPECT_NE(cipher(**unverified), "");
  // disable means plain text even when the server offers TLS.
  Result<std::unique_ptr<DbConnection>> plain = connect("disable", good_ca);
  ASSERT_TRUE(plain.ok()) << plain.status().message();
  EXPECT_EQ(cipher(**plain), "");
}

// The server dies while a result streams: the next fetch fails (no hang, no partial success).
TEST(MariaDbServerGoneTest, AServerKilledMidReadFailsTheFetch) {
  Result<std::unique_ptr<MariaDbServer>> started = MariaDbServer::Start();
  ASSERT_TRUE(started.ok()) << started.status().message();
  MariaDbServer& server = **started;
  ASSERT_TRUE(server
                  .Sql("CREATE TABLE gone (id INT, pad VARCHAR(200));"
                       "INSERT INTO gone SELECT seq, REPEAT('y', 200) FROM seq_1_to_300000;")
                  .ok());
  ConnectOptions options;
  options.url = *ParseDatabaseUrl(server.Url());
  Result<std::unique_ptr<DbConnection>> connection = Connect(options);
  ASSERT_TRUE(connection.ok()) << connection.status().message();
  Result<std::unique_ptr<DbCursor>> cursor = (*connection)->Query("SELECT * FROM gone", {});
  ASSERT_TRUE(cursor.ok());
  RowChunk chunk;
  ASSERT_EQ(*(*cursor)->Fetch(chunk, 1000), 1000U);
  server.Stop(SIGKILL);
  ExpectReadFailsAfterServerLoss(**cursor, 300'000);
  // A new query on the dead connection fails too, and so does a health check.
  cursor->reset();
  EXPECT_FALSE((*connection)->Ping().ok());
}

}  // namespace
}  // namespace assay::sources::db
