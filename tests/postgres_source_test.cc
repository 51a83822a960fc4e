// PostgreSQL sources through the real binary against a real PostgreSQL server
// (tests/servers/postgres_server.h): the sample sales rows as a table grade into exactly the
// tiers the CSV does, as text columns and as typed ones, and a timestamptz watermark makes runs
// incremental without loss or duplicates.

#include <iostream>
#include <string>

#include "tests/servers/postgres_server.h"
#include "tests/test_util.h"

namespace assay::testing {
namespace {

class PostgresSourceTest : public TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    Result<std::unique_ptr<PostgresServer>> server = PostgresServer::Start();
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    CopySalesSchema(dir_);
    // The password reaches assay as a user would keep it: in a file, not in the URL.
    Write("pg_password", std::string(PostgresServer::kPassword) + "\n");
  }
  void TearDown() override {
    server_.reset();
    TempDirTest::TearDown();
  }

  void Sql(const std::string& sql) {
    Result<std::string> out = server_->Sql(sql);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
  }

  /// A database source reading `table` from the test server, then `more` sources.
  void WriteConfig(const std::string& sources) {
    Write("config.yml",
          "pipeline: {warehouse: ./warehouse, state_dir: ./state, "
          "commit_interval_rows: 500, batch_max_rows: 200}\n"
          "sources:\n" +
              sources);
  }
  std::string PostgresSource(const std::string& name, const std::string& table,
                             const std::string& more = "") const {
    return "  - name: " + name +
           "\n"
           "    type: database\n"
           "    url: " +
           server_->Url("") +
           "\n"
           "    password_file: ./pg_password\n"
           "    table: " +
           table +
           "\n"
           "    fetch_size: 128\n"  // many round trips, and batches that straddle them
           "    schema: schemas/sales_transactions.json\n" +
           more + kSalesRules;
  }

  CommandResult RunPipeline(const std::vector<std::string>& extra = {}) {
    return RunSummary(dir_, extra);
  }
  static nlohmann::json Source(const CommandResult& r, const std::string& name) {
    return SummarySource(r, name);
  }
  int64_t Count(const std::string& sql) { return DuckDbCount(sql, dir_); }

  std::unique_ptr<PostgresServer> server_;
};

TEST_F(PostgresSourceTest, TheSampleRowsGradeLikeTheCsvAsTextAndAsTypedColumns) {
  const SampleSales sales = ReadSampleSales();
  ASSERT_GT(sales.rows.size(), 2900u);
  Write("sales.csv", sales.Csv());
  // psql's \copy reads the CSV as the CSV reader does: an empty unquoted field is NULL.
  std::string create = "CREATE TABLE sales (";
  for (size_t c = 0; c < sales.columns.size(); ++c) {
    create += (c ? ", " : "") + sales.columns[c] + " text";
  }
  Sql(create + ");\n\\copy sales FROM '" + (dir_ / "sales.csv").string() +
      "' WITH (FORMAT csv, HEADER true)\n"
      // The columns whose every value fits a number type, typed: they reach the checks as
      // numbers instead of text, and must grade the same.
      "CREATE TABLE sales_typed AS SELECT transaction_id, customer_id, product_id, store_id, "
      "quantity::integer AS quantity, unit_price, discount::numeric AS discount, "
      "total_amount::numeric(12,2) AS total_amount, currency, payment_method, channel, "
      "transaction_ts, customer_email FROM sales;\n");
  WriteConfig(PostgresSource("sales_pg", "public.sales") +
              PostgresSource("sales_typed", "sales_typed") +
              "  - name: sales_csv\n    type: file\n    path: ./sales.csv\n"
              "    schema: schemas/sales_transactions.json\n" +
              kSalesRules);
  CommandResult r = RunPipeline();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const nlohmann::json csv = Source(r, "sales_csv");
  std::cout << "[ tiers    ] " << sales.rows.size() << " rows: " << csv["tiers"].dump() << "\n";
  for (const char* name : {"sales_pg", "sales_typed"}) {
    SCOPED_TRACE(name);
    const nlohmann::json db = Source(r, name);
    EXPECT_EQ(db["rows"], sales.rows.size());
    EXPECT_EQ(db["tiers"], csv["tiers"]) << r.out;
    // Read back independently: every row landed once, in the tier the summary says.
    const std::string all =
        std::string("read_parquet('warehouse/*/") + name + "/*/*.parquet', union_by_name => true)";
    EXPECT_EQ(Count("SELECT count(*) FROM " + all), static_cast<int64_t>(sales.rows.size()));
    EXPECT_EQ(Count(std::string("SELECT count(*) FROM read_parquet('warehouse/gold/") + name +
                    "/*/*.parquet')"),
              db["tiers"]["gold"].get<int64_t>());
  }
  EXPECT_GT(csv["tiers"]["rejected"].get<int>(), 0);  // the samples hold defects of every kind
  EXPECT_GT(csv["tiers"]["gold"].get<int>(), 0);
}

TEST_F(PostgresSourceTest, ATimestamptzWatermarkMakesEachRunReadOnlyNewRows) {
  Sql("CREATE TABLE sales (transaction_id text, quantity int, unit_price numeric, "
      "total_amount numeric, currency text, transaction_ts text, updated_at timestamptz);");
  // Every third row shares its updated_at (to the microsecond) with the next: a commit must
  // not split such a pair, and the value must compare exactly when given back.
  auto insert = [&](int from, int to) {
    Sql("INSERT INTO sales SELECT 'TX-' || (1000000000 + i), 2, 1.5, 3.0, 'USD', "
        "'2026-11-23T10:00:00Z', '2026-11-01 00:00:00+01'::timestamptz + "
        "(i - (i % 3 = 1)::int) * interval '1.000001 second' FROM generate_series(" +
        std::to_string(from) + ", " + std::to_string(to) + ") AS i;");
  };
  insert(1, 1000);
  WriteConfig(PostgresSource("sales_pg", "sales", "    watermark_column: updated_at\n"));
  CommandResult first = RunPipeline();
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_EQ(Source(first, "sales_pg")["rows"], 1000);

  CommandResult again = RunPipeline();
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_EQ(Source(again, "sales_pg")["rows"], 0);

  insert(1001, 1250);
  CommandResult more = RunPipeline();
  ASSERT_EQ(more.exit_code, 0) << more.out << more.err;
  EXPECT_EQ(Source(more, "sales_pg")["rows"], 250);
  // Rows 999 and 1000 share updated_at, 999 s and 999 µs after 2026-10-31T23:00:00Z, as the driver
  // reads it.
  EXPECT_NE(more.err.find("reading rows with updated_at > 2026-10-31T23:16:39.000999Z"),
            std::string::npos)
      << more.err;

  const std::string all = "read_parquet('warehouse/*/sales_pg/*/*.parquet', union_by_name => true)";
  EXPECT_EQ(Count("SELECT count(*) FROM " + all), 1250);
  EXPECT_EQ(Count("SELECT count(DISTINCT transaction_id) FROM " + all), 1250);
}

TEST_F(PostgresSourceTest, AWrongPasswordFailsTheSourceWithoutShowingIt) {
  Sql("CREATE TABLE sales (transaction_id text);");
  Write("pg_password", "not-the-Password-42\n");
  WriteConfig(PostgresSource("sales_pg", "sales", "    connect_timeout: 5\n"));
  CommandResult r = RunPipeline();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("password authentication failed"), std::string::npos) << r.err;
  // A refused login fails the same way every time: it is not retried with backoff.
  EXPECT_EQ(r.err.find("retrying"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("not-the-Password-42"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("not-the-Password-42"), std::string::npos) << r.out;
  EXPECT_EQ(Read("state/assay.db").find("not-the-Password-42"), std::string::npos);
}

}  // namespace
}  // namespace assay::testing
