#include "web/stats_api.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace assay::web {
namespace {

class StatsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("assay_stats_api_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    auto store = events::StateStore::Open(dir_);
    ASSERT_TRUE(store.ok());
    store_ = std::move(store).value();
    auto registry = schema::SchemaRegistry::Open(dir_, {}, nullptr);
    ASSERT_TRUE(registry.ok());
    registry_ = std::move(registry).value();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  HttpResponse Get(const std::string& target, const std::string& method = "GET") {
    HttpRequest request;
    request.method = method;
    EXPECT_TRUE(ParseTarget(target, &request));
    return StatsApi(*store_, *registry_).Handle(request);
  }

  std::filesystem::path dir_;
  std::unique_ptr<events::StateStore> store_;
  std::unique_ptr<schema::SchemaRegistry> registry_;
};

TEST_F(StatsApiTest, AnswersTheCountsOfAVersionAndErrorsInTheRegistryShape) {
  ASSERT_TRUE(registry_->Register("a/b", schema::SchemaFormat::kJson, R"({"type":"object"})").ok());
  events::ValidationCounts counts;
  counts.subject = "a/b";
  counts.version = 1;
  counts.rows = 3;
  counts.tiers = {1, 1, 0, 1};
  counts.failures[{"q", "maximum"}] = 2;
  counts.failures[{"", "rule"}] = 1;
  auto id = store_->RecordPendingCommit("r", "s", "{}");
  ASSERT_TRUE(id.ok());
  events::FileState state;
  state.identity.content_hash = "h";
  ASSERT_TRUE(store_->CompleteCommit(*id, state, &counts).ok());

  HttpResponse ok = Get("/api/subjects/a%2Fb/versions/latest/stats");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.content_type, "application/json");
  EXPECT_EQ(nlohmann::json::parse(ok.body), nlohmann::json::parse(R"({
    "subject": "a/b", "version": 1, "id": 1, "rows": 3,
    "tiers": {"gold": 1, "silver": 1, "bronze": 0, "rejected": 1},
    "failures": [{"field": null, "check": "rule", "failures": 1},
                 {"field": "q", "check": "maximum", "failures": 2}]})"));

  auto code = [](const HttpResponse& r) {
    return nlohmann::json::parse(r.body).value("error_code", 0);
  };
  EXPECT_EQ(code(Get("/api/subjects/nope/versions/1/stats")), 40401);
  EXPECT_EQ(code(Get("/api/subjects/a%2Fb/versions/2/stats")), 40402);
  EXPECT_EQ(code(Get("/api/subjects/a%2Fb/versions/0/stats")), 42202);
  EXPECT_EQ(code(Get("/api/subjects/a%2Fb/versions/1")), 404);
  EXPECT_EQ(code(Get("/api/subjects/a%2Fb/versions/1/stats", "POST")), 405);
}

}  // namespace
}  // namespace assay::web
