#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace assay::testing {

/// The outcome of a finished command.
struct CommandResult {
  int exit_code = -1;  ///< -1 when killed by a signal
  std::string out;     ///< stdout
  std::string err;     ///< stderr
};

/// Runs `argv` (no shell) in `cwd` and waits; stdout and stderr are captured separately. A
/// command still running after `timeout` (a server that started though it should have failed)
/// is killed: the test fails instead of hanging, and exit_code is -1.
CommandResult Run(const std::vector<std::string>& argv, const std::filesystem::path& cwd,
                  std::chrono::seconds timeout = std::chrono::seconds(300));

/// Runs the assay binary under test with `args` in `cwd` (killed after `timeout`, as Run).
CommandResult RunAssay(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                       std::chrono::seconds timeout = std::chrono::seconds(300));

/// Runs one SQL query in DuckDB (the independent reader) with `cwd` as working directory and
/// returns the rows as JSON arrays (DuckDB's JSON conversion: BIGINT as strings). Fails the test
/// when DuckDB or the query fails.
nlohmann::json DuckDb(const std::string& sql, const std::filesystem::path& cwd);

/// RFC 4180 fields of one CSV record (quotes doubled inside quoted fields).
std::vector<std::string> SplitCsv(const std::string& record);

/// The bundled sample sales rows (samples/sales_transactions_*.csv) that are well-formed CSV
/// records of 13 fields, for loading into a database: the records that are not cannot be rows
/// of a table. Lines lose their CR (the samples mix CRLF and LF on purpose).
struct SampleSales {
  std::string header;              ///< the header line
  std::vector<std::string> lines;  ///< the well-formed records, as written
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;  ///< their fields
  /// The header and lines as one CSV file's text.
  std::string Csv() const;
};
SampleSales ReadSampleSales();

/// The two rules of DESIGN.md §3a's sales source, as the `rules:` of a source in YAML.
inline constexpr const char* kSalesRules = R"(    rules:
      - {name: total_matches_lines, dimension: consistency, severity: error,
         expr: "abs(quantity * unit_price - total_amount) <= 0.01"}
      - {name: recent, dimension: timeliness, severity: warning,
         expr: "transaction_ts >= now() - interval '30 days'"}
)";

/// Runs `assay --config config.yml --as-of 2026-11-24T00:00:00Z --no-progress --summary-json`
/// and `extra` in `cwd`.
CommandResult RunSummary(const std::filesystem::path& cwd, const std::vector<std::string>& extra);

/// The entry of source `name` in the summary that --summary-json printed; fails the test when
/// there is none.
nlohmann::json SummarySource(const CommandResult& r, const std::string& name);

/// The single number a DuckDB query such as `SELECT count(*) ...` returns.
int64_t DuckDbCount(const std::string& sql, const std::filesystem::path& cwd);

/// A fresh temporary directory per test, removed afterwards.
class TempDirTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;
  void Write(const std::filesystem::path& relative, const std::string& content);
  std::string Read(const std::filesystem::path& relative) const;
  std::filesystem::path dir_;
};

std::filesystem::path SourceDir();

/// Copies the repository's schemas/sales_transactions.json to `dir`/schemas/, where the test
/// configs name it.
void CopySalesSchema(const std::filesystem::path& dir);

/// Files below `root` whose names end with `suffix`, sorted.
std::vector<std::filesystem::path> FilesUnder(const std::filesystem::path& root,
                                              const std::string& suffix);

}  // namespace assay::testing
