#include "sources/database/database_reader.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "sources/database/partitioned_read.h"

namespace assay::sources::db {
namespace {

class SqliteReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("assay_db_reader_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    path_ = (dir_ / "shop.db").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void Exec(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    EXPECT_EQ(rc, SQLITE_OK) << (error ? error : "");
    sqlite3_free(error);
    sqlite3_close(db);
  }

  std::unique_ptr<DbConnection> Open() {
    ConnectOptions options;
    options.url = *ParseDatabaseUrl("sqlite:///" + path_);
    auto connection = Connect(options);
    EXPECT_TRUE(connection.ok()) << connection.status().message();
    return connection.ok() ? std::move(connection).value() : nullptr;
  }

  static Batch NewBatch(const std::vector<std::string>& fields) {
    Batch batch;
    for (const auto& f : fields) batch.AddColumn(f);
    return batch;
  }

  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(SqliteReaderTest, ValuesKeepTheirTypesAndTextIsText) {
  Exec(
      "CREATE TABLE sales (id INTEGER, amount REAL, price DECIMAL(10,2), ok BOOLEAN, note TEXT, "
      "blob BLOB, ts DATETIME);"
      "INSERT INTO sales VALUES (1, 2.5, '10.25', 1, 'hi \"there\"', x'00ff', '2026-01-02 "
      "03:04:05');"
      "INSERT INTO sales VALUES (2, NULL, 'n/a', 0, NULL, NULL, NULL);");
  auto connection = Open();
  ReadRequest request;
  request.table = "sales";
  request.fields = {"id", "AMOUNT", "price", "ok", "note", "blob", "ts", "missing"};
  auto reader = DatabaseReader::Open(*connection, request, "sales");
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  Batch batch = NewBatch(request.fields);
  auto n = (*reader)->ReadBatch(batch, 100);
  ASSERT_TRUE(n.ok()) << n.status().message();
  ASSERT_EQ(*n, 2u);
  EXPECT_EQ((*reader)->missing_fields(), std::vector<std::string>{"missing"});

  EXPECT_EQ(batch.column(0).kind[0], CellKind::kNumber);
  EXPECT_EQ(batch.column(0).raw[0], "1");
  EXPECT_EQ(batch.column(1).kind[0], CellKind::kNumber);  // matched ignoring case
  EXPECT_EQ(batch.column(1).raw[0], "2.5");
  EXPECT_EQ(batch.column(1).kind[1], CellKind::kNull);
  EXPECT_EQ(batch.column(2).kind[0], CellKind::kNumber);  // NUMERIC affinity made it a real
  EXPECT_EQ(batch.column(2).raw[0], "10.25");
  EXPECT_EQ(batch.column(2).kind[1], CellKind::kText);  // text in a DECIMAL column stays text
  EXPECT_EQ(batch.column(2).raw[1], "n/a");
  EXPECT_EQ(batch.column(3).kind[0], CellKind::kBool);
  EXPECT_EQ(batch.column(3).raw[0], "true");
  EXPECT_EQ(batch.column(3).raw[1], "false");
  EXPECT_EQ(batch.column(4).kind[0], CellKind::kText);
  EXPECT_EQ(batch.column(5).raw[0], "00ff");
  EXPECT_EQ(batch.column(6).kind[0], CellKind::kText);
  EXPECT_EQ(batch.column(6).raw[0], "2026-01-02 03:04:05");
  EXPECT_EQ(batch.column(7).kind[0], CellKind::kNull);
  EXPECT_EQ(batch.record_text(0),
            R"({"id":1,"amount":2.5,"price":10.25,"ok":true,"note":"hi \"there\"",)"
            R"("blob":"00ff","ts":"2026-01-02 03:04:05"})");
  EXPECT_EQ(batch.origin(1).line, 2u);
  EXPECT_EQ(batch.unit(batch.origin(1).unit), "sales");
  EXPECT_EQ(*(*reader)->ReadBatch(batch, 100), 0u);
}

TEST_F(SqliteReaderTest, IncrementalReadsStartAfterTheWatermarkInOrder) {
  Exec(
      "CREATE TABLE t (id INTEGER, v TEXT);"
      "INSERT INTO t VALUES (5,'e'),(1,'a'),(3,'c'),(2,'b'),(4,'d');");
  auto connection = Open();
  ReadRequest request;
  request.query = "SELECT id, v FROM t";
  request.watermark_column = "id";
  request.watermark_after = DbParam{DbType::kInteger, "2"};
  request.fields = {"v"};
  auto reader = DatabaseReader::Open(*connection, request, "t");
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  Batch batch = NewBatch(request.fields);
  ASSERT_EQ(*(*reader)->ReadBatch(batch, 2), 2u);
  EXPECT_EQ(batch.column(0).raw[0], "c");
  EXPECT_EQ(batch.column(0).raw[1], "d");
  EXPECT_EQ((*reader)->last_watermark()->text, "4");
  ASSERT_EQ(*(*reader)->ReadBatch(batch, 2), 1u);
  EXPECT_EQ((*reader)->last_watermark()->text, "5");
  EXPECT_EQ(batch.origin(2).line, 3u);
}

TEST_F(SqliteReaderTest, ABoundaryFallsOnlyBetweenDistinctWatermarks) {
  Exec(
      "CREATE TABLE t (ts TEXT, n INTEGER);"
      "INSERT INTO t VALUES ('a',1),('b',2),('b',3),('c',4);");
  auto connection = Open();
  ReadRequest request;
  request.table = "t";
  request.watermark_column = "ts";
  request.fields = {"n"};
  auto reader = DatabaseReader::Open(*connection, request, "t");
  ASSERT_TRUE(reader.ok());
  Batch batch = NewBatch(request.fields);
  ASSERT_EQ(*(*reader)->ReadBatch(batch, 1), 1u);  // a
  EXPECT_TRUE((*reader)->AtWatermarkBoundary());
  ASSERT_EQ(*(*reader)->ReadBatch(batch, 1), 1u);  // the first b: another b follows
  EXPECT_FALSE((*reader)->AtWatermarkBoundary());
  ASSERT_EQ(*(*reader)->ReadBatch(batch, 1), 1u);  // the second b
  EXPECT_TRUE((*reader)->AtWatermarkBoundary());
  ASSERT_EQ(*(*reader)->ReadBatch(batch, 5), 1u);  // c, the last
  EXPECT_TRUE((*reader)->AtWatermarkBoundary());
  EXPECT_EQ((*reader)->last_watermark()->text, "c");
}

TEST_F(SqliteReaderTest, PartitionsCoverEveryRowOnce) {
  Exec(
      "CREATE TABLE t (id INTEGER);"
      "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 100) "
      "INSERT INTO t SELECT i FROM s; INSERT INTO t VALUES (NULL);");
  auto connection = Open();
  size_t total = 0;
  const std::vector<std::pair<std::optional<int64_t>, std::optional<int64_t>>> ranges = {
      {std::nullopt, 34}, {34, 67}, {67, std::nullopt}};
  for (size_t p = 0; p < ranges.size(); ++p) {
    ReadRequest request;
    request.table = "t";
    request.partition_column = "id";
    request.partition_lower = ranges[p].first;
    request.partition_upper = ranges[p].second;
    request.partition_with_nulls = p == 0;
    request.fields = {"id"};
    auto reader = DatabaseReader::Open(*connection, request, "t");
    ASSERT_TRUE(reader.ok()) << reader.status().message();
    Batch batch = NewBatch(request.fields);
    while (*(*reader)->ReadBatch(batch, 16) > 0) {
    }
    total += batch.num_rows();
  }
  EXPECT_EQ(total, 101u);
}

TEST_F(SqliteReaderTest, BadTablesQueriesAndFilesAreClearErrors) {
  Exec("CREATE TABLE t (id INTEGER);");
  auto connection = Open();
  ReadRequest request;
  request.table = "nope";
  auto missing = DatabaseReader::Open(*connection, request, "nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("no such table: nope"), std::string::npos)
      << missing.status().message();
  request.table.clear();
  request.query = "SELEC id FROM t";
  EXPECT_FALSE(DatabaseReader::Open(*connection, request, "q").ok());
  request.query = "SELECT id FROM t";
  request.watermark_column = "updated_at";
  auto no_watermark = DatabaseReader::Open(*connection, request, "q");
  ASSERT_FALSE(no_watermark.ok());
  EXPECT_NE(no_watermark.status().message().find("updated_at"), std::string::npos);

  ConnectOptions options;
  options.url = *ParseDatabaseUrl("sqlite:///" + (dir_ / "absent.db").string());
  auto absent = Connect(options);
  ASSERT_FALSE(absent.ok());
  EXPECT_EQ(absent.status().code(), StatusCode::kNotFound);
  std::filesystem::path junk = dir_ / "junk.db";
  { std::ofstream(junk) << "this is not a database, it is text long enough to be a header......"; }
  options.url = *ParseDatabaseUrl("sqlite:///" + junk.string());
  auto not_db = Connect(options);
  ASSERT_FALSE(not_db.ok());
  EXPECT_NE(not_db.status().message().find("not a readable SQLite database"), std::string::npos)
      << not_db.status().message();
}

TEST(SqlDialectTest, QuotesEachPartOfADottedName) {
  SqlDialect pg;
  EXPECT_EQ(pg.QuoteName("public.sales"), R"("public"."sales")");
  EXPECT_EQ(pg.QuoteName(R"(we"ird)"), R"("we""ird")");
  SqlDialect my;
  my.identifier_quote = '`';
  EXPECT_EQ(my.QuoteName("shop.sales"), "`shop`.`sales`");
  std::vector<DbParam> params;
  ReadRequest request;
  request.table = "s";
  request.watermark_column = "u";
  request.watermark_after = DbParam{DbType::kTimestampTz, "2026-01-01T00:00:00Z"};
  pg.numbered_placeholders = true;
  EXPECT_EQ(BuildSelect(request, pg, params), R"(SELECT * FROM "s" WHERE "u" > $1 ORDER BY "u")");
  ASSERT_EQ(params.size(), 1u);
}

TEST_F(SqliteReaderTest, PartitionsSpanTheWholeInt64RangeWithoutOverflow) {
  Exec(
      "CREATE TABLE t (id INTEGER, wm INTEGER);"
      "INSERT INTO t VALUES (-9223372036854775808, 1), (0, 2), (9223372036854775807, 3), "
      "(NULL, 4);");
  auto connection = Open();
  ReadRequest request;
  request.table = "t";
  request.partition_column = "id";
  request.watermark_column = "wm";
  request.fields = {"id"};
  auto plan = PlanPartitions(*connection, request, 4);
  ASSERT_TRUE(plan.ok()) << plan.status().message();
  ASSERT_EQ(plan->partitions.size(), 4u);
  ASSERT_TRUE(plan->watermark_through.has_value());
  EXPECT_EQ(plan->watermark_through->text, "4");
  ConnectOptions options;
  options.url = *ParseDatabaseUrl("sqlite:///" + path_);
  auto reader = PartitionedReader::Open(options, *plan, "t", 100, [&] {
    auto batch = std::make_unique<Batch>();
    batch->AddColumn("id");
    return batch;
  });
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  size_t rows = 0;
  while (true) {
    auto batch = (*reader)->Next();
    ASSERT_TRUE(batch.ok()) << batch.status().message();
    if (*batch == nullptr) break;
    rows += (*batch)->num_rows();
  }
  EXPECT_EQ(rows, 4u);
}

}  // namespace
}  // namespace assay::sources::db
