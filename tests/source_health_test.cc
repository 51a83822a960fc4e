// The sources' health checks as the dashboard and a monitor meet them: `GET /api/sources` and
// `GET /api/sources/{name}/health` on the real `assay --web-only`, and `--validate-config`,
// against SQLite files, a real redis-server and input files. A failing check names the source's
// problem and never shows a password.

#include <httplib.h>
#include <sqlite3.h>

#include "tests/assay_server.h"
#include "tests/servers/redis_server.h"
#include "tests/test_util.h"

namespace assay::testing {
namespace {

using nlohmann::json;

constexpr const char* kWrongPassword = "Not-the-redis-Pw-7";

class SourceHealthTest : public TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    auto server = RedisServer::Start();
    ASSERT_TRUE(server.ok()) << server.status().message();
    redis_ = std::move(server).value();
    ASSERT_TRUE(redis_->CliScript("XADD orders * order_id O-1\nSET plain 1\n").ok());
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ / "shop.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(
        sqlite3_exec(db, "CREATE TABLE sales (id INTEGER, amount REAL)", nullptr, nullptr, nullptr),
        SQLITE_OK);
    sqlite3_close(db);
    Write("in/a.csv", "id,amount\n1,2.5\n");
    Write("wrong_password", std::string(kWrongPassword) + "\n");
    Write("redis_password", std::string(RedisServer::kPassword) + "\n");
    const std::string redis_url = "redis://127.0.0.1:" + std::to_string(redis_->port()) + "/0";
    Write("config.yml", R"(pipeline: {state_dir: ./state, warehouse: ./warehouse}
sources:
  - {name: files, type: file, path: ./in/*.csv, schema: s.json}
  - {name: no_files, type: file, path: ./absent/*.csv, schema: s.json}
  - {name: table, type: database, url: "sqlite:///shop.db", table: sales, schema: s.json}
  - {name: no_table, type: database, url: "sqlite:///shop.db", table: gone, schema: s.json}
  - {name: stream, type: redis, url: ")" +
                            redis_url +
                            R"(", password_file: ./redis_password, stream: orders, schema: s.json}
  - {name: refused, type: redis, url: ")" +
                            redis_url +
                            R"(", password_file: ./wrong_password, stream: orders, schema: s.json}
  - {name: not_a_stream, type: redis, url: ")" +
                            redis_url +
                            R"(", password_file: ./redis_password, stream: plain, schema: s.json}
)");
    Write("s.json", R"({"type": "object", "properties": {"id": {"type": "integer"}}})");
  }

  struct Reply {
    int status = 0;
    json body;
    std::string text;
  };
  Reply Get(AssayServer& server, const std::string& path, const std::string& method = "GET") {
    httplib::Client client("127.0.0.1", server.port());
    client.set_read_timeout(30, 0);
    auto res = method == "GET" ? client.Get(path) : client.Post(path, "", "application/json");
    if (!res) return {};
    return {res->status, json::parse(res->body, nullptr, false), res->body};
  }

  std::unique_ptr<RedisServer> redis_;
};

TEST_F(SourceHealthTest, EachSourceAnswersItsHealthOverHttp) {
  AssayServer server;
  std::string error;
  ASSERT_TRUE(
      server.Start({"--config", "config.yml", "--web-only", "--port", "0"}, dir_, {}, &error))
      << error;

  Reply list = Get(server, "/api/sources");
  ASSERT_EQ(list.status, 200) << list.text;
  ASSERT_EQ(list.body.size(), 7u) << list.text;
  EXPECT_EQ(list.body[0], json::parse(R"({"name": "files", "type": "file", "enabled": true,
                                          "input": {"path": "./in/*.csv"}})"));
  EXPECT_EQ(list.body[2]["input"], json::parse(R"({"table": "sales"})"));
  EXPECT_EQ(list.body[4]["input"], json::parse(R"({"stream": "orders", "group": "assay"})"));
  EXPECT_EQ(list.text.find(RedisServer::kPassword), std::string::npos);

  struct Expected {
    const char* source;
    int status;
    const char* message;
    const char* code;
  };
  for (const Expected& e : {
           Expected{"files", 200, "1 file(s) match ./in/*.csv", nullptr},
           Expected{"no_files", 503, "no file matches './absent/*.csv'", "NotFound"},
           Expected{"table", 200, "database reachable, sales readable", nullptr},
           Expected{"no_table", 503, "no such table: gone", nullptr},
           Expected{"stream", 200, "redis reachable, stream orders readable", nullptr},
           Expected{"refused", 503, "login refused", "PermissionDenied"},
           Expected{"not_a_stream", 503, "key 'plain' is a string, not a stream", nullptr},
       }) {
    SCOPED_TRACE(e.source);
    Reply health = Get(server, std::string("/api/sources/") + e.source + "/health");
    EXPECT_EQ(health.status, e.status) << health.text;
    EXPECT_EQ(health.body["source"], e.source);
    EXPECT_EQ(health.body["healthy"], e.status == 200);
    EXPECT_NE(health.body.value("message", "").find(e.message), std::string::npos) << health.text;
    if (e.code) {
      EXPECT_EQ(health.body["code"], e.code) << health.text;
    }
    EXPECT_TRUE(health.body["seconds"].is_number());
    EXPECT_EQ(health.text.find(RedisServer::kPassword), std::string::npos);
    EXPECT_EQ(health.text.find(kWrongPassword), std::string::npos);
  }

  Reply unknown = Get(server, "/api/sources/nope/health");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.body["error_code"], 40403);
  EXPECT_EQ(Get(server, "/api/sources/table/health", "POST").status, 405);
  EXPECT_EQ(Get(server, "/api/sources/table/nope").status, 404);
  // The other /api routes are still there beside /api/sources.
  EXPECT_EQ(Get(server, "/api/subjects/nope/versions/1/stats").body["error_code"], 40401);
  EXPECT_EQ(server.Stop(), 0);
  EXPECT_EQ(server.Stderr().find(kWrongPassword), std::string::npos);
}

TEST_F(SourceHealthTest, ValidateConfigChecksRedisSourcesToo) {
  Write("config.yml",
        "pipeline: {state_dir: ./state, warehouse: ./warehouse}\nsources:\n"
        "  - {name: stream, type: redis, url: \"redis://127.0.0.1:" +
            std::to_string(redis_->port()) +
            "/0\", password_file: ./redis_password, stream: orders, schema: "
            "s.json}\n");
  CommandResult ok = RunAssay({"--config", "config.yml", "--validate-config"}, dir_);
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_NE(ok.out.find("stream: redis reachable, stream orders readable"), std::string::npos)
      << ok.out;

  Write("redis_password", std::string(kWrongPassword) + "\n");
  CommandResult refused = RunAssay({"--config", "config.yml", "--validate-config"}, dir_);
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("source 'stream'"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("login refused"), std::string::npos) << refused.err;
  EXPECT_EQ(refused.err.find(kWrongPassword), std::string::npos) << refused.err;
}

}  // namespace
}  // namespace assay::testing
