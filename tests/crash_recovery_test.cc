// Exactly once across crashes: SIGKILL the pipeline in the middle of a large file, again and
// again, then let it finish; every input row must be in exactly one tier, once.

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <random>
#include <thread>

#include "tests/test_util.h"

namespace assay::testing {
namespace {

constexpr int kRows = 300'000;

constexpr const char* kConfig = R"(pipeline:
  warehouse: ./warehouse
  state_dir: ./state
  batch_max_rows: 5000
  commit_interval_rows: 20000
sources:
  - name: sales
    type: file
    path: ./samples/*.csv
    schema: ../schemas/sales_transactions.json
    rules:
      - {name: total_matches_lines, dimension: consistency, severity: error,
         expr: "abs(quantity * unit_price - total_amount) <= 0.01"}
sinks:
  - {type: lake, compression: snappy}
  - {type: ndjson, path: ./out}
)";

class CrashRecoveryTest : public TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    Write("config/pipeline.yml", kConfig);
    CopySalesSchema(dir_);
    // Two files, so a crash can also fall between files. Every tier gets rows.
    std::filesystem::create_directories(dir_ / "samples");
    std::mt19937 rng(7);
    for (int file = 0; file < 2; ++file) {
      std::ofstream out(dir_ / fmt::format("samples/part{}.csv", file));
      out << "transaction_id,customer_id,product_id,quantity,unit_price,total_amount,currency,"
             "transaction_ts\n";
      for (int i = file * kRows / 2; i < (file + 1) * kRows / 2; ++i) {
        int q = static_cast<int>(rng() % 20) + 1;
        double p = static_cast<double>(rng() % 10000) / 100 + 1;
        int defect = static_cast<int>(rng() % 100);
        std::string id = defect == 0 ? "" : fmt::format("TX-{:010d}", i);  // rejected
        double total = defect == 1 ? q * p + 5 : q * p;                    // silver or bronze
        std::string qty = defect == 2 ? "lots" : std::to_string(q);        // schema failure
        out << fmt::format(
            "{},CUST-{:06d},SKU-ABC-{:04d},{},{:.2f},{:.2f},USD,"
            "2026-11-20T10:00:00Z\n",
            id, i % 1000000, i % 10000, qty, p, total);
        if (defect == 3) out << "TX-broken,1,2\n";  // unparseable (field count): still one row
      }
    }
  }

  // Starts assay; returns its pid.
  pid_t Start() {
    pid_t pid = fork();
    if (pid == 0) {
      if (chdir(dir_.c_str()) != 0) _exit(127);
      int devnull = ::open("/dev/null", O_WRONLY);
      dup2(devnull, 1);
      dup2(devnull, 2);
      execl(ASSAY_EXECUTABLE, ASSAY_EXECUTABLE, "--config", "config/pipeline.yml", "--as-of",
            "2026-11-24T00:00:00Z", "--no-progress", static_cast<char*>(nullptr));
      _exit(127);
    }
    return pid;
  }

  size_t CommitLines() {
    size_t n = 0;
    for (const char* tier : {"gold", "silver", "bronze", "rejected"}) {
      std::ifstream in(dir_ / "warehouse" / tier / "sales/_assay_commits.jsonl");
      for (std::string line; std::getline(in, line);) ++n;
    }
    return n;
  }
};

TEST_F(CrashRecoveryTest, KilledRunsResumeWithoutLossOrDuplicates) {
  // Kill after increasing amounts of progress, including before anything was committed.
  int kills = 0;
  for (size_t wait_for_commits : {0, 3, 10, 20}) {
    pid_t pid = Start();
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    const size_t before = CommitLines();
    int status = 0;
    bool exited = false;
    while (CommitLines() < before + wait_for_commits &&
           std::chrono::steady_clock::now() < deadline) {
      if (waitpid(pid, &status, WNOHANG) == pid) {
        exited = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    if (!exited) {
      // A little extra so the kill lands inside a batch or a commit, not just after one.
      std::this_thread::sleep_for(std::chrono::milliseconds(37 * wait_for_commits % 50));
      std::fprintf(stderr, "killing after %zu commit lines\n", CommitLines());
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      ++kills;
    }
  }
  EXPECT_GE(kills, 2) << "the pipeline finished too fast to be interrupted";

  CommandResult done = RunAssay(
      {"--config", "config/pipeline.yml", "--as-of", "2026-11-24T00:00:00Z", "--no-progress"},
      dir_);
  ASSERT_EQ(done.exit_code, 0) << done.out << done.err;
  // No temporary file survives recovery.
  EXPECT_TRUE(FilesUnder(dir_ / "warehouse", ".tmp").empty());

  // Each input row once: clean rows by their unique id, the others by their position.
  nlohmann::json r = DuckDb(
      "SELECT count(*), count(DISTINCT _position), count(DISTINCT transaction_id), "
      "count(transaction_id) FROM read_parquet('warehouse/*/sales/*/*.parquet', "
      "union_by_name=true)",
      dir_);
  const int64_t rows = std::stoll(r[0][0].get<std::string>());
  EXPECT_EQ(rows, std::stoll(r[0][1].get<std::string>())) << "a row was written twice";
  EXPECT_EQ(std::stoll(r[0][2].get<std::string>()), std::stoll(r[0][3].get<std::string>()))
      << "an id was written twice";
  // Every line of both files is accounted for: data rows plus unparseable ones.
  int64_t lines = 0;
  for (int file = 0; file < 2; ++file) {
    std::ifstream in(dir_ / fmt::format("samples/part{}.csv", file));
    for (std::string line; std::getline(in, line);) ++lines;
  }
  EXPECT_EQ(rows, lines - 2) << "rows lost or duplicated (2 header lines)";

  // The NDJSON sink, committed by the same protocol, holds the same rows.
  int64_t ndjson_rows = 0;
  for (const auto& f : FilesUnder(dir_ / "out", ".ndjson")) {
    std::ifstream in(f);
    for (std::string line; std::getline(in, line);) ++ndjson_rows;
  }
  EXPECT_EQ(ndjson_rows, rows);

  // A further run finds nothing new.
  CommandResult again = RunAssay({"--config", "config/pipeline.yml", "--as-of",
                                  "2026-11-24T00:00:00Z", "--no-progress", "--summary-json"},
                                 dir_);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(nlohmann::json::parse(again.out)["sources"][0]["rows"], 0);
}

}  // namespace
}  // namespace assay::testing
