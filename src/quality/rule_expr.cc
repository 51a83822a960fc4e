#include "quality/rule_expr.h"

#include <algorithm>

#include "quality/rule_ast.h"
#include "quality/rule_error.h"
#include "quality/rule_eval.h"
#include "quality/rule_parser.h"
#include "quality/rule_typecheck.h"
#include "quality/rule_vector.h"

namespace assay::quality {

RuleScratch::RuleScratch() : slots_(std::make_unique<ScratchSlots>()) {}
RuleScratch::~RuleScratch() = default;
RuleScratch::RuleScratch(RuleScratch&&) noexcept = default;
RuleScratch& RuleScratch::operator=(RuleScratch&&) noexcept = default;

CompiledRule::CompiledRule() = default;
CompiledRule::~CompiledRule() = default;

Result<std::unique_ptr<CompiledRule>> CompiledRule::Compile(std::string_view expr,
                                                            std::span<const RuleField> fields,
                                                            const RuleOptions& options) {
  const RuleSource source{options.rule_name, expr};
  ASSIGN_OR_RETURN(NodePtr root, ParseRule(source));
  TypeChecker checker(source, fields, options.now_us);
  RETURN_IF_ERROR(checker.CheckRule(root));

  std::unique_ptr<CompiledRule> rule(new CompiledRule());
  rule->expr_ = std::string(expr);
  rule->referenced_ = checker.referenced();
  SlotPlan plan;
  AssignSlots(*root, plan);
  rule->slot_needs_ = std::move(plan.needs);
  rule->root_ = std::move(root);
  return rule;
}

void CompiledRule::Evaluate(const Batch& batch, std::span<uint8_t> result,
                            RuleScratch& scratch) const {
  const size_t rows = std::min(batch.num_rows(), result.size());
  ScratchSlots& slots = *scratch.slots_;
  PrepareSlots(slot_needs_, slots);
  for (size_t start = 0; start < rows; start += kChunkRows) {
    const EvalContext ctx{&batch, start, std::min(kChunkRows, rows - start), &slots};
    const VecView v = EvalNode(*root_, ctx);
    uint8_t* out = result.data() + start;
    for (size_t i = 0; i < ctx.rows; ++i) {
      const size_t k = At(v, i);
      out[i] = v.valid[k] ? static_cast<uint8_t>(v.i64[k] != 0) : kRuleNull;
    }
  }
}

std::string CompiledRule::DebugString() const { return ToSExpr(*root_); }

}  // namespace assay::quality
