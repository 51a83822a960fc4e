// Stage: Parquet encode + compress (Sinks, DESIGN.md §4). sinks::ParquetWriter writes one typed
// batch as a gold-tier-like table (the 13 typed fields plus _score and _tier) to a fresh file:
// dictionary/PLAIN encoding, V1 pages, the codec under test, the footer and the fsync of Close.
// The file goes to /dev/shm when it exists so that the disk does not time the encoder.
// Reported: rows/s and value bytes/s (8 bytes per number or timestamp, string lengths; nulls
// count nothing), plus the file size and compression ratio as counters.

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "bench/micro/sales_data.h"
#include "core/tier.h"
#include "sinks/parquet_writer.h"

namespace assay::bench {
namespace {

namespace fs = std::filesystem;

sinks::ParquetType ParquetTypeFor(FieldType type) {
  switch (type) {
    case FieldType::kInteger: return sinks::ParquetType::kInt64;
    case FieldType::kNumber: return sinks::ParquetType::kDouble;
    case FieldType::kBoolean: return sinks::ParquetType::kBoolean;
    case FieldType::kTimestamp: return sinks::ParquetType::kTimestampMicros;
    case FieldType::kDate: return sinks::ParquetType::kDate;
    case FieldType::kString:
    case FieldType::kAny: return sinks::ParquetType::kString;
  }
  return sinks::ParquetType::kString;
}

fs::path OutputPath() {
  std::error_code ec;
  const fs::path dir =
      fs::is_directory("/dev/shm", ec) ? fs::path("/dev/shm") : fs::temp_directory_path();
  return dir / ("assay-micro-" + std::to_string(::getpid()) + ".parquet");
}

void ParquetWrite(benchmark::State& state, sinks::Compression codec) {
  const Batch& batch = TypedSalesBatch();
  const size_t rows = batch.num_rows();

  std::vector<sinks::ParquetColumnSpec> specs;
  std::vector<sinks::ColumnValues> values;
  uint64_t value_bytes = 0;
  for (const Column& col : batch.columns()) {
    specs.push_back({col.name, ParquetTypeFor(col.type), /*nullable=*/true});
    sinks::ColumnValues v;
    v.valid = col.valid.data();
    if (UsesInt64(col.type)) {
      v.i64 = col.i64.data();
    } else if (col.type == FieldType::kNumber) {
      v.f64 = col.f64.data();
    } else {
      v.str = col.str.data();
    }
    values.push_back(v);
    for (size_t r = 0; r < rows; ++r) {
      if (!col.valid[r]) continue;
      value_bytes += v.str != nullptr ? col.str[r].size() : 8;
    }
  }
  // _score and _tier, as every output table carries them (scores vary; tiers repeat).
  std::vector<double> score(rows);
  std::vector<std::string_view> tier(rows);
  for (size_t r = 0; r < rows; ++r) {
    score[r] = 0.8 + 0.2 * static_cast<double>(r % 7) / 6;
    tier[r] = TierName(r % 5 == 0 ? Tier::kSilver : Tier::kGold);
    value_bytes += 8 + tier[r].size();
  }
  specs.push_back({"_score", sinks::ParquetType::kDouble, /*nullable=*/false});
  values.push_back({nullptr, nullptr, score.data(), nullptr});
  specs.push_back({"_tier", sinks::ParquetType::kString, /*nullable=*/false});
  values.push_back({nullptr, nullptr, nullptr, tier.data()});

  sinks::ParquetWriterOptions options;  // zstd level 1, as the lake sink's default
  options.compression = codec;
  options.row_group_max_rows = size_t{128} * 1024;  // the lake sink's default
  const fs::path path = OutputPath();
  uint64_t file_bytes = 0;
  for (auto _ : state) {
    auto writer = sinks::ParquetWriter::Make(path, specs, options);
    if (!writer.ok()) {
      state.SkipWithError(writer.status().ToString().c_str());
      break;
    }
    Status st = (*writer)->Append(values, rows);
    if (st.ok()) st = (*writer)->Close();
    if (!st.ok()) {
      state.SkipWithError(st.ToString().c_str());
      break;
    }
    file_bytes = (*writer)->bytes_written();
  }
  std::error_code ec;
  fs::remove(path, ec);
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * value_bytes));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * rows));
  state.counters["file_bytes"] = static_cast<double>(file_bytes);
  state.counters["ratio"] =
      file_bytes > 0 ? static_cast<double>(value_bytes) / static_cast<double>(file_bytes) : 0;
}
BENCHMARK_CAPTURE(ParquetWrite, zstd, sinks::Compression::kZstd)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(ParquetWrite, snappy, sinks::Compression::kSnappy)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(ParquetWrite, none, sinks::Compression::kNone)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace assay::bench
