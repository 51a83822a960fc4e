#pragma once

#include <array>
#include <filesystem>
#include <memory>
#include <vector>

#include "sinks/output_layout.h"
#include "sinks/parquet_writer.h"
#include "sinks/sink.h"

namespace assay::sinks {

struct LakeSinkOptions {
  std::filesystem::path warehouse = "./warehouse";
  Compression compression = Compression::kZstd;
  int compression_level = 1;
  size_t row_group_max_rows = size_t{128} * 1024;
  size_t row_group_max_bytes = size_t{8} << 20;  ///< unencoded bytes of one row group
  bool delta_byte_array = true;                  ///< ParquetWriterOptions::delta_byte_array
  std::array<bool, kNumTiers> tiers = {true, true, true, true};  ///< which tiers to write
};

/// The embedded lakehouse of DESIGN.md §4: one Parquet file per tier and commit unit at
/// `<warehouse>/<tier>/<dataset>/ingest_date=YYYY-MM-DD/part-<run>-<seq>.parquet`, written under
/// a hidden temporary name and renamed by the commit log. Writes `<tier>/<dataset>.ddl.sql`
/// (Hive/Spark/Trino CREATE EXTERNAL TABLE) beside each table it writes.
class LakeSink final : public Sink {
 public:
  static Result<std::unique_ptr<LakeSink>> Make(LakeSinkOptions options, SinkContext context,
                                                uint64_t sequence);
  ~LakeSink() override;

  Status Append(const GradedBatch& batch) override;
  Result<std::vector<StagedFile>> Finish() override;
  void Abort() override;

  /// `<warehouse>/<tier>/<dataset>`.
  std::filesystem::path TableDir(Tier tier) const;

 private:
  LakeSink(LakeSinkOptions options, SinkContext context, uint64_t sequence)
      : options_(std::move(options)), context_(std::move(context)), sequence_(sequence) {}

  struct TierFile {
    std::unique_ptr<ParquetWriter> writer;
    std::vector<OutputColumn> layout;
    StagedFile staged;
  };
  Status OpenTier(Tier tier, const Batch& batch);
  Status WriteTier(Tier tier, const GradedBatch& graded);

  LakeSinkOptions options_;
  SinkContext context_;
  uint64_t sequence_;
  std::array<TierFile, kNumTiers> files_;

  // Per-call scratch, reused so steady-state appends allocate nothing per row.
  std::vector<std::vector<std::string_view>> views_;
  std::vector<std::vector<uint8_t>> valid_;
  std::vector<int64_t> ingested_at_;
  StringArena text_arena_;  ///< repaired (valid UTF-8) copies of raw text, per Append
};

}  // namespace assay::sinks
