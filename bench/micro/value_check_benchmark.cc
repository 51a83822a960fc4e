// Stage: value checks (Classifier, DESIGN.md §3a): the accuracy checks a schema derives from
// `pattern` (RE2 full match), `enum`, `minimum`/`maximum`/`exclusiveMinimum` and `maxLength`,
// each built by quality::MakeFieldCheck and evaluated over one typed batch. FieldChecksAll runs
// every check the sales schema derives (36: required, type and value checks) as the classifier
// does before scoring. Reported: rows/s (rows checked; for FieldChecksAll, rows through all 36).

#include <benchmark/benchmark.h>

#include <memory>
#include <string_view>
#include <vector>

#include "bench/micro/sales_data.h"
#include "quality/eval_scratch.h"
#include "quality/field_checks.h"

namespace assay::bench {
namespace {

// The schema's check called `name` (`<field>.<keyword>`), built as the classifier builds it.
std::unique_ptr<quality::Check> FindCheck(std::string_view name) {
  const schema::Schema& schema = SalesSchema();
  for (const schema::FieldCheck& spec : schema.checks) {
    if (spec.name != name) continue;
    Result<std::unique_ptr<quality::Check>> check =
        quality::MakeFieldCheck(schema, spec, spec.field);
    return check.ok() ? std::move(check).value() : nullptr;
  }
  return nullptr;
}

void ValueCheck(benchmark::State& state, std::string_view check_name) {
  const Batch& batch = TypedSalesBatch();
  std::unique_ptr<quality::Check> check = FindCheck(check_name);
  if (!check) {
    state.SkipWithError("no such check in the sales schema");
    return;
  }
  std::vector<uint8_t> outcomes(batch.num_rows());
  quality::EvalScratch scratch;
  for (auto _ : state) {
    check->Evaluate(batch, outcomes, scratch);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * batch.num_rows()));
}
BENCHMARK_CAPTURE(ValueCheck, pattern_transaction_id, std::string_view("transaction_id.pattern"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(ValueCheck, pattern_product_id, std::string_view("product_id.pattern"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(ValueCheck, pattern_store_id, std::string_view("store_id.pattern"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(ValueCheck, enum_currency, std::string_view("currency.enum"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(ValueCheck, range_quantity_minimum, std::string_view("quantity.minimum"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(ValueCheck, range_unit_price_exclusive_minimum,
                  std::string_view("unit_price.exclusiveMinimum"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(ValueCheck, length_customer_email, std::string_view("customer_email.maxLength"))
    ->Unit(benchmark::kMillisecond);

void FieldChecksAll(benchmark::State& state) {
  const Batch& batch = TypedSalesBatch();
  const schema::Schema& schema = SalesSchema();
  std::vector<std::unique_ptr<quality::Check>> checks;
  for (const schema::FieldCheck& spec : schema.checks) {
    Result<std::unique_ptr<quality::Check>> check =
        quality::MakeFieldCheck(schema, spec, spec.field);
    if (!check.ok()) {
      state.SkipWithError(check.status().ToString().c_str());
      return;
    }
    checks.push_back(std::move(check).value());
  }
  std::vector<uint8_t> outcomes(batch.num_rows());
  quality::EvalScratch scratch;
  for (auto _ : state) {
    for (const auto& check : checks) check->Evaluate(batch, outcomes, scratch);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * batch.num_rows()));
  state.counters["checks"] = static_cast<double>(checks.size());
}
BENCHMARK(FieldChecksAll)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace assay::bench
