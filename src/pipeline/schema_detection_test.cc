// `schema: auto` through the real pipeline (config loader, file readers, registry, state store):
// detection on the first run, widening on a later one, the events, and the statistics.

#include "pipeline/schema_detection.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "config/config.h"
#include "events/event_bus.h"
#include "schema/json_schema.h"

namespace assay::pipeline {
namespace {

namespace fs = std::filesystem;

class SchemaDetectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("assay_schema_detection_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "in");
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }

  void Write(const fs::path& relative, const std::string& text) {
    std::ofstream(dir_ / relative, std::ios::binary) << text;
  }
  std::string Read(const fs::path& relative) {
    std::ifstream in(dir_ / relative, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  // The config with absolute paths (the pipeline resolves paths against the working directory).
  void WriteConfig(const std::string& source_extra, const std::string& top_extra = "") {
    const std::string d = dir_.string();
    Write("assay.yml", "pipeline: {warehouse: " + d + "/warehouse, state_dir: " + d +
                           "/state, threads: 2}\n" + top_extra +
                           "sources:\n  - name: orders\n    type: file\n    path: " + d +
                           "/in/orders*\n    schema: auto\n" + source_extra +
                           "sinks:\n  - {type: ndjson, path: " + d + "/out}\n");
  }

  struct Outcome {
    RunSummary summary;
    std::vector<events::Event> events;  ///< schema.* events, in order
  };
  Outcome RunOnce() {
    Outcome out;
    auto config = config::LoadConfig(dir_ / "assay.yml");
    EXPECT_TRUE(config.ok()) << config.status().message();
    if (!config.ok()) return out;
    events::EventBus bus;
    RunOptions options;
    options.as_of_us = 1'800'000'000'000'000;
    auto pipeline = Pipeline::Make(*config, options, bus);
    EXPECT_TRUE(pipeline.ok()) << pipeline.status().message();
    if (!pipeline.ok()) return out;
    auto summary = (*pipeline)->Run();
    EXPECT_TRUE(summary.ok()) << summary.status().message();
    if (summary.ok()) out.summary = *summary;
    bus.Flush();
    out.events = bus.Recent(1000, "schema.*");
    return out;
  }

  static std::vector<std::string> Topics(const Outcome& o) {
    std::vector<std::string> topics;
    for (const auto& e : o.events) topics.push_back(e.topic);
    return topics;
  }

  Result<events::ValidationCounts> Stats(int version) {
    ASSIGN_OR_RETURN(auto store, events::StateStore::Open(dir_ / "state"));
    return store->ValidationStats("orders", version);
  }

  fs::path dir_;
};

TEST_F(SchemaDetectionTest, DetectsOnFirstRunThenWidensWithANewVersion) {
  WriteConfig("    rules:\n      - {name: positive_total, expr: \"quantity * price > 0\"}\n");
  Write("in/orders_1.csv",
        "order_id,quantity,price,created_at,note\n"
        "A-1,2,19.99,2026-11-20T10:00:00Z,\n"
        "A-2,1,5,2026-11-20T10:05:00+01:00,gift\n"
        "A-3,10,0,2026-11-21T08:00:00Z,\n");
  Outcome first = RunOnce();
  ASSERT_EQ(first.summary.sources.size(), 1u);
  EXPECT_TRUE(first.summary.sources[0].ok) << first.summary.sources[0].error;
  EXPECT_EQ(first.summary.sources[0].rows, 3u);
  EXPECT_EQ(Topics(first), (std::vector<std::string>{"schema.registered", "schema.detected"}));

  // The schema in force, written where the user can read and edit it, is a valid schema.
  const std::string v1 = Read("state/schemas/orders.json");
  auto parsed = schema::ParseJsonSchema(v1, "orders.json");
  ASSERT_TRUE(parsed.ok()) << parsed.status().message() << "\n" << v1;
  std::vector<std::string> names;
  for (const auto& f : parsed->fields) names.push_back(f.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"order_id", "quantity", "price", "created_at", "note"}));
  EXPECT_NE(v1.find("\"quantity\": {\n      \"type\": \"integer\""), std::string::npos) << v1;

  // Committed rows are counted for version 1; A-3 (price 0) fails the rule.
  auto v1_stats = Stats(1);
  ASSERT_TRUE(v1_stats.ok()) << v1_stats.status().message();
  EXPECT_EQ(v1_stats->rows, 3u);
  EXPECT_EQ((v1_stats->failures[{"", "positive_total"}]), 1u);

  // A new file with a new column and a decimal where integers were: version 2.
  Write("in/orders_2.csv",
        "order_id,quantity,price,created_at,coupon\n"
        "A-4,2.5,25,2026-11-22T10:00:00Z,SAVE10\n"
        "A-5,1,3,2026-11-22T11:00:00Z,\n");
  Outcome second = RunOnce();
  ASSERT_EQ(second.summary.sources.size(), 1u);
  EXPECT_TRUE(second.summary.sources[0].ok) << second.summary.sources[0].error;
  EXPECT_EQ(second.summary.sources[0].rows, 2u);  // orders_1.csv was ingested already
  ASSERT_EQ(Topics(second), (std::vector<std::string>{"schema.evolved"}));
  const std::string v2 = Read("state/schemas/orders.json");
  EXPECT_NE(v2.find("\"coupon\""), std::string::npos) << v2;
  EXPECT_NE(v2.find("\"type\": \"number\""), std::string::npos) << v2;
  auto v2_stats = Stats(2);
  ASSERT_TRUE(v2_stats.ok());
  EXPECT_EQ(v2_stats->rows, 2u);
  EXPECT_EQ(Stats(1)->rows, 3u);  // unchanged

  // Nothing new: no detection, no version, the schema stays.
  Outcome third = RunOnce();
  EXPECT_TRUE(Topics(third).empty());
  EXPECT_EQ(Read("state/schemas/orders.json"), v2);
}

TEST_F(SchemaDetectionTest, AChangeTheLevelRefusesFailsTheSourceNamingSubjectLevelAndField) {
  WriteConfig("", "registry: {compatibility: FULL}\n");
  Write("in/orders_1.csv", "order_id,quantity\nA-1,2\nA-2,3\n");
  Outcome first = RunOnce();
  ASSERT_EQ(first.summary.sources.size(), 1u);
  ASSERT_TRUE(first.summary.sources[0].ok) << first.summary.sources[0].error;
  const std::string v1 = Read("state/schemas/orders.json");

  // integer -> number is not FORWARD compatible, so FULL refuses it.
  Write("in/orders_2.csv", "order_id,quantity\nA-3,2.5\n");
  Outcome second = RunOnce();
  ASSERT_EQ(second.summary.sources.size(), 1u);
  const SourceSummary& s = second.summary.sources[0];
  EXPECT_FALSE(s.ok);
  EXPECT_EQ(s.rows, 0u);
  EXPECT_NE(s.error.find("subject 'orders'"), std::string::npos) << s.error;
  EXPECT_NE(s.error.find("compatibility FULL"), std::string::npos) << s.error;
  EXPECT_NE(s.error.find("'quantity': type integer -> number"), std::string::npos) << s.error;
  EXPECT_NE(s.error.find("#/properties/quantity"), std::string::npos) << s.error;
  EXPECT_EQ(Topics(second), (std::vector<std::string>{"schema.incompatible"}));
  EXPECT_EQ(Read("state/schemas/orders.json"), v1);
}

TEST_F(SchemaDetectionTest, SampleTakesJsonKeysInOrderAndStopsAtTheSampleSize) {
  WriteConfig("    schema_sample_rows: 3\n");
  Write("in/orders_1.ndjson",
        "{\"b\": 1, \"a\": \"x\"}\n"
        "not json\n"
        "{\"a\": \"y\", \"c\": true}\n"
        "{\"late\": 1}\n");
  auto config = config::LoadConfig(dir_ / "assay.yml");
  ASSERT_TRUE(config.ok()) << config.status().message();
  auto store = events::StateStore::Open(dir_ / "state");
  ASSERT_TRUE(store.ok());
  schema::SchemaDetector detector;
  ASSERT_TRUE(SampleSource(config->sources[0], config->pipeline, **store, false, detector).ok());
  EXPECT_EQ(detector.rows(), 2u);  // three rows read, one unparseable
  std::vector<std::string> names;
  for (const auto& f : detector.Fields()) names.push_back(f.name);
  EXPECT_EQ(names, (std::vector<std::string>{"b", "a", "c"}));
}

TEST_F(SchemaDetectionTest, NoDataAndNoSubjectIsNothingToDo) {
  WriteConfig("");
  Write("in/orders_1.csv", "order_id,quantity\n");
  Outcome first = RunOnce();
  ASSERT_EQ(first.summary.sources.size(), 1u);
  EXPECT_TRUE(first.summary.sources[0].ok) << first.summary.sources[0].error;
  EXPECT_EQ(first.summary.sources[0].rows, 0u);
  EXPECT_TRUE(Topics(first).empty());
  EXPECT_FALSE(fs::exists(dir_ / "state/schemas/orders.json"));
}

}  // namespace
}  // namespace assay::pipeline
