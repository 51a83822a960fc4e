#include "quality/rule_parser.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include "quality/rule_lexer.h"
#include "quality/rule_literal.h"

namespace assay::quality {
namespace {

// Words that cannot be bare field names (quote them: "end").
constexpr std::string_view kReserved[] = {"and",     "or",   "not",   "is",    "null", "in",
                                          "between", "like", "ilike", "case",  "when", "then",
                                          "else",    "end",  "true",  "false", "as"};

bool IsReserved(std::string_view word) {
  for (std::string_view kw : kReserved) {
    if (EqualsKeyword(word, kw)) return true;
  }
  return false;
}

class Parser {
 public:
  Parser(const RuleSource& source, std::vector<Token> tokens)
      : source_(source), tokens_(std::move(tokens)) {}

  Result<NodePtr> Run() {
    if (Peek().kind == TokenKind::kEnd) return source_.Error(0, "empty expression");
    ASSIGN_OR_RETURN(NodePtr root, Expr());
    if (Peek().kind != TokenKind::kEnd) {
      return Unexpected("an operator or the end of the expression");
    }
    return root;
  }

 private:
  const Token& Peek(size_t ahead = 0) const {
    size_t i = index_ + ahead;
    return i < tokens_.size() ? tokens_[i] : tokens_.back();
  }
  const Token& Take() {
    const Token& t = tokens_[index_];
    if (index_ + 1 < tokens_.size()) ++index_;
    return t;
  }
  bool AtKeyword(std::string_view kw, size_t ahead = 0) const {
    const Token& t = Peek(ahead);
    return t.kind == TokenKind::kIdent && EqualsKeyword(t.text, kw);
  }
  bool TakeKeyword(std::string_view kw) {
    if (!AtKeyword(kw)) return false;
    Take();
    return true;
  }
  bool TakeIf(TokenKind kind) {
    if (Peek().kind != kind) return false;
    Take();
    return true;
  }

  Status Unexpected(std::string_view expected) const {
    const Token& t = Peek();
    if (t.kind == TokenKind::kEnd) {
      return source_.Error(t.pos,
                           fmt::format("unexpected end of expression, expected {}", expected));
    }
    return source_.Error(
        t.pos, fmt::format("unexpected {}, expected {}", QuoteForMessage(t.text), expected));
  }
  Status Expect(TokenKind kind, std::string_view what) {
    if (!TakeIf(kind)) return Unexpected(what);
    return Status::Ok();
  }
  Status ExpectKeyword(std::string_view kw) {
    if (!TakeKeyword(kw)) return Unexpected(fmt::format("{}", kw == "end" ? "END" : kw));
    return Status::Ok();
  }

  // Guards recursion; every recursive production goes through it.
  class DepthGuard {
   public:
    explicit DepthGuard(int& depth) : depth_(depth) { ++depth_; }
    ~DepthGuard() { --depth_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;

   private:
    int& depth_;
  };
  Status CheckDepth() const {
    if (depth_ > kMaxRuleDepth) return source_.Error(Peek().pos, "expression nests too deeply");
    return Status::Ok();
  }

  static NodePtr MakeNode(NodeKind kind, size_t pos, size_t begin) {
    auto node = std::make_unique<Node>();
    node->kind = kind;
    node->pos = pos;
    node->begin = begin;
    return node;
  }
  static NodePtr Binary(NodeKind kind, size_t pos, NodePtr lhs, NodePtr rhs) {
    NodePtr node = MakeNode(kind, pos, lhs->begin);
    node->children.push_back(std::move(lhs));
    node->children.push_back(std::move(rhs));
    return node;
  }

  // Sets the node's height from its children; refuses trees too tall to walk recursively.
  Result<NodePtr> Finish(NodePtr node) const {
    int height = 0;
    for (const NodePtr& child : node->children) height = std::max(height, child->height);
    node->height = height + 1;
    if (node->height > kMaxRuleHeight) {
      return source_.Error(node->pos, "expression is too long or nests too deeply");
    }
    return node;
  }

  Result<NodePtr> Expr() {
    DepthGuard guard(depth_);
    RETURN_IF_ERROR(CheckDepth());
    return Or();
  }

  Result<NodePtr> Or() {
    ASSIGN_OR_RETURN(NodePtr lhs, And());
    while (AtKeyword("or")) {
      size_t pos = Take().pos;
      ASSIGN_OR_RETURN(NodePtr rhs, And());
      ASSIGN_OR_RETURN(lhs, Finish(Binary(NodeKind::kOr, pos, std::move(lhs), std::move(rhs))));
    }
    return lhs;
  }

  Result<NodePtr> And() {
    ASSIGN_OR_RETURN(NodePtr lhs, Not());
    while (AtKeyword("and")) {
      size_t pos = Take().pos;
      ASSIGN_OR_RETURN(NodePtr rhs, Not());
      ASSIGN_OR_RETURN(lhs, Finish(Binary(NodeKind::kAnd, pos, std::move(lhs), std::move(rhs))));
    }
    return lhs;
  }

  Result<NodePtr> Not() {
    if (AtKeyword("not")) {
      DepthGuard guard(depth_);
      RETURN_IF_ERROR(CheckDepth());
      size_t pos = Take().pos;
      ASSIGN_OR_RETURN(NodePtr operand, Not());
      NodePtr node = MakeNode(NodeKind::kNot, pos, pos);
      node->children.push_back(std::move(operand));
      return Finish(std::move(node));
    }
    return Predicate();
  }

  static std::optional<BinaryOp> ComparisonOp(TokenKind kind) {
    switch (kind) {
      case TokenKind::kEq: return BinaryOp::kEq;
      case TokenKind::kNe: return BinaryOp::kNe;
      case TokenKind::kLt: return BinaryOp::kLt;
      case TokenKind::kLe: return BinaryOp::kLe;
      case TokenKind::kGt: return BinaryOp::kGt;
      case TokenKind::kGe: return BinaryOp::kGe;
      default: return std::nullopt;
    }
  }

  // Comparisons and the SQL predicates (IS, IN, BETWEEN, LIKE) share one precedence level.
  Result<NodePtr> Predicate() {
    ASSIGN_OR_RETURN(NodePtr lhs, Concat());
    while (true) {
      if (auto op = ComparisonOp(Peek().kind)) {
        size_t pos = Take().pos;
        ASSIGN_OR_RETURN(NodePtr rhs, Concat());
        ASSIGN_OR_RETURN(lhs,
                         Finish(Binary(NodeKind::kCompare, pos, std::move(lhs), std::move(rhs))));
        lhs->op = *op;
        continue;
      }
      if (AtKeyword("is")) {
        size_t pos = Take().pos;
        bool negated = TakeKeyword("not");
        NodePtr node;
        if (TakeKeyword("null")) {
          node = MakeNode(NodeKind::kIsNull, pos, lhs->begin);
        } else if (AtKeyword("true") || AtKeyword("false")) {
          node = MakeNode(NodeKind::kIsBool, pos, lhs->begin);
          node->flag = AtKeyword("true");
          Take();
        } else {
          return Unexpected("NULL, TRUE or FALSE after IS");
        }
        node->negated = negated;
        node->children.push_back(std::move(lhs));
        ASSIGN_OR_RETURN(lhs, Finish(std::move(node)));
        continue;
      }
      // [NOT] IN / BETWEEN / LIKE / ILIKE
      size_t ahead = AtKeyword("not") ? 1 : 0;
      if (AtKeyword("in", ahead) || AtKeyword("between", ahead) || AtKeyword("like", ahead) ||
          AtKeyword("ilike", ahead)) {
        bool negated = ahead == 1;
        if (negated) Take();
        const Token& keyword = Take();
        size_t pos = keyword.pos;
        if (EqualsKeyword(keyword.text, "in")) {
          ASSIGN_OR_RETURN(lhs, In(std::move(lhs), pos));
        } else if (EqualsKeyword(keyword.text, "between")) {
          NodePtr node = MakeNode(NodeKind::kBetween, pos, lhs->begin);
          node->children.push_back(std::move(lhs));
          ASSIGN_OR_RETURN(NodePtr low, Concat());
          RETURN_IF_ERROR(ExpectKeyword("and"));
          ASSIGN_OR_RETURN(NodePtr high, Concat());
          node->children.push_back(std::move(low));
          node->children.push_back(std::move(high));
          lhs = std::move(node);
        } else {
          NodePtr node = MakeNode(NodeKind::kLike, pos, lhs->begin);
          node->flag = EqualsKeyword(keyword.text, "ilike");
          node->children.push_back(std::move(lhs));
          ASSIGN_OR_RETURN(NodePtr pattern, Concat());
          node->children.push_back(std::move(pattern));
          if (TakeKeyword("escape")) {
            const Token& esc = Peek();
            if (esc.kind != TokenKind::kString || esc.value.size() > 1) {
              return Unexpected("a one-character string after ESCAPE");
            }
            node->escape = esc.value.empty() ? '\0' : esc.value[0];
            Take();
          }
          lhs = std::move(node);
        }
        lhs->negated = negated;
        ASSIGN_OR_RETURN(lhs, Finish(std::move(lhs)));
        continue;
      }
      return lhs;
    }
  }

  Result<NodePtr> In(NodePtr lhs, size_t pos) {
    NodePtr node = MakeNode(NodeKind::kIn, pos, lhs->begin);
    node->children.push_back(std::move(lhs));
    RETURN_IF_ERROR(Expect(TokenKind::kLParen, "( after IN"));
    do {
      ASSIGN_OR_RETURN(NodePtr item, Expr());
      node->children.push_back(std::move(item));
    } while (TakeIf(TokenKind::kComma));
    RETURN_IF_ERROR(Expect(TokenKind::kRParen, ", or ) in the IN list"));
    return Finish(std::move(node));
  }

  Result<NodePtr> Concat() {
    ASSIGN_OR_RETURN(NodePtr lhs, Additive());
    while (Peek().kind == TokenKind::kConcat) {
      size_t pos = Take().pos;
      ASSIGN_OR_RETURN(NodePtr rhs, Additive());
      ASSIGN_OR_RETURN(lhs, Finish(Binary(NodeKind::kConcat, pos, std::move(lhs), std::move(rhs))));
    }
    return lhs;
  }

  Result<NodePtr> Additive() {
    ASSIGN_OR_RETURN(NodePtr lhs, Multiplicative());
    while (Peek().kind == TokenKind::kPlus || Peek().kind == TokenKind::kMinus) {
      const Token& t = Take();
      BinaryOp op = t.kind == TokenKind::kPlus ? BinaryOp::kAdd : BinaryOp::kSub;
      ASSIGN_OR_RETURN(NodePtr rhs, Multiplicative());
      ASSIGN_OR_RETURN(lhs,
                       Finish(Binary(NodeKind::kArith, t.pos, std::move(lhs), std::move(rhs))));
      lhs->op = op;
    }
    return lhs;
  }

  Result<NodePtr> Multiplicative() {
    ASSIGN_OR_RETURN(NodePtr lhs, Unary());
    while (true) {
      BinaryOp op;
      switch (Peek().kind) {
        case TokenKind::kStar: op = BinaryOp::kMul; break;
        case TokenKind::kSlash: op = BinaryOp::kDiv; break;
        case TokenKind::kSlashSlash: op = BinaryOp::kIntDiv; break;
        case TokenKind::kPercent: op = BinaryOp::kMod; break;
        default: return lhs;
      }
      size_t pos = Take().pos;
      ASSIGN_OR_RETURN(NodePtr rhs, Unary());
      ASSIGN_OR_RETURN(lhs, Finish(Binary(NodeKind::kArith, pos, std::move(lhs), std::move(rhs))));
      lhs->op = op;
    }
  }

  Result<NodePtr> Unary() {
    if (Peek().kind == TokenKind::kMinus || Peek().kind == TokenKind::kPlus) {
      DepthGuard guard(depth_);
      RETURN_IF_ERROR(CheckDepth());
      const Token& t = Take();
      bool minus = t.kind == TokenKind::kMinus;
      size_t pos = t.pos;
      ASSIGN_OR_RETURN(NodePtr operand, Unary());
      if (!minus) return operand;
      NodePtr node = MakeNode(NodeKind::kNegate, pos, pos);
      node->children.push_back(std::move(operand));
      return Finish(std::move(node));
    }
    return Postfix();
  }

  Result<NodePtr> Postfix() {
    ASSIGN_OR_RETURN(NodePtr node, Primary());
    while (Peek().kind == TokenKind::kDoubleColon) {
      size_t pos = Take().pos;
      NodePtr cast = MakeNode(NodeKind::kCast, pos, node->begin);
      cast->children.push_back(std::move(node));
      RETURN_IF_ERROR(TypeName(*cast));
      ASSIGN_OR_RETURN(node, Finish(std::move(cast)));
    }
    return node;
  }

  // A type name for CAST: one word (two for `double precision`), with an optional ignored
  // `(precision, scale)` as in decimal(10, 2).
  Status TypeName(Node& cast) {
    const Token& t = Peek();
    if (t.kind != TokenKind::kIdent) return Unexpected("a type name");
    cast.name = std::string(t.text);
    cast.pos = t.pos;
    Take();
    if (EqualsKeyword(cast.name, "double") && TakeKeyword("precision")) cast.name = "double";
    if (TakeIf(TokenKind::kLParen)) {
      do {
        if (!TakeIf(TokenKind::kInteger)) return Unexpected("a number");
      } while (TakeIf(TokenKind::kComma));
      RETURN_IF_ERROR(Expect(TokenKind::kRParen, ")"));
    }
    return Status::Ok();
  }

  Result<NodePtr> Primary() {
    const Token& t = Peek();
    switch (t.kind) {
      case TokenKind::kInteger: return IntegerLiteral(Take());
      case TokenKind::kNumber: return NumberLiteral(Take());
      case TokenKind::kString: {
        NodePtr node = MakeLiteral(ValueType::kString, t.pos, t.pos);
        SetLiteralString(node->literal, t.value);
        Take();
        return node;
      }
      case TokenKind::kQuotedIdent: {
        NodePtr node = MakeNode(NodeKind::kField, t.pos, t.pos);
        node->name = t.value;
        Take();
        return node;
      }
      case TokenKind::kLParen: {
        Take();
        ASSIGN_OR_RETURN(NodePtr inner, Expr());
        RETURN_IF_ERROR(Expect(TokenKind::kRParen, ")"));
        return inner;
      }
      case TokenKind::kIdent: return Word();
      default: return Unexpected("a value, a field name or (");
    }
  }

  Result<NodePtr> IntegerLiteral(const Token& t) {
    int64_t value = 0;
    auto [ptr, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), value);
    if (ec == std::errc() && ptr == t.text.data() + t.text.size()) {
      NodePtr node = MakeLiteral(ValueType::kInteger, t.pos, t.pos);
      node->literal.i64 = value;
      return node;
    }
    // Too large for int64: it is still a number, as in DuckDB.
    return NumberLiteral(t);
  }

  Result<NodePtr> NumberLiteral(const Token& t) {
    double value = 0;
    auto [ptr, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), value);
    if (ec != std::errc() || ptr != t.text.data() + t.text.size()) {
      return source_.Error(t.pos,
                           fmt::format("number {} is out of range", QuoteForMessage(t.text)));
    }
    NodePtr node = MakeLiteral(ValueType::kNumber, t.pos, t.pos);
    node->literal.f64 = value;
    return node;
  }

  // A bare word: keyword-led construct, function call or field name.
  Result<NodePtr> Word() {
    const Token& t = Peek();
    const size_t pos = t.pos;
    const TokenKind next = Peek(1).kind;
    if (AtKeyword("null")) {
      Take();
      return MakeNullLiteral(pos, pos);
    }
    if (AtKeyword("true") || AtKeyword("false")) {
      NodePtr node = MakeLiteral(ValueType::kBoolean, pos, pos);
      node->literal.i64 = AtKeyword("true") ? 1 : 0;
      Take();
      return node;
    }
    if (AtKeyword("case")) return Case();
    if ((AtKeyword("cast") || AtKeyword("try_cast")) && next == TokenKind::kLParen) return Cast();
    // `interval`, `timestamp` and `date` start a typed literal only when a literal follows, so
    // fields with those names still work.
    if (AtKeyword("interval") &&
        (next == TokenKind::kString || next == TokenKind::kInteger || next == TokenKind::kNumber)) {
      return Interval();
    }
    if ((AtKeyword("timestamp") || AtKeyword("timestamptz") || AtKeyword("date")) &&
        next == TokenKind::kString) {
      bool is_date = AtKeyword("date");
      Take();
      const Token& lit = Take();
      NodePtr node = MakeLiteral(is_date ? ValueType::kDate : ValueType::kTimestamp, lit.pos, pos);
      std::optional<int64_t> value =
          is_date ? ParseDateLiteral(lit.value) : ParseTimestampLiteral(lit.value);
      if (!value) {
        return source_.Error(lit.pos,
                             fmt::format("invalid {} literal {}", is_date ? "date" : "timestamp",
                                         QuoteForMessage(lit.value)));
      }
      node->literal.i64 = *value;
      return node;
    }
    if (IsReserved(t.text)) {
      return source_.Error(pos, fmt::format("unexpected keyword {}; quote a field of that name "
                                            "with double quotes",
                                            QuoteForMessage(t.text)));
    }
    if (next == TokenKind::kLParen) return Call();
    NodePtr node = MakeNode(NodeKind::kField, pos, pos);
    node->name = std::string(t.text);
    Take();
    return node;
  }

  Result<NodePtr> Call() {
    const Token& name = Take();
    NodePtr node = MakeNode(NodeKind::kCall, name.pos, name.pos);
    node->name = std::string(name.text);
    Take();  // (
    if (TakeIf(TokenKind::kRParen)) return node;
    do {
      ASSIGN_OR_RETURN(NodePtr arg, Expr());
      node->children.push_back(std::move(arg));
    } while (TakeIf(TokenKind::kComma));
    RETURN_IF_ERROR(Expect(TokenKind::kRParen, ", or ) after the function arguments"));
    return Finish(std::move(node));
  }

  Result<NodePtr> Cast() {
    const Token& keyword = Take();
    NodePtr node = MakeNode(NodeKind::kCast, keyword.pos, keyword.pos);
    node->flag = EqualsKeyword(keyword.text, "try_cast");
    Take();  // (
    ASSIGN_OR_RETURN(NodePtr operand, Expr());
    node->children.push_back(std::move(operand));
    RETURN_IF_ERROR(ExpectKeyword("as"));
    RETURN_IF_ERROR(TypeName(*node));
    RETURN_IF_ERROR(Expect(TokenKind::kRParen, ")"));
    return Finish(std::move(node));
  }

  // interval '30 days' | interval '30' day | interval 30 day
  Result<NodePtr> Interval() {
    const size_t begin = Take().pos;
    const Token& amount = Take();
    std::string text = amount.value;
    // A unit after the literal applies to a bare amount.
    if (Peek().kind == TokenKind::kIdent && IntervalUnitMicros(Peek().text)) {
      text += ' ';
      text += Peek().text;
      Take();
    } else if (amount.kind != TokenKind::kString) {
      return Unexpected("an interval unit (days, hours, ...)");
    }
    Result<int64_t> micros = ParseIntervalText(text);
    if (!micros.ok()) return source_.Error(amount.pos, micros.status().message());
    NodePtr node = MakeLiteral(ValueType::kInterval, amount.pos, begin);
    node->literal.i64 = *micros;
    return node;
  }

  Result<NodePtr> Case() {
    const size_t pos = Take().pos;
    NodePtr node = MakeNode(NodeKind::kCase, pos, pos);
    DepthGuard guard(depth_);
    RETURN_IF_ERROR(CheckDepth());
    if (!AtKeyword("when")) {
      node->flag = true;  // simple CASE: CASE operand WHEN value THEN ...
      ASSIGN_OR_RETURN(NodePtr operand, Expr());
      node->children.push_back(std::move(operand));
    }
    if (!AtKeyword("when")) return Unexpected("WHEN");
    while (TakeKeyword("when")) {
      ASSIGN_OR_RETURN(NodePtr when, Expr());
      RETURN_IF_ERROR(ExpectKeyword("then"));
      ASSIGN_OR_RETURN(NodePtr then, Expr());
      node->children.push_back(std::move(when));
      node->children.push_back(std::move(then));
    }
    if (TakeKeyword("else")) {
      node->has_else = true;
      ASSIGN_OR_RETURN(NodePtr otherwise, Expr());
      node->children.push_back(std::move(otherwise));
    }
    RETURN_IF_ERROR(ExpectKeyword("end"));
    return Finish(std::move(node));
  }

  const RuleSource& source_;
  std::vector<Token> tokens_;
  size_t index_ = 0;
  int depth_ = 0;
};

}  // namespace

Result<NodePtr> ParseRule(const RuleSource& source) {
  ASSIGN_OR_RETURN(std::vector<Token> tokens, LexRule(source));
  return Parser(source, std::move(tokens)).Run();
}

}  // namespace assay::quality
