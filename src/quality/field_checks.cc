#include "quality/field_checks.h"

#include <fmt/format.h>
#include <re2/re2.h>

#include <cstring>
#include <optional>
#include <unordered_set>

#include "core/short_key.h"
#include "core/value_parse.h"
#include "quality/fixed_pattern.h"

namespace assay::quality {
namespace {

using schema::CheckKind;
using schema::FieldCheck;
using schema::Literal;

// A value shown in a message: quoted, and cut so a 10 MB field does not make a 10 MB message.
std::string Show(std::string_view raw) {
  constexpr size_t kMax = 80;
  if (raw.size() <= kMax) return fmt::format("'{}'", raw);
  return fmt::format("'{}…' ({} bytes)", raw.substr(0, kMax), raw.size());
}

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// The numeric value of a valid cell, for range checks. Untyped cells are numbers only when
// their text is one; otherwise the check does not apply.
std::optional<double> NumericValue(const Column& col, size_t row) {
  switch (col.type) {
    case FieldType::kInteger: return static_cast<double>(col.i64[row]);
    case FieldType::kNumber: return col.f64[row];
    case FieldType::kAny: return ParseNumberText(col.str[row]);
    default: return std::nullopt;
  }
}

// A check on one field: reports failures with the value and what is wrong with it.
class FieldCheckBase : public Check {
 public:
  FieldCheckBase(CheckInfo info, FieldCheck spec, size_t column)
      : Check(std::move(info)), spec_(std::move(spec)), column_(column) {}

  std::string DescribeFailure(const Batch& batch, size_t row) const override {
    const Column& col = batch.column(column_);
    return fmt::format("{}: {} {}", info().name, Show(col.raw[row]), Explain());
  }

 protected:
  virtual std::string Explain() const = 0;

  FieldCheck spec_;
  size_t column_;
};

// A check on the typed value: not applicable to a null or mistyped one (DESIGN §3a).
// `Derived::Test(col, row)` is called directly (CRTP), not virtually, so it inlines into the
// loop over the batch: one virtual call per row was a third of the cost of the cheap checks.
template <typename Derived>
class ValueCheck : public FieldCheckBase {
 public:
  using FieldCheckBase::FieldCheckBase;

  void Evaluate(const Batch& batch, std::span<uint8_t> out, EvalScratch&) const override {
    const Column& col = batch.column(column_);
    const auto& self = static_cast<const Derived&>(*this);
    const size_t rows = batch.num_rows();
    for (size_t r = 0; r < rows; ++r) {
      out[r] = col.valid[r] ? self.Test(col, r) : uint8_t{kNotApplicable};
    }
  }
};

class RequiredCheck final : public Check {
 public:
  RequiredCheck(CheckInfo info, size_t column) : Check(std::move(info)), column_(column) {}
  void Evaluate(const Batch& batch, std::span<uint8_t> out, EvalScratch&) const override {
    const Column& col = batch.column(column_);
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      out[r] = col.kind[r] == CellKind::kNull ? kFail : kPass;
    }
  }
  std::string DescribeFailure(const Batch&, size_t) const override {
    return fmt::format("{}: the value is missing or null", info().name);
  }

 private:
  size_t column_;
};

class TypeCheck final : public FieldCheckBase {
 public:
  TypeCheck(CheckInfo info, FieldCheck spec, size_t column, std::string type_text)
      : FieldCheckBase(std::move(info), std::move(spec), column),
        type_text_(std::move(type_text)) {}
  void Evaluate(const Batch& batch, std::span<uint8_t> out, EvalScratch&) const override {
    const Column& col = batch.column(column_);
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      out[r] = col.kind[r] == CellKind::kNull ? kNotApplicable : col.type_failed[r] ? kFail : kPass;
    }
  }

 protected:
  std::string Explain() const override { return "is not " + type_text_; }

 private:
  std::string type_text_;
};

class PatternCheck final : public ValueCheck<PatternCheck> {
  friend class ValueCheck<PatternCheck>;

 public:
  PatternCheck(CheckInfo info, FieldCheck spec, size_t column, std::unique_ptr<RE2> re)
      : ValueCheck<PatternCheck>(std::move(info), std::move(spec), column),
        re_(std::move(re)),
        fixed_(FixedPattern::Compile(spec_.pattern)) {}

 protected:
  uint8_t Test(const Column& col, size_t r) const {
    std::string_view v = col.str[r];
    if (fixed_) return fixed_->FullMatch(v) ? kPass : kFail;
    return RE2::FullMatch(re2::StringPiece(v.data(), v.size()), *re_) ? kPass : kFail;
  }
  std::string Explain() const override {
    return fmt::format("does not match pattern {}", spec_.pattern);
  }

 private:
  std::unique_ptr<RE2> re_;
  std::optional<FixedPattern> fixed_;  ///< the same answer as re_, faster, for simple shapes
};

class EnumCheck final : public ValueCheck<EnumCheck> {
  friend class ValueCheck<EnumCheck>;

 public:
  EnumCheck(CheckInfo info, FieldCheck spec, size_t column, FieldType type)
      : ValueCheck<EnumCheck>(std::move(info), std::move(spec), column) {
    for (const Literal& l : spec_.literals) {
      switch (l.kind) {
        case Literal::Kind::kString:
          if (type == FieldType::kTimestamp) {
            if (auto t = ParseTimestampText(l.text)) ints_.insert(*t);
          } else if (type == FieldType::kDate) {
            if (auto d = ParseDateText(l.text)) ints_.insert(*d);
          } else if (strings_.insert(l.text).second) {
            few_strings_.push_back(l.text);
            few_keys_.push_back(ShortKeyOf(l.text));
          }
          break;
        case Literal::Kind::kNumber: numbers_.insert(l.number); break;
        case Literal::Kind::kBool: ints_.insert(l.boolean ? 1 : 0); break;
        case Literal::Kind::kNull: break;
      }
    }
  }

 protected:
  uint8_t Test(const Column& col, size_t r) const {
    switch (col.type) {
      case FieldType::kString:
      case FieldType::kAny: return HasString(col.str[r]) ? kPass : kFail;
      case FieldType::kInteger:
        return numbers_.count(static_cast<double>(col.i64[r])) ? kPass : kFail;
      case FieldType::kNumber: return numbers_.count(col.f64[r]) ? kPass : kFail;
      default: return ints_.count(col.i64[r]) ? kPass : kFail;
    }
  }
  std::string Explain() const override {
    std::string values;
    for (const Literal& l : spec_.literals) {
      if (!values.empty()) values += ", ";
      switch (l.kind) {
        case Literal::Kind::kString: values += fmt::format("'{}'", l.text); break;
        case Literal::Kind::kNumber: values += fmt::format("{}", l.number); break;
        case Literal::Kind::kBool: values += l.boolean ? "true" : "false"; break;
        case Literal::Kind::kNull: values += "null"; break;
      }
    }
    return spec_.kind == CheckKind::kConst ? fmt::format("is not {}", values)
                                           : fmt::format("is not one of {}", values);
  }

 private:
  struct ViewHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  /// Codes and currencies are a handful of values: comparing a few short strings beats hashing.
  bool HasString(std::string_view v) const {
    if (few_strings_.size() > kLinearScanMax) return strings_.contains(v);
    if (v.size() <= kShortKeyMaxSize) {  // codes, currencies: integer compares, no memcmp call
      const ShortKey key = ShortKeyOf(v);
      for (const ShortKey& k : few_keys_) {
        if (k == key) return true;
      }
      return false;
    }
    for (const std::string& s : few_strings_) {
      if (s.size() == v.size() && std::memcmp(s.data(), v.data(), v.size()) == 0) return true;
    }
    return false;
  }
  static constexpr size_t kLinearScanMax = 8;

  std::unordered_set<std::string, ViewHash, std::equal_to<>> strings_;
  std::vector<std::string> few_strings_;  ///< strings_ in a list, scanned when short
  std::vector<ShortKey> few_keys_;        ///< ShortKeyOf each of few_strings_
  std::unordered_set<double> numbers_;
  std::unordered_set<int64_t> ints_;
};

class RangeCheck final : public ValueCheck<RangeCheck> {
  friend class ValueCheck<RangeCheck>;

 public:
  using ValueCheck::ValueCheck;

 protected:
  uint8_t Test(const Column& col, size_t r) const {
    std::optional<double> v = NumericValue(col, r);
    if (!v) return kNotApplicable;
    const double b = spec_.bound;
    bool ok = false;
    switch (spec_.kind) {
      case CheckKind::kMinimum: ok = *v >= b; break;
      case CheckKind::kMaximum: ok = *v <= b; break;
      case CheckKind::kExclusiveMinimum: ok = *v > b; break;
      case CheckKind::kExclusiveMaximum: ok = *v < b; break;
      default: break;
    }
    return ok ? kPass : kFail;
  }
  std::string Explain() const override {
    std::string_view op = spec_.kind == CheckKind::kMinimum            ? "<"
                          : spec_.kind == CheckKind::kMaximum          ? ">"
                          : spec_.kind == CheckKind::kExclusiveMinimum ? "<="
                                                                       : ">=";
    return fmt::format("{} {}", op, spec_.bound);
  }
};

class LengthCheck final : public ValueCheck<LengthCheck> {
  friend class ValueCheck<LengthCheck>;

 public:
  using ValueCheck::ValueCheck;

 protected:
  uint8_t Test(const Column& col, size_t r) const {
    size_t n = CodePoints(col.str[r]);
    bool ok = spec_.kind == CheckKind::kMinLength ? n >= spec_.length : n <= spec_.length;
    return ok ? kPass : kFail;
  }
  std::string Explain() const override {
    return spec_.kind == CheckKind::kMinLength
               ? fmt::format("is shorter than {} characters", spec_.length)
               : fmt::format("is longer than {} characters", spec_.length);
  }
};

std::string TypeText(const schema::Field& field) {
  switch (field.type) {
    case FieldType::kTimestamp: return "an RFC 3339 date-time with offset";
    case FieldType::kDate: return "a date (YYYY-MM-DD)";
    case FieldType::kInteger: return "an integer";
    case FieldType::kNumber: return "a number";
    case FieldType::kBoolean: return "a boolean";
    case FieldType::kString:
      switch (field.format) {
        case schema::StringFormat::kEmail: return "an email address";
        case schema::StringFormat::kUuid: return "a UUID";
        case schema::StringFormat::kIpv4: return "an IPv4 address";
        case schema::StringFormat::kNone: return "a string";
      }
      return "a string";
    case FieldType::kAny: return "a value";
  }
  return "a value";
}

}  // namespace

Result<std::unique_ptr<Check>> MakeFieldCheck(const schema::Schema& schema, const FieldCheck& check,
                                              size_t column) {
  CheckInfo info{check.name, schema::CheckDimension(check.kind), check.severity};
  const schema::Field& field = schema.fields[check.field];
  switch (check.kind) {
    case CheckKind::kRequired:
      return std::unique_ptr<Check>(new RequiredCheck(std::move(info), column));
    case CheckKind::kType:
      return std::unique_ptr<Check>(new TypeCheck(std::move(info), check, column, TypeText(field)));
    case CheckKind::kPattern: {
      RE2::Options options;
      options.set_log_errors(false);
      auto re = std::make_unique<RE2>(check.pattern, options);
      if (!re->ok()) {
        return InvalidArgument(fmt::format("{}: invalid pattern: {}", check.name, re->error()));
      }
      return std::unique_ptr<Check>(
          new PatternCheck(std::move(info), check, column, std::move(re)));
    }
    case CheckKind::kEnum:
    case CheckKind::kConst:
      return std::unique_ptr<Check>(new EnumCheck(std::move(info), check, column, field.type));
    case CheckKind::kMinimum:
    case CheckKind::kMaximum:
    case CheckKind::kExclusiveMinimum:
    case CheckKind::kExclusiveMaximum:
      return std::unique_ptr<Check>(new RangeCheck(std::move(info), check, column));
    case CheckKind::kMinLength:
    case CheckKind::kMaxLength:
      return std::unique_ptr<Check>(new LengthCheck(std::move(info), check, column));
  }
  return Internal("unknown check kind");
}

}  // namespace assay::quality
