#include "quality/rule_cast.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "core/value_parse.h"
#include "quality/rule_literal.h"

namespace assay::quality {
namespace {

constexpr size_t kMaxFormattedChars = 48;

std::string_view TrimSpaces(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

bool IsTemporal(ValueType t) { return t == ValueType::kTimestamp || t == ValueType::kDate; }

// Converts one non-NULL value; false when it does not convert. `chars` has room for
// kMaxFormattedChars when the target is a string.
bool CastOne(ValueType from, ValueType to, const VecView& in, size_t i, Slot& out, size_t o,
             char*& chars) {
  const int64_t x = in.i64[i];
  switch (to) {
    case ValueType::kInteger:
      switch (from) {
        case ValueType::kInteger:
        case ValueType::kBoolean: out.i64[o] = x; return true;
        case ValueType::kNumber: {
          // Rounded half away from zero, as DuckDB casts; out of range is NULL.
          const double r = std::round(in.f64[i]);
          if (!(r >= -9.2233720368547758e18 && r < 9.2233720368547758e18)) return false;
          out.i64[o] = static_cast<int64_t>(r);
          return true;
        }
        case ValueType::kString: {
          auto v = ParseIntegerText(TrimSpaces(in.str[i]));
          if (v) out.i64[o] = *v;
          return v.has_value();
        }
        default: return false;
      }
    case ValueType::kNumber:
      switch (from) {
        case ValueType::kInteger:
        case ValueType::kBoolean: out.f64[o] = static_cast<double>(x); return true;
        case ValueType::kString: {
          auto v = ParseNumberText(TrimSpaces(in.str[i]));
          if (v) out.f64[o] = *v;
          return v.has_value();
        }
        default: return false;
      }
    case ValueType::kBoolean:
      switch (from) {
        case ValueType::kInteger: out.i64[o] = x != 0; return true;
        case ValueType::kNumber: out.i64[o] = in.f64[i] != 0; return true;
        case ValueType::kString: {
          auto v = ParseBooleanText(TrimSpaces(in.str[i]));
          if (v) out.i64[o] = *v ? 1 : 0;
          return v.has_value();
        }
        default: return false;
      }
    case ValueType::kTimestamp:
      switch (from) {
        case ValueType::kDate: return !__builtin_mul_overflow(x, kMicrosPerDay, &out.i64[o]);
        case ValueType::kString: {
          auto v = ParseTimestampLiteral(TrimSpaces(in.str[i]));
          if (v) out.i64[o] = *v;
          return v.has_value();
        }
        default: return false;
      }
    case ValueType::kDate:
      switch (from) {
        case ValueType::kTimestamp: out.i64[o] = FloorDiv(x, kMicrosPerDay); return true;
        case ValueType::kString: {
          auto v = ParseDateLiteral(TrimSpaces(in.str[i]));
          if (v) out.i64[o] = *v;
          return v.has_value();
        }
        default: return false;
      }
    case ValueType::kString: {
      size_t len = 0;
      switch (from) {
        case ValueType::kInteger:
          len =
              static_cast<size_t>(std::to_chars(chars, chars + kMaxFormattedChars, x).ptr - chars);
          break;
        case ValueType::kNumber:
          len = static_cast<size_t>(
              std::to_chars(chars, chars + kMaxFormattedChars, in.f64[i]).ptr - chars);
          break;
        case ValueType::kBoolean:
          len = x ? 4 : 5;
          std::memcpy(chars, x ? "true" : "false", len);
          break;
        case ValueType::kTimestamp: len = FormatTimestampChars(x, chars); break;
        case ValueType::kDate:
          // Days far outside the calendar (a corrupt value) have no text form.
          if (x < -1'000'000'000 || x > 1'000'000'000) return false;
          len = FormatDateChars(x, chars);
          break;
        default: return false;
      }
      out.str[o] = std::string_view(chars, len);
      chars += len;
      return true;
    }
    default: return false;
  }
}

}  // namespace

std::optional<std::string> CastUnsupported(ValueType from, ValueType to) {
  if (from == to || from == ValueType::kNull) return std::nullopt;
  bool ok = false;
  switch (to) {
    case ValueType::kInteger:
    case ValueType::kNumber:
    case ValueType::kBoolean:
      ok = from == ValueType::kInteger || from == ValueType::kNumber ||
           from == ValueType::kBoolean || from == ValueType::kString;
      break;
    case ValueType::kTimestamp:
    case ValueType::kDate: ok = IsTemporal(from) || from == ValueType::kString; break;
    case ValueType::kString: ok = from != ValueType::kInterval; break;
    default: break;
  }
  if (ok) return std::nullopt;
  return fmt::format("cannot cast {} to {}", ValueTypeName(from), ValueTypeName(to));
}

void CastInto(ValueType from, ValueType to, const VecView& in, size_t rows, Slot& out) {
  const bool to_string = to == ValueType::kString;
  if (to_string && out.chars.size() < rows * kMaxFormattedChars) {
    out.chars.resize(rows * kMaxFormattedChars);
  }
  // Implicit promotions run on every chunk: give them tight loops.
  const SlotPtrs o(out);
  if (from == ValueType::kInteger && to == ValueType::kNumber) {
    UnaryKernel(in, in.i64, rows, o.f64, o.valid, [](int64_t x, double& r) {
      r = static_cast<double>(x);
      return true;
    });
    return;
  }
  if (from == ValueType::kDate && to == ValueType::kTimestamp) {
    UnaryKernel(in, in.i64, rows, o.i64, o.valid, [](int64_t x, int64_t& r) {
      return !__builtin_mul_overflow(x, kMicrosPerDay, &r);
    });
    return;
  }
  char* chars = out.chars.data();
  const Storage storage = StorageOf(to);
  for (size_t r = 0; r < rows; ++r) {
    const size_t i = At(in, r);
    bool ok = from != ValueType::kNull && in.valid[i] != 0;
    if (ok) {
      if (from == to) {
        switch (storage) {
          case Storage::kInt64: out.i64[r] = in.i64[i]; break;
          case Storage::kDouble: out.f64[r] = in.f64[i]; break;
          case Storage::kString: out.str[r] = in.str[i]; break;
        }
      } else if (from == ValueType::kString && to_string) {
        out.str[r] = in.str[i];
      } else {
        ok = CastOne(from, to, in, i, out, r, chars);
      }
    }
    out.valid[r] = ok ? 1 : 0;
    if (!ok) {
      switch (storage) {
        case Storage::kInt64: out.i64[r] = 0; break;
        case Storage::kDouble: out.f64[r] = 0; break;
        case Storage::kString: out.str[r] = {}; break;
      }
    }
  }
}

}  // namespace assay::quality
