// The `assay` command: flags -> Config -> Pipeline; exit codes of DESIGN.md §9.

#include <fmt/format.h>
#include <malloc.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "config/config.h"
#include "config/logging.h"
#include "core/clock.h"
#include "core/value_parse.h"
#include "events/event_bus.h"
#include "events/state_store.h"
#include "pipeline/pipeline.h"
#include "pipeline/schema_subjects.h"
#include "pipeline/source_health.h"
#include "pipeline/summary.h"
#include "schema/registry.h"
#include "web/registry_api.h"
#include "web/server.h"
#include "web/sources_api.h"
#include "web/stats_api.h"

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
  bool web_only = false;
  int port = 0;  // with --port only
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

// The write end of a pipe that the SIGINT and SIGTERM handler writes the signal number to:
// the handler may run on any thread (logging starts threads of its own), and writing to a pipe
// is async-signal-safe, so the main thread simply reads the other end.
int g_stop_pipe_write = -1;

void OnStopSignal(int signal_number) {
  auto byte = static_cast<unsigned char>(signal_number);
  ssize_t ignored = write(g_stop_pipe_write, &byte, 1);
  (void)ignored;
}

// Installs the handler; returns the pipe end to read the signal from, or -1.
int CatchStopSignals() {
  int fds[2];
  if (pipe(fds) != 0) return -1;
  g_stop_pipe_write = fds[1];
  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  return fds[0];
}

// Blocks until a caught signal arrives; returns its number.
int WaitForStopSignal(int read_fd) {
  unsigned char byte = 0;
  while (read(read_fd, &byte, 1) < 0 && errno == EINTR) {
  }
  return byte;
}

// `--web-only`: serves the HTTP API (the schema registry under /registry) until SIGINT or
// SIGTERM, then stops cleanly (exit 0). Exit 1 when the state store or the port is unavailable.
int ServeWeb(const assay::config::Config& config, std::optional<int> port) {
  // Before anything is announced: a signal from whoever read the announcement must stop us
  // cleanly, not kill us.
  int stop_fd = CatchStopSignals();
  if (stop_fd < 0) {
    std::cerr << "assay: cannot create a pipe for signal handling\n";
    return kExitRunFailure;
  }
  auto logger = assay::config::GetLogger("web");
  assay::events::EventBus bus;
  auto state = assay::events::StateStore::Open(config.pipeline.state_dir);
  if (!state.ok()) {
    std::cerr << "assay: " << state.status().message() << "\n";
    return kExitRunFailure;
  }
  const assay::schema::RegistryOptions options = assay::pipeline::RegistryOptionsFor(config);
  auto registry = assay::schema::SchemaRegistry::Open(config.pipeline.state_dir, options, &bus);
  if (!registry.ok()) {
    std::cerr << "assay: " << registry.status().message() << "\n";
    return kExitRunFailure;
  }
  assay::web::RegistryApi api(**registry, config.web.token);
  assay::web::StatsApi stats(**state, **registry);
  assay::web::SourcesApi sources(config, assay::pipeline::CheckSource);
  assay::web::ServerOptions server_options;
  server_options.host = config.web.host;
  server_options.port = port.value_or(config.web.port);
  server_options.max_body_bytes = config.web.max_body_bytes;
  auto server = assay::web::Server::Start(server_options,
                                          {api.AsMount(), stats.AsMount(), sources.AsMount()});
  if (!server.ok()) {
    std::cerr << "assay: " << server.status().message() << "\n";
    return kExitRunFailure;
  }
  if (config.web.token.empty() && config.web.host != "127.0.0.1" && config.web.host != "::1" &&
      config.web.host != "localhost") {
    logger->warn(
        "web.host is {} and web.token is empty: anyone who can reach the port can "
        "change the schema registry",
        config.web.host);
  }
  std::string url = (*server)->url();
  // On stdout, flushed: scripts and tests read the port from here (with --port 0).
  std::cout << "assay: listening on " << url << "\n"
            << "  schema registry: " << url << "/registry\n"
            << "  validation stats: " << url << "/api/subjects/{subject}/versions/{version}/stats\n"
            << "  source health: " << url << "/api/sources/{source}/health\n"
            << std::flush;
  logger->info("listening on {} (schema registry at {}/registry)", url, url);

  int signal_number = WaitForStopSignal(stop_fd);
  logger->info("{}: stopping the web server", signal_number == SIGINT ? "SIGINT" : "SIGTERM");
  (*server)->Stop();
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
               "Check the config, schemas and rules, and connect to database sources, then exit "
               "(0 valid, 1 a database source cannot be read, 2 invalid)");
  app.add_flag("--reprocess", flags.reprocess,
               "Ingest input files again even if an earlier run committed them");
  app.add_option("--logging-config", flags.logging_config,
                 "Logging config (default: logging_config.yml beside --config)");
  app.add_flag("--no-progress", flags.no_progress, "Never draw the progress bar");
  app.add_flag("--summary-json", flags.summary_json,
               "Print the run summary as one JSON object instead of a table");
  app.add_flag("--web-only", flags.web_only,
               "Start only the web server (schema registry API under /registry) and serve until "
               "SIGINT/SIGTERM");
  CLI::Option* port_option =
      app.add_option("--port", flags.port,
                     "Port of the web server, overriding web.port (0 = any free port)")
          ->check(CLI::Range(0, 65535));
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
  if (flags.web_only && !flags.validate_only) {
    return ServeWeb(*config,
                    port_option->count() > 0 ? std::optional<int>(flags.port) : std::nullopt);
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
    int code = kExitOk;
    for (const auto& s : (*pipeline)->sources()) {
      if (!s.classifier) {  // schema: auto
        std::cout << fmt::format("  {}: schema detected from the data at run time, {} rule(s)\n",
                                 s.config->name, s.config->rules.size());
        continue;
      }
      std::cout << fmt::format("  {}: {} fields, {} checks\n", s.config->name,
                               s.schema.fields.size(), s.classifier->num_checks());
      if (s.config->type != "database" && s.config->type != "redis") continue;
      // A server source's connection is checked too: the config is only useful if it works.
      if (auto found = assay::pipeline::CheckSource(*config, *s.config); found.ok()) {
        std::cout << fmt::format("  {}: {}\n", s.config->name, *found);
      } else {
        std::cerr << fmt::format("assay: source '{}': {}\n", s.config->name,
                                 found.status().message());
        code = kExitRunFailure;
      }
    }
    return code;
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
