#include "sinks/ndjson_sink.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>

#include "core/json_string.h"
#include "core/utf8.h"
#include "core/value_parse.h"

namespace assay::sinks {

namespace {

template <typename T>
void AppendNumber(std::string& out, T value) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  out.append(buf, end);
}

}  // namespace

Result<std::unique_ptr<NdjsonSink>> NdjsonSink::Make(NdjsonSinkOptions options, SinkContext context,
                                                     uint64_t sequence) {
  if (context.dataset.empty()) return InvalidArgument("ndjson sink: empty dataset name");
  return std::unique_ptr<NdjsonSink>(
      new NdjsonSink(std::move(options), std::move(context), sequence));
}

NdjsonSink::~NdjsonSink() { Abort(); }

Status NdjsonSink::OpenTier(Tier tier, const Batch& batch) {
  TierFile& file = files_[static_cast<size_t>(tier)];
  file.layout = OutputLayout(batch, tier);
  const std::filesystem::path table =
      options_.path / context_.dataset / std::string(TierName(tier));
  RETURN_IF_ERROR(MakeDirectories(table));
  const std::string name = fmt::format("part-{}-{:05d}.ndjson", context_.run_id, sequence_);
  file.staged.final_path = table / name;
  file.staged.temp_path = table / ("." + name + ".tmp");
  file.staged.table_dir = table;
  file.staged.tier = tier;
  file.out = std::fopen(file.staged.temp_path.c_str(), "wbe");
  if (!file.out) return ErrnoStatus(errno, file.staged.temp_path.string());
  return Status::Ok();
}

Status NdjsonSink::Append(const GradedBatch& graded) {
  const Batch& batch = *graded.batch;
  ingested_at_text_ = FormatTimestamp(batch.ingested_at_us);
  for (Tier tier : kAllTiers) {
    const std::vector<uint32_t>& selection = graded.rows_of(tier);
    if (!options_.tiers[static_cast<size_t>(tier)] || selection.empty()) continue;
    TierFile& file = files_[static_cast<size_t>(tier)];
    if (!file.out) RETURN_IF_ERROR(OpenTier(tier, batch));
    // Keys are fixed per table: render `"name":` once.
    if (keys_.size() != file.layout.size() || keys_tier_ != tier) {
      keys_.clear();
      for (size_t k = 0; k < file.layout.size(); ++k) {
        std::string key = k == 0 ? "{" : ",";
        AppendJsonString(key, file.layout[k].name);
        key += ':';
        keys_.push_back(std::move(key));
      }
      keys_tier_ = tier;
    }
    line_.clear();
    for (uint32_t r : selection) {
      for (size_t k = 0; k < file.layout.size(); ++k) {
        const OutputColumn& c = file.layout[k];
        line_ += keys_[k];
        switch (c.kind) {
          case OutputKind::kTypedField: {
            const Column& col = batch.column(c.field);
            if (!col.valid[r]) {
              line_ += "null";
              break;
            }
            switch (col.type) {
              case FieldType::kInteger: AppendNumber(line_, col.i64[r]); break;
              case FieldType::kNumber: AppendNumber(line_, col.f64[r]); break;
              case FieldType::kBoolean: line_ += col.i64[r] ? "true" : "false"; break;
              case FieldType::kTimestamp: {
                char buf[kMaxTimestampChars];
                line_ += '"';
                line_.append(buf, FormatTimestampChars(col.i64[r], buf));
                line_ += '"';
                break;
              }
              case FieldType::kDate: {
                char buf[kMaxTimestampChars];
                line_ += '"';
                line_.append(buf, FormatDateChars(col.i64[r], buf));
                line_ += '"';
                break;
              }
              case FieldType::kString:
              case FieldType::kAny: AppendJsonString(line_, TrimAscii(col.str[r])); break;
            }
            break;
          }
          case OutputKind::kRawField: {
            const Column& col = batch.column(c.field);
            if (col.kind[r] == CellKind::kNull)
              line_ += "null";
            else
              AppendJsonString(line_, col.raw[r]);
            break;
          }
          case OutputKind::kScore: AppendNumber(line_, graded.score[r]); break;
          case OutputKind::kTier: AppendJsonString(line_, TierName(tier)); break;
          case OutputKind::kFailed: AppendJsonString(line_, graded.failed[r]); break;
          case OutputKind::kErrors: AppendJsonString(line_, graded.errors[r]); break;
          case OutputKind::kRecord: AppendJsonString(line_, batch.record_text(r)); break;
          case OutputKind::kSource: AppendJsonString(line_, batch.source_name); break;
          case OutputKind::kPosition: AppendJsonString(line_, graded.position[r]); break;
          case OutputKind::kIngestedAt: AppendJsonString(line_, ingested_at_text_); break;
        }
      }
      line_ += "}\n";
      if (line_.size() >= kFlushBytes || r == selection.back()) {
        if (std::fwrite(line_.data(), 1, line_.size(), file.out) != line_.size()) {
          return ErrnoStatus(errno, file.staged.temp_path.string());
        }
        line_.clear();
      }
    }
    file.staged.rows += selection.size();
  }
  return Status::Ok();
}

Result<std::vector<StagedFile>> NdjsonSink::Finish() {
  std::vector<StagedFile> staged;
  for (TierFile& file : files_) {
    if (!file.out) continue;
    bool ok = std::fflush(file.out) == 0 && ::fsync(::fileno(file.out)) == 0;
    int err = errno;
    file.staged.bytes = static_cast<uint64_t>(std::ftell(file.out));
    ok = std::fclose(file.out) == 0 && ok;
    file.out = nullptr;
    if (!ok) {
      Abort();
      return ErrnoStatus(err, file.staged.temp_path.string());
    }
    staged.push_back(file.staged);
  }
  for (const StagedFile& f : staged) RETURN_IF_ERROR(SyncDirectory(f.temp_path.parent_path()));
  for (TierFile& file : files_) file = TierFile{};
  return staged;
}

void NdjsonSink::Abort() {
  for (TierFile& file : files_) {
    if (file.out) {
      std::fclose(file.out);
      std::error_code ec;
      std::filesystem::remove(file.staged.temp_path, ec);
    }
    file = TierFile{};
  }
}

}  // namespace assay::sinks
