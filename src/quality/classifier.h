#pragma once

#include <array>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/batch.h"
#include "core/result.h"
#include "core/tier.h"
#include "quality/check.h"
#include "quality/eval_scratch.h"
#include "schema/schema.h"

namespace assay::quality {

/// A rule from the config (DESIGN.md §3a): an SQL boolean expression with a name, dimension and
/// severity.
struct RuleSpec {
  std::string name;
  schema::Dimension dimension = schema::Dimension::kConsistency;
  schema::Severity severity = schema::Severity::kError;
  std::string expr;
  std::string location;  ///< "file:line:column" of the expression, prefixed to compile errors
};

struct ClassifierOptions {
  double gold_min_score = 0.95;
  double silver_min_score = 0.80;
  /// Weight of each dimension in the score, indexed by schema::Dimension; default equal.
  std::array<double, schema::kNumDimensions> weights = {1, 1, 1, 1, 1};
  int64_t now_us = 0;  ///< the reference time of now() (`--as-of`)
};

/// Per-row grades of one batch: score, tier and the checks that failed (as indices into the
/// classifier's checks, compressed-row style).
struct Grades {
  std::vector<double> score;
  std::vector<Tier> tier;
  std::vector<uint32_t> failed_begin;  ///< size rows + 1
  std::vector<uint16_t> failed;        ///< check indices

  size_t num_rows() const { return tier.size(); }
  std::span<const uint16_t> failed_checks(size_t row) const {
    return {failed.data() + failed_begin[row], failed_begin[row + 1] - failed_begin[row]};
  }
};

/// Scores and grades rows: the quality model of DESIGN.md §3, exactly.
///  - dimension score = passed / applicable checks of that dimension; dimensions with no
///    applicable check are left out; score = weighted mean of the remaining dimension scores
///    (1.0 when no check applies at all);
///  - rejected: a critical check failed or the row could not be parsed;
///  - gold: no error-severity check failed and score >= gold_min_score;
///  - silver: score >= silver_min_score; bronze: everything else.
/// Thresholds compare with a 1e-9 tolerance. Immutable after Make: threads share one.
class Classifier {
 public:
  /// Builds the checks of `schema` (batch column i holds schema field i) and compiles `rules`.
  /// A rule that does not compile is a kInvalidArgument error naming the rule.
  static Result<std::unique_ptr<Classifier>> Make(const schema::Schema& schema,
                                                  std::span<const RuleSpec> rules,
                                                  const ClassifierOptions& options);

  /// For tests and custom pipelines: grade with an explicit list of checks.
  Classifier(std::vector<std::unique_ptr<Check>> checks, const ClassifierOptions& options);

  void Classify(const Batch& batch, Grades& out, EvalScratch& scratch) const;

  size_t num_checks() const { return checks_.size(); }
  const Check& check(size_t i) const { return *checks_[i]; }
  const ClassifierOptions& options() const { return options_; }

  /// Grades one row from its per-dimension counts (exposed for the documentation's worked
  /// example and its test).
  static Tier TierFor(bool parse_failed, bool critical_failed, bool error_failed, double score,
                      const ClassifierOptions& options);

 private:
  std::vector<std::unique_ptr<Check>> checks_;
  ClassifierOptions options_;
};

}  // namespace assay::quality
