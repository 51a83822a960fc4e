#include "quality/rule_eval.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <type_traits>

#include "core/value_parse.h"
#include "quality/rule_cast.h"
#include "quality/rule_pattern.h"

namespace assay::quality {
namespace {

using ConstTrue = std::true_type;
using ConstFalse = std::false_type;

// Calls f(i, ia, ib) for every row, with ia / ib folded to 0 at compile time for constant
// inputs, so that each of the four variants is a plain loop the compiler can vectorise.
template <typename F>
inline void ForRows2(const VecView& a, const VecView& b, size_t n, F&& f) {
  auto run = [&](auto a_const, auto b_const) {
    for (size_t i = 0; i < n; ++i) f(i, a_const ? 0 : i, b_const ? 0 : i);
  };
  if (a.constant) {
    b.constant ? run(ConstTrue{}, ConstTrue{}) : run(ConstTrue{}, ConstFalse{});
  } else {
    b.constant ? run(ConstFalse{}, ConstTrue{}) : run(ConstFalse{}, ConstFalse{});
  }
}

// The loop of BinaryKernel for one combination of constant inputs. The restrict pointers let
// the compiler vectorise without run-time alias checks.
// Full chunks run with a compile-time trip count, which GCC's -O2 vectoriser requires.
template <bool kAConst, bool kBConst, typename A, typename B, typename R, typename Op>
inline void BinaryLoop(const A* __restrict ad, const uint8_t* __restrict av, const B* __restrict bd,
                       const uint8_t* __restrict bv, size_t n, R* __restrict out,
                       uint8_t* __restrict valid, Op op) {
  if (n == kChunkRows) {
    for (size_t i = 0; i < kChunkRows; ++i) {
      const size_t ia = kAConst ? 0 : i;
      const size_t ib = kBConst ? 0 : i;
      const bool ok = op(ad[ia], bd[ib], out[i]);
      valid[i] = static_cast<uint8_t>(av[ia] & bv[ib] & static_cast<uint8_t>(ok));
    }
    return;
  }
  for (size_t i = 0; i < n; ++i) {
    const size_t ia = kAConst ? 0 : i;
    const size_t ib = kBConst ? 0 : i;
    const bool ok = op(ad[ia], bd[ib], out[i]);
    valid[i] = static_cast<uint8_t>(av[ia] & bv[ib] & static_cast<uint8_t>(ok));
  }
}

// out[i] = op(a, b) where op returns false for "no value" (overflow, division by zero).
template <typename A, typename B, typename R, typename Op>
inline void BinaryKernel(const VecView& a, const A* ad, const VecView& b, const B* bd, size_t n,
                         R* out, uint8_t* valid, Op op) {
  if (a.constant) {
    if (b.constant) {
      BinaryLoop<true, true>(ad, a.valid, bd, b.valid, n, out, valid, op);
    } else {
      BinaryLoop<true, false>(ad, a.valid, bd, b.valid, n, out, valid, op);
    }
  } else if (b.constant) {
    BinaryLoop<false, true>(ad, a.valid, bd, b.valid, n, out, valid, op);
  } else {
    BinaryLoop<false, false>(ad, a.valid, bd, b.valid, n, out, valid, op);
  }
}

template <typename T>
void ArithInt(BinaryOp op, const VecView& a, const VecView& b, size_t n, Slot& out) {
  const int64_t* x = a.i64;
  const int64_t* y = b.i64;
  int64_t* r = out.i64.data();
  uint8_t* v = out.valid.data();
  switch (op) {
    case BinaryOp::kAdd:
      BinaryKernel(a, x, b, y, n, r, v, [](int64_t p, int64_t q, int64_t& o) {
        return !__builtin_add_overflow(p, q, &o);
      });
      break;
    case BinaryOp::kSub:
      BinaryKernel(a, x, b, y, n, r, v, [](int64_t p, int64_t q, int64_t& o) {
        return !__builtin_sub_overflow(p, q, &o);
      });
      break;
    case BinaryOp::kMul:
      BinaryKernel(a, x, b, y, n, r, v, [](int64_t p, int64_t q, int64_t& o) {
        return !__builtin_mul_overflow(p, q, &o);
      });
      break;
    case BinaryOp::kDiv:  // the type checker turns integer / into a float division
    case BinaryOp::kIntDiv:
      BinaryKernel(a, x, b, y, n, r, v, [](int64_t p, int64_t q, int64_t& o) {
        if (q == 0 || (q == -1 && p == std::numeric_limits<int64_t>::min())) {
          o = 0;
          return false;
        }
        o = p / q;
        return true;
      });
      break;
    case BinaryOp::kMod:
      BinaryKernel(a, x, b, y, n, r, v, [](int64_t p, int64_t q, int64_t& o) {
        if (q == 0) {
          o = 0;
          return false;
        }
        o = q == -1 ? 0 : p % q;
        return true;
      });
      break;
    default: break;
  }
}

void ArithDouble(BinaryOp op, const VecView& a, const VecView& b, size_t n, Slot& out) {
  const double* x = a.f64;
  const double* y = b.f64;
  double* r = out.f64.data();
  uint8_t* v = out.valid.data();
  switch (op) {
    case BinaryOp::kAdd:
      BinaryKernel(a, x, b, y, n, r, v, [](double p, double q, double& o) {
        o = p + q;
        return true;
      });
      break;
    case BinaryOp::kSub:
      BinaryKernel(a, x, b, y, n, r, v, [](double p, double q, double& o) {
        o = p - q;
        return true;
      });
      break;
    case BinaryOp::kMul:
      BinaryKernel(a, x, b, y, n, r, v, [](double p, double q, double& o) {
        o = p * q;
        return true;
      });
      break;
    case BinaryOp::kDiv:
      BinaryKernel(a, x, b, y, n, r, v, [](double p, double q, double& o) {
        // Division by zero is NULL, as in DuckDB, rather than an infinity.
        o = q == 0 ? 0 : p / q;
        return q != 0;
      });
      break;
    case BinaryOp::kIntDiv:
      BinaryKernel(a, x, b, y, n, r, v, [](double p, double q, double& o) {
        o = q == 0 ? 0 : std::trunc(p / q);
        return q != 0;
      });
      break;
    case BinaryOp::kMod:
      BinaryKernel(a, x, b, y, n, r, v, [](double p, double q, double& o) {
        o = q == 0 ? 0 : std::fmod(p, q);
        return q != 0;
      });
      break;
    default: break;
  }
}

template <typename T>
void CompareTyped(BinaryOp op, const VecView& a, const T* x, const VecView& b, const T* y, size_t n,
                  Slot& out) {
  int64_t* r = out.i64.data();
  uint8_t* v = out.valid.data();
  auto cmp = [&](auto pred) {
    BinaryKernel(a, x, b, y, n, r, v, [pred](const T& p, const T& q, int64_t& o) {
      o = pred(p, q);
      return true;
    });
  };
  switch (op) {
    case BinaryOp::kEq: cmp([](const T& p, const T& q) { return p == q; }); break;
    case BinaryOp::kNe: cmp([](const T& p, const T& q) { return p != q; }); break;
    case BinaryOp::kLt: cmp([](const T& p, const T& q) { return p < q; }); break;
    case BinaryOp::kLe: cmp([](const T& p, const T& q) { return p <= q; }); break;
    case BinaryOp::kGt: cmp([](const T& p, const T& q) { return p > q; }); break;
    case BinaryOp::kGe: cmp([](const T& p, const T& q) { return p >= q; }); break;
    default: break;
  }
}

// SQL three-valued AND / OR over booleans stored as 0/1: FALSE AND NULL is FALSE, TRUE OR NULL
// is TRUE, anything else with a NULL is NULL.
template <bool kAnd, bool kAConst, bool kBConst>
void LogicLoop(const uint8_t* __restrict av, const int64_t* __restrict x,
               const uint8_t* __restrict bv, const int64_t* __restrict y, size_t n,
               int64_t* __restrict r, uint8_t* __restrict v) {
  for (size_t i = 0; i < n; ++i) {
    const size_t ia = kAConst ? 0 : i;
    const size_t ib = kBConst ? 0 : i;
    const int64_t at = av[ia] & (x[ia] != 0), af = av[ia] & (x[ia] == 0);
    const int64_t bt = bv[ib] & (y[ib] != 0), bf = bv[ib] & (y[ib] == 0);
    if (kAnd) {
      r[i] = at & bt;
      v[i] = static_cast<uint8_t>((at & bt) | af | bf);
    } else {
      r[i] = at | bt;
      v[i] = static_cast<uint8_t>(at | bt | (af & bf));
    }
  }
}

template <bool kAnd>
void LogicDispatch(const VecView& a, const VecView& b, size_t n, Slot& out) {
  const SlotPtrs o(out);
  if (a.constant && b.constant) {
    LogicLoop<kAnd, true, true>(a.valid, a.i64, b.valid, b.i64, n, o.i64, o.valid);
  } else if (a.constant) {
    LogicLoop<kAnd, true, false>(a.valid, a.i64, b.valid, b.i64, n, o.i64, o.valid);
  } else if (b.constant) {
    LogicLoop<kAnd, false, true>(a.valid, a.i64, b.valid, b.i64, n, o.i64, o.valid);
  } else if (n == kChunkRows) {
    LogicLoop<kAnd, false, false>(a.valid, a.i64, b.valid, b.i64, kChunkRows, o.i64, o.valid);
  } else {
    LogicLoop<kAnd, false, false>(a.valid, a.i64, b.valid, b.i64, n, o.i64, o.valid);
  }
}

void LogicInto(bool is_and, const VecView& a, const VecView& b, size_t n, Slot& out) {
  if (is_and) {
    LogicDispatch<true>(a, b, n, out);
  } else {
    LogicDispatch<false>(a, b, n, out);
  }
}

void InvertBool(Slot& out, size_t n) {
  int64_t* v = out.i64.data();
  for (size_t i = 0; i < n; ++i) v[i] = v[i] == 0;
}

VecView LiteralView(const Node& node) {
  const Literal& lit = node.literal;
  return VecView{&lit.valid, &lit.i64, &lit.f64, &lit.str, true};
}

VecView FieldView(const Node& node, const EvalContext& ctx) {
  const size_t start = ctx.start, n = ctx.rows, end = start + n;
  const Storage storage = StorageOf(node.type);
  // (No batch while constants are folded; no field is read then.)
  const Column* col = ctx.batch != nullptr && node.column < ctx.batch->columns().size()
                          ? &ctx.batch->column(node.column)
                          : nullptr;
  auto data_size = [&](const Column& c) {
    switch (storage) {
      case Storage::kInt64: return c.i64.size();
      case Storage::kDouble: return c.f64.size();
      case Storage::kString: return c.str.size();
    }
    return size_t{0};
  };
  // The usual case: read the batch's own vectors, no copy.
  if (col != nullptr && col->valid.size() >= end && data_size(*col) >= end) {
    return VecView{col->valid.data() + start, col->i64.data() + start, col->f64.data() + start,
                   col->str.data() + start, false};
  }
  // A column the typer has not (fully) filled: rows it lacks are NULL.
  Slot& out = ctx.slot(node.slot);
  const size_t have = col == nullptr ? 0 : std::min(col->valid.size(), data_size(*col));
  for (size_t i = 0; i < n; ++i) {
    const size_t row = start + i;
    if (row < have) {
      out.valid[i] = col->valid[row];
      switch (storage) {
        case Storage::kInt64: out.i64[i] = col->i64[row]; break;
        case Storage::kDouble: out.f64[i] = col->f64[row]; break;
        case Storage::kString: out.str[i] = col->str[row]; break;
      }
    } else {
      out.valid[i] = 0;
      switch (storage) {
        case Storage::kInt64: out.i64[i] = 0; break;
        case Storage::kDouble: out.f64[i] = 0; break;
        case Storage::kString: out.str[i] = {}; break;
      }
    }
  }
  return out.View();
}

VecView EvalConcat(const Node& node, const EvalContext& ctx) {
  const VecView a = EvalNode(*node.children[0], ctx);
  const VecView b = EvalNode(*node.children[1], ctx);
  Slot& out = ctx.slot(node.slot);
  const size_t n = ctx.rows;
  size_t total = 0;
  for (size_t i = 0; i < n; ++i) {
    const size_t ia = At(a, i), ib = At(b, i);
    if (a.valid[ia] & b.valid[ib]) total += a.str[ia].size() + b.str[ib].size();
  }
  if (out.chars.size() < total) out.chars.resize(total);
  char* p = out.chars.data();
  for (size_t i = 0; i < n; ++i) {
    const size_t ia = At(a, i), ib = At(b, i);
    out.valid[i] = a.valid[ia] & b.valid[ib];
    if (!out.valid[i]) {
      out.str[i] = {};
      continue;
    }
    const std::string_view x = a.str[ia], y = b.str[ib];
    if (!x.empty()) std::memcpy(p, x.data(), x.size());
    if (!y.empty()) std::memcpy(p + x.size(), y.data(), y.size());
    out.str[i] = std::string_view(p, x.size() + y.size());
    p += x.size() + y.size();
  }
  return out.View();
}

// x IN (constants...) by binary search in the sorted items.
VecView EvalInSet(const Node& node, const VecView& x, const EvalContext& ctx) {
  const InSet& set = *node.in_set;
  Slot& out = ctx.slot(node.slot);
  const SlotPtrs o(out);
  const Storage storage = StorageOf(node.children[0]->type);
  // A non-match is NULL when the list holds a NULL (SQL), else FALSE.
  const uint8_t miss_valid = set.has_null ? 0 : 1;
  const int64_t flip = node.negated ? 1 : 0;
  for (size_t i = 0; i < ctx.rows; ++i) {
    const size_t ix = At(x, i);
    bool found = false;
    if (x.valid[ix]) {
      switch (storage) {
        case Storage::kInt64:
          found = std::binary_search(set.i64.begin(), set.i64.end(), x.i64[ix]);
          break;
        case Storage::kDouble:
          found = std::binary_search(set.f64.begin(), set.f64.end(), x.f64[ix]);
          break;
        case Storage::kString:
          found = std::binary_search(set.str.begin(), set.str.end(), x.str[ix]);
          break;
      }
    }
    o.valid[i] = x.valid[ix] ? (found ? 1 : miss_valid) : 0;
    o.i64[i] = static_cast<int64_t>(found) ^ flip;
  }
  return out.View();
}

VecView EvalIn(const Node& node, const EvalContext& ctx) {
  const size_t n = ctx.rows;
  const Storage storage = StorageOf(node.children[0]->type);
  const VecView x = EvalNode(*node.children[0], ctx);
  if (node.in_set) return EvalInSet(node, x, ctx);
  Slot& out = ctx.slot(node.slot);
  Slot& cmp = ctx.slot(node.temp_slot);
  const SlotPtrs o(out);
  // out.i64 collects "some item equals", out.valid "some comparison was NULL" until the end.
  std::fill_n(out.i64.data(), n, 0);
  std::fill_n(out.valid.data(), n, 0);
  for (size_t k = 1; k < node.children.size(); ++k) {
    const VecView item = EvalNode(*node.children[k], ctx);
    CompareInto(BinaryOp::kEq, storage, x, item, n, cmp);
    const SlotPtrs c(cmp);
    for (size_t i = 0; i < n; ++i) {
      o.i64[i] |= c.valid[i] & c.i64[i];
      o.valid[i] |= c.valid[i] ^ 1;
    }
  }
  // SQL: TRUE if some item equals; else NULL if x or some item was NULL; else FALSE.
  for (size_t i = 0; i < n; ++i) {
    o.valid[i] = static_cast<uint8_t>(o.i64[i] | (o.valid[i] ^ 1));
  }
  if (node.negated) InvertBool(out, n);
  return out.View();
}

VecView EvalBetween(const Node& node, const EvalContext& ctx) {
  const size_t n = ctx.rows;
  const Storage storage = StorageOf(node.children[0]->type);
  const VecView x = EvalNode(*node.children[0], ctx);
  const VecView low = EvalNode(*node.children[1], ctx);
  const VecView high = EvalNode(*node.children[2], ctx);
  Slot& ge = ctx.slot(node.temp_slot);
  Slot& le = ctx.slot(node.temp_slot + 1);
  CompareInto(BinaryOp::kGe, storage, x, low, n, ge);
  CompareInto(BinaryOp::kLe, storage, x, high, n, le);
  Slot& out = ctx.slot(node.slot);
  LogicInto(true, ge.View(), le.View(), n, out);
  if (node.negated) InvertBool(out, n);
  return out.View();
}

VecView EvalLike(const Node& node, const EvalContext& ctx) {
  const size_t n = ctx.rows;
  const VecView x = EvalNode(*node.children[0], ctx);
  Slot& out = ctx.slot(node.slot);
  const LikeMatcher& matcher = *node.like;
  const int64_t flip = node.negated ? 1 : 0;
  for (size_t i = 0; i < n; ++i) {
    const size_t ix = At(x, i);
    out.valid[i] = x.valid[ix];
    out.i64[i] = x.valid[ix] ? (matcher.Matches(x.str[ix]) ? 1 : 0) ^ flip : 0;
  }
  return out.View();
}

VecView EvalCase(const Node& node, const EvalContext& ctx) {
  const size_t n = ctx.rows;
  const Storage storage = StorageOf(node.type);
  Slot& out = ctx.slot(node.slot);
  uint8_t* decided = ctx.slot(node.temp_slot).valid.data();
  uint8_t* take = ctx.slot(node.temp_slot + 1).valid.data();
  Slot& cmp = ctx.slot(node.temp_slot + 2);
  std::fill_n(decided, n, 0);
  std::fill_n(out.valid.data(), n, 0);
  size_t k = 0;
  VecView operand;
  Storage operand_storage = Storage::kInt64;
  if (node.flag) {
    operand = EvalNode(*node.children[0], ctx);
    operand_storage = StorageOf(node.children[0]->type);
    k = 1;
  }
  const size_t pairs_end = node.children.size() - (node.has_else ? 1 : 0);
  size_t undecided = n;
  for (; k < pairs_end && undecided > 0; k += 2) {
    VecView cond = EvalNode(*node.children[k], ctx);
    if (node.flag) {
      CompareInto(BinaryOp::kEq, operand_storage, operand, cond, n, cmp);
      cond = cmp.View();
    }
    size_t taken = 0;
    for (size_t i = 0; i < n; ++i) {
      const size_t ic = At(cond, i);
      take[i] = static_cast<uint8_t>((decided[i] ^ 1) & cond.valid[ic] & (cond.i64[ic] != 0));
      taken += take[i];
    }
    // Branches no row takes are not evaluated: they may be costly (regular expressions).
    if (taken == 0) continue;
    const VecView then = EvalNode(*node.children[k + 1], ctx);
    for (size_t i = 0; i < n; ++i) {
      if (take[i]) {
        CopyValue(storage, then, At(then, i), out, i);
        decided[i] = 1;
      }
    }
    undecided -= taken;
  }
  if (node.has_else && undecided > 0) {
    const VecView otherwise = EvalNode(*node.children.back(), ctx);
    for (size_t i = 0; i < n; ++i) {
      if (!decided[i]) CopyValue(storage, otherwise, At(otherwise, i), out, i);
    }
  }
  return out.View();
}

}  // namespace

void CompareInto(BinaryOp op, Storage storage, const VecView& a, const VecView& b, size_t rows,
                 Slot& out) {
  switch (storage) {
    case Storage::kInt64: CompareTyped(op, a, a.i64, b, b.i64, rows, out); break;
    case Storage::kDouble: CompareTyped(op, a, a.f64, b, b.f64, rows, out); break;
    case Storage::kString: CompareTyped(op, a, a.str, b, b.str, rows, out); break;
  }
}

VecView EvalNode(const Node& node, const EvalContext& ctx) {
  const size_t n = ctx.rows;
  switch (node.kind) {
    case NodeKind::kLiteral: return LiteralView(node);
    case NodeKind::kField: return FieldView(node, ctx);
    case NodeKind::kNegate: {
      const VecView a = EvalNode(*node.children[0], ctx);
      Slot& out = ctx.slot(node.slot);
      const SlotPtrs o(out);
      if (StorageOf(node.type) == Storage::kDouble) {
        UnaryKernel(a, a.f64, n, o.f64, o.valid, [](double x, double& r) {
          r = -x;
          return true;
        });
      } else {
        UnaryKernel(a, a.i64, n, o.i64, o.valid, [](int64_t x, int64_t& r) {
          return !__builtin_sub_overflow(int64_t{0}, x, &r);
        });
      }
      return out.View();
    }
    case NodeKind::kNot: {
      const VecView a = EvalNode(*node.children[0], ctx);
      Slot& out = ctx.slot(node.slot);
      const SlotPtrs o(out);
      ForRows(a, n, [&](size_t i, size_t ia) {
        o.valid[i] = a.valid[ia];
        o.i64[i] = a.i64[ia] == 0;
      });
      return out.View();
    }
    case NodeKind::kAnd:
    case NodeKind::kOr: {
      const VecView a = EvalNode(*node.children[0], ctx);
      const VecView b = EvalNode(*node.children[1], ctx);
      Slot& out = ctx.slot(node.slot);
      LogicInto(node.kind == NodeKind::kAnd, a, b, n, out);
      return out.View();
    }
    case NodeKind::kArith: {
      const VecView a = EvalNode(*node.children[0], ctx);
      const VecView b = EvalNode(*node.children[1], ctx);
      Slot& out = ctx.slot(node.slot);
      // Operands were promoted to one storage by the type checker.
      if (StorageOf(node.children[0]->type) == Storage::kDouble) {
        ArithDouble(node.op, a, b, n, out);
      } else {
        ArithInt<int64_t>(node.op, a, b, n, out);
      }
      return out.View();
    }
    case NodeKind::kConcat: return EvalConcat(node, ctx);
    case NodeKind::kCompare: {
      const VecView a = EvalNode(*node.children[0], ctx);
      const VecView b = EvalNode(*node.children[1], ctx);
      Slot& out = ctx.slot(node.slot);
      CompareInto(node.op, StorageOf(node.children[0]->type), a, b, n, out);
      return out.View();
    }
    case NodeKind::kIsNull: {
      const VecView a = EvalNode(*node.children[0], ctx);
      Slot& out = ctx.slot(node.slot);
      const SlotPtrs o(out);
      const int64_t want_valid = node.negated ? 1 : 0;
      ForRows(a, n, [&](size_t i, size_t ia) {
        o.valid[i] = 1;
        o.i64[i] = a.valid[ia] == want_valid;
      });
      return out.View();
    }
    case NodeKind::kIsBool: {
      const VecView a = EvalNode(*node.children[0], ctx);
      Slot& out = ctx.slot(node.slot);
      const SlotPtrs o(out);
      const int64_t want = node.flag ? 1 : 0;
      const int64_t flip = node.negated ? 1 : 0;
      ForRows(a, n, [&](size_t i, size_t ia) {
        o.valid[i] = 1;
        o.i64[i] = (a.valid[ia] & ((a.i64[ia] != 0) == want)) ^ flip;
      });
      return out.View();
    }
    case NodeKind::kIn: return EvalIn(node, ctx);
    case NodeKind::kBetween: return EvalBetween(node, ctx);
    case NodeKind::kLike: return EvalLike(node, ctx);
    case NodeKind::kCase: return EvalCase(node, ctx);
    case NodeKind::kCast: {
      const VecView a = EvalNode(*node.children[0], ctx);
      Slot& out = ctx.slot(node.slot);
      CastInto(node.children[0]->type, node.type, a, n, out);
      return out.View();
    }
    case NodeKind::kCall: return EvalCall(node, ctx);
  }
  return {};
}

namespace {

int TempSlots(const Node& node) {
  switch (node.kind) {
    case NodeKind::kIn: return 1;
    case NodeKind::kBetween: return 2;
    case NodeKind::kCase: return 3;
    case NodeKind::kCall: return FunctionTempSlots(node.function);
    default: return 0;
  }
}

uint8_t NeedsOf(ValueType type) {
  switch (StorageOf(type)) {
    case Storage::kInt64:
      // A NULL-typed node may be read as any type: give it every vector.
      return type == ValueType::kNull
                 ? SlotPlan::kValid | SlotPlan::kInt64 | SlotPlan::kDouble | SlotPlan::kString
                 : SlotPlan::kValid | SlotPlan::kInt64;
    case Storage::kDouble: return SlotPlan::kValid | SlotPlan::kDouble;
    case Storage::kString: return SlotPlan::kValid | SlotPlan::kString;
  }
  return SlotPlan::kValid;
}

}  // namespace

void AssignSlots(Node& node, SlotPlan& plan) {
  for (NodePtr& child : node.children) AssignSlots(*child, plan);
  if (node.kind == NodeKind::kLiteral) return;
  node.slot = static_cast<int>(plan.needs.size());
  plan.needs.push_back(NeedsOf(node.type));
  const int temps = TempSlots(node);
  node.temp_slot = temps > 0 ? static_cast<int>(plan.needs.size()) : -1;
  for (int t = 0; t < temps; ++t) plan.needs.push_back(SlotPlan::kValid | SlotPlan::kInt64);
}

void PrepareSlots(const std::vector<uint8_t>& plan_needs, ScratchSlots& scratch) {
  if (scratch.slots.size() < plan_needs.size()) scratch.slots.resize(plan_needs.size());
  for (size_t s = 0; s < plan_needs.size(); ++s) {
    Slot& slot = scratch.slots[s];
    const uint8_t needs = plan_needs[s];
    if (slot.valid.size() < kChunkRows) slot.valid.resize(kChunkRows);
    if ((needs & SlotPlan::kInt64) && slot.i64.size() < kChunkRows) slot.i64.resize(kChunkRows);
    if ((needs & SlotPlan::kDouble) && slot.f64.size() < kChunkRows) slot.f64.resize(kChunkRows);
    if ((needs & SlotPlan::kString) && slot.str.size() < kChunkRows) slot.str.resize(kChunkRows);
  }
}

NodePtr FoldToLiteral(Node& node) {
  SlotPlan plan;
  AssignSlots(node, plan);
  ScratchSlots scratch;
  PrepareSlots(plan.needs, scratch);
  EvalContext ctx{nullptr, 0, 1, &scratch};
  const VecView v = EvalNode(node, ctx);
  NodePtr lit = MakeLiteral(node.type, node.pos, node.begin);
  lit->height = 1;
  lit->literal.valid = v.valid[0];
  if (v.valid[0]) {
    switch (StorageOf(node.type)) {
      case Storage::kInt64: lit->literal.i64 = v.i64[0]; break;
      case Storage::kDouble: lit->literal.f64 = v.f64[0]; break;
      case Storage::kString: SetLiteralString(lit->literal, v.str[0]); break;
    }
  }
  return lit;
}

}  // namespace assay::quality
