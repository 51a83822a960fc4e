// bench_data_generator: writes the order lines of the end-to-end benchmark (bench/README.md).
//
//   bench_data_generator --rows N --seed S --format csv|ndjson --out PATH
//
// The rows depend only on --rows and --seed: the CSV and the NDJSON file of one seed hold the
// same logical rows, so Assay grades them into the same tiers (DESIGN.md §3a). Most rows are
// clean; the rest carry defects in every quality dimension at a few per cent each, plus a small
// share of "messy" rows with several defects at once, so that all four tiers appear. Every row
// parses: the generator never writes a CSV row of the wrong width or an invalid JSON line
// (bench/README.md says why).
//
// Schema and rules: bench/schemas/bench_orders.json, bench/config/bench.yml.

#include <array>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

namespace {

// splitmix64: small, fast and good enough for test data; the same sequence on every platform.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  /// Uniform in [0, n).
  uint64_t Below(uint64_t n) { return Next() % n; }
  /// Uniform in [lo, hi].
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo + 1)));
  }
  /// True with probability p.
  bool Chance(double p) { return static_cast<double>(Next() >> 11) * 0x1.0p-53 < p; }
  template <typename T, size_t N>
  const T& Pick(const std::array<T, N>& items) {
    return items[Below(N)];
  }

 private:
  uint64_t state_;
};

// One cell: null, text (a JSON string in NDJSON) or a number literal (a JSON number).
enum class Kind { kNull, kText, kNumber };
struct Cell {
  Kind kind = Kind::kNull;
  std::string text;
  void SetText(std::string_view t) { kind = Kind::kText, text.assign(t); }
  void SetNumber(std::string_view t) { kind = Kind::kNumber, text.assign(t); }
  void SetNull() { kind = Kind::kNull, text.clear(); }
};

constexpr std::array<std::string_view, 13> kFields = {
    "order_id", "customer_id", "sku",     "store",      "quantity", "unit_price", "discount",
    "total",    "currency",    "channel", "ordered_at", "email",    "note"};
enum Field {
  kOrderId,
  kCustomerId,
  kSku,
  kStore,
  kQuantity,
  kUnitPrice,
  kDiscount,
  kTotal,
  kCurrency,
  kChannel,
  kOrderedAt,
  kEmail,
  kNote,
  kNumFields
};

constexpr std::array<std::string_view, 4> kCurrencies = {"USD", "EUR", "GBP", "JPY"};
constexpr std::array<std::string_view, 3> kChannels = {"store", "online", "mobile"};
constexpr std::array<std::string_view, 8> kFirstNames = {"anna", "ben",   "chloe", "david",
                                                         "emma", "felix", "grace", "hugo"};
constexpr std::array<std::string_view, 6> kDomains = {"example.com",      "mail.example.org",
                                                      "shop.example.net", "example.co.uk",
                                                      "corp.example.com", "example.de"};
// Free text, as people type it: commas, quotes, non-ASCII. All at most 40 code points.
constexpr std::array<std::string_view, 10> kNotes = {
    "Leave at the door",        "Gift wrap, please",          "He said \"fragile\"",
    "Ring twice, then wait",    "Café order — extra napkins", "Call before delivery",
    "Size: 10\" x 12\", boxed", "Back door, code 1234",       "No plastic bag",
    "Deliver to Mr. O'Neil"};
// Longer than the schema's maxLength of 40.
constexpr std::array<std::string_view, 2> kLongNotes = {
    "Please deliver between 9 and 5, and if nobody answers, leave it with the neighbours",
    "Customer called twice about this order; \"urgent\", she said, before the weekend"};
// Offsets in minutes east of UTC.
constexpr std::array<int, 7> kOffsets = {0, 0, 60, -300, 330, 540, -480};

// The benchmark's reference time (bench/run.mjs passes it as --as-of): 2026-11-24T00:00:00Z.
constexpr int64_t kAsOfSeconds = 1795478400;

void AppendInt(std::string& out, int64_t v, int width = 0) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  for (int pad = width - static_cast<int>(end - buf); pad > 0; --pad) out += '0';
  out.append(buf, end);
}

// Cents as a decimal literal with two fraction digits: 1999 -> "19.99".
std::string Money(int64_t cents) {
  std::string s;
  if (cents < 0) s += '-', cents = -cents;
  AppendInt(s, cents / 100);
  s += '.';
  AppendInt(s, cents % 100, 2);
  return s;
}

void CivilFromDays(int64_t z, int64_t& y, int& m, int& d) {  // Howard Hinnant's algorithm
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = yoe + era * 400;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y += m <= 2;
}

// An RFC 3339 timestamp of the UTC instant `utc_seconds` (+ `micros`), written in the local
// time of `offset_minutes`, with 0, 3 or 6 fraction digits.
std::string Timestamp(int64_t utc_seconds, int micros, int offset_minutes, int fraction_digits,
                      char separator) {
  const int64_t local = utc_seconds + int64_t{offset_minutes} * 60;
  int64_t days = local / 86400, secs = local % 86400;
  int64_t y;
  int m, d;
  CivilFromDays(days, y, m, d);
  std::string s;
  AppendInt(s, y, 4), s += '-', AppendInt(s, m, 2), s += '-', AppendInt(s, d, 2);
  s += separator;
  AppendInt(s, secs / 3600, 2), s += ':', AppendInt(s, secs / 60 % 60, 2), s += ':';
  AppendInt(s, secs % 60, 2);
  if (fraction_digits == 3) s += '.', AppendInt(s, micros / 1000, 3);
  if (fraction_digits == 6) s += '.', AppendInt(s, micros, 6);
  if (offset_minutes == 0) {
    s += 'Z';
  } else {
    const int a = offset_minutes < 0 ? -offset_minutes : offset_minutes;
    s += offset_minutes < 0 ? '-' : '+';
    AppendInt(s, a / 60, 2), s += ':', AppendInt(s, a % 60, 2);
  }
  return s;
}

// Rates of the single defects, per row (a row may get several, independently).
struct Rates {
  double missing_order_id = 0.002;  // critical: rejected
  double bad_order_id = 0.005;
  double missing_customer = 0.01;
  double bad_customer = 0.01;
  double bad_sku = 0.01;
  double bad_store = 0.01;
  double quantity_not_integer = 0.005;
  double quantity_out_of_range = 0.01;
  double price_not_number = 0.005;
  double price_zero = 0.003;
  double discount_out_of_range = 0.005;
  double discount_not_number = 0.003;
  double total_mismatch = 0.02;
  double total_missing = 0.003;
  double currency_missing = 0.01;
  double currency_bad = 0.01;
  double channel_bad = 0.01;
  double channel_store_mismatch = 0.01;
  double ts_no_offset = 0.004;  // critical: rejected
  double ts_invalid = 0.002;    // critical: rejected
  double ts_missing = 0.002;
  double stale = 0.06;
  double email_bad = 0.01;
  double email_long = 0.002;
  double note_long = 0.01;
  double messy = 0.02;  // several defects at once: mostly bronze
};

class RowGenerator {
 public:
  explicit RowGenerator(uint64_t seed) : rng_(seed * 0x2545F4914F6CDD1Dull + 1) {}

  void Generate(uint64_t index, std::array<Cell, kNumFields>& row) {
    const Rates& r = rates_;
    const bool messy = rng_.Chance(r.messy);
    // In a messy row every defect is 15 times as likely.
    auto defect = [&](double p) { return rng_.Chance(messy ? p * 15 : p); };

    std::string s = "ORD-";
    AppendInt(s, static_cast<int64_t>(1000000000 + index), 10);
    row[kOrderId].SetText(s);
    if (rng_.Chance(r.missing_order_id))
      row[kOrderId].SetNull();
    else if (defect(r.bad_order_id))
      row[kOrderId].SetText("ORD-" + std::to_string(index));

    s = "C";
    AppendInt(s, rng_.Between(1, 9999999), 7);
    row[kCustomerId].SetText(s);
    if (defect(r.missing_customer))
      row[kCustomerId].SetNull();
    else if (defect(r.bad_customer))
      row[kCustomerId].SetText("c" + s.substr(1));

    s.clear();
    for (int i = 0; i < 3; ++i) s += static_cast<char>('A' + rng_.Below(26));
    s += '-';
    AppendInt(s, rng_.Between(0, 9999), 4);
    row[kSku].SetText(s);
    if (rng_.Chance(0.005))
      row[kSku].SetNull();  // optional field: not a defect
    else if (defect(r.bad_sku))
      row[kSku].SetText(s.substr(0, 3) + s.substr(4));

    const std::string_view channel = rng_.Pick(kChannels);
    row[kChannel].SetText(channel);
    if (channel == "store") {
      s = "S";
      AppendInt(s, rng_.Between(1, 250), 3);
    } else {
      s = "WEB";
    }
    row[kStore].SetText(s);
    if (rng_.Chance(0.03))
      row[kStore].SetNull();  // optional field
    else if (defect(r.bad_store))
      row[kStore].SetText("S" + std::to_string(rng_.Between(1, 99)));
    else if (defect(r.channel_store_mismatch))
      row[kStore].SetText(channel == "store" ? "WEB" : "S017");
    if (defect(r.channel_bad))
      row[kChannel].SetText(rng_.Chance(0.5) ? "web" : "Store");
    else if (rng_.Chance(0.005))
      row[kChannel].SetNull();

    const int64_t quantity = rng_.Chance(0.7) ? rng_.Between(1, 3) : rng_.Between(1, 40);
    const int64_t price_cents =
        rng_.Chance(0.8) ? rng_.Between(99, 9999) : rng_.Between(99, 250000);
    s.clear();
    AppendInt(s, quantity);
    row[kQuantity].SetNumber(s);
    if (defect(r.quantity_not_integer))
      row[kQuantity].SetNumber(s + ".0");
    else if (defect(r.quantity_out_of_range))
      row[kQuantity].SetNumber(rng_.Chance(0.5) ? "0" : "750");
    else if (rng_.Chance(0.002))
      row[kQuantity].SetNull();

    row[kUnitPrice].SetNumber(Money(price_cents));
    if (defect(r.price_not_number)) {
      row[kUnitPrice].SetText(rng_.Chance(0.5) ? "$" + Money(price_cents) : "n/a");
    } else if (defect(r.price_zero)) {
      row[kUnitPrice].SetNumber("0.00");
    } else if (rng_.Chance(0.002)) {
      row[kUnitPrice].SetNull();
    }

    if (rng_.Chance(0.3)) {
      row[kDiscount].SetNumber(Money(5 * rng_.Between(1, 10)));  // 0.05 .. 0.50
      if (defect(r.discount_out_of_range))
        row[kDiscount].SetNumber("1.5");
      else if (defect(r.discount_not_number))
        row[kDiscount].SetText("10%");
    } else {
      row[kDiscount].SetNull();
    }

    int64_t total_cents = quantity * price_cents;
    if (defect(r.total_mismatch)) total_cents += rng_.Between(1, 5000);
    row[kTotal].SetNumber(Money(total_cents));
    if (defect(r.total_missing))
      row[kTotal].SetNull();
    else if (rng_.Chance(0.001))
      row[kTotal].SetNumber("-" + Money(total_cents));

    row[kCurrency].SetText(rng_.Pick(kCurrencies));
    if (defect(r.currency_missing))
      row[kCurrency].SetNull();
    else if (defect(r.currency_bad))
      row[kCurrency].SetText(rng_.Chance(0.5) ? "usd" : "CAD");

    // Recent: up to 29 days before the as-of time; stale: 31 to 400 days before. Nothing near
    // the 30-day boundary, so the rule does not hinge on sub-second arithmetic.
    int64_t age = rng_.Between(60, 29 * 86400);
    if (defect(r.stale)) age = rng_.Between(31 * 86400, 400 * 86400);
    const int micros = static_cast<int>(rng_.Below(1000000));
    const uint64_t fraction = rng_.Below(10);
    const int digits = fraction < 4 ? 0 : fraction < 8 ? 3 : 6;
    const char separator = rng_.Chance(0.05) ? ' ' : 'T';
    std::string ts = Timestamp(kAsOfSeconds - age, digits == 0 ? 0 : micros, rng_.Pick(kOffsets),
                               digits, separator);
    if (rng_.Chance(r.ts_no_offset)) {  // a local time without offset: not RFC 3339
      ts = Timestamp(kAsOfSeconds - age, 0, 0, 0, 'T');
      ts.pop_back();
    } else if (rng_.Chance(r.ts_invalid)) {
      ts = rng_.Chance(0.5) ? "2026-13-05T10:00:00Z" : "2026-02-30T08:15:00+01:00";
    }
    row[kOrderedAt].SetText(ts);
    if (rng_.Chance(r.ts_missing)) row[kOrderedAt].SetNull();

    if (rng_.Chance(0.1)) {
      row[kEmail].SetNull();  // optional field
    } else {
      s.assign(rng_.Pick(kFirstNames));
      s += '.';
      AppendInt(s, rng_.Between(1, 99999));
      s += '@';
      s += rng_.Pick(kDomains);
      if (defect(r.email_bad)) {
        switch (rng_.Below(4)) {
          case 0: s.replace(s.find('.'), 1, " "); break;  // a space
          case 1: s.resize(s.rfind('.')); break;          // no dot in the domain
          case 2: s.insert(s.find('@'), "@"); break;      // two @
          default: s.insert(s.rfind('.'), "."); break;    // .. in the domain
        }
      } else if (defect(r.email_long)) {
        s.insert(0, std::string(60, 'x'));
      }
      row[kEmail].SetText(s);
    }

    const uint64_t note = rng_.Below(100);
    if (defect(r.note_long))
      row[kNote].SetText(rng_.Pick(kLongNotes));
    else if (note < 20)
      row[kNote].SetText(rng_.Pick(kNotes));
    else
      row[kNote].SetNull();
  }

 private:
  Rng rng_;
  Rates rates_;
};

void AppendCsvCell(std::string& out, const Cell& c) {
  if (c.kind == Kind::kNull) return;  // an unquoted empty field is null
  const bool quote = c.text.empty() || c.text.find_first_of(",\"\r\n") != std::string::npos;
  if (!quote) {
    out += c.text;
    return;
  }
  out += '"';
  for (char ch : c.text) {
    if (ch == '"') out += '"';
    out += ch;
  }
  out += '"';
}

void AppendJsonString(std::string& out, std::string_view s) {
  out += '"';
  for (char ch : s) {
    const auto u = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      out += '\\', out += ch;
    } else if (u < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    } else {
      out += ch;
    }
  }
  out += '"';
}

int Usage(const char* why) {
  std::fprintf(stderr,
               "bench_data_generator: %s\nusage: bench_data_generator --rows N --seed S "
               "--format csv|ndjson --out PATH\n",
               why);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t rows = 0, seed = 42;
  bool have_rows = false;
  std::string format = "csv", out_path;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (i + 1 >= argc) return Usage("missing value");
    std::string_view value = argv[++i];
    auto number = [&](uint64_t& dst) {
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), dst);
      return ec == std::errc() && p == value.data() + value.size();
    };
    if (arg == "--rows") {
      if (!number(rows)) return Usage("--rows expects a number");
      have_rows = true;
    } else if (arg == "--seed") {
      if (!number(seed)) return Usage("--seed expects a number");
    } else if (arg == "--format") {
      format = value;
      if (format != "csv" && format != "ndjson") return Usage("--format is csv or ndjson");
    } else if (arg == "--out") {
      out_path = value;
    } else {
      return Usage("unknown option");
    }
  }
  if (!have_rows || out_path.empty()) return Usage("--rows and --out are required");

  // Write to PATH.tmp and rename, so an interrupted run never leaves a short file that
  // bench/run.mjs would take for a finished one.
  const std::string tmp_path = out_path + ".tmp";
  std::FILE* f = std::fopen(tmp_path.c_str(), "wb");
  if (f == nullptr) {
    std::perror(tmp_path.c_str());
    return 1;
  }
  const bool csv = format == "csv";
  std::string buf;
  buf.reserve(8 << 20);
  if (csv) {
    for (size_t i = 0; i < kFields.size(); ++i) {
      if (i) buf += ',';
      buf += kFields[i];
    }
    buf += '\n';
  }
  RowGenerator gen(seed);
  std::array<Cell, kNumFields> row;
  for (uint64_t n = 0; n < rows; ++n) {
    gen.Generate(n, row);
    if (csv) {
      for (size_t i = 0; i < kNumFields; ++i) {
        if (i) buf += ',';
        AppendCsvCell(buf, row[i]);
      }
    } else {
      buf += '{';
      bool first = true;
      for (size_t i = 0; i < kNumFields; ++i) {
        const Cell& c = row[i];
        // Half the nulls are written as null, half leave the key out: both are null.
        if (c.kind == Kind::kNull && (n + i) % 2 == 0) continue;
        if (!first) buf += ',';
        first = false;
        AppendJsonString(buf, kFields[i]);
        buf += ':';
        if (c.kind == Kind::kNull)
          buf += "null";
        else if (c.kind == Kind::kNumber)
          buf += c.text;
        else
          AppendJsonString(buf, c.text);
      }
      buf += '}';
    }
    buf += '\n';
    if (buf.size() > (7 << 20)) {
      if (std::fwrite(buf.data(), 1, buf.size(), f) != buf.size()) break;
      buf.clear();
    }
  }
  const bool ok = std::fwrite(buf.data(), 1, buf.size(), f) == buf.size() && std::fflush(f) == 0 &&
                  std::ferror(f) == 0;
  if (std::fclose(f) != 0 || !ok) {
    std::perror(tmp_path.c_str());
    std::remove(tmp_path.c_str());
    return 1;
  }
  if (std::rename(tmp_path.c_str(), out_path.c_str()) != 0) {
    std::perror(out_path.c_str());
    return 1;
  }
  return 0;
}
