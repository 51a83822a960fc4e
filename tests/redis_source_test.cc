// Redis sources through the real binary, against a real redis-server: a stream read through a
// consumer group lands each entry once across runs (acknowledged only after the commit), and
// hashes by key pattern grade like any rows.

#include "tests/servers/redis_server.h"
#include "tests/test_util.h"

namespace assay::testing {
namespace {

constexpr const char* kSchema = R"({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "orders", "type": "object",
  "required": ["order_id", "qty"],
  "properties": {
    "order_id": {"type": "string", "pattern": "^O-[0-9]+$", "x-severity": {"required": "critical"}},
    "qty":      {"type": "integer", "minimum": 1},
    "name":     {"type": "string"} } }
)";

class RedisSourceTest : public TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    auto server = RedisServer::Start();
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(server).value();
    Write("schemas/orders.json", kSchema);
  }

  void WriteConfig(const std::string& keys) {
    Write("config.yml",
          "pipeline: {warehouse: ./warehouse, state_dir: ./state, commit_interval_rows: 400, "
          "batch_max_rows: 100}\n"
          "sources:\n"
          "  - name: orders\n"
          "    type: redis\n"
          "    url: redis://127.0.0.1:" +
              std::to_string(server_->port()) + "/0\n    password: ${REDIS_PASSWORD}\n" + keys +
              "    schema: schemas/orders.json\n");
  }

  CommandResult RunPipeline(const std::string& password = std::string(RedisServer::kPassword)) {
    return assay::testing::Run({"/usr/bin/env", "REDIS_PASSWORD=" + password, ASSAY_EXECUTABLE,
                                "--config", "config.yml", "--no-progress", "--summary-json"},
                               dir_);
  }

  void AddEntries(int from, int to) {
    std::string script;
    for (int i = from; i <= to; ++i) {
      // Every tenth order has qty 0: graded below gold, not lost.
      script +=
          "XADD orders * order_id O-" + std::to_string(i) + " qty " + std::to_string(i % 10) + "\n";
    }
    ASSERT_TRUE(server_->CliScript(script).ok());
  }

  static int64_t Rows(const CommandResult& r) {
    nlohmann::json summary = nlohmann::json::parse(r.out, nullptr, false);
    return summary["sources"][0]["rows"].get<int64_t>();
  }
  int64_t Count(const std::string& sql) {
    return std::stoll(DuckDb(sql, dir_)[0][0].get<std::string>());
  }

  std::unique_ptr<RedisServer> server_;
};

TEST_F(RedisSourceTest, StreamEntriesLandOnceAcrossRuns) {
  AddEntries(1, 1000);
  WriteConfig("    stream: orders\n    group: ingest\n");
  CommandResult first = RunPipeline();
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_EQ(Rows(first), 1000);
  EXPECT_EQ(*server_->Cli({"XPENDING", "orders", "ingest"}), "0\n\n\n\n");  // all acknowledged

  CommandResult again = RunPipeline();
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(Rows(again), 0);

  AddEntries(1001, 1100);
  CommandResult more = RunPipeline();
  ASSERT_EQ(more.exit_code, 0) << more.err;
  EXPECT_EQ(Rows(more), 100);
  const std::string all = "read_parquet('warehouse/*/orders/*/*.parquet', union_by_name => true)";
  EXPECT_EQ(Count("SELECT count(*) FROM " + all), 1100);
  EXPECT_EQ(Count("SELECT count(DISTINCT order_id) FROM " + all), 1100);
  EXPECT_EQ(Count("SELECT count(*) FROM " + all + " WHERE qty = 0 AND _tier = 'gold'"), 0);
}

TEST_F(RedisSourceTest, HashesByPatternAreRows) {
  std::string script;
  for (int i = 1; i <= 250; ++i) {
    script += "HSET order:" + std::to_string(i) + " qty " + std::to_string(i % 5) + " name n" +
              std::to_string(i) + "\n";
  }
  ASSERT_TRUE(server_->CliScript(script).ok());
  WriteConfig("    key_pattern: \"order:*\"\n    key_field: order_id\n");
  CommandResult r = RunPipeline();
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(Rows(r), 250);
  // The key is the order_id field (and "order:17" fails its pattern: graded, not lost).
  EXPECT_EQ(Count("SELECT count(*) FROM read_parquet('warehouse/*/orders/*/*.parquet', "
                  "union_by_name => true) WHERE order_id LIKE 'order:%'"),
            250);
}

TEST_F(RedisSourceTest, AWrongPasswordFailsTheSourceWithoutShowingIt) {
  WriteConfig("    stream: orders\n");
  CommandResult r = RunPipeline("not-the-password");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("login refused"), std::string::npos) << r.err;
  // A refused login fails the same way every time: it is not retried with backoff.
  EXPECT_EQ(r.err.find("retrying"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("not-the-password"), std::string::npos) << r.err;

  WriteConfig("    stream: orders\n    key_pattern: \"x:*\"\n");
  CommandResult bad = RunPipeline();
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("give stream or key_pattern, not both"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace assay::testing
