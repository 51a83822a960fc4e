// Stage: NDJSON parse (Source -> Decoder, DESIGN.md §1). JsonReader (simdjson On Demand)
// validates each line and turns one batch worth of sales NDJSON into the cells of a fresh Batch,
// reading through the ByteStream interface as from a file. Reported: input bytes/s and rows/s.

#include <benchmark/benchmark.h>

#include "bench/micro/sales_data.h"
#include "sources/json_reader.h"

namespace assay::bench {
namespace {

void NdjsonParse(benchmark::State& state) {
  const size_t rows = static_cast<size_t>(state.range(0));
  const std::string& ndjson = SalesNdjson(rows);
  sources::JsonOptions options;
  options.format = sources::JsonFormat::kNdjson;
  for (auto _ : state) {
    Batch batch;
    for (const std::string& name : SalesFields()) batch.AddColumn(name);
    const uint32_t unit = batch.AddUnit("<bench>");
    auto reader = sources::JsonReader::Make(ViewStream(ndjson), unit, options, SalesFields());
    if (!reader.ok()) {
      state.SkipWithError(reader.status().ToString().c_str());
      break;
    }
    Result<size_t> read = (*reader)->ReadBatch(batch, rows);
    if (!read.ok() || *read != rows) {
      state.SkipWithError("JsonReader did not return every row");
      break;
    }
    benchmark::DoNotOptimize(batch.num_rows());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * ndjson.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * rows));
}
BENCHMARK(NdjsonParse)->Arg(kBatchRows)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace assay::bench
