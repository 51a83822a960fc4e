#pragma once

#include <memory>

#include "quality/check.h"
#include "quality/rule_expr.h"

namespace assay::quality {

/// A config rule as a check: the compiled SQL expression's TRUE passes, FALSE fails and NULL is
/// not applicable (DESIGN.md §3a).
class RuleCheck final : public Check {
 public:
  RuleCheck(CheckInfo info, std::unique_ptr<CompiledRule> rule, std::vector<size_t> columns)
      : Check(std::move(info)), rule_(std::move(rule)), columns_(std::move(columns)) {}

  void Evaluate(const Batch& batch, std::span<uint8_t> out, EvalScratch& scratch) const override;
  /// "<name>: <expr> is false (field='value', …)" with the values the rule read.
  std::string DescribeFailure(const Batch& batch, size_t row) const override;

 private:
  std::unique_ptr<CompiledRule> rule_;
  std::vector<size_t> columns_;  ///< batch columns the rule reads, for messages
};

}  // namespace assay::quality
