// Bad input is normal input: each kind of damage a user's files can have, run through the real
// binary, with the documented result checked (exit code, message, and where every row went, read
// back with DuckDB). Nothing may crash, and every input row ends up in exactly one tier.
// The documented results are listed in docs/file-formats.md, "What happens to bad input".

#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <map>
#include <random>

#include "tests/test_util.h"

namespace assay::testing {
namespace {

constexpr const char* kSchema = R"({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "items", "type": "object",
  "required": ["id", "qty"],
  "properties": {
    "id":   {"type": "string", "x-severity": {"required": "critical"}},
    "qty":  {"type": "integer", "minimum": 1},
    "note": {"type": "string"} } }
)";

// DESIGN.md §3a's shape. $PATH, $FORMAT, $EXPR and $MORE (more sources) are filled in per test.
constexpr const char* kConfig = R"(pipeline:
  name: bad_input
  warehouse: ./warehouse
  state_dir: ./state
  batch_max_rows: 1000
  tiers: {gold: {min_score: 0.95}, silver: {min_score: 0.80}}
sources:
  - name: items
    type: file
    path: $PATH
$FORMAT    schema: ../schemas/items.json
    rules:
      - name: qty_small
        dimension: accuracy
        severity: warning
        expr: "$EXPR"
$MORE
sinks:
  - {type: lake, format: parquet, compression: zstd}
  - {type: ndjson, path: ./out}
)";

constexpr const char* kCsv = "    format: csv\n    csv: {header: true, delimiter: \",\"}\n";
constexpr const char* kHeader = "id,qty,note\n";

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

std::string Gzip(const std::string& data) {
  z_stream strm{};
  EXPECT_EQ(deflateInit2(&strm, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&strm, data.size()), '\0');
  strm.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  strm.avail_in = static_cast<uInt>(data.size());
  strm.next_out = reinterpret_cast<Bytef*>(out.data());
  strm.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&strm, Z_FINISH), Z_STREAM_END);
  out.resize(strm.total_out);
  deflateEnd(&strm);
  return out;
}

std::string Zstd(const std::string& data) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  size_t size = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3);
  EXPECT_FALSE(ZSTD_isError(size));
  out.resize(size);
  return out;
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class BadInputTest : public TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    Write("schemas/items.json", kSchema);
  }

  void WriteConfig(const std::string& path, const std::string& format = kCsv,
                   const std::string& more_sources = "", const std::string& expr = "qty < 100") {
    std::string config = Replace(kConfig, "$PATH", path);
    config = Replace(config, "$FORMAT", format);
    config = Replace(config, "$EXPR", expr);
    Write("config/data_sources.yml", Replace(config, "$MORE", more_sources));
  }

  // Runs assay (prefixed by `wrapper`, e.g. setpriv); checks that it exited with a code of
  // DESIGN §9 and did not die of a signal; parses the JSON summary of a finished run.
  CommandResult RunPipeline(std::vector<std::string> extra = {},
                            std::vector<std::string> wrapper = {}) {
    std::vector<std::string> argv = std::move(wrapper);
    argv.push_back(ASSAY_EXECUTABLE);
    for (const char* a : {"--config", "config/data_sources.yml", "--as-of", "2026-11-24T00:00:00Z",
                          "--no-progress", "--summary-json"})
      argv.push_back(a);
    argv.insert(argv.end(), extra.begin(), extra.end());
    CommandResult r = testing::Run(argv, dir_);
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1 || r.exit_code == 2)
        << "exit code " << r.exit_code << " (-1: killed by a signal)\n"
        << r.out << r.err;
    summary_ = nlohmann::json();
    if (r.exit_code == 0 || r.exit_code == 1) {
      summary_ = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
      EXPECT_FALSE(summary_.is_discarded()) << r.out;
    }
    return r;
  }

  // The summary of one source in the last run.
  nlohmann::json Source(const std::string& name = "items") {
    for (const auto& s : summary_["sources"]) {
      if (s["name"] == name) return s;
    }
    ADD_FAILURE() << "no source " << name << " in " << summary_.dump();
    return nlohmann::json::object();
  }

  // Rows per tier in the lake, counted by DuckDB in one query; checks that they add up to the
  // rows the source read (nothing lost, nothing counted twice).
  std::map<std::string, int64_t> Tiers(const std::string& dataset = "items") {
    std::map<std::string, int64_t> counts;
    std::string sql;
    for (const char* tier : {"gold", "silver", "bronze", "rejected"}) {
      counts[tier] = 0;
      if (FilesUnder(dir_ / "warehouse" / tier / dataset, ".parquet").empty()) continue;
      sql += std::string(sql.empty() ? "" : " UNION ALL ") + "SELECT '" + tier +
             "', count(*) FROM read_parquet('warehouse/" + tier + "/" + dataset + "/*/*.parquet')";
    }
    if (!sql.empty()) {
      for (const auto& row : DuckDb(sql, dir_))
        counts[row[0]] = std::stoll(row[1].get<std::string>());
    }
    int64_t total = 0;
    for (const auto& [tier, n] : counts) total += n;
    EXPECT_EQ(total, Source(dataset)["rows"].get<int64_t>()) << "rows lost or duplicated";
    return counts;
  }

  // Columns of the rejected rows, ordered by file and line.
  nlohmann::json Rejected(const std::string& columns) {
    return DuckDb("SELECT " + columns +
                      " FROM read_parquet('warehouse/rejected/items/*/*.parquet') ORDER BY "
                      "regexp_replace(_position, ':[0-9]+$', ''), "
                      "CAST(regexp_extract(_position, ':([0-9]+)$', 1) AS BIGINT)",
                  dir_);
  }

  nlohmann::json summary_;
};

TEST_F(BadInputTest, EmptyFileIsNoRowsNotAnError) {
  WriteConfig("./samples/x.csv");
  Write("samples/x.csv", "");
  CommandResult r = RunPipeline();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Source()["files"], 1);
  EXPECT_EQ(Source()["rows"], 0);
  EXPECT_TRUE(FilesUnder(dir_ / "warehouse", ".parquet").empty());
}

TEST_F(BadInputTest, HeaderOnlyIsNoRowsNotAnError) {
  WriteConfig("./samples/x.csv");
  Write("samples/x.csv", kHeader);
  CommandResult r = RunPipeline();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Source()["rows"], 0);
  EXPECT_TRUE(FilesUnder(dir_ / "warehouse", ".parquet").empty());
}

TEST_F(BadInputTest, TruncatedGzipKeepsTheRowsBeforeTheDamageAndRejectsTheDamage) {
  WriteConfig("./samples/x.csv*");
  std::string csv = kHeader;
  for (int i = 0; i < 20000; ++i)
    csv += "id" + std::to_string(i) + ",5,note " + std::to_string(i) + "\n";
  const std::string gz = Gzip(csv);
  Write("samples/x.csv.gz", gz.substr(0, gz.size() / 2));
  CommandResult r = RunPipeline();
  ASSERT_EQ(r.exit_code, 0) << r.err;  // the damage is data: a rejected row, not a failed run
  EXPECT_TRUE(Contains(r.err, "x.csv.gz")) << r.err;
  std::map<std::string, int64_t> tiers = Tiers();
  EXPECT_EQ(tiers["rejected"], 1);
  EXPECT_GT(tiers["gold"], 5000);  // about half the rows decompress before the cut

  // Gold holds lines 2..N+1 without a gap; the damage is the one rejected row, at line N+2.
  nlohmann::json rows = DuckDb(
      "SELECT (SELECT count(DISTINCT _position) FROM "
      "read_parquet('warehouse/gold/items/*/*.parquet')"
      "   WHERE CAST(regexp_extract(_position, ':([0-9]+)$', 1) AS BIGINT) BETWEEN 2 AND " +
          std::to_string(tiers["gold"] + 1) +
          "), "
          "_failed, _position, _errors FROM read_parquet('warehouse/rejected/items/*/*.parquet')",
      dir_);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(std::stoll(rows[0][0].get<std::string>()), tiers["gold"]);
  EXPECT_EQ(rows[0][1], "file.truncated");
  EXPECT_EQ(rows[0][2], "./samples/x.csv.gz:" + std::to_string(tiers["gold"] + 2));
  EXPECT_TRUE(Contains(rows[0][3], "x.csv.gz")) << rows[0][3];
  EXPECT_TRUE(Contains(rows[0][3], "truncated")) << rows[0][3];
}

TEST_F(BadInputTest, UnterminatedQuoteAtEndOfFileRejectsTheRestOfTheFile) {
  WriteConfig("./samples/x.csv");
  Write("samples/x.csv", std::string(kHeader) + "a,1,ok\nb,2,\"open\nc,3,x\n");
  ASSERT_EQ(RunPipeline().exit_code, 0);
  std::map<std::string, int64_t> tiers = Tiers();
  EXPECT_EQ(tiers["gold"], 1);
  EXPECT_EQ(tiers["rejected"], 1);
  nlohmann::json rows = Rejected("_failed, _position, _raw");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0], "csv.unterminated_quote");
  EXPECT_EQ(rows[0][1], "./samples/x.csv:3");
  EXPECT_EQ(rows[0][2].get<std::string>().rfind("b,2,\"open\nc,3,x", 0), 0u) << rows[0][2];
}

TEST_F(BadInputTest, TenMegabyteFieldIsKeptWhole) {
  WriteConfig("./samples/x.csv");
  Write("samples/x.csv",
        std::string(kHeader) + "a,1,\"" + std::string(10'000'000, 'y') + "\"\nb,2,z\n");
  CommandResult r = RunPipeline();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Tiers()["gold"], 2);
  nlohmann::json rows = DuckDb(
      "SELECT id, length(note), _position FROM read_parquet('warehouse/gold/items/*/*.parquet') "
      "ORDER BY id",
      dir_);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][1], "10000000");
  EXPECT_EQ(rows[1][0], "b");
  EXPECT_EQ(rows[1][2], "./samples/x.csv:3");
}

TEST_F(BadInputTest, BinaryGarbageBecomesRejectedRows) {
  WriteConfig("./samples/*.csv");
  std::mt19937 rng(42);
  std::string noise(100'000, '\0');
  for (char& c : noise) c = static_cast<char>(rng() & 0xff);
  Write("samples/garbage.csv", kHeader + noise);  // a good header, then garbage
  Write("samples/noise.csv", noise);              // garbage from the first byte
  CommandResult r = RunPipeline();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::map<std::string, int64_t> tiers = Tiers();
  EXPECT_GT(tiers["rejected"], 100);
  // Every rejected row carries a parse-error code; the header-less file is one unreadable row.
  nlohmann::json rows = DuckDb(
      "SELECT regexp_replace(_position, ':[0-9]+$', '') AS f, _failed, count(*) FROM "
      "read_parquet('warehouse/rejected/items/*/*.parquet') GROUP BY ALL ORDER BY ALL",
      dir_);
  int64_t noise_rows = 0;
  for (const auto& row : rows) {
    const std::string code = row[1];
    if (row[0] == "./samples/noise.csv") {
      EXPECT_EQ(code, "file.unreadable");
      noise_rows += std::stoll(row[2].get<std::string>());
    } else {
      EXPECT_EQ(row[0], "./samples/garbage.csv");
      EXPECT_TRUE(code == "csv.invalid_utf8" || code == "csv.field_count" ||
                  code == "csv.unterminated_quote" || code == "csv.stray_quote")
          << code;
    }
  }
  EXPECT_EQ(noise_rows, 1);
}

TEST_F(BadInputTest, WrongFieldCountRejectsThoseRowsOnly) {
  WriteConfig("./samples/x.csv");
  Write("samples/x.csv", std::string(kHeader) + "a,1,ok\nb,2\nc,3,x,y\nd,4,z\n");
  ASSERT_EQ(RunPipeline().exit_code, 0);
  std::map<std::string, int64_t> tiers = Tiers();
  EXPECT_EQ(tiers["gold"], 2);
  EXPECT_EQ(tiers["rejected"], 2);
  nlohmann::json rows = Rejected("_failed, _position, _raw");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], nlohmann::json({"csv.field_count", "./samples/x.csv:3", "b,2"}));
  EXPECT_EQ(rows[1], nlohmann::json({"csv.field_count", "./samples/x.csv:4", "c,3,x,y"}));
}

TEST_F(BadInputTest, InvalidUtf8RejectsThatRowOnly) {
  WriteConfig("./samples/x.csv");
  Write("samples/x.csv", std::string(kHeader) + "a,1,ok\nb,2,caf\xe9\nc,3,x\n");
  ASSERT_EQ(RunPipeline().exit_code, 0);
  std::map<std::string, int64_t> tiers = Tiers();
  EXPECT_EQ(tiers["gold"], 2);
  EXPECT_EQ(tiers["rejected"], 1);
  nlohmann::json rows = Rejected("_failed, _position");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0], nlohmann::json({"csv.invalid_utf8", "./samples/x.csv:3"}));
}

// Regression: `_raw` of a row rejected for invalid UTF-8 used to be written as-is into a
// Parquet STRING column, which DuckDB refuses to read. Ill-formed bytes are now U+FFFD there.
// DESIGN §4: every file must be readable by DuckDB.
TEST_F(BadInputTest, RejectedRawTextWithInvalidUtf8IsReadableByDuckDb) {
  WriteConfig("./samples/x.csv");
  Write("samples/x.csv", std::string(kHeader) + "b,2,caf\xe9\n");
  ASSERT_EQ(RunPipeline().exit_code, 0);
  nlohmann::json rows = Rejected("_failed, CAST(_raw AS VARCHAR) LIKE 'b,2,caf%'");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0], nlohmann::json({"csv.invalid_utf8", true}));
}

TEST_F(BadInputTest, MissingFileFailsThatSourceOnly) {
  WriteConfig("./samples/x.csv", kCsv,
              "  - name: missing\n    type: file\n    path: ./nowhere/missing*.csv\n"
              "    schema: ../schemas/items.json\n");
  Write("samples/x.csv", std::string(kHeader) + "a,1,ok\n");
  CommandResult r = RunPipeline();
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(Contains(r.err, "./nowhere/missing*.csv")) << r.err;
  EXPECT_EQ(Source("missing")["ok"], false);
  EXPECT_TRUE(Contains(Source("missing")["error"], "./nowhere/missing*.csv"));
  EXPECT_EQ(Source("items")["ok"], true);
  EXPECT_EQ(Tiers()["gold"], 1);  // the other source still ran
}

TEST_F(BadInputTest, UnreadableDirectoryFailsThatSourceOnly) {
  // Root reads a chmod 000 directory anyway, so as root run assay as `nobody`.
  std::vector<std::string> wrapper;
  if (::geteuid() == 0) {
    if (testing::Run({"setpriv", "--version"}, dir_).exit_code != 0)
      GTEST_SKIP() << "needs setpriv as root";
    wrapper = {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"};
  }
  WriteConfig("./samples/x.csv", kCsv,
              "  - name: private\n    type: file\n    path: ./samples/private/*.csv\n"
              "    schema: ../schemas/items.json\n");
  Write("samples/x.csv", std::string(kHeader) + "a,1,ok\n");
  Write("samples/private/p.csv", std::string(kHeader) + "p,1,secret\n");
  if (!wrapper.empty()) {
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir_))
      ASSERT_EQ(::chown(e.path().c_str(), 65534, 65534), 0) << e.path();
    ASSERT_EQ(::chown(dir_.c_str(), 65534, 65534), 0);
  }
  std::filesystem::permissions(dir_ / "samples/private", std::filesystem::perms::none);
  CommandResult r = RunPipeline({}, wrapper);
  std::filesystem::permissions(dir_ / "samples/private", std::filesystem::perms::owner_all);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_TRUE(Contains(r.err, "samples/private")) << r.err;
  EXPECT_TRUE(Contains(r.err, "Permission denied") || Contains(r.err, "PermissionDenied")) << r.err;
  EXPECT_EQ(Source("private")["ok"], false);
  EXPECT_EQ(Source("items")["ok"], true);
  EXPECT_EQ(Tiers()["gold"], 1);
}

TEST_F(BadInputTest, SchemaWithJsonSyntaxErrorStopsBeforeAnyWork) {
  WriteConfig("./samples/x.csv");
  Write("samples/x.csv", std::string(kHeader) + "a,1,ok\n");
  Write("schemas/items.json",
        "{ \"type\": \"object\",\n  \"properties\": {\n    \"id\": {\"type\": \"string\"},\n"
        "    \"qty\": {\"type\": \"integer\",}\n  }\n}\n");
  CommandResult r = RunPipeline();
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_TRUE(Contains(r.err, "items.json:4")) << r.err;  // file and line of the bad comma
  EXPECT_TRUE(Contains(r.err, "items")) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "warehouse"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "state"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "out"));
}

TEST_F(BadInputTest, RuleWithSyntaxErrorNamesTheRuleAndPointsAtTheColumn) {
  WriteConfig("./samples/x.csv", kCsv, "", "qty < < 100");
  Write("samples/x.csv", std::string(kHeader) + "a,1,ok\n");
  CommandResult r = RunPipeline();
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_TRUE(Contains(r.err, "qty_small")) << r.err;
  EXPECT_TRUE(Contains(r.err, "column 7")) << r.err;
  // The expression, then a caret under the second '<' (column 7).
  size_t expr_at = r.err.find("qty < < 100\n");
  ASSERT_NE(expr_at, std::string::npos) << r.err;
  size_t line_start = r.err.rfind('\n', expr_at) + 1;
  size_t caret_line = r.err.find('\n', expr_at) + 1;
  size_t caret = r.err.find('^', caret_line);
  ASSERT_NE(caret, std::string::npos) << r.err;
  EXPECT_EQ(caret - caret_line, expr_at - line_start + 6) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "warehouse"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "state"));
}

TEST_F(BadInputTest, UnknownConfigKeyNamesFileLineColumnAndKey) {
  WriteConfig("./samples/x.csv");
  std::string config = Read("config/data_sources.yml");
  Write("config/data_sources.yml",
        Replace(config, "  batch_max_rows: 1000\n", "  batch_max_rowz: 1000\n"));
  CommandResult r = RunPipeline();
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_TRUE(Contains(r.err, "config/data_sources.yml:5:3")) << r.err;
  EXPECT_TRUE(Contains(r.err, "batch_max_rowz")) << r.err;

  Write("config/data_sources.yml",
        Replace(config, "    type: file\n", "    type: file\n    delimeter: \";\"\n"));
  r = RunPipeline();
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_TRUE(Contains(r.err, "config/data_sources.yml:10:5")) << r.err;
  EXPECT_TRUE(Contains(r.err, "delimeter")) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "state"));
}

TEST_F(BadInputTest, AsOfGarbageIsAUsageError) {
  WriteConfig("./samples/x.csv");
  Write("samples/x.csv", std::string(kHeader) + "a,1,ok\n");
  for (const char* garbage : {"yesterday-ish", "2026-13-45T99:00:00Z"}) {
    CommandResult r = RunAssay({"--config", "config/data_sources.yml", "--as-of", garbage}, dir_);
    EXPECT_EQ(r.exit_code, 2) << garbage << "\n" << r.out << r.err;
    EXPECT_TRUE(Contains(r.err, "--as-of")) << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists(dir_ / "state"));
}

TEST_F(BadInputTest, NdjsonInvalidLinesAmongGoodOnes) {
  WriteConfig("./samples/x.ndjson", "    format: ndjson\n");
  Write("samples/x.ndjson",
        "{\"id\":\"a\",\"qty\":1}\n"
        "{\"id\":\"b\",\"qty\":2,\n"  // syntax error
        "\n"
        "{\"id\":\"c\",\"qty\":3}\n"
        "[1,2]\n"  // valid JSON, not an object
        "{\"id\":\"d\",\"qty\":4,\"note\":\"last, no newline\"}");
  ASSERT_EQ(RunPipeline().exit_code, 0);
  std::map<std::string, int64_t> tiers = Tiers();
  EXPECT_EQ(tiers["gold"], 3);
  EXPECT_EQ(tiers["rejected"], 2);
  nlohmann::json rows = Rejected("_failed, _position, _raw");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0],
            nlohmann::json({"json.syntax", "./samples/x.ndjson:2", "{\"id\":\"b\",\"qty\":2,"}));
  EXPECT_EQ(rows[1], nlohmann::json({"json.not_object", "./samples/x.ndjson:5", "[1,2]"}));
}

TEST_F(BadInputTest, ZstdInputWorks) {
  WriteConfig("./samples/x.ndjson.zst", "");  // the format comes from the name: NDJSON
  Write("samples/x.ndjson.zst", Zstd("{\"id\":\"a\",\"qty\":1}\n{\"id\":\"b\",\"qty\":2}\n"));
  CommandResult r = RunPipeline();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Tiers()["gold"], 2);
  nlohmann::json rows = DuckDb(
      "SELECT id, qty, _position FROM read_parquet('warehouse/gold/items/*/*.parquet') ORDER BY id",
      dir_);
  EXPECT_EQ(rows, nlohmann::json({{"a", "1", "./samples/x.ndjson.zst:1"},
                                  {"b", "2", "./samples/x.ndjson.zst:2"}}));
}

}  // namespace
}  // namespace assay::testing
