#pragma once

// What the database drivers' tests against real servers share: reading a whole result, checking
// a type-mapping row, streaming with the process's RSS watched, and watermark round trips.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "sources/database/database.h"
#include "sources/database/database_reader.h"
#include "tests/sanitizers.h"

namespace assay::sources::db::testing {

struct Cell {
  DbType type;
  std::optional<std::string> value;
};
using Rows = std::vector<std::vector<Cell>>;

/// A field of /proc/self/status in KiB (VmRSS, VmHWM), -1 when absent.
inline long ProcStatusKiB(const std::string& key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with(key + ":")) return std::stol(line.substr(key.size() + 1));
  }
  return -1;
}

/// Every row of `sql`, fetched 3 at a time (so chunks end mid-result); fails the test on error.
inline Rows ReadAll(DbConnection& connection, const std::string& sql,
                    const std::vector<DbParam>& params = {},
                    std::vector<DbColumn>* columns = nullptr) {
  Result<std::unique_ptr<DbCursor>> cursor = connection.Query(sql, params);
  EXPECT_TRUE(cursor.ok()) << cursor.status().message();
  if (!cursor.ok()) return {};
  if (columns) *columns = (*cursor)->columns();
  const size_t n = (*cursor)->columns().size();
  Rows rows;
  RowChunk chunk;
  while (true) {
    chunk.Clear();
    Result<size_t> got = (*cursor)->Fetch(chunk, 3);
    EXPECT_TRUE(got.ok()) << got.status().message();
    if (!got.ok() || *got == 0) break;
    for (size_t r = 0; r < chunk.num_rows; ++r) {
      std::vector<Cell> row;
      for (size_t c = 0; c < n; ++c) {
        const RowChunk::Cell& cell = chunk.cells[r * n + c];
        row.push_back(Cell{
            cell.type, cell.null ? std::nullopt : std::optional<std::string>(chunk.value(cell))});
      }
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

struct ExpectedColumn {
  std::string name;
  DbType type;
  std::string text;         ///< the first row's value
  std::string native = "";  ///< the database's type name; "" = not checked
};

/// Checks the columns against `expected`, the first row's values and types, and that the second
/// row is all NULL, each NULL typed as its column.
inline void ExpectTypeRows(const std::vector<DbColumn>& columns, const Rows& rows,
                           const std::vector<ExpectedColumn>& expected) {
  ASSERT_EQ(columns.size(), expected.size());
  ASSERT_GE(rows.size(), 2U);
  for (size_t c = 0; c < expected.size(); ++c) {
    const ExpectedColumn& e = expected[c];
    SCOPED_TRACE(e.name + " (" + columns[c].native_type + ")");
    EXPECT_EQ(columns[c].name, e.name);
    EXPECT_EQ(columns[c].type, e.type) << DbTypeName(columns[c].type);
    if (!e.native.empty()) {
      EXPECT_EQ(columns[c].native_type, e.native);
    }
    EXPECT_EQ(rows[0][c].type, e.type) << DbTypeName(rows[0][c].type);
    EXPECT_EQ(rows[0][c].value, e.text);
    EXPECT_EQ(rows[1][c].value, std::nullopt);
    EXPECT_EQ(rows[1][c].type, e.type);
  }
}

struct StreamFigures {
  size_t rows = 0;
  uint64_t bytes = 0;  ///< the values' text
  long rss_before_kib = 0, rss_peak_kib = 0;
};

/// Reads `cursor` to its end in chunks of `fetch_rows`, reusing one chunk as a reader does,
/// and watches the RSS after every chunk. `rss_before_kib` is the RSS before the query ran: a
/// driver that reads the whole result when the query executes has grown by then.
inline StreamFigures StreamAll(DbCursor& cursor, size_t fetch_rows, long rss_before_kib) {
  StreamFigures figures;
  figures.rss_before_kib = rss_before_kib;
  figures.rss_peak_kib = std::max(rss_before_kib, ProcStatusKiB("VmRSS"));
  RowChunk chunk;
  while (true) {
    chunk.Clear();
    Result<size_t> got = cursor.Fetch(chunk, fetch_rows);
    EXPECT_TRUE(got.ok()) << got.status().message();
    if (!got.ok() || *got == 0) break;
    figures.rows += *got;
    figures.bytes += chunk.bytes.size();
    figures.rss_peak_kib = std::max(figures.rss_peak_kib, ProcStatusKiB("VmRSS"));
  }
  return figures;
}

/// Streams a million-row result of at least 150 MB of values and checks that the process's RSS
/// grew by less than 32 MB: the driver streamed rather than buffered. Prints the figures.
inline void ExpectAMillionRowsInBoundedMemory(DbCursor& cursor, const std::string& label,
                                              long rss_before_query_kib) {
  const StreamFigures f = StreamAll(cursor, 10'000, rss_before_query_kib);
  EXPECT_EQ(f.rows, 1'000'000U);
  const long growth_kib = f.rss_peak_kib - f.rss_before_kib;
  std::printf(
      "[ figures  ] %s: 1,000,000 rows, %.1f MB of values: RSS %ld KiB before, peak %ld "
      "KiB (+%ld KiB)\n",
      label.c_str(), static_cast<double>(f.bytes) / 1e6, f.rss_before_kib, f.rss_peak_kib,
      growth_kib);
  ::testing::Test::RecordProperty("rss_growth_kib", std::to_string(growth_kib));
  EXPECT_GT(f.bytes, 150'000'000U);  // the data really was large
  if (!assay::testing::kAddressSanitizer) {
    EXPECT_LT(growth_kib, 32 * 1024) << "the result was buffered, not streamed";
  }
}

/// Reads `cursor` on after its server was stopped: rows still in socket buffers may arrive, but
/// the result must end in an error (kUnavailable), never in a clean end or a hang.
inline void ExpectReadFailsAfterServerLoss(DbCursor& cursor, size_t total_rows) {
  Status failed = Status::Ok();
  size_t rows = 0;
  RowChunk chunk;
  while (failed.ok()) {
    chunk.Clear();
    Result<size_t> got = cursor.Fetch(chunk, 10'000);
    if (!got.ok()) {
      failed = got.status();
    } else if (*got == 0) {
      break;
    } else {
      rows += *got;
    }
  }
  ASSERT_FALSE(failed.ok()) << "read " << rows << " more rows and then a clean end";
  EXPECT_EQ(failed.code(), StatusCode::kUnavailable) << failed.message();
  EXPECT_LT(rows, total_rows);
}

/// Rows after each row's value of column `index`, through BuildSelect's watermark query, must
/// be exactly the later rows: the bound parameter compares as the stored value does.
inline void ExpectWatermarkRoundTrip(DbConnection& connection, const std::string& table,
                                     const std::string& column, size_t index, size_t total) {
  SCOPED_TRACE(column);
  ReadRequest request;
  request.table = table;
  request.watermark_column = column;
  std::vector<DbParam> none;
  Rows all = ReadAll(connection, BuildSelect(request, connection.dialect(), none));
  ASSERT_EQ(all.size(), total);
  for (size_t k = 0; k < total; ++k) {
    request.watermark_after = DbParam{all[k][index].type, *all[k][index].value};
    std::vector<DbParam> params;
    const std::string sql = BuildSelect(request, connection.dialect(), params);
    Rows after = ReadAll(connection, sql, params);
    ASSERT_EQ(after.size(), total - k - 1) << sql << " with " << params[0].text;
    if (!after.empty()) {
      EXPECT_EQ(after[0][index].value, all[k + 1][index].value);
    }
  }
}

}  // namespace assay::sources::db::testing
