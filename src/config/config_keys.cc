#include "config/config_keys.h"

#include <array>

namespace assay::config {
namespace {

// The tables name only the fields that matter for each key (designated initializers); the rest
// take their defaults on purpose, which GCC's -Wmissing-field-initializers would flag.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

constexpr std::string_view kDimensions = "completeness|accuracy|timeliness|schema|consistency";
constexpr std::string_view kLevels = "trace|debug|info|warn|warning|error|critical|off";

constexpr std::array kRootKeys = {
    KeySpec{.name = "pipeline", .type = KeyType::kMap, .doc = "Run-wide settings."},
    KeySpec{.name = "sources",
            .type = KeyType::kMapList,
            .doc = "Where records come from; at least one.",
            .required = true},
    KeySpec{.name = "sinks",
            .type = KeyType::kMapList,
            .default_value = "[{type: lake}]",
            .doc = "Where graded rows go. Without this key, one lake sink with its defaults."},
    KeySpec{.name = "web",
            .type = KeyType::kMap,
            .doc = "The HTTP server (`--web-only`): the schema registry's REST API."},
    KeySpec{.name = "registry", .type = KeyType::kMap, .doc = "Schema registry defaults."},
};

constexpr std::array kPipelineKeys = {
    KeySpec{.name = "name",
            .default_value = "assay",
            .doc = "Name of the pipeline in logs, metrics and run history."},
    KeySpec{.name = "warehouse",
            .type = KeyType::kPath,
            .default_value = "./warehouse",
            .doc = "Lake root: `<warehouse>/<tier>/<dataset>/ingest_date=.../*.parquet`. "
                   "Relative to the working directory."},
    KeySpec{.name = "state_dir",
            .type = KeyType::kPath,
            .default_value = "./state",
            .doc = "Directory of the SQLite state store (registry, checkpoints, run history). "
                   "Relative to the working directory."},
    KeySpec{.name = "batch_max_rows",
            .type = KeyType::kInteger,
            .default_value = "65536",
            .unit = "rows",
            .doc = "Most rows in one batch moving through the pipeline; at least 1."},
    KeySpec{.name = "batch_max_bytes",
            .type = KeyType::kInteger,
            .default_value = "1048576",
            .unit = "bytes",
            .doc = "Most input bytes one batch covers (a batch ends at whichever limit it "
                   "reaches first; a single larger record still makes a batch). Bounds memory "
                   "whatever the width of the rows, and keeps a batch's columns in the CPU "
                   "caches; at least 1."},
    KeySpec{.name = "commit_interval_rows",
            .type = KeyType::kInteger,
            .default_value = "1000000",
            .unit = "rows",
            .doc = "Rows of one input file after which its output is committed, so a crash in a "
                   "large file resumes from there instead of the start; each file also commits "
                   "at its end. At least 1."},
    KeySpec{.name = "threads",
            .type = KeyType::kInteger,
            .default_value = "0",
            .unit = "threads",
            .doc = "Threads that decode, grade and write, the one reading the input included "
                   "(it also works whenever the others are busy); 0 = one per core."},
    KeySpec{.name = "tiers", .type = KeyType::kMap, .doc = "Score thresholds of the tiers."},
    KeySpec{.name = "dimension_weights",
            .type = KeyType::kMap,
            .doc = "Weight of each quality dimension in the score; unlisted dimensions weigh 1."},
};

constexpr std::array kTiersKeys = {
    KeySpec{.name = "gold", .type = KeyType::kMap, .doc = "Gold tier: `{min_score: 0.95}`."},
    KeySpec{.name = "silver", .type = KeyType::kMap, .doc = "Silver tier: `{min_score: 0.80}`."},
};

constexpr std::array kGoldKeys = {
    KeySpec{.name = "min_score",
            .type = KeyType::kNumber,
            .default_value = "0.95",
            .unit = "score in [0, 1]",
            .doc = "A row with no failed error-severity check and at least this score is gold."},
};

constexpr std::array kSilverKeys = {
    KeySpec{.name = "min_score",
            .type = KeyType::kNumber,
            .default_value = "0.80",
            .unit = "score in [0, 1]",
            .doc = "A row below gold with at least this score is silver; must not exceed gold's."},
};

constexpr std::array kWeightKeys = {
    KeySpec{.name = "completeness",
            .type = KeyType::kNumber,
            .default_value = "1",
            .doc = "Weight of the completeness dimension; >= 0."},
    KeySpec{.name = "accuracy",
            .type = KeyType::kNumber,
            .default_value = "1",
            .doc = "Weight of the accuracy dimension; >= 0."},
    KeySpec{.name = "timeliness",
            .type = KeyType::kNumber,
            .default_value = "1",
            .doc = "Weight of the timeliness dimension; >= 0."},
    KeySpec{.name = "schema",
            .type = KeyType::kNumber,
            .default_value = "1",
            .doc = "Weight of the schema dimension; >= 0."},
    KeySpec{.name = "consistency",
            .type = KeyType::kNumber,
            .default_value = "1",
            .doc = "Weight of the consistency dimension; >= 0. At least one weight must be > 0."},
};

constexpr std::array kSourceKeys = {
    KeySpec{.name = "name",
            .doc = "Unique source name, also the dataset (table) name in every sink. Letters, "
                   "digits, `_` and `-`, starting with a letter or `_`.",
            .required = true},
    KeySpec{.name = "type",
            .type = KeyType::kEnum,
            .doc = "Connector: files, a database table or query, or Redis "
                   "(docs/database-sources.md).",
            .required = true,
            .allowed = "file|database|redis"},
    KeySpec{.name = "path",
            .doc = "Glob of input files (`*`, `?`, `[...]`), relative to the working directory. "
                   "Required for `type: file`."},
    KeySpec{.name = "format",
            .type = KeyType::kEnum,
            .default_value = "from extension",
            .doc = "Record format; by default from the file extension (`.csv`, `.ndjson`/`.jsonl`, "
                   "`.json`, before any `.gz`/`.zst`).",
            .allowed = "csv|ndjson|json"},
    KeySpec{.name = "compression",
            .type = KeyType::kEnum,
            .default_value = "auto",
            .doc = "Decompression; `auto` decides from the extension (`.gz`, `.zst`).",
            .allowed = "auto|none|gzip|zstd"},
    KeySpec{.name = "csv", .type = KeyType::kMap, .doc = "CSV dialect (csv format only)."},
    KeySpec{.name = "url",
            .doc = "Database URL, SQLAlchemy style: `postgresql://user@host:5432/db`, "
                   "`mysql://` or `mariadb://`, `sqlite:///relative.db` or "
                   "`sqlite:////absolute.db`, `odbc://DSN` or `odbc:<connection string>`; "
                   "`redis://[:password@]host:6379/0` for `type: redis`. Required for both."},
    KeySpec{.name = "password",
            .doc = "Database password, usually `${VAR}`; overrides one in the URL. Never logged."},
    KeySpec{.name = "password_file",
            .type = KeyType::kPath,
            .doc = "A file holding the database password (trailing newline ignored), relative "
                   "to the working directory."},
    KeySpec{.name = "table",
            .doc = "Table or view to read (`schema.table` allowed). Exactly one of `table` and "
                   "`query` for `type: database`."},
    KeySpec{.name = "query", .doc = "A SELECT whose result columns are the record's fields."},
    KeySpec{.name = "watermark_column",
            .doc = "Incremental reads: each run reads only rows whose value in this column is "
                   "above the last committed one, in its order (e.g. `updated_at` or an id)."},
    KeySpec{.name = "partition_column",
            .doc = "Parallel reads: a numeric column whose range is split into `partitions` "
                   "ranges, each read on its own connection."},
    KeySpec{.name = "partitions",
            .type = KeyType::kInteger,
            .default_value = "1",
            .unit = "connections",
            .doc = "How many ranges of `partition_column` are read in parallel (1 to 64)."},
    KeySpec{.name = "sslmode",
            .type = KeyType::kEnum,
            .default_value = "driver default",
            .doc = "TLS to the database server.",
            .allowed = "disable|prefer|require|verify-ca|verify-full"},
    KeySpec{.name = "ssl_ca_file",
            .type = KeyType::kPath,
            .doc = "CA certificates to verify the server with (`verify-ca`, `verify-full`)."},
    KeySpec{.name = "connect_timeout",
            .type = KeyType::kNumber,
            .default_value = "10",
            .unit = "seconds",
            .doc = "Give up connecting after this long."},
    KeySpec{.name = "retry_attempts",
            .type = KeyType::kInteger,
            .default_value = "4",
            .doc = "Database and Redis sources: a read that fails with an error that may pass "
                   "(connection lost, server restarting) is tried this many times in all, each "
                   "time from the last commit; 1 = no retry. A refused login is not retried."},
    KeySpec{.name = "retry_backoff",
            .type = KeyType::kNumber,
            .default_value = "0.5",
            .unit = "seconds",
            .doc = "The wait before the first retry; it doubles for each next one, up to 60 s."},
    KeySpec{.name = "statement_timeout",
            .type = KeyType::kNumber,
            .default_value = "0",
            .unit = "seconds",
            .doc = "Cancel a query running longer than this; 0 = no limit."},
    KeySpec{.name = "stream",
            .doc = "Redis: a stream read through a consumer group; entries are acknowledged "
                   "(XACK) after their output commits. Exactly one of `stream` and "
                   "`key_pattern` for `type: redis`."},
    KeySpec{.name = "group",
            .default_value = "assay",
            .doc = "Redis: the consumer group of `stream` (created at the stream's start when "
                   "missing)."},
    KeySpec{.name = "consumer",
            .default_value = "assay",
            .doc = "Redis: this reader's name in `group`; entries it was given but did not "
                   "acknowledge are read again first."},
    KeySpec{.name = "key_pattern",
            .doc = "Redis: read every hash whose key matches this pattern (`customer:*`), one "
                   "row per hash; a full load each run."},
    KeySpec{.name = "key_field",
            .doc = "Redis: the schema field that receives each hash's key (with `key_pattern`)."},
    KeySpec{.name = "fetch_size",
            .type = KeyType::kInteger,
            .default_value = "10000",
            .unit = "rows",
            .doc = "Rows fetched per round trip: memory is bounded by this, not by the table."},
    KeySpec{.name = "schema",
            .type = KeyType::kPath,
            .doc = "JSON Schema file, relative to the directory of the config file, or `auto`: "
                   "detect the schema from a sample of the data and keep it in the schema "
                   "registry (docs/schema-registry.md). Required."},
    KeySpec{.name = "schema_sample_rows",
            .type = KeyType::kInteger,
            .default_value = "10000",
            .doc = "With `schema: auto`: rows sampled at the start of a run, over the files not "
                   "ingested yet; >= 1."},
    KeySpec{.name = "rules", .type = KeyType::kMapList, .doc = "SQL quality rules."},
    KeySpec{.name = "enabled",
            .type = KeyType::kBool,
            .default_value = "true",
            .doc = "`false` keeps the source in the file but does not run it."},
};

constexpr std::array kCsvKeys = {
    KeySpec{.name = "header",
            .type = KeyType::kBool,
            .default_value = "true",
            .doc = "The first line holds the column names."},
    KeySpec{.name = "delimiter",
            .type = KeyType::kChar,
            .default_value = "\",\"",
            .doc = "Field separator, one character; `\"\\t\"` or `tab` for TAB."},
    KeySpec{.name = "quote",
            .type = KeyType::kChar,
            .default_value = "'\"'",
            .doc = "Quote character, one character; differs from the delimiter."},
    KeySpec{.name = "null_values",
            .type = KeyType::kStringList,
            .default_value = "[\"\"]",
            .doc = "Field texts read as null (an empty field is null by default)."},
    KeySpec{.name = "column_names",
            .type = KeyType::kStringList,
            .default_value = "[]",
            .doc = "Column names for files without a header line (`header: false` only); "
                   "empty = the schema's property order."},
};

constexpr std::array kRuleKeys = {
    KeySpec{.name = "name",
            .doc = "Check name, reported in `_failed`; unique within the source. Letters, digits, "
                   "`_` and `-`.",
            .required = true},
    KeySpec{.name = "dimension",
            .type = KeyType::kEnum,
            .default_value = "consistency",
            .doc = "Quality dimension the rule counts toward.",
            .allowed = kDimensions},
    KeySpec{.name = "severity",
            .type = KeyType::kEnum,
            .default_value = "error",
            .doc = "`critical` failures reject the row; `error` failures keep it out of gold.",
            .allowed = "critical|error|warning"},
    KeySpec{.name = "expr",
            .doc = "SQL boolean expression over the record's typed fields; NULL = not applicable.",
            .required = true},
};

constexpr std::array kSinkKeys = {
    KeySpec{.name = "type",
            .type = KeyType::kEnum,
            .doc = "`lake`: Parquet tables under `pipeline.warehouse`; `ndjson`: JSON lines files.",
            .required = true,
            .allowed = "lake|ndjson"},
    KeySpec{.name = "format",
            .type = KeyType::kEnum,
            .default_value = "by type",
            .doc = "File format: `parquet` for lake sinks, `ndjson` for ndjson sinks.",
            .allowed = "parquet|ndjson"},
    KeySpec{.name = "compression",
            .type = KeyType::kEnum,
            .default_value = "lake: zstd, ndjson: none",
            .doc = "Codec: lake `zstd`, `snappy` or `none`; ndjson `none`.",
            .allowed = "zstd|snappy|gzip|none"},
    KeySpec{.name = "compression_level",
            .type = KeyType::kInteger,
            .default_value = "1",
            .doc = "zstd level, 1..22 (ignored by other codecs)."},
    KeySpec{.name = "path",
            .type = KeyType::kPath,
            .doc = "Output directory of an ndjson sink (required there), relative to the working "
                   "directory. Lake sinks write under `pipeline.warehouse`."},
    KeySpec{.name = "tiers",
            .type = KeyType::kEnumList,
            .default_value = "all four",
            .doc = "Tiers this sink receives.",
            .allowed = "gold|silver|bronze|rejected"},
    KeySpec{.name = "row_group_max_rows",
            .type = KeyType::kInteger,
            .default_value = "122880",
            .unit = "rows",
            .doc = "Most rows in one Parquet row group (a writer holds one row group per tier in "
                   "memory); at least 1."},
    KeySpec{.name = "row_group_max_bytes",
            .type = KeyType::kInteger,
            .default_value = "8388608",
            .unit = "bytes",
            .doc = "A row group also ends when its values take this many bytes unencoded, so "
                   "the memory a writer holds (one row group per tier per worker thread) does "
                   "not depend on the width of the rows; at least 1."},
    KeySpec{.name = "delta_byte_array",
            .type = KeyType::kBool,
            .default_value = "true",
            .doc = "Lake sinks write string columns whose values mostly share a prefix with the "
                   "previous one (`_position`, sequential ids) as DELTA_BYTE_ARRAY (a tenth of "
                   "the bytes to compress), and other strings that are not dictionary-encoded "
                   "(emails, random ids, text) as DELTA_LENGTH_BYTE_ARRAY (no 4-byte length "
                   "before each value: zstd is faster and smaller). `false` writes them PLAIN, "
                   "for readers without these encodings (Spark's vectorised reader before 3.3)."},
};

constexpr std::array kWebKeys = {
    KeySpec{.name = "host",
            .default_value = "127.0.0.1",
            .doc = "Interface the server listens on. Anything but loopback exposes the API to "
                   "the network: set a `token` then."},
    KeySpec{.name = "port",
            .type = KeyType::kInteger,
            .default_value = "8080",
            .doc = "TCP port, 0..65535; 0 picks a free one (printed at start). `--port` "
                   "overrides it."},
    KeySpec{.name = "token",
            .default_value = "\"\" (none)",
            .doc = "Secret that requests changing state (registering, deleting, config changes) "
                   "must carry as `Authorization: Bearer <token>` or as the password of HTTP "
                   "Basic auth (any user name). Usually `${ASSAY_TOKEN}`; keep it out of the "
                   "file. Empty: no token required."},
    KeySpec{.name = "max_body_bytes",
            .type = KeyType::kInteger,
            .default_value = "16777216",
            .unit = "bytes",
            .doc = "Larger request bodies are refused with 413; at least 1024."},
};

constexpr std::array kRegistryKeys = {
    KeySpec{.name = "compatibility",
            .type = KeyType::kEnum,
            .default_value = "BACKWARD",
            .doc = "Global compatibility level until `PUT /registry/config` stores one (then "
                   "that one wins, across restarts).",
            .allowed = "NONE|BACKWARD|BACKWARD_TRANSITIVE|FORWARD|FORWARD_TRANSITIVE|FULL|"
                       "FULL_TRANSITIVE"},
    KeySpec{.name = "compatibility_policy",
            .type = KeyType::kEnum,
            .default_value = "confluent",
            .doc = "JSON Schema verdicts: `confluent` gives Confluent's answers; `lenient` also "
                   "accepts adding an optional property to an open content model (and its "
                   "FORWARD mirror). Per subject via `compatibilityPolicy` in "
                   "`PUT /registry/config/{subject}`.",
            .allowed = "confluent|lenient"},
};

constexpr std::array kLoggingRootKeys = {
    KeySpec{.name = "logging", .type = KeyType::kMap, .doc = "Logging settings.", .required = true},
};

constexpr std::array kLoggingKeys = {
    KeySpec{.name = "level",
            .type = KeyType::kEnum,
            .default_value = "info",
            .doc = "Level of every logger not listed in `loggers` (`warning` = `warn`).",
            .allowed = kLevels},
    KeySpec{.name = "console",
            .type = KeyType::kBool,
            .default_value = "true",
            .doc = "Log to stderr, in color when it is a terminal."},
    KeySpec{.name = "console_format",
            .type = KeyType::kEnum,
            .default_value = "text",
            .doc = "Console line format.",
            .allowed = "text|json"},
    KeySpec{.name = "file",
            .type = KeyType::kPath,
            .doc = "Rotating log file, relative to the working directory; its directory is "
                   "created. No file logging without it."},
    KeySpec{.name = "file_max_bytes",
            .type = KeyType::kInteger,
            .default_value = "10485760",
            .unit = "bytes",
            .doc = "Rotate the file before it grows past this size; at least 1."},
    KeySpec{.name = "file_max_files",
            .type = KeyType::kInteger,
            .default_value = "5",
            .unit = "files",
            .doc = "Rotated files kept (`assay.1.log` ... `assay.N.log`), 1..1000."},
    KeySpec{.name = "json",
            .type = KeyType::kBool,
            .default_value = "false",
            .doc = "Write the file as JSON lines: `{\"ts\", \"level\", \"logger\", \"msg\"}`."},
    KeySpec{.name = "loggers",
            .type = KeyType::kLevelMap,
            .default_value = "{}",
            .doc = "Per-component levels, e.g. `{sources: debug}`; `sources` also covers "
                   "`sources.file`."},
};

constexpr SectionSpec kRoot{
    .path = "", .doc = "Top level of `data_sources.yml`.", .keys = kRootKeys};
constexpr SectionSpec kPipeline{
    .path = "pipeline", .doc = "Run-wide settings.", .keys = kPipelineKeys};
constexpr SectionSpec kTiers{.path = "pipeline.tiers",
                             .doc =
                                 "Tier thresholds (DESIGN §3), e.g. "
                                 "`{gold: {min_score: 0.95}, silver: {min_score: 0.80}}`.",
                             .keys = kTiersKeys};
constexpr SectionSpec kGold{.path = "pipeline.tiers.gold", .doc = "Gold tier.", .keys = kGoldKeys};
constexpr SectionSpec kSilver{
    .path = "pipeline.tiers.silver", .doc = "Silver tier.", .keys = kSilverKeys};
constexpr SectionSpec kWeights{.path = "pipeline.dimension_weights",
                               .doc = "The score is the weighted mean of the dimension scores.",
                               .keys = kWeightKeys};
constexpr SectionSpec kSource{
    .path = "sources[]", .doc = "One entry per source.", .keys = kSourceKeys};
constexpr SectionSpec kCsv{
    .path = "sources[].csv", .doc = "CSV dialect (RFC 4180).", .keys = kCsvKeys};
constexpr SectionSpec kRule{
    .path = "sources[].rules[]", .doc = "One entry per SQL rule.", .keys = kRuleKeys};
constexpr SectionSpec kSink{.path = "sinks[]", .doc = "One entry per sink.", .keys = kSinkKeys};
constexpr SectionSpec kWeb{.path = "web",
                           .doc =
                               "The HTTP server started by `--web-only`; the schema "
                               "registry's REST API is under `/registry`.",
                           .keys = kWebKeys};
constexpr SectionSpec kRegistry{
    .path = "registry", .doc = "Schema registry defaults.", .keys = kRegistryKeys};
constexpr SectionSpec kLoggingRoot{
    .path = "", .doc = "Top level of `logging_config.yml`.", .keys = kLoggingRootKeys};
constexpr SectionSpec kLogging{.path = "logging", .doc = "Logging settings.", .keys = kLoggingKeys};

#pragma GCC diagnostic pop

constexpr std::array<const SectionSpec*, 12> kPipelineSections = {
    &kRoot,   &kPipeline, &kTiers, &kGold, &kSilver, &kWeights,
    &kSource, &kCsv,      &kRule,  &kSink, &kWeb,    &kRegistry};
constexpr std::array<const SectionSpec*, 2> kLoggingSections = {&kLoggingRoot, &kLogging};

// Escapes a table cell: a '|' would end the cell.
std::string Cell(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::string_view KeyTypeName(KeyType type) {
  switch (type) {
    case KeyType::kString:
    case KeyType::kEnum: return "string";
    case KeyType::kBool: return "boolean";
    case KeyType::kInteger: return "integer";
    case KeyType::kNumber: return "number";
    case KeyType::kChar: return "character";
    case KeyType::kPath: return "path";
    case KeyType::kStringList:
    case KeyType::kEnumList: return "list of strings";
    case KeyType::kMap: return "map";
    case KeyType::kMapList: return "list of maps";
    case KeyType::kLevelMap: return "map of name to level";
  }
  return "?";
}

const KeySpec* SectionSpec::Find(std::string_view key) const {
  for (const KeySpec& spec : keys) {
    if (spec.name == key) return &spec;
  }
  return nullptr;
}

std::span<const SectionSpec* const> PipelineConfigSections() { return kPipelineSections; }
std::span<const SectionSpec* const> LoggingConfigSections() { return kLoggingSections; }

const SectionSpec* FindSection(std::string_view path) {
  for (const SectionSpec* s : kPipelineSections) {
    if (s->path == path) return s;
  }
  for (const SectionSpec* s : kLoggingSections) {
    if (s->path == path) return s;
  }
  return nullptr;
}

bool IsAllowed(std::string_view allowed, std::string_view value) {
  while (!allowed.empty()) {
    size_t bar = allowed.find('|');
    if (allowed.substr(0, bar) == value) return true;
    if (bar == std::string_view::npos) break;
    allowed.remove_prefix(bar + 1);
  }
  return false;
}

std::string RenderMarkdownTables(std::span<const SectionSpec* const> sections) {
  std::string out;
  for (const SectionSpec* section : sections) {
    out += "#### `";
    out += section->path.empty() ? "(top level)" : section->path;
    out += "`\n\n";
    out += section->doc;
    out += "\n\n| Key | Type | Default | Unit | Description |\n|---|---|---|---|---|\n";
    for (const KeySpec& key : section->keys) {
      out += "| `" + std::string(key.name) + "` | ";
      out += KeyTypeName(key.type);
      out += " | ";
      if (key.required) {
        out += "**required**";
      } else if (!key.default_value.empty()) {
        out += Cell(key.default_value);
      } else {
        out += "—";
      }
      out += " | " + Cell(key.unit) + " | " + Cell(key.doc);
      if (!key.allowed.empty()) {
        out += " One of: ";
        std::string_view allowed = key.allowed;
        bool first = true;
        while (true) {
          size_t bar = allowed.find('|');
          out += first ? "`" : ", `";
          out += allowed.substr(0, bar);
          out += "`";
          first = false;
          if (bar == std::string_view::npos) break;
          allowed.remove_prefix(bar + 1);
        }
        out += ".";
      }
      out += " |\n";
    }
    out += "\n";
  }
  return out;
}

}  // namespace assay::config
