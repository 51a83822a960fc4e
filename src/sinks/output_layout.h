#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/batch.h"
#include "core/tier.h"

namespace assay::sinks {

/// What a column of an output table holds (DESIGN.md §4: silver and gold are typed and
/// standardised; bronze and rejected keep the raw text; every row carries lineage).
enum class OutputKind : unsigned char {
  kTypedField,  ///< a schema field's typed value (null when null or mistyped)
  kRawField,    ///< a schema field's text as ingested
  kScore,       ///< `_score`
  kTier,        ///< `_tier`
  kFailed,      ///< `_failed`
  kErrors,      ///< `_errors` (rejected only)
  kRecord,      ///< `_raw`: the whole record's text (rejected only)
  kSource,      ///< `_source`
  kPosition,    ///< `_position`
  kIngestedAt,  ///< `_ingested_at`
};

struct OutputColumn {
  std::string name;
  OutputKind kind = OutputKind::kRawField;
  size_t field = 0;                  ///< batch column, for field kinds
  FieldType type = FieldType::kAny;  ///< kTypedField: the field's type; else the output's
};

/// The columns of `tier`'s table for a batch with these fields, in output order.
std::vector<OutputColumn> OutputLayout(const Batch& batch, Tier tier);

/// Whether a tier's tables hold typed values (gold, silver) rather than raw text.
constexpr bool IsTypedTier(Tier tier) { return tier == Tier::kGold || tier == Tier::kSilver; }

/// Strips leading and trailing ASCII whitespace: the standardisation of typed string values.
/// Inline: it runs on every string value the lake and NDJSON sinks write.
inline std::string_view TrimAscii(std::string_view s) {
  const auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
  };
  size_t b = 0;
  size_t e = s.size();
  while (b < e && space(s[b])) ++b;
  while (e > b && space(s[e - 1])) --e;
  return s.substr(b, e - b);
}

}  // namespace assay::sinks
