// Stage: scoring and tiering (Classifier, DESIGN.md §3). Score isolates the classifier's own
// work: per-dimension counts, the weighted score, the tier and the failed-check lists, fed by
// checks that replay outcomes computed once (the replay is a memcpy per check). Classify is the
// whole classifier stage as the pipeline runs it: the sales schema's 36 checks, its 2 rules and
// the scoring. Reported: rows/s.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "bench/micro/sales_data.h"
#include "quality/classifier.h"
#include "quality/eval_scratch.h"

namespace assay::bench {
namespace {

// A check whose outcomes were computed beforehand: lets Score time the scoring alone.
class ReplayCheck final : public quality::Check {
 public:
  ReplayCheck(quality::CheckInfo info, std::vector<uint8_t> outcomes)
      : Check(std::move(info)), outcomes_(std::move(outcomes)) {}
  void Evaluate(const Batch& /*batch*/, std::span<uint8_t> out,
                quality::EvalScratch& /*scratch*/) const override {
    std::copy_n(outcomes_.begin(), std::min(out.size(), outcomes_.size()), out.begin());
  }
  std::string DescribeFailure(const Batch& /*batch*/, size_t /*row*/) const override {
    return info().name;
  }

 private:
  std::vector<uint8_t> outcomes_;
};

quality::ClassifierOptions Options() {
  quality::ClassifierOptions options;
  options.now_us = kAsOfUs;
  return options;
}

std::unique_ptr<quality::Classifier> SalesClassifier() {
  const std::vector<quality::RuleSpec> rules = SalesRules();
  Result<std::unique_ptr<quality::Classifier>> classifier =
      quality::Classifier::Make(SalesSchema(), rules, Options());
  return classifier.ok() ? std::move(classifier).value() : nullptr;
}

void Score(benchmark::State& state) {
  const Batch& batch = TypedSalesBatch();
  std::unique_ptr<quality::Classifier> real = SalesClassifier();
  if (!real) {
    state.SkipWithError("the sales classifier does not build");
    return;
  }
  quality::EvalScratch scratch;
  std::vector<std::unique_ptr<quality::Check>> replays;
  for (size_t c = 0; c < real->num_checks(); ++c) {
    std::vector<uint8_t> outcomes(batch.num_rows());
    real->check(c).Evaluate(batch, outcomes, scratch);
    replays.push_back(std::make_unique<ReplayCheck>(real->check(c).info(), std::move(outcomes)));
  }
  const quality::Classifier classifier(std::move(replays), Options());
  quality::Grades grades;
  for (auto _ : state) {
    classifier.Classify(batch, grades, scratch);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * batch.num_rows()));
  state.counters["checks"] = static_cast<double>(classifier.num_checks());
}
BENCHMARK(Score)->Unit(benchmark::kMillisecond);

void Classify(benchmark::State& state) {
  const Batch& batch = TypedSalesBatch();
  std::unique_ptr<quality::Classifier> classifier = SalesClassifier();
  if (!classifier) {
    state.SkipWithError("the sales classifier does not build");
    return;
  }
  quality::EvalScratch scratch;
  quality::Grades grades;
  for (auto _ : state) {
    classifier->Classify(batch, grades, scratch);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * batch.num_rows()));
  state.counters["checks"] = static_cast<double>(classifier->num_checks());
  // The share of gold rows, to show the input is graded as intended (not all gold, not none).
  size_t gold = 0;
  for (Tier t : grades.tier) gold += t == Tier::kGold;
  state.counters["gold_pct"] = 100.0 * static_cast<double>(gold) / batch.num_rows();
}
BENCHMARK(Classify)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace assay::bench
