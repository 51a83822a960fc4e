// The Redis readers against a real redis-server (tests/servers/redis_server.h): a stream read
// through a consumer group with acknowledgement after commit, and hashes by key pattern.

#include <gtest/gtest.h>

#include <set>

#include "sources/redis/hash_reader.h"
#include "sources/redis/redis_client.h"
#include "sources/redis/stream_reader.h"
#include "tests/servers/redis_server.h"

namespace assay::sources::redis {
namespace {

using testing::RedisServer;

class RedisReaderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto server = RedisServer::Start();
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(server).value().release();
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(server_, nullptr);
    ASSERT_TRUE(server_->Cli({"FLUSHALL"}).ok());
  }

  static std::unique_ptr<RedisClient> Client() {
    auto client = RedisClient::Connect(*db::ParseDatabaseUrl(server_->Url()), std::nullopt,
                                       std::chrono::seconds(5));
    EXPECT_TRUE(client.ok()) << client.status().message();
    return client.ok() ? std::move(client).value() : nullptr;
  }

  static void AddEntries(RedisClient& client, int from, int to) {
    std::vector<std::vector<std::string>> commands;
    for (int i = from; i <= to; ++i) {
      commands.push_back({"XADD", "orders", "*", "order_id", "O-" + std::to_string(i), "qty",
                          std::to_string(i % 7), "extra", "x"});
    }
    ASSERT_TRUE(client.Pipeline(commands).ok());
  }

  static Batch NewBatch() {
    Batch batch;
    batch.AddColumn("order_id");
    batch.AddColumn("QTY");
    return batch;
  }

  static StreamReader::Options StreamOptions() {
    StreamReader::Options o;
    o.stream = "orders";
    o.fields = {"order_id", "QTY"};
    o.count = 300;
    return o;
  }

  static RedisServer* server_;
};
RedisServer* RedisReaderTest::server_ = nullptr;

// Reads everything a reader returns; its ids are taken (not acknowledged).
size_t Drain(StreamReader& reader, Batch& batch, size_t max_rows = 1000) {
  size_t rows = 0;
  while (true) {
    auto n = reader.ReadBatch(batch, max_rows);
    EXPECT_TRUE(n.ok()) << n.status().message();
    if (!n.ok() || *n == 0) return rows;
    rows += *n;
  }
}

TEST_F(RedisReaderTest, AStreamIsReadOnceAndAcknowledgedAfterCommit) {
  auto client = Client();
  AddEntries(*client, 1, 2500);
  auto reader = StreamReader::Open(*client, StreamOptions());
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  Batch batch = NewBatch();
  ASSERT_EQ(Drain(**reader, batch), 2500u);
  EXPECT_EQ(batch.column(0).raw[0], "O-1");
  EXPECT_EQ(batch.column(1).raw[6], "0");  // QTY matched qty ignoring case
  EXPECT_EQ(batch.column(0).kind[0], CellKind::kText);
  EXPECT_NE(batch.record_text(0).find(R"("order_id":"O-1","qty":"1","extra":"x")"),
            std::string_view::npos);
  std::vector<std::string> ids = (*reader)->TakeReturnedIds();
  ASSERT_EQ(ids.size(), 2500u);
  ASSERT_TRUE((*reader)->Ack(ids).ok());
  EXPECT_EQ(*server_->Cli({"XPENDING", "orders", "assay"}), "0\n\n\n\n");

  AddEntries(*client, 2501, 2600);
  auto next = StreamReader::Open(*client, StreamOptions());
  ASSERT_TRUE(next.ok());
  Batch more = NewBatch();
  EXPECT_EQ(Drain(**next, more), 100u);
  EXPECT_EQ(more.column(0).raw[0], "O-2501");
}

TEST_F(RedisReaderTest, EntriesNotCommittedAreDeliveredAgain) {
  auto client = Client();
  AddEntries(*client, 1, 1500);
  {
    auto reader = StreamReader::Open(*client, StreamOptions());
    Batch batch = NewBatch();
    ASSERT_EQ(*(*reader)->ReadBatch(batch, 1000), 1000u);  // then the run dies: no commit
  }
  auto again = StreamReader::Open(*client, StreamOptions());
  Batch batch = NewBatch();
  ASSERT_EQ(Drain(**again, batch, 400), 1500u);
  EXPECT_EQ(batch.column(0).raw[0], "O-1");  // the pending ones first, in order
  EXPECT_EQ(batch.column(0).raw[1499], "O-1500");
  EXPECT_EQ((*again)->skipped_committed(), 0u);
}

TEST_F(RedisReaderTest, EntriesCommittedButNotAcknowledgedAreSkipped) {
  auto client = Client();
  AddEntries(*client, 1, 1500);
  std::optional<StreamId> committed;
  {
    auto reader = StreamReader::Open(*client, StreamOptions());
    Batch batch = NewBatch();
    ASSERT_EQ(*(*reader)->ReadBatch(batch, 1000), 1000u);
    committed = (*reader)->last_id();  // the commit landed, then the run died before XACK
  }
  StreamReader::Options options = StreamOptions();
  options.committed = committed;
  auto again = StreamReader::Open(*client, options);
  Batch batch = NewBatch();
  ASSERT_EQ(Drain(**again, batch), 500u);
  EXPECT_EQ(batch.column(0).raw[0], "O-1001");
  EXPECT_EQ((*again)->skipped_committed(), 1000u);
}

TEST_F(RedisReaderTest, HashesByPatternWithTheKeyAsAField) {
  auto client = Client();
  std::vector<std::vector<std::string>> commands;
  for (int i = 1; i <= 2345; ++i) {
    commands.push_back({"HSET", "customer:" + std::to_string(i), "name", "N" + std::to_string(i),
                        "tier", i % 2 ? "gold" : "silver"});
  }
  commands.push_back({"SET", "customer:oops", "a string, not a hash"});
  commands.push_back({"HSET", "other:1", "name", "not matched"});
  ASSERT_TRUE(client->Pipeline(commands).ok());
  HashReader::Options options;
  options.pattern = "customer:*";
  options.key_field = "id";
  options.fields = {"id", "name", "tier"};
  auto reader = HashReader::Open(*client, options);
  ASSERT_TRUE(reader.ok());
  Batch batch;
  for (const auto& f : options.fields) batch.AddColumn(f);
  size_t rows = 0, errors = 0;
  while (true) {
    auto n = (*reader)->ReadBatch(batch, 500);
    ASSERT_TRUE(n.ok()) << n.status().message();
    if (*n == 0) break;
    rows += *n;
  }
  std::set<std::string> keys;
  for (size_t r = 0; r < batch.num_rows(); ++r) {
    if (batch.has_parse_error(r)) {
      ++errors;
      EXPECT_EQ(batch.parse_error(r).code, "redis.wrong_type");
      continue;
    }
    keys.insert(std::string(batch.column(0).raw[r]));
    EXPECT_EQ(batch.column(1).raw[r], "N" + std::string(batch.column(0).raw[r]).substr(9));
  }
  EXPECT_EQ(rows, 2346u);
  EXPECT_EQ(errors, 1u);
  EXPECT_EQ(keys.size(), 2345u);  // SCAN may repeat a key; every one is still read once here
}

TEST_F(RedisReaderTest, WrongPasswordAndDeadServerAreClearErrors) {
  auto wrong = RedisClient::Connect(*db::ParseDatabaseUrl(server_->Url("not-it")), std::nullopt,
                                    std::chrono::seconds(5));
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(wrong.status().message().find("login refused"), std::string::npos)
      << wrong.status().message();
  EXPECT_EQ(wrong.status().message().find("not-it"), std::string::npos);
  EXPECT_EQ(wrong.status().message().find(RedisServer::kPassword), std::string::npos);

  auto unreachable = RedisClient::Connect(*db::ParseDatabaseUrl("redis://127.0.0.1:9/0"),
                                          std::nullopt, std::chrono::seconds(2));
  ASSERT_FALSE(unreachable.ok());
  EXPECT_NE(unreachable.status().message().find("cannot connect"), std::string::npos);
}

}  // namespace
}  // namespace assay::sources::redis
