#include "sinks/parquet_writer.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <numeric>
#include <random>
#include <string>
#include <vector>

namespace assay::sinks {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// ---- Reading back with DuckDB (tests/tools/read_parquet.mjs) ----

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

/// Runs the DuckDB reader on `file` and returns its JSON, or fails the test. A missing node or
/// @duckdb/node-api is a failure, never a skip: CI installs them with `npm ci`.
json ReadWithDuckDB(const fs::path& file) {
  const std::string script = std::string(ASSAY_SOURCE_DIR) + "/tests/tools/read_parquet.mjs";
  const fs::path err_file = file.string() + ".stderr";
  const std::string cmd = "node " + ShellQuote(script) + " " + ShellQuote(file.string()) + " 2>" +
                          ShellQuote(err_file.string());
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) {
    ADD_FAILURE() << "popen failed for: " << cmd;
    return json();
  }
  std::string out;
  char buf[1 << 16];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0) out.append(buf, n);
  const int status = ::pclose(pipe);
  std::ifstream err_in(err_file);
  const std::string err((std::istreambuf_iterator<char>(err_in)), std::istreambuf_iterator<char>());
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (code == 127) {
    ADD_FAILURE() << "node is not installed (needed to read Parquet back with DuckDB): install "
                     "Node.js 20 and run `npm ci` in the repository root. "
                  << err;
    return json();
  }
  if (code == 2) {
    ADD_FAILURE() << "@duckdb/node-api is missing: run `npm ci` in the repository root. " << err;
    return json();
  }
  if (code != 0) {
    ADD_FAILURE() << "DuckDB could not read " << file << " (exit " << code << "): " << err;
    return json();
  }
  json result = json::parse(out, nullptr, /*allow_exceptions=*/false);
  if (result.is_discarded()) ADD_FAILURE() << "reader printed invalid JSON: " << out.substr(0, 200);
  return result;
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "assay_parquet_XXXXXX").string();
    dir_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  fs::path operator/(const std::string& name) const { return dir_ / name; }

 private:
  fs::path dir_;
};

// ---- Building input columns ----

/// A column's test data; owns its values, and hands out a ColumnValues view.
struct Col {
  ParquetColumnSpec spec;
  std::vector<int64_t> i64;
  std::vector<double> f64;
  std::vector<std::string> str;
  std::vector<uint8_t> valid;  ///< empty = all valid
  std::vector<std::string_view> views;

  ColumnValues Values() {
    views.assign(str.begin(), str.end());
    return ColumnValues{
        .valid = valid.empty() ? nullptr : valid.data(),
        .i64 = i64.empty() ? nullptr : i64.data(),
        .f64 = f64.empty() ? nullptr : f64.data(),
        .str = views.empty() ? nullptr : views.data(),
    };
  }
};

std::vector<ParquetColumnSpec> Specs(const std::vector<Col>& cols) {
  std::vector<ParquetColumnSpec> specs;
  specs.reserve(cols.size());
  for (const Col& c : cols) specs.push_back(c.spec);
  return specs;
}

std::vector<ColumnValues> Views(std::vector<Col>& cols) {
  std::vector<ColumnValues> v;
  v.reserve(cols.size());
  for (Col& c : cols) v.push_back(c.Values());
  return v;
}

size_t NumRows(const Col& c) {
  return std::max({c.i64.size(), c.f64.size(), c.str.size(), c.valid.size()});
}

/// Writes all rows of `cols` in one Append and closes.
void WriteTable(const fs::path& path, std::vector<Col>& cols, ParquetWriterOptions options = {}) {
  auto writer = ParquetWriter::Make(path, Specs(cols), std::move(options));
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  std::vector<ColumnValues> views = Views(cols);
  ASSERT_TRUE((*writer)->Append(views, NumRows(cols[0])).ok());
  Status st = (*writer)->Close();
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ((*writer)->bytes_written(), fs::file_size(path));
}

/// Metadata rows of parquet_metadata() for one column name, in row-group order.
std::vector<json> ChunksOf(const json& r, const std::string& column) {
  std::vector<json> out;
  for (const json& m : r["metadata"]) {
    if (m["path_in_schema"] == column) out.push_back(m);
  }
  return out;
}

json SchemaOf(const json& r, const std::string& column) {
  for (const json& s : r["schema"]) {
    if (s["name"] == column) return s;
  }
  return json();
}

constexpr int64_t kTs = 1704164645123456;  // 2024-01-02 03:04:05.123456 UTC
constexpr int64_t kDay = 19756;            // 2024-02-03

// ---- Tests ----

TEST(ParquetWriter, EveryTypeWithNullsRoundTripsThroughDuckDB) {
  TempDir dir;
  const fs::path path = dir / "all.parquet";
  std::vector<Col> cols(6);
  cols[0].spec = {"id", ParquetType::kInt64};
  cols[0].i64 = {1, -2, 0, std::numeric_limits<int64_t>::max(),
                 std::numeric_limits<int64_t>::min()};
  cols[0].valid = {1, 1, 0, 1, 1};
  cols[1].spec = {"price", ParquetType::kDouble};
  cols[1].f64 = {2.5, -0.0, 0, 1e300, -3.25};
  cols[1].valid = {1, 1, 0, 1, 1};
  cols[2].spec = {"flag", ParquetType::kBoolean};
  cols[2].i64 = {1, 0, 0, 1, 7};  // any nonzero is true
  cols[2].valid = {1, 1, 1, 0, 1};
  cols[3].spec = {"name", ParquetType::kString};
  cols[3].str = {"alpha", "", "x", "beta", "gamma"};
  cols[3].valid = {1, 1, 0, 1, 1};
  cols[4].spec = {"ts", ParquetType::kTimestampMicros};
  cols[4].i64 = {kTs, 0, -1, 0, kTs + 1};
  cols[4].valid = {1, 1, 1, 0, 1};
  cols[5].spec = {"day", ParquetType::kDate};
  cols[5].i64 = {kDay, 0, -1, 0, 0};
  cols[5].valid = {1, 1, 1, 1, 0};

  ParquetWriterOptions options;
  options.key_value_metadata = {{"assay.dataset", "sales"}, {"assay.tier", "gold"}};
  WriteTable(path, cols, options);

  const json r = ReadWithDuckDB(path);
  ASSERT_FALSE(r.is_null());
  const json expected_columns = json::parse(R"([
    {"name":"id","type":"BIGINT"}, {"name":"price","type":"DOUBLE"},
    {"name":"flag","type":"BOOLEAN"}, {"name":"name","type":"VARCHAR"},
    {"name":"ts","type":"TIMESTAMP WITH TIME ZONE"}, {"name":"day","type":"DATE"}])");
  EXPECT_EQ(r["columns"], expected_columns);
  EXPECT_EQ(r["row_count"], 5);
  const json expected_rows = json::parse(R"([
    ["1", 2.5, true, "alpha", "2024-01-02 03:04:05.123456+00", "2024-02-03"],
    ["-2", -0.0, false, "", "1970-01-01 00:00:00+00", "1970-01-01"],
    [null, null, false, null, "1969-12-31 23:59:59.999999+00", "1969-12-31"],
    ["9223372036854775807", 1e300, null, "beta", null, "1970-01-01"],
    ["-9223372036854775808", -3.25, true, "gamma", "2024-01-02 03:04:05.123457+00", null]])");
  EXPECT_EQ(r["rows"], expected_rows);

  EXPECT_EQ(r["file"]["created_by"], "assay version 0.1.0");
  EXPECT_EQ(r["file"]["num_rows"], "5");
  EXPECT_EQ(r["file"]["num_row_groups"], "1");
  EXPECT_EQ(r["kv"], json::parse(R"([{"key":"assay.dataset","value":"sales"},
                                     {"key":"assay.tier","value":"gold"}])"));

  // Physical, converted and logical types as DuckDB sees them in the schema.
  EXPECT_EQ(SchemaOf(r, "name")["type"], "BYTE_ARRAY");
  EXPECT_EQ(SchemaOf(r, "name")["converted_type"], "UTF8");
  EXPECT_EQ(SchemaOf(r, "ts")["type"], "INT64");
  EXPECT_EQ(SchemaOf(r, "ts")["converted_type"], "TIMESTAMP_MICROS");
  EXPECT_EQ(SchemaOf(r, "day")["type"], "INT32");
  EXPECT_EQ(SchemaOf(r, "day")["converted_type"], "DATE");
  EXPECT_EQ(SchemaOf(r, "id")["repetition_type"], "OPTIONAL");

  // Statistics: min/max over non-null values, null counts.
  const auto stats = [&](const std::string& c) { return ChunksOf(r, c).at(0); };
  EXPECT_EQ(stats("id")["stats_min_value"], "-9223372036854775808");
  EXPECT_EQ(stats("id")["stats_max_value"], "9223372036854775807");
  EXPECT_EQ(stats("id")["stats_null_count"], "1");
  EXPECT_EQ(stats("price")["stats_min_value"], "-3.25");
  EXPECT_EQ(stats("price")["stats_max_value"], "1e+300");
  EXPECT_EQ(stats("flag")["stats_min_value"], "false");
  EXPECT_EQ(stats("flag")["stats_max_value"], "true");
  EXPECT_EQ(stats("flag")["stats_null_count"], "1");
  EXPECT_EQ(stats("name")["stats_min_value"], "");
  EXPECT_EQ(stats("name")["stats_max_value"], "gamma");
  EXPECT_EQ(stats("ts")["stats_min_value"], "1969-12-31 23:59:59.999999+00");
  EXPECT_EQ(stats("ts")["stats_max_value"], "2024-01-02 03:04:05.123457+00");
  EXPECT_EQ(stats("day")["stats_min_value"], "1969-12-31");
  EXPECT_EQ(stats("day")["stats_max_value"], "2024-02-03");
  EXPECT_EQ(stats("day")["stats_null_count"], "1");
  for (const json& m : r["metadata"]) {
    EXPECT_EQ(m["compression"], "ZSTD");
    EXPECT_EQ(m["num_values"], "5");
  }
}

TEST(ParquetWriter, RequiredColumnsAreWrittenWithoutDefinitionLevels) {
  TempDir dir;
  const fs::path path = dir / "required.parquet";
  std::vector<Col> cols(3);
  cols[0].spec = {"k", ParquetType::kInt64, /*nullable=*/false};
  cols[0].i64 = {3, 1, 2};
  cols[1].spec = {"s", ParquetType::kString, false};
  cols[1].str = {"c", "a", "b"};
  cols[2].spec = {"b", ParquetType::kBoolean, false};
  cols[2].i64 = {1, 1, 0};
  WriteTable(path, cols);
  const json r = ReadWithDuckDB(path);
  ASSERT_FALSE(r.is_null());
  EXPECT_EQ(r["rows"], json::parse(R"([["3","c",true],["1","a",true],["2","b",false]])"));
  EXPECT_EQ(SchemaOf(r, "k")["repetition_type"], "REQUIRED");
  EXPECT_EQ(SchemaOf(r, "s")["repetition_type"], "REQUIRED");
  EXPECT_EQ(ChunksOf(r, "k")[0]["stats_null_count"], "0");
  EXPECT_EQ(ChunksOf(r, "s")[0]["stats_min_value"], "a");
}

TEST(ParquetWriter, NullInRequiredColumnIsRejectedBeforeAnyRowIsTaken) {
  TempDir dir;
  auto writer = ParquetWriter::Make(
      dir / "x.parquet", {{"a", ParquetType::kInt64, true}, {"k", ParquetType::kInt64, false}});
  ASSERT_TRUE(writer.ok());
  const int64_t a[] = {1, 2};
  const int64_t k[] = {1, 2};
  const uint8_t valid[] = {1, 0};
  const ColumnValues cols[] = {{.i64 = a}, {.valid = valid, .i64 = k}};
  Status st = (*writer)->Append(cols, 2);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*writer)->rows_written(), 0u);
  // A missing value array and a wrong column count are input errors too.
  const ColumnValues missing[] = {{.i64 = a}, {}};
  EXPECT_EQ((*writer)->Append(missing, 2).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ((*writer)->Append(std::span(cols, 1), 2).code(), StatusCode::kInvalidArgument);
  // The writer is still usable.
  const ColumnValues good[] = {{.i64 = a}, {.i64 = k}};
  EXPECT_TRUE((*writer)->Append(good, 2).ok());
  EXPECT_TRUE((*writer)->Close().ok());
  EXPECT_EQ((*writer)->Append(good, 2).code(), StatusCode::kFailedPrecondition);
}

// A string too long for a page is refused before any row is taken, unless the caller vouches
// for a smaller bound of its sizes (the lake sink does, from the views it trims).
TEST(ParquetWriter, StringPastThePageLimitIsInvalidArgument) {
  TempDir dir;
  auto writer = ParquetWriter::Make(dir / "s.parquet", {{"s", ParquetType::kString}});
  ASSERT_TRUE(writer.ok());
  const char byte = 'x';
  // Only the size is looked at: the view's bytes are never read.
  const std::string_view huge(&byte, size_t{1} << 31);
  const std::string_view strs[] = {"ok", huge};
  const ColumnValues cols[] = {{.str = strs}};
  const Status st = (*writer)->Append(cols, 2);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("does not fit in a Parquet page"), std::string::npos) << st.message();
  EXPECT_EQ((*writer)->rows_written(), 0u);
  const std::string_view fine[] = {"ok", "also ok"};
  const ColumnValues bounded[] = {{.str = fine, .str_max_size = 7}};
  EXPECT_TRUE((*writer)->Append(bounded, 2).ok());
  EXPECT_TRUE((*writer)->Close().ok());
}

TEST(ParquetWriter, DateOutsideInt32IsInvalidArgument) {
  TempDir dir;
  auto writer = ParquetWriter::Make(dir / "d.parquet", {{"d", ParquetType::kDate}});
  ASSERT_TRUE(writer.ok());
  const int64_t days[] = {int64_t{1} << 40};
  const ColumnValues cols[] = {{.i64 = days}};
  EXPECT_EQ((*writer)->Append(cols, 1).code(), StatusCode::kInvalidArgument);
}

TEST(ParquetWriter, AllNullColumnsHaveNullCountAndNoMinMax) {
  TempDir dir;
  const fs::path path = dir / "nulls.parquet";
  const std::vector<ParquetType> types = {ParquetType::kInt64,           ParquetType::kDouble,
                                          ParquetType::kBoolean,         ParquetType::kString,
                                          ParquetType::kTimestampMicros, ParquetType::kDate};
  std::vector<Col> cols(types.size());
  for (size_t i = 0; i < types.size(); ++i) {
    cols[i].spec = {"c" + std::to_string(i), types[i]};
    cols[i].valid.assign(100, 0);  // no value arrays at all: none is read
  }
  WriteTable(path, cols);
  const json r = ReadWithDuckDB(path);
  ASSERT_FALSE(r.is_null());
  EXPECT_EQ(r["row_count"], 100);
  for (const json& row : r["rows"]) {
    for (const json& v : row) EXPECT_TRUE(v.is_null());
  }
  for (const json& m : r["metadata"]) {
    EXPECT_EQ(m["stats_null_count"], "100");
    EXPECT_TRUE(m["stats_min_value"].is_null());
    EXPECT_TRUE(m["stats_max_value"].is_null());
    EXPECT_TRUE(m["dictionary_page_offset"].is_null());
  }
  EXPECT_EQ(r["columns"][4]["type"], "TIMESTAMP WITH TIME ZONE");
}

TEST(ParquetWriter, UnicodeAndEmptyStringsWithUnsignedByteOrderStatistics) {
  TempDir dir;
  const fs::path path = dir / "unicode.parquet";
  std::vector<Col> cols(1);
  cols[0].spec = {"s", ParquetType::kString};
  // Byte order: "" < "z" (7A) < "é" (C3 A9) < "日本語" (E6..) < "😀" (F0..); a signed
  // comparison would put the multi-byte ones first.
  cols[0].str = {"日本語", "", "z", "😀 emoji", "é", "", "z"};
  WriteTable(path, cols);
  const json r = ReadWithDuckDB(path);
  ASSERT_FALSE(r.is_null());
  EXPECT_EQ(r["rows"], json::parse(R"([["日本語"],[""],["z"],["😀 emoji"],["é"],[""],["z"]])"));
  const json m = ChunksOf(r, "s").at(0);
  EXPECT_EQ(m["stats_min_value"], "");
  EXPECT_EQ(m["stats_max_value"], "😀 emoji");
}

// Min and max of PLAIN strings are found from their first 8 bytes where those differ: values
// that share 8 bytes, prefixes of one another, a NUL byte, bytes above 0x7F and lengths on
// either side of 8 must still give byte order, for unsorted and sorted appends alike.
TEST(ParquetWriter, PlainStringStatisticsFollowByteOrder) {
  TempDir dir;
  std::mt19937_64 rng(17);
  const std::vector<std::string> pieces = {"a",        "ab", std::string(1, '\0'),
                                           "\xc3\xa9", "z",  "aaaaaaaa"};
  for (int round = 0; round < 8; ++round) {
    std::vector<Col> cols(1);
    cols[0].spec = {"s", ParquetType::kString};
    for (int i = 0; i < 300; ++i) {
      std::string v;
      const size_t parts = rng() % 5;
      for (size_t p = 0; p < parts; ++p) v += pieces[rng() % pieces.size()];
      cols[0].str.push_back(v);
    }
    if (round % 2 == 1) std::sort(cols[0].str.begin(), cols[0].str.end());
    ParquetWriterOptions options;
    options.dictionary = false;
    const fs::path path = dir / ("s" + std::to_string(round) + ".parquet");
    WriteTable(path, cols, options);
    const json r = ReadWithDuckDB(path);
    ASSERT_FALSE(r.is_null());
    const auto [lo, hi] = std::minmax_element(cols[0].str.begin(), cols[0].str.end());
    const json m = ChunksOf(r, "s").at(0);
    // DuckDB prints the statistics as text with non-printable bytes escaped; compare with the
    // same rendering of the expected values via the rows it read back.
    size_t lo_row = lo - cols[0].str.begin();
    size_t hi_row = hi - cols[0].str.begin();
    EXPECT_EQ(m["stats_min_value"], r["rows"][lo_row][0]) << round;
    EXPECT_EQ(m["stats_max_value"], r["rows"][hi_row][0]) << round;
  }
}

TEST(ParquetWriter, TenMegabyteStringGetsItsOwnPageAndNoMinMax) {
  TempDir dir;
  const fs::path path = dir / "big.parquet";
  std::string big(10 << 20, 'x');
  for (size_t i = 0; i < big.size(); i += 4099) big[i] = static_cast<char>('a' + i % 26);
  std::vector<Col> cols(2);
  cols[0].spec = {"s", ParquetType::kString};
  cols[0].str = {"small", big, "tail"};
  cols[1].spec = {"n", ParquetType::kInt64};
  cols[1].i64 = {1, 2, 3};
  ParquetWriterOptions options;
  options.compression = Compression::kSnappy;
  WriteTable(path, cols, options);
  const json r = ReadWithDuckDB(path);
  ASSERT_FALSE(r.is_null());
  ASSERT_EQ(r["row_count"], 3);
  EXPECT_EQ(r["rows"][0][0], "small");
  EXPECT_TRUE(r["rows"][1][0].get<std::string>() == big);
  EXPECT_EQ(r["rows"][2][0], "tail");
  const json m = ChunksOf(r, "s").at(0);
  EXPECT_TRUE(m["stats_max_value"].is_null());  // 10 MiB is past statistics_max_bytes
  EXPECT_EQ(m["stats_null_count"], "0");
}

TEST(ParquetWriter, RowGroupsSplitByRowsAndByBytes) {
  TempDir dir;
  // By rows: 3500 rows in appends of 700, 1000 rows per group -> 4 groups.
  const fs::path path = dir / "groups.parquet";
  {
    ParquetWriterOptions options;
    options.row_group_max_rows = 1000;
    auto writer = ParquetWriter::Make(
        path, {{"i", ParquetType::kInt64}, {"s", ParquetType::kString}}, options);
    ASSERT_TRUE(writer.ok());
    std::vector<int64_t> ints(700);
    std::vector<std::string> strs(700);
    std::vector<std::string_view> views(700);
    for (int batch = 0; batch < 5; ++batch) {
      for (int i = 0; i < 700; ++i) {
        ints[i] = batch * 700 + i;
        strs[i] = "row-" + std::to_string(ints[i]);
        views[i] = strs[i];
      }
      const ColumnValues cols[] = {{.i64 = ints.data()}, {.str = views.data()}};
      ASSERT_TRUE((*writer)->Append(cols, 700).ok());
    }
    EXPECT_EQ((*writer)->num_row_groups(), 3u);  // the fourth is still buffered
    ASSERT_TRUE((*writer)->Close().ok());
    EXPECT_EQ((*writer)->rows_written(), 3500u);
  }
  json r = ReadWithDuckDB(path);
  ASSERT_FALSE(r.is_null());
  EXPECT_EQ(r["file"]["num_row_groups"], "4");
  ASSERT_EQ(r["row_count"], 3500);
  for (int i = 0; i < 3500; ++i) {
    ASSERT_EQ(r["rows"][i][0], std::to_string(i));
    ASSERT_EQ(r["rows"][i][1], "row-" + std::to_string(i));
  }
  const std::vector<json> chunks = ChunksOf(r, "i");
  ASSERT_EQ(chunks.size(), 4u);
  EXPECT_EQ(chunks[0]["stats_min_value"], "0");
  EXPECT_EQ(chunks[0]["stats_max_value"], "999");
  EXPECT_EQ(chunks[3]["stats_min_value"], "3000");
  EXPECT_EQ(chunks[3]["row_group_num_rows"], "500");

  // By bytes: 20000 rows of 204 PLAIN bytes (~4 MiB) with a 1 MiB limit, in one Append.
  const fs::path by_bytes = dir / "bytes.parquet";
  std::vector<Col> cols(1);
  cols[0].spec = {"s", ParquetType::kString};
  for (int i = 0; i < 20000; ++i) cols[0].str.push_back(std::string(200, 'a' + i % 26));
  ParquetWriterOptions options;
  options.row_group_max_bytes = 1 << 20;
  WriteTable(by_bytes, cols, options);
  r = ReadWithDuckDB(by_bytes);
  ASSERT_FALSE(r.is_null());
  EXPECT_EQ(r["row_count"], 20000);
  const int groups = std::stoi(r["file"]["num_row_groups"].get<std::string>());
  EXPECT_GE(groups, 3);
  EXPECT_LE(groups, 4);
}

TEST(ParquetWriter, SelectionPicksAndOrdersRows) {
  TempDir dir;
  const fs::path path = dir / "sel.parquet";
  auto writer =
      ParquetWriter::Make(path, {{"i", ParquetType::kInt64}, {"s", ParquetType::kString}});
  ASSERT_TRUE(writer.ok());
  const int64_t ints[] = {10, 11, 12, 13, 14};
  const std::string_view strs[] = {"a", "b", "c", "d", "e"};
  const uint8_t valid[] = {1, 1, 0, 1, 1};
  const ColumnValues cols[] = {{.valid = valid, .i64 = ints}, {.str = strs}};
  const uint32_t selection[] = {4, 2, 0};
  ASSERT_TRUE((*writer)->Append(cols, selection).ok());
  ASSERT_TRUE((*writer)->Close().ok());
  const json r = ReadWithDuckDB(path);
  ASSERT_FALSE(r.is_null());
  EXPECT_EQ(r["rows"], json::parse(R"([["14","e"],[null,"c"],["10","a"]])"));
}

TEST(ParquetWriter, DictionaryWhenItPaysAndPlainFallback) {
  TempDir dir;
  const fs::path path = dir / "dict.parquet";
  constexpr int kRows = 20000;
  std::vector<Col> cols(6);
  cols[0].spec = {"low_str", ParquetType::kString};
  cols[1].spec = {"high_str", ParquetType::kString};
  cols[2].spec = {"low_int", ParquetType::kInt64};
  cols[3].spec = {"high_int", ParquetType::kInt64};
  cols[4].spec = {"low_dbl", ParquetType::kDouble};
  cols[5].spec = {"low_day", ParquetType::kDate};
  const char* kCurrencies[] = {"USD", "EUR", "GBP", "JPY"};
  std::mt19937_64 rng(42);
  for (int i = 0; i < kRows; ++i) {
    cols[0].str.push_back(kCurrencies[i % 4]);
    cols[0].valid.push_back(i % 7 != 0);
    cols[1].str.push_back("id-" + std::to_string(rng()));
    cols[2].i64.push_back(i % 10);
    cols[3].i64.push_back(static_cast<int64_t>(rng()));
    cols[4].f64.push_back((i % 3) * 0.5);
    cols[5].i64.push_back(kDay + i % 30);
  }
  ParquetWriterOptions options;
  options.dictionary_max_bytes = 64 << 10;  // high_str passes it long before the end
  options.page_max_bytes = 16 << 10;        // several data pages per chunk
  WriteTable(path, cols, options);

  const json r = ReadWithDuckDB(path);
  ASSERT_FALSE(r.is_null());
  ASSERT_EQ(r["row_count"], kRows);
  for (int i = 0; i < kRows; ++i) {
    const json& row = r["rows"][i];
    if (i % 7 != 0) {
      EXPECT_EQ(row[0], kCurrencies[i % 4]);
    } else {
      EXPECT_TRUE(row[0].is_null());
    }
    EXPECT_EQ(row[1], cols[1].str[i]);
    EXPECT_EQ(row[2], std::to_string(i % 10));
    EXPECT_EQ(row[3], std::to_string(cols[3].i64[i]));
    EXPECT_EQ(row[4], (i % 3) * 0.5);
    if (testing::Test::HasFailure()) break;
  }
  const auto is_dict = [&](const std::string& c) {
    const json m = ChunksOf(r, c).at(0);
    return m["encodings"].get<std::string>().find("RLE_DICTIONARY") != std::string::npos &&
           !m["dictionary_page_offset"].is_null();
  };
  EXPECT_TRUE(is_dict("low_str"));
  EXPECT_TRUE(is_dict("low_int"));
  EXPECT_TRUE(is_dict("low_dbl"));
  EXPECT_TRUE(is_dict("low_day"));
  EXPECT_FALSE(is_dict("high_str"));  // dictionary grew past 64 KiB
  EXPECT_FALSE(is_dict("high_int"));  // all distinct: a dictionary would not pay
  EXPECT_EQ(ChunksOf(r, "high_int")[0]["encodings"], "PLAIN, RLE");
  EXPECT_EQ(ChunksOf(r, "low_str")[0]["stats_min_value"], "EUR");
  EXPECT_EQ(ChunksOf(r, "low_str")[0]["stats_max_value"], "USD");
  EXPECT_EQ(ChunksOf(r, "low_str")[0]["stats_null_count"], std::to_string((kRows + 6) / 7));

  // Turning the dictionary off gives PLAIN everywhere.
  const fs::path plain = dir / "plain.parquet";
  ParquetWriterOptions no_dict;
  no_dict.dictionary = false;
  WriteTable(plain, cols, no_dict);
  const json p = ReadWithDuckDB(plain);
  ASSERT_FALSE(p.is_null());
  EXPECT_EQ(p["rows"], r["rows"]);
  for (const json& m : p["metadata"]) EXPECT_TRUE(m["dictionary_page_offset"].is_null());
}

TEST(ParquetWriter, DictionaryOnlyWhenSmallerThanPlain) {
  TempDir dir;
  const fs::path path = dir / "card.parquet";
  constexpr int kRows = 24000;
  std::vector<Col> cols(3);
  cols[0].spec = {"unique", ParquetType::kInt64};
  cols[1].spec = {"late_unique", ParquetType::kInt64};
  cols[2].spec = {"repeated", ParquetType::kInt64};
  for (int i = 0; i < kRows; ++i) {
    cols[0].i64.push_back(int64_t{i} * 7);
    // 19904 distinct values: the dictionary stays under its size limit, but dictionary + 15-bit
    // indices is larger than PLAIN, so the chunk is written PLAIN.
    cols[1].i64.push_back(i < 16384 ? i % 12288 : 100000 + i);
    cols[2].i64.push_back(i % 100);
  }
  WriteTable(path, cols);
  const json r = ReadWithDuckDB(path);
  ASSERT_FALSE(r.is_null());
  ASSERT_EQ(r["row_count"], kRows);
  for (int i = 0; i < kRows; ++i) {
    for (int c = 0; c < 3; ++c) {
      ASSERT_EQ(r["rows"][i][c], std::to_string(cols[c].i64[i])) << "row " << i << " col " << c;
    }
  }
  EXPECT_EQ(ChunksOf(r, "unique")[0]["encodings"], "PLAIN, RLE");
  EXPECT_EQ(ChunksOf(r, "late_unique")[0]["encodings"], "PLAIN, RLE");
  EXPECT_EQ(ChunksOf(r, "repeated")[0]["encodings"], "PLAIN, RLE, RLE_DICTIONARY");
  EXPECT_EQ(ChunksOf(r, "late_unique")[0]["stats_max_value"], std::to_string(100000 + kRows - 1));
}

// The dictionary is decided on the first 4096 values of a row group: a column that starts
// mostly distinct (ids, emails, prices) stops hashing there, even if it would repeat later.
TEST(ParquetWriter, DictionaryGivesUpEarlyOnMostlyDistinctValues) {
  TempDir dir;
  const fs::path path = dir / "probe.parquet";
  constexpr int kRows = 24000;
  std::vector<Col> cols(4);
  cols[0].spec = {"distinct_first_int", ParquetType::kInt64};
  cols[1].spec = {"distinct_first_str", ParquetType::kString};
  cols[2].spec = {"repeats_first_int", ParquetType::kInt64};
  cols[3].spec = {"repeats_first_str", ParquetType::kString};
  for (int i = 0; i < kRows; ++i) {
    const bool head = i < 4096;
    cols[0].i64.push_back(head ? i : 7);
    cols[1].str.push_back(head ? "id-" + std::to_string(i) : std::string("same"));
    cols[2].i64.push_back(head ? i % 16 : 1000 + i % 50);
    cols[3].str.push_back(head ? "k" + std::to_string(i % 16) : "v" + std::to_string(i % 50));
  }
  WriteTable(path, cols);
  const json r = ReadWithDuckDB(path);
  ASSERT_FALSE(r.is_null());
  ASSERT_EQ(r["row_count"], kRows);
  for (int i = 0; i < kRows; i += 97) {
    ASSERT_EQ(r["rows"][i][0], std::to_string(cols[0].i64[i])) << i;
    ASSERT_EQ(r["rows"][i][1], cols[1].str[i]) << i;
    ASSERT_EQ(r["rows"][i][3], cols[3].str[i]) << i;
  }
  EXPECT_EQ(ChunksOf(r, "distinct_first_int")[0]["encodings"], "PLAIN, RLE");
  // 4096 distinct "id-N" then one repeated value: PLAIN after the probe, then written as
  // DELTA_BYTE_ARRAY because each repeat shares all its bytes with the previous value.
  EXPECT_EQ(ChunksOf(r, "distinct_first_str")[0]["encodings"], "DELTA_BYTE_ARRAY, RLE");
  EXPECT_EQ(ChunksOf(r, "repeats_first_int")[0]["encodings"], "PLAIN, RLE, RLE_DICTIONARY");
  EXPECT_EQ(ChunksOf(r, "repeats_first_str")[0]["encodings"], "PLAIN, RLE, RLE_DICTIONARY");
  EXPECT_EQ(ChunksOf(r, "distinct_first_str")[0]["stats_max_value"], "same");
}

// ---- DELTA_BYTE_ARRAY for strings that share prefixes with the previous value ----

/// Whether the chunks of `column` all list DELTA_BYTE_ARRAY (and not PLAIN) as their values'
/// encoding.
bool AllDeltaByteArray(const json& r, const std::string& column) {
  const std::vector<json> chunks = ChunksOf(r, column);
  if (chunks.empty()) return false;
  for (const json& m : chunks) {
    const auto encodings = m["encodings"].get<std::string>();
    if (encodings.find("DELTA_BYTE_ARRAY") == std::string::npos ||
        encodings.find("PLAIN") != std::string::npos || !m["dictionary_page_offset"].is_null()) {
      return false;
    }
  }
  return true;
}

TEST(ParquetWriter, DeltaByteArrayForPrefixSharingStringsPlainForRandomOnes) {
  TempDir dir;
  constexpr int kRows = 30000;
  std::vector<Col> cols(6);
  cols[0].spec = {"_position", ParquetType::kString, /*nullable=*/false};
  cols[1].spec = {"order_id", ParquetType::kString};
  cols[2].spec = {"random", ParquetType::kString};
  cols[3].spec = {"with_nulls", ParquetType::kString};
  cols[4].spec = {"with_empty", ParquetType::kString};
  cols[5].spec = {"n", ParquetType::kInt64};
  std::mt19937_64 rng(11);
  int64_t offset = 120;
  for (int i = 0; i < kRows; ++i) {
    offset += 40 + static_cast<int64_t>(rng() % 30);
    cols[0].str.push_back("/data/in/orders_1000000_s42.csv:" + std::to_string(offset));
    cols[1].str.push_back("ORD-" + std::to_string(1000000000 + i));
    char hex[33];
    std::snprintf(hex, sizeof(hex), "%016llx%016llx", static_cast<unsigned long long>(rng()),
                  static_cast<unsigned long long>(rng()));
    cols[2].str.push_back(hex);
    cols[3].str.push_back(i % 5 == 0 ? std::string() : "customer/" + std::to_string(500000 + i));
    cols[3].valid.push_back(i % 5 != 0 ? 1 : 0);
    cols[4].str.push_back(i % 4 == 0 ? std::string()
                                     : "https://shop.example/p/" + std::to_string(i));
    cols[5].i64.push_back(i);
  }
  for (const bool dictionary : {true, false}) {
    SCOPED_TRACE(dictionary ? "dictionary tried first" : "dictionary off");
    const fs::path path = dir / (dictionary ? "dict.parquet" : "nodict.parquet");
    ParquetWriterOptions options;
    options.dictionary = dictionary;
    options.page_max_bytes = 4 << 10;    // many pages per chunk, each restarting its prefixes
    options.row_group_max_rows = 12000;  // three row groups, the last one short
    WriteTable(path, cols, options);
    const json r = ReadWithDuckDB(path);
    ASSERT_FALSE(r.is_null());
    ASSERT_EQ(r["row_count"], kRows);
    for (int i = 0; i < kRows; ++i) {
      const json& row = r["rows"][i];
      ASSERT_EQ(row[0], cols[0].str[i]) << i;
      ASSERT_EQ(row[1], cols[1].str[i]) << i;
      ASSERT_EQ(row[2], cols[2].str[i]) << i;
      if (i % 5 == 0) {
        ASSERT_TRUE(row[3].is_null()) << i;
      } else {
        ASSERT_EQ(row[3], cols[3].str[i]) << i;
      }
      ASSERT_EQ(row[4], cols[4].str[i]) << i;
    }
    ASSERT_EQ(ChunksOf(r, "_position").size(), 3u);
    EXPECT_TRUE(AllDeltaByteArray(r, "_position"));
    EXPECT_TRUE(AllDeltaByteArray(r, "order_id"));
    EXPECT_TRUE(AllDeltaByteArray(r, "with_nulls"));
    EXPECT_TRUE(AllDeltaByteArray(r, "with_empty"));
    EXPECT_EQ(ChunksOf(r, "_position")[0]["encodings"], "DELTA_BYTE_ARRAY");  // REQUIRED: no RLE
    EXPECT_EQ(ChunksOf(r, "with_nulls")[0]["encodings"], "DELTA_BYTE_ARRAY, RLE");
    // Random strings keep their bytes but lose the PLAIN length prefixes.
    EXPECT_EQ(ChunksOf(r, "random")[0]["encodings"], "DELTA_LENGTH_BYTE_ARRAY, RLE");
    // Statistics are those of the values, whatever the encoding.
    const json ids = ChunksOf(r, "order_id")[1];
    EXPECT_EQ(ids["stats_min_value"], "ORD-1000012000");
    EXPECT_EQ(ids["stats_max_value"], "ORD-1000023999");
    EXPECT_EQ(ChunksOf(r, "with_nulls")[0]["stats_null_count"], "2400");
    EXPECT_EQ(ChunksOf(r, "with_empty")[0]["stats_min_value"], "");
    // Several pages per chunk: far more than one page of encoded values.
    EXPECT_GT(std::stoll(ChunksOf(r, "_position")[0]["total_uncompressed_size"].get<std::string>()),
              5 * 4096);
  }
}

// delta_byte_array = false (sink key `delta_byte_array: false`) keeps such columns PLAIN, for
// readers without the encoding.
TEST(ParquetWriter, DeltaByteArrayCanBeTurnedOff) {
  TempDir dir;
  std::vector<Col> cols(2);
  cols[0].spec = {"_position", ParquetType::kString};
  cols[1].spec = {"random", ParquetType::kString};
  std::mt19937_64 rng(5);
  for (int i = 0; i < 5000; ++i) {
    cols[0].str.push_back("/in/a.csv:" + std::to_string(i + 2));
    cols[1].str.push_back(std::to_string(rng()));
  }
  ParquetWriterOptions options;
  options.delta_byte_array = false;
  const fs::path path = dir / "plain.parquet";
  WriteTable(path, cols, options);
  const json r = ReadWithDuckDB(path);
  ASSERT_FALSE(r.is_null());
  EXPECT_EQ(r["rows"][4999][0], "/in/a.csv:5001");
  EXPECT_EQ(r["rows"][4999][1], cols[1].str[4999]);
  EXPECT_EQ(ChunksOf(r, "_position")[0]["encodings"], "PLAIN, RLE");
  EXPECT_EQ(ChunksOf(r, "random")[0]["encodings"], "PLAIN, RLE");
}

// Strings without shared prefixes (emails, random ids, free text) are DELTA_LENGTH_BYTE_ARRAY:
// short and long values, empty ones and nulls, across many pages and a value longer than a page.
TEST(ParquetWriter, DeltaLengthByteArrayRoundTripsThroughDuckDB) {
  TempDir dir;
  const fs::path path = dir / "dlba.parquet";
  std::vector<Col> cols(1);
  cols[0].spec = {"s", ParquetType::kString};
  std::mt19937_64 rng(9);
  constexpr int kRows = 3000;
  for (int i = 0; i < kRows; ++i) {
    std::string v;
    if (i == 1234) {
      v = std::string(10000, 'z') + "!";  // past the page budget: a page of its own
    } else if (i % 11 != 0) {
      v = std::to_string(rng() % 1000003) + "@" + std::string(rng() % 5, 'q') + ".example";
    }
    cols[0].str.push_back(v);
    cols[0].valid.push_back(i % 13 != 0 ? 1 : 0);
  }
  ParquetWriterOptions options;
  options.page_max_bytes = 2 << 10;
  options.row_group_max_rows = 1000;
  WriteTable(path, cols, options);
  const json r = ReadWithDuckDB(path);
  ASSERT_FALSE(r.is_null());
  ASSERT_EQ(r["row_count"], kRows);
  for (int i = 0; i < kRows; ++i) {
    if (i % 13 == 0) {
      ASSERT_TRUE(r["rows"][i][0].is_null()) << i;
    } else {
      ASSERT_EQ(r["rows"][i][0], cols[0].str[i]) << i;
    }
  }
  const std::vector<json> chunks = ChunksOf(r, "s");
  ASSERT_EQ(chunks.size(), 3u);
  for (const json& m : chunks) {
    EXPECT_EQ(m["encodings"], "DELTA_LENGTH_BYTE_ARRAY, RLE");
    EXPECT_TRUE(m["dictionary_page_offset"].is_null());
  }
  // Statistics are those of the values: the empty string is the first row group's minimum.
  EXPECT_EQ(chunks[0]["stats_min_value"], "");
  EXPECT_EQ(chunks[0]["stats_null_count"], "77");
}

TEST(ParquetWriter, DeltaByteArrayValuesLongerThanAPage) {
  TempDir dir;
  const fs::path path = dir / "long.parquet";
  std::vector<Col> cols(1);
  cols[0].spec = {"s", ParquetType::kString};
  const std::string stem(20000, 'p');
  for (int i = 0; i < 40; ++i) {
    // Distinct long values that differ in their tail (so no dictionary), short ones between
    // them, a null and an empty one.
    cols[0].str.push_back(i % 4 == 3 ? "short-" + std::to_string(i) : stem + std::to_string(i));
    cols[0].valid.push_back(i != 17 ? 1 : 0);
  }
  cols[0].str[21].clear();
  ParquetWriterOptions options;
  options.page_max_bytes = 1 << 10;  // every long value alone is past a page
  options.compression = Compression::kNone;
  WriteTable(path, cols, options);
  const json r = ReadWithDuckDB(path);
  ASSERT_FALSE(r.is_null());
  ASSERT_EQ(r["row_count"], 40);
  for (int i = 0; i < 40; ++i) {
    if (i == 17) {
      EXPECT_TRUE(r["rows"][i][0].is_null());
    } else {
      EXPECT_TRUE(r["rows"][i][0] == cols[0].str[i]) << i;
    }
  }
  EXPECT_TRUE(AllDeltaByteArray(r, "s"));
  // Each long value has a page of its own whose stream restarts, so each of the 28 is stored
  // whole: pages never depend on the previous page to decode.
  const int64_t uncompressed =
      std::stoll(ChunksOf(r, "s")[0]["total_uncompressed_size"].get<std::string>());
  EXPECT_GT(uncompressed, 28 * 20000);
  EXPECT_LT(uncompressed, 29 * 20000);
}

class ParquetWriterCompression : public testing::TestWithParam<Compression> {};

TEST_P(ParquetWriterCompression, EachCodecIsReadable) {
  TempDir dir;
  const fs::path path = dir / "codec.parquet";
  std::vector<Col> cols(3);
  cols[0].spec = {"i", ParquetType::kInt64};
  cols[1].spec = {"s", ParquetType::kString};
  cols[2].spec = {"d", ParquetType::kDouble};
  for (int i = 0; i < 5000; ++i) {
    cols[0].i64.push_back(int64_t{i} * 3);
    cols[1].str.push_back("value number " + std::to_string(i));
    cols[2].f64.push_back(i / 4.0);
  }
  ParquetWriterOptions options;
  options.compression = GetParam();
  options.zstd_level = 3;
  options.page_max_bytes = 8 << 10;
  WriteTable(path, cols, options);
  const json r = ReadWithDuckDB(path);
  ASSERT_FALSE(r.is_null());
  ASSERT_EQ(r["row_count"], 5000);
  for (int i = 0; i < 5000; i += 101) {
    EXPECT_EQ(r["rows"][i][0], std::to_string(i * 3));
    EXPECT_EQ(r["rows"][i][1], "value number " + std::to_string(i));
    EXPECT_EQ(r["rows"][i][2], i / 4.0);
  }
  const char* expected = GetParam() == Compression::kNone     ? "UNCOMPRESSED"
                         : GetParam() == Compression::kSnappy ? "SNAPPY"
                                                              : "ZSTD";
  for (const json& m : r["metadata"]) EXPECT_EQ(m["compression"], expected);
}

INSTANTIATE_TEST_SUITE_P(Codecs, ParquetWriterCompression,
                         testing::Values(Compression::kNone, Compression::kSnappy,
                                         Compression::kZstd),
                         [](const auto& info) { return std::string(CompressionName(info.param)); });

TEST(ParquetWriter, ZeroRowsIsAValidFile) {
  TempDir dir;
  const fs::path path = dir / "empty.parquet";
  auto writer = ParquetWriter::Make(path, {{"a", ParquetType::kInt64},
                                           {"b", ParquetType::kString},
                                           {"t", ParquetType::kTimestampMicros}});
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Close().ok());
  const json r = ReadWithDuckDB(path);
  ASSERT_FALSE(r.is_null());
  EXPECT_EQ(r["row_count"], 0);
  EXPECT_EQ(r["columns"].size(), 3u);
  EXPECT_EQ(r["columns"][2]["type"], "TIMESTAMP WITH TIME ZONE");
  EXPECT_EQ(r["file"]["num_row_groups"], "0");
}

TEST(ParquetWriter, DoublesKeepSpecialValuesAndStatisticsSkipNaN) {
  TempDir dir;
  const fs::path path = dir / "nan.parquet";
  constexpr double kInf = std::numeric_limits<double>::infinity();
  std::vector<Col> cols(2);
  cols[0].spec = {"d", ParquetType::kDouble};
  cols[0].f64 = {std::nan(""), 1.5, -2.0, 7.0};
  cols[1].spec = {"e", ParquetType::kDouble};
  cols[1].f64 = {-kInf, kInf, 0.25, std::nan("")};
  WriteTable(path, cols);
  const json r = ReadWithDuckDB(path);
  ASSERT_FALSE(r.is_null());
  EXPECT_EQ(r["rows"], json::parse(R"([["NaN", "-Infinity"], [1.5, "Infinity"], [-2.0, 0.25],
                                       [7.0, "NaN"]])"));
  const json m = ChunksOf(r, "d").at(0);
  EXPECT_EQ(m["stats_min_value"], "-2.0");
  EXPECT_EQ(m["stats_max_value"], "7.0");
}

TEST(ParquetWriter, UnwritablePathIsAnErrorStatus) {
  TempDir dir;
  auto missing_dir =
      ParquetWriter::Make(dir / "no" / "such" / "dir.parquet", {{"a", ParquetType::kInt64}});
  EXPECT_EQ(missing_dir.status().code(), StatusCode::kNotFound);

  const fs::path file = dir / "plain_file";
  std::ofstream(file) << "x";
  auto under_file = ParquetWriter::Make(file / "x.parquet", {{"a", ParquetType::kInt64}});
  EXPECT_FALSE(under_file.ok());

  auto directory = ParquetWriter::Make(dir / "", {{"a", ParquetType::kInt64}});
  EXPECT_FALSE(directory.ok());

  // A full disk: /dev/full fails every write with ENOSPC.
  if (fs::exists("/dev/full")) {
    auto full = ParquetWriter::Make("/dev/full", {{"a", ParquetType::kInt64}});
    EXPECT_EQ(full.status().code(), StatusCode::kResourceExhausted) << full.status().ToString();
    EXPECT_TRUE(fs::exists("/dev/full"));
  }
}

TEST(ParquetWriter, BadSchemaOrOptionsAreInvalidArgument) {
  TempDir dir;
  EXPECT_EQ(ParquetWriter::Make(dir / "a", {}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ParquetWriter::Make(dir / "a", {{"x", ParquetType::kInt64}, {"x", ParquetType::kDate}})
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ParquetWriter::Make(dir / "a", {{"", ParquetType::kInt64}}).status().code(),
            StatusCode::kInvalidArgument);
  ParquetWriterOptions bad_level;
  bad_level.zstd_level = 99;
  EXPECT_EQ(ParquetWriter::Make(dir / "a", {{"x", ParquetType::kInt64}}, bad_level).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_FALSE(fs::exists(dir / "a"));
}

TEST(ParquetWriter, WriterDestroyedBeforeCloseRemovesItsPartialFile) {
  TempDir dir;
  const fs::path path = dir / "partial.parquet";
  {
    auto writer = ParquetWriter::Make(path, {{"a", ParquetType::kInt64}});
    ASSERT_TRUE(writer.ok());
    EXPECT_TRUE(fs::exists(path));
  }
  EXPECT_FALSE(fs::exists(path));
}

/// Rough throughput, run by hand:
///   parquet_writer_test --gtest_also_run_disabled_tests --gtest_filter='*Throughput*'
TEST(ParquetWriter, DISABLED_Throughput1MRowsFiveColumns) {
  TempDir dir;
  constexpr size_t kRows = 1'000'000;
  std::vector<int64_t> ids(kRows), ts(kRows), qty(kRows);
  std::vector<double> price(kRows);
  std::vector<std::string> text(kRows);
  std::vector<std::string_view> views(kRows);
  std::vector<uint8_t> valid(kRows);
  std::mt19937_64 rng(1);
  const char* kCurrencies[] = {"USD", "EUR", "GBP", "JPY"};
  for (size_t i = 0; i < kRows; ++i) {
    ids[i] = static_cast<int64_t>(i);
    ts[i] = kTs + static_cast<int64_t>(i) * 1000;
    qty[i] = static_cast<int64_t>(rng() % 1000);
    price[i] = static_cast<double>(rng() % 100000) / 100;
    text[i] = kCurrencies[rng() % 4];
    views[i] = text[i];
    valid[i] = rng() % 50 != 0;
  }
  const ColumnValues cols[] = {{.i64 = ids.data()},
                               {.valid = valid.data(), .i64 = ts.data()},
                               {.i64 = qty.data()},
                               {.f64 = price.data()},
                               {.str = views.data()}};
  for (Compression c : {Compression::kNone, Compression::kSnappy, Compression::kZstd}) {
    const fs::path path = dir / ("bench-" + std::string(CompressionName(c)) + ".parquet");
    ParquetWriterOptions options;
    options.compression = c;
    const auto start = std::chrono::steady_clock::now();
    auto writer = ParquetWriter::Make(path,
                                      {{"id", ParquetType::kInt64, false},
                                       {"ts", ParquetType::kTimestampMicros},
                                       {"qty", ParquetType::kInt64},
                                       {"price", ParquetType::kDouble},
                                       {"currency", ParquetType::kString}},
                                      options);
    ASSERT_TRUE(writer.ok());
    for (size_t at = 0; at < kRows; at += 65536) {
      const size_t n = std::min<size_t>(65536, kRows - at);
      std::vector<ColumnValues> slice(std::begin(cols), std::end(cols));
      for (ColumnValues& v : slice) {
        if (v.valid) v.valid += at;
        if (v.i64) v.i64 += at;
        if (v.f64) v.f64 += at;
        if (v.str) v.str += at;
      }
      ASSERT_TRUE((*writer)->Append(slice, n).ok());
    }
    ASSERT_TRUE((*writer)->Close().ok());
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("%-6s %zu rows x 5 cols: %.3f s, %.1f M rows/s, file %.1f MiB\n",
                std::string(CompressionName(c)).c_str(), kRows, secs, kRows / secs / 1e6,
                fs::file_size(path) / 1048576.0);
  }
}

}  // namespace
}  // namespace assay::sinks
