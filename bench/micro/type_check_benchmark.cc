// Stage: type checks (the Decoder's typing step, DESIGN.md §1). schema::TypeBatch parses every
// cell of a decoded CSV batch into its schema type (integer, number, RFC 3339 timestamp, email
// format, plain string) and sets valid / type_failed. TypeCheckBatch types all 13 fields;
// TypeCheckField types one field so the cost of each kind of parse can be told apart.
// Reported: rows/s and field-text bytes/s (the non-null cell text that was parsed).

#include <benchmark/benchmark.h>

#include <string_view>

#include "bench/micro/sales_data.h"
#include "schema/typer.h"

namespace assay::bench {
namespace {

void TypeCheckBatch(benchmark::State& state) {
  // TypeBatch rewrites the typed vectors from raw/kind each time, so one batch serves every
  // iteration, as a fresh batch would (its vectors are already sized, as the pipeline's are not).
  Batch batch = DecodeSalesCsv(kBatchRows);
  const schema::Schema& schema = SalesSchema();
  for (auto _ : state) {
    schema::TypeBatch(schema, batch);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * FieldTextBytes(batch)));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * batch.num_rows()));
}
BENCHMARK(TypeCheckBatch)->Unit(benchmark::kMillisecond);

void TypeCheckField(benchmark::State& state, std::string_view field_name) {
  const Batch& decoded = TypedSalesBatch();  // its raw/kind are the decoder's output
  const int index = SalesSchema().FindField(field_name);
  if (index < 0) {
    state.SkipWithError("no such field");
    return;
  }
  schema::Schema one;
  one.fields.push_back(SalesSchema().fields[static_cast<size_t>(index)]);
  Batch batch;
  batch.AddColumn(one.fields[0].name);
  const Column& source = decoded.column(static_cast<size_t>(index));
  for (size_t r = 0; r < decoded.num_rows(); ++r) {
    batch.AppendRow(decoded.origin(r), decoded.record_text(r));
    batch.SetCell(r, 0, source.kind[r], source.raw[r]);
  }
  for (auto _ : state) {
    schema::TypeBatch(one, batch);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * FieldTextBytes(batch)));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * batch.num_rows()));
}
BENCHMARK_CAPTURE(TypeCheckField, integer, std::string_view("quantity"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(TypeCheckField, number, std::string_view("unit_price"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(TypeCheckField, timestamp, std::string_view("transaction_ts"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(TypeCheckField, email, std::string_view("customer_email"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(TypeCheckField, string, std::string_view("transaction_id"))
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace assay::bench
