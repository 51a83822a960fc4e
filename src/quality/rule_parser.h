#pragma once

#include "core/result.h"
#include "quality/rule_ast.h"
#include "quality/rule_error.h"

namespace assay::quality {

/// Deepest nesting of parentheses accepted, and the tallest syntax tree (a chain of 500 ORs is
/// 500 levels), so that hostile input cannot exhaust the stack of the recursive parser, type
/// checker and evaluator.
inline constexpr int kMaxRuleDepth = 200;
inline constexpr int kMaxRuleHeight = 2000;

/// Parses a rule expression into an untyped syntax tree (names are resolved and types checked by
/// TypeCheckRule). Typed literals (`interval '30 days'`, `timestamp '...'`, `date '...'`) are
/// read here. Errors are kInvalidArgument with the column of the offending token.
Result<NodePtr> ParseRule(const RuleSource& source);

}  // namespace assay::quality
