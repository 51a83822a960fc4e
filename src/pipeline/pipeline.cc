#include "pipeline/pipeline.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <random>

#include "core/clock.h"
#include "core/value_parse.h"
#include "pipeline/commit_log.h"
#include "pipeline/database_input.h"
#include "pipeline/progress.h"
#include "pipeline/run_context.h"
#include "pipeline/schema_detection.h"
#include "pipeline/schema_subjects.h"
#include "pipeline/source_run.h"
#include "pipeline/summary.h"
#include "quality/rule_parser.h"
#include "schema/json_schema.h"

namespace assay::pipeline {
namespace {

// A source that could not start: it fails with `why` (and says so on the event bus).
SourceSummary NotRun(const config::SourceConfig& source, const Status& why) {
  SourceSummary summary;
  summary.name = source.name;
  summary.ok = false;
  summary.error = why.message();
  PipelineLog().error("source '{}': {}", source.name, why.message());
  return summary;
}

// Registers the source's schema file, or detects its schema (`schema: auto`) and compiles its
// checks against it; sets the subject and version the rows are graded by. false: nothing to run.
Result<bool> ResolveSchema(const RunContext& run, schema::SchemaRegistry& registry,
                           events::StateStore& store, const quality::ClassifierOptions& copts,
                           PreparedSource& source) {
  if (!source.config->detect_schema) {
    ASSIGN_OR_RETURN(schema::Registration registered,
                     RegisterSchemaFile(registry, source.config->schema, source.schema_text));
    source.subject = SubjectOfSchemaFile(source.config->schema);
    source.subject_version = registered.version;
    return true;
  }
  ASSIGN_OR_RETURN(bool ready, ResolveDetectedSchema(run, registry, store, source));
  if (ready) RETURN_IF_ERROR(CompileChecks(copts, source));
  return ready;
}

}  // namespace

bool RunSummary::ok() const {
  for (const SourceSummary& s : sources) {
    if (!s.ok) return false;
  }
  return true;
}

std::string NewRunId(int64_t now_us) {
  std::string ts = FormatTimestamp(now_us - now_us % kMicrosPerSecond);  // 2026-11-24T10:15:30Z
  std::string compact;
  for (char c : ts) {
    if (c != '-' && c != ':') compact += c;
  }
  std::random_device rd;
  return fmt::format("{}-{:06x}", compact, rd() & 0xFFFFFF);
}

quality::ClassifierOptions ClassifierOptionsFor(const config::Config& config,
                                                const RunOptions& options) {
  quality::ClassifierOptions copts;
  copts.gold_min_score = config.pipeline.tiers.gold_min_score;
  copts.silver_min_score = config.pipeline.tiers.silver_min_score;
  copts.now_us = options.as_of_us;
  for (const auto& [name, weight] : config.pipeline.dimension_weights) {
    if (auto d = schema::DimensionFromName(name)) copts.weights[static_cast<size_t>(*d)] = weight;
  }
  return copts;
}

Status CompileChecks(const quality::ClassifierOptions& copts, PreparedSource& ps) {
  std::vector<quality::RuleSpec> rules;
  for (const config::RuleConfig& rc : ps.config->rules) {
    quality::RuleSpec spec;
    spec.name = rc.name;
    spec.expr = rc.expr;
    spec.location = fmt::format("{}:{}:{}", rc.expr_location.file, rc.expr_location.line,
                                rc.expr_location.column);
    // The config loader has validated both names.
    spec.dimension =
        schema::DimensionFromName(rc.dimension).value_or(schema::Dimension::kConsistency);
    spec.severity = schema::SeverityFromName(rc.severity).value_or(schema::Severity::kError);
    rules.push_back(std::move(spec));
  }
  // Rule errors carry their own file:line:column.
  ASSIGN_OR_RETURN(ps.classifier, quality::Classifier::Make(ps.schema, rules, copts));
  return Status::Ok();
}

Result<std::vector<PreparedSource>> PrepareSources(const config::Config& config,
                                                   const RunOptions& options) {
  std::vector<PreparedSource> out;
  std::vector<std::string> errors;
  if (options.only_source && !config.FindSource(*options.only_source)) {
    std::string names;
    for (const auto& s : config.sources) names += (names.empty() ? "" : ", ") + s.name;
    return InvalidArgument(fmt::format("--source {}: no such source in {} (sources: {})",
                                       *options.only_source, config.file.string(), names));
  }
  const quality::ClassifierOptions copts = ClassifierOptionsFor(config, options);
  for (const config::SourceConfig& sc : config.sources) {
    if (!sc.enabled) continue;
    if (options.only_source && sc.name != *options.only_source) continue;
    PreparedSource ps;
    ps.config = &sc;
    if (sc.type == "database" || sc.type == "redis") {
      // A bad URL or password file is a config error: found before anything runs.
      Result<sources::db::ConnectOptions> connect = ConnectOptionsFor(sc);
      if (!connect.ok()) {
        errors.push_back(connect.status().message());
        continue;
      }
      ps.connect = std::move(connect).value();
    }
    if (sc.detect_schema) {
      // The schema comes from the data at run time; rules can only be checked for syntax now.
      for (const config::RuleConfig& rc : sc.rules) {
        Result<quality::NodePtr> parsed = quality::ParseRule({rc.name, rc.expr});
        if (!parsed.ok()) {
          errors.push_back(fmt::format("{}:{}:{}: {}", rc.expr_location.file, rc.expr_location.line,
                                       rc.expr_location.column, parsed.status().message()));
        }
      }
      out.push_back(std::move(ps));
      continue;
    }
    if (sc.schema.empty()) {
      errors.push_back(fmt::format(
          "{}:{}: source '{}': schema: required key is missing (a JSON Schema file, or auto to "
          "detect one from the data)",
          sc.location.file, sc.location.line, sc.name));
      continue;
    }
    Result<std::string> text = schema::ReadSchemaFile(sc.schema);
    Result<schema::Schema> schema = text.ok() ? schema::ParseJsonSchema(*text, sc.schema)
                                              : Result<schema::Schema>(text.status());
    if (!schema.ok()) {
      errors.push_back(fmt::format("{}:{}: source '{}': {}", sc.location.file, sc.location.line,
                                   sc.name, schema.status().message()));
      continue;
    }
    ps.schema = std::move(schema).value();
    ps.schema_text = std::move(text).value();
    if (Status st = CompileChecks(copts, ps); !st.ok()) {
      errors.push_back(st.message());
      continue;
    }
    out.push_back(std::move(ps));
  }
  if (!errors.empty()) {
    std::string message;
    for (const std::string& e : errors) message += (message.empty() ? "" : "\n") + e;
    return InvalidArgument(std::move(message));
  }
  return out;
}

Result<std::unique_ptr<Pipeline>> Pipeline::Make(const config::Config& config, RunOptions options,
                                                 events::EventBus& bus) {
  if (options.run_id.empty()) options.run_id = NewRunId(WallClockMicros());
  ASSIGN_OR_RETURN(std::vector<PreparedSource> sources, PrepareSources(config, options));
  std::unique_ptr<Pipeline> p(new Pipeline(config, std::move(options), bus));
  p->sources_ = std::move(sources);
  return p;
}

Result<RunSummary> Pipeline::Run() {
  const auto start = Clock::now();
  run_started_us_ = WallClockMicros();
  RunSummary summary;
  summary.run_id = options_.run_id;
  ASSIGN_OR_RETURN(auto store, events::StateStore::Open(config_.pipeline.state_dir));
  CommitLog commits(*store);
  ASSIGN_OR_RETURN(auto registry, schema::SchemaRegistry::Open(config_.pipeline.state_dir,
                                                               RegistryOptionsFor(config_), &bus_));

  std::vector<std::filesystem::path> roots;
  for (const PreparedSource& s : sources_) {
    for (Tier t : kAllTiers) {
      roots.push_back(config_.pipeline.warehouse / std::string(TierName(t)) / s.config->name);
    }
    for (const config::SinkConfig& sc : config_.sinks) {
      if (sc.type == "ndjson")
        roots.push_back((sc.path.empty() ? "./out" : sc.path) / s.config->name);
    }
  }
  ASSIGN_OR_RETURN(summary.commits_recovered, commits.Recover(roots));
  if (summary.commits_recovered > 0) {
    PipelineLog().warn("recovered {} commit(s) interrupted by an earlier crash",
                       summary.commits_recovered);
  }
  RETURN_IF_ERROR(store->BeginRun(
      {options_.run_id, run_started_us_, config_.file.string(), options_.as_of_us}));
  bus_.Publish(events::Event::Make(events::topic::kRunStarted, "run started")
                   .Set("run_id", options_.run_id)
                   .Set("config", config_.file.string())
                   .Set("as_of", FormatTimestamp(options_.as_of_us)));

  const RunContext context{config_, options_, bus_, run_started_us_};
  std::unique_ptr<Progress> progress;
  if (options_.progress) progress = std::make_unique<Progress>();
  uint64_t sequence = 0;
  const quality::ClassifierOptions copts = ClassifierOptionsFor(config_, options_);
  for (PreparedSource& source : sources_) {
    // The schema is registered (or found unchanged) first: a schema changed incompatibly stops
    // its source before it reads anything.
    Result<bool> ready = ResolveSchema(context, *registry, *store, copts, source);
    if (!ready.ok()) {
      summary.sources.push_back(NotRun(*source.config, ready.status()));
      bus_.Publish(events::Event::Make(events::topic::kSourceFailed, ready.status().message())
                       .WithSource(source.config->name)
                       .WithSeverity(events::Severity::kError)
                       .Set("run_id", options_.run_id));
      continue;
    }
    if (!*ready) {  // schema: auto with no data yet: nothing to grade
      SourceSummary idle;
      idle.name = source.config->name;
      summary.sources.push_back(std::move(idle));
      continue;
    }
    summary.sources.push_back(
        RunSource(context, source, *store, commits, sequence, progress.get()));
  }
  progress.reset();
  summary.seconds = SecondsSince(start);

  uint64_t rows = 0;
  for (const auto& s : summary.sources) rows += s.rows;
  RETURN_IF_ERROR(
      store->FinishRun(options_.run_id, summary.ok() ? "ok" : "failed", SummaryJson(summary)));
  bus_.Publish(
      events::Event::Make(events::topic::kRunFinished, summary.ok() ? "run finished" : "run failed")
          .WithSeverity(summary.ok() ? events::Severity::kInfo : events::Severity::kError)
          .Set("run_id", options_.run_id)
          .Set("rows", rows)
          .Set("seconds", summary.seconds));
  bus_.Flush();
  return summary;
}

}  // namespace assay::pipeline
