// YAML -> typed Config. Every section is read through a MapReader that validates it against the
// key tables of config_keys.cc; all problems are collected so that one run of the loader shows
// the user every mistake in the file, not just the first.

#include <array>
#include <cerrno>
#include <fstream>
#include <map>
#include <sstream>
#include <system_error>

#include "config/config.h"
#include "config/config_keys.h"
#include "config/yaml_reader.h"

namespace assay::config {
namespace {

namespace fs = std::filesystem;
using internal::Diagnostics;
using internal::ForEachItem;
using internal::MapReader;
using internal::MarkOr;

constexpr std::array<std::string_view, 5> kDimensionNames = {"completeness", "accuracy",
                                                             "timeliness", "schema", "consistency"};

const SectionSpec& Section(std::string_view path) {
  // Every path used below is declared in config_keys.cc; a typo here is caught by the tests.
  const SectionSpec* spec = FindSection(path);
  static const SectionSpec kEmpty{};
  return spec != nullptr ? *spec : kEmpty;
}

// Source and rule names become table names, file names and `_failed` entries: keep them to
// characters that are safe in all of those, and without '.', which schema check names use.
bool IsValidName(std::string_view name) {
  if (name.empty()) return false;
  auto alpha = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  if (!alpha(name[0])) return false;
  for (char c : name) {
    if (!alpha(c) && !(c >= '0' && c <= '9') && c != '-') return false;
  }
  return true;
}

constexpr std::string_view kNameRule =
    "must start with a letter or '_' and hold only letters, digits, '_' and '-'";

bool IsBlank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

void CheckScore(MapReader& reader, std::string_view key, double value) {
  if (value < 0.0 || value > 1.0) reader.Error(key, "must be between 0 and 1");
}

void ReadPipeline(const YAML::Node& node, Diagnostics& diag, const YAML::Mark& fallback,
                  PipelineConfig* out) {
  MapReader r(node, "pipeline", Section("pipeline"), diag, fallback);
  r.Get("name", &out->name);
  r.Get("warehouse", &out->warehouse);
  r.Get("state_dir", &out->state_dir);
  if (r.Get("batch_max_rows", &out->batch_max_rows) && out->batch_max_rows < 1) {
    r.Error("batch_max_rows", "must be at least 1");
  }
  if (r.Get("batch_max_bytes", &out->batch_max_bytes) && out->batch_max_bytes < 1) {
    r.Error("batch_max_bytes", "must be at least 1");
  }
  if (r.Get("commit_interval_rows", &out->commit_interval_rows) && out->commit_interval_rows < 1) {
    r.Error("commit_interval_rows", "must be at least 1");
  }
  if (r.Get("threads", &out->threads) && out->threads < 0) {
    r.Error("threads", "must be at least 0 (0 = one per core)");
  }

  MapReader tiers(r.Child("tiers"), r.PathOf("tiers"), Section("pipeline.tiers"), diag,
                  r.MarkOf("tiers"));
  MapReader gold(tiers.Child("gold"), tiers.PathOf("gold"), Section("pipeline.tiers.gold"), diag,
                 tiers.MarkOf("gold"));
  MapReader silver(tiers.Child("silver"), tiers.PathOf("silver"), Section("pipeline.tiers.silver"),
                   diag, tiers.MarkOf("silver"));
  bool gold_ok = !gold.Has("min_score") || gold.Get("min_score", &out->tiers.gold_min_score);
  bool silver_ok =
      !silver.Has("min_score") || silver.Get("min_score", &out->tiers.silver_min_score);
  if (gold.Has("min_score")) CheckScore(gold, "min_score", out->tiers.gold_min_score);
  if (silver.Has("min_score")) CheckScore(silver, "min_score", out->tiers.silver_min_score);
  if (gold_ok && silver_ok && out->tiers.silver_min_score > out->tiers.gold_min_score) {
    MapReader& at = silver.Has("min_score") ? silver : gold;
    at.Error("min_score", "silver.min_score (" + std::to_string(out->tiers.silver_min_score) +
                              ") must not exceed gold.min_score (" +
                              std::to_string(out->tiers.gold_min_score) + ")");
  }

  for (std::string_view d : kDimensionNames) out->dimension_weights[std::string(d)] = 1.0;
  MapReader weights(r.Child("dimension_weights"), r.PathOf("dimension_weights"),
                    Section("pipeline.dimension_weights"), diag, r.MarkOf("dimension_weights"));
  double total = 0;
  for (std::string_view d : kDimensionNames) {
    double weight = 1.0;
    if (weights.Get(d, &weight)) {
      if (weight < 0) {
        weights.Error(d, "must be at least 0");
        weight = 1.0;
      }
      out->dimension_weights[std::string(d)] = weight;
    }
    total += out->dimension_weights[std::string(d)];
  }
  if (total <= 0) diag.Add(weights.mark(), weights.path(), "at least one weight must be above 0");
}

void ReadWeb(const YAML::Node& node, Diagnostics& diag, const YAML::Mark& fallback,
             WebConfig* out) {
  MapReader r(node, "web", Section("web"), diag, fallback);
  if (r.Get("host", &out->host) && IsBlank(out->host)) r.Error("host", "the host is empty");
  if (r.Get("port", &out->port) && (out->port < 0 || out->port > 65535)) {
    r.Error("port", "must be between 0 and 65535 (0 = any free port)");
  }
  r.Get("token", &out->token);
  if (r.Get("max_body_bytes", &out->max_body_bytes) && out->max_body_bytes < 1024) {
    r.Error("max_body_bytes", "must be at least 1024");
  }
}

void ReadRegistry(const YAML::Node& node, Diagnostics& diag, const YAML::Mark& fallback,
                  RegistrySectionConfig* out) {
  MapReader r(node, "registry", Section("registry"), diag, fallback);
  r.Get("compatibility", &out->compatibility);
  r.Get("compatibility_policy", &out->compatibility_policy);
}

// Position of the expression text itself: after the opening quote of a quoted scalar.
Location ExprLocation(const Diagnostics& diag, const YAML::Mark& mark) {
  Location location = diag.At(mark);
  std::string_view text = diag.text();
  if (mark.pos >= 0 && static_cast<size_t>(mark.pos) < text.size() &&
      (text[mark.pos] == '"' || text[mark.pos] == '\'')) {
    ++location.column;
  }
  return location;
}

void ReadCsv(MapReader& source, Diagnostics& diag, const std::string& format, CsvConfig* out) {
  if (!source.Has("csv")) return;
  if (!format.empty() && format != "csv") {
    source.Error("csv", "csv options need format: csv (this source has format: " + format + ")");
  }
  MapReader c(source.Child("csv"), source.PathOf("csv"), Section("sources[].csv"), diag,
              source.MarkOf("csv"));
  c.Get("header", &out->header);
  bool delimiter_ok = c.Get("delimiter", &out->delimiter);
  bool quote_ok = c.Get("quote", &out->quote);
  for (std::string_view key : {"delimiter", "quote"}) {
    char ch = key == "delimiter" ? out->delimiter : out->quote;
    if (c.Has(key) && (key == "delimiter" ? delimiter_ok : quote_ok) &&
        (ch == '\n' || ch == '\r')) {
      c.Error(key, "a line break cannot be the " + std::string(key));
    }
  }
  if ((delimiter_ok || quote_ok) && out->delimiter == out->quote) {
    c.Error(quote_ok ? "quote" : "delimiter", "the delimiter and the quote must differ");
  }
  c.Get("null_values", &out->null_values);
  if (c.Get("column_names", &out->column_names)) {
    if (out->header) {
      c.Error("column_names", "column_names is only used with header: false");
    }
    std::map<std::string, int> seen;
    for (const std::string& name : out->column_names) {
      if (name.empty()) c.Error("column_names", "a column name is empty");
      if (++seen[name] == 2) c.Error("column_names", "duplicate column name '" + name + "'");
    }
  }
}

// The keys of connectors that reach a server (DatabaseConfig, RedisConfig) for a source of
// `type`: the keys of its connector are read and required, those of the others refused.
void ReadDatabase(MapReader& r, Diagnostics& diag, const std::string& type, DatabaseConfig* out) {
  static constexpr std::string_view kShared[] = {
      "url", "password", "password_file", "connect_timeout", "retry_attempts", "retry_backoff"};
  static constexpr std::string_view kSqlOnly[] = {
      "table",   "query",       "watermark_column",  "partition_column", "partitions",
      "sslmode", "ssl_ca_file", "statement_timeout", "fetch_size"};
  static constexpr std::string_view kRedisOnly[] = {"stream", "group", "consumer", "key_pattern",
                                                    "key_field"};
  const bool is_database = type == "database", is_redis = type == "redis";
  for (std::string_view key : kShared) {
    if (!is_database && !is_redis && r.Has(key)) {
      r.Error(key, "only database and redis sources have " + std::string(key));
    }
  }
  for (std::string_view key : kSqlOnly) {
    if (!is_database && r.Has(key)) {
      r.Error(key, "only a database source (type: database) has " + std::string(key));
    }
  }
  for (std::string_view key : kRedisOnly) {
    if (!is_redis && r.Has(key)) {
      r.Error(key, "only a redis source (type: redis) has " + std::string(key));
    }
  }
  if (!is_database && !is_redis) return;
  for (std::string_view key : {"path", "format", "compression", "csv"}) {
    if (r.Has(key))
      r.Error(key, "a " + type + " source has no " + std::string(key) + " (it reads url)");
  }
  if (!r.Has("url")) {
    diag.Add(r.mark(), r.PathOf("url"),
             "required key is missing (a " + type + " source needs a url)");
  }
  if (r.Get("url", &out->url) && IsBlank(out->url)) r.Error("url", "the url is empty");
  std::string password;
  if (r.Get("password", &password)) out->password = std::move(password);
  r.Get("password_file", &out->password_file);
  if (out->password && r.Has("password_file")) {
    r.Error("password_file", "give password or password_file, not both");
  }
  if (r.Get("connect_timeout", &out->connect_timeout_seconds) &&
      !(out->connect_timeout_seconds > 0 && out->connect_timeout_seconds <= 3600)) {
    r.Error("connect_timeout", "must be above 0 and at most 3600 seconds");
  }
  if (r.Get("retry_attempts", &out->retry_attempts) &&
      (out->retry_attempts < 1 || out->retry_attempts > 100)) {
    r.Error("retry_attempts", "must be between 1 (no retry) and 100");
  }
  if (r.Get("retry_backoff", &out->retry_backoff_seconds) &&
      !(out->retry_backoff_seconds >= 0 &&
        out->retry_backoff_seconds <= DatabaseConfig::kMaxRetryBackoffSeconds)) {
    r.Error("retry_backoff", "must be between 0 and 60 seconds");
  }
  if (is_redis) {
    RedisConfig& redis = out->redis;
    r.Get("stream", &redis.stream);
    r.Get("group", &redis.group);
    r.Get("consumer", &redis.consumer);
    r.Get("key_pattern", &redis.key_pattern);
    r.Get("key_field", &redis.key_field);
    if (r.Has("stream") == r.Has("key_pattern")) {
      diag.Add(r.mark(), r.PathOf("stream"),
               r.Has("stream") ? "give stream or key_pattern, not both"
                               : "required key is missing (a redis source reads a stream or the "
                                 "hashes of a key_pattern)");
    }
    if (r.Has("stream") && IsBlank(redis.stream)) r.Error("stream", "the stream name is empty");
    if (r.Has("key_field") && !r.Has("key_pattern")) {
      r.Error("key_field", "key_field names the field that receives a hash's key (key_pattern)");
    }
    for (std::string_view key : {"group", "consumer"}) {
      if (r.Has(key) && !r.Has("stream")) {
        r.Error(key, std::string(key) + " is for stream sources (consumer groups)");
      }
    }
    return;
  }
  if (r.Has("table") && r.Has("query")) {
    r.Error("query", "give table or query, not both");
  } else if (!r.Has("table") && !r.Has("query")) {
    diag.Add(r.mark(), r.PathOf("table"),
             "required key is missing (a database source needs table or query)");
  }
  if (r.Get("table", &out->table) && IsBlank(out->table))
    r.Error("table", "the table name is empty");
  if (r.Get("query", &out->query) && IsBlank(out->query)) r.Error("query", "the query is empty");
  r.Get("watermark_column", &out->watermark_column);
  r.Get("partition_column", &out->partition_column);
  if (r.Get("partitions", &out->partitions) && (out->partitions < 1 || out->partitions > 64)) {
    r.Error("partitions", "must be between 1 and 64");
  }
  if (r.Has("partitions") && out->partitions > 1 && out->partition_column.empty()) {
    r.Error("partitions", "partitions need a partition_column to split by");
  }
  r.Get("sslmode", &out->sslmode);
  r.Get("ssl_ca_file", &out->ssl_ca_file);
  if (r.Get("statement_timeout", &out->statement_timeout_seconds) &&
      !(out->statement_timeout_seconds >= 0 && out->statement_timeout_seconds <= 604800)) {
    r.Error("statement_timeout", "must be between 0 (none) and 604800 seconds");
  }
  if (r.Get("fetch_size", &out->fetch_size) && (out->fetch_size < 1 || out->fetch_size > 1000000)) {
    r.Error("fetch_size", "must be between 1 and 1000000");
  }
}

void ReadRules(MapReader& source, Diagnostics& diag, std::vector<RuleConfig>* out) {
  std::map<std::string, int> lines;  // rule name -> line of its first definition
  ForEachItem(
      source.Child("rules"), source.PathOf("rules"), diag, source.MarkOf("rules"),
      [&](const YAML::Node& item, const std::string& path, size_t) {
        MapReader r(item, path, Section("sources[].rules[]"), diag,
                    MarkOr(item, source.MarkOf("rules")));
        RuleConfig rule;
        rule.location = diag.At(r.mark());
        if (r.Get("name", &rule.name)) {
          if (!IsValidName(rule.name)) {
            r.Error("name", "invalid rule name '" + rule.name + "': " + std::string(kNameRule));
          } else if (auto [it, inserted] = lines.emplace(rule.name, diag.At(r.MarkOf("name")).line);
                     !inserted) {
            r.Error("name", "duplicate rule name '" + rule.name + "' (first defined on line " +
                                std::to_string(it->second) + ")");
          }
        }
        r.Get("dimension", &rule.dimension);
        r.Get("severity", &rule.severity);
        if (r.Get("expr", &rule.expr)) {
          if (IsBlank(rule.expr)) r.Error("expr", "the expression is empty");
          rule.expr_location = ExprLocation(diag, r.MarkOf("expr"));
        }
        out->push_back(std::move(rule));
      });
}

void ReadSource(const YAML::Node& node, const std::string& path, const fs::path& config_dir,
                Diagnostics& diag, const YAML::Mark& fallback, SourceConfig* out) {
  MapReader r(node, path, Section("sources[]"), diag, fallback);
  out->location = diag.At(r.mark());
  if (r.Get("name", &out->name) && !IsValidName(out->name)) {
    r.Error("name", "invalid source name '" + out->name + "': " + std::string(kNameRule));
  }
  bool type_ok = r.Get("type", &out->type);
  if (type_ok && out->type == "file" && !r.Has("path")) {
    diag.Add(r.mark(), r.PathOf("path"), "required key is missing (a file source needs a path)");
  }
  ReadDatabase(r, diag, type_ok ? out->type : std::string(), &out->database);
  if (r.Get("path", &out->path) && IsBlank(out->path)) r.Error("path", "the path is empty");
  r.Get("format", &out->format);
  r.Get("compression", &out->compression);
  r.Get("enabled", &out->enabled);
  ReadCsv(r, diag, out->format, &out->csv);

  fs::path schema;
  if (r.Get("schema", &schema) && schema == "auto") {
    out->detect_schema = true;
    if (type_ok && out->type != "file") {
      r.Error("schema",
              "schema: auto is for file sources; a " + out->type + " source needs a schema file");
    }
    // Without a header the columns have no names to detect unless the config gives them.
    if (type_ok && out->type == "file" && out->format != "ndjson" && out->format != "json" &&
        !out->csv.header && out->csv.column_names.empty()) {
      r.Error("schema", "schema: auto with csv.header: false needs csv.column_names");
    }
  } else if (!schema.empty()) {
    // "relative to this file" (DESIGN §3a); lexically normalised so messages stay short.
    fs::path resolved = schema.is_absolute() ? schema : (config_dir / schema).lexically_normal();
    std::error_code ec;
    if (!fs::is_regular_file(resolved, ec)) {
      r.Error("schema", "schema file '" + resolved.string() +
                            "' does not exist (schema paths are relative to the config file)");
    }
    out->schema = std::move(resolved);
  }
  if (r.Get("schema_sample_rows", &out->schema_sample_rows)) {
    if (!out->detect_schema) {
      r.Error("schema_sample_rows", "schema_sample_rows is only used with schema: auto");
    } else if (out->schema_sample_rows < 1) {
      r.Error("schema_sample_rows", "must be at least 1");
    }
  }
  ReadRules(r, diag, &out->rules);
}

void ReadSink(const YAML::Node& node, const std::string& path, Diagnostics& diag,
              const YAML::Mark& fallback, SinkConfig* out) {
  MapReader r(node, path, Section("sinks[]"), diag, fallback);
  out->location = diag.At(r.mark());
  bool type_ok = r.Get("type", &out->type);
  bool ndjson = type_ok && out->type == "ndjson";
  bool lake = type_ok && out->type == "lake";
  if (ndjson) {
    out->format = "ndjson";
    out->compression = "none";
  }
  if (r.Get("format", &out->format)) {
    if (lake && out->format != "parquet") r.Error("format", "a lake sink writes parquet");
    if (ndjson && out->format != "ndjson") r.Error("format", "an ndjson sink writes ndjson");
  }
  if (r.Get("compression", &out->compression)) {
    if (lake && out->compression == "gzip") {
      r.Error("compression", "a lake sink supports zstd, snappy or none");
    }
    if (ndjson && out->compression != "none") {
      r.Error("compression", "an ndjson sink writes uncompressed files (none)");
    }
  }
  if (r.Get("compression_level", &out->compression_level) &&
      (out->compression_level < 1 || out->compression_level > 22)) {
    r.Error("compression_level", "must be between 1 and 22");
  }
  if (r.Get("path", &out->path) && lake) {
    r.Error("path", "a lake sink writes under pipeline.warehouse; path is for ndjson sinks");
  }
  if (ndjson && !r.Has("path")) {
    diag.Add(r.mark(), r.PathOf("path"), "required key is missing (an ndjson sink needs a path)");
  }
  if (r.Get("tiers", &out->tiers)) {
    std::map<std::string, int> seen;
    for (const std::string& tier : out->tiers) {
      if (++seen[tier] == 2) r.Error("tiers", "tier '" + tier + "' is listed twice");
    }
    if (out->tiers.empty()) {
      r.Error("tiers", "an empty list would send nothing; leave the key out for all tiers");
    }
  }
  if (r.Get("row_group_max_rows", &out->row_group_max_rows) && out->row_group_max_rows < 1) {
    r.Error("row_group_max_rows", "must be at least 1");
  }
  r.Get("delta_byte_array", &out->delta_byte_array);
  if (r.Get("row_group_max_bytes", &out->row_group_max_bytes) && out->row_group_max_bytes < 1) {
    r.Error("row_group_max_bytes", "must be at least 1");
  }
}

Result<Config> ParseConfigImpl(std::string_view text, const fs::path& path, const Environment& env,
                               std::vector<ConfigError>* errors) {
  Diagnostics diag(path.string(), text, env);
  std::optional<YAML::Node> root = internal::ParseYaml(text, diag);
  if (!root) return diag.ToStatus(errors);
  const YAML::Mark start;  // line 1, column 1
  if (!root->IsDefined() || root->IsNull()) {
    diag.Add(start, "", "the config file is empty (it needs at least sources:)");
    return diag.ToStatus(errors);
  }

  Config config;
  config.file = path;
  MapReader top(*root, "", *PipelineConfigSections()[0], diag, start);
  ReadPipeline(top.Child("pipeline"), diag, top.MarkOf("pipeline"), &config.pipeline);
  ReadWeb(top.Child("web"), diag, top.MarkOf("web"), &config.web);
  ReadRegistry(top.Child("registry"), diag, top.MarkOf("registry"), &config.registry);

  std::map<std::string, int> source_lines;
  fs::path config_dir = path.parent_path();
  YAML::Node sources = top.Child("sources");
  if (sources.IsDefined() && (sources.IsNull() || (sources.IsSequence() && sources.size() == 0))) {
    top.Error("sources", "at least one source is required");
  }
  ForEachItem(sources, "sources", diag, top.MarkOf("sources"),
              [&](const YAML::Node& item, const std::string& item_path, size_t) {
                SourceConfig source;
                ReadSource(item, item_path, config_dir, diag, MarkOr(item, top.MarkOf("sources")),
                           &source);
                if (!source.name.empty()) {
                  auto [it, inserted] = source_lines.emplace(source.name, source.location.line);
                  if (!inserted) {
                    // Report at the name of the second definition.
                    const YAML::Node& const_item = item;
                    diag.Add(MarkOr(const_item["name"], start), item_path + ".name",
                             "duplicate source name '" + source.name + "' (first defined on line " +
                                 std::to_string(it->second) + ")");
                  }
                }
                config.sources.push_back(std::move(source));
              });

  if (top.Has("sinks")) {
    ForEachItem(top.Child("sinks"), "sinks", diag, top.MarkOf("sinks"),
                [&](const YAML::Node& item, const std::string& item_path, size_t) {
                  SinkConfig sink;
                  ReadSink(item, item_path, diag, MarkOr(item, top.MarkOf("sinks")), &sink);
                  config.sinks.push_back(std::move(sink));
                });
  } else {
    SinkConfig lake;
    lake.type = "lake";
    config.sinks.push_back(std::move(lake));
  }

  if (!diag.empty()) return diag.ToStatus(errors);
  return config;
}

Result<LoggingConfig> ParseLoggingImpl(std::string_view text, const fs::path& path,
                                       const Environment& env, std::vector<ConfigError>* errors) {
  Diagnostics diag(path.string(), text, env);
  std::optional<YAML::Node> root = internal::ParseYaml(text, diag);
  if (!root) return diag.ToStatus(errors);
  const YAML::Mark start;  // line 1, column 1
  if (!root->IsDefined() || root->IsNull()) {
    diag.Add(start, "", "the logging config file is empty (it needs logging:)");
    return diag.ToStatus(errors);
  }
  LoggingConfig config;
  std::span<const SectionSpec* const> sections = LoggingConfigSections();
  MapReader top(*root, "", *sections[0], diag, start);
  MapReader r(top.Child("logging"), "logging", *sections[1], diag, top.MarkOf("logging"));
  if (r.Get("level", &config.level) && config.level == "warning") config.level = "warn";
  r.Get("console", &config.console);
  r.Get("console_format", &config.console_format);
  r.Get("file", &config.file);
  if (r.Get("file_max_bytes", &config.file_max_bytes) && config.file_max_bytes < 1) {
    r.Error("file_max_bytes", "must be at least 1");
  }
  if (r.Get("file_max_files", &config.file_max_files) &&
      (config.file_max_files < 1 || config.file_max_files > 1000)) {
    r.Error("file_max_files", "must be between 1 and 1000");
  }
  r.Get("json", &config.json);
  r.Get("loggers", &config.loggers);
  if (!diag.empty()) return diag.ToStatus(errors);
  return config;
}

Result<std::string> ReadConfigFile(const fs::path& path, std::string_view what) {
  std::error_code ec;
  if (!fs::exists(path, ec)) {
    return NotFound(std::string(what) + " file '" + path.string() + "' not found");
  }
  if (fs::is_directory(path, ec)) {
    return InvalidArgument(std::string(what) + " file '" + path.string() + "' is a directory");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return ErrnoStatus(errno, path.string());
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return ErrnoStatus(errno, path.string());
  return text.str();
}

}  // namespace

std::string ConfigError::ToString() const {
  std::string out = location.file + ":" + std::to_string(location.line) + ":" +
                    std::to_string(location.column) + ": ";
  if (!key.empty()) out += "key '" + key + "': ";
  return out + message;
}

const SourceConfig* Config::FindSource(std::string_view name) const {
  for (const SourceConfig& source : sources) {
    if (source.name == name) return &source;
  }
  return nullptr;
}

Result<Config> ParseConfig(std::string_view text, const std::filesystem::path& path,
                           const Environment& env, std::vector<ConfigError>* errors) {
  // yaml-cpp reports misuse by exceptions; none may leave the config layer (CONVENTIONS §3).
  try {
    return ParseConfigImpl(text, path, env, errors);
  } catch (const std::exception& e) {
    return Internal("reading config " + path.string() + ": " + e.what());
  }
}

Result<Config> LoadConfig(const std::filesystem::path& path, const Environment& env) {
  ASSIGN_OR_RETURN(std::string text, ReadConfigFile(path, "config"));
  return ParseConfig(text, path, env);
}

Result<LoggingConfig> ParseLoggingConfig(std::string_view text, const std::filesystem::path& path,
                                         const Environment& env, std::vector<ConfigError>* errors) {
  try {
    return ParseLoggingImpl(text, path, env, errors);
  } catch (const std::exception& e) {
    return Internal("reading logging config " + path.string() + ": " + e.what());
  }
}

Result<LoggingConfig> LoadLoggingConfig(const std::filesystem::path& path, const Environment& env) {
  ASSIGN_OR_RETURN(std::string text, ReadConfigFile(path, "logging config"));
  return ParseLoggingConfig(text, path, env);
}

}  // namespace assay::config
