#include "schema/typer.h"

#include "core/value_parse.h"

namespace assay::schema {
namespace {

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool IsEmail(std::string_view s) {
  size_t at = s.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= s.size()) return false;
  if (s.find('@', at + 1) != std::string_view::npos) return false;
  std::string_view domain = s.substr(at + 1);
  size_t dot = domain.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 >= domain.size()) return false;
  if (domain.find("..") != std::string_view::npos) return false;
  for (char c : s) {
    if (static_cast<unsigned char>(c) <= ' ') return false;
  }
  return true;
}

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !IsHex(s[i])) return false;
  }
  return true;
}

bool IsIpv4(std::string_view s) {
  int parts = 0;
  size_t pos = 0;
  while (parts < 4) {
    size_t start = pos;
    int value = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9' && pos - start < 3) {
      value = value * 10 + (s[pos] - '0');
      ++pos;
    }
    size_t digits = pos - start;
    if (digits == 0 || value > 255 || (digits > 1 && s[start] == '0')) return false;
    ++parts;
    if (parts < 4) {
      if (pos >= s.size() || s[pos] != '.') return false;
      ++pos;
    }
  }
  return pos == s.size();
}

}  // namespace

bool MatchesFormat(StringFormat format, std::string_view text) {
  switch (format) {
    case StringFormat::kNone: return true;
    case StringFormat::kEmail: return IsEmail(text);
    case StringFormat::kUuid: return IsUuid(text);
    case StringFormat::kIpv4: return IsIpv4(text);
  }
  return false;
}

namespace {

/// Types every non-null cell of `col` with `parse(kind, raw, row) -> bool`: one loop per field
/// type, so the type dispatch happens once per column and the parser inlines into the loop.
template <typename Parse>
void TypeColumn(Column& col, size_t rows, Parse&& parse) {
  for (size_t r = 0; r < rows; ++r) {
    const CellKind kind = col.kind[r];
    if (kind == CellKind::kNull) continue;
    const bool ok = parse(kind, col.raw[r], r);
    col.valid[r] = ok ? 1 : 0;
    col.type_failed[r] = ok ? 0 : 1;
  }
}

}  // namespace

void TypeBatch(const Schema& schema, Batch& batch) {
  const size_t rows = batch.num_rows();
  for (size_t f = 0; f < schema.fields.size() && f < batch.columns().size(); ++f) {
    const Field& field = schema.fields[f];
    Column& col = batch.column(f);
    col.type = field.type;
    col.valid.assign(rows, 0);
    col.type_failed.assign(rows, 0);
    const bool ints = UsesInt64(field.type);
    if (ints) col.i64.assign(rows, 0);
    if (field.type == FieldType::kNumber) col.f64.assign(rows, 0);
    if (field.type == FieldType::kString || field.type == FieldType::kAny) col.str.assign(rows, {});

    // A JSON number follows the text rule too, so CSV and NDJSON grade alike (§3a). A value
    // that fails its type check keeps the zero / empty typed value it was given above.
    switch (field.type) {
      case FieldType::kAny:
        TypeColumn(col, rows, [&](CellKind, std::string_view raw, size_t r) {
          col.str[r] = raw;
          return true;
        });
        break;
      case FieldType::kString:
        TypeColumn(col, rows, [&](CellKind kind, std::string_view raw, size_t r) {
          if (kind != CellKind::kText && kind != CellKind::kString) return false;
          if (!MatchesFormat(field.format, raw)) return false;
          col.str[r] = raw;
          return true;
        });
        break;
      case FieldType::kInteger:
        TypeColumn(col, rows, [&](CellKind kind, std::string_view raw, size_t r) {
          if (kind != CellKind::kText && kind != CellKind::kNumber) return false;
          const auto v = ParseIntegerText(raw);
          if (v) col.i64[r] = *v;
          return v.has_value();
        });
        break;
      case FieldType::kNumber:
        TypeColumn(col, rows, [&](CellKind kind, std::string_view raw, size_t r) {
          if (kind != CellKind::kText && kind != CellKind::kNumber) return false;
          const auto v = ParseNumberText(raw);
          if (v) col.f64[r] = *v;
          return v.has_value();
        });
        break;
      case FieldType::kBoolean:
        TypeColumn(col, rows, [&](CellKind kind, std::string_view raw, size_t r) {
          if (kind != CellKind::kText && kind != CellKind::kBool) return false;
          const auto v = ParseBooleanText(raw);
          if (v) col.i64[r] = *v ? 1 : 0;
          return v.has_value();
        });
        break;
      case FieldType::kTimestamp:
        TypeColumn(col, rows, [&](CellKind kind, std::string_view raw, size_t r) {
          if (kind != CellKind::kText && kind != CellKind::kString) return false;
          const auto v = ParseTimestampText(raw);
          if (v) col.i64[r] = *v;
          return v.has_value();
        });
        break;
      case FieldType::kDate:
        TypeColumn(col, rows, [&](CellKind kind, std::string_view raw, size_t r) {
          if (kind != CellKind::kText && kind != CellKind::kString) return false;
          const auto v = ParseDateText(raw);
          if (v) col.i64[r] = *v;
          return v.has_value();
        });
        break;
    }
  }
}

}  // namespace assay::schema
