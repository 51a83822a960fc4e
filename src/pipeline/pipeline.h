#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "core/result.h"
#include "events/event_bus.h"
#include "events/metrics.h"
#include "events/state_store.h"
#include "quality/classifier.h"
#include "schema/schema.h"
#include "sources/database/database.h"

namespace assay::pipeline {

struct RunOptions {
  std::optional<std::string> only_source;  ///< `--source NAME`
  int64_t as_of_us = 0;                    ///< now() of the rules (`--as-of`)
  bool reprocess = false;                  ///< ingest files again even if committed
  bool progress = false;                   ///< draw a progress bar on stderr
  std::string run_id;                      ///< empty = generated
};

/// What happened to one source in a run; built from the metrics, not private counters.
struct SourceSummary {
  std::string name;
  bool ok = true;
  std::string error;  ///< why the source failed, when !ok
  uint64_t files = 0;
  uint64_t files_skipped = 0;  ///< already committed by an earlier run
  uint64_t rows = 0;
  uint64_t bytes = 0;
  std::array<uint64_t, kNumTiers> tier_rows{};
  double seconds = 0;
  std::vector<std::string> outputs;  ///< table folders written
};

struct RunSummary {
  std::string run_id;
  std::vector<SourceSummary> sources;
  double seconds = 0;
  size_t commits_recovered = 0;
  bool ok() const;
};

/// One configured source, resolved: its schema loaded and its checks compiled. With
/// `schema: auto` the schema and classifier are empty until the run detects them.
struct PreparedSource {
  const config::SourceConfig* config = nullptr;
  std::string schema_text;  ///< the schema file as read (or as detected), for the registry
  schema::Schema schema;
  std::unique_ptr<quality::Classifier> classifier;
  /// How to connect, for database and Redis sources: built once, when the config is checked.
  std::optional<sources::db::ConnectOptions> connect;
  /// The registry subject and version the rows are graded by (validation statistics); set by
  /// the run once the schema is registered.
  std::string subject;
  int subject_version = 0;
};

/// The batch pipeline of DESIGN.md §1: Source → Decoder → Classifier → Router → Sinks → Commit,
/// one source after another, one input file per commit (plus intermediate commits every
/// `commit_interval_rows` rows, so a crash in a huge file does not restart it).
class Pipeline {
 public:
  /// Validates everything that can be checked before touching data: schemas load, rules
  /// compile, `--source` names a source. Every error is returned together (kInvalidArgument).
  static Result<std::unique_ptr<Pipeline>> Make(const config::Config& config, RunOptions options,
                                                events::EventBus& bus);

  /// Runs every selected source to exhaustion and commits. Returns an error only when the run
  /// could not start (state store, recovery); a failing source is reported in the summary.
  Result<RunSummary> Run();

  const std::vector<PreparedSource>& sources() const { return sources_; }
  const std::string& run_id() const { return options_.run_id; }

 private:
  Pipeline(const config::Config& config, RunOptions options, events::EventBus& bus)
      : config_(config), options_(std::move(options)), bus_(bus) {}

  const config::Config& config_;
  RunOptions options_;
  events::EventBus& bus_;
  std::vector<PreparedSource> sources_;
  int64_t run_started_us_ = 0;  ///< wall clock at Run(): `_ingested_at` and the partition date
};

/// Loads the schemas and compiles the rules of every source in `config` (the part of
/// Pipeline::Make that `--validate-config` needs).
Result<std::vector<PreparedSource>> PrepareSources(const config::Config& config,
                                                   const RunOptions& options);

/// The classifier settings a config and the command's options ask for.
quality::ClassifierOptions ClassifierOptionsFor(const config::Config& config,
                                                const RunOptions& options);

/// Builds `ps.classifier` from `ps.schema` and the source's rules (errors name the rule's
/// file:line:column).
Status CompileChecks(const quality::ClassifierOptions& copts, PreparedSource& ps);

/// A run id: `YYYYMMDDTHHMMSSZ-xxxxxx` (UTC start time, random suffix).
std::string NewRunId(int64_t now_us);

}  // namespace assay::pipeline
