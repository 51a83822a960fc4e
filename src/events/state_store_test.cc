#include "events/state_store.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

namespace assay::events {
namespace {

class StateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("assay_state_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

FileState Sample(std::string hash, bool complete) {
  FileState f;
  f.source = "sales";
  f.identity = {"samples/a.csv", 100, 42, std::move(hash)};
  f.committed_offset = 100;
  f.committed_line = 10;
  f.rows_committed = 9;
  f.complete = complete;
  f.run_id = "run1";
  return f;
}

TEST_F(StateStoreTest, CommitIsPendingUntilCompletedAndSurvivesReopen) {
  {
    auto store = StateStore::Open(dir_);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto id = (*store)->RecordPendingCommit("run1", "sales", R"({"files":[]})");
    ASSERT_TRUE(id.ok());
    auto pending = (*store)->PendingCommits();
    ASSERT_TRUE(pending.ok());
    ASSERT_EQ(pending->size(), 1u);
    EXPECT_EQ((*pending)[0].payload, R"({"files":[]})");
  }
  auto store = StateStore::Open(dir_);  // as after a crash
  ASSERT_TRUE(store.ok());
  auto pending = (*store)->PendingCommits();
  ASSERT_EQ(pending->size(), 1u);
  ASSERT_TRUE((*store)->CompleteCommit((*pending)[0].id, Sample("abc", true)).ok());
  EXPECT_TRUE((*store)->PendingCommits()->empty());
  auto found = (*store)->FindFile("sales", "abc");
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_TRUE((*found)->complete);
  EXPECT_EQ((*found)->rows_committed, 9u);
  auto latest = (*store)->FindLatestByPath("sales", "samples/a.csv");
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ((*latest)->identity.content_hash, "abc");
  auto by_stat = (*store)->FindFileByStat("sales", "samples/a.csv", 100, 42);
  ASSERT_TRUE(by_stat.ok() && by_stat->has_value());
  EXPECT_FALSE((*store)->FindFileByStat("sales", "samples/a.csv", 101, 42)->has_value());
  EXPECT_FALSE((*store)->FindFile("other", "abc")->has_value());
}

TEST_F(StateStoreTest, ForgetFilesAllowsReprocessing) {
  auto store = StateStore::Open(dir_);
  ASSERT_TRUE(store.ok());
  auto id = (*store)->RecordPendingCommit("run1", "sales", "{}");
  ASSERT_TRUE((*store)->CompleteCommit(*id, Sample("abc", true)).ok());
  ASSERT_TRUE((*store)->ForgetFiles("sales").ok());
  EXPECT_FALSE((*store)->FindFile("sales", "abc")->has_value());
}

TEST_F(StateStoreTest, RunsAreRecorded) {
  auto store = StateStore::Open(dir_);
  ASSERT_TRUE(store.ok());
  EXPECT_TRUE((*store)->BeginRun({"r1", 1, "config.yml", 2}).ok());
  EXPECT_TRUE((*store)->FinishRun("r1", "ok", "{}").ok());
  EXPECT_FALSE((*store)->BeginRun({"r1", 1, "config.yml", 2}).ok());  // run ids are unique
}

TEST_F(StateStoreTest, HashFileDependsOnContentOnly) {
  std::filesystem::create_directories(dir_);
  std::ofstream(dir_ / "a") << "hello";
  std::ofstream(dir_ / "b") << "hello";
  std::ofstream(dir_ / "c") << "hellp";
  EXPECT_EQ(*HashFile(dir_ / "a"), *HashFile(dir_ / "b"));
  EXPECT_NE(*HashFile(dir_ / "a"), *HashFile(dir_ / "c"));
  EXPECT_EQ(HashFile(dir_ / "missing").status().code(), StatusCode::kNotFound);
  std::ofstream(dir_ / "longer") << "hello, world";
  EXPECT_EQ(*HashFile(dir_ / "longer", 5), *HashFile(dir_ / "a"));  // a prefix
  EXPECT_EQ(HashFile(dir_ / "a", 6).status().code(), StatusCode::kOutOfRange);
}

TEST_F(StateStoreTest, ValidationStatsAddUpPerSubjectVersionWithTheirCommit) {
  auto store = StateStore::Open(dir_);
  ASSERT_TRUE(store.ok());
  ValidationCounts counts;
  counts.subject = "orders";
  counts.version = 2;
  counts.rows = 5;
  counts.tiers = {3, 1, 0, 1};
  counts.failures[{"quantity", "maximum"}] = 2;
  counts.failures[{"", "total_ok"}] = 1;
  for (int i = 0; i < 2; ++i) {
    auto id = (*store)->RecordPendingCommit("run1", "sales", "{}");
    ASSERT_TRUE(id.ok());
    ASSERT_TRUE((*store)->CompleteCommit(*id, Sample("h" + std::to_string(i), true), &counts).ok());
  }
  auto stats = (*store)->ValidationStats("orders", 2);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->rows, 10u);
  EXPECT_EQ(stats->tiers, (std::array<uint64_t, kNumTiers>{6, 2, 0, 2}));
  EXPECT_EQ((stats->failures[{"quantity", "maximum"}]), 4u);
  EXPECT_EQ((stats->failures[{"", "total_ok"}]), 2u);
  // Another version, and a commit without statistics, count nothing.
  auto other = (*store)->ValidationStats("orders", 1);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->rows, 0u);
  EXPECT_TRUE(other->failures.empty());
  auto id = (*store)->RecordPendingCommit("run1", "sales", "{}");
  ASSERT_TRUE((*store)->CompleteCommit(*id, Sample("h9", true)).ok());
  EXPECT_EQ((*store)->ValidationStats("orders", 2)->rows, 10u);

  // The JSON form a commit intent keeps round-trips.
  auto back = ValidationCountsFromJson(ValidationCountsToJson(counts));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->subject, "orders");
  EXPECT_EQ(back->rows, 5u);
  EXPECT_EQ(back->failures, counts.failures);
  EXPECT_EQ(ValidationCountsFromJson(nlohmann::json{{"rows", 1}}).status().code(),
            StatusCode::kDataLoss);
}

TEST_F(StateStoreTest, UnwritableStateDirIsAnError) {
  auto store = StateStore::Open("/proc/assay-cannot-create-this");
  EXPECT_FALSE(store.ok());
}

}  // namespace
}  // namespace assay::events
