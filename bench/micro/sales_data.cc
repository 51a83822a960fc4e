// Shared input for the micro-benchmarks (see sales_data.h): the sales rows, the schema and rules
// they are graded by, and the decoded and typed batches the later stages start from.

#include "bench/micro/sales_data.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <map>
#include <utility>

#include "core/value_parse.h"
#include "schema/json_schema.h"
#include "schema/typer.h"
#include "sources/csv_reader.h"

namespace assay::bench {
namespace {

// A copy of schemas/sales_transactions.json (see SalesSchema).
constexpr std::string_view kSalesSchema = R"({
  "type": "object",
  "required": ["transaction_id", "customer_id", "product_id", "quantity", "unit_price",
               "total_amount", "currency", "transaction_ts"],
  "x-key-fields": ["transaction_id"],
  "properties": {
    "transaction_id": {"type": "string", "pattern": "^TX-[0-9]{10}$",
                       "x-severity": {"required": "critical"}},
    "customer_id":    {"type": "string", "pattern": "^CUST-[0-9]{6}$"},
    "product_id":     {"type": "string", "pattern": "^SKU-[A-Z]{3}-[0-9]{4}$"},
    "store_id":       {"type": "string", "pattern": "^(ST-[0-9]{3}|WEB)$",
                       "x-severity": "warning"},
    "quantity":       {"type": "integer", "minimum": 1, "maximum": 1000},
    "unit_price":     {"type": "number", "exclusiveMinimum": 0, "maximum": 100000},
    "discount":       {"type": ["number", "null"], "minimum": 0, "maximum": 1,
                       "x-severity": "warning"},
    "total_amount":   {"type": "number", "minimum": 0},
    "currency":       {"type": "string", "enum": ["USD", "EUR", "GBP", "JPY"],
                       "x-severity": {"required": "warning"}},
    "payment_method": {"type": "string", "enum": ["card", "cash", "paypal", "voucher"],
                       "x-severity": "warning"},
    "channel":        {"type": "string", "enum": ["store", "online", "mobile"]},
    "transaction_ts": {"type": "string", "format": "date-time",
                       "x-severity": {"type": "critical"}},
    "customer_email": {"type": "string", "format": "email", "maxLength": 254,
                       "x-severity": "warning"}
  }
})";

// Benchmarks cannot return a Status: a broken fixture is a bug in this file, so stop loudly.
[[noreturn]] void Die(const Status& status) {
  fmt::print(stderr, "micro_benchmarks: fixture failed: {}\n", status.ToString());
  std::abort();
}

// splitmix64: tiny, fast, and the same sequence on every platform (std::*_distribution is not).
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  /// Uniform in [0, n) (the modulo bias is irrelevant here).
  uint64_t Below(uint64_t n) { return Next() % n; }

 private:
  uint64_t state_;
};

// One generated cell: its text, whether it is null, and whether NDJSON writes it unquoted.
struct Cell {
  std::string text;
  bool null = false;
  bool number = false;
  bool quote_in_csv = false;
};
constexpr size_t kNumFields = 13;
using Row = std::array<Cell, kNumFields>;

constexpr std::array<std::string_view, 4> kCurrencies = {"USD", "EUR", "GBP", "JPY"};
constexpr std::array<std::string_view, 4> kPayments = {"card", "cash", "paypal", "voucher"};
constexpr std::array<std::string_view, 3> kChannels = {"store", "online", "mobile"};
constexpr std::array<std::string_view, 5> kDiscounts = {"0.0", "0.05", "0.1", "0.15", "0.2"};
constexpr std::array<std::string_view, 5> kSkuPrefixes = {"ABC", "KLM", "QRS", "XYZ", "DEF"};
constexpr std::array<int, 4> kOffsetsMinutes = {0, 60, -300, 330};

// `YYYY-MM-DDTHH:MM:SS[.mmm](Z|±HH:MM)` for `utc_seconds` shown at `offset_minutes`.
std::string FormatRfc3339(int64_t utc_seconds, int millis, int offset_minutes) {
  const int64_t local = utc_seconds + int64_t{offset_minutes} * 60;
  const int64_t days = FloorDiv(local, 86400);
  const int64_t secs = local - days * 86400;
  int64_t year = 0;
  unsigned month = 0;
  unsigned day = 0;
  CivilFromDays(days, year, month, day);
  std::string out = fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}", year, month, day,
                                secs / 3600, secs / 60 % 60, secs % 60);
  if (millis >= 0) fmt::format_to(std::back_inserter(out), ".{:03d}", millis);
  if (offset_minutes == 0) {
    out += 'Z';
  } else {
    const int m = std::abs(offset_minutes);
    fmt::format_to(std::back_inserter(out), "{}{:02d}:{:02d}", offset_minutes < 0 ? '-' : '+',
                   m / 60, m % 60);
  }
  return out;
}

// Row `index` (0-based); `rng` advances. Columns in SalesSchema() field order.
Row MakeRow(size_t index, Rng& rng) {
  Row row;
  auto set = [&row](size_t c, std::string text, bool number = false) {
    row[c].text = std::move(text);
    row[c].number = number;
  };
  const uint64_t quantity = 1 + rng.Below(12);
  const uint64_t price_cents = 100 + rng.Below(50000);
  uint64_t total_cents = quantity * price_cents;
  const uint64_t store = rng.Below(40);
  const int64_t ts = kAsOfUs / 1'000'000 - static_cast<int64_t>(rng.Below(uint64_t{32} * 86400));
  const int millis = rng.Below(2) == 0 ? -1 : static_cast<int>(rng.Below(1000));
  const int offset = kOffsetsMinutes[rng.Below(kOffsetsMinutes.size())];

  set(0, fmt::format("TX-{:010d}", index + 1));
  set(1, fmt::format("CUST-{:06d}", rng.Below(2000)));
  set(2,
      fmt::format("SKU-{}-{:04d}", kSkuPrefixes[rng.Below(kSkuPrefixes.size())], rng.Below(10000)));
  set(3, store < 10 ? std::string("WEB") : fmt::format("ST-{:03d}", store));
  set(4, std::to_string(quantity), true);
  set(5, fmt::format("{}.{:02d}", price_cents / 100, price_cents % 100), true);
  if (rng.Below(10) < 4) {
    row[6].null = true;
  } else {
    set(6, std::string(kDiscounts[rng.Below(kDiscounts.size())]), true);
  }
  set(8, std::string(kCurrencies[rng.Below(kCurrencies.size())]));
  set(9, std::string(kPayments[rng.Below(kPayments.size())]));
  set(10, std::string(kChannels[rng.Below(kChannels.size())]));
  set(11, FormatRfc3339(ts, millis, offset));
  set(12, fmt::format("customer{}@example.com", rng.Below(5000)));
  row[12].quote_in_csv = rng.Below(20) == 0;

  // About 5.7% of rows get one defect each, spread over the kinds of check.
  const uint64_t defect = rng.Below(1000);
  if (defect < 5) {
    row[0].null = true;  // critical: rejected
  } else if (defect < 15) {
    set(0, fmt::format("TX-{}", index + 1));  // pattern
  } else if (defect < 22) {
    set(4, defect % 2 == 0 ? "0" : "5000", true);  // minimum / maximum
  } else if (defect < 27) {
    set(4, "2.5", true);  // not an integer: type
  } else if (defect < 40) {
    total_cents += 1 + rng.Below(500);  // total_matches_lines
  } else if (defect < 47) {
    set(8, "usd");  // enum
  } else if (defect < 50) {
    set(11, "yesterday");  // critical: timestamp type
  } else if (defect < 57) {
    set(12, "not-an-email");  // format
  }
  set(7, fmt::format("{}.{:02d}", total_cents / 100, total_cents % 100), true);
  return row;
}

void AppendJsonString(std::string& out, std::string_view text) {
  out += '"';
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

std::string Generate(size_t rows, bool csv) {
  Rng rng(0x5A1E5DA7A);
  const std::vector<std::string>& fields = SalesFields();
  std::string out;
  out.reserve(rows * (csv ? 170 : 400));
  if (csv) {
    for (size_t c = 0; c < fields.size(); ++c) {
      if (c > 0) out += ',';
      out += fields[c];
    }
    out += '\n';
  }
  for (size_t r = 0; r < rows; ++r) {
    const Row row = MakeRow(r, rng);
    if (csv) {
      for (size_t c = 0; c < kNumFields; ++c) {
        if (c > 0) out += ',';
        if (row[c].null) continue;
        if (row[c].quote_in_csv) {
          out += '"';
          out += row[c].text;
          out += '"';
        } else {
          out += row[c].text;
        }
      }
    } else {
      out += '{';
      for (size_t c = 0; c < kNumFields; ++c) {
        if (c > 0) out += ',';
        AppendJsonString(out, fields[c]);
        out += ':';
        if (row[c].null) {
          out += "null";
        } else if (row[c].number) {
          out += row[c].text;
        } else {
          AppendJsonString(out, row[c].text);
        }
      }
      out += '}';
    }
    out += '\n';
  }
  return out;
}

// Hands out views of bytes it does not own, chunk by chunk, like a file.
class StringViewStream final : public sources::ByteStream {
 public:
  explicit StringViewStream(std::string_view data) : data_(data) {}
  Result<size_t> Read(char* buf, size_t n) override {
    const size_t take = std::min(n, data_.size() - pos_);
    std::memcpy(buf, data_.data() + pos_, take);
    pos_ += take;
    return take;
  }
  uint64_t compressed_bytes_read() const override { return pos_; }
  const std::string& name() const override { return name_; }

 private:
  std::string_view data_;
  size_t pos_ = 0;
  std::string name_ = "<bench>";
};

}  // namespace

const schema::Schema& SalesSchema() {
  static const schema::Schema* const kSchema = [] {
    Result<schema::Schema> parsed = schema::ParseJsonSchema(kSalesSchema, "sales_transactions");
    if (!parsed.ok()) Die(parsed.status());
    return new schema::Schema(std::move(parsed).value());
  }();
  return *kSchema;
}

const std::vector<std::string>& SalesFields() {
  static const std::vector<std::string>* const kFields = [] {
    auto* fields = new std::vector<std::string>();
    for (const schema::Field& f : SalesSchema().fields) fields->push_back(f.name);
    return fields;
  }();
  return *kFields;
}

std::vector<quality::RuleSpec> SalesRules() {
  std::vector<quality::RuleSpec> rules(2);
  rules[0].name = "total_matches_lines";
  rules[0].dimension = schema::Dimension::kConsistency;
  rules[0].severity = schema::Severity::kError;
  rules[0].expr = "abs(quantity * unit_price - total_amount) <= 0.01";
  rules[1].name = "recent";
  rules[1].dimension = schema::Dimension::kTimeliness;
  rules[1].severity = schema::Severity::kWarning;
  rules[1].expr = "transaction_ts >= now() - interval '30 days'";
  return rules;
}

const std::string& SalesCsv(size_t rows) {
  static std::map<size_t, std::string> cache;
  auto it = cache.find(rows);
  if (it == cache.end()) it = cache.emplace(rows, Generate(rows, /*csv=*/true)).first;
  return it->second;
}

const std::string& SalesNdjson(size_t rows) {
  static std::map<size_t, std::string> cache;
  auto it = cache.find(rows);
  if (it == cache.end()) it = cache.emplace(rows, Generate(rows, /*csv=*/false)).first;
  return it->second;
}

std::unique_ptr<sources::ByteStream> ViewStream(std::string_view data) {
  return std::make_unique<StringViewStream>(data);
}

Batch DecodeSalesCsv(size_t rows) {
  Batch batch;
  for (const std::string& name : SalesFields()) batch.AddColumn(name);
  const uint32_t unit = batch.AddUnit("<bench>");
  auto reader = sources::CsvReader::Make(ViewStream(SalesCsv(rows)), unit, sources::CsvOptions{},
                                         SalesFields());
  if (!reader.ok()) Die(reader.status());
  Result<size_t> read = (*reader)->ReadBatch(batch, rows);
  if (!read.ok()) Die(read.status());
  if (*read != rows) Die(Internal(fmt::format("decoded {} of {} rows", *read, rows)));
  return batch;
}

const Batch& TypedSalesBatch() {
  static const Batch* const kBatch = [] {
    auto* batch = new Batch(DecodeSalesCsv(kBatchRows));
    schema::TypeBatch(SalesSchema(), *batch);
    return batch;
  }();
  return *kBatch;
}

uint64_t FieldTextBytes(const Batch& batch) {
  uint64_t bytes = 0;
  for (const Column& col : batch.columns()) {
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      if (col.kind[r] != CellKind::kNull) bytes += col.raw[r].size();
    }
  }
  return bytes;
}

}  // namespace assay::bench
