#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/batch.h"
#include "core/field_type.h"
#include "core/result.h"

namespace assay::quality {

struct Node;
struct ScratchSlots;

/// A rule's outcome for one row, as CompiledRule::Evaluate writes it (one byte per row).
inline constexpr uint8_t kRuleFalse = 0;  ///< the row fails the rule
inline constexpr uint8_t kRuleTrue = 1;   ///< the row passes
/// The rule evaluated to NULL: not applicable to this row (DESIGN.md §3a).
inline constexpr uint8_t kRuleNull = 2;

/// A name a rule may use, and where its typed values live in the batches it will evaluate.
struct RuleField {
  std::string name;  ///< case-sensitive, as in the schema
  FieldType type = FieldType::kAny;
  size_t column = 0;  ///< index into Batch::columns()
};

struct RuleOptions {
  std::string_view rule_name;  ///< for error messages ("rule 'recent': ..."); may be empty
  int64_t now_us = 0;          ///< what now() returns: the run's reference time, µs UTC
};

/// Per-thread working memory of rule evaluation. Reusable across rules and batches; its vectors
/// grow to the largest rule evaluated and are then reused, so evaluation does not allocate.
class RuleScratch {
 public:
  RuleScratch();
  ~RuleScratch();
  RuleScratch(RuleScratch&&) noexcept;
  RuleScratch& operator=(RuleScratch&&) noexcept;

 private:
  friend class CompiledRule;
  std::unique_ptr<ScratchSlots> slots_;
};

/// A quality rule (an SQL boolean expression, docs/quality-rules.md) parsed, resolved against
/// the fields, type-checked and constant-folded once. Immutable after Compile: one instance may
/// evaluate batches on many threads at once, each thread with its own RuleScratch.
class CompiledRule {
 public:
  /// Compiles `expr`. Syntax errors, unknown fields or functions and type errors are
  /// kInvalidArgument, with the 1-based column and a caret line; the caller adds file and line.
  static Result<std::unique_ptr<CompiledRule>> Compile(std::string_view expr,
                                                       std::span<const RuleField> fields,
                                                       const RuleOptions& options);
  ~CompiledRule();

  /// Writes one outcome (kRuleFalse / kRuleTrue / kRuleNull) per row of `batch` into `result`
  /// (which must hold num_rows() entries; extra entries are left alone). A field's value is NULL
  /// for a row when its `valid` flag is 0 (a null or a failed type check). Columns are read
  /// according to the RuleField type given at Compile (i64, f64 or str), without copying.
  void Evaluate(const Batch& batch, std::span<uint8_t> result, RuleScratch& scratch) const;

  /// Fields the expression reads, in order of first use, each once.
  const std::vector<std::string>& referenced_fields() const { return referenced_; }
  /// The expression as written.
  const std::string& expression() const { return expr_; }
  /// The typed tree after constant folding, as an S-expression (for tests and debugging).
  std::string DebugString() const;

 private:
  CompiledRule();

  std::string expr_;
  std::unique_ptr<Node> root_;
  std::vector<uint8_t> slot_needs_;
  std::vector<std::string> referenced_;
};

}  // namespace assay::quality
