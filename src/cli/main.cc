// The `assay` command: flags -> Config -> Pipeline; exit codes of DESIGN.md §9.

#include <fmt/format.h>
#include <malloc.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "config/config.h"
#include "config/logging.h"
#include "core/clock.h"
#include "core/value_parse.h"
#include "events/event_bus.h"
#include "pipeline/pipeline.h"
#include "pipeline/summary.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitRunFailure = 1;
constexpr int kExitBadConfig = 2;

constexpr std::string_view kVersion = "0.1.0";

struct Flags {
  std::string config;
  std::string source;
  std::string as_of;
  std::string logging_config;
  bool validate_only = false;
  bool reprocess = false;
  bool no_progress = false;
  bool summary_json = false;
};

// The logging config: the flag, else logging_config.yml beside the data sources config, else
// defaults (info to the console).
int SetUpLogging(const Flags& flags) {
  std::filesystem::path path = flags.logging_config;
  if (path.empty()) {
    std::filesystem::path beside =
        std::filesystem::path(flags.config).parent_path() / "logging_config.yml";
    std::error_code ec;
    if (std::filesystem::exists(beside, ec)) path = beside;
  }
  assay::config::LoggingConfig logging;
  if (!path.empty()) {
    auto loaded = assay::config::LoadLoggingConfig(path);
    if (!loaded.ok()) {
      std::cerr << "assay: " << loaded.status().message() << "\n";
      return kExitBadConfig;
    }
    logging = std::move(loaded).value();
  }
  if (assay::Status st = assay::config::SetUpLogging(logging); !st.ok()) {
    std::cerr << "assay: logging: " << st.message() << "\n";
    return kExitBadConfig;
  }
  return kExitOk;
}

int Main(int argc, char** argv) {
  CLI::App app{
      "Assay: ingest records, check them against schemas and quality rules, grade them\n"
      "gold / silver / bronze / rejected, and land each tier as Parquet tables.\n\n"
      "Exit codes: 0 ok, 1 run failure (a source failed), 2 bad config or usage.",
      "assay"};
  Flags flags;
  app.add_option("--config,-c", flags.config, "Pipeline config (config/data_sources.yml)")
      ->check(CLI::ExistingFile);
  app.add_option("--source", flags.source, "Run only the source with this name");
  CLI::Option* as_of_option =
      app.add_option("--as-of", flags.as_of,
                     "Reference time of now() in rules, RFC 3339 (default: the wall clock)");
  app.add_flag("--validate-config", flags.validate_only,
               "Check the config, schemas and rules, then exit (0 valid, 2 invalid)");
  app.add_flag("--reprocess", flags.reprocess,
               "Ingest input files again even if an earlier run committed them");
  app.add_option("--logging-config", flags.logging_config,
                 "Logging config (default: logging_config.yml beside --config)");
  app.add_flag("--no-progress", flags.no_progress, "Never draw the progress bar");
  app.add_flag("--summary-json", flags.summary_json,
               "Print the run summary as one JSON object instead of a table");
  app.set_version_flag("--version", std::string(kVersion));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? kExitOk : kExitBadConfig;
  }
  if (flags.config.empty()) {
    std::cerr << "assay: --config is required (try --help)\n";
    return kExitBadConfig;
  }
  if (int rc = SetUpLogging(flags); rc != kExitOk) return rc;

  assay::pipeline::RunOptions options;
  options.as_of_us = assay::WallClockMicros();
  if (as_of_option->count() > 0) {
    std::optional<int64_t> as_of = assay::ParseTimestampText(flags.as_of);
    if (!as_of) {
      if (auto date = assay::ParseDateText(flags.as_of)) as_of = *date * assay::kMicrosPerDay;
    }
    if (!as_of) {
      std::cerr << "assay: --as-of " << flags.as_of
                << ": expected an RFC 3339 time such as 2026-11-24T00:00:00Z\n";
      return kExitBadConfig;
    }
    options.as_of_us = *as_of;
  }
  if (!flags.source.empty()) options.only_source = flags.source;
  options.reprocess = flags.reprocess;
  options.progress = !flags.no_progress && !flags.summary_json && ::isatty(STDERR_FILENO);

  auto config = assay::config::LoadConfig(flags.config);
  if (!config.ok()) {
    std::cerr << config.status().message() << "\n";
    return kExitBadConfig;
  }
  assay::events::EventBus bus;
  auto pipeline = assay::pipeline::Pipeline::Make(*config, options, bus);
  if (!pipeline.ok()) {
    std::cerr << pipeline.status().message() << "\n";
    return kExitBadConfig;
  }
  if (flags.validate_only) {
    std::cout << fmt::format("{}: valid ({} source(s), {} sink(s))\n", flags.config,
                             (*pipeline)->sources().size(), config->sinks.size());
    for (const auto& s : (*pipeline)->sources()) {
      std::cout << fmt::format("  {}: {} fields, {} checks\n", s.config->name,
                               s.schema.fields.size(), s.classifier->num_checks());
    }
    return kExitOk;
  }
  auto summary = (*pipeline)->Run();
  if (!summary.ok()) {
    assay::config::GetLogger("cli")->error("run failed: {}", summary.status().message());
    std::cerr << "assay: " << summary.status().message() << "\n";
    return kExitRunFailure;
  }
  if (flags.summary_json) {
    std::cout << assay::pipeline::SummaryJson(*summary) << "\n";
  } else {
    std::cout << assay::pipeline::FormatSummary(*summary);
  }
  return summary->ok() ? kExitOk : kExitRunFailure;
}

}  // namespace

int main(int argc, char** argv) {
  // Batches are allocated on the reader thread and freed on the workers, a few MB at a time.
  // By default glibc serves blocks that size with mmap and hands them back on free, so every
  // batch paid page faults on fresh zeroed pages (half the decoders' time). Keep them in the
  // heap instead: memory stays bounded by the batches in flight, which the config bounds.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    // Exceptions are bugs (CONVENTIONS §3); say so rather than abort without a word.
    std::cerr << "assay: internal error: " << e.what() << "\n";
    return kExitRunFailure;
  }
}
