#include "quality/rule_typecheck.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "core/value_parse.h"
#include "quality/rule_cast.h"
#include "quality/rule_eval.h"
#include "quality/rule_lexer.h"
#include "quality/rule_literal.h"
#include "quality/rule_pattern.h"

namespace assay::quality {
namespace {

bool IsNumeric(ValueType t) { return t == ValueType::kInteger || t == ValueType::kNumber; }
bool IsStringLiteral(const Node& n) {
  return n.kind == NodeKind::kLiteral && n.type == ValueType::kString;
}

// The type two values meet at, if any: numbers meet at number, dates at timestamp.
std::optional<ValueType> CommonType(ValueType a, ValueType b) {
  if (a == b) return a;
  if (a == ValueType::kNull) return b;
  if (b == ValueType::kNull) return a;
  if (IsNumeric(a) && IsNumeric(b)) return ValueType::kNumber;
  auto temporal = [](ValueType t) { return t == ValueType::kTimestamp || t == ValueType::kDate; };
  if (temporal(a) && temporal(b)) return ValueType::kTimestamp;
  return std::nullopt;
}

std::optional<ValueType> TypeFromName(std::string_view name) {
  struct Name {
    std::string_view name;
    ValueType type;
  };
  static constexpr Name kNames[] = {
      {"integer", ValueType::kInteger},     {"int", ValueType::kInteger},
      {"bigint", ValueType::kInteger},      {"int64", ValueType::kInteger},
      {"int8", ValueType::kInteger},        {"int4", ValueType::kInteger},
      {"smallint", ValueType::kInteger},    {"number", ValueType::kNumber},
      {"double", ValueType::kNumber},       {"float", ValueType::kNumber},
      {"float8", ValueType::kNumber},       {"real", ValueType::kNumber},
      {"decimal", ValueType::kNumber},      {"numeric", ValueType::kNumber},
      {"boolean", ValueType::kBoolean},     {"bool", ValueType::kBoolean},
      {"string", ValueType::kString},       {"varchar", ValueType::kString},
      {"text", ValueType::kString},         {"char", ValueType::kString},
      {"timestamp", ValueType::kTimestamp}, {"timestamptz", ValueType::kTimestamp},
      {"datetime", ValueType::kTimestamp},  {"date", ValueType::kDate},
      {"interval", ValueType::kInterval},
  };
  for (const Name& n : kNames) {
    if (EqualsKeyword(name, n.name)) return n.type;
  }
  return std::nullopt;
}

// Lists this long are looked up by binary search rather than compared item by item.
constexpr size_t kInSetMinItems = 8;

void BuildInSet(Node& node) {
  if (node.children.size() - 1 < kInSetMinItems) return;
  for (size_t k = 1; k < node.children.size(); ++k) {
    if (node.children[k]->kind != NodeKind::kLiteral) return;
  }
  auto set = std::make_shared<InSet>();
  for (size_t k = 1; k < node.children.size(); ++k) {
    const Literal& lit = node.children[k]->literal;
    if (!lit.valid) {
      set->has_null = true;
      continue;
    }
    switch (StorageOf(node.children[0]->type)) {
      case Storage::kInt64: set->i64.push_back(lit.i64); break;
      case Storage::kDouble: set->f64.push_back(lit.f64); break;
      case Storage::kString: set->str.push_back(lit.str); break;
    }
  }
  auto sort_unique = [](auto& v) {
    std::sort(v.begin(), v.end());
    v.erase(std::unique(v.begin(), v.end()), v.end());
  };
  sort_unique(set->i64);
  sort_unique(set->f64);
  sort_unique(set->str);
  node.in_set = std::move(set);
}

NodePtr WrapInCast(NodePtr node, ValueType target) {
  auto cast = std::make_unique<Node>();
  cast->kind = NodeKind::kCast;
  cast->type = target;
  cast->pos = node->pos;
  cast->begin = node->begin;
  cast->height = node->height + 1;
  cast->children.push_back(std::move(node));
  return cast;
}

}  // namespace

Status TypeChecker::CheckRule(NodePtr& root) {
  RETURN_IF_ERROR(Check(root));
  if (root->type != ValueType::kBoolean && root->type != ValueType::kNull) {
    return source_.Error(root->begin, fmt::format("a rule must be a boolean expression, not {}",
                                                  ValueTypeName(root->type)));
  }
  return Status::Ok();
}

Status TypeChecker::CoerceTo(NodePtr& node, ValueType target) {
  if (node->type == target) return Status::Ok();
  if (node->type == ValueType::kNull && node->kind == NodeKind::kLiteral) {
    node->type = target;  // a NULL literal reads as NULL of any type
    return Status::Ok();
  }
  if (auto why = CastUnsupported(node->type, target)) {
    return Internal(fmt::format("implicit {}", *why));
  }
  const bool constant = node->kind == NodeKind::kLiteral;
  node = WrapInCast(std::move(node), target);
  if (constant) node = FoldToLiteral(*node);
  return Status::Ok();
}

Result<ValueType> TypeChecker::Unify(std::span<NodePtr* const> nodes, size_t error_pos,
                                     std::string_view context) {
  ValueType type = ValueType::kNull;
  bool string_literals = false;
  for (NodePtr* node : nodes) {
    const ValueType t = (*node)->type;
    if (IsStringLiteral(**node)) {
      string_literals = true;
      continue;
    }
    std::optional<ValueType> common = CommonType(type, t);
    if (!common) {
      return source_.Error(
          error_pos, fmt::format("{} {} and {}", context, ValueTypeName(type), ValueTypeName(t)));
    }
    type = *common;
  }
  if (string_literals) {
    if (type == ValueType::kNull) type = ValueType::kString;
    // A date compared with a literal that has a time of day is compared as a timestamp.
    if (type == ValueType::kDate) {
      for (NodePtr* node : nodes) {
        if (IsStringLiteral(**node) && !ParseDateLiteral((*node)->literal.str) &&
            ParseTimestampLiteral((*node)->literal.str)) {
          type = ValueType::kTimestamp;
        }
      }
    }
    for (NodePtr* node : nodes) {
      Node& n = **node;
      if (!IsStringLiteral(n) || type == ValueType::kString) continue;
      std::optional<int64_t> value;
      if (type == ValueType::kTimestamp) {
        value = ParseTimestampLiteral(n.literal.str);
      } else if (type == ValueType::kDate) {
        value = ParseDateLiteral(n.literal.str);
      } else if (type == ValueType::kInterval) {
        Result<int64_t> micros = ParseIntervalText(n.literal.str);
        if (!micros.ok()) return source_.Error(n.pos, micros.status().message());
        value = *micros;
      } else {
        return source_.Error(error_pos,
                             fmt::format("{} {} and string", context, ValueTypeName(type)));
      }
      if (!value) {
        return source_.Error(n.pos,
                             fmt::format("cannot read {} as a {}", QuoteForMessage(n.literal.str),
                                         ValueTypeName(type)));
      }
      NodePtr lit = MakeLiteral(type, n.pos, n.begin);
      lit->literal.i64 = *value;
      *node = std::move(lit);
    }
  }
  for (NodePtr* node : nodes) RETURN_IF_ERROR(CoerceTo(*node, type));
  return type;
}

Status TypeChecker::ExpectBoolean(NodePtr& operand, std::string_view what) {
  if (operand->type == ValueType::kBoolean) return Status::Ok();
  if (operand->type == ValueType::kNull) return CoerceTo(operand, ValueType::kBoolean);
  return source_.Error(operand->begin, fmt::format("{} expects a boolean, not {}", what,
                                                   ValueTypeName(operand->type)));
}

Status TypeChecker::Check(NodePtr& node_ptr) {
  Node& node = *node_ptr;
  if (node.kind == NodeKind::kField) return CheckField(node_ptr);
  if (node.kind == NodeKind::kLiteral) return Status::Ok();
  for (NodePtr& child : node.children) RETURN_IF_ERROR(Check(child));

  switch (node.kind) {
    case NodeKind::kLiteral:
    case NodeKind::kField: break;
    case NodeKind::kNegate: {
      const ValueType t = node.children[0]->type;
      if (!IsNumeric(t) && t != ValueType::kInterval && t != ValueType::kNull) {
        return source_.Error(node.pos, fmt::format("cannot negate a {}", ValueTypeName(t)));
      }
      node.type = t;
      break;
    }
    case NodeKind::kNot:
      RETURN_IF_ERROR(ExpectBoolean(node.children[0], "NOT"));
      node.type = ValueType::kBoolean;
      break;
    case NodeKind::kAnd:
    case NodeKind::kOr: {
      std::string_view what = node.kind == NodeKind::kAnd ? "AND" : "OR";
      RETURN_IF_ERROR(ExpectBoolean(node.children[0], what));
      RETURN_IF_ERROR(ExpectBoolean(node.children[1], what));
      node.type = ValueType::kBoolean;
      break;
    }
    case NodeKind::kArith: RETURN_IF_ERROR(CheckArith(node)); break;
    case NodeKind::kConcat: RETURN_IF_ERROR(CheckConcat(node)); break;
    case NodeKind::kCompare: {
      NodePtr* operands[] = {&node.children[0], &node.children[1]};
      RETURN_IF_ERROR(Unify(operands, node.pos, "cannot compare").status());
      node.type = ValueType::kBoolean;
      if (node.kind == NodeKind::kIn) BuildInSet(node);
      break;
    }
    case NodeKind::kIsNull: node.type = ValueType::kBoolean; break;
    case NodeKind::kIsBool:
      RETURN_IF_ERROR(ExpectBoolean(node.children[0], "IS TRUE / IS FALSE"));
      node.type = ValueType::kBoolean;
      break;
    case NodeKind::kIn:
    case NodeKind::kBetween: {
      std::vector<NodePtr*> operands;
      for (NodePtr& child : node.children) operands.push_back(&child);
      RETURN_IF_ERROR(
          Unify(operands, node.pos,
                node.kind == NodeKind::kIn ? "IN cannot compare" : "BETWEEN cannot compare")
              .status());
      node.type = ValueType::kBoolean;
      break;
    }
    case NodeKind::kLike: RETURN_IF_ERROR(CheckLike(node)); break;
    case NodeKind::kCase: RETURN_IF_ERROR(CheckCase(node)); break;
    case NodeKind::kCast: return CheckCast(node_ptr);
    case NodeKind::kCall: RETURN_IF_ERROR(CheckCall(*this, node_ptr)); break;
  }

  // Constant folding: a node whose operands are all constant is computed once, here.
  Node& checked = *node_ptr;
  if (checked.kind == NodeKind::kLiteral) return Status::Ok();
  for (const NodePtr& child : checked.children) {
    if (child->kind != NodeKind::kLiteral) return Status::Ok();
  }
  node_ptr = FoldToLiteral(checked);
  return Status::Ok();
}

Status TypeChecker::CheckField(NodePtr& node_ptr) {
  Node& node = *node_ptr;
  for (const RuleField& field : fields_) {
    if (field.name != node.name) continue;
    node.column = field.column;
    node.field_type = field.type;
    node.type = ValueTypeOfField(field.type);
    if (std::find(referenced_.begin(), referenced_.end(), field.name) == referenced_.end()) {
      referenced_.push_back(field.name);
    }
    return Status::Ok();
  }
  // SQL's niladic time functions, unless a field has taken the name.
  if (EqualsKeyword(node.name, "current_timestamp")) {
    NodePtr lit = MakeLiteral(ValueType::kTimestamp, node.pos, node.begin);
    lit->literal.i64 = now_us_;
    node_ptr = std::move(lit);
    return Status::Ok();
  }
  if (EqualsKeyword(node.name, "current_date")) {
    NodePtr lit = MakeLiteral(ValueType::kDate, node.pos, node.begin);
    lit->literal.i64 = FloorDiv(now_us_, kMicrosPerDay);
    node_ptr = std::move(lit);
    return Status::Ok();
  }
  std::vector<std::string_view> names;
  for (const RuleField& field : fields_) names.push_back(field.name);
  return source_.Error(node.pos, fmt::format("unknown field {}{}", QuoteForMessage(node.name),
                                             DidYouMean(node.name, names)));
}

Status TypeChecker::CheckArith(Node& node) {
  NodePtr& lhs = node.children[0];
  NodePtr& rhs = node.children[1];
  ValueType l = lhs->type, r = rhs->type;
  const BinaryOp op = node.op;
  const bool additive = op == BinaryOp::kAdd || op == BinaryOp::kSub;
  // NULL takes the type that makes the expression valid; the result is NULL anyway.
  auto null_partner = [&](ValueType other) {
    if (other == ValueType::kTimestamp || other == ValueType::kDate) {
      return additive ? ValueType::kInterval : other;
    }
    return other;
  };
  if (l == ValueType::kNull && r == ValueType::kNull) {
    node.type = ValueType::kNull;
    return Status::Ok();
  }
  if (l == ValueType::kNull) l = null_partner(r);
  if (r == ValueType::kNull) r = null_partner(l);

  using VT = ValueType;
  VT result = VT::kNull;
  VT operand = VT::kNull;  // the type both operands are brought to
  auto is = [&](VT a, VT b) { return l == a && r == b; };
  if (IsNumeric(l) && IsNumeric(r)) {
    // `/` is always a float division (DuckDB); `//` keeps integers integral.
    const bool integral = l == VT::kInteger && r == VT::kInteger && op != BinaryOp::kDiv;
    operand = result = integral ? VT::kInteger : VT::kNumber;
  } else if (additive && (is(VT::kTimestamp, VT::kInterval) || is(VT::kDate, VT::kInterval) ||
                          (op == BinaryOp::kAdd &&
                           (is(VT::kInterval, VT::kTimestamp) || is(VT::kInterval, VT::kDate))))) {
    result = VT::kTimestamp;
    // Dates become timestamps; the interval stays an interval (both are int64 µs).
    if (l == VT::kDate) RETURN_IF_ERROR(CoerceTo(lhs, VT::kTimestamp));
    if (r == VT::kDate) RETURN_IF_ERROR(CoerceTo(rhs, VT::kTimestamp));
  } else if (additive && (is(VT::kDate, VT::kInteger) ||
                          (op == BinaryOp::kAdd && is(VT::kInteger, VT::kDate)))) {
    result = VT::kDate;  // days
  } else if (op == BinaryOp::kSub && is(VT::kDate, VT::kDate)) {
    result = VT::kInteger;  // days between
  } else if (op == BinaryOp::kSub && (l == VT::kTimestamp || l == VT::kDate) &&
             (r == VT::kTimestamp || r == VT::kDate)) {
    result = VT::kInterval;
    operand = VT::kTimestamp;
  } else if ((additive && is(VT::kInterval, VT::kInterval)) ||
             (op == BinaryOp::kMul &&
              (is(VT::kInterval, VT::kInteger) || is(VT::kInteger, VT::kInterval))) ||
             (op == BinaryOp::kIntDiv && is(VT::kInterval, VT::kInteger))) {
    result = VT::kInterval;
  } else {
    return source_.Error(node.pos,
                         fmt::format("operator {} cannot take {} and {}", BinaryOpText(op),
                                     ValueTypeName(lhs->type), ValueTypeName(rhs->type)));
  }
  // A NULL operand is retyped to what it stood for (so it reads as NULL of the right storage).
  if (lhs->type == VT::kNull) RETURN_IF_ERROR(CoerceTo(lhs, operand != VT::kNull ? operand : l));
  if (rhs->type == VT::kNull) RETURN_IF_ERROR(CoerceTo(rhs, operand != VT::kNull ? operand : r));
  if (operand != VT::kNull) {
    RETURN_IF_ERROR(CoerceTo(lhs, operand));
    RETURN_IF_ERROR(CoerceTo(rhs, operand));
  }
  node.type = result;
  return Status::Ok();
}

Status TypeChecker::CheckConcat(Node& node) {
  // As in DuckDB, || turns a non-string operand into its text.
  for (NodePtr& child : node.children) {
    if (child->type == ValueType::kInterval) {
      return source_.Error(child->begin, "|| cannot take an interval");
    }
    RETURN_IF_ERROR(CoerceTo(child, ValueType::kString));
  }
  node.type = ValueType::kString;
  return Status::Ok();
}

Status TypeChecker::CheckLike(Node& node) {
  NodePtr& value = node.children[0];
  if (value->type != ValueType::kString && value->type != ValueType::kNull) {
    return source_.Error(value->begin,
                         fmt::format("{} expects a string, not {}", node.flag ? "ILIKE" : "LIKE",
                                     ValueTypeName(value->type)));
  }
  RETURN_IF_ERROR(CoerceTo(value, ValueType::kString));
  const Node& pattern = *node.children[1];
  if (!IsStringLiteral(pattern) || !pattern.literal.valid) {
    return source_.Error(pattern.begin, "the LIKE pattern must be a constant string");
  }
  auto matcher = LikeMatcher::Make(pattern.literal.str, node.escape, node.flag);
  if (!matcher.ok()) return source_.Error(pattern.pos, matcher.status().message());
  node.like = std::move(matcher).value();
  node.type = ValueType::kBoolean;
  return Status::Ok();
}

Status TypeChecker::CheckCase(Node& node) {
  size_t k = 0;
  const size_t pairs_end = node.children.size() - (node.has_else ? 1 : 0);
  if (node.flag) {
    std::vector<NodePtr*> compared = {&node.children[0]};
    for (size_t i = 1; i < pairs_end; i += 2) compared.push_back(&node.children[i]);
    RETURN_IF_ERROR(Unify(compared, node.pos, "CASE cannot compare").status());
    k = 1;
  } else {
    for (size_t i = 0; i < pairs_end; i += 2) {
      RETURN_IF_ERROR(ExpectBoolean(node.children[i], "WHEN"));
    }
  }
  std::vector<NodePtr*> results;
  for (size_t i = k + 1; i < pairs_end; i += 2) results.push_back(&node.children[i]);
  if (node.has_else) results.push_back(&node.children.back());
  ASSIGN_OR_RETURN(node.type, Unify(results, node.pos, "CASE results cannot mix"));
  return Status::Ok();
}

Status TypeChecker::CheckCast(NodePtr& node_ptr) {
  Node& node = *node_ptr;
  std::optional<ValueType> target = TypeFromName(node.name);
  if (!target) {
    return source_.Error(node.pos, fmt::format("unknown type {} (use integer, number, boolean, "
                                               "string, timestamp, date or interval)",
                                               QuoteForMessage(node.name)));
  }
  NodePtr& operand = node.children[0];
  if (operand->type == *target) {
    NodePtr inner = std::move(operand);
    node_ptr = std::move(inner);
    return Status::Ok();
  }
  // Text to interval is only read from constants (CAST('1 day' AS interval)).
  if (*target == ValueType::kInterval && IsStringLiteral(*operand)) {
    Result<int64_t> micros = ParseIntervalText(operand->literal.str);
    if (!micros.ok()) return source_.Error(operand->pos, micros.status().message());
    NodePtr lit = MakeLiteral(ValueType::kInterval, node.pos, node.begin);
    lit->literal.i64 = *micros;
    node_ptr = std::move(lit);
    return Status::Ok();
  }
  if (auto why = CastUnsupported(operand->type, *target)) return source_.Error(node.pos, *why);
  node.type = *target;
  if (operand->kind == NodeKind::kLiteral) {
    const bool was_valid = operand->literal.valid != 0;
    std::string shown = operand->type == ValueType::kString ? QuoteForMessage(operand->literal.str)
                                                            : std::string("the value");
    const bool try_cast = node.flag;
    const size_t operand_pos = operand->begin;
    node_ptr = FoldToLiteral(node);
    // A constant that does not convert is a mistake in the rule, not a property of a row.
    if (was_valid && !node_ptr->literal.valid && !try_cast) {
      return source_.Error(operand_pos,
                           fmt::format("cannot cast {} to {}", shown, ValueTypeName(*target)));
    }
  }
  return Status::Ok();
}

}  // namespace assay::quality
