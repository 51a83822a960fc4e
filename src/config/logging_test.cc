#include "config/logging.h"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

namespace assay::config {
namespace {

namespace fs = std::filesystem;

class LoggingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    dir_ = fs::temp_directory_path() / ("assay_logging_test_" + std::to_string(random()));
  }
  void TearDown() override {
    // Back to stderr only, so no logger keeps a file open in a deleted directory.
    LoggingConfig quiet;
    quiet.level = "off";
    EXPECT_TRUE(SetUpLogging(quiet).ok());
    fs::remove_all(dir_);
  }

  static std::vector<std::string> ReadLines(const fs::path& path) {
    std::ifstream in(path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

  LoggingConfig FileOnly(bool json) const {
    LoggingConfig config;
    config.console = false;
    config.file = dir_ / "logs" / "assay.log";  // the directory does not exist yet
    config.json = json;
    return config;
  }

  fs::path dir_;
};

TEST_F(LoggingTest, JsonLinesHaveTsLevelLoggerAndEscapedMsg) {
  ASSERT_TRUE(SetUpLogging(FileOnly(/*json=*/true)).ok());
  auto logger = GetLogger("sources");
  logger->info("quote \" backslash \\ newline \n tab \t bell \x07 bad utf8 \xff ok é");
  logger->warn("second");
  logger->flush();

  std::vector<std::string> lines = ReadLines(dir_ / "logs" / "assay.log");
  ASSERT_EQ(lines.size(), 2u);
  nlohmann::json first = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(first["level"], "info");
  EXPECT_EQ(first["logger"], "sources");
  EXPECT_EQ(first["msg"],
            "quote \" backslash \\ newline \n tab \t bell \x07 bad utf8 \xef\xbf\xbd ok é");
  std::string ts = first["ts"];
  ASSERT_EQ(ts.size(), std::string("2024-05-01T12:00:00.123456Z").size()) << ts;
  EXPECT_EQ(ts[10], 'T');
  EXPECT_EQ(ts.back(), 'Z');
  nlohmann::json second = nlohmann::json::parse(lines[1]);
  EXPECT_EQ(second["level"], "warn");
  EXPECT_EQ(second["msg"], "second");
}

TEST_F(LoggingTest, TextFileHasLevelAndLoggerName) {
  ASSERT_TRUE(SetUpLogging(FileOnly(/*json=*/false)).ok());
  GetLogger("sinks.lake")->error("disk full");
  GetLogger("sinks.lake")->flush();
  std::vector<std::string> lines = ReadLines(dir_ / "logs" / "assay.log");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("[error] [sinks.lake] disk full"), std::string::npos) << lines[0];
}

TEST_F(LoggingTest, RotatesAtMaxBytesAndKeepsMaxFiles) {
  LoggingConfig config = FileOnly(/*json=*/true);
  config.file_max_bytes = 1000;
  config.file_max_files = 2;
  ASSERT_TRUE(SetUpLogging(config).ok());
  auto logger = GetLogger("rotation");
  for (int i = 0; i < 200; ++i) logger->info("message number {} with some padding text", i);
  logger->flush();

  fs::path logs = dir_ / "logs";
  EXPECT_TRUE(fs::exists(logs / "assay.log"));
  EXPECT_TRUE(fs::exists(logs / "assay.1.log"));
  EXPECT_TRUE(fs::exists(logs / "assay.2.log"));
  EXPECT_FALSE(fs::exists(logs / "assay.3.log"));
  for (const char* name : {"assay.log", "assay.1.log", "assay.2.log"}) {
    EXPECT_LE(fs::file_size(logs / name), 1000u) << name;
    for (const std::string& line : ReadLines(logs / name)) {
      EXPECT_TRUE(nlohmann::json::accept(line)) << line;
    }
  }
  // The newest record is in the current file.
  std::vector<std::string> current = ReadLines(logs / "assay.log");
  ASSERT_FALSE(current.empty());
  EXPECT_NE(current.back().find("message number 199"), std::string::npos);
}

TEST_F(LoggingTest, PerLoggerLevelsUseTheLongestDottedPrefix) {
  LoggingConfig config = FileOnly(/*json=*/true);
  config.level = "warn";
  config.loggers = {{"sources", "debug"}, {"sources.kafka", "error"}};
  auto early = GetLogger("sources.file");  // created before the setup: still reconfigured
  ASSERT_TRUE(SetUpLogging(config).ok());
  early->debug("file debug");
  GetLogger("sources")->trace("sources trace");
  GetLogger("sources.kafka")->warn("kafka warn");
  GetLogger("sinks")->info("sinks info");
  GetLogger("sinks")->warn("sinks warn");
  spdlog::default_logger()->error("default error");
  for (const char* name : {"sources.file", "sources", "sources.kafka", "sinks", "assay"}) {
    GetLogger(name)->flush();
  }

  std::vector<std::string> messages;
  for (const std::string& line : ReadLines(dir_ / "logs" / "assay.log")) {
    messages.push_back(nlohmann::json::parse(line)["msg"]);
  }
  EXPECT_EQ(messages, (std::vector<std::string>{"file debug", "sinks warn", "default error"}));
}

TEST_F(LoggingTest, GetLoggerReturnsTheSameLogger) {
  EXPECT_EQ(GetLogger("events"), GetLogger("events"));
  EXPECT_EQ(GetLogger("events")->name(), "events");
}

TEST_F(LoggingTest, BadSettingsAreErrors) {
  LoggingConfig config;
  config.level = "loud";
  EXPECT_EQ(SetUpLogging(config).code(), StatusCode::kInvalidArgument);
  config.level = "info";
  config.loggers = {{"x", "chatty"}};
  EXPECT_EQ(SetUpLogging(config).code(), StatusCode::kInvalidArgument);
  config.loggers.clear();
  fs::create_directories(dir_);
  std::ofstream(dir_ / "not_a_dir") << "x";
  config.file = dir_ / "not_a_dir" / "assay.log";
  EXPECT_EQ(SetUpLogging(config).code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace assay::config
