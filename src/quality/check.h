#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "core/batch.h"
#include "schema/check.h"

namespace assay::quality {

/// The outcome of one check on one row. The values match the rule evaluator's SQL truth values
/// (false, true, NULL), because a rule that evaluates to NULL is not applicable (DESIGN §3a).
enum Outcome : uint8_t { kFail = 0, kPass = 1, kNotApplicable = 2 };

/// What the classifier needs to know of a check to score it.
struct CheckInfo {
  std::string name;  ///< the name in `_failed`: `<field>.<keyword>` or the rule's name
  schema::Dimension dimension = schema::Dimension::kAccuracy;
  schema::Severity severity = schema::Severity::kError;
};

struct EvalScratch;

/// One check, evaluated a batch at a time into one outcome per row. Implementations are
/// immutable after construction, so one instance serves every worker thread.
class Check {
 public:
  explicit Check(CheckInfo info) : info_(std::move(info)) {}
  virtual ~Check() = default;

  const CheckInfo& info() const { return info_; }

  /// Writes one Outcome per row of `batch` into `out` (size num_rows). Rows with a parse error
  /// may get any outcome: the classifier rejects them before looking.
  virtual void Evaluate(const Batch& batch, std::span<uint8_t> out, EvalScratch& scratch) const = 0;

  /// A one-line explanation of why `row` failed, for the rejected tier's `_errors`.
  virtual std::string DescribeFailure(const Batch& batch, size_t row) const = 0;

 private:
  CheckInfo info_;
};

}  // namespace assay::quality
