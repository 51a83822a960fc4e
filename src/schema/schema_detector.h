#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/batch.h"
#include "core/field_type.h"
#include "core/result.h"
#include "schema/check.h"
#include "schema/schema.h"

/// Schema detection (issue 5, DESIGN.md §6): infer a JSON Schema of the docs/schemas.md subset
/// from a sample of records, and widen a detected schema when later data does not fit it. The
/// rules are in docs/schema-registry.md ("Schema detection"); in short, a field gets the most
/// specific type whose type check (schema/typer.h, core/value_parse.h) every sampled value
/// passes, so the detected schema accepts its own sample by construction.
namespace assay::schema {

/// What detection infers besides field types. The defaults suit a sample of a few thousand rows.
struct DetectionOptions {
  /// A string field becomes an `enum` when it has at most this many distinct values...
  size_t max_enum_values = 10;
  /// ...over at least this many non-null values...
  size_t min_rows_for_enum = 20;
  /// ...and distinct values / non-null values is at most this ratio.
  double enum_max_distinct_ratio = 0.2;
  /// Values longer than this (bytes) are not enum candidates: a field that has one gets no enum.
  size_t max_enum_value_bytes = 64;
  /// Emit candidate constraints: `enum` for low-cardinality strings, `minimum`/`maximum` for
  /// integers and numbers (the observed range).
  bool constraints = true;
  /// Detect `format: uuid`, `ipv4` and `email` for strings whose every value has that form.
  bool string_formats = true;
  /// Severity written as `x-severity` for the candidate constraints: a guess from a sample
  /// should lower a row's score, not keep it out of gold. nullopt = the default (error).
  std::optional<Severity> constraint_severity = Severity::kWarning;
};

/// What detection concluded about one field (SchemaDetector::Fields).
struct DetectedField {
  std::string name;
  /// false: no `type` keyword, any value passes (JSON objects/arrays, or JSON values of kinds no
  /// single type accepts, e.g. numbers and strings in one field).
  bool typed = true;
  FieldType type = FieldType::kString;        ///< meaningful when `typed`
  StringFormat format = StringFormat::kNone;  ///< email / uuid / ipv4 on a kString field
  /// Null or missing in some sampled row: `[T, "null"]` and not required. A field that is not
  /// nullable is required (it had a value in every sampled row).
  bool nullable = false;
  uint64_t non_null = 0;                 ///< sampled rows where the field has a value
  std::vector<std::string> enum_values;  ///< candidate `enum` (byte order); empty = none
  std::optional<double> minimum;         ///< candidate `minimum` (integer and number fields)
  std::optional<double> maximum;         ///< candidate `maximum`
};

/// Accumulates a sample, possibly over several batches, and infers a schema from it. Memory is
/// bounded per field (a few counters and at most max_enum_values distinct values), not per row:
/// a detector may see every row of a source. Not thread-safe.
class SchemaDetector {
 public:
  explicit SchemaDetector(DetectionOptions options = {});

  /// Adds every row of `batch` that has no parse error, every column. Reads `raw` and `kind`
  /// only (no typing needed). Columns are matched by name across batches; an ill-formed UTF-8
  /// name goes by its repaired spelling (U+FFFD per bad byte), the one the schema shows. A field
  /// absent from a batch (a CSV file without that column, NDJSON records without that key) is
  /// missing, i.e. null, in that batch's rows. Fields keep the order they first appear in.
  void Add(const Batch& batch);

  /// Rows added so far (rows with a parse error are not counted).
  uint64_t rows() const { return rows_; }
  /// The source named by the first batch with a non-empty `source_name` ("" if none).
  const std::string& source_name() const { return source_name_; }
  const DetectionOptions& options() const { return options_; }

  /// The inference for every field seen, in order of first appearance.
  std::vector<DetectedField> Fields() const;

  /// The detected schema as pretty-printed JSON Schema text (2-space indent, lines within 100
  /// columns where possible, properties in field order), with `title` (the subject or source
  /// name; the source name when empty) and a `description` naming the source and the number of
  /// rows. ParseJsonSchema accepts it and the typer accepts every sampled value under it.
  /// The same sample always gives the same text. kFailedPrecondition when no field was seen
  /// (a schema needs at least one property).
  Result<std::string> ToJsonSchema(std::string_view title) const;

  /// What the sample showed about one field: the input of Fields() and WidenJsonSchema.
  struct FieldStats {
    std::string name;
    uint64_t non_null = 0;
    uint32_t accepts = 0;       ///< bit per type check every non-null value passed (exact)
    bool leading_zero = false;  ///< a text integer/decimal with a leading zero (`007`, `00.5`)
    bool has_number = false;    ///< some value parsed as a number: min/max_number are set
    double min_number = 0, max_number = 0;
    bool has_length = false;  ///< min/max_length (code points of the value's text) are set
    uint64_t min_length = 0, max_length = 0;
    bool distinct_overflow = false;     ///< more distinct values than tracked (or not enumerable)
    std::vector<std::string> distinct;  ///< distinct raw texts, while !distinct_overflow
  };
  const std::vector<FieldStats>& stats() const { return fields_; }
  const FieldStats* FindStats(std::string_view name) const;

 private:
  void AddValue(FieldStats& field, CellKind kind, std::string_view raw) const;
  DetectedField Infer(const FieldStats& field) const;

  DetectionOptions options_;
  uint64_t rows_ = 0;
  std::string source_name_;
  std::vector<FieldStats> fields_;
  std::map<std::string, size_t, std::less<>> index_;  // name -> fields_ index
};

/// The result of widening: the new schema text and what changed, one line per change
/// (`'amount': type integer -> number`), for the `schema.evolved` event and the log.
struct SchemaWidening {
  std::string schema;
  std::vector<std::string> changes;
};

/// Widens `current` (JSON Schema text, detected or hand-written, that ParseJsonSchema accepts)
/// so that it accepts everything it accepted before plus every value of `sample`:
/// - a field not in `current` is added at the end, as detected but optional and nullable;
/// - a field null or missing in some sampled row becomes nullable and leaves `required`;
/// - a type that some value fails is widened: integer -> number, date-time/date/email/uuid/ipv4
///   -> string; a number, boolean or string that still does not fit loses its `type` (no type
///   check): a JSON number is not a string, and unions other than `[T, "null"]` are not in the
///   subset, so `string` would not accept what `integer` did (for CSV text the two behave alike);
/// - keywords the new type does not allow are dropped with their `x-severity` entries;
/// - an `enum` missing sampled values is extended while it keeps at most max_enum_values
///   values, else dropped (also when the sample had too many distinct values to track); a
///   `const` that a value differs from is dropped;
/// - minimum/maximum and minLength/maxLength are moved out to the sampled range; an
///   exclusiveMinimum/exclusiveMaximum that a value reaches is dropped.
/// Every change only widens, so the result is BACKWARD compatible with `current` under the
/// registry's lenient JSON Schema policy (Confluent's own rules also refuse the new optional
/// fields of an open content model).
/// `pattern` is left alone (the sample keeps no values to match it against). Everything else,
/// including user edits, is kept. Returns nullopt when nothing needs to change (also for an
/// empty sample); kInvalidArgument when `current` is not a valid schema.
Result<std::optional<SchemaWidening>> WidenJsonSchema(std::string_view current,
                                                      const SchemaDetector& sample);

}  // namespace assay::schema
