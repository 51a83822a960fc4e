// Stage: CSV split (Source -> Decoder, DESIGN.md §1). CsvReader turns one batch worth of sales
// CSV into the raw/kind cells of a fresh Batch, reading through the ByteStream interface as it
// does from a file (without the disk). Reported: input bytes/s and rows/s.

#include <benchmark/benchmark.h>

#include "bench/micro/sales_data.h"
#include "sources/csv_reader.h"

namespace assay::bench {
namespace {

void CsvSplit(benchmark::State& state) {
  const size_t rows = static_cast<size_t>(state.range(0));
  const std::string& csv = SalesCsv(rows);
  for (auto _ : state) {
    Batch batch;
    for (const std::string& name : SalesFields()) batch.AddColumn(name);
    const uint32_t unit = batch.AddUnit("<bench>");
    auto reader =
        sources::CsvReader::Make(ViewStream(csv), unit, sources::CsvOptions{}, SalesFields());
    if (!reader.ok()) {
      state.SkipWithError(reader.status().ToString().c_str());
      break;
    }
    Result<size_t> read = (*reader)->ReadBatch(batch, rows);
    if (!read.ok() || *read != rows) {
      state.SkipWithError("CsvReader did not return every row");
      break;
    }
    benchmark::DoNotOptimize(batch.num_rows());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * csv.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * rows));
}
BENCHMARK(CsvSplit)->Arg(kBatchRows)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace assay::bench
