#pragma once

// The sample sales rows (samples/sales_transactions_2026-11-2*.csv) as a CSV file and as SQL, so
// a database test can load the same rows into a table and compare its tiers with the CSV's.

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/test_util.h"

namespace assay::testing {

/// The rules the sales tests grade with (the CSV and the database tables alike), as YAML lines
/// of a source.
constexpr const char* kSampleSalesRules = R"(    rules:
      - {name: total_matches_lines, dimension: consistency, severity: error,
         expr: "abs(quantity * unit_price - total_amount) <= 0.01"}
      - {name: recent, dimension: timeliness, severity: warning,
         expr: "transaction_ts >= now() - interval '30 days'"}
)";

/// The entry of source `name` in a run's --summary-json output.
inline nlohmann::json SourceSummary(const CommandResult& r, const std::string& name) {
  nlohmann::json summary = nlohmann::json::parse(r.out, nullptr, false);
  for (const auto& s : summary["sources"]) {
    if (s["name"] == name) return s;
  }
  ADD_FAILURE() << "no source " << name << " in " << r.out;
  return {};
}

/// RFC 4180 fields of one record (quotes doubled inside quoted fields).
inline std::vector<std::string> SplitCsv(const std::string& record) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < record.size(); ++i) {
    const char c = record[i];
    if (quoted) {
      if (c == '"' && i + 1 < record.size() && record[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"' && fields.back().empty()) {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

struct SampleSales {
  std::vector<std::string> columns;            ///< the CSV header's names
  std::vector<std::vector<std::string>> rows;  ///< the well-formed records (13 fields)
  std::string csv;                             ///< header and those records, LF-terminated

  /// `CREATE TABLE <table>` with a TEXT column per field, then one INSERT per row (an empty
  /// field is NULL, as the CSV reader reads it). `backslash_escapes`: MySQL reads '\' in string
  /// literals as an escape, so it is doubled there.
  std::string Sql(const std::string& table, bool backslash_escapes) const {
    std::string sql = "CREATE TABLE " + table + " (";
    for (size_t c = 0; c < columns.size(); ++c) sql += (c ? ", " : "") + columns[c] + " TEXT";
    sql += ");\n";
    for (const auto& row : rows) {
      sql += "INSERT INTO " + table + " VALUES (";
      for (size_t c = 0; c < row.size(); ++c) {
        std::string quoted = "'";
        for (char ch : row[c]) {
          if (ch == '\'' || (backslash_escapes && ch == '\\')) quoted += ch;
          quoted += ch;
        }
        sql += (c ? ", " : "") + (row[c].empty() ? std::string("NULL") : quoted + "'");
      }
      sql += ");\n";
    }
    return sql;
  }
};

/// The samples' well-formed records; the malformed ones (wrong field count) have no table form.
inline SampleSales ReadSampleSales() {
  SampleSales sales;
  std::ostringstream csv;
  std::string header;
  for (const char* name :
       {"sales_transactions_2026-11-22.csv", "sales_transactions_2026-11-23.csv"}) {
    std::ifstream in(SourceDir() / "samples" / name);
    std::string line;
    std::getline(in, header);
    if (header.ends_with('\r')) header.pop_back();
    while (std::getline(in, line)) {
      if (line.ends_with('\r')) line.pop_back();  // the samples mix CRLF and LF on purpose
      std::vector<std::string> fields = SplitCsv(line);
      if (fields.size() != 13) continue;
      csv << line << "\n";
      sales.rows.push_back(std::move(fields));
    }
  }
  sales.columns = SplitCsv(header);
  sales.csv = header + "\n" + csv.str();
  return sales;
}

}  // namespace assay::testing
