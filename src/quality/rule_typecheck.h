#pragma once

// Internal: name resolution, type checking, implicit promotions and constant folding.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "quality/rule_ast.h"
#include "quality/rule_error.h"
#include "quality/rule_expr.h"

namespace assay::quality {

class TypeChecker {
 public:
  TypeChecker(const RuleSource& source, std::span<const RuleField> fields, int64_t now_us)
      : source_(source), fields_(fields), now_us_(now_us) {}

  /// Checks the whole expression, which must be boolean. `root` may be replaced.
  Status CheckRule(NodePtr& root);
  /// Checks `node` and its subtree; replaces it by a literal when it is constant.
  Status Check(NodePtr& node);

  /// Converts `node` to `target`: NULL takes any type, integer → number, date → timestamp
  /// (as a literal when the node is constant, else through a cast node).
  Status CoerceTo(NodePtr& node, ValueType target);
  /// Brings `nodes` to one type (numeric promotion, date → timestamp, and string literals read
  /// as the timestamp, date or interval they are compared with). `context` starts the error
  /// message ("cannot compare"); the error points at `error_pos`.
  Result<ValueType> Unify(std::span<NodePtr* const> nodes, size_t error_pos,
                          std::string_view context);

  const RuleSource& source() const { return source_; }
  int64_t now_us() const { return now_us_; }
  const std::vector<std::string>& referenced() const { return referenced_; }

 private:
  Status CheckField(NodePtr& node);
  Status CheckArith(Node& node);
  Status CheckConcat(Node& node);
  Status CheckCase(Node& node);
  Status CheckCast(NodePtr& node);
  Status CheckLike(Node& node);
  Status ExpectBoolean(NodePtr& operand, std::string_view what);

  const RuleSource& source_;
  std::span<const RuleField> fields_;
  int64_t now_us_;
  std::vector<std::string> referenced_;
};

/// Type-checks a call (rule_functions.cc); `node` may be replaced (now() by a literal).
Status CheckCall(TypeChecker& checker, NodePtr& node);

}  // namespace assay::quality
