// `schema: auto` as a user runs it: the real `assay` binary detects a schema on the first run,
// widens it on a later one, refuses a change the subject's level forbids, and serves the
// validation statistics of each version, which the test computes on its own from the input.

#include <httplib.h>

#include <charconv>
#include <climits>
#include <fstream>
#include <functional>
#include <sstream>

#include "tests/assay_server.h"
#include "tests/test_util.h"

namespace assay::testing {
namespace {

using nlohmann::json;

constexpr const char* kConfig = R"(pipeline: {warehouse: ./warehouse, state_dir: ./state}
sources:
  - name: orders
    type: file
    path: ./in/orders*.csv
    schema: auto
    schema_sample_rows: 4
    rules:
      - {name: plausible_total, expr: "quantity * price <= 1000"}
sinks:
  - {type: ndjson, path: ./out}
)";

// The first file: the sample is its first 4 data rows; the rows after it test v1's guesses.
const std::vector<std::string> kFirstRows = {
    "A-1,1,10,2026-11-20T10:00:00Z",
    "A-2,4,300,2026-11-20T11:00:00Z",
    "A-3,2,20,2026-11-20T12:00:00Z",
    "A-4,3,30,2026-11-20T13:00:00Z",
    "A-5,9,200,2026-11-21T10:00:00Z",   // above the sampled quantity maximum, total 1800
    "A-6,many,5,2026-11-21T11:00:00Z",  // not an integer
    "A-7,7",                            // two fields short: unparseable
    "A-8,2,15,2026-11-21T12:00:00Z"};

// The same checks, computed here from the rows: (field, check) -> failures, rows, rejected.
struct Expected {
  uint64_t rows = 0, unparseable = 0;
  std::map<std::pair<std::string, std::string>, uint64_t> failures;
};

std::vector<std::string> Split(const std::string& line) {
  std::vector<std::string> out;
  std::stringstream ss(line);
  for (std::string cell; std::getline(ss, cell, ',');) out.push_back(cell);
  return out;
}

std::optional<long> Integer(const std::string& text) {
  long v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

Expected ExpectFirstFile() {
  Expected e;
  long max_quantity = 0, min_quantity = LONG_MAX, max_price = 0, min_price = LONG_MAX;
  for (size_t i = 0; i < 4; ++i) {  // the sample: every quantity and price an integer
    std::vector<std::string> cells = Split(kFirstRows[i]);
    max_quantity = std::max(max_quantity, *Integer(cells[1]));
    min_quantity = std::min(min_quantity, *Integer(cells[1]));
    max_price = std::max(max_price, *Integer(cells[2]));
    min_price = std::min(min_price, *Integer(cells[2]));
  }
  for (const std::string& row : kFirstRows) {
    ++e.rows;
    std::vector<std::string> cells = Split(row);
    if (cells.size() != 4) {
      ++e.unparseable;
      continue;
    }
    std::optional<long> q = Integer(cells[1]), p = Integer(cells[2]);
    if (!q) ++e.failures[{"quantity", "type"}];
    if (q && *q > max_quantity) ++e.failures[{"quantity", "maximum"}];
    if (q && *q < min_quantity) ++e.failures[{"quantity", "minimum"}];
    if (p && *p > max_price) ++e.failures[{"price", "maximum"}];
    if (p && *p < min_price) ++e.failures[{"price", "minimum"}];
    if (q && p && *q * *p > 1000) ++e.failures[{"", "plausible_total"}];
  }
  return e;
}

class SchemaAutoTest : public TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    Write("config/assay.yml", kConfig);
  }

  CommandResult RunPipeline() {
    return RunAssay(
        {"--config", "config/assay.yml", "--as-of", "2026-11-24T00:00:00Z", "--no-progress"}, dir_);
  }

  // A request to the server: method, path, body -> status and JSON answer.
  using Call = std::function<std::pair<int, json>(const std::string&, const std::string&,
                                                  const std::string&)>;

  // Starts `assay --web-only`, runs `body` with a GET/PUT helper, stops the server.
  void WithServer(const std::function<void(const Call&)>& body) {
    AssayServer server;
    std::string error;
    ASSERT_TRUE(server.Start({"--config", "config/assay.yml", "--web-only", "--port", "0"}, dir_,
                             {}, &error))
        << error;
    Call call = [&](const std::string& method, const std::string& path,
                    const std::string& payload) {
      httplib::Client client("127.0.0.1", server.port());
      client.set_read_timeout(30, 0);
      httplib::Result r =
          method == "PUT" ? client.Put(path, payload, "application/json") : client.Get(path);
      EXPECT_TRUE(r) << method << " " << path;
      if (!r) return std::pair<int, json>(0, json());
      return std::pair<int, json>(r->status, json::parse(r->body, nullptr, false));
    };
    body(call);
    EXPECT_EQ(server.Stop(), 0);
  }

  std::string FirstFile() {
    std::string text = "order_id,quantity,price,created_at\n";
    for (const std::string& row : kFirstRows) text += row + "\n";
    return text;
  }
};

// The statistics as the endpoint serves them, in the test's shape.
std::map<std::pair<std::string, std::string>, uint64_t> Failures(const json& stats) {
  std::map<std::pair<std::string, std::string>, uint64_t> out;
  for (const json& f : stats.at("failures")) {
    out[{f.at("field").is_null() ? "" : f.at("field").get<std::string>(),
         f.at("check").get<std::string>()}] = f.at("failures").get<uint64_t>();
  }
  return out;
}

TEST_F(SchemaAutoTest, ValidateConfigAcceptsAutoWithoutReadingData) {
  // No input file exists: validation must not look for data.
  CommandResult r = RunAssay({"--config", "config/assay.yml", "--validate-config"}, dir_,
                             std::chrono::seconds(60));
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("orders: schema detected from the data at run time, 1 rule(s)"),
            std::string::npos)
      << r.out;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "state"));
}

TEST_F(SchemaAutoTest, DetectsGradesWidensRefusesAndCountsPerVersion) {
  Write("in/orders_1.csv", FirstFile());
  CommandResult first = RunPipeline();
  ASSERT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_NE(first.err.find("graded by version 1 of subject 'orders', written to "),
            std::string::npos)
      << first.err;
  EXPECT_NE(first.err.find("state/schemas/orders.json"), std::string::npos) << first.err;
  json v1 = json::parse(Read("state/schemas/orders.json"));
  EXPECT_EQ(v1["properties"]["quantity"]["type"], "integer") << v1.dump(2);
  EXPECT_EQ(v1["title"], "orders");

  const Expected expected = ExpectFirstFile();
  WithServer([&](const Call& call) {
    auto [status, versions] = call("GET", "/registry/subjects/orders/versions", "");
    EXPECT_EQ(status, 200);
    EXPECT_EQ(versions, json::array({1}));
    auto [config_status, config] = call("GET", "/registry/config/orders", "");
    EXPECT_EQ(config_status, 200);
    EXPECT_EQ(config["compatibilityPolicy"], "LENIENT") << config;

    auto [stats_status, stats] = call("GET", "/api/subjects/orders/versions/1/stats", "");
    ASSERT_EQ(stats_status, 200) << stats;
    EXPECT_EQ(stats["subject"], "orders");
    EXPECT_EQ(stats["version"], 1);
    EXPECT_EQ(stats["rows"], expected.rows);
    EXPECT_EQ(stats["tiers"]["rejected"].get<uint64_t>(), expected.unparseable);
    uint64_t sum = 0;
    for (const auto& [tier, n] : stats["tiers"].items()) sum += n.get<uint64_t>();
    EXPECT_EQ(sum, expected.rows);
    auto failures = Failures(stats);
    EXPECT_EQ(failures.size(), expected.failures.size() + expected.unparseable) << stats;
    for (const auto& [key, n] : expected.failures) {
      EXPECT_EQ(failures[key], n) << key.first << "." << key.second << " in " << stats;
    }

    auto [missing, error] = call("GET", "/api/subjects/orders/versions/9/stats", "");
    EXPECT_EQ(missing, 404);
    EXPECT_EQ(error["error_code"], 40402);
    auto [unknown, error2] = call("GET", "/api/subjects/nope/versions/latest/stats", "");
    EXPECT_EQ(unknown, 404);
    EXPECT_EQ(error2["error_code"], 40401);
  });

  // A new file adds a column and has a decimal where integers were: version 2.
  Write("in/orders_2.csv",
        "order_id,quantity,price,created_at,coupon\n"
        "B-1,2.5,25,2026-11-22T10:00:00Z,SAVE10\n"
        "B-2,1,3,2026-11-22T11:00:00Z,\n");
  CommandResult second = RunPipeline();
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_NE(second.err.find("widened subject 'orders' to version 2"), std::string::npos)
      << second.err;
  json v2 = json::parse(Read("state/schemas/orders.json"));
  EXPECT_EQ(v2["properties"]["quantity"]["type"], "number") << v2.dump(2);
  EXPECT_EQ(v2["properties"]["coupon"]["type"], json::array({"string", "null"})) << v2.dump(2);
  WithServer([&](const Call& call) {
    EXPECT_EQ(call("GET", "/registry/subjects/orders/versions", "").second, json::array({1, 2}));
    auto [status, stats] = call("GET", "/api/subjects/orders/versions/latest/stats", "");
    ASSERT_EQ(status, 200) << stats;
    EXPECT_EQ(stats["version"], 2);
    EXPECT_EQ(stats["rows"], 2);  // orders_1.csv was ingested already: not graded again
    EXPECT_EQ(call("GET", "/api/subjects/orders/versions/1/stats", "").second["rows"],
              expected.rows);
    // From now on the subject must stay FULL compatible.
    auto [put, body] = call("PUT", "/registry/config/orders", R"({"compatibility":"FULL"})");
    EXPECT_EQ(put, 200) << body;
  });

  // integer -> number for `price` is not FORWARD compatible: FULL refuses it.
  Write("in/orders_3.csv", "order_id,quantity,price,created_at\nC-1,1,2.5,2026-11-23T10:00:00Z\n");
  CommandResult third = RunPipeline();
  EXPECT_EQ(third.exit_code, 1) << third.out << third.err;
  const std::string all = third.out + third.err;
  EXPECT_NE(all.find("subject 'orders'"), std::string::npos) << all;
  EXPECT_NE(all.find("compatibility FULL"), std::string::npos) << all;
  EXPECT_NE(all.find("'price': type integer -> number"), std::string::npos) << all;
  EXPECT_EQ(json::parse(Read("state/schemas/orders.json")), v2);
  EXPECT_TRUE(FilesUnder(dir_ / "out", ".ndjson").size() > 0);
  for (const auto& f : FilesUnder(dir_ / "out", ".ndjson")) {
    std::ifstream in(f);
    std::stringstream ss;
    ss << in.rdbuf();
    EXPECT_EQ(ss.str().find("C-1"), std::string::npos) << f;  // nothing of the refused file
  }
}

}  // namespace
}  // namespace assay::testing
