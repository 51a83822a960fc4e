// Exactly once for database sources across crashes and server restarts, through the real binary:
// SIGKILL `assay` in the middle of reading a table, again and again, then let it finish; and
// stop the PostgreSQL server under a running read, then bring it back. Every row of the table
// must land in exactly one tier, once, and the watermark must go on from where the last commit
// left it.

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <thread>

#include "tests/servers/postgres_server.h"
#include "tests/test_util.h"

namespace assay::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;

constexpr const char* kPipeline = R"(pipeline:
  warehouse: ./warehouse
  state_dir: ./state
  batch_max_rows: 2000
  commit_interval_rows: 20000
sinks:
  - {type: lake, compression: snappy}
sources:
)";

// The columns of the sales schema the test tables have; transaction_id is unique per row, so
// a row landing twice (or not at all) shows in a count of distinct ids.
constexpr const char* kColumns =
    "transaction_id, customer_id, product_id, quantity, unit_price, total_amount, currency, "
    "transaction_ts, updated_at";

// `assay` started in the background, stdout and stderr to files in its directory.
class BackgroundAssay {
 public:
  BackgroundAssay(const std::filesystem::path& cwd, const std::string& name) : cwd_(cwd) {
    stderr_path_ = cwd / (name + ".stderr");
    pid_ = fork();
    if (pid_ == 0) {
      if (chdir(cwd.c_str()) != 0) _exit(127);
      int out = ::open((name + ".stdout").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int err = ::open(stderr_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(out, 1);
      dup2(err, 2);
      execl(ASSAY_EXECUTABLE, ASSAY_EXECUTABLE, "--config", "config.yml", "--as-of",
            "2026-11-24T00:00:00Z", "--no-progress", static_cast<char*>(nullptr));
      _exit(127);
    }
  }
  BackgroundAssay(const BackgroundAssay&) = delete;
  BackgroundAssay& operator=(const BackgroundAssay&) = delete;
  ~BackgroundAssay() { Kill(); }

  /// Whether it is still running (reaps it if it exited).
  bool Running() {
    if (pid_ <= 0) return false;
    if (waitpid(pid_, &status_, WNOHANG) == pid_) pid_ = -1;
    return pid_ > 0;
  }
  void Kill() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, &status_, 0);
    pid_ = -1;
  }
  /// Waits for the exit (killing it after `timeout`): its exit code, -1 if a signal ended it.
  int Wait(seconds timeout) {
    const auto deadline = steady_clock::now() + timeout;
    while (Running() && steady_clock::now() < deadline)
      std::this_thread::sleep_for(milliseconds(20));
    if (Running()) {
      ADD_FAILURE() << "assay did not finish within " << timeout.count() << " s; stderr:\n"
                    << Stderr();
      Kill();
      return -1;
    }
    return WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
  }
  std::string Stderr() const {
    std::ifstream in(stderr_path_);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

 private:
  std::filesystem::path cwd_, stderr_path_;
  pid_t pid_ = -1;
  int status_ = 0;
};

class DatabaseCrashRecoveryTest : public TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    CopySalesSchema(dir_);
  }

  // Output commits so far: lines in the tiers' commit logs.
  size_t CommitLines() const {
    size_t n = 0;
    for (const char* tier : {"gold", "silver", "bronze", "rejected"}) {
      std::ifstream in(dir_ / "warehouse" / tier / "sales/_assay_commits.jsonl");
      for (std::string line; std::getline(in, line);) ++n;
    }
    return n;
  }

  // Waits until `commits` more commit lines than `before` exist or assay exits; false if it
  // exited (finished too fast to be interrupted there).
  bool WaitForCommits(BackgroundAssay& assay, size_t before, size_t commits) {
    const auto deadline = steady_clock::now() + seconds(120);
    while (CommitLines() < before + commits && steady_clock::now() < deadline) {
      if (!assay.Running()) return false;
      std::this_thread::sleep_for(milliseconds(2));
    }
    return assay.Running();
  }

  // Rows, distinct ids and ids in the output, read back with DuckDB.
  struct Landed {
    int64_t rows = 0, distinct_ids = 0, ids = 0;
  };
  Landed ReadBack() const {
    nlohmann::json r = DuckDb(
        "SELECT count(*), count(DISTINCT transaction_id), count(transaction_id) FROM "
        "read_parquet('warehouse/*/sales/*/*.parquet', union_by_name=true)",
        dir_);
    return {std::stoll(r[0][0].get<std::string>()), std::stoll(r[0][1].get<std::string>()),
            std::stoll(r[0][2].get<std::string>())};
  }

  // One row's values for kColumns: every 3 rows share an updated_at (a commit may not fall
  // inside such a run), and 1 in 50 has a wrong total (silver), 1 in 97 a bad currency.
  static std::string RowValues(int i) {
    const int quantity = i % 7 + 1;
    const double price = (i % 1000) / 10.0 + 1;
    const double total = i % 50 == 0 ? quantity * price + 3 : quantity * price;
    return fmt::format(
        "'TX-{:010d}', 'CUST-{:06d}', 'SKU-ABC-{:04d}', {}, {:.2f}, {:.2f}, '{}', "
        "'2026-11-20T10:00:00Z', {}",
        i, i % 100000, i % 10000, quantity, price, total, i % 97 == 0 ? "XXX" : "USD", i / 3);
  }

  std::string Source(const std::string& url_and_more) const {
    return "  - name: sales\n    type: database\n" + url_and_more +
           "    table: sales\n    watermark_column: updated_at\n"
           "    schema: schemas/sales_transactions.json\n" +
           kSalesRules;
  }
};

void SqliteExec(const std::filesystem::path& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
      << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

TEST_F(DatabaseCrashRecoveryTest, KilledTableReadsResumeAtTheCommittedWatermark) {
  constexpr int kRows = 300'000;
  std::string sql =
      "CREATE TABLE sales (transaction_id TEXT, customer_id TEXT, product_id TEXT, quantity "
      "INTEGER, unit_price REAL, total_amount REAL, currency TEXT, transaction_ts TEXT, "
      "updated_at INTEGER); BEGIN;";
  for (int i = 0; i < kRows; ++i) {
    sql += fmt::format("INSERT INTO sales ({}) VALUES ({});", kColumns, RowValues(i));
  }
  SqliteExec(dir_ / "shop.db", sql + "COMMIT;");
  Write("config.yml", std::string(kPipeline) + Source("    url: sqlite:///shop.db\n"));

  // Kill after increasing amounts of progress, including before anything was committed.
  int kills = 0;
  for (size_t wait_for_commits : {0, 2, 6, 10}) {
    const size_t before = CommitLines();
    BackgroundAssay assay(dir_, fmt::format("run{}", kills));
    if (!WaitForCommits(assay, before, wait_for_commits)) break;  // it finished
    // A little extra so the kill lands inside a batch or a commit, not just after one.
    std::this_thread::sleep_for(milliseconds(37 * wait_for_commits % 50));
    std::fprintf(stderr, "killing after %zu commit lines\n", CommitLines());
    assay.Kill();
    ++kills;
  }
  EXPECT_GE(kills, 2) << "the pipeline finished too fast to be interrupted";

  CommandResult done = RunSummary(dir_, {});
  ASSERT_EQ(done.exit_code, 0) << done.out << done.err;
  EXPECT_TRUE(FilesUnder(dir_ / "warehouse", ".tmp").empty());
  Landed landed = ReadBack();
  EXPECT_EQ(landed.rows, kRows) << "rows lost or duplicated";
  EXPECT_EQ(landed.distinct_ids, kRows) << "a row was written twice or lost";
  EXPECT_EQ(landed.ids, kRows);

  // The watermark stands at the last row: a further run reads nothing, and new rows only.
  CommandResult again = RunSummary(dir_, {});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(SummarySource(again, "sales")["rows"], 0) << again.out;
  std::string more = "BEGIN;";
  for (int i = kRows; i < kRows + 1000; ++i) {
    more += fmt::format("INSERT INTO sales ({}) VALUES ({});", kColumns, RowValues(i));
  }
  SqliteExec(dir_ / "shop.db", more + "COMMIT;");
  CommandResult newer = RunSummary(dir_, {});
  ASSERT_EQ(newer.exit_code, 0) << newer.err;
  EXPECT_EQ(SummarySource(newer, "sales")["rows"], 1000) << newer.out;
  landed = ReadBack();
  EXPECT_EQ(landed.rows, kRows + 1000);
  EXPECT_EQ(landed.distinct_ids, kRows + 1000);
}

TEST_F(DatabaseCrashRecoveryTest, AServerRestartMidReadIsRetriedFromTheLastCommit) {
  Result<std::unique_ptr<PostgresServer>> started = PostgresServer::Start();
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  PostgresServer& server = **started;
  constexpr int kRows = 400'000;
  Result<std::string> loaded = server.Sql(fmt::format(
      "CREATE TABLE sales AS SELECT format('TX-%s', lpad(i::text, 10, '0')) AS transaction_id, "
      "format('CUST-%s', lpad((i % 100000)::text, 6, '0')) AS customer_id, "
      "format('SKU-ABC-%s', lpad((i % 10000)::text, 4, '0')) AS product_id, "
      "i % 7 + 1 AS quantity, round((i % 1000) / 10.0 + 1, 2) AS unit_price, "
      "round(((i % 7 + 1) * ((i % 1000) / 10.0 + 1))::numeric + CASE WHEN i % 50 = 0 THEN 3 "
      "ELSE 0 END, 2) AS total_amount, CASE WHEN i % 97 = 0 THEN 'XXX' ELSE 'USD' END AS "
      "currency, '2026-11-20T10:00:00Z' AS transaction_ts, i / 3 AS updated_at "
      "FROM generate_series(0, {}) AS i;\n"
      "GRANT SELECT ON sales TO {};\n"
      // The test server runs with synchronous_commit off: make the table survive the crash.
      "CHECKPOINT;",
      kRows - 1, PostgresServer::kUser));
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  Write("pg_password", std::string(PostgresServer::kPassword) + "\n");
  // Enough retries to outlast the restart on a slow machine; the first wait is short.
  Write("config.yml",
        std::string(kPipeline) + Source("    url: " + server.Url("") +
                                        "\n    password_file: ./pg_password\n    fetch_size: 1000\n"
                                        "    retry_attempts: 12\n    retry_backoff: 0.2\n"));

  BackgroundAssay assay(dir_, "restart");
  ASSERT_TRUE(WaitForCommits(assay, 0, 2)) << "finished too fast to be interrupted\n"
                                           << assay.Stderr();
  // Immediate shutdown, as in a crash: the read's connection is cut mid-result.
  server.Stop(SIGQUIT);
  const auto deadline = steady_clock::now() + seconds(60);
  while (assay.Stderr().find("retrying from the last commit") == std::string::npos &&
         assay.Running() && steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(20));
  }
  ASSERT_NE(assay.Stderr().find("retrying from the last commit"), std::string::npos)
      << assay.Stderr();
  Status restarted = server.Restart();
  ASSERT_TRUE(restarted.ok()) << restarted.ToString() << server.LogTail();

  EXPECT_EQ(assay.Wait(seconds(300)), 0) << assay.Stderr();
  const std::string log = assay.Stderr();
  EXPECT_EQ(log.find(PostgresServer::kPassword), std::string::npos);
  // The retry went on from the committed watermark, not from the start of the table.
  EXPECT_NE(log.find("reading rows with updated_at >"), std::string::npos) << log;
  Landed landed = ReadBack();
  EXPECT_EQ(landed.rows, kRows) << "rows lost or duplicated\n" << log;
  EXPECT_EQ(landed.distinct_ids, kRows) << "a row was written twice or lost";

  // And the watermark is where the last row left it.
  CommandResult again = RunSummary(dir_, {});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(SummarySource(again, "sales")["rows"], 0) << again.out;
}

}  // namespace
}  // namespace assay::testing
