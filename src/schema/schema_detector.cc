#include "schema/schema_detector.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "core/utf8.h"
#include "core/value_parse.h"
#include "schema/json_schema.h"
#include "schema/typer.h"

namespace assay::schema {
namespace {

// ordered_json keeps keys in insertion order: properties stay in field order.
using Json = nlohmann::ordered_json;

// One bit per type check (type + format) a value can pass: exactly the typer's checks.
constexpr uint32_t kBitInteger = 1U << 0;
constexpr uint32_t kBitNumber = 1U << 1;
constexpr uint32_t kBitBoolean = 1U << 2;
constexpr uint32_t kBitTimestamp = 1U << 3;
constexpr uint32_t kBitDate = 1U << 4;
constexpr uint32_t kBitString = 1U << 5;
constexpr uint32_t kBitEmail = 1U << 6;
constexpr uint32_t kBitUuid = 1U << 7;
constexpr uint32_t kBitIpv4 = 1U << 8;
constexpr uint32_t kAllBits = (1U << 9) - 1;
constexpr uint32_t kFormatBits = kBitEmail | kBitUuid | kBitIpv4;

constexpr std::string_view kJsonSchemaDraft = "https://json-schema.org/draft/2020-12/schema";
constexpr size_t kLineWidth = 100;
// Integral doubles below 2^53 are written as JSON integers (`1000`, not `1000.0`).
constexpr double kMaxExactInteger = 9007199254740992.0;

// A field's type as the schema states it: a type (with format), or none.
struct TypeState {
  bool typed = true;
  FieldType type = FieldType::kString;
  StringFormat format = StringFormat::kNone;
  bool nullable = false;

  bool operator==(const TypeState&) const = default;
};

uint32_t TypeBit(FieldType type, StringFormat format) {
  switch (type) {
    case FieldType::kInteger: return kBitInteger;
    case FieldType::kNumber: return kBitNumber;
    case FieldType::kBoolean: return kBitBoolean;
    case FieldType::kTimestamp: return kBitTimestamp;
    case FieldType::kDate: return kBitDate;
    case FieldType::kString:
      switch (format) {
        case StringFormat::kNone: return kBitString;
        case StringFormat::kEmail: return kBitEmail;
        case StringFormat::kUuid: return kBitUuid;
        case StringFormat::kIpv4: return kBitIpv4;
      }
      return kBitString;
    case FieldType::kAny: return kAllBits;
  }
  return kAllBits;
}

// The JSON Schema `type` name of a field type (date-time and date are strings).
std::string_view JsonTypeName(FieldType type) {
  switch (type) {
    case FieldType::kInteger: return "integer";
    case FieldType::kNumber: return "number";
    case FieldType::kBoolean: return "boolean";
    default: return "string";
  }
}

// The `format` of a type, "" for none.
std::string_view FormatName(FieldType type, StringFormat format) {
  if (type == FieldType::kTimestamp) return "date-time";
  if (type == FieldType::kDate) return "date";
  if (type != FieldType::kString) return "";
  switch (format) {
    case StringFormat::kNone: return "";
    case StringFormat::kEmail: return "email";
    case StringFormat::kUuid: return "uuid";
    case StringFormat::kIpv4: return "ipv4";
  }
  return "";
}

// "integer", "string (date-time)", "no type": for change messages.
std::string TypeLabel(const TypeState& t) {
  if (!t.typed) return "no type";
  std::string label(JsonTypeName(t.type));
  if (std::string_view format = FormatName(t.type, t.format); !format.empty()) {
    label += fmt::format(" ({})", format);
  }
  return label;
}

// A text number with a leading zero (`007`, `-01`, `00.5`): an identifier or a code more often
// than a quantity, so detection keeps it a string (the typer would accept it as a number).
bool HasLeadingZero(std::string_view s) {
  const size_t i = !s.empty() && (s[0] == '+' || s[0] == '-') ? 1 : 0;
  return s.size() > i + 1 && s[i] == '0' && s[i + 1] >= '0' && s[i + 1] <= '9';
}

uint64_t CodePoints(std::string_view s) {
  uint64_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// A number as JSON: an integer when it is one exactly, so bounds read `1000`, not `1000.0`.
Json NumberJson(double v) {
  if (std::floor(v) == v && std::fabs(v) < kMaxExactInteger) return Json(static_cast<int64_t>(v));
  return Json(v);
}

// ---- Pretty printing: readable, stable, within kLineWidth columns where a value allows. ----

std::string Scalar(const Json& v) { return v.dump(-1, ' ', false, Json::error_handler_t::replace); }

std::string Compact(const Json& v) {
  if (v.is_object()) {
    std::string out = "{";
    for (const auto& [key, value] : v.items()) {
      if (out.size() > 1) out += ", ";
      out += Scalar(Json(key)) + ": " + Compact(value);
    }
    return out + "}";
  }
  if (v.is_array()) {
    std::string out = "[";
    for (const Json& e : v) {
      if (out.size() > 1) out += ", ";
      out += Compact(e);
    }
    return out + "]";
  }
  return Scalar(v);
}

// Writes `v`, which starts at `column` of a line indented by `indent`. The root object and its
// `properties` are always one member per line; other values stay on one line when they fit.
void Pretty(const Json& v, size_t indent, size_t column, int depth, bool expand, std::string& out) {
  if (!expand || !v.is_object()) {
    std::string compact = Compact(v);
    if (!v.is_structured() || v.empty() || column + compact.size() + 1 <= kLineWidth) {
      out += compact;
      return;
    }
  }
  if (v.is_object()) {
    out += "{\n";
    size_t i = 0;
    for (const auto& [key, value] : v.items()) {
      out.append(indent + 2, ' ');
      const std::string name = Scalar(Json(key)) + ": ";
      out += name;
      const bool expand_child = depth == 0 && key == "properties";
      Pretty(value, indent + 2, indent + 2 + name.size(), depth + 1, expand_child, out);
      if (++i < v.size()) out += ',';
      out += '\n';
    }
    out.append(indent, ' ');
    out += '}';
    return;
  }
  const bool scalars =
      std::none_of(v.begin(), v.end(), [](const Json& e) { return e.is_structured(); });
  if (scalars) {  // fill lines, continuation aligned after the `[`
    out += '[';
    size_t col = column + 1;
    bool first = true;
    for (const Json& e : v) {
      const std::string s = Scalar(e);
      if (!first) {
        out += ',';
        ++col;
        if (col + 1 + s.size() + 1 > kLineWidth) {
          out += '\n';
          out.append(column + 1, ' ');
          col = column + 1;
        } else {
          out += ' ';
          ++col;
        }
      }
      out += s;
      col += s.size();
      first = false;
    }
    out += ']';
    return;
  }
  out += "[\n";
  size_t i = 0;
  for (const Json& e : v) {
    out.append(indent + 2, ' ');
    Pretty(e, indent + 2, indent + 2, depth + 1, false, out);
    if (++i < v.size()) out += ',';
    out += '\n';
  }
  out.append(indent, ' ');
  out += ']';
}

std::string PrettyDocument(const Json& root) {
  std::string out;
  Pretty(root, 0, 0, 0, true, out);
  out += '\n';
  return out;
}

// The property of a detected field.
Json PropertyJson(const DetectedField& d, const DetectionOptions& options) {
  Json p = Json::object();
  if (d.typed) {
    const std::string type_name(JsonTypeName(d.type));
    if (d.nullable) {
      p["type"] = Json::array({type_name, "null"});
    } else {
      p["type"] = type_name;
    }
    if (std::string_view format = FormatName(d.type, d.format); !format.empty()) {
      p["format"] = std::string(format);
    }
  } else {
    p["$comment"] =
        "No type: the sampled values are JSON objects or arrays, or of several JSON kinds.";
  }
  std::vector<std::string> constraints;
  if (!d.enum_values.empty()) {
    p["enum"] = d.enum_values;
    constraints.emplace_back("enum");
  }
  if (d.minimum) {
    p["minimum"] = NumberJson(*d.minimum);
    constraints.emplace_back("minimum");
  }
  if (d.maximum) {
    p["maximum"] = NumberJson(*d.maximum);
    constraints.emplace_back("maximum");
  }
  if (options.constraint_severity && !constraints.empty()) {
    Json severity = Json::object();
    for (const std::string& keyword : constraints) {
      severity[keyword] = std::string(SeverityName(*options.constraint_severity));
    }
    p["x-severity"] = std::move(severity);
  }
  return p;
}

std::string RowsOfSource(uint64_t rows, const std::string& source) {
  std::string text = fmt::format("{} row{}", rows, rows == 1 ? "" : "s");
  if (!source.empty()) text += fmt::format(" of source '{}'", source);
  return text;
}

}  // namespace

// ------------------------------------------------------------------------------------------
// SchemaDetector

SchemaDetector::SchemaDetector(DetectionOptions options) : options_(options) {}

const SchemaDetector::FieldStats* SchemaDetector::FindStats(std::string_view name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &fields_[it->second];
}

void SchemaDetector::Add(const Batch& batch) {
  if (source_name_.empty()) source_name_ = batch.source_name;
  const size_t rows = batch.num_rows();
  const uint8_t* failed = batch.parse_failed();
  uint64_t good_rows = 0;
  for (size_t r = 0; r < rows; ++r) good_rows += failed[r] == 0;
  rows_ += good_rows;

  std::vector<uint8_t> used(fields_.size() + batch.columns().size(), 0);
  for (const Column& col : batch.columns()) {
    // A schema is UTF-8 text: an ill-formed name (a Latin-1 CSV header) is known by its
    // repaired spelling, the one the schema shows, so widening finds the field again.
    std::string repaired;
    std::string_view name = col.name;
    if (!IsValidUtf8(name)) {
      StringArena arena(name.size() * 3);
      repaired = std::string(ToValidUtf8(name, arena));
      name = repaired;
    }
    auto it = index_.find(name);
    size_t f = 0;
    if (it == index_.end()) {
      f = fields_.size();
      FieldStats stats;
      stats.name = std::string(name);
      stats.accepts = kAllBits;
      fields_.push_back(std::move(stats));
      index_.emplace(std::string(name), f);
    } else {
      f = it->second;
    }
    if (used[f]) continue;  // a second column of the same name: the first one counts
    used[f] = 1;
    FieldStats& stats = fields_[f];
    for (size_t r = 0; r < rows; ++r) {
      if (failed[r] != 0 || col.kind[r] == CellKind::kNull) continue;
      AddValue(stats, col.kind[r], col.raw[r]);
    }
  }
}

void SchemaDetector::AddValue(FieldStats& field, CellKind kind, std::string_view raw) const {
  ++field.non_null;
  const uint32_t open = field.accepts;  // checks every earlier value passed: only those matter
  uint32_t accepts = 0;
  // Range checks on an untyped field read any value whose text is a number, so the range covers
  // every kind; only text and JSON numbers pass the integer and number type checks.
  if (const std::optional<double> number = ParseNumberText(raw)) {
    if (!field.has_number) {
      field.min_number = field.max_number = *number;
      field.has_number = true;
    } else {
      field.min_number = std::min(field.min_number, *number);
      field.max_number = std::max(field.max_number, *number);
    }
    if (kind == CellKind::kText || kind == CellKind::kNumber) {
      accepts |= kBitNumber;
      if ((open & kBitInteger) != 0 && ParseIntegerText(raw)) accepts |= kBitInteger;
      if (kind == CellKind::kText && HasLeadingZero(raw)) field.leading_zero = true;
    }
  }
  if (kind == CellKind::kText || kind == CellKind::kBool) {
    if ((open & kBitBoolean) != 0 && ParseBooleanText(raw)) accepts |= kBitBoolean;
  }
  if (kind == CellKind::kText || kind == CellKind::kString) {
    accepts |= kBitString;
    if ((open & kBitTimestamp) != 0 && ParseTimestampText(raw)) accepts |= kBitTimestamp;
    if ((open & kBitDate) != 0 && ParseDateText(raw)) accepts |= kBitDate;
    if ((open & kBitEmail) != 0 && MatchesFormat(StringFormat::kEmail, raw)) accepts |= kBitEmail;
    if ((open & kBitUuid) != 0 && MatchesFormat(StringFormat::kUuid, raw)) accepts |= kBitUuid;
    if ((open & kBitIpv4) != 0 && MatchesFormat(StringFormat::kIpv4, raw)) accepts |= kBitIpv4;
  }
  field.accepts &= accepts;

  // Lengths as the length checks count them: code points of the value's text.
  const uint64_t length = CodePoints(raw);
  if (!field.has_length) {
    field.min_length = field.max_length = length;
    field.has_length = true;
  } else {
    field.min_length = std::min(field.min_length, length);
    field.max_length = std::max(field.max_length, length);
  }

  if (!field.distinct_overflow) {
    const bool enumerable = raw.size() <= options_.max_enum_value_bytes && IsValidUtf8(raw);
    if (!enumerable) {
      field.distinct_overflow = true;
    } else if (std::find(field.distinct.begin(), field.distinct.end(), raw) ==
               field.distinct.end()) {
      if (field.distinct.size() >= options_.max_enum_values) {
        field.distinct_overflow = true;
      } else {
        field.distinct.emplace_back(raw);
      }
    }
    if (field.distinct_overflow) std::vector<std::string>().swap(field.distinct);
  }
}

DetectedField SchemaDetector::Infer(const FieldStats& field) const {
  DetectedField d;
  d.name = field.name;
  d.non_null = field.non_null;
  d.nullable = field.non_null < rows_;
  if (field.non_null == 0) {  // nothing to go on: the most permissive text type
    d.type = FieldType::kString;
    d.nullable = true;
    return d;
  }
  uint32_t candidates = field.accepts;
  if (field.leading_zero) candidates &= ~(kBitInteger | kBitNumber);
  if (!options_.string_formats) candidates &= ~kFormatBits;
  // The most specific type every value passed.
  constexpr std::pair<uint32_t, TypeState> kOrder[] = {
      {kBitBoolean, {true, FieldType::kBoolean, StringFormat::kNone, false}},
      {kBitInteger, {true, FieldType::kInteger, StringFormat::kNone, false}},
      {kBitNumber, {true, FieldType::kNumber, StringFormat::kNone, false}},
      {kBitDate, {true, FieldType::kDate, StringFormat::kNone, false}},
      {kBitTimestamp, {true, FieldType::kTimestamp, StringFormat::kNone, false}},
      {kBitUuid, {true, FieldType::kString, StringFormat::kUuid, false}},
      {kBitIpv4, {true, FieldType::kString, StringFormat::kIpv4, false}},
      {kBitEmail, {true, FieldType::kString, StringFormat::kEmail, false}},
      {kBitString, {true, FieldType::kString, StringFormat::kNone, false}},
  };
  d.typed = false;
  for (const auto& [bit, state] : kOrder) {
    if ((candidates & bit) != 0) {
      d.typed = true;
      d.type = state.type;
      d.format = state.format;
      break;
    }
  }
  if (!d.typed || !options_.constraints) return d;

  if (d.type == FieldType::kInteger || d.type == FieldType::kNumber) {
    d.minimum = field.min_number;
    d.maximum = field.max_number;
  }
  const size_t distinct = field.distinct.size();
  if (d.type == FieldType::kString && d.format == StringFormat::kNone && !field.distinct_overflow &&
      distinct > 0 && distinct <= options_.max_enum_values &&
      field.non_null >= options_.min_rows_for_enum &&
      static_cast<double>(distinct) <=
          options_.enum_max_distinct_ratio * static_cast<double>(field.non_null)) {
    d.enum_values = field.distinct;
    std::sort(d.enum_values.begin(), d.enum_values.end());
  }
  return d;
}

std::vector<DetectedField> SchemaDetector::Fields() const {
  std::vector<DetectedField> out;
  out.reserve(fields_.size());
  for (const FieldStats& f : fields_) out.push_back(Infer(f));
  return out;
}

Result<std::string> SchemaDetector::ToJsonSchema(std::string_view title) const {
  if (fields_.empty()) {
    return FailedPrecondition("cannot detect a schema: the sample has no fields");
  }
  Json root = Json::object();
  root["$schema"] = std::string(kJsonSchemaDraft);
  if (std::string name(title.empty() ? std::string_view(source_name_) : title); !name.empty()) {
    root["title"] = std::move(name);
  }
  root["description"] = fmt::format(
      "Detected by Assay from {}. Types, enums and ranges reflect that sample only: review them "
      "before relying on this schema.",
      RowsOfSource(rows_, source_name_));
  root["type"] = "object";
  Json required = Json::array();
  Json properties = Json::object();
  for (const FieldStats& f : fields_) {
    const DetectedField d = Infer(f);
    if (!d.nullable) required.push_back(d.name);
    properties[d.name] = PropertyJson(d, options_);
  }
  if (!required.empty()) root["required"] = std::move(required);
  root["properties"] = std::move(properties);
  return PrettyDocument(root);
}

// ------------------------------------------------------------------------------------------
// Widening

namespace {

// Whether a literal of `enum`/`const` is valid for a type (json_schema.cc's ToLiteral).
bool LiteralFitsType(const Json& v, const TypeState& t) {
  if (!t.typed) return true;
  switch (t.type) {
    case FieldType::kInteger: return v.is_number_integer();
    case FieldType::kNumber: return v.is_number();
    case FieldType::kBoolean: return v.is_boolean();
    default: return v.is_string();
  }
}

// Whether the sampled value `raw` (which passes the type check of `t`) equals `literal`, as the
// enum check compares them (quality/field_checks.cc).
bool LiteralEquals(const Json& literal, const TypeState& t, std::string_view raw) {
  if (!t.typed) {
    return (literal.is_string() ? literal.get<std::string>() : literal.dump()) == raw;
  }
  switch (t.type) {
    case FieldType::kInteger:
    case FieldType::kNumber: {
      const std::optional<double> v = ParseNumberText(raw);
      return literal.is_number() && v && literal.get<double>() == *v;
    }
    case FieldType::kBoolean: {
      const std::optional<bool> v = ParseBooleanText(raw);
      return literal.is_boolean() && v && literal.get<bool>() == *v;
    }
    case FieldType::kTimestamp: {
      if (!literal.is_string()) return false;
      const std::optional<int64_t> a = ParseTimestampText(literal.get<std::string>());
      return a && a == ParseTimestampText(raw);
    }
    case FieldType::kDate: {
      if (!literal.is_string()) return false;
      const std::optional<int64_t> a = ParseDateText(literal.get<std::string>());
      return a && a == ParseDateText(raw);
    }
    default: return literal.is_string() && literal.get<std::string>() == raw;
  }
}

// The literal of a sampled value for an enum of type `t`.
Json LiteralOf(const TypeState& t, std::string_view raw) {
  if (t.typed && (t.type == FieldType::kInteger || t.type == FieldType::kNumber)) {
    if (const std::optional<int64_t> i = ParseIntegerText(raw)) return Json(*i);
    if (const std::optional<double> d = ParseNumberText(raw)) return Json(*d);
  }
  if (t.typed && t.type == FieldType::kBoolean) {
    if (const std::optional<bool> b = ParseBooleanText(raw)) return Json(*b);
  }
  return Json(std::string(raw));
}

// The next wider type: every value `t` accepts, the result accepts too, in the typer's terms
// and in JSON Schema's (so the registry's compatibility check agrees). Only strings widen to
// `string`; a number or boolean that no longer fits loses its type check instead: a JSON number
// is not a string, and unions other than [T, "null"] are not in the subset.
TypeState WiderType(TypeState t) {
  switch (t.type) {
    case FieldType::kInteger: t.type = FieldType::kNumber; return t;
    case FieldType::kTimestamp:
    case FieldType::kDate:
      t.type = FieldType::kString;
      t.format = StringFormat::kNone;
      return t;
    case FieldType::kString:
      if (t.format != StringFormat::kNone) {
        t.format = StringFormat::kNone;
        return t;
      }
      break;
    default: break;
  }
  t.typed = false;
  return t;
}

std::string Quoted(const std::string& s) { return Scalar(Json(s)); }

class Widener {
 public:
  Widener(Json& root, const Schema& schema, const SchemaDetector& sample)
      : root_(root), schema_(schema), sample_(sample), options_(sample.options()) {}

  Result<std::optional<SchemaWidening>> Run() {
    if (auto it = root_.find("required"); it != root_.end()) {
      for (const Json& name : *it) required_.insert(name.get<std::string>());
    }
    Json& properties = root_["properties"];
    for (const Field& field : schema_.fields) {
      WidenField(field, properties[field.name]);
    }
    // Fields the schema does not have yet: as detected, but optional (older data lacks them).
    const std::vector<DetectedField> detected = sample_.Fields();
    for (DetectedField d : detected) {
      if (schema_.FindField(d.name) >= 0) continue;
      if (d.typed) d.nullable = true;
      properties[d.name] = PropertyJson(d, options_);
      const TypeState t{d.typed, d.type, d.format, d.nullable};
      Change(d.name, fmt::format("new optional field ({})", TypeLabel(t)));
    }
    if (changes_.empty()) return std::optional<SchemaWidening>();

    if (auto it = root_.find("required"); it != root_.end()) {
      Json kept = Json::array();
      for (const Json& name : *it) {
        if (required_.count(name.get<std::string>()) != 0) kept.push_back(name);
      }
      if (kept.empty()) {
        root_.erase("required");
      } else {
        *it = std::move(kept);
      }
    }
    SchemaWidening out;
    out.schema = PrettyDocument(root_);
    out.changes = std::move(changes_);
    // A widened schema that the parser refuses would be a bug here, not a user error.
    Result<Schema> check = ParseJsonSchema(out.schema, "widened schema");
    if (!check.ok()) {
      return Internal("widening produced an invalid schema: " + check.status().message());
    }
    return std::optional<SchemaWidening>(std::move(out));
  }

 private:
  void Change(const std::string& field, const std::string& what) {
    changes_.push_back(fmt::format("'{}': {}", field, what));
  }

  void WidenField(const Field& field, Json& prop) {
    const SchemaDetector::FieldStats* s = sample_.FindStats(field.name);
    const bool has_values = s != nullptr && s->non_null > 0;
    const bool missing_some = s == nullptr || s->non_null < sample_.rows();
    const TypeState old{field.type != FieldType::kAny, field.type, field.format, field.nullable};

    // 1. Type and nullability.
    TypeState now = old;
    if (has_values) {
      while (now.typed && (s->accepts & TypeBit(now.type, now.format)) == 0) now = WiderType(now);
    }
    if (!now.typed) now.nullable = false;
    if (missing_some && now.typed) now.nullable = true;

    const bool in_required = required_.count(field.name) != 0;
    const bool had_required_check = in_required && !(old.typed && old.nullable);
    bool keep_required = in_required;
    // A null in the sample fails a required check; an untyped field cannot be nullable, so a
    // nullable field that loses its type leaves `required` too.
    if (in_required && missing_some && had_required_check) keep_required = false;
    if (in_required && !now.typed && old.nullable) keep_required = false;

    if (now != old) {
      WriteType(prop, now);
      if (now.typed != old.typed || now.type != old.type || now.format != old.format) {
        Change(field.name, fmt::format("type {} -> {}", TypeLabel(old), TypeLabel(now)));
      }
      if (now.typed && now.nullable && !old.nullable) Change(field.name, "now nullable");
    }
    if (!keep_required && in_required) {
      required_.erase(field.name);
      Change(field.name, "no longer required");
    }

    // 2. Keywords the new type does not allow.
    const bool numeric =
        !now.typed || now.type == FieldType::kInteger || now.type == FieldType::kNumber;
    const bool textual = !now.typed || now.type == FieldType::kString;
    if (!numeric) {
      for (const char* k : {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}) {
        Drop(field.name, prop, k, "does not apply to " + TypeLabel(now));
      }
    }
    if (!textual) {
      for (const char* k : {"pattern", "minLength", "maxLength"}) {
        Drop(field.name, prop, k, "does not apply to " + TypeLabel(now));
      }
    }
    for (const char* k : {"enum", "const"}) {
      auto it = prop.find(k);
      if (it == prop.end()) continue;
      const bool fits = std::string_view(k) == "const"
                            ? LiteralFitsType(*it, now)
                            : std::all_of(it->begin(), it->end(),
                                          [&](const Json& v) { return LiteralFitsType(v, now); });
      if (!fits) Drop(field.name, prop, k, "its values are not " + TypeLabel(now));
    }

    // 3. Values the sample shows outside enum / const / ranges / lengths.
    if (has_values) {
      WidenEnum(field.name, prop, now, *s);
      WidenBounds(field.name, prop, *s, numeric);
      if (textual && s->has_length) {
        WidenLength(field.name, prop, "minLength", s->min_length, true);
        WidenLength(field.name, prop, "maxLength", s->max_length, false);
      }
    }

    // 4. x-severity entries whose check is gone.
    CleanSeverities(prop, now, keep_required);
  }

  static void WriteType(Json& prop, const TypeState& t) {
    if (!t.typed) {
      prop.erase("type");
      prop.erase("format");
      return;
    }
    const std::string name(JsonTypeName(t.type));
    if (t.nullable) {
      prop["type"] = Json::array({name, "null"});
    } else {
      prop["type"] = name;
    }
    if (std::string_view format = FormatName(t.type, t.format); !format.empty()) {
      prop["format"] = std::string(format);
    } else {
      prop.erase("format");
    }
  }

  void Drop(const std::string& field, Json& prop, std::string_view keyword,
            const std::string& why) {
    const std::string key(keyword);
    if (prop.erase(key) == 0) return;
    Change(field, fmt::format("{} dropped ({})", key, why));
  }

  void WidenEnum(const std::string& field, Json& prop, const TypeState& t,
                 const SchemaDetector::FieldStats& s) {
    if (auto it = prop.find("const"); it != prop.end()) {
      const Json& value = *it;
      const bool all_equal =
          !s.distinct_overflow &&
          std::all_of(s.distinct.begin(), s.distinct.end(),
                      [&](const std::string& raw) { return LiteralEquals(value, t, raw); });
      if (!all_equal) Drop(field, prop, "const", "the sample has other values");
    }
    auto it = prop.find("enum");
    if (it == prop.end()) return;
    if (s.distinct_overflow) {
      Drop(field, prop, "enum",
           fmt::format("the sample has more than {} distinct values, or values too long to "
                       "enumerate",
                       options_.max_enum_values));
      return;
    }
    Json values = *it;
    std::vector<std::string> sorted = s.distinct;
    std::sort(sorted.begin(), sorted.end());
    std::vector<std::string> added;
    for (const std::string& raw : sorted) {
      const bool known = std::any_of(values.begin(), values.end(),
                                     [&](const Json& v) { return LiteralEquals(v, t, raw); });
      if (known) continue;
      values.push_back(LiteralOf(t, raw));
      added.push_back(Quoted(raw));
    }
    if (added.empty()) return;
    if (values.size() > options_.max_enum_values) {
      Drop(field, prop, "enum",
           fmt::format("it would have {} values, more than {}", values.size(),
                       options_.max_enum_values));
      return;
    }
    *it = std::move(values);
    std::string list;
    for (const std::string& a : added) list += (list.empty() ? "" : ", ") + a;
    Change(field, fmt::format("enum extended with {}", list));
  }

  void WidenBounds(const std::string& field, Json& prop, const SchemaDetector::FieldStats& s,
                   bool numeric) {
    if (!numeric || !s.has_number) return;
    WidenBound(field, prop, "minimum", "exclusiveMinimum", s.min_number, true);
    WidenBound(field, prop, "maximum", "exclusiveMaximum", s.max_number, false);
  }

  // Moves `keyword` out to `seen`; drops `exclusive` when `seen` is on or past it. An exclusive
  // bound is not turned into an inclusive one: adding a keyword reads as a narrowing to the
  // registry's compatibility check, whatever its value.
  void WidenBound(const std::string& field, Json& prop, const std::string& keyword,
                  const std::string& exclusive, double seen, bool lower) {
    if (auto it = prop.find(exclusive); it != prop.end() && it->is_number()) {
      const double bound = it->get<double>();
      if (lower ? seen <= bound : seen >= bound) {
        Drop(field, prop, exclusive, fmt::format("the sample has {}", Scalar(NumberJson(seen))));
      }
    }
    if (auto it = prop.find(keyword); it != prop.end() && it->is_number()) {
      const double bound = it->get<double>();
      if (lower ? seen < bound : seen > bound) {
        const std::string before = Scalar(*it);
        *it = NumberJson(seen);
        Change(field, fmt::format("{} {} -> {}", keyword, before, Scalar(*it)));
      }
    }
  }

  void WidenLength(const std::string& field, Json& prop, const std::string& keyword, uint64_t seen,
                   bool lower) {
    auto it = prop.find(keyword);
    if (it == prop.end() || !it->is_number_unsigned()) return;
    const uint64_t bound = it->get<uint64_t>();
    if (lower ? seen >= bound : seen <= bound) return;
    *it = seen;
    Change(field, fmt::format("{} {} -> {}", keyword, bound, seen));
  }

  // Removes x-severity entries naming a keyword that no longer gives a check on this field
  // (json_schema.cc refuses those).
  static void CleanSeverities(Json& prop, const TypeState& t, bool in_required) {
    auto it = prop.find("x-severity");
    if (it == prop.end() || !it->is_object()) return;
    std::vector<std::string> gone;
    for (const auto& [keyword, severity] : it->items()) {
      bool gives_check = false;
      if (keyword == "required") {
        gives_check = in_required && !(t.typed && t.nullable);
      } else if (keyword == "type") {
        gives_check = t.typed;
      } else {
        gives_check = prop.contains(keyword);
      }
      if (!gives_check) gone.push_back(keyword);
    }
    for (const std::string& keyword : gone) it->erase(keyword);
    if (it->empty()) prop.erase("x-severity");
  }

  Json& root_;
  const Schema& schema_;
  const SchemaDetector& sample_;
  const DetectionOptions& options_;
  std::set<std::string> required_;
  std::vector<std::string> changes_;
};

}  // namespace

Result<std::optional<SchemaWidening>> WidenJsonSchema(std::string_view current,
                                                      const SchemaDetector& sample) {
  Result<Schema> schema = ParseJsonSchema(current, "current schema");
  if (!schema.ok()) return schema.status();
  if (sample.rows() == 0) return std::optional<SchemaWidening>();
  Json root;
  try {
    root = Json::parse(current.begin(), current.end());
  } catch (const Json::exception& e) {  // ParseJsonSchema accepted it: not expected
    return InvalidArgument(fmt::format("current schema: invalid JSON: {}", e.what()));
  }
  Widener widener(root, *schema, sample);
  return widener.Run();
}

}  // namespace assay::schema
