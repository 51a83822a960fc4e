#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/field_type.h"

namespace re2 {
class RE2;
}

namespace assay::quality {

class LikeMatcher;

/// Value types of the rule language. Storage: kNumber in doubles, kString in string views, every
/// other type in int64 (booleans 0/1, timestamps and intervals in µs, dates in days).
enum class ValueType : unsigned char {
  kNull,  ///< the type of a bare NULL: fits any other type
  kBoolean,
  kInteger,
  kNumber,
  kString,
  kTimestamp,
  kDate,
  kInterval,
};

std::string_view ValueTypeName(ValueType type);

/// The storage of a value type in scratch vectors.
enum class Storage : unsigned char { kInt64, kDouble, kString };
constexpr Storage StorageOf(ValueType type) {
  return type == ValueType::kNumber   ? Storage::kDouble
         : type == ValueType::kString ? Storage::kString
                                      : Storage::kInt64;
}

/// The rule-language type of a schema field type (kAny reads the field's text as a string).
ValueType ValueTypeOfField(FieldType type);

enum class NodeKind : unsigned char {
  kLiteral,
  kField,
  kNegate,   ///< -x
  kNot,      ///< NOT x
  kAnd,      ///< x AND y
  kOr,       ///< x OR y
  kArith,    ///< x op y for + - * / // %
  kConcat,   ///< x || y
  kCompare,  ///< x op y for = <> < <= > >=
  kIsNull,   ///< x IS [NOT] NULL
  kIsBool,   ///< x IS [NOT] TRUE|FALSE
  kIn,       ///< x [NOT] IN (children[1..])
  kBetween,  ///< x [NOT] BETWEEN children[1] AND children[2]
  kLike,     ///< x [NOT] [I]LIKE children[1] (a constant string)
  kCase,     ///< CASE [operand] WHEN .. THEN .. [ELSE ..] END
  kCast,     ///< CAST(x AS type), TRY_CAST, x::type, or an implicit promotion
  kCall,     ///< function call
};

enum class BinaryOp : unsigned char {
  kAdd,
  kSub,
  kMul,
  kDiv,     ///< / : always a float division
  kIntDiv,  ///< // : integer division, truncating toward zero
  kMod,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
};

std::string_view BinaryOpText(BinaryOp op);

/// Built-in functions (rule_functions.cc has their table).
enum class FunctionId : unsigned char {
  kAbs,
  kLower,
  kUpper,
  kTrim,
  kLtrim,
  kRtrim,
  kLength,
  kCoalesce,
  kRegexpMatches,
  kNow,
  kRound,
  kFloor,
  kCeil,
  kLeast,
  kGreatest,
  kNullIf,
  kStartsWith,
  kEndsWith,
  kContains,
  kDateTrunc,
  kSubstr,
};

/// The items of an `x IN (...)` list whose items are all constants, sorted for binary search
/// (long lists are common in generated rules: country codes, product ids).
struct InSet {
  std::vector<int64_t> i64;
  std::vector<double> f64;
  std::vector<std::string_view> str;  ///< views into the item literals, which the node keeps
  bool has_null = false;              ///< a NULL item: a non-match is NULL, not FALSE
};

/// A constant value. For a literal node, the evaluator points its vectors at these fields, so
/// all four are always initialised (a NULL reads as zero / empty with valid = 0).
struct Literal {
  uint8_t valid = 0;
  int64_t i64 = 0;
  double f64 = 0;
  std::string text;      ///< owns the bytes of `str`
  std::string_view str;  ///< always views `text`
};

/// One node of a rule's syntax tree. The parser fills the syntax fields; the type checker fills
/// `type` and the resolved fields; slot numbers are given just before evaluation. Nodes are
/// immutable after compilation, so evaluation may run on many threads at once.
struct Node {
  NodeKind kind = NodeKind::kLiteral;
  size_t pos = 0;    ///< byte offset of the token that names the node (operator, name)
  size_t begin = 0;  ///< byte offset where the node's text starts
  int height = 1;    ///< levels of the subtree (bounded to keep recursion off the stack's end)
  ValueType type = ValueType::kNull;
  std::vector<std::unique_ptr<Node>> children;

  // Syntax.
  BinaryOp op = BinaryOp::kAdd;
  bool negated = false;   ///< NOT IN, NOT BETWEEN, NOT LIKE, IS NOT NULL, IS NOT TRUE
  bool flag = false;      ///< ILIKE; IS TRUE (vs FALSE); CASE has operand; TRY_CAST
  bool has_else = false;  ///< CASE ... ELSE
  std::string name;       ///< field, function or cast target name as written
  char escape = '\\';     ///< LIKE escape character (0 for none)
  Literal literal;        ///< kLiteral

  // Resolved by the type checker.
  size_t column = 0;  ///< kField: batch column
  FieldType field_type = FieldType::kAny;
  FunctionId function = FunctionId::kAbs;   ///< kCall
  int64_t option = 0;                       ///< function option (date_trunc unit)
  std::shared_ptr<const LikeMatcher> like;  ///< kLike
  std::shared_ptr<const re2::RE2> regex;    ///< regexp_matches
  std::shared_ptr<const InSet> in_set;      ///< kIn with enough constant items

  // Evaluation.
  int slot = -1;       ///< scratch slot of this node's output
  int temp_slot = -1;  ///< first of the extra scratch slots this node needs
};

using NodePtr = std::unique_ptr<Node>;

/// The tree as an S-expression, e.g. `(> (abs (- (* (cast quantity) unit_price) total)) 0.01)`.
std::string ToSExpr(const Node& node);

/// A literal node of `type` (valid) at `pos`.
NodePtr MakeLiteral(ValueType type, size_t pos, size_t begin);
/// A NULL literal.
NodePtr MakeNullLiteral(size_t pos, size_t begin);
/// Sets the string payload of a literal, keeping `str` pointed at the owned bytes.
void SetLiteralString(Literal& literal, std::string_view value);

}  // namespace assay::quality
