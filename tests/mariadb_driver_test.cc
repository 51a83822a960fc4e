// The MariaDB driver against a real MariaDB server (tests/servers/mariadb_server.h): type
// mapping, streaming in bounded memory, watermark round trips, and the ways a connection fails.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "sources/database/database.h"
#include "sources/database/database_reader.h"
#include "tests/servers/mariadb_server.h"

namespace assay::sources::db {
namespace {

using assay::testing::MariaDbServer;

struct Cell {
  DbType type;
  std::optional<std::string> value;
};
using Rows = std::vector<std::vector<Cell>>;

// Peak and current resident set size of this process, in KiB (/proc/self/status).
long ProcStatusKiB(const std::string& key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with(key + ":")) return std::stol(line.substr(key.size() + 1));
  }
  return -1;
}

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

  static Rows ReadAll(DbConnection& connection, const std::string& sql,
                      const std::vector<DbParam>& params = {},
                      std::vector<DbColumn>* columns = nullptr) {
    Result<std::unique_ptr<DbCursor>> cursor = connection.Query(sql, params);
    EXPECT_TRUE(cursor.ok()) << cursor.status().message();
    if (!cursor.ok()) return {};
    if (columns) *columns = (*cursor)->columns();
    const size_t n = (*cursor)->columns().size();
    Rows rows;
    RowChunk chunk;
    while (true) {
      chunk.Clear();
      Result<size_t> got = (*cursor)->Fetch(chunk, 3);
      EXPECT_TRUE(got.ok()) << got.status().message();
      if (!got.ok() || *got == 0) break;
      for (size_t r = 0; r < chunk.num_rows; ++r) {
        std::vector<Cell> row;
        for (size_t c = 0; c < n; ++c) {
          const RowChunk::Cell& cell = chunk.cells[r * n + c];
          row.push_back(Cell{
              cell.type, cell.null ? std::nullopt : std::optional<std::string>(chunk.value(cell))});
        }
        rows.push_back(std::move(row));
      }
    }
    return rows;
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
  const std::vector<std::tuple<std::string, DbType, std::string, std::string>> expected = {
      {"b", DbType::kBoolean, "TINYINT(1)", "true"},
      {"t", DbType::kInteger, "TINYINT", "-7"},
      {"i", DbType::kInteger, "INT", "2147483647"},
      {"big", DbType::kInteger, "BIGINT", "18446744073709551615"},
      {"d", DbType::kDecimal, "DECIMAL", "12345678901234567890.0123456789"},
      {"f", DbType::kFloat, "FLOAT", "0.1"},
      {"g", DbType::kFloat, "DOUBLE", "0.30000000000000004"},
      {"dt", DbType::kTimestamp, "DATETIME", "2024-02-29T23:59:58.000123Z"},
      {"ts", DbType::kTimestampTz, "TIMESTAMP", "2024-01-02T03:04:05.678Z"},
      {"day", DbType::kDate, "DATE", "2024-02-29"},
      {"tm", DbType::kTime, "TIME", "-12:34:56"},
      {"y", DbType::kInteger, "YEAR", "2024"},
      {"j", DbType::kJson, "JSON", "{\"a\": [1, 2]}"},
      {"bl", DbType::kBinary, "BLOB", "00ff10"},
      {"vb", DbType::kBinary, "VARBINARY", "cafe"},
      {"c", DbType::kText, "CHAR", "ab"},
      {"v", DbType::kText, "VARCHAR", "héllo wörld"},
      {"tx", DbType::kText, "TEXT", "line\nbreak"},
      {"e", DbType::kText, "ENUM", "b"},
      {"s", DbType::kText, "SET", "x,y"},
      {"bit1", DbType::kBoolean, "BIT", "true"},
      {"bits", DbType::kInteger, "BIT", "257"},
  };
  ASSERT_EQ(columns.size(), expected.size());
  for (size_t c = 0; c < expected.size(); ++c) {
    const auto& [name, type, native, text] = expected[c];
    SCOPED_TRACE(name);
    EXPECT_EQ(columns[c].name, name);
    EXPECT_EQ(columns[c].type, type) << DbTypeName(columns[c].type);
    EXPECT_EQ(columns[c].native_type, native);
    EXPECT_EQ(rows[0][c].type, type);
    EXPECT_EQ(rows[0][c].value, text);
    // NULL in every type is NULL, typed as its column.
    EXPECT_EQ(rows[1][c].value, std::nullopt);
    EXPECT_EQ(rows[1][c].type, type);
  }
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
  for (const std::string column : {"id", "at", "amount", "name", "ts", "score"}) {
    SCOPED_TRACE(column);
    ReadRequest request;
    request.table = "assay_test.marks";
    request.watermark_column = column;
    std::vector<DbParam> none;
    Rows all = ReadAll(*connection, BuildSelect(request, connection->dialect(), none));
    ASSERT_EQ(all.size(), 3U);
    const size_t index = column == "id"       ? 0
                         : column == "at"     ? 1
                         : column == "amount" ? 2
                         : column == "name"   ? 3
                         : column == "ts"     ? 4
                                              : 5;
    // After the first row's value: exactly the other two.
    request.watermark_after = DbParam{all[0][index].type, *all[0][index].value};
    std::vector<DbParam> params;
    const std::string sql = BuildSelect(request, connection->dialect(), params);
    ASSERT_EQ(params.size(), 1U);
    Rows after = ReadAll(*connection, sql, params);
    ASSERT_EQ(after.size(), 2U) << sql << " with " << params[0].text;
    EXPECT_EQ(after[0][index].value, all[1][index].value);
    // After the last: nothing.
    request.watermark_after = DbParam{all[2][index].type, *all[2][index].value};
    params.clear();
    EXPECT_TRUE(
        ReadAll(*connection, BuildSelect(request, connection->dialect(), params), params).empty());
  }
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
  Result<std::unique_ptr<DbCursor>> cursor = connection->Query("SELECT * FROM big", {});
  ASSERT_TRUE(cursor.ok()) << cursor.status().message();
  const long before_kib = ProcStatusKiB("VmRSS");
  long peak_kib = before_kib;
  size_t rows = 0;
  uint64_t bytes = 0;
  long long id_sum = 0;
  RowChunk chunk;
  while (true) {
    chunk.Clear();
    Result<size_t> got = (*cursor)->Fetch(chunk, 10'000);
    ASSERT_TRUE(got.ok()) << got.status().message();
    if (*got == 0) break;
    for (size_t r = 0; r < chunk.num_rows; ++r)
      id_sum += std::stoll(std::string(chunk.value(chunk.cells[r * 4])));
    rows += *got;
    bytes += chunk.bytes.size();
    peak_kib = std::max(peak_kib, ProcStatusKiB("VmRSS"));
  }
  EXPECT_EQ(rows, 1'000'000U);
  EXPECT_EQ(id_sum, 500'000'500'000LL);
  const long growth_kib = peak_kib - before_kib;
  std::printf(
      "[ figures  ] 1,000,000 rows, %.1f MB of values: RSS %ld KiB before, peak %ld KiB "
      "(+%ld KiB), VmHWM %ld KiB\n",
      static_cast<double>(bytes) / 1e6, before_kib, peak_kib, growth_kib, ProcStatusKiB("VmHWM"));
  RecordProperty("rss_growth_kib", std::to_string(growth_kib));
  EXPECT_GT(bytes, 150'000'000U);  // the data really was large
  EXPECT_LT(growth_kib, 32 * 1024) << "the result was buffered, not streamed";
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
  EXPECT_EQ(connection.status().code(), StatusCode::kUnavailable);
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
  Status failed = Status::Ok();
  size_t rows = 1000;
  while (failed.ok()) {
    chunk.Clear();
    Result<size_t> got = (*cursor)->Fetch(chunk, 10'000);
    if (!got.ok()) {
      failed = got.status();
    } else if (*got == 0) {
      break;
    } else {
      rows += *got;
    }
  }
  // Rows already in the socket buffers may still arrive; the end of the result must not.
  ASSERT_FALSE(failed.ok()) << "read " << rows << " rows and then a clean end";
  EXPECT_EQ(failed.code(), StatusCode::kUnavailable);
  EXPECT_LT(rows, 300'000U);
  // A new query on the dead connection fails too, and so does a health check.
  cursor->reset();
  EXPECT_FALSE((*connection)->Ping().ok());
}

}  // namespace
}  // namespace assay::sources::db
