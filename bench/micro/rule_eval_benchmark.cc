// Stage: rule evaluation (Classifier, DESIGN.md §3a): an SQL rule compiled once by
// quality::CompiledRule and evaluated, vectorised, over one typed batch. The first two are the
// sales rules of config/data_sources.yml; the others cover the predicates and functions users
// write most (IN, BETWEEN, LIKE, string functions, regexp_matches). Reported: rows/s.

#include <benchmark/benchmark.h>

#include <memory>
#include <string_view>
#include <vector>

#include "bench/micro/sales_data.h"
#include "quality/rule_expr.h"

namespace assay::bench {
namespace {

void RuleEval(benchmark::State& state, std::string_view expr) {
  const Batch& batch = TypedSalesBatch();
  const schema::Schema& schema = SalesSchema();
  std::vector<quality::RuleField> fields;
  for (size_t i = 0; i < schema.fields.size(); ++i) {
    fields.push_back({schema.fields[i].name, schema.fields[i].type, i});
  }
  quality::RuleOptions options;
  options.now_us = kAsOfUs;
  Result<std::unique_ptr<quality::CompiledRule>> rule =
      quality::CompiledRule::Compile(expr, fields, options);
  if (!rule.ok()) {
    state.SkipWithError(rule.status().ToString().c_str());
    return;
  }
  std::vector<uint8_t> outcomes(batch.num_rows());
  quality::RuleScratch scratch;
  for (auto _ : state) {
    (*rule)->Evaluate(batch, outcomes, scratch);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * batch.num_rows()));
}
BENCHMARK_CAPTURE(RuleEval, total_matches_lines,
                  std::string_view("abs(quantity * unit_price - total_amount) <= 0.01"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(RuleEval, recent,
                  std::string_view("transaction_ts >= now() - interval '30 days'"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(RuleEval, in_and_between,
                  std::string_view("currency IN ('USD', 'EUR') AND quantity BETWEEN 1 AND 10"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(RuleEval, like, std::string_view("customer_email LIKE '%@example.com'"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(RuleEval, string_functions,
                  std::string_view("lower(trim(channel)) = 'online' OR store_id <> 'WEB'"))
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(RuleEval, regexp_matches,
                  std::string_view("regexp_matches(product_id, '^SKU-(ABC|XYZ)-')"))
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace assay::bench
