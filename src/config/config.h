#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/interpolate.h"
#include "core/result.h"

namespace assay::config {

/// A position in a config file, 1-based (yaml-cpp's marks are 0-based; we add one).
/// line == 0 means "unknown".
struct Location {
  std::string file;
  int line = 0;
  int column = 0;
};

/// One quality rule written by the user (DESIGN §3a): an SQL boolean expression.
struct RuleConfig {
  std::string name;                       ///< letters, digits, '_' and '-'; unique in its source
  std::string dimension = "consistency";  ///< completeness|accuracy|timeliness|schema|consistency
  std::string severity = "error";         ///< critical|error|warning
  std::string expr;                       ///< SQL text, after ${VAR} interpolation
  /// Where the expression text starts: for a quoted scalar, the character after the opening
  /// quote, so the rule parser can add its own 0-based column offset (exact when the scalar
  /// has no escapes and fits on one line).
  Location expr_location;
  Location location;  ///< the rule's mapping
};

/// CSV dialect of a file source (`csv:` key).
struct CsvConfig {
  bool header = true;                        ///< first line holds the column names
  char delimiter = ',';                      ///< one byte; "\t" and "tab" mean TAB
  char quote = '"';                          ///< one byte
  std::vector<std::string> null_values{""};  ///< field texts read as null
  std::vector<std::string> column_names;     ///< only with header: false
};

/// The keys of a `type: redis` source (docs/database-sources.md): a stream read through a
/// consumer group, or the hashes whose keys match a pattern.
struct RedisConfig {
  std::string stream;
  std::string group = "assay";     ///< the consumer group (created at the stream's start)
  std::string consumer = "assay";  ///< this reader's name in the group
  std::string key_pattern;         ///< or hashes: SCAN MATCH this pattern
  std::string key_field;           ///< the schema field that receives a hash's key
};

/// The keys of a `type: database` source (docs/database-sources.md); `type: redis` sources use
/// url, password, password_file and connect_timeout from here too.
struct DatabaseConfig {
  std::string url;  ///< SQLAlchemy-style; scheme picks the driver; ${VAR} already resolved
  std::optional<std::string> password;  ///< `password:` (usually ${VAR}); wins over the URL's
  std::filesystem::path password_file;  ///< or a file holding it (working-directory relative)
  std::string table;                    ///< a table or view, optionally schema.table
  std::string query;                    ///< or a SELECT (exactly one of the two)
  std::string watermark_column;         ///< incremental reads: only rows above the last commit
  std::string partition_column;         ///< parallel reads: split by ranges of this column
  int partitions = 1;
  std::string sslmode;                ///< disable|prefer|require|verify-ca|verify-full
  std::filesystem::path ssl_ca_file;  ///< CA certificates (working-directory relative)
  double connect_timeout_seconds = 10;
  /// A read that fails with an error that may pass is tried this many times in all, waiting
  /// retry_backoff, then twice that, and so on (at most kMaxRetryBackoffSeconds) in between.
  int retry_attempts = 4;
  double retry_backoff_seconds = 0.5;
  static constexpr double kMaxRetryBackoffSeconds = 60;
  double statement_timeout_seconds = 0;  ///< 0 = none
  uint64_t fetch_size = 10000;           ///< rows per round trip
  RedisConfig redis;                     ///< type: redis
};

/// One `sources:` entry.
struct SourceConfig {
  std::string name;                  ///< also the dataset (table) name in every sink
  std::string type;                  ///< "file" | "database" | "redis"
  std::string path;                  ///< a glob, relative to the working directory; kept as written
  std::string format;                ///< csv|ndjson|json; "" = from the file extension
  std::string compression = "auto";  ///< auto|none|gzip|zstd; auto = from the extension
  CsvConfig csv;
  DatabaseConfig database;  ///< type: database
  /// The schema file resolved against the config file's directory (lexically normalised);
  /// empty with `schema: auto` (detect_schema) or when the key is missing.
  std::filesystem::path schema;
  /// `schema: auto`: the schema is detected from a sample of the data at the start of each run
  /// and kept as the registry subject named after the source (docs/schema-registry.md).
  bool detect_schema = false;
  /// Rows sampled for detection (`schema_sample_rows`), over the files not yet ingested.
  uint64_t schema_sample_rows = 10000;
  std::vector<RuleConfig> rules;
  bool enabled = true;
  Location location;  ///< the source's mapping
};

/// Tier thresholds (DESIGN §3): scores are compared with a 1e-9 tolerance by the classifier.
struct TierConfig {
  double gold_min_score = 0.95;
  double silver_min_score = 0.80;
};

/// One `sinks:` entry.
struct SinkConfig {
  std::string type;                  ///< lake|ndjson
  std::string format = "parquet";    ///< lake: parquet; ndjson: ndjson
  std::string compression = "zstd";  ///< lake: zstd|snappy|none; ndjson: none|gzip|zstd
  int compression_level = 1;         ///< zstd level (1..22); ignored by other codecs
  std::filesystem::path path;        ///< ndjson output directory (working-directory relative)
  std::vector<std::string> tiers;    ///< subset of gold|silver|bronze|rejected; empty = all four
  uint64_t row_group_max_rows = 122880;    ///< Parquet row group size (DuckDB's default)
  uint64_t row_group_max_bytes = 8 << 20;  ///< ...or this many unencoded bytes, if fewer
  bool delta_byte_array = true;            ///< lake: DELTA_BYTE_ARRAY for prefix-sharing strings
  Location location;
};

/// The `pipeline:` section.
struct PipelineConfig {
  std::string name = "assay";
  std::filesystem::path warehouse = "./warehouse";  ///< lake root, working-directory relative
  std::filesystem::path state_dir = "./state";      ///< SQLite state store directory
  uint64_t batch_max_rows = 65536;
  uint64_t batch_max_bytes = 1 << 20;       ///< input bytes one batch covers at most
  uint64_t commit_interval_rows = 1000000;  ///< commit a large file every this many rows
  int threads = 0;                          ///< 0 = all cores
  TierConfig tiers;
  /// Weight of each of the five dimensions in the score; always holds all five (default 1.0).
  std::map<std::string, double> dimension_weights;
};

/// The `web:` section: the HTTP server (`--web-only`), which serves the schema registry's REST
/// API under `/registry`.
struct WebConfig {
  std::string host = "127.0.0.1";  ///< interface to listen on; loopback unless configured
  int port = 8080;                 ///< 0 = any free port (`--port` overrides)
  /// Required (Bearer, or as the HTTP Basic password) by requests that change state; usually
  /// `${ASSAY_TOKEN}`. Empty = no token required.
  std::string token;
  uint64_t max_body_bytes = 16 << 20;  ///< larger request bodies get 413
};

/// The `registry:` section: defaults of the schema registry until `PUT /registry/config` stores
/// a global config.
struct RegistrySectionConfig {
  std::string compatibility = "BACKWARD";          ///< NONE|BACKWARD|...|FULL_TRANSITIVE
  std::string compatibility_policy = "confluent";  ///< confluent|lenient (JSON Schema verdicts)
};

/// The whole `data_sources.yml`.
struct Config {
  std::filesystem::path file;  ///< the config file as given
  PipelineConfig pipeline;
  WebConfig web;
  RegistrySectionConfig registry;
  std::vector<SourceConfig> sources;
  /// When the file has no `sinks:` key this holds one lake sink with the defaults.
  std::vector<SinkConfig> sinks;

  /// The source named `name`, or nullptr.
  const SourceConfig* FindSource(std::string_view name) const;
};

/// The logging config (`config/logging_config.yml`, all keys under `logging:`).
struct LoggingConfig {
  std::string level = "info";           ///< trace|debug|info|warn|error|critical|off
  bool console = true;                  ///< log to stderr (colors when it is a terminal)
  std::string console_format = "text";  ///< text|json
  std::filesystem::path file;  ///< rotating log file, working-directory relative; empty = none
  uint64_t file_max_bytes = 10485760;  ///< rotate when the file would exceed this size
  int file_max_files = 5;              ///< rotated files kept besides the current one
  bool json = false;                   ///< JSON lines (ts, level, logger, msg) in the file
  /// Per-component levels: a logger named "sources.file" takes the level of the longest
  /// matching dotted prefix ("sources.file", then "sources"), else `level`.
  std::map<std::string, std::string> loggers;
};

/// One problem found in a config file.
struct ConfigError {
  Location location;
  std::string key;  ///< key path such as "sources[0].csv.delimiter"; empty for syntax errors
  std::string message;

  /// "FILE:LINE:COL: key 'KEY': MESSAGE" (the key part only when there is a key).
  std::string ToString() const;
};

/// Reads and validates the pipeline config at `path`. Every problem in the file is reported in
/// one kInvalidArgument Status, one ConfigError::ToString() per line, ordered by position;
/// kNotFound when the file does not exist. `env` resolves ${VAR} in scalar values.
Result<Config> LoadConfig(const std::filesystem::path& path,
                          const Environment& env = ProcessEnvironment());

/// As LoadConfig, from `text` that was read from `path` (used for messages and for resolving
/// `schema:`). When `errors` is not null it receives the individual errors.
Result<Config> ParseConfig(std::string_view text, const std::filesystem::path& path,
                           const Environment& env, std::vector<ConfigError>* errors = nullptr);

/// Reads and validates a logging config file (same error rules as LoadConfig).
Result<LoggingConfig> LoadLoggingConfig(const std::filesystem::path& path,
                                        const Environment& env = ProcessEnvironment());

/// As LoadLoggingConfig, from text.
Result<LoggingConfig> ParseLoggingConfig(std::string_view text, const std::filesystem::path& path,
                                         const Environment& env,
                                         std::vector<ConfigError>* errors = nullptr);

}  // namespace assay::config
