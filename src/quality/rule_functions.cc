// Built-in functions of the rule language: their names, argument types and vectorised kernels.

#include <fmt/format.h>
#include <re2/re2.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/value_parse.h"
#include "quality/rule_cast.h"
#include "quality/rule_eval.h"
#include "quality/rule_lexer.h"
#include "quality/rule_pattern.h"
#include "quality/rule_typecheck.h"

namespace assay::quality {
namespace {

struct FunctionInfo {
  std::string_view name;
  FunctionId id;
  int min_args;
  int max_args;  ///< -1: any number
};

constexpr FunctionInfo kFunctions[] = {
    {"abs", FunctionId::kAbs, 1, 1},
    {"lower", FunctionId::kLower, 1, 1},
    {"upper", FunctionId::kUpper, 1, 1},
    {"trim", FunctionId::kTrim, 1, 1},
    {"ltrim", FunctionId::kLtrim, 1, 1},
    {"rtrim", FunctionId::kRtrim, 1, 1},
    {"length", FunctionId::kLength, 1, 1},
    {"char_length", FunctionId::kLength, 1, 1},
    {"coalesce", FunctionId::kCoalesce, 1, -1},
    {"regexp_matches", FunctionId::kRegexpMatches, 2, 3},
    {"now", FunctionId::kNow, 0, 0},
    {"round", FunctionId::kRound, 1, 2},
    {"floor", FunctionId::kFloor, 1, 1},
    {"ceil", FunctionId::kCeil, 1, 1},
    {"ceiling", FunctionId::kCeil, 1, 1},
    {"least", FunctionId::kLeast, 1, -1},
    {"greatest", FunctionId::kGreatest, 1, -1},
    {"nullif", FunctionId::kNullIf, 2, 2},
    {"starts_with", FunctionId::kStartsWith, 2, 2},
    {"ends_with", FunctionId::kEndsWith, 2, 2},
    {"contains", FunctionId::kContains, 2, 2},
    {"date_trunc", FunctionId::kDateTrunc, 2, 2},
    {"substr", FunctionId::kSubstr, 2, 3},
    {"substring", FunctionId::kSubstr, 2, 3},
};

// date_trunc units, stored in Node::option.
enum TruncUnit : int64_t {
  kTruncMillisecond,
  kTruncSecond,
  kTruncMinute,
  kTruncHour,
  kTruncDay,
  kTruncWeek,
  kTruncMonth,
  kTruncQuarter,
  kTruncYear,
};

bool IsNumeric(ValueType t) { return t == ValueType::kInteger || t == ValueType::kNumber; }

Status ArgTypeError(TypeChecker& tc, const Node& call, const Node& arg, std::string_view expected) {
  return tc.source().Error(arg.begin, fmt::format("{}() expects {}, not {}", call.name, expected,
                                                  ValueTypeName(arg.type)));
}

// Requires a string (or NULL) argument.
Status StringArg(TypeChecker& tc, const Node& call, NodePtr& arg) {
  if (arg->type != ValueType::kString && arg->type != ValueType::kNull) {
    return ArgTypeError(tc, call, *arg, "a string");
  }
  return tc.CoerceTo(arg, ValueType::kString);
}

Status IntegerArg(TypeChecker& tc, const Node& call, NodePtr& arg) {
  if (arg->type != ValueType::kInteger && arg->type != ValueType::kNull) {
    return ArgTypeError(tc, call, *arg, "an integer");
  }
  return tc.CoerceTo(arg, ValueType::kInteger);
}

// Requires a constant string argument (a pattern, a unit) and returns it.
Result<std::string_view> ConstantStringArg(TypeChecker& tc, const Node& call, const Node& arg,
                                           std::string_view what) {
  if (arg.kind != NodeKind::kLiteral || arg.type != ValueType::kString || !arg.literal.valid) {
    return tc.source().Error(
        arg.begin, fmt::format("the {} of {}() must be a constant string", what, call.name));
  }
  return std::string_view(arg.literal.str);
}

Result<int64_t> TruncUnitOf(TypeChecker& tc, const Node& arg, std::string_view unit) {
  struct Unit {
    std::string_view name;
    TruncUnit unit;
  };
  static constexpr Unit kUnits[] = {
      {"millisecond", kTruncMillisecond},
      {"milliseconds", kTruncMillisecond},
      {"second", kTruncSecond},
      {"seconds", kTruncSecond},
      {"minute", kTruncMinute},
      {"minutes", kTruncMinute},
      {"hour", kTruncHour},
      {"hours", kTruncHour},
      {"day", kTruncDay},
      {"days", kTruncDay},
      {"week", kTruncWeek},
      {"weeks", kTruncWeek},
      {"month", kTruncMonth},
      {"months", kTruncMonth},
      {"quarter", kTruncQuarter},
      {"quarters", kTruncQuarter},
      {"year", kTruncYear},
      {"years", kTruncYear},
  };
  for (const Unit& u : kUnits) {
    if (EqualsKeyword(unit, u.name)) return static_cast<int64_t>(u.unit);
  }
  return tc.source().Error(arg.pos, fmt::format("unknown date_trunc unit {} (use millisecond, "
                                                "second, minute, hour, day, week, month, "
                                                "quarter or year)",
                                                QuoteForMessage(unit)));
}

Status UnifyAll(TypeChecker& tc, Node& node, std::string_view context) {
  std::vector<NodePtr*> args;
  for (NodePtr& child : node.children) args.push_back(&child);
  ASSIGN_OR_RETURN(node.type, tc.Unify(args, node.pos, context));
  return Status::Ok();
}

}  // namespace

Status CheckCall(TypeChecker& tc, NodePtr& node_ptr) {
  Node& node = *node_ptr;
  const FunctionInfo* info = nullptr;
  for (const FunctionInfo& f : kFunctions) {
    if (EqualsKeyword(node.name, f.name)) info = &f;
  }
  if (info == nullptr) {
    std::vector<std::string_view> names;
    for (const FunctionInfo& f : kFunctions) names.push_back(f.name);
    return tc.source().Error(node.pos,
                             fmt::format("unknown function {}{}", QuoteForMessage(node.name),
                                         DidYouMean(node.name, names)));
  }
  node.name = std::string(info->name);
  node.function = info->id;
  const int argc = static_cast<int>(node.children.size());
  if (argc < info->min_args || (info->max_args >= 0 && argc > info->max_args)) {
    std::string expected = info->max_args < 0 ? fmt::format("at least {}", info->min_args)
                           : info->min_args == info->max_args
                               ? fmt::format("{}", info->min_args)
                               : fmt::format("{} to {}", info->min_args, info->max_args);
    return tc.source().Error(node.pos, fmt::format("{}() takes {} argument{}, not {}", node.name,
                                                   expected, expected == "1" ? "" : "s", argc));
  }
  auto& args = node.children;
  switch (info->id) {
    case FunctionId::kAbs: {
      const ValueType t = args[0]->type;
      if (!IsNumeric(t) && t != ValueType::kInterval && t != ValueType::kNull) {
        return ArgTypeError(tc, node, *args[0], "a number or an interval");
      }
      node.type = t;
      break;
    }
    case FunctionId::kLower:
    case FunctionId::kUpper:
    case FunctionId::kTrim:
    case FunctionId::kLtrim:
    case FunctionId::kRtrim:
      RETURN_IF_ERROR(StringArg(tc, node, args[0]));
      node.type = ValueType::kString;
      break;
    case FunctionId::kLength:
      RETURN_IF_ERROR(StringArg(tc, node, args[0]));
      node.type = ValueType::kInteger;
      break;
    case FunctionId::kCoalesce:
    case FunctionId::kLeast:
    case FunctionId::kGreatest:
    case FunctionId::kNullIf:
      RETURN_IF_ERROR(UnifyAll(tc, node, fmt::format("{}() cannot mix", node.name)));
      break;
    case FunctionId::kRegexpMatches: {
      RETURN_IF_ERROR(StringArg(tc, node, args[0]));
      ASSIGN_OR_RETURN(std::string_view pattern, ConstantStringArg(tc, node, *args[1], "pattern"));
      std::string_view options;
      if (args.size() == 3) {
        ASSIGN_OR_RETURN(options, ConstantStringArg(tc, node, *args[2], "options"));
      }
      auto regex = CompileRegex(pattern, options);
      if (!regex.ok()) {
        const bool bad_option = regex.status().message().starts_with("unknown regexp option");
        return tc.source().Error(args[bad_option ? 2 : 1]->pos, regex.status().message());
      }
      node.regex = std::move(regex).value();
      node.type = ValueType::kBoolean;
      break;
    }
    case FunctionId::kNow: {
      NodePtr lit = MakeLiteral(ValueType::kTimestamp, node.pos, node.begin);
      lit->literal.i64 = tc.now_us();
      node_ptr = std::move(lit);
      return Status::Ok();
    }
    case FunctionId::kRound:
    case FunctionId::kFloor:
    case FunctionId::kCeil: {
      const ValueType t = args[0]->type;
      if (!IsNumeric(t) && t != ValueType::kNull)
        return ArgTypeError(tc, node, *args[0], "a number");
      if (args.size() == 2) {
        RETURN_IF_ERROR(IntegerArg(tc, node, args[1]));
        RETURN_IF_ERROR(tc.CoerceTo(args[0], ValueType::kNumber));
      }
      // Integers are already whole: round(7) is 7, still an integer.
      node.type = args[0]->type == ValueType::kInteger ? ValueType::kInteger : ValueType::kNumber;
      RETURN_IF_ERROR(tc.CoerceTo(args[0], node.type));
      break;
    }
    case FunctionId::kStartsWith:
    case FunctionId::kEndsWith:
    case FunctionId::kContains:
      RETURN_IF_ERROR(StringArg(tc, node, args[0]));
      RETURN_IF_ERROR(StringArg(tc, node, args[1]));
      node.type = ValueType::kBoolean;
      break;
    case FunctionId::kDateTrunc: {
      ASSIGN_OR_RETURN(std::string_view unit, ConstantStringArg(tc, node, *args[0], "unit"));
      ASSIGN_OR_RETURN(node.option, TruncUnitOf(tc, *args[0], unit));
      const ValueType t = args[1]->type;
      if (t != ValueType::kTimestamp && t != ValueType::kDate && t != ValueType::kNull) {
        return ArgTypeError(tc, node, *args[1], "a timestamp or a date");
      }
      RETURN_IF_ERROR(tc.CoerceTo(args[1], ValueType::kTimestamp));
      node.type = ValueType::kTimestamp;
      break;
    }
    case FunctionId::kSubstr:
      RETURN_IF_ERROR(StringArg(tc, node, args[0]));
      RETURN_IF_ERROR(IntegerArg(tc, node, args[1]));
      if (args.size() == 3) RETURN_IF_ERROR(IntegerArg(tc, node, args[2]));
      node.type = ValueType::kString;
      break;
  }
  return Status::Ok();
}

int FunctionTempSlots(FunctionId id) { return id == FunctionId::kNullIf ? 1 : 0; }

namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool IsContinuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Applies f(value) -> out value for each valid row of a one-argument function.
template <typename F>
VecView MapRows(const Node& node, const EvalContext& ctx, F&& f) {
  const VecView a = EvalNode(*node.children[0], ctx);
  Slot& out = ctx.slot(node.slot);
  for (size_t i = 0; i < ctx.rows; ++i) {
    const size_t ia = At(a, i);
    out.valid[i] = a.valid[ia];
    if (a.valid[ia]) f(a, ia, out, i);
  }
  return out.View();
}

VecView CaseMap(const Node& node, const EvalContext& ctx, bool upper) {
  const VecView a = EvalNode(*node.children[0], ctx);
  Slot& out = ctx.slot(node.slot);
  size_t total = 0;
  for (size_t i = 0; i < ctx.rows; ++i) {
    if (a.valid[At(a, i)]) total += a.str[At(a, i)].size();
  }
  if (out.chars.size() < total) out.chars.resize(total);
  char* p = out.chars.data();
  // ASCII letters only: other bytes (UTF-8 sequences) are copied unchanged.
  const char from = upper ? 'a' : 'A';
  const char to = upper ? 'A' : 'a';
  for (size_t i = 0; i < ctx.rows; ++i) {
    const size_t ia = At(a, i);
    out.valid[i] = a.valid[ia];
    if (!a.valid[ia]) {
      out.str[i] = {};
      continue;
    }
    const std::string_view s = a.str[ia];
    for (size_t k = 0; k < s.size(); ++k) {
      const char c = s[k];
      p[k] =
          (c >= from && c <= static_cast<char>(from + 25)) ? static_cast<char>(c - from + to) : c;
    }
    out.str[i] = std::string_view(p, s.size());
    p += s.size();
  }
  return out.View();
}

// Evaluates every argument and keeps, per row, the first non-NULL one (coalesce) or the
// smallest / largest non-NULL one (least / greatest).
VecView Choose(const Node& node, const EvalContext& ctx) {
  const size_t n = ctx.rows;
  const Storage storage = StorageOf(node.type);
  Slot& out = ctx.slot(node.slot);
  std::fill_n(out.valid.data(), n, 0);
  const FunctionId id = node.function;
  for (const NodePtr& arg : node.children) {
    const VecView v = EvalNode(*arg, ctx);
    size_t missing = 0;
    for (size_t i = 0; i < n; ++i) {
      const size_t iv = At(v, i);
      if (!v.valid[iv]) {
        missing += out.valid[i] ^ 1;
        continue;
      }
      bool take = !out.valid[i];
      if (!take && id != FunctionId::kCoalesce) {
        const bool less = storage == Storage::kInt64    ? v.i64[iv] < out.i64[i]
                          : storage == Storage::kDouble ? v.f64[iv] < out.f64[i]
                                                        : v.str[iv] < out.str[i];
        const bool greater = storage == Storage::kInt64    ? v.i64[iv] > out.i64[i]
                             : storage == Storage::kDouble ? v.f64[iv] > out.f64[i]
                                                           : v.str[iv] > out.str[i];
        take = id == FunctionId::kLeast ? less : greater;
      }
      if (take) CopyValue(storage, v, iv, out, i);
    }
    // coalesce stops as soon as every row has a value.
    if (id == FunctionId::kCoalesce && missing == 0) break;
  }
  return out.View();
}

int64_t TruncTimestamp(int64_t us, int64_t unit) {
  switch (unit) {
    case kTruncMillisecond: return FloorDiv(us, 1000) * 1000;
    case kTruncSecond: return FloorDiv(us, kMicrosPerSecond) * kMicrosPerSecond;
    case kTruncMinute: return FloorDiv(us, 60 * kMicrosPerSecond) * 60 * kMicrosPerSecond;
    case kTruncHour: return FloorDiv(us, 3600 * kMicrosPerSecond) * 3600 * kMicrosPerSecond;
    case kTruncDay: return FloorDiv(us, kMicrosPerDay) * kMicrosPerDay;
    case kTruncWeek: {
      // ISO weeks start on Monday; 1970-01-01 was a Thursday (3 days after Monday).
      const int64_t days = FloorDiv(us, kMicrosPerDay);
      return (FloorDiv(days + 3, 7) * 7 - 3) * kMicrosPerDay;
    }
    default: {
      int64_t y;
      unsigned m, d;
      CivilFromDays(FloorDiv(us, kMicrosPerDay), y, m, d);
      if (unit == kTruncYear) m = 1;
      if (unit == kTruncQuarter) m = (m - 1) / 3 * 3 + 1;
      return DaysFromCivil(y, m, 1) * kMicrosPerDay;
    }
  }
}

// SQL substring: 1-based character positions; a start before 1 eats into the length.
std::string_view Substring(std::string_view s, int64_t start, bool has_length, int64_t length) {
  int64_t first = start;
  int64_t end = INT64_MAX;
  if (has_length && __builtin_add_overflow(start, length, &end)) end = INT64_MAX;
  if (first < 1) first = 1;
  if (end <= first) return {};
  // Walk characters to byte offsets.
  size_t byte = 0;
  int64_t pos = 1;
  size_t begin_byte = s.size();
  while (byte < s.size()) {
    if (!IsContinuation(s[byte])) {
      if (pos == first) begin_byte = byte;
      if (pos == end) return s.substr(begin_byte, byte - begin_byte);
      ++pos;
    }
    ++byte;
  }
  return begin_byte >= s.size() ? std::string_view() : s.substr(begin_byte);
}

double RoundTo(double x, int64_t digits) {
  static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8, 1e9,
                                      1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18};
  if (digits >= 0) {
    if (digits > 18) return x;
    const double p = kPow10[digits];
    const double r = std::round(x * p) / p;
    return std::isfinite(r) ? r : x;
  }
  if (digits < -18) return 0;
  const double p = kPow10[-digits];
  return std::round(x / p) * p;
}

}  // namespace

VecView EvalCall(const Node& node, const EvalContext& ctx) {
  const size_t n = ctx.rows;
  switch (node.function) {
    case FunctionId::kAbs: {
      const VecView a = EvalNode(*node.children[0], ctx);
      Slot& out = ctx.slot(node.slot);
      const SlotPtrs o(out);
      if (StorageOf(node.type) == Storage::kDouble) {
        UnaryKernel(a, a.f64, n, o.f64, o.valid, [](double x, double& r) {
          r = std::fabs(x);
          return true;
        });
      } else {
        UnaryKernel(a, a.i64, n, o.i64, o.valid, [](int64_t x, int64_t& r) {
          // |INT64_MIN| does not fit: NULL rather than a wrong value.
          r = x < 0 ? static_cast<int64_t>(0ULL - static_cast<uint64_t>(x)) : x;
          return x != INT64_MIN;
        });
      }
      return out.View();
    }
    case FunctionId::kLower: return CaseMap(node, ctx, false);
    case FunctionId::kUpper: return CaseMap(node, ctx, true);
    case FunctionId::kTrim:
    case FunctionId::kLtrim:
    case FunctionId::kRtrim: {
      const bool left = node.function != FunctionId::kRtrim;
      const bool right = node.function != FunctionId::kLtrim;
      return MapRows(node, ctx, [left, right](const VecView& a, size_t ia, Slot& out, size_t i) {
        std::string_view s = a.str[ia];
        while (left && !s.empty() && IsSpace(s.front())) s.remove_prefix(1);
        while (right && !s.empty() && IsSpace(s.back())) s.remove_suffix(1);
        out.str[i] = s;
      });
    }
    case FunctionId::kLength:
      return MapRows(node, ctx, [](const VecView& a, size_t ia, Slot& out, size_t i) {
        int64_t chars = 0;
        for (char c : a.str[ia]) chars += !IsContinuation(c);
        out.i64[i] = chars;
      });
    case FunctionId::kCoalesce:
    case FunctionId::kLeast:
    case FunctionId::kGreatest: return Choose(node, ctx);
    case FunctionId::kNullIf: {
      const VecView a = EvalNode(*node.children[0], ctx);
      const VecView b = EvalNode(*node.children[1], ctx);
      Slot& eq = ctx.slot(node.temp_slot);
      CompareInto(BinaryOp::kEq, StorageOf(node.type), a, b, n, eq);
      Slot& out = ctx.slot(node.slot);
      for (size_t i = 0; i < n; ++i) {
        CopyValue(StorageOf(node.type), a, At(a, i), out, i);
        if (eq.valid[i] && eq.i64[i]) out.valid[i] = 0;
      }
      return out.View();
    }
    case FunctionId::kRegexpMatches: {
      const re2::RE2& regex = *node.regex;
      return MapRows(node, ctx, [&regex](const VecView& a, size_t ia, Slot& out, size_t i) {
        out.i64[i] = RE2::PartialMatch(a.str[ia], regex) ? 1 : 0;
      });
    }
    case FunctionId::kNow: {
      // Replaced by a literal at compile time; kept for completeness.
      Slot& out = ctx.slot(node.slot);
      std::fill_n(out.valid.data(), n, 0);
      return out.View();
    }
    case FunctionId::kRound:
    case FunctionId::kFloor:
    case FunctionId::kCeil: {
      if (node.type == ValueType::kInteger) {
        return MapRows(node, ctx, [](const VecView& a, size_t ia, Slot& out, size_t i) {
          out.i64[i] = a.i64[ia];
        });
      }
      if (node.children.size() == 2) {
        const VecView x = EvalNode(*node.children[0], ctx);
        const VecView d = EvalNode(*node.children[1], ctx);
        Slot& out = ctx.slot(node.slot);
        for (size_t i = 0; i < n; ++i) {
          const size_t ix = At(x, i), id = At(d, i);
          out.valid[i] = x.valid[ix] & d.valid[id];
          out.f64[i] = out.valid[i] ? RoundTo(x.f64[ix], d.i64[id]) : 0;
        }
        return out.View();
      }
      const FunctionId id = node.function;
      return MapRows(node, ctx, [id](const VecView& a, size_t ia, Slot& out, size_t i) {
        const double x = a.f64[ia];
        out.f64[i] = id == FunctionId::kRound   ? std::round(x)
                     : id == FunctionId::kFloor ? std::floor(x)
                                                : std::ceil(x);
      });
    }
    case FunctionId::kStartsWith:
    case FunctionId::kEndsWith:
    case FunctionId::kContains: {
      const VecView a = EvalNode(*node.children[0], ctx);
      const VecView b = EvalNode(*node.children[1], ctx);
      Slot& out = ctx.slot(node.slot);
      const FunctionId id = node.function;
      for (size_t i = 0; i < n; ++i) {
        const size_t ia = At(a, i), ib = At(b, i);
        out.valid[i] = a.valid[ia] & b.valid[ib];
        if (!out.valid[i]) continue;
        const std::string_view s = a.str[ia], t = b.str[ib];
        out.i64[i] = id == FunctionId::kStartsWith ? s.starts_with(t)
                     : id == FunctionId::kEndsWith ? s.ends_with(t)
                                                   : s.find(t) != std::string_view::npos;
      }
      return out.View();
    }
    case FunctionId::kDateTrunc: {
      const VecView a = EvalNode(*node.children[1], ctx);
      Slot& out = ctx.slot(node.slot);
      for (size_t i = 0; i < n; ++i) {
        const size_t ia = At(a, i);
        out.valid[i] = a.valid[ia];
        out.i64[i] = a.valid[ia] ? TruncTimestamp(a.i64[ia], node.option) : 0;
      }
      return out.View();
    }
    case FunctionId::kSubstr: {
      const VecView s = EvalNode(*node.children[0], ctx);
      const VecView start = EvalNode(*node.children[1], ctx);
      const bool has_length = node.children.size() == 3;
      const VecView length = has_length ? EvalNode(*node.children[2], ctx) : start;
      Slot& out = ctx.slot(node.slot);
      for (size_t i = 0; i < n; ++i) {
        const size_t is = At(s, i), ist = At(start, i), il = At(length, i);
        out.valid[i] = s.valid[is] & start.valid[ist] & length.valid[il];
        // A negative length is an error in SQL; here it makes the value NULL.
        if (has_length && out.valid[i] && length.i64[il] < 0) out.valid[i] = 0;
        out.str[i] = out.valid[i] ? Substring(s.str[is], start.i64[ist], has_length,
                                              has_length ? length.i64[il] : 0)
                                  : std::string_view();
      }
      return out.View();
    }
  }
  return {};
}

}  // namespace assay::quality
