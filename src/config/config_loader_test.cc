#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "config/config.h"

namespace assay::config {
namespace {

namespace fs = std::filesystem;

// DESIGN.md §3a, verbatim: it must load exactly as written.
constexpr std::string_view kDesignExample = R"yaml(# config/data_sources.yml
pipeline:
  name: retail
  warehouse: ./warehouse          # lake root (DESIGN §4)
  state_dir: ./state              # SQLite state store (§7)
  batch_max_rows: 65536
  tiers: {gold: {min_score: 0.95}, silver: {min_score: 0.80}}
sources:
  - name: sales_transactions      # also the dataset (table) name in every sink
    type: file
    path: ./samples/sales_transactions*.csv   # glob; .gz / .zst decompressed
    format: csv                   # csv | ndjson | json; default from the extension
    csv: {header: true, delimiter: ","}       # empty field = null (null_values: [""])
    schema: ../schemas/sales_transactions.json # relative to this file
    rules:
      - name: total_matches_lines
        dimension: consistency    # completeness | accuracy | timeliness | schema | consistency
        severity: error           # critical | error | warning
        expr: "abs(quantity * unit_price - total_amount) <= 0.01"
      - name: recent
        dimension: timeliness
        severity: warning
        expr: "transaction_ts >= now() - interval '30 days'"
sinks:
  - {type: lake, format: parquet, compression: zstd}
  - {type: ndjson, path: ./out}
)yaml";

class ConfigLoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    dir_ = fs::temp_directory_path() / ("assay_config_test_" + std::to_string(random()));
    fs::create_directories(dir_ / "config");
    fs::create_directories(dir_ / "schemas");
    Write(dir_ / "schemas" / "sales_transactions.json", R"({"type": "object"})");
    Write(dir_ / "config" / "s.json", R"({"type": "object"})");
  }
  void TearDown() override { fs::remove_all(dir_); }

  static void Write(const fs::path& path, std::string_view text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
  }

  fs::path ConfigPath() const { return dir_ / "config" / "data_sources.yml"; }

  // Parses `text` as config/data_sources.yml; expects failure and returns the errors.
  std::vector<ConfigError> Errors(std::string_view text, const Environment& env = {}) {
    std::vector<ConfigError> errors;
    Result<Config> config = ParseConfig(text, ConfigPath(), env, &errors);
    EXPECT_FALSE(config.ok()) << "expected errors in:\n" << text;
    if (!config.ok()) {
      EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
    }
    return errors;
  }

  Config Parse(std::string_view text, const Environment& env = {}) {
    Result<Config> config = ParseConfig(text, ConfigPath(), env);
    EXPECT_TRUE(config.ok()) << config.status().ToString();
    return config.ok() ? *config : Config{};
  }

  fs::path dir_;
};

std::optional<ConfigError> FindError(const std::vector<ConfigError>& errors, std::string_view key) {
  for (const ConfigError& error : errors) {
    if (error.key == key) return error;
  }
  return std::nullopt;
}

std::string AllErrors(const std::vector<ConfigError>& errors) {
  std::string out;
  for (const ConfigError& error : errors) out += error.ToString() + "\n";
  return out;
}

// Asserts an error for `key` at line:column whose message contains `fragment`.
#define EXPECT_CONFIG_ERROR(errors, key, want_line, want_column, fragment)                      \
  do {                                                                                          \
    std::optional<ConfigError> found = FindError((errors), (key));                              \
    ASSERT_TRUE(found.has_value()) << "no error for " << (key) << " in\n" << AllErrors(errors); \
    EXPECT_EQ(found->location.line, (want_line)) << found->ToString();                          \
    EXPECT_EQ(found->location.column, (want_column)) << found->ToString();                      \
    EXPECT_NE(found->message.find((fragment)), std::string::npos) << found->ToString();         \
  } while (false)

constexpr std::string_view kMinimalSource = "sources: [{name: a, type: file, path: a.csv}]\n";

TEST_F(ConfigLoaderTest, DesignExampleLoadsWithEveryValue) {
  Write(ConfigPath(), kDesignExample);
  Result<Config> result = LoadConfig(ConfigPath(), MapEnvironment({}));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const Config& config = *result;
  EXPECT_EQ(config.file, ConfigPath());

  EXPECT_EQ(config.pipeline.name, "retail");
  EXPECT_EQ(config.pipeline.warehouse, fs::path("./warehouse"));
  EXPECT_EQ(config.pipeline.state_dir, fs::path("./state"));
  EXPECT_EQ(config.pipeline.batch_max_rows, 65536u);
  EXPECT_EQ(config.pipeline.threads, 0);
  EXPECT_DOUBLE_EQ(config.pipeline.tiers.gold_min_score, 0.95);
  EXPECT_DOUBLE_EQ(config.pipeline.tiers.silver_min_score, 0.80);
  EXPECT_EQ(config.pipeline.dimension_weights.size(), 5u);
  for (const auto& [dimension, weight] : config.pipeline.dimension_weights) {
    EXPECT_DOUBLE_EQ(weight, 1.0) << dimension;
  }

  ASSERT_EQ(config.sources.size(), 1u);
  const SourceConfig& source = config.sources[0];
  EXPECT_EQ(source.name, "sales_transactions");
  EXPECT_EQ(source.type, "file");
  EXPECT_EQ(source.path, "./samples/sales_transactions*.csv");  // kept as written (cwd-relative)
  EXPECT_EQ(source.format, "csv");
  EXPECT_EQ(source.compression, "auto");
  EXPECT_TRUE(source.enabled);
  EXPECT_TRUE(source.csv.header);
  EXPECT_EQ(source.csv.delimiter, ',');
  EXPECT_EQ(source.csv.quote, '"');
  EXPECT_EQ(source.csv.null_values, std::vector<std::string>{""});
  EXPECT_TRUE(source.csv.column_names.empty());
  EXPECT_EQ(source.schema, dir_ / "schemas" / "sales_transactions.json");  // config-relative
  EXPECT_TRUE(fs::exists(source.schema));
  EXPECT_EQ(source.location.line, 9);
  EXPECT_EQ(source.location.column, 5);

  ASSERT_EQ(source.rules.size(), 2u);
  EXPECT_EQ(source.rules[0].name, "total_matches_lines");
  EXPECT_EQ(source.rules[0].dimension, "consistency");
  EXPECT_EQ(source.rules[0].severity, "error");
  EXPECT_EQ(source.rules[0].expr, "abs(quantity * unit_price - total_amount) <= 0.01");
  // Line 19: `        expr: "abs(...`: the text starts after the quote, column 16.
  EXPECT_EQ(source.rules[0].expr_location.line, 19);
  EXPECT_EQ(source.rules[0].expr_location.column, 16);
  EXPECT_EQ(source.rules[0].expr_location.file, ConfigPath().string());
  EXPECT_EQ(source.rules[1].name, "recent");
  EXPECT_EQ(source.rules[1].dimension, "timeliness");
  EXPECT_EQ(source.rules[1].severity, "warning");
  EXPECT_EQ(source.rules[1].expr, "transaction_ts >= now() - interval '30 days'");
  EXPECT_EQ(source.rules[1].expr_location.line, 23);

  ASSERT_EQ(config.sinks.size(), 2u);
  EXPECT_EQ(config.sinks[0].type, "lake");
  EXPECT_EQ(config.sinks[0].format, "parquet");
  EXPECT_EQ(config.sinks[0].compression, "zstd");
  EXPECT_EQ(config.sinks[0].compression_level, 1);
  EXPECT_TRUE(config.sinks[0].tiers.empty());
  EXPECT_EQ(config.sinks[0].row_group_max_rows, 122880u);
  EXPECT_EQ(config.sinks[1].type, "ndjson");
  EXPECT_EQ(config.sinks[1].format, "ndjson");
  EXPECT_EQ(config.sinks[1].compression, "none");
  EXPECT_EQ(config.sinks[1].path, fs::path("./out"));
  EXPECT_EQ(config.sinks[1].location.line, 26);

  EXPECT_EQ(config.FindSource("sales_transactions"), &config.sources[0]);
  EXPECT_EQ(config.FindSource("nope"), nullptr);
}

TEST_F(ConfigLoaderTest, DefaultsFillEverythingLeftOut) {
  Config config = Parse(kMinimalSource);
  EXPECT_EQ(config.pipeline.name, "assay");
  EXPECT_EQ(config.pipeline.warehouse, fs::path("./warehouse"));
  EXPECT_EQ(config.pipeline.state_dir, fs::path("./state"));
  EXPECT_EQ(config.pipeline.batch_max_rows, 65536u);
  EXPECT_EQ(config.pipeline.batch_max_bytes, 1u << 20);
  EXPECT_DOUBLE_EQ(config.pipeline.tiers.gold_min_score, 0.95);
  EXPECT_DOUBLE_EQ(config.pipeline.tiers.silver_min_score, 0.80);
  EXPECT_EQ(config.pipeline.dimension_weights.size(), 5u);
  ASSERT_EQ(config.sources.size(), 1u);
  EXPECT_EQ(config.sources[0].format, "");
  EXPECT_TRUE(config.sources[0].schema.empty());
  ASSERT_EQ(config.sinks.size(), 1u);  // no sinks: key = one default lake sink
  EXPECT_EQ(config.sinks[0].type, "lake");
  EXPECT_EQ(config.sinks[0].format, "parquet");
  EXPECT_EQ(config.sinks[0].compression, "zstd");
}

TEST_F(ConfigLoaderTest, BlockAndFlowStylesMeanTheSame) {
  Config config = Parse(R"yaml(pipeline:
  threads: 4
  tiers:
    gold:
      min_score: 0.9
    silver:
      min_score: 0.5
  dimension_weights:
    timeliness: 0
    schema: 2.5
sources:
  - name: events
    type: file
    path: /data/events/*.tsv
    enabled: false
    compression: gzip
    csv:
      header: false
      delimiter: "\t"
      quote: "'"
      null_values: ["", "NULL", "n/a"]
      column_names: [id, ts, value]
  - {name: other, type: file, path: x.csv, csv: {delimiter: tab}, schema: s.json}
)yaml");
  EXPECT_EQ(config.pipeline.threads, 4);
  EXPECT_DOUBLE_EQ(config.pipeline.tiers.gold_min_score, 0.9);
  EXPECT_DOUBLE_EQ(config.pipeline.tiers.silver_min_score, 0.5);
  EXPECT_DOUBLE_EQ(config.pipeline.dimension_weights.at("timeliness"), 0.0);
  EXPECT_DOUBLE_EQ(config.pipeline.dimension_weights.at("schema"), 2.5);
  EXPECT_DOUBLE_EQ(config.pipeline.dimension_weights.at("accuracy"), 1.0);
  ASSERT_EQ(config.sources.size(), 2u);
  const SourceConfig& events = config.sources[0];
  EXPECT_FALSE(events.enabled);
  EXPECT_EQ(events.compression, "gzip");
  EXPECT_FALSE(events.csv.header);
  EXPECT_EQ(events.csv.delimiter, '\t');
  EXPECT_EQ(events.csv.quote, '\'');
  EXPECT_EQ(events.csv.null_values, (std::vector<std::string>{"", "NULL", "n/a"}));
  EXPECT_EQ(events.csv.column_names, (std::vector<std::string>{"id", "ts", "value"}));
  EXPECT_EQ(config.sources[1].csv.delimiter, '\t');
  EXPECT_EQ(config.sources[1].schema, dir_ / "config" / "s.json");
}

TEST_F(ConfigLoaderTest, SinkOptions) {
  Config config = Parse(std::string(kMinimalSource) + R"yaml(sinks:
  - type: lake
    compression: snappy
    tiers: [gold, silver]
    row_group_max_rows: 1000
    delta_byte_array: false
  - {type: ndjson, path: ./out, compression: none, tiers: [rejected]}
)yaml");
  ASSERT_EQ(config.sinks.size(), 2u);
  EXPECT_EQ(config.sinks[0].compression, "snappy");
  EXPECT_EQ(config.sinks[0].tiers, (std::vector<std::string>{"gold", "silver"}));
  EXPECT_EQ(config.sinks[0].row_group_max_rows, 1000u);
  EXPECT_FALSE(config.sinks[0].delta_byte_array);
  EXPECT_TRUE(config.sinks[1].delta_byte_array);  // the default
  EXPECT_EQ(config.sinks[1].compression, "none");
  EXPECT_EQ(config.sinks[1].tiers, std::vector<std::string>{"rejected"});
}

TEST_F(ConfigLoaderTest, UnknownKeyIsAnErrorWithSuggestion) {
  std::vector<ConfigError> errors = Errors(R"yaml(sources:
  - name: a
    type: file
    path: a.csv
    csv:
      delimeter: ";"
)yaml");
  ASSERT_EQ(errors.size(), 1u) << AllErrors(errors);
  EXPECT_CONFIG_ERROR(errors, "sources[0].csv.delimeter", 6, 7, "did you mean 'delimiter'?");
  EXPECT_EQ(errors[0].ToString(),
            ConfigPath().string() +
                ":6:7: key 'sources[0].csv.delimeter': unknown key (did you mean 'delimiter'?)");
}

TEST_F(ConfigLoaderTest, UnknownKeyWithoutCloseMatchHasNoSuggestion) {
  std::vector<ConfigError> errors = Errors(std::string(kMinimalSource) + "colour: blue\n");
  EXPECT_CONFIG_ERROR(errors, "colour", 2, 1, "unknown key");
  EXPECT_EQ(errors[0].message.find("did you mean"), std::string::npos);
}

TEST_F(ConfigLoaderTest, WrongTypesNameTheExpectedType) {
  std::vector<ConfigError> errors = Errors(std::string(R"yaml(pipeline:
  batch_max_rows: lots
  threads: 1.5
  tiers: {gold: {min_score: high}}
  warehouse: [a, b]
  batch_max_bytes: 0
)yaml") + std::string(kMinimalSource) + "sinks: [{type: lake, row_group_max_rows: -5}]\n");
  EXPECT_CONFIG_ERROR(errors, "pipeline.batch_max_rows", 2, 19, "expected an integer");
  EXPECT_CONFIG_ERROR(errors, "pipeline.threads", 3, 12, "expected an integer");
  EXPECT_CONFIG_ERROR(errors, "pipeline.tiers.gold.min_score", 4, 29, "expected a number");
  EXPECT_CONFIG_ERROR(errors, "pipeline.warehouse", 5, 14, "expected a path");
  EXPECT_CONFIG_ERROR(errors, "pipeline.batch_max_bytes", 6, 20, "at least 1");
  EXPECT_CONFIG_ERROR(errors, "sinks[0].row_group_max_rows", 8, 42, "between 0 and");
}

TEST_F(ConfigLoaderTest, BooleansAndCharactersAreChecked) {
  std::vector<ConfigError> errors = Errors(R"yaml(sources:
  - name: a
    type: file
    path: a.csv
    enabled: maybe
    csv: {header: 1, delimiter: ";;"}
)yaml");
  EXPECT_CONFIG_ERROR(errors, "sources[0].enabled", 5, 14, "expected a boolean");
  EXPECT_CONFIG_ERROR(errors, "sources[0].csv.header", 6, 19, "expected a boolean");
  EXPECT_CONFIG_ERROR(errors, "sources[0].csv.delimiter", 6, 33, "one character");
}

TEST_F(ConfigLoaderTest, MissingRequiredKeys) {
  std::vector<ConfigError> errors = Errors(R"yaml(sources:
  - path: a.csv
  - name: b
    type: file
    rules:
      - name: r1
        severity: error
      - expr: "x > 0"
)yaml");
  EXPECT_CONFIG_ERROR(errors, "sources[0].name", 2, 5, "required key is missing");
  EXPECT_CONFIG_ERROR(errors, "sources[0].type", 2, 5, "required key is missing");
  EXPECT_CONFIG_ERROR(errors, "sources[1].path", 3, 5, "required key is missing");
  EXPECT_CONFIG_ERROR(errors, "sources[1].rules[0].expr", 6, 9, "required key is missing");
  EXPECT_CONFIG_ERROR(errors, "sources[1].rules[1].name", 8, 9, "required key is missing");
}

TEST_F(ConfigLoaderTest, SourcesAreRequired) {
  std::vector<ConfigError> errors = Errors("pipeline: {name: x}\n");
  EXPECT_CONFIG_ERROR(errors, "sources", 1, 1, "required key is missing");
  errors = Errors("sources: []\n");
  EXPECT_CONFIG_ERROR(errors, "sources", 1, 10, "at least one source");
}

TEST_F(ConfigLoaderTest, DimensionAndSeverityMustBeFromTheirSets) {
  std::vector<ConfigError> errors = Errors(R"yaml(sources:
  - name: a
    type: file
    path: a.csv
    rules:
      - {name: r, dimension: consistancy, severity: fatal, expr: "x > 0"}
)yaml");
  EXPECT_CONFIG_ERROR(errors, "sources[0].rules[0].dimension", 6, 30,
                      "did you mean 'consistency'?");
  EXPECT_CONFIG_ERROR(errors, "sources[0].rules[0].severity", 6, 53, "is not one of");
}

TEST_F(ConfigLoaderTest, ThresholdsMustBeScoresAndOrdered) {
  std::vector<ConfigError> errors = Errors(std::string(R"yaml(pipeline:
  tiers:
    gold: {min_score: 1.5}
    silver: {min_score: -0.1}
)yaml") + std::string(kMinimalSource));
  EXPECT_CONFIG_ERROR(errors, "pipeline.tiers.gold.min_score", 3, 23, "between 0 and 1");
  EXPECT_CONFIG_ERROR(errors, "pipeline.tiers.silver.min_score", 4, 25, "between 0 and 1");

  errors = Errors(std::string("pipeline: {tiers: {gold: {min_score: 0.7}, silver: {min_score: "
                              "0.8}}}\n") +
                  std::string(kMinimalSource));
  EXPECT_CONFIG_ERROR(errors, "pipeline.tiers.silver.min_score", 1, 64, "must not exceed");

  // Silver's default (0.80) above an explicit gold is reported at gold.
  errors = Errors(std::string("pipeline: {tiers: {gold: {min_score: 0.5}}}\n") +
                  std::string(kMinimalSource));
  EXPECT_CONFIG_ERROR(errors, "pipeline.tiers.gold.min_score", 1, 38, "must not exceed");
}

TEST_F(ConfigLoaderTest, DuplicateSourceAndRuleNames) {
  std::vector<ConfigError> errors = Errors(R"yaml(sources:
  - name: a
    type: file
    path: a.csv
    rules:
      - {name: r, expr: "x > 0"}
      - {name: r, expr: "y > 0"}
  - name: a
    type: file
    path: b.csv
)yaml");
  EXPECT_CONFIG_ERROR(errors, "sources[0].rules[1].name", 7, 16, "duplicate rule name 'r'");
  EXPECT_CONFIG_ERROR(errors, "sources[1].name", 8, 11, "first defined on line 2");
}

TEST_F(ConfigLoaderTest, SameRuleNameInTwoSourcesIsFine) {
  Config config = Parse(R"yaml(sources:
  - {name: a, type: file, path: a.csv, rules: [{name: r, expr: "x > 0"}]}
  - {name: b, type: file, path: b.csv, rules: [{name: r, expr: "x > 0"}]}
)yaml");
  EXPECT_EQ(config.sources.size(), 2u);
}

TEST_F(ConfigLoaderTest, InvalidNames) {
  std::vector<ConfigError> errors = Errors(R"yaml(sources:
  - {name: "../etc", type: file, path: a.csv, rules: [{name: quantity.maximum, expr: "1"}]}
)yaml");
  EXPECT_CONFIG_ERROR(errors, "sources[0].name", 2, 12, "invalid source name");
  EXPECT_CONFIG_ERROR(errors, "sources[0].rules[0].name", 2, 62, "invalid rule name");
}

TEST_F(ConfigLoaderTest, UnknownTypesAndFormats) {
  std::vector<ConfigError> errors = Errors(R"yaml(sources:
  - {name: a, type: ftp, path: a.csv}
  - {name: b, type: file, path: b.csv, format: xml}
sinks:
  - {type: lake, format: parket}
  - {type: s3}
  - {type: ndjson, path: o, format: parquet}
)yaml");
  EXPECT_CONFIG_ERROR(errors, "sources[0].type", 2, 21, "'ftp' is not one of file");
  EXPECT_CONFIG_ERROR(errors, "sources[1].format", 3, 48, "is not one of csv, ndjson, json");
  EXPECT_CONFIG_ERROR(errors, "sinks[0].format", 5, 26, "did you mean 'parquet'?");
  EXPECT_CONFIG_ERROR(errors, "sinks[1].type", 6, 12, "is not one of lake, ndjson");
  EXPECT_CONFIG_ERROR(errors, "sinks[2].format", 7, 37, "an ndjson sink writes ndjson");
}

TEST_F(ConfigLoaderTest, SinkConsistency) {
  std::vector<ConfigError> errors = Errors(std::string(kMinimalSource) + R"yaml(sinks:
  - {type: ndjson}
  - {type: lake, path: ./x, compression: gzip, compression_level: 30}
  - {type: lake, tiers: [gold, platinum, gold]}
)yaml");
  EXPECT_CONFIG_ERROR(errors, "sinks[0].path", 3, 5, "required key is missing");
  EXPECT_CONFIG_ERROR(errors, "sinks[1].path", 4, 24, "pipeline.warehouse");
  EXPECT_CONFIG_ERROR(errors, "sinks[1].compression", 4, 42, "zstd, snappy or none");
  EXPECT_CONFIG_ERROR(errors, "sinks[1].compression_level", 4, 67, "between 1 and 22");
  EXPECT_CONFIG_ERROR(errors, "sinks[2].tiers[1]", 5, 32, "'platinum' is not one of");
}

TEST_F(ConfigLoaderTest, CsvConsistency) {
  std::vector<ConfigError> errors = Errors(R"yaml(sources:
  - name: a
    type: file
    path: a.ndjson
    format: ndjson
    csv: {delimiter: ";"}
  - name: b
    type: file
    path: b.csv
    csv: {header: true, column_names: [x], quote: ","}
)yaml");
  EXPECT_CONFIG_ERROR(errors, "sources[0].csv", 6, 10, "need format: csv");
  EXPECT_CONFIG_ERROR(errors, "sources[1].csv.column_names", 10, 39,
                      "only used with header: false");
  EXPECT_CONFIG_ERROR(errors, "sources[1].csv.quote", 10, 51, "must differ");
}

TEST_F(ConfigLoaderTest, MissingSchemaFileIsReportedAtTheKey) {
  std::vector<ConfigError> errors =
      Errors("sources: [{name: a, type: file, path: a.csv, schema: ../schemas/nope.json}]\n");
  EXPECT_CONFIG_ERROR(errors, "sources[0].schema", 1, 54, "does not exist");
}

TEST_F(ConfigLoaderTest, DuplicateKeysAreErrors) {
  std::vector<ConfigError> errors = Errors(R"yaml(pipeline:
  name: a
  name: b
)yaml" + std::string(kMinimalSource));
  EXPECT_CONFIG_ERROR(errors, "pipeline.name", 3, 3, "duplicate key");
}

TEST_F(ConfigLoaderTest, YamlSyntaxErrorGivesItsLine) {
  std::vector<ConfigError> errors = Errors(R"yaml(pipeline:
  name: retail
sources:
  - {name: a, type: file
  - name: b
)yaml");
  ASSERT_EQ(errors.size(), 1u) << AllErrors(errors);
  EXPECT_TRUE(errors[0].key.empty());
  EXPECT_GE(errors[0].location.line, 4) << errors[0].ToString();
  EXPECT_LE(errors[0].location.line, 6) << errors[0].ToString();
  EXPECT_NE(errors[0].message.find("YAML syntax error"), std::string::npos);

  errors = Errors("pipeline:\n  name: a\n bad indent: [\n");
  ASSERT_EQ(errors.size(), 1u) << AllErrors(errors);
  EXPECT_GE(errors[0].location.line, 3) << errors[0].ToString();
}

TEST_F(ConfigLoaderTest, EmptyOrNonMapFiles) {
  std::vector<ConfigError> errors = Errors("");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].location.line, 1);
  errors = Errors("- a\n- b\n");
  EXPECT_CONFIG_ERROR(errors, "", 1, 1, "expected a map");
}

TEST_F(ConfigLoaderTest, AllErrorsAreReportedTogetherInOrder) {
  std::string text = R"yaml(pipeline:
  batch_max_rows: lots
  colour: blue
sources:
  - name: a
    type: file
    path: a.csv
    csv: {delimeter: ";"}
    rules:
      - {name: r, dimension: nope, expr: "x > 0"}
sinks:
  - {type: ndjson}
)yaml";
  Result<Config> result = ParseConfig(text, ConfigPath(), {});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  const std::string& message = result.status().message();
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= message.size()) {
    size_t end = message.find('\n', start);
    if (end == std::string::npos) end = message.size();
    lines.push_back(message.substr(start, end - start));
    start = end + 1;
  }
  std::string file = ConfigPath().string();
  ASSERT_EQ(lines.size(), 5u) << message;
  EXPECT_TRUE(lines[0].starts_with(file + ":2:19: key 'pipeline.batch_max_rows': ")) << lines[0];
  EXPECT_TRUE(lines[1].starts_with(file + ":3:3: key 'pipeline.colour': ")) << lines[1];
  EXPECT_TRUE(lines[2].starts_with(file + ":8:11: key 'sources[0].csv.delimeter': ")) << lines[2];
  EXPECT_TRUE(lines[3].starts_with(file + ":10:30: key 'sources[0].rules[0].dimension': "))
      << lines[3];
  EXPECT_TRUE(lines[4].starts_with(file + ":12:5: key 'sinks[0].path': ")) << lines[4];
}

TEST_F(ConfigLoaderTest, InterpolatesScalarValues) {
  Environment env = MapEnvironment({{"DATA", "/mnt/data"}, {"ROWS", "1000"}});
  Config config = Parse(R"yaml(pipeline:
  batch_max_rows: ${ROWS}
  warehouse: ${WAREHOUSE:-/tmp/wh}
sources:
  - name: a
    type: file
    path: ${DATA}/a*.csv
    rules:
      - {name: r, expr: "regexp_like(id, '^A$') and price < $$5"}
)yaml",
                        env);
  EXPECT_EQ(config.pipeline.batch_max_rows, 1000u);
  EXPECT_EQ(config.pipeline.warehouse, fs::path("/tmp/wh"));
  EXPECT_EQ(config.sources[0].path, "/mnt/data/a*.csv");
  EXPECT_EQ(config.sources[0].rules[0].expr, "regexp_like(id, '^A$') and price < $5");
}

TEST_F(ConfigLoaderTest, UnsetVariableIsAnErrorAtItsValue) {
  std::vector<ConfigError> errors = Errors(R"yaml(sources:
  - name: a
    type: file
    path: ${DATA_DIR}/a.csv
)yaml",
                                           MapEnvironment({}));
  EXPECT_CONFIG_ERROR(errors, "sources[0].path", 4, 11, "'DATA_DIR' is not set");
}

TEST_F(ConfigLoaderTest, WebAndRegistrySections) {
  Config defaults = Parse(kMinimalSource);
  EXPECT_EQ(defaults.web.host, "127.0.0.1");
  EXPECT_EQ(defaults.web.port, 8080);
  EXPECT_EQ(defaults.web.token, "");
  EXPECT_EQ(defaults.web.max_body_bytes, 16u << 20);
  EXPECT_EQ(defaults.registry.compatibility, "BACKWARD");
  EXPECT_EQ(defaults.registry.compatibility_policy, "confluent");

  Config config = Parse(std::string(kMinimalSource) + R"yaml(web:
  host: 0.0.0.0
  port: 9091
  token: ${ASSAY_TOKEN}
  max_body_bytes: 4096
registry: {compatibility: FULL_TRANSITIVE, compatibility_policy: lenient}
)yaml",
                        MapEnvironment({{"ASSAY_TOKEN", "s3cret"}}));
  EXPECT_EQ(config.web.host, "0.0.0.0");
  EXPECT_EQ(config.web.port, 9091);
  EXPECT_EQ(config.web.token, "s3cret");
  EXPECT_EQ(config.web.max_body_bytes, 4096u);
  EXPECT_EQ(config.registry.compatibility, "FULL_TRANSITIVE");
  EXPECT_EQ(config.registry.compatibility_policy, "lenient");

  std::vector<ConfigError> errors = Errors(std::string(kMinimalSource) + R"yaml(web:
  port: 70000
  max_body_bytes: 10
  token: ${NO_SUCH_TOKEN}
registry:
  compatibility: SIDEWAYS
  compatibility_policy: strict
)yaml",
                                           MapEnvironment({}));
  EXPECT_CONFIG_ERROR(errors, "web.port", 3, 9, "between 0 and 65535");
  EXPECT_CONFIG_ERROR(errors, "web.max_body_bytes", 4, 19, "at least 1024");
  EXPECT_CONFIG_ERROR(errors, "web.token", 5, 10, "'NO_SUCH_TOKEN' is not set");
  EXPECT_CONFIG_ERROR(errors, "registry.compatibility", 7, 18, "SIDEWAYS");
  EXPECT_CONFIG_ERROR(errors, "registry.compatibility_policy", 8, 25, "strict");
}

TEST_F(ConfigLoaderTest, MissingFileIsNotFound) {
  Result<Config> result = LoadConfig(dir_ / "nope.yml", MapEnvironment({}));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kNotFound);
  EXPECT_NE(result.status().message().find((dir_ / "nope.yml").string()), std::string::npos);
}

TEST_F(ConfigLoaderTest, ErrorsFromLoadConfigNameTheFile) {
  Write(ConfigPath(), "pipeline: {batch_max_rows: lots}\n" + std::string(kMinimalSource));
  Result<Config> result = LoadConfig(ConfigPath(), MapEnvironment({}));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(result.status().message().starts_with(ConfigPath().string() + ":1:28: "))
      << result.status().message();
}

TEST_F(ConfigLoaderTest, ProjectLoggingConfigLoads) {
  Result<LoggingConfig> result = LoadLoggingConfig(
      fs::path(ASSAY_SOURCE_DIR) / "config" / "logging_config.yml", MapEnvironment({}));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->level, "info");
  EXPECT_TRUE(result->console);
  EXPECT_EQ(result->console_format, "text");
  EXPECT_EQ(result->file, fs::path("./logs/assay.log"));
  EXPECT_EQ(result->file_max_bytes, 10u * 1024 * 1024);
  EXPECT_EQ(result->file_max_files, 5);
  EXPECT_FALSE(result->json);
  EXPECT_TRUE(result->loggers.empty());
}

TEST_F(ConfigLoaderTest, LoggingConfigValuesAndErrors) {
  Result<LoggingConfig> config = ParseLoggingConfig(R"yaml(logging:
  level: warning
  console_format: json
  json: true
  loggers: {sources: debug, sinks.lake: trace}
)yaml",
                                                    "log.yml", {});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->level, "warn");
  EXPECT_EQ(config->console_format, "json");
  EXPECT_TRUE(config->json);
  EXPECT_EQ(config->loggers.at("sources"), "debug");
  EXPECT_EQ(config->loggers.at("sinks.lake"), "trace");

  std::vector<ConfigError> errors;
  config = ParseLoggingConfig(R"yaml(logging:
  level: verbose
  file_max_files: 0
  loggers: {sources: debugg}
  colour: true
)yaml",
                              "log.yml", {}, &errors);
  ASSERT_FALSE(config.ok());
  EXPECT_CONFIG_ERROR(errors, "logging.level", 2, 10, "is not one of");
  EXPECT_CONFIG_ERROR(errors, "logging.file_max_files", 3, 19, "between 1 and 1000");
  EXPECT_CONFIG_ERROR(errors, "logging.loggers.sources", 4, 22, "did you mean 'debug'?");
  EXPECT_CONFIG_ERROR(errors, "logging.colour", 5, 3, "unknown key");
}

TEST_F(ConfigLoaderTest, SchemaAutoDetectsAndTakesASampleSize) {
  Config config = Parse(R"yaml(sources:
  - {name: a, type: file, path: a.csv, schema: auto}
  - {name: b, type: file, path: b.ndjson, schema: auto, schema_sample_rows: 50}
)yaml");
  ASSERT_EQ(config.sources.size(), 2u);
  EXPECT_TRUE(config.sources[0].detect_schema);
  EXPECT_TRUE(config.sources[0].schema.empty());
  EXPECT_EQ(config.sources[0].schema_sample_rows, 10000u);
  EXPECT_EQ(config.sources[1].schema_sample_rows, 50u);
}

TEST_F(ConfigLoaderTest, SchemaAutoMistakes) {
  std::vector<ConfigError> errors = Errors(R"yaml(sources:
  - {name: a, type: file, path: a.csv, schema_sample_rows: 5}
  - {name: b, type: file, path: b.csv, schema: auto, schema_sample_rows: 0}
  - {name: c, type: file, path: c.csv, schema: auto, csv: {header: false}}
)yaml");
  EXPECT_CONFIG_ERROR(errors, "sources[0].schema_sample_rows", 2, 60,
                      "only used with schema: auto");
  EXPECT_CONFIG_ERROR(errors, "sources[1].schema_sample_rows", 3, 74, "must be at least 1");
  EXPECT_CONFIG_ERROR(errors, "sources[2].schema", 4, 48, "needs csv.column_names");
  std::vector<ConfigError> database = Errors(R"yaml(sources:
  - {name: d, type: database, url: "sqlite:///a.db", table: t, schema: auto}
)yaml");
  EXPECT_CONFIG_ERROR(database, "sources[0].schema", 2, 72, "schema: auto is for file sources");
}

TEST_F(ConfigLoaderTest, RetryKeysAreForServerSourcesAndBounded) {
  std::vector<ConfigError> errors = Errors(R"yaml(sources:
  - {name: a, type: file, path: a.csv, schema: s.json, retry_attempts: 3}
  - {name: b, type: database, url: "sqlite:///a.db", table: t, schema: s.json, retry_attempts: 0}
  - {name: c, type: redis, url: "redis://h", stream: s, schema: s.json, retry_backoff: 90}
)yaml");
  EXPECT_CONFIG_ERROR(errors, "sources[0].retry_attempts", 2, 72,
                      "only database and redis sources");
  EXPECT_CONFIG_ERROR(errors, "sources[1].retry_attempts", 3, 96, "between 1 (no retry) and 100");
  EXPECT_CONFIG_ERROR(errors, "sources[2].retry_backoff", 4, 88, "between 0 and 60 seconds");
  Config ok = Parse(R"yaml(sources:
  - {name: d, type: database, url: "sqlite:///a.db", table: t, schema: s.json,
     retry_attempts: 10, retry_backoff: 0.25}
)yaml");
  ASSERT_EQ(ok.sources.size(), 1u);
  EXPECT_EQ(ok.sources[0].database.retry_attempts, 10);
  EXPECT_DOUBLE_EQ(ok.sources[0].database.retry_backoff_seconds, 0.25);
}

}  // namespace
}  // namespace assay::config
