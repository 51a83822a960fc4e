#include "quality/classifier.h"

#include <fmt/format.h>

#include <cstring>

#include "quality/field_checks.h"
#include "quality/rule_check.h"

namespace assay::quality {

namespace {
constexpr double kTolerance = 1e-9;
}

Result<std::unique_ptr<Classifier>> Classifier::Make(const schema::Schema& schema,
                                                     std::span<const RuleSpec> rules,
                                                     const ClassifierOptions& options) {
  std::vector<std::unique_ptr<Check>> checks;
  for (const schema::FieldCheck& spec : schema.checks) {
    ASSIGN_OR_RETURN(std::unique_ptr<Check> check, MakeFieldCheck(schema, spec, spec.field));
    checks.push_back(std::move(check));
  }
  std::vector<RuleField> fields;
  for (size_t i = 0; i < schema.fields.size(); ++i) {
    fields.push_back({schema.fields[i].name, schema.fields[i].type, i});
  }
  std::string errors;  // every rule is compiled, so one run reports every mistake
  for (const RuleSpec& rule : rules) {
    RuleOptions ro;
    ro.rule_name = rule.name;
    ro.now_us = options.now_us;
    Result<std::unique_ptr<CompiledRule>> result = CompiledRule::Compile(rule.expr, fields, ro);
    if (!result.ok()) {
      if (!errors.empty()) errors += "\n";
      if (!rule.location.empty()) errors += rule.location + ": ";
      errors += result.status().message();
      continue;
    }
    std::unique_ptr<CompiledRule> compiled = std::move(result).value();
    std::vector<size_t> columns;
    for (const std::string& name : compiled->referenced_fields()) {
      columns.push_back(static_cast<size_t>(schema.FindField(name)));
    }
    checks.push_back(
        std::make_unique<RuleCheck>(CheckInfo{rule.name, rule.dimension, rule.severity},
                                    std::move(compiled), std::move(columns)));
  }
  if (!errors.empty()) return InvalidArgument(std::move(errors));
  if (checks.size() > UINT16_MAX) return InvalidArgument("too many checks for one source");
  return std::make_unique<Classifier>(std::move(checks), options);
}

Classifier::Classifier(std::vector<std::unique_ptr<Check>> checks, const ClassifierOptions& options)
    : checks_(std::move(checks)), options_(options) {}

Tier Classifier::TierFor(bool parse_failed, bool critical_failed, bool error_failed, double score,
                         const ClassifierOptions& options) {
  if (parse_failed || critical_failed) return Tier::kRejected;
  if (!error_failed && score >= options.gold_min_score - kTolerance) return Tier::kGold;
  if (score >= options.silver_min_score - kTolerance) return Tier::kSilver;
  return Tier::kBronze;
}

void Classifier::Classify(const Batch& batch, Grades& out, EvalScratch& scratch) const {
  const size_t rows = batch.num_rows();
  const size_t num_checks = checks_.size();
  constexpr size_t kDims = schema::kNumDimensions;
  scratch.outcomes.resize(num_checks * rows);
  scratch.applicable.assign(kDims * rows, 0);
  scratch.passed.assign(kDims * rows, 0);
  scratch.critical_failed.assign(rows, 0);
  scratch.error_failed.assign(rows, 0);
  out.score.resize(rows);
  out.tier.resize(rows);
  out.failed_begin.assign(rows + 1, 0);
  out.failed.clear();

  // Every check over the whole batch, column-wise; outcomes are kept (checks x rows bytes) so
  // the failed-check lists can be filled without evaluating anything twice.
  std::vector<uint32_t>& counts = out.failed_begin;
  for (size_t c = 0; c < num_checks; ++c) {
    const Check& check = *checks_[c];
    std::span<uint8_t> outcome(scratch.outcomes.data() + c * rows, rows);
    check.Evaluate(batch, outcome, scratch);
    const size_t dim = static_cast<size_t>(check.info().dimension);
    uint16_t* __restrict applicable = scratch.applicable.data() + dim * rows;
    uint16_t* __restrict passed = scratch.passed.data() + dim * rows;
    const schema::Severity severity = check.info().severity;
    uint8_t* __restrict severe =
        severity == schema::Severity::kCritical ? scratch.critical_failed.data()
        : severity == schema::Severity::kError  ? scratch.error_failed.data()
                                                : nullptr;
    // Branch-free, so the compiler vectorises it; a parse error alone rejects its row, so its
    // check failures are not counted.
    const uint8_t* __restrict parse_failed = batch.parse_failed();
    const uint8_t* __restrict outcomes = outcome.data();
    uint32_t* __restrict failures = counts.data() + 1;
    for (size_t r = 0; r < rows; ++r) {
      const uint8_t o = outcomes[r];
      applicable[r] += static_cast<uint16_t>(o != kNotApplicable);
      passed[r] += static_cast<uint16_t>(o == kPass);
      failures[r] += static_cast<uint32_t>(o == kFail) & (parse_failed[r] ^ 1U);
    }
    if (severe != nullptr) {
      for (size_t r = 0; r < rows; ++r) {
        severe[r] |= static_cast<uint8_t>(outcomes[r] == kFail) & (parse_failed[r] ^ 1U);
      }
    }
  }
  for (size_t r = 0; r < rows; ++r) counts[r + 1] += counts[r];
  out.failed.resize(counts[rows]);
  if (counts[rows] > 0) {
    scratch.cursor.assign(counts.begin(), counts.end() - 1);
    for (size_t c = 0; c < num_checks; ++c) {
      const uint8_t* outcome = scratch.outcomes.data() + c * rows;
      size_t r = 0;
      while (r < rows) {
        // Failures are rare: skip eight outcomes at a time while none of them is kFail (0).
        if (r + 8 <= rows) {
          uint64_t word = 0;
          std::memcpy(&word, outcome + r, 8);
          if (((word - 0x0101010101010101ULL) & ~word & 0x8080808080808080ULL) == 0) {
            r += 8;
            continue;
          }
        }
        if (outcome[r] == kFail && !batch.has_parse_error(r)) {
          out.failed[scratch.cursor[r]++] = static_cast<uint16_t>(c);
        }
        ++r;
      }
    }
  }

  for (size_t r = 0; r < rows; ++r) {
    double weighted = 0, weights = 0;
    for (size_t d = 0; d < kDims; ++d) {
      const uint16_t applicable = scratch.applicable[d * rows + r];
      if (applicable == 0) continue;
      const double w = options_.weights[d];
      weighted += w * scratch.passed[d * rows + r] / applicable;
      weights += w;
    }
    const bool parse_failed = batch.has_parse_error(r);
    const double score = parse_failed ? 0.0 : weights > 0 ? weighted / weights : 1.0;
    out.score[r] = score;
    out.tier[r] =
        TierFor(parse_failed, scratch.critical_failed[r], scratch.error_failed[r], score, options_);
  }
}

}  // namespace assay::quality
