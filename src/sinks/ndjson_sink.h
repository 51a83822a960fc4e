#pragma once

#include <array>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "sinks/output_layout.h"
#include "sinks/sink.h"

namespace assay::sinks {

struct NdjsonSinkOptions {
  std::filesystem::path path = "./out";
  std::array<bool, kNumTiers> tiers = {true, true, true, true};
};

/// Newline-delimited JSON for simple uses: one file per tier and commit unit at
/// `<path>/<dataset>/<tier>/part-<run>-<seq>.ndjson`, with the same columns as the lake tables
/// (typed JSON values in gold/silver, timestamps as RFC 3339 UTC strings), staged under a hidden
/// temporary name like the lake's.
class NdjsonSink final : public Sink {
 public:
  static Result<std::unique_ptr<NdjsonSink>> Make(NdjsonSinkOptions options, SinkContext context,
                                                  uint64_t sequence);
  ~NdjsonSink() override;

  Status Append(const GradedBatch& batch) override;
  Result<std::vector<StagedFile>> Finish() override;
  void Abort() override;

 private:
  NdjsonSink(NdjsonSinkOptions options, SinkContext context, uint64_t sequence)
      : options_(std::move(options)), context_(std::move(context)), sequence_(sequence) {}

  struct TierFile {
    std::FILE* out = nullptr;
    std::vector<OutputColumn> layout;
    StagedFile staged;
  };
  Status OpenTier(Tier tier, const Batch& batch);

  NdjsonSinkOptions options_;
  SinkContext context_;
  uint64_t sequence_;
  std::array<TierFile, kNumTiers> files_;
  static constexpr size_t kFlushBytes = 1 << 20;
  std::string line_;               ///< rows rendered but not yet handed to stdio
  std::vector<std::string> keys_;  ///< `"name":` per column of the current table
  Tier keys_tier_ = Tier::kGold;
  std::string ingested_at_text_;
};

}  // namespace assay::sinks
