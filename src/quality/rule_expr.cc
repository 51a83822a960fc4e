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

namespace {

// outcome = valid ? value : kRuleNull, over restrict pointers so that it vectorises.
template <bool kConst>
void OutcomeLoop(const uint8_t* __restrict valid, const int64_t* __restrict value, size_t n,
                 uint8_t* __restrict out) {
  for (size_t i = 0; i < n; ++i) {
    const size_t k = kConst ? 0 : i;
    out[i] = valid[k] ? static_cast<uint8_t>(value[k] != 0) : kRuleNull;
  }
}

void WriteOutcomes(const VecView& v, size_t n, uint8_t* out) {
  if (v.constant) {
    OutcomeLoop<true>(v.valid, v.i64, n, out);
  } else if (n == kChunkRows) {
    OutcomeLoop<false>(v.valid, v.i64, kChunkRows, out);
  } else {
    OutcomeLoop<false>(v.valid, v.i64, n, out);
  }
}

}  // namespace

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
    WriteOutcomes(v, ctx.rows, result.data() + start);
  }
}

std::string CompiledRule::DebugString() const { return ToSExpr(*root_); }

}  // namespace assay::quality
