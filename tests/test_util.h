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

/// Files below `root` whose names end with `suffix`, sorted.
std::vector<std::filesystem::path> FilesUnder(const std::filesystem::path& root,
                                              const std::string& suffix);

}  // namespace assay::testing
