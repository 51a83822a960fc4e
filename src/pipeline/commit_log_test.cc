#include "pipeline/commit_log.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace assay::pipeline {
namespace {

class CommitLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("assay_commit_log_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "table/ingest_date=2026-11-24");
    auto store = events::StateStore::Open(dir_ / "state");
    ASSERT_TRUE(store.ok());
    store_ = std::move(store).value();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  sinks::StagedFile Stage(const std::string& name) {
    sinks::StagedFile f;
    f.table_dir = dir_ / "table";
    f.final_path = dir_ / "table/ingest_date=2026-11-24" / name;
    f.temp_path = dir_ / "table/ingest_date=2026-11-24" / ("." + name + ".tmp");
    f.rows = 3;
    std::ofstream(f.temp_path) << "data";
    return f;
  }

  CommitRequest Request(std::vector<sinks::StagedFile> files) {
    CommitRequest r;
    r.run_id = "run1";
    r.source = "sales";
    r.files = std::move(files);
    events::FileState input;
    input.source = "sales";
    input.run_id = "run1";
    input.identity = {"in.csv", 10, 1, "hash1"};
    input.committed_offset = 10;
    input.committed_line = 4;
    input.rows_committed = 3;
    input.complete = true;
    r.input = input;
    return r;
  }

  // The intent's files and input position as CommitLog records them (for hand-made intents).
  static nlohmann::json FilesJson(const std::vector<sinks::StagedFile>& staged) {
    nlohmann::json files = nlohmann::json::array();
    for (const auto& f : staged) {
      files.push_back({{"temp", f.temp_path.string()},
                       {"final", f.final_path.string()},
                       {"table", f.table_dir.string()},
                       {"tier", "gold"},
                       {"rows", f.rows},
                       {"bytes", 4}});
    }
    return files;
  }
  static nlohmann::json InputJson() {
    return {{"source", "sales"},   {"path", "in.csv"},        {"size", 10},
            {"mtime_ns", 1},       {"content_hash", "hash1"}, {"committed_offset", 10},
            {"committed_line", 4}, {"rows_committed", 3},     {"complete", true},
            {"run_id", "run1"}};
  }

  std::filesystem::path dir_;
  std::unique_ptr<events::StateStore> store_;
};

TEST_F(CommitLogTest, CommitRenamesLogsAndStoresThePosition) {
  CommitLog log(*store_);
  auto id = log.Commit(Request({Stage("part-a.parquet")}));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_TRUE(std::filesystem::exists(dir_ / "table/ingest_date=2026-11-24/part-a.parquet"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "table/ingest_date=2026-11-24/.part-a.parquet.tmp"));
  std::ifstream in(dir_ / "table/_assay_commits.jsonl");
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["commit_id"], *id);
  EXPECT_EQ(j["file"], "ingest_date=2026-11-24/part-a.parquet");
  EXPECT_EQ(j["rows"], 3);
  EXPECT_TRUE(store_->PendingCommits()->empty());
  auto state = store_->FindFile("sales", "hash1");
  ASSERT_TRUE(state.ok() && state->has_value());
  EXPECT_TRUE((*state)->complete);
}

TEST_F(CommitLogTest, RecoverRollsAnInterruptedCommitForward) {
  // A crash right after the intent was recorded: one file renamed, one not, no log lines.
  sinks::StagedFile a = Stage("part-a.parquet");
  sinks::StagedFile b = Stage("part-b.parquet");
  CommitRequest request = Request({a, b});
  nlohmann::json files = FilesJson(request.files);
  nlohmann::json input = InputJson();
  // The intent carries the rows' validation statistics: recovery counts them, once.
  events::ValidationCounts counts;
  counts.subject = "sales";
  counts.version = 1;
  counts.rows = 6;
  counts.tiers = {6, 0, 0, 0};
  ASSERT_TRUE(store_
                  ->RecordPendingCommit(
                      "run1", "sales",
                      nlohmann::json{{"files", files},
                                     {"input", input},
                                     {"validation", events::ValidationCountsToJson(counts)}}
                          .dump())
                  .ok());
  std::filesystem::rename(a.temp_path, a.final_path);
  // A stray temporary file of a run that never recorded its intent.
  std::ofstream(dir_ / "table/ingest_date=2026-11-24/.part-zzz.parquet.tmp") << "orphan";

  CommitLog log(*store_);
  auto recovered = log.Recover({dir_ / "table"});
  ASSERT_TRUE(recovered.ok()) << recovered.status().ToString();
  EXPECT_EQ(*recovered, 1u);
  EXPECT_TRUE(std::filesystem::exists(a.final_path));
  EXPECT_TRUE(std::filesystem::exists(b.final_path));
  EXPECT_FALSE(std::filesystem::exists(b.temp_path));
  EXPECT_FALSE(
      std::filesystem::exists(dir_ / "table/ingest_date=2026-11-24/.part-zzz.parquet.tmp"));
  EXPECT_TRUE(store_->PendingCommits()->empty());
  EXPECT_TRUE((*store_->FindFile("sales", "hash1"))->complete);
  EXPECT_EQ(store_->ValidationStats("sales", 1)->rows, 6u);

  // Recovering twice changes nothing and logs each file once.
  ASSERT_EQ(*log.Recover({dir_ / "table"}), 0u);
  EXPECT_EQ(store_->ValidationStats("sales", 1)->rows, 6u);
  std::ifstream in(dir_ / "table/_assay_commits.jsonl");
  size_t lines = 0;
  for (std::string line; std::getline(in, line);) ++lines;
  EXPECT_EQ(lines, 2u);
}

TEST_F(CommitLogTest, EveryFileOfATableGetsItsLineInOneCommit) {
  CommitLog log(*store_);
  auto id = log.Commit(Request({Stage("part-a.parquet"), Stage("part-b.parquet")}));
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  std::ifstream in(dir_ / "table/_assay_commits.jsonl");
  std::vector<std::string> files;
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line);
    EXPECT_EQ(j["commit_id"], *id);
    files.push_back(j["file"]);
  }
  EXPECT_EQ(files, (std::vector<std::string>{"ingest_date=2026-11-24/part-a.parquet",
                                             "ingest_date=2026-11-24/part-b.parquet"}));
}

// A crash after one table's log got its line and before the other's: recovery appends only
// the missing line.
TEST_F(CommitLogTest, RecoveryLogsAFileOnceWhenATableLogHadItsLineAlready) {
  sinks::StagedFile a = Stage("part-a.parquet");
  std::filesystem::create_directories(dir_ / "other/ingest_date=2026-11-24");
  sinks::StagedFile b;
  b.table_dir = dir_ / "other";
  b.final_path = dir_ / "other/ingest_date=2026-11-24/part-b.parquet";
  b.temp_path = dir_ / "other/ingest_date=2026-11-24/.part-b.parquet.tmp";
  b.rows = 3;
  std::ofstream(b.temp_path) << "data";
  auto id = store_->RecordPendingCommit(
      "run1", "sales", nlohmann::json{{"files", FilesJson({a, b})}, {"input", InputJson()}}.dump());
  ASSERT_TRUE(id.ok());
  std::filesystem::rename(a.temp_path, a.final_path);
  std::ofstream(dir_ / "table/_assay_commits.jsonl")
      << "{\"commit_id\":" << *id
      << R"(,"file":"ingest_date=2026-11-24/part-a.parquet","tier":"gold","rows":3})"
      << "\n";

  CommitLog log(*store_);
  ASSERT_EQ(*log.Recover({dir_ / "table", dir_ / "other"}), 1u);
  auto count_lines = [](const std::filesystem::path& p) {
    std::ifstream in(p);
    size_t n = 0;
    for (std::string line; std::getline(in, line);) ++n;
    return n;
  };
  EXPECT_EQ(count_lines(dir_ / "table/_assay_commits.jsonl"), 1u);
  EXPECT_EQ(count_lines(dir_ / "other/_assay_commits.jsonl"), 1u);
  EXPECT_TRUE(std::filesystem::exists(b.final_path));
}

// A crash in the middle of a log append leaves a torn last line: recovery cuts it and writes
// the line whole, and every line of the log is JSON again.
TEST_F(CommitLogTest, RecoveryReplacesALineTornByACrash) {
  sinks::StagedFile a = Stage("part-a.parquet");
  auto id = store_->RecordPendingCommit(
      "run1", "sales", nlohmann::json{{"files", FilesJson({a})}, {"input", InputJson()}}.dump());
  ASSERT_TRUE(id.ok());
  std::filesystem::rename(a.temp_path, a.final_path);
  const std::filesystem::path log_path = dir_ / "table/_assay_commits.jsonl";
  const std::string earlier = R"({"commit_id":0,"file":"ingest_date=2026-11-24/old.parquet"})";
  // The torn line already names the commit and the file: it must not pass for the whole line.
  std::ofstream(log_path) << earlier << "\n"
                          << "{\"commit_id\":" << *id
                          << R"(,"file":"ingest_date=2026-11-24/part-a.parquet","ti)";

  CommitLog log(*store_);
  ASSERT_EQ(*log.Recover({dir_ / "table"}), 1u);
  std::ifstream in(log_path);
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(in, line);) {
    lines.push_back(nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false));
    EXPECT_FALSE(lines.back().is_discarded()) << line;
  }
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["file"], "ingest_date=2026-11-24/old.parquet");
  EXPECT_EQ(lines[1]["commit_id"], *id);
  EXPECT_EQ(lines[1]["rows"], 3);
}

// A database source's commit stores its checkpoint (the watermark), not a file state, in the
// same transaction; an interrupted one is rolled forward like any other.
TEST_F(CommitLogTest, ACheckpointCommitsWithItsFilesAndRollsForward) {
  CommitLog log(*store_);
  CommitRequest request = Request({Stage("part-a.parquet")});
  request.input =
      events::Checkpoint{"sales", "public.sales", R"({"type":"integer","value":"41"})", 3, "run1"};
  ASSERT_TRUE(log.Commit(request).ok());
  auto checkpoint = store_->FindCheckpoint("sales", "public.sales");
  ASSERT_TRUE(checkpoint.ok() && checkpoint->has_value());
  EXPECT_EQ((*checkpoint)->value, R"({"type":"integer","value":"41"})");
  EXPECT_EQ((*checkpoint)->rows_committed, 3u);
  EXPECT_FALSE(store_->FindFile("sales", "hash1")->has_value());  // no file state stored
  std::ifstream in(dir_ / "table/_assay_commits.jsonl");
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["input"], "public.sales");
  EXPECT_EQ(j["input_through"]["value"], "41");

  // Interrupted after the intent: recovery stores the newer watermark.
  sinks::StagedFile b = Stage("part-b.parquet");
  nlohmann::json payload{{"files",
                          {{{"temp", b.temp_path.string()},
                            {"final", b.final_path.string()},
                            {"table", b.table_dir.string()},
                            {"tier", "gold"},
                            {"rows", 3},
                            {"bytes", 4}}}},
                         {"checkpoint",
                          {{"source", "sales"},
                           {"unit", "public.sales"},
                           {"value", R"({"type":"integer","value":"44"})"},
                           {"rows_committed", 6},
                           {"run_id", "run2"}}}};
  ASSERT_TRUE(store_->RecordPendingCommit("run2", "sales", payload.dump()).ok());
  ASSERT_EQ(*log.Recover({dir_ / "table"}), 1u);
  EXPECT_TRUE(std::filesystem::exists(b.final_path));
  EXPECT_EQ((*store_->FindCheckpoint("sales", "public.sales"))->value,
            R"({"type":"integer","value":"44"})");
  ASSERT_TRUE(store_->ForgetCheckpoints("sales").ok());
  EXPECT_FALSE(store_->FindCheckpoint("sales", "public.sales")->has_value());
}

}  // namespace
}  // namespace assay::pipeline
