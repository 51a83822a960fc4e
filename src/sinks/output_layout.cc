#include "sinks/output_layout.h"

namespace assay::sinks {

std::vector<OutputColumn> OutputLayout(const Batch& batch, Tier tier) {
  std::vector<OutputColumn> out;
  const bool typed = IsTypedTier(tier);
  for (size_t i = 0; i < batch.columns().size(); ++i) {
    const Column& col = batch.column(i);
    if (typed) {
      out.push_back({col.name, OutputKind::kTypedField, i, col.type});
    } else {
      out.push_back({col.name, OutputKind::kRawField, i, FieldType::kString});
    }
  }
  out.push_back({"_score", OutputKind::kScore, 0, FieldType::kNumber});
  out.push_back({"_tier", OutputKind::kTier, 0, FieldType::kString});
  out.push_back({"_failed", OutputKind::kFailed, 0, FieldType::kString});
  if (tier == Tier::kRejected) {
    out.push_back({"_errors", OutputKind::kErrors, 0, FieldType::kString});
    out.push_back({"_raw", OutputKind::kRecord, 0, FieldType::kString});
  }
  out.push_back({"_source", OutputKind::kSource, 0, FieldType::kString});
  out.push_back({"_position", OutputKind::kPosition, 0, FieldType::kString});
  out.push_back({"_ingested_at", OutputKind::kIngestedAt, 0, FieldType::kTimestamp});
  return out;
}

}  // namespace assay::sinks
