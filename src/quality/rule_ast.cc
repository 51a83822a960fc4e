#include "quality/rule_ast.h"

#include <cstdio>
#include <string>

namespace assay::quality {

std::string_view ValueTypeName(ValueType type) {
  switch (type) {
    case ValueType::kNull: return "null";
    case ValueType::kBoolean: return "boolean";
    case ValueType::kInteger: return "integer";
    case ValueType::kNumber: return "number";
    case ValueType::kString: return "string";
    case ValueType::kTimestamp: return "timestamp";
    case ValueType::kDate: return "date";
    case ValueType::kInterval: return "interval";
  }
  return "unknown";
}

ValueType ValueTypeOfField(FieldType type) {
  switch (type) {
    case FieldType::kAny:  // text of a property without a type
    case FieldType::kString: return ValueType::kString;
    case FieldType::kInteger: return ValueType::kInteger;
    case FieldType::kNumber: return ValueType::kNumber;
    case FieldType::kBoolean: return ValueType::kBoolean;
    case FieldType::kTimestamp: return ValueType::kTimestamp;
    case FieldType::kDate: return ValueType::kDate;
  }
  return ValueType::kString;
}

std::string_view BinaryOpText(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd: return "+";
    case BinaryOp::kSub: return "-";
    case BinaryOp::kMul: return "*";
    case BinaryOp::kDiv: return "/";
    case BinaryOp::kIntDiv: return "//";
    case BinaryOp::kMod: return "%";
    case BinaryOp::kEq: return "=";
    case BinaryOp::kNe: return "<>";
    case BinaryOp::kLt: return "<";
    case BinaryOp::kLe: return "<=";
    case BinaryOp::kGt: return ">";
    case BinaryOp::kGe: return ">=";
  }
  return "?";
}

namespace {

std::string_view KindName(const Node& node) {
  switch (node.kind) {
    case NodeKind::kLiteral: return "literal";
    case NodeKind::kField: return "field";
    case NodeKind::kNegate: return "neg";
    case NodeKind::kNot: return "not";
    case NodeKind::kAnd: return "and";
    case NodeKind::kOr: return "or";
    case NodeKind::kArith:
    case NodeKind::kCompare: return BinaryOpText(node.op);
    case NodeKind::kConcat: return "||";
    case NodeKind::kIsNull: return node.negated ? "is-not-null" : "is-null";
    case NodeKind::kIsBool:
      return node.negated ? (node.flag ? "is-not-true" : "is-not-false")
                          : (node.flag ? "is-true" : "is-false");
    case NodeKind::kIn: return node.negated ? "not-in" : "in";
    case NodeKind::kBetween: return node.negated ? "not-between" : "between";
    case NodeKind::kLike:
      return node.negated ? (node.flag ? "not-ilike" : "not-like") : (node.flag ? "ilike" : "like");
    case NodeKind::kCase: return "case";
    case NodeKind::kCast: return "cast";
    case NodeKind::kCall: return "call";
  }
  return "?";
}

void AppendSExpr(const Node& node, std::string& out) {
  if (node.kind == NodeKind::kLiteral) {
    const Literal& lit = node.literal;
    if (!lit.valid) {
      out += "NULL";
      return;
    }
    switch (node.type) {
      case ValueType::kString:
        out += '\'';
        out += lit.str;
        out += '\'';
        break;
      case ValueType::kNumber: {
        char buf[32];
        int len = std::snprintf(buf, sizeof(buf), "%.17g", lit.f64);
        out.append(buf, static_cast<size_t>(len));
        if (out.find_first_of(".e", out.size() - static_cast<size_t>(len)) == std::string::npos) {
          out += ".0";
        }
        break;
      }
      case ValueType::kBoolean: out += lit.i64 ? "TRUE" : "FALSE"; break;
      case ValueType::kTimestamp: out += "ts:" + std::to_string(lit.i64); break;
      case ValueType::kDate: out += "date:" + std::to_string(lit.i64); break;
      case ValueType::kInterval: out += "interval:" + std::to_string(lit.i64); break;
      default: out += std::to_string(lit.i64); break;
    }
    return;
  }
  if (node.kind == NodeKind::kField) {
    out += node.name;
    return;
  }
  out += '(';
  if (node.kind == NodeKind::kCall) {
    out += node.name;
  } else if (node.kind == NodeKind::kCast) {
    out += "cast:";
    out += node.type == ValueType::kNull && !node.name.empty() ? std::string_view(node.name)
                                                               : ValueTypeName(node.type);
  } else {
    out += KindName(node);
  }
  for (const NodePtr& child : node.children) {
    out += ' ';
    AppendSExpr(*child, out);
  }
  out += ')';
}

}  // namespace

std::string ToSExpr(const Node& node) {
  std::string out;
  AppendSExpr(node, out);
  return out;
}

NodePtr MakeLiteral(ValueType type, size_t pos, size_t begin) {
  auto node = std::make_unique<Node>();
  node->kind = NodeKind::kLiteral;
  node->type = type;
  node->pos = pos;
  node->begin = begin;
  node->literal.valid = 1;
  return node;
}

NodePtr MakeNullLiteral(size_t pos, size_t begin) {
  NodePtr node = MakeLiteral(ValueType::kNull, pos, begin);
  node->literal.valid = 0;
  return node;
}

void SetLiteralString(Literal& literal, std::string_view value) {
  literal.text = std::string(value);
  literal.str = literal.text;
}

}  // namespace assay::quality
