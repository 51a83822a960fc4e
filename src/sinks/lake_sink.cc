#include "sinks/lake_sink.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/utf8.h"
#include "core/value_parse.h"
#include "sinks/hive_ddl.h"

namespace assay::sinks {
namespace {

ParquetType ParquetTypeFor(FieldType type) {
  switch (type) {
    case FieldType::kInteger: return ParquetType::kInt64;
    case FieldType::kNumber: return ParquetType::kDouble;
    case FieldType::kBoolean: return ParquetType::kBoolean;
    case FieldType::kTimestamp: return ParquetType::kTimestampMicros;
    case FieldType::kDate: return ParquetType::kDate;
    case FieldType::kString:
    case FieldType::kAny: return ParquetType::kString;
  }
  return ParquetType::kString;
}

}  // namespace

Result<std::unique_ptr<LakeSink>> LakeSink::Make(LakeSinkOptions options, SinkContext context,
                                                 uint64_t sequence) {
  if (context.dataset.empty()) return InvalidArgument("lake sink: empty dataset name");
  return std::unique_ptr<LakeSink>(new LakeSink(std::move(options), std::move(context), sequence));
}

LakeSink::~LakeSink() { Abort(); }

std::filesystem::path LakeSink::TableDir(Tier tier) const {
  return options_.warehouse / std::string(TierName(tier)) / context_.dataset;
}

Status LakeSink::OpenTier(Tier tier, const Batch& batch) {
  TierFile& file = files_[static_cast<size_t>(tier)];
  file.layout = OutputLayout(batch, tier);
  std::vector<ParquetColumnSpec> specs;
  for (const OutputColumn& c : file.layout) {
    // Lineage and grade columns are always present; fields may be null.
    bool nullable = c.kind == OutputKind::kTypedField || c.kind == OutputKind::kRawField;
    specs.push_back({c.name, ParquetTypeFor(c.type), nullable});
  }
  const std::string date = FormatDate(context_.ingest_time_us / kMicrosPerDay);
  const std::filesystem::path table = TableDir(tier);
  const std::filesystem::path dir = table / ("ingest_date=" + date);
  RETURN_IF_ERROR(MakeDirectories(dir));
  const std::string name = fmt::format("part-{}-{:05d}.parquet", context_.run_id, sequence_);
  file.staged.final_path = dir / name;
  file.staged.temp_path = dir / ("." + name + ".tmp");
  file.staged.table_dir = table;
  file.staged.tier = tier;

  ParquetWriterOptions po;
  po.compression = options_.compression;
  po.zstd_level = options_.compression_level;
  po.row_group_max_rows = options_.row_group_max_rows;
  po.row_group_max_bytes = options_.row_group_max_bytes;
  po.delta_byte_array = options_.delta_byte_array;
  po.key_value_metadata = {{"assay.tier", std::string(TierName(tier))},
                           {"assay.dataset", context_.dataset},
                           {"assay.run_id", context_.run_id}};
  ASSIGN_OR_RETURN(file.writer,
                   ParquetWriter::Make(file.staged.temp_path, std::move(specs), std::move(po)));
  // The DDL names every column, so it is rewritten whenever a table is written (atomically).
  return WriteFileAtomically(
      options_.warehouse / std::string(TierName(tier)) / (context_.dataset + ".ddl.sql"),
      HiveDdl(tier, context_.dataset, file.layout, std::filesystem::absolute(table)), table);
}

Status LakeSink::Append(const GradedBatch& graded) {
  for (Tier tier : kAllTiers) {
    if (!options_.tiers[static_cast<size_t>(tier)] || graded.rows_of(tier).empty()) continue;
    Status st = WriteTier(tier, graded);
    if (!st.ok())
      return st.WithContext(fmt::format("lake sink ({} {})", TierName(tier), context_.dataset));
  }
  return Status::Ok();
}

Status LakeSink::WriteTier(Tier tier, const GradedBatch& graded) {
  TierFile& file = files_[static_cast<size_t>(tier)];
  const Batch& batch = *graded.batch;
  if (!file.writer) RETURN_IF_ERROR(OpenTier(tier, batch));
  const size_t rows = batch.num_rows();
  const std::vector<uint32_t>& selection = graded.rows_of(tier);
  const std::vector<OutputColumn>& layout = file.layout;
  if (views_.size() < layout.size()) views_.resize(layout.size());
  if (valid_.size() < layout.size()) valid_.resize(layout.size());
  ingested_at_.assign(rows, batch.ingested_at_us);

  std::vector<ColumnValues> values(layout.size());
  for (size_t i = 0; i < layout.size(); ++i) {
    const OutputColumn& out = layout[i];
    ColumnValues& v = values[i];
    std::vector<std::string_view>& views = views_[i];
    switch (out.kind) {
      case OutputKind::kTypedField: {
        const Column& col = batch.column(out.field);
        v.valid = col.valid.data();
        if (UsesInt64(col.type)) {
          v.i64 = col.i64.data();
        } else if (col.type == FieldType::kNumber) {
          v.f64 = col.f64.data();
        } else {
          // Standardised: strings are trimmed in silver and gold.
          views.resize(rows);
          size_t longest = 0;
          for (uint32_t r : selection) {
            views[r] = TrimAscii(col.str[r]);
            longest = std::max(longest, views[r].size());
          }
          v.str = views.data();
          v.str_max_size = longest;
        }
        break;
      }
      case OutputKind::kRawField: {
        const Column& col = batch.column(out.field);
        std::vector<uint8_t>& valid = valid_[i];
        valid.resize(rows);
        for (uint32_t r : selection) valid[r] = col.kind[r] != CellKind::kNull;
        v.valid = valid.data();
        v.str = col.raw.data();
        break;
      }
      case OutputKind::kScore: v.f64 = graded.score.data(); break;
      case OutputKind::kTier:
        views.assign(rows, TierName(tier));
        v.str = views.data();
        break;
      case OutputKind::kFailed: v.str = graded.failed.data(); break;
      // Raw bytes of unparseable records may be invalid UTF-8; Parquet strings must not be.
      case OutputKind::kErrors:
        views.resize(rows);
        for (uint32_t r : selection) views[r] = ToValidUtf8(graded.errors[r], text_arena_);
        v.str = views.data();
        break;
      case OutputKind::kRecord:
        views.resize(rows);
        for (uint32_t r : selection) views[r] = ToValidUtf8(batch.record_text(r), text_arena_);
        v.str = views.data();
        break;
      case OutputKind::kSource:
        views.assign(rows, batch.source_name);
        v.str = views.data();
        break;
      case OutputKind::kPosition: v.str = graded.position.data(); break;
      case OutputKind::kIngestedAt: v.i64 = ingested_at_.data(); break;
    }
  }
  Status st = file.writer->Append(values, selection);
  text_arena_.Reset();
  RETURN_IF_ERROR(st);
  file.staged.rows += selection.size();
  return Status::Ok();
}

Result<std::vector<StagedFile>> LakeSink::Finish() {
  std::vector<StagedFile> staged;
  for (TierFile& file : files_) {
    if (!file.writer) continue;
    Status st = file.writer->Close();
    if (!st.ok()) {
      Abort();
      return st.WithContext("lake sink");
    }
    file.staged.bytes = file.writer->bytes_written();
    file.writer.reset();
    staged.push_back(file.staged);
  }
  // The data files' directory entries must be durable before the commit log points at them.
  for (const StagedFile& f : staged) RETURN_IF_ERROR(SyncDirectory(f.temp_path.parent_path()));
  for (TierFile& file : files_) file = TierFile{};
  return staged;
}

void LakeSink::Abort() {
  for (TierFile& file : files_) {
    if (file.writer) file.writer->Abort();
    file = TierFile{};
  }
}

}  // namespace assay::sinks
