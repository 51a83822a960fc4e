// The PostgreSQL driver against a real PostgreSQL server (tests/servers/postgres_server.h): type
// mapping, streaming, incremental reads, and the failures a source meets in production.
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "sources/database/database.h"
#include "sources/database/database_reader.h"
#include "tests/sanitizers.h"
#include "tests/servers/postgres_server.h"

namespace assay::sources::db {
namespace {

using testing::PostgresServer;
using testing::PostgresTest;

ConnectOptions OptionsFor(const PostgresServer& server,
                          std::string_view password = PostgresServer::kPassword) {
  ConnectOptions options;
  Result<DatabaseUrl> url = ParseDatabaseUrl(server.Url(password));
  EXPECT_TRUE(url.ok()) << url.status().ToString();
  if (url.ok()) options.url = *url;
  return options;
}

/// All rows of `sql` as (type, text-or-"NULL") cells, with `params`.
struct Cells {
  std::vector<DbColumn> columns;
  std::vector<std::vector<std::pair<DbType, std::string>>> rows;
};

Result<Cells> ReadAll(DbConnection& connection, const std::string& sql,
                      const std::vector<DbParam>& params = {}) {
  ASSIGN_OR_RETURN(std::unique_ptr<DbCursor> cursor, connection.Query(sql, params));
  Cells cells;
  cells.columns = cursor->columns();
  const size_t n = cells.columns.size();
  while (true) {
    RowChunk chunk;
    ASSIGN_OR_RETURN(size_t got, cursor->Fetch(chunk, 1000));
    if (got == 0) break;
    for (size_t r = 0; r < chunk.num_rows; ++r) {
      auto& row = cells.rows.emplace_back();
      for (size_t c = 0; c < n; ++c) {
        const RowChunk::Cell& cell = chunk.cells[r * n + c];
        row.emplace_back(cell.type, cell.null ? "NULL" : std::string(chunk.value(cell)));
      }
    }
  }
  return cells;
}

/// Fetches `per_call` rows at a time until the cursor is exhausted or fails: the rows read and
/// the failure (ok when it was exhausted).
std::pair<size_t, Status> DrainCursor(DbCursor& cursor, size_t per_call) {
  size_t rows = 0;
  while (true) {
    RowChunk chunk;
    Result<size_t> got = cursor.Fetch(chunk, per_call);
    if (!got.ok()) return {rows, got.status()};
    if (*got == 0) return {rows, Status::Ok()};
    rows += *got;
  }
}

Batch BatchOf(const std::vector<std::string>& fields) {
  Batch batch;
  for (const std::string& f : fields) batch.AddColumn(f);
  return batch;
}

class PostgresDriverTest : public PostgresTest {
 protected:
  void SetUp() override {
    PostgresTest::SetUp();
    if (HasFatalFailure()) return;
    Result<std::unique_ptr<DbConnection>> connection = Connect(OptionsFor(server()));
    ASSERT_TRUE(connection.ok()) << connection.status().ToString();
    connection_ = std::move(*connection);
  }
  void Sql(const std::string& sql) {
    Result<std::string> out = server().Sql(sql);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
  }
  std::unique_ptr<DbConnection> connection_;
};

TEST_F(PostgresDriverTest, EachTypeMapsOntoItsDbTypeAndNullsKeepTheColumnType) {
  Sql(R"sql(
    CREATE TYPE mood AS ENUM ('sad', 'happy');
    CREATE DOMAIN positive AS integer CHECK (VALUE > 0);
    CREATE TABLE all_types (
      i2 smallint, i4 integer, i8 bigint, num numeric(30,10), num_nan numeric,
      f4 real, f8 double precision, f_nan double precision, f_inf double precision,
      b boolean, ts timestamp(6), tstz timestamptz, d date, t time, j json, jb jsonb,
      bin bytea, txt text, vc varchar(10), ch char(5), nm name, u uuid, iv interval,
      e mood, dom positive);
    INSERT INTO all_types VALUES (
      -32768, 2147483647, -9223372036854775808, 12345678901234567890.0123456789, 'NaN',
      0.1, 0.1, 'NaN', '-Infinity',
      true, '2026-03-04 05:06:07.123456', '2026-03-04 05:06:07.5+02:00', '2026-03-04',
      '23:59:58.25', '{"a": [1, 2]}', '{"b": null, "a": 1}',
      '\x00ff10ab'::bytea, 'héllo "x"', 'short', 'ab', 'pg_name',
      'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '1 day 02:03:04', 'happy', 7);
    INSERT INTO all_types (b) VALUES (false);
    INSERT INTO all_types (i2) VALUES (NULL);
  )sql");
  Result<Cells> cells = ReadAll(*connection_, "SELECT * FROM all_types ORDER BY b DESC NULLS LAST");
  ASSERT_TRUE(cells.ok()) << cells.status().ToString();
  ASSERT_EQ(cells->rows.size(), 3u);
  const std::vector<std::pair<DbType, std::string>> expected = {
      {DbType::kInteger, "-32768"},
      {DbType::kInteger, "2147483647"},
      {DbType::kInteger, "-9223372036854775808"},
      {DbType::kDecimal, "12345678901234567890.0123456789"},
      {DbType::kDecimal, "NaN"},
      {DbType::kFloat, "0.1"},
      {DbType::kFloat, "0.1"},
      {DbType::kFloat, "NaN"},
      {DbType::kFloat, "-Infinity"},
      {DbType::kBoolean, "true"},
      {DbType::kTimestamp, "2026-03-04T05:06:07.123456Z"},
      {DbType::kTimestampTz, "2026-03-04T03:06:07.5Z"},
      {DbType::kDate, "2026-03-04"},
      {DbType::kTime, "23:59:58.25"},
      {DbType::kJson, R"({"a": [1, 2]})"},
      {DbType::kJson, R"({"a": 1, "b": null})"},
      {DbType::kBinary, "00ff10ab"},
      {DbType::kText, "héllo \"x\""},
      {DbType::kText, "short"},
      {DbType::kText, "ab   "},
      {DbType::kText, "pg_name"},
      {DbType::kOther, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
      {DbType::kOther, "1 day 02:03:04"},
      {DbType::kText, "happy"},
      {DbType::kInteger, "7"},
  };
  ASSERT_EQ(cells->columns.size(), expected.size());
  for (size_t c = 0; c < expected.size(); ++c) {
    SCOPED_TRACE(cells->columns[c].name + " (" + cells->columns[c].native_type + ")");
    EXPECT_EQ(cells->columns[c].type, expected[c].first);
    EXPECT_EQ(DbTypeName(cells->rows[0][c].first), DbTypeName(expected[c].first));
    EXPECT_EQ(cells->rows[0][c].second, expected[c].second);
    // The all-NULL row: every cell is NULL and keeps its column's type.
    EXPECT_EQ(cells->rows[2][c].second, "NULL");
    EXPECT_EQ(DbTypeName(cells->rows[2][c].first), DbTypeName(expected[c].first));
  }
  EXPECT_EQ(cells->rows[1][9].second, "false");
  EXPECT_EQ(cells->columns[3].native_type, "numeric");
  EXPECT_EQ(cells->columns[23].native_type, "mood");
  EXPECT_EQ(cells->columns[24].native_type, "integer");  // a domain arrives as its base type
}

TEST_F(PostgresDriverTest, TimestampsOutsideTheIsoRangeStayAsPostgresPrintsThem) {
  Result<Cells> cells =
      ReadAll(*connection_,
              "SELECT 'infinity'::timestamptz AS a, '0044-03-15 12:00:00 BC'::timestamp AS b, "
              "'2026-01-01 00:00:00+05:30'::timestamptz AS c");
  ASSERT_TRUE(cells.ok()) << cells.status().ToString();
  EXPECT_EQ(cells->rows[0][0].second, "infinity");
  EXPECT_EQ(cells->rows[0][1].second, "0044-03-15 12:00:00 BC");
  EXPECT_EQ(cells->rows[0][2].second, "2025-12-31T18:30:00Z");
}

TEST_F(PostgresDriverTest, TheReaderFillsBatchesWithTypedCells) {
  Sql("CREATE TABLE sales (id bigint, amount numeric(10,2), ok boolean, note text, at timestamptz);"
      "INSERT INTO sales VALUES (1, 9.99, true, 'x', '2026-01-01T00:00:00Z'),"
      "(2, NULL, false, '12', NULL);");
  ReadRequest request;
  request.table = "public.sales";
  request.fields = {"id", "amount", "ok", "note", "at"};
  Result<std::unique_ptr<DatabaseReader>> reader =
      DatabaseReader::Open(*connection_, request, "sales");
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  Batch batch = BatchOf(request.fields);
  Result<size_t> n = (*reader)->ReadBatch(batch, 100);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  ASSERT_EQ(*n, 2u);
  EXPECT_EQ(batch.column(0).kind[0], CellKind::kNumber);
  EXPECT_EQ(batch.column(1).raw[0], "9.99");
  EXPECT_EQ(batch.column(1).kind[1], CellKind::kNull);
  EXPECT_EQ(batch.column(2).kind[1], CellKind::kBool);
  EXPECT_EQ(batch.column(3).kind[1], CellKind::kText);  // "12" in a text column is text
  EXPECT_EQ(batch.column(4).raw[0], "2026-01-01T00:00:00Z");
}

// A watermark the cursor returned, bound back, must compare as the stored value does: after
// the k-th row exactly the remaining rows come, for every kind of watermark column.
TEST_F(PostgresDriverTest, AWatermarkReadBackSelectsExactlyTheLaterRows) {
  Sql(R"sql(
    CREATE TABLE events (n int, tstz timestamptz, num numeric, i8 bigint, txt text, f4 real);
    INSERT INTO events
      SELECT g,
             '2026-01-01 00:00:00+03'::timestamptz + g * interval '1.000001 second',
             g * 1.000000000000000001,
             9223372036854775000 + g,
             'k' || lpad(g::text, 4, '0') || 'é',
             g * 0.1::real
      FROM generate_series(1, 250) AS g;
  )sql");
  for (const std::string column : {"tstz", "num", "i8", "txt", "f4"}) {
    SCOPED_TRACE(column);
    ReadRequest request;
    request.table = "events";
    request.watermark_column = column;
    request.fields = {"n", column};
    Result<std::unique_ptr<DatabaseReader>> first =
        DatabaseReader::Open(*connection_, request, "events");
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    Batch batch = BatchOf(request.fields);
    Result<size_t> n = (*first)->ReadBatch(batch, 100);
    ASSERT_TRUE(n.ok()) << n.status().ToString();
    ASSERT_EQ(*n, 100u);
    ASSERT_TRUE((*first)->last_watermark().has_value());
    const DbParam watermark = *(*first)->last_watermark();
    first->reset();  // one query at a time on a connection

    request.watermark_after = watermark;
    Result<std::unique_ptr<DatabaseReader>> rest =
        DatabaseReader::Open(*connection_, request, "events");
    ASSERT_TRUE(rest.ok()) << rest.status().ToString();
    Batch more = BatchOf(request.fields);
    size_t total = 0;
    while (true) {
      Result<size_t> got = (*rest)->ReadBatch(more, 1000);
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      if (*got == 0) break;
      total += *got;
    }
    EXPECT_EQ(total, 150u) << "after " << watermark.text;
    EXPECT_EQ(more.column(0).raw[0], "101");
  }
}

long PeakRssKb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

// 1 million rows (about 90 MB as text) through the reader, one batch at a time: memory stays
// at a few round trips' worth, not the result's size.
TEST_F(PostgresDriverTest, AMillionRowsStreamInBoundedMemory) {
  Sql("CREATE TABLE big AS SELECT g AS id, md5(g::text) AS hash, g * 0.01 AS amount, "
      "'2026-01-01'::timestamptz + g * interval '1 second' AS at "
      "FROM generate_series(1, 1000000) AS g;");
  {
    std::ofstream reset("/proc/self/clear_refs");
    reset << "5";  // the peak RSS starts again from the current RSS
  }
  const long before = PeakRssKb();
  ReadRequest request;
  request.table = "big";
  request.fields = {"id", "hash", "amount", "at"};
  Result<std::unique_ptr<DatabaseReader>> reader =
      DatabaseReader::Open(*connection_, request, "big");
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  size_t rows = 0;
  uint64_t bytes = 0;
  long double sum = 0;
  while (true) {
    Batch batch = BatchOf(request.fields);
    Result<size_t> got = (*reader)->ReadBatch(batch, 10000);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    if (*got == 0) break;
    for (size_t r = 0; r < *got; ++r) sum += std::stold(std::string(batch.column(0).raw[r]));
    rows += *got;
    bytes += batch.input_bytes;
  }
  const long peak_growth_kb = PeakRssKb() - before;
  EXPECT_EQ(rows, 1'000'000u);
  EXPECT_EQ(sum, 500000500000.0L);
  std::cout << "[ metrics  ] 1000000 rows, " << (bytes >> 20) << " MiB of values; peak RSS grew by "
            << peak_growth_kb / 1024 << " MiB (from " << before / 1024 << " MiB)\n";
  if (!testing::kAddressSanitizer) {  // ASan keeps freed memory in a quarantine of up to 256 MiB
    EXPECT_LT(peak_growth_kb, 64 * 1024) << "streaming should not hold the result in memory";
  }
}

TEST_F(PostgresDriverTest, AWrongPasswordIsRefusedAndNeverShown) {
  const std::string wrong = "wrong-Pw-1234";
  Result<std::unique_ptr<DbConnection>> refused = Connect(OptionsFor(server(), wrong));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied);
  const std::string& message = refused.status().message();
  EXPECT_NE(message.find("password authentication failed"), std::string::npos) << message;
  EXPECT_EQ(message.find(wrong), std::string::npos) << message;
  EXPECT_NE(message.find("***"), std::string::npos) << message;  // the redacted URL

  // `password:` wins over the URL's, both ways.
  ConnectOptions right_wins = OptionsFor(server(), wrong);
  right_wins.password = std::string(PostgresServer::kPassword);
  EXPECT_TRUE(Connect(right_wins).ok());
  ConnectOptions wrong_wins = OptionsFor(server());
  wrong_wins.password = wrong;
  Result<std::unique_ptr<DbConnection>> still_refused = Connect(wrong_wins);
  ASSERT_FALSE(still_refused.ok());
  EXPECT_EQ(still_refused.status().message().find(wrong), std::string::npos);
  EXPECT_EQ(still_refused.status().message().find(PostgresServer::kPassword), std::string::npos);
}

TEST_F(PostgresDriverTest, NoServerOnThePortIsUnavailable) {
  Result<int> port = testing::FreeTcpPort();
  ASSERT_TRUE(port.ok());
  ConnectOptions options = OptionsFor(server());
  options.url.port = *port;
  Result<std::unique_ptr<DbConnection>> refused = Connect(options);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(refused.status().message().find(std::to_string(*port)), std::string::npos);
  EXPECT_EQ(refused.status().message().find(PostgresServer::kPassword), std::string::npos);
}

TEST_F(PostgresDriverTest, MissingDatabaseTableAndBadSqlAreClearErrors) {
  ConnectOptions options = OptionsFor(server());
  options.url.database = "no_such_db";
  Result<std::unique_ptr<DbConnection>> no_db = Connect(options);
  ASSERT_FALSE(no_db.ok());
  EXPECT_EQ(no_db.status().code(), StatusCode::kNotFound);
  EXPECT_NE(no_db.status().message().find("no_such_db"), std::string::npos);

  Result<Cells> no_table = ReadAll(*connection_, "SELECT * FROM no_such_table");
  EXPECT_EQ(no_table.status().code(), StatusCode::kNotFound);
  EXPECT_NE(no_table.status().message().find("no_such_table"), std::string::npos);
  Result<Cells> bad_sql = ReadAll(*connection_, "SELEC 1");
  EXPECT_EQ(bad_sql.status().code(), StatusCode::kInvalidArgument);
  Result<Cells> bad_column = ReadAll(*connection_, "SELECT nope FROM pg_class");
  EXPECT_EQ(bad_column.status().code(), StatusCode::kInvalidArgument);
  Sql("CREATE TABLE secret (x int); REVOKE SELECT ON secret FROM assay_test;");
  Result<Cells> denied = ReadAll(*connection_, "SELECT * FROM secret");
  EXPECT_EQ(denied.status().code(), StatusCode::kPermissionDenied);
  // The source reads only: a query that writes is refused by the read-only transaction.
  Result<Cells> writes = ReadAll(*connection_, "SELECT nextval('no_seq')");
  EXPECT_FALSE(writes.ok());
  // After each failure the connection is still good for the next query.
  Result<Cells> fine = ReadAll(*connection_, "SELECT 42 AS answer");
  ASSERT_TRUE(fine.ok()) << fine.status().ToString();
  EXPECT_EQ(fine->rows[0][0].second, "42");
  EXPECT_TRUE(connection_->Ping().ok());
}

TEST_F(PostgresDriverTest, TlsAndUrlParametersAreChecked) {
  ConnectOptions require = OptionsFor(server());
  require.tls_mode = "require";  // the test server has no certificate
  Result<std::unique_ptr<DbConnection>> refused = Connect(require);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(refused.status().message().find("SSL"), std::string::npos)
      << refused.status().message();

  ConnectOptions bad_mode = OptionsFor(server());
  bad_mode.tls_mode = "sometimes";
  EXPECT_EQ(Connect(bad_mode).status().code(), StatusCode::kInvalidArgument);

  Result<DatabaseUrl> url_mode = ParseDatabaseUrl(server().Url() + "?sslmode=disable");
  ASSERT_TRUE(url_mode.ok());
  ConnectOptions disable;
  disable.url = *url_mode;
  EXPECT_TRUE(Connect(disable).ok());
  disable.tls_mode = "require";  // the source's key wins over the URL's
  EXPECT_FALSE(Connect(disable).ok());

  Result<DatabaseUrl> unknown = ParseDatabaseUrl(server().Url() + "?colour=blue");
  ASSERT_TRUE(unknown.ok());
  ConnectOptions unknown_param;
  unknown_param.url = *unknown;
  Result<std::unique_ptr<DbConnection>> rejected = Connect(unknown_param);
  EXPECT_EQ(rejected.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(rejected.status().message().find("colour"), std::string::npos);
}

TEST_F(PostgresDriverTest, ServerNoticesDoNotReachStderr) {
  Sql("CREATE FUNCTION noisy() RETURNS int LANGUAGE plpgsql AS "
      "$$ BEGIN RAISE WARNING 'noisy-warning'; RETURN 1; END $$;");
  ::testing::internal::CaptureStderr();
  Result<Cells> cells = ReadAll(*connection_, "SELECT noisy() AS n");
  const std::string err = ::testing::internal::GetCapturedStderr();
  ASSERT_TRUE(cells.ok()) << cells.status().ToString();
  EXPECT_EQ(cells->rows[0][0].second, "1");
  EXPECT_EQ(err.find("noisy-warning"), std::string::npos) << err;
}

TEST_F(PostgresDriverTest, StatementTimeoutCancelsASlowQuery) {
  ConnectOptions options = OptionsFor(server());
  options.statement_timeout = std::chrono::milliseconds(300);
  Result<std::unique_ptr<DbConnection>> connection = Connect(options);
  ASSERT_TRUE(connection.ok()) << connection.status().ToString();
  Result<Cells> slow = ReadAll(**connection, "SELECT pg_sleep(30)");
  ASSERT_FALSE(slow.ok());
  EXPECT_EQ(slow.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(slow.status().message().find("57014"), std::string::npos) << slow.status().message();
  EXPECT_TRUE((*connection)->Ping().ok());

  // The limit holds for each round trip: a row that takes too long halfway through the result
  // fails that FETCH, and the cursor stays failed.
  options.fetch_rows = 1000;
  Result<std::unique_ptr<DbConnection>> small_fetches = Connect(options);
  ASSERT_TRUE(small_fetches.ok()) << small_fetches.status().ToString();
  Result<std::unique_ptr<DbCursor>> cursor =
      (*small_fetches)
          ->Query(
              "SELECT g, CASE WHEN g = 4500 THEN pg_sleep(30) END AS s "
              "FROM generate_series(1, 10000) AS g",
              {});
  ASSERT_TRUE(cursor.ok()) << cursor.status().ToString();
  auto [rows, failure] = DrainCursor(**cursor, 700);
  EXPECT_EQ(rows, 4000u);
  EXPECT_EQ(failure.code(), StatusCode::kUnavailable) << failure.ToString();
  RowChunk chunk;
  EXPECT_EQ((*cursor)->Fetch(chunk, 700).status().code(), StatusCode::kUnavailable);
  cursor->reset();
  EXPECT_TRUE((*small_fetches)->Ping().ok());  // the cursor's end rolled the transaction back
}

/// Whether the connection's session is encrypted, as the server sees it.
std::string SslInUse(DbConnection& connection) {
  Result<Cells> ssl =
      ReadAll(connection, "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
  EXPECT_TRUE(ssl.ok()) << ssl.status().ToString();
  return ssl.ok() && !ssl->rows.empty() ? ssl->rows[0][0].second : "?";
}

// A server with a certificate: verify-full with its CA connects encrypted; another CA or a
// missing CA file is refused with the reason.
TEST(PostgresDriver, TlsVerifiesTheServerWithTheGivenCa) {
  PostgresServer::Options tls;
  tls.tls = true;
  Result<std::unique_ptr<PostgresServer>> server = PostgresServer::Start(tls);
  ASSERT_TRUE(server.ok()) << server.status().ToString();

  ConnectOptions verified = OptionsFor(**server);
  verified.tls_mode = "verify-full";
  verified.tls_ca_file = (*server)->tls_ca_file().string();
  Result<std::unique_ptr<DbConnection>> secure = Connect(verified);
  ASSERT_TRUE(secure.ok()) << secure.status().ToString();
  EXPECT_EQ(SslInUse(**secure), "true");

  ConnectOptions plain = OptionsFor(**server);
  plain.tls_mode = "disable";
  Result<std::unique_ptr<DbConnection>> unencrypted = Connect(plain);
  ASSERT_TRUE(unencrypted.ok()) << unencrypted.status().ToString();
  EXPECT_EQ(SslInUse(**unencrypted), "false");

  // A certificate the server's is not signed by.
  Result<testing::TempDirectory> other = testing::TempDirectory::Make("assay-ca-");
  ASSERT_TRUE(other.ok());
  testing::ProcessOptions openssl;
  openssl.argv = {"openssl", "req",   "-x509",     "-newkey", "rsa:2048",  "-nodes", "-days",
                  "2",       "-subj", "/CN=other", "-keyout", "other.key", "-out",   "other.crt"};
  openssl.cwd = other->path();
  Result<testing::CommandOutput> made = testing::RunCommand(openssl);
  ASSERT_TRUE(made.ok() && made->exit_code == 0) << (made.ok() ? made->output : "");
  ConnectOptions wrong_ca = verified;
  wrong_ca.tls_ca_file = (other->path() / "other.crt").string();
  Result<std::unique_ptr<DbConnection>> refused = Connect(wrong_ca);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(refused.status().message().find("certificate verify failed"), std::string::npos)
      << refused.status().message();

  ConnectOptions missing_ca = verified;
  missing_ca.tls_ca_file = "/nonexistent/ca.pem";
  Result<std::unique_ptr<DbConnection>> no_ca = Connect(missing_ca);
  ASSERT_FALSE(no_ca.ok());
  EXPECT_NE(no_ca.status().message().find("/nonexistent/ca.pem"), std::string::npos)
      << no_ca.status().message();
}

// The server goes away (immediate shutdown, as in a crash) while a cursor is open: the next
// Fetch that needs the server returns an error instead of hanging or crashing, and so does
// everything after it.
TEST(PostgresDriver, AServerStoppedMidReadFailsTheFetch) {
  Result<std::unique_ptr<PostgresServer>> server = PostgresServer::Start();
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  ASSERT_TRUE(
      (*server)->Sql("CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 100000) g").ok());
  ConnectOptions options = OptionsFor(**server);
  options.fetch_rows = 1000;
  Result<std::unique_ptr<DbConnection>> connection = Connect(options);
  ASSERT_TRUE(connection.ok()) << connection.status().ToString();
  Result<std::unique_ptr<DbCursor>> cursor = (*connection)->Query("SELECT id FROM t", {});
  ASSERT_TRUE(cursor.ok()) << cursor.status().ToString();
  RowChunk chunk;
  ASSERT_EQ(*(*cursor)->Fetch(chunk, 10), 10u);

  (*server)->Stop(SIGQUIT);
  auto [rows, failure] = DrainCursor(**cursor, 500);
  rows += 10;
  EXPECT_EQ(failure.code(), StatusCode::kUnavailable) << failure.ToString();
  std::cout << "[ message  ] " << failure.message() << "\n";
  EXPECT_LE(rows, 1000u);  // only what the first round trip had brought
  chunk.Clear();
  EXPECT_EQ((*cursor)->Fetch(chunk, 500).status().code(), StatusCode::kUnavailable);
  EXPECT_FALSE((*connection)->Ping().ok());
  cursor->reset();  // closing over a dead connection must not crash either
}

}  // namespace
}  // namespace assay::sources::db
