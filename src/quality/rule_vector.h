#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace assay::quality {

/// Rows evaluated per pass: small enough that a node's output stays in L1/L2 cache, large enough
/// that the per-node dispatch is amortised.
inline constexpr size_t kChunkRows = 1024;

/// A read-only view of one node's output for the rows of the current chunk. Which data pointer
/// is meaningful depends on the node's storage; a row's value is only meaningful when
/// valid[row] != 0. A `constant` view holds one value that applies to every row (index 0).
struct VecView {
  const uint8_t* valid = nullptr;
  const int64_t* i64 = nullptr;
  const double* f64 = nullptr;
  const std::string_view* str = nullptr;
  bool constant = false;
};

/// Writable vectors of one node output. String results of functions (lower, ||, casts) are
/// written into `chars`, whose capacity is reused from chunk to chunk.
struct Slot {
  std::vector<uint8_t> valid;
  std::vector<int64_t> i64;
  std::vector<double> f64;
  std::vector<std::string_view> str;
  std::vector<char> chars;

  VecView View() const { return VecView{valid.data(), i64.data(), f64.data(), str.data(), false}; }
};

/// Raw pointers to a slot's vectors. Kernels write through these rather than through the
/// vectors: a byte store (valid) may alias anything, so `out.f64[i]` would reload the vector's
/// data pointer on every row.
struct SlotPtrs {
  uint8_t* valid;
  int64_t* i64;
  double* f64;
  std::string_view* str;

  explicit SlotPtrs(Slot& s)
      : valid(s.valid.data()), i64(s.i64.data()), f64(s.f64.data()), str(s.str.data()) {}
};

/// Per-thread working memory of rule evaluation (the body of RuleScratch).
struct ScratchSlots {
  std::vector<Slot> slots;
};

/// Index of row i in a view (constants repeat row 0).
inline size_t At(const VecView& v, size_t i) { return v.constant ? 0 : i; }

/// out[i] = op(a[i]) for a one-input kernel, where op(value, out&) returns false for "no value";
/// valid[i] = a.valid[i] && op(...). Full chunks run with a compile-time trip count and restrict
/// pointers, which is what lets GCC's -O2 vectoriser take the loop.
template <bool kConst, typename A, typename R, typename Op>
inline void UnaryLoop(const A* __restrict ad, const uint8_t* __restrict av, size_t n,
                      R* __restrict out, uint8_t* __restrict valid, Op op) {
  if (n == kChunkRows) {
    for (size_t i = 0; i < kChunkRows; ++i) {
      const size_t ia = kConst ? 0 : i;
      const bool ok = op(ad[ia], out[i]);
      valid[i] = static_cast<uint8_t>(av[ia] & static_cast<uint8_t>(ok));
    }
    return;
  }
  for (size_t i = 0; i < n; ++i) {
    const size_t ia = kConst ? 0 : i;
    const bool ok = op(ad[ia], out[i]);
    valid[i] = static_cast<uint8_t>(av[ia] & static_cast<uint8_t>(ok));
  }
}
template <typename A, typename R, typename Op>
inline void UnaryKernel(const VecView& a, const A* ad, size_t n, R* out, uint8_t* valid, Op op) {
  if (a.constant) {
    UnaryLoop<true>(ad, a.valid, n, out, valid, op);
  } else {
    UnaryLoop<false>(ad, a.valid, n, out, valid, op);
  }
}

/// Calls f(i, ia) for every row, with ia folded to 0 at compile time for a constant input, so
/// that each variant is a plain loop the compiler can vectorise.
template <typename F>
inline void ForRows(const VecView& a, size_t n, F&& f) {
  if (a.constant) {
    for (size_t i = 0; i < n; ++i) f(i, size_t{0});
  } else {
    for (size_t i = 0; i < n; ++i) f(i, i);
  }
}

}  // namespace assay::quality
