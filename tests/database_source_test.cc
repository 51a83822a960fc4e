// Database sources (docs/database-sources.md) through the real binary, on SQLite files: the
// same rows as a table grade into the same tiers as the CSV, watermarks make runs incremental
// without loss or duplicates, and bad URLs, tables and queries are clear errors. The server
// databases (PostgreSQL, MariaDB, ODBC) have their own tests against real servers.

#include <sqlite3.h>

#include "tests/test_util.h"

namespace assay::testing {
namespace {

class DatabaseSourceTest : public TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    CopySalesSchema(dir_);
  }

  void Sql(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ / "shop.db").c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
        << (error ? error : "");
    sqlite3_free(error);
    sqlite3_close(db);
  }

  // The sample sales rows that are well-formed CSV records (13 fields), as a CSV file and as a
  // SQLite table of text columns (an empty field is NULL, as the CSV reader reads it).
  size_t LoadSampleSales() {
    const SampleSales sales = ReadSampleSales();
    Write("sales.csv", sales.Csv());
    const std::vector<std::string>& columns = sales.columns;
    const std::vector<std::vector<std::string>>& rows = sales.rows;
    std::string create = "CREATE TABLE sales (";
    for (size_t c = 0; c < columns.size(); ++c) create += (c ? ", " : "") + columns[c] + " TEXT";
    create += ");";
    std::string insert = "BEGIN;";
    for (const auto& row : rows) {
      insert += "INSERT INTO sales VALUES (";
      for (size_t c = 0; c < row.size(); ++c) {
        std::string value = row[c];
        std::string quoted = "'";
        for (char ch : value) quoted += ch == '\'' ? std::string("''") : std::string(1, ch);
        insert += (c ? ", " : "") + (value.empty() ? std::string("NULL") : quoted + "'");
      }
      insert += ");";
    }
    Sql(create + insert + "COMMIT;");
    return rows.size();
  }

  void WriteConfig(const std::string& database_keys, const std::string& more = "") {
    Write("config.yml",
          "pipeline: {warehouse: ./warehouse, state_dir: ./state, "
          "commit_interval_rows: 500, batch_max_rows: 200}\n"
          "sources:\n"
          "  - name: sales_db\n"
          "    type: database\n" +
              database_keys + "    schema: schemas/sales_transactions.json\n" + kSalesRules + more);
  }

  CommandResult RunPipeline(const std::vector<std::string>& extra = {}) {
    return RunSummary(dir_, extra);
  }
  static nlohmann::json Source(const CommandResult& r, const std::string& name) {
    return SummarySource(r, name);
  }
  int64_t Count(const std::string& sql) { return DuckDbCount(sql, dir_); }
};

TEST_F(DatabaseSourceTest, ATableOfTheSampleRowsGradesLikeTheCsv) {
  const size_t rows = LoadSampleSales();
  ASSERT_GT(rows, 2900u);
  WriteConfig("    url: sqlite:///shop.db\n    table: sales\n",
              "  - name: sales_csv\n    type: file\n    path: ./sales.csv\n"
              "    schema: schemas/sales_transactions.json\n" +
                  std::string(kSalesRules));
  CommandResult r = RunPipeline();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  nlohmann::json db = Source(r, "sales_db"), csv = Source(r, "sales_csv");
  EXPECT_EQ(db["rows"], rows);
  EXPECT_EQ(db["tiers"], csv["tiers"]) << r.out;
  EXPECT_GT(db["tiers"]["rejected"].get<int>(), 0);  // the samples hold defects of every kind
  // Read back independently: every row landed once, and the typed columns carry the values.
  EXPECT_EQ(Count("SELECT count(*) FROM read_parquet('warehouse/*/sales_db/*/*.parquet', "
                  "union_by_name => true)"),
            static_cast<int64_t>(rows));
  EXPECT_EQ(Count("SELECT count(*) FROM read_parquet('warehouse/gold/sales_db/*/*.parquet') "
                  "WHERE _position LIKE 'sales:%' AND quantity BETWEEN 1 AND 1000"),
            db["tiers"]["gold"].get<int64_t>());
}

TEST_F(DatabaseSourceTest, AWatermarkMakesEachRunReadOnlyNewRows) {
  Sql("CREATE TABLE sales (transaction_id TEXT, quantity INTEGER, unit_price REAL, "
      "total_amount REAL, currency TEXT, transaction_ts TEXT, seq INTEGER);");
  auto insert = [&](int from, int to) {
    std::string sql = "BEGIN;";
    for (int i = from; i <= to; ++i) {
      // Every third row shares its seq with the next: a commit must not split such a pair.
      sql += "INSERT INTO sales VALUES ('TX-" + std::to_string(1000000000 + i) +
             "', 2, 1.5, 3.0, " + "'USD', '2026-11-23T10:00:00Z', " +
             std::to_string(i - (i % 3 == 1)) + ");";
    }
    Sql(sql + "COMMIT;");
  };
  insert(1, 1000);
  WriteConfig("    url: sqlite:///shop.db\n    table: sales\n    watermark_column: seq\n");
  CommandResult first = RunPipeline();
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_EQ(Source(first, "sales_db")["rows"], 1000);

  CommandResult again = RunPipeline();
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_EQ(Source(again, "sales_db")["rows"], 0);

  insert(1001, 1250);
  CommandResult more = RunPipeline();
  ASSERT_EQ(more.exit_code, 0) << more.out << more.err;
  EXPECT_EQ(Source(more, "sales_db")["rows"], 250);
  EXPECT_NE(more.err.find("reading rows with seq > 999"), std::string::npos) << more.err;

  const std::string all = "read_parquet('warehouse/*/sales_db/*/*.parquet', union_by_name => true)";
  EXPECT_EQ(Count("SELECT count(*) FROM " + all), 1250);
  EXPECT_EQ(Count("SELECT count(DISTINCT transaction_id) FROM " + all), 1250);

  // --reprocess is a full refresh: everything again.
  CommandResult full = RunPipeline({"--reprocess"});
  ASSERT_EQ(full.exit_code, 0) << full.out << full.err;
  EXPECT_EQ(Source(full, "sales_db")["rows"], 1250);
}

TEST_F(DatabaseSourceTest, AQueryIsASourceToo) {
  LoadSampleSales();
  WriteConfig(
      "    url: sqlite:///shop.db\n"
      "    query: \"SELECT * FROM sales WHERE currency = 'EUR'\"\n");
  CommandResult r = RunPipeline();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const int64_t rows = Source(r, "sales_db")["rows"];
  EXPECT_GT(rows, 100);
  EXPECT_EQ(Count("SELECT count(*) FROM read_parquet('warehouse/*/sales_db/*/*.parquet', "
                  "union_by_name => true) WHERE currency = 'EUR'"),
            rows);
}

TEST_F(DatabaseSourceTest, BadUrlsAreConfigErrorsBeforeAnythingRuns) {
  WriteConfig("    url: oracle://scott:tiger@h/db\n    table: sales\n");
  CommandResult r = RunPipeline();
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("unknown scheme 'oracle'"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("tiger"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "state"));

  WriteConfig(
      "    url: sqlite:///shop.db\n    table: sales\n    query: SELECT 1\n"
      "    path: ./x.csv\n");
  r = RunPipeline();
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("give table or query, not both"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("a database source has no path"), std::string::npos) << r.err;
}

TEST_F(DatabaseSourceTest, MissingDatabasesTablesAndColumnsFailTheSourceClearly) {
  WriteConfig("    url: sqlite:///absent.db\n    table: sales\n");
  CommandResult r = RunPipeline();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("no SQLite database file 'absent.db'"), std::string::npos) << r.err;

  Sql("CREATE TABLE other (x INTEGER);");
  WriteConfig("    url: sqlite:///shop.db\n    table: sales\n");
  r = RunPipeline();
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("no such table: sales"), std::string::npos) << r.err;

  WriteConfig("    url: sqlite:///shop.db\n    table: other\n    watermark_column: updated_at\n");
  r = RunPipeline();
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("no watermark column 'updated_at'"), std::string::npos) << r.err;
}

TEST_F(DatabaseSourceTest, PasswordsNeverReachMessages) {
  // Nothing listens on port 9 of loopback: the connection is refused at once.
  WriteConfig(
      "    url: postgresql://ana:hunter2@127.0.0.1:9/shop\n    table: sales\n"
      "    connect_timeout: 2\n");
  CommandResult r = RunPipeline();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("postgresql://ana:***@127.0.0.1:9/shop"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("hunter2"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("hunter2"), std::string::npos) << r.out;
  EXPECT_EQ(Read("state/assay.db").find("hunter2"), std::string::npos);
}

TEST_F(DatabaseSourceTest, PartitionsReadEveryRowOnceInParallel) {
  std::string sql =
      "CREATE TABLE sales (id INTEGER, transaction_id TEXT, quantity INTEGER, "
      "currency TEXT, seq INTEGER); BEGIN;";
  for (int i = 1; i <= 5000; ++i) {
    // Ids with a gap and NULLs: ranges must still cover everything exactly once.
    const std::string id = i % 500 == 0 ? "NULL" : std::to_string(i < 2500 ? i : i + 100);
    sql += "INSERT INTO sales VALUES (" + id + ", 'TX-" + std::to_string(1000000000 + i) +
           "', 3, 'USD', " + std::to_string(i) + ");";
  }
  Sql(sql + "COMMIT;");
  WriteConfig(
      "    url: sqlite:///shop.db\n    table: sales\n    partition_column: id\n"
      "    partitions: 4\n    watermark_column: seq\n");
  CommandResult r = RunPipeline();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Source(r, "sales_db")["rows"], 5000);
  const std::string all = "read_parquet('warehouse/*/sales_db/*/*.parquet', union_by_name => true)";
  EXPECT_EQ(Count("SELECT count(DISTINCT transaction_id) FROM " + all), 5000);
  EXPECT_EQ(Count("SELECT count(DISTINCT _position) FROM " + all), 5000);
  EXPECT_EQ(Count("SELECT count(DISTINCT split_part(_position, ':', 1)) FROM " + all), 4);

  // The partitioned run committed the highest watermark: new rows only, next time.
  Sql("INSERT INTO sales VALUES (7, 'TX-2000000001', 3, 'USD', 5001);");
  CommandResult next = RunPipeline();
  ASSERT_EQ(next.exit_code, 0) << next.out << next.err;
  EXPECT_EQ(Source(next, "sales_db")["rows"], 1);
  EXPECT_EQ(Count("SELECT count(*) FROM " + all), 5001);

  WriteConfig(
      "    url: sqlite:///shop.db\n    table: sales\n    partition_column: currency\n"
      "    partitions: 2\n");
  CommandResult text = RunPipeline();
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_NE(text.err.find("partition_column 'currency' must be an integer column"),
            std::string::npos)
      << text.err;
}

TEST_F(DatabaseSourceTest, ValidateConfigChecksTheConnectionWithoutReadingRows) {
  Sql("CREATE TABLE sales (transaction_id TEXT, seq INTEGER);"
      "INSERT INTO sales VALUES ('TX-1000000001', 1);");
  WriteConfig("    url: sqlite:///shop.db\n    table: sales\n    watermark_column: seq\n");
  CommandResult ok = RunAssay({"--config", "config.yml", "--validate-config"}, dir_);
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_NE(ok.out.find("sales_db: database reachable, sales readable"), std::string::npos)
      << ok.out;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "warehouse"));

  WriteConfig("    url: sqlite:///shop.db\n    table: sales\n    watermark_column: updated\n");
  CommandResult column = RunAssay({"--config", "config.yml", "--validate-config"}, dir_);
  EXPECT_EQ(column.exit_code, 1) << column.out;
  EXPECT_NE(column.err.find("no watermark column 'updated'"), std::string::npos) << column.err;

  WriteConfig(
      "    url: sqlite:///shop.db\n    table: sales\n    partition_column: nope\n"
      "    partitions: 2\n");
  CommandResult partition = RunAssay({"--config", "config.yml", "--validate-config"}, dir_);
  EXPECT_EQ(partition.exit_code, 1);
  EXPECT_NE(partition.err.find("no partition column 'nope'"), std::string::npos) << partition.err;

  WriteConfig("    url: postgresql://ana:hunter2@127.0.0.1:9/shop\n    table: sales\n");
  CommandResult down = RunAssay({"--config", "config.yml", "--validate-config"}, dir_);
  EXPECT_EQ(down.exit_code, 1);
  EXPECT_NE(down.err.find("source 'sales_db': postgresql://ana:***@127.0.0.1:9/shop"),
            std::string::npos)
      << down.err;
  EXPECT_EQ(down.err.find("hunter2"), std::string::npos) << down.err;
}

// An error that may pass (nothing listens on the port) is retried retry_attempts times in all,
// the wait doubling from retry_backoff; retry_attempts: 1 means no retry.
TEST_F(DatabaseSourceTest, AnUnreachableServerIsRetriedAsConfigured) {
  WriteConfig(
      "    url: postgresql://ana@127.0.0.1:9/shop\n    table: sales\n    retry_attempts: 1\n");
  CommandResult once = RunPipeline();
  EXPECT_EQ(once.exit_code, 1) << once.out << once.err;
  EXPECT_EQ(once.err.find("retrying"), std::string::npos) << once.err;

  WriteConfig(
      "    url: postgresql://ana@127.0.0.1:9/shop\n    table: sales\n    retry_attempts: 3\n"
      "    retry_backoff: 0.05\n");
  CommandResult thrice = RunPipeline();
  EXPECT_EQ(thrice.exit_code, 1) << thrice.out << thrice.err;
  size_t retries = 0;
  for (size_t at = thrice.err.find("retrying from the last commit"); at != std::string::npos;
       at = thrice.err.find("retrying from the last commit", at + 1)) {
    ++retries;
  }
  EXPECT_EQ(retries, 2u) << thrice.err;
  EXPECT_NE(thrice.err.find("in 50 ms (2/3)"), std::string::npos) << thrice.err;
  EXPECT_NE(thrice.err.find("in 100 ms (3/3)"), std::string::npos) << thrice.err;
}

}  // namespace
}  // namespace assay::testing
