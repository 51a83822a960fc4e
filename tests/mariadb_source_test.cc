// MariaDB as a `type: database` source through the real `assay` binary, against a real server
// (tests/servers/mariadb_server.h): the sample sales rows as a table grade into the same tiers
// as the CSV, a DATETIME(6) watermark makes runs incremental, a partitioned read takes every
// row once, and a refused login fails the
// source without showing the password. ODBC goes through the same binary on SQLite's ODBC driver.

#include <fmt/format.h>
#include <sqlite3.h>

#include "tests/servers/mariadb_server.h"
#include "tests/test_util.h"

namespace assay::testing {
namespace {

constexpr const char* kRules = kSalesRules;

// `CREATE TABLE <table>` with a TEXT column per field, then one INSERT per row (an empty field is
// NULL, as the CSV reader reads it). `backslash_escapes`: MySQL reads '\' in string literals as an
// escape, so it is doubled there.
std::string TableSql(const SampleSales& sales, const std::string& table, bool backslash_escapes) {
  std::string sql = "CREATE TABLE " + table + " (";
  for (size_t c = 0; c < sales.columns.size(); ++c) {
    sql += (c ? ", " : "") + sales.columns[c] + " TEXT";
  }
  sql += ");\n";
  for (const auto& row : sales.rows) {
    sql += "INSERT INTO " + table + " VALUES (";
    for (size_t c = 0; c < row.size(); ++c) {
      std::string quoted = "'";
      for (char ch : row[c]) {
        if (ch == '\'' || (backslash_escapes && ch == '\\')) quoted += ch;
        quoted += ch;
      }
      sql += (c ? ", " : "") + (row[c].empty() ? std::string("NULL") : quoted + "'");
    }
    sql += ");\n";
  }
  return sql;
}

class MariaDbSourceTest : public MariaDbTest {
 protected:
  void SetUp() override {
    MariaDbTest::SetUp();
    Result<TempDirectory> dir = TempDirectory::Make("assay-mariadb-e2e-");
    ASSERT_TRUE(dir.ok()) << dir.status().message();
    dir_.emplace(std::move(*dir));
    CopySalesSchema(dir_->path());
    // The password comes from a file, as it would in production; the URL has none.
    ASSERT_TRUE(
        dir_->WriteFile("db-password.txt", std::string(MariaDbServer::kPassword) + "\n").ok());
  }

  std::string Url() const { return server().Url(""); }

  void WriteConfig(const std::string& sources) {
    ASSERT_TRUE(dir_->WriteFile("config.yml",
                                "pipeline: {warehouse: ./warehouse, state_dir: ./state, "
                                "commit_interval_rows: 500, batch_max_rows: 200}\n"
                                "sources:\n" +
                                    sources)
                    .ok());
  }

  static std::string DatabaseSource(const std::string& name, const std::string& keys) {
    return fmt::format(
        "  - name: {}\n    type: database\n{}    schema: schemas/sales_transactions.json\n{}", name,
        keys, kRules);
  }

  CommandResult RunPipeline(const std::vector<std::string>& extra = {}) {
    return RunSummary(dir_->path(), extra);
  }

  static nlohmann::json Source(const CommandResult& r, const std::string& name) {
    return SummarySource(r, name);
  }

  int64_t Count(const std::string& sql) { return DuckDbCount(sql, dir_->path()); }

  std::optional<TempDirectory> dir_;
};

TEST_F(MariaDbSourceTest, ATableOfTheSampleRowsGradesLikeTheCsv) {
  const SampleSales sales = ReadSampleSales();
  ASSERT_GT(sales.rows.size(), 2900u);
  ASSERT_TRUE(server().Sql("DROP TABLE IF EXISTS sales;\n" + TableSql(sales, "sales", true)).ok());
  ASSERT_TRUE(dir_->WriteFile("sales.csv", sales.Csv()).ok());
  WriteConfig(DatabaseSource("sales_db", "    url: " + Url() +
                                             "\n    password_file: ./db-password.txt\n"
                                             "    table: sales\n") +
              "  - name: sales_csv\n    type: file\n    path: ./sales.csv\n"
              "    schema: schemas/sales_transactions.json\n" +
              kRules);
  CommandResult r = RunPipeline();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  nlohmann::json db = Source(r, "sales_db"), csv = Source(r, "sales_csv");
  EXPECT_EQ(db["rows"], sales.rows.size());
  EXPECT_EQ(db["tiers"], csv["tiers"]) << r.out;
  EXPECT_GT(db["tiers"]["rejected"].get<int>(), 0);  // the samples hold defects of every kind
  EXPECT_EQ(Count("SELECT count(*) FROM read_parquet('warehouse/*/sales_db/*/*.parquet', "
                  "union_by_name => true)"),
            static_cast<int64_t>(sales.rows.size()));
}

TEST_F(MariaDbSourceTest, ADatetimeWatermarkMakesEachRunReadOnlyNewRows) {
  // Typed columns this time; pairs of rows share a microsecond timestamp, which a commit must
  // not split.
  auto insert = [](int from, int to) {
    std::string sql;
    for (int i = from; i <= to; ++i) {
      const int tick = i - (i % 3 == 1);
      sql += fmt::format(
          "INSERT INTO sales_typed VALUES ('TX-{}', 'CUST-000042', 'SKU-ABC-0001', 2, 1.50, 3.00, "
          "'USD', "
          "'2026-11-23 10:00:00', '2026-11-23 10:00:00' + INTERVAL {} MICROSECOND);\n",
          1000000000 + i, tick);
    }
    return sql;
  };
  ASSERT_TRUE(
      server()
          .Sql("DROP TABLE IF EXISTS sales_typed;\n"
               "CREATE TABLE sales_typed (transaction_id VARCHAR(20), customer_id VARCHAR(20), "
               "product_id VARCHAR(20), quantity INT, "
               "unit_price DECIMAL(10,2), total_amount DECIMAL(10,2), currency CHAR(3), "
               "transaction_ts DATETIME, updated_at DATETIME(6));\n" +
               insert(1, 1000))
          .ok());
  WriteConfig(DatabaseSource("typed", "    url: " + Url() +
                                          "\n    password_file: ./db-password.txt\n"
                                          "    table: sales_typed\n"
                                          "    watermark_column: updated_at\n"));
  CommandResult first = RunPipeline();
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_EQ(Source(first, "typed")["rows"], 1000);
  EXPECT_EQ(Source(first, "typed")["tiers"]["gold"], 1000) << first.out;

  CommandResult again = RunPipeline();
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_EQ(Source(again, "typed")["rows"], 0);

  ASSERT_TRUE(server().Sql(insert(1001, 1250)).ok());
  CommandResult more = RunPipeline();
  ASSERT_EQ(more.exit_code, 0) << more.out << more.err;
  EXPECT_EQ(Source(more, "typed")["rows"], 250);
  EXPECT_NE(more.err.find("updated_at > 2026-11-23T10:00:00.000999Z"), std::string::npos)
      << more.err;

  const std::string all = "read_parquet('warehouse/*/typed/*/*.parquet', union_by_name => true)";
  EXPECT_EQ(Count("SELECT count(*) FROM " + all), 1250);
  EXPECT_EQ(Count("SELECT count(DISTINCT transaction_id) FROM " + all), 1250);
}

TEST_F(MariaDbSourceTest, APartitionedReadTakesEveryRowOnce) {
  // Ids with gaps and NULLs: the first range takes the NULLs, the ranges cover the rest.
  std::string sql =
      "DROP TABLE IF EXISTS sales_parts;\n"
      "CREATE TABLE sales_parts (id BIGINT NULL, transaction_id VARCHAR(20), customer_id "
      "VARCHAR(20), product_id VARCHAR(20), quantity INT, unit_price DECIMAL(10,2), "
      "total_amount DECIMAL(10,2), currency CHAR(3), transaction_ts DATETIME);\n"
      "INSERT INTO sales_parts SELECT IF(seq % 100 = 0, NULL, seq * 7), "
      "CONCAT('TX-', 1000000000 + seq), 'CUST-000042', 'SKU-ABC-0001', 2, 1.50, 3.00, 'USD', "
      "'2026-11-23 10:00:00' FROM seq_1_to_3000;\n";
  ASSERT_TRUE(server().Sql(sql).ok());
  WriteConfig(DatabaseSource("parts", "    url: " + Url() +
                                          "\n    password_file: ./db-password.txt\n"
                                          "    table: sales_parts\n"
                                          "    partition_column: id\n    partitions: 4\n"));
  CommandResult r = RunPipeline();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Source(r, "parts")["rows"], 3000) << r.out;
  const std::string all = "read_parquet('warehouse/*/parts/*/*.parquet', union_by_name => true)";
  EXPECT_EQ(Count("SELECT count(DISTINCT transaction_id) FROM " + all), 3000);
}

TEST_F(MariaDbSourceTest, AWrongPasswordFailsTheSourceWithoutShowingIt) {
  const std::string wrong = "Not-The-Password-77";
  ASSERT_TRUE(dir_->WriteFile("wrong.txt", wrong + "\n").ok());
  WriteConfig(DatabaseSource("sales_db", "    url: " + Url() +
                                             "\n    password_file: ./wrong.txt\n"
                                             "    table: sales\n    connect_timeout: 5\n"));
  CommandResult r = RunPipeline();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("sales_db"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Access denied for user 'assay_test'"), std::string::npos) << r.err;
  // A refused login fails the same way every time: it is not retried with backoff.
  EXPECT_EQ(r.err.find("retrying"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find(wrong), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find(wrong), std::string::npos) << r.out;

  // The health check of --validate-config says the same, and passes with the right password.
  CommandResult check = RunAssay({"--config", "config.yml", "--validate-config"}, dir_->path());
  EXPECT_EQ(check.exit_code, 1) << check.out << check.err;
  EXPECT_NE(check.err.find("Access denied"), std::string::npos) << check.err;
  EXPECT_EQ(check.err.find(wrong), std::string::npos) << check.err;
  ASSERT_TRUE(server().Sql("CREATE TABLE IF NOT EXISTS sales (id INT);").ok());
  WriteConfig(DatabaseSource("sales_db", "    url: " + Url() +
                                             "\n    password_file: ./db-password.txt\n"
                                             "    table: sales\n"));
  check = RunAssay({"--config", "config.yml", "--validate-config"}, dir_->path());
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_NE(check.out.find("sales_db: database reachable, sales readable"), std::string::npos)
      << check.out;
}

// ODBC through the binary: the same sample rows in a SQLite file read by the SQLite ODBC driver,
// named by path in the connection string.
TEST(OdbcSourceTest, ATableOfTheSampleRowsGradesLikeTheCsv) {
  Result<TempDirectory> made = TempDirectory::Make("assay-odbc-e2e-");
  ASSERT_TRUE(made.ok()) << made.status().message();
  const TempDirectory& dir = *made;
  const SampleSales sales = ReadSampleSales();
  ASSERT_TRUE(dir.WriteFile("sales.csv", sales.Csv()).ok());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir.path() / "shop.db").c_str(), &db), SQLITE_OK);
  const std::string load = "BEGIN;\n" + TableSql(sales, "sales", false) + "COMMIT;\n";
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, load.c_str(), nullptr, nullptr, &error), SQLITE_OK)
      << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
  CopySalesSchema(dir.path());
  ASSERT_TRUE(
      dir.WriteFile("config.yml",
                    "pipeline: {warehouse: ./warehouse, state_dir: ./state}\nsources:\n"
                    "  - name: sales_odbc\n    type: database\n"
                    "    url: \"odbc:Driver=/usr/lib/x86_64-linux-gnu/odbc/libsqlite3odbc.so;"
                    "Database=" +
                        (dir.path() / "shop.db").string() +
                        "\"\n    table: sales\n    schema: schemas/sales_transactions.json\n" +
                        kRules +
                        "  - name: sales_csv\n    type: file\n    path: ./sales.csv\n"
                        "    schema: schemas/sales_transactions.json\n" +
                        kRules)
          .ok());
  CommandResult r = RunAssay({"--config", "config.yml", "--as-of", "2026-11-24T00:00:00Z",
                              "--no-progress", "--summary-json"},
                             dir.path());
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  nlohmann::json summary = nlohmann::json::parse(r.out, nullptr, false);
  nlohmann::json odbc, csv;
  for (const auto& s : summary["sources"]) (s["name"] == "sales_odbc" ? odbc : csv) = s;
  EXPECT_EQ(odbc["rows"], sales.rows.size());
  EXPECT_EQ(odbc["tiers"], csv["tiers"]) << r.out;
}

}  // namespace
}  // namespace assay::testing
