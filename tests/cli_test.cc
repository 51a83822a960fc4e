// The command line as a user meets it: help, version, validation, usage errors and exit codes.

#include "tests/test_util.h"

namespace assay::testing {
namespace {

class CliTest : public TempDirTest {};

TEST_F(CliTest, HelpDocumentsEveryFlag) {
  CommandResult r = RunAssay({"--help"}, dir_);
  EXPECT_EQ(r.exit_code, 0);
  for (const char* flag :
       {"--config", "--source", "--as-of", "--validate-config", "--reprocess", "--logging-config",
        "--no-progress", "--summary-json", "--web-only", "--port", "--version", "Exit codes"}) {
    EXPECT_NE(r.out.find(flag), std::string::npos) << flag << "\n" << r.out;
  }
  r = RunAssay({"--version"}, dir_);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_FALSE(r.out.empty());
}

TEST_F(CliTest, UsageErrorsExitTwo) {
  EXPECT_EQ(RunAssay({}, dir_).exit_code, 2);  // --config is required
  EXPECT_EQ(RunAssay({"--no-such-flag"}, dir_).exit_code, 2);
  EXPECT_EQ(RunAssay({"--config", "missing.yml"}, dir_).exit_code, 2);
  EXPECT_EQ(RunAssay({"--port", "70000"}, dir_).exit_code, 2);
  EXPECT_EQ(RunAssay({"--port", "x"}, dir_).exit_code, 2);
}

TEST_F(CliTest, ValidateConfigChecksTheBundledConfigWithoutDoingWork) {
  CommandResult r = RunAssay(
      {"--config", (SourceDir() / "config/data_sources.yml").string(), "--validate-config"}, dir_);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("valid (2 source(s), 2 sink(s))"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("sales_transactions: 13 fields"), std::string::npos) << r.out;
  // Nothing was read or written.
  EXPECT_FALSE(std::filesystem::exists(dir_ / "warehouse"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "state"));
}

TEST_F(CliTest, ValidateConfigReportsEveryErrorWithItsPlace) {
  Write("schemas/s.json", R"({"type": "object", "properties": {"q": {"type": "integer"}}})");
  Write("config/c.yml", R"(pipeline:
  warehouse: ./warehouse
sources:
  - name: a
    type: file
    path: ./a.csv
    schema: ../schemas/s.json
    rules:
      - {name: bad, expr: "q >> 1"}
      - {name: unknown_field, expr: "nope > 1"}
)");
  CommandResult r = RunAssay({"--config", "config/c.yml", "--validate-config"}, dir_);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("config/c.yml:9:28: rule 'bad'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("config/c.yml:10:38: rule 'unknown_field'"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "state"));
}

}  // namespace
}  // namespace assay::testing
