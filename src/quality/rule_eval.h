#pragma once

// Internal: the vectorised evaluator of typed rule trees. The public entry point is
// CompiledRule::Evaluate (rule_expr.h).

#include <cstddef>
#include <vector>

#include "core/batch.h"
#include "quality/rule_ast.h"
#include "quality/rule_vector.h"

namespace assay::quality {

/// The rows being evaluated: [start, start + rows) of `batch` (null while folding constants,
/// when no node reads a field).
struct EvalContext {
  const Batch* batch = nullptr;
  size_t start = 0;
  size_t rows = 0;
  ScratchSlots* scratch = nullptr;

  Slot& slot(int index) const { return scratch->slots[static_cast<size_t>(index)]; }
};

/// Which vectors each scratch slot needs; computed once per compiled rule.
struct SlotPlan {
  enum : uint8_t { kValid = 1, kInt64 = 2, kDouble = 4, kString = 8 };
  std::vector<uint8_t> needs;  ///< one mask per slot
};

/// Numbers the slots of every node in the tree (each node's output, plus the temporaries some
/// node kinds need) and records their storage.
void AssignSlots(Node& root, SlotPlan& plan);
/// Grows the scratch so that every slot of a plan's `needs` holds kChunkRows values of its storage.
void PrepareSlots(const std::vector<uint8_t>& needs, ScratchSlots& scratch);

/// Evaluates `node` over the context's rows. The view stays valid until the node is evaluated
/// again; views of distinct nodes never alias.
VecView EvalNode(const Node& node, const EvalContext& ctx);

/// out = (a op b) for a comparison op over values of `storage`, with SQL NULL propagation.
void CompareInto(BinaryOp op, Storage storage, const VecView& a, const VecView& b, size_t rows,
                 Slot& out);

/// Copies row `from` of `src` into row `to` of `out` (value and validity) for `storage`.
inline void CopyValue(Storage storage, const VecView& src, size_t from, Slot& out, size_t to) {
  out.valid[to] = src.valid[from];
  switch (storage) {
    case Storage::kInt64: out.i64[to] = src.i64[from]; break;
    case Storage::kDouble: out.f64[to] = src.f64[from]; break;
    case Storage::kString: out.str[to] = src.str[from]; break;
  }
}

/// Evaluates a constant subtree (no field references) and returns it as a literal node with the
/// same type and position.
NodePtr FoldToLiteral(Node& node);

/// Scratch slots beyond its output that a function call needs (rule_functions.cc).
int FunctionTempSlots(FunctionId id);
/// Evaluates a function call (rule_functions.cc).
VecView EvalCall(const Node& node, const EvalContext& ctx);

}  // namespace assay::quality
