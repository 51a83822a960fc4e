#include "quality/rule_check.h"

#include <fmt/format.h>

#include "quality/eval_scratch.h"

namespace assay::quality {

void RuleCheck::Evaluate(const Batch& batch, std::span<uint8_t> out, EvalScratch& scratch) const {
  static_assert(int{kRuleFalse} == int{kFail} && int{kRuleTrue} == int{kPass} &&
                int{kRuleNull} == int{kNotApplicable});
  rule_->Evaluate(batch, out, scratch.rule);
}

std::string RuleCheck::DescribeFailure(const Batch& batch, size_t row) const {
  std::string values;
  for (size_t c : columns_) {
    const Column& col = batch.column(c);
    if (!values.empty()) values += ", ";
    std::string_view raw = col.raw[row];
    if (col.kind[row] == CellKind::kNull) {
      values += fmt::format("{}=null", col.name);
    } else {
      values += fmt::format("{}='{}'", col.name, raw.substr(0, 80));
    }
  }
  return fmt::format("{}: {} is false ({})", info().name, rule_->expression(), values);
}

}  // namespace assay::quality
