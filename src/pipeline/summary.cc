#include "pipeline/summary.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace assay::pipeline {

std::string FormatSummary(const RunSummary& summary) {
  std::string out = fmt::format("\nRun {} finished in {:.2f} s{}\n\n", summary.run_id,
                                summary.seconds, summary.ok() ? "" : " with errors");
  out += fmt::format("{:<24} {:>7} {:>10} {:>9} {:>9} {:>9} {:>9} {:>11} {:>8} {:>8}\n", "source",
                     "files", "rows", "gold", "silver", "bronze", "rejected", "rows/s", "MB/s",
                     "time");
  for (const SourceSummary& s : summary.sources) {
    double rps = s.seconds > 0 ? s.rows / s.seconds : 0;
    double mbps = s.seconds > 0 ? s.bytes / s.seconds / 1e6 : 0;
    std::string files = s.files_skipped > 0 ? fmt::format("{}({}s)", s.files, s.files_skipped)
                                            : fmt::format("{}", s.files);
    out += fmt::format("{:<24} {:>7} {:>10} {:>9} {:>9} {:>9} {:>9} {:>11.0f} {:>8.1f} {:>7.2f}s\n",
                       s.name, files, s.rows, s.tier_rows[0], s.tier_rows[1], s.tier_rows[2],
                       s.tier_rows[3], rps, mbps, s.seconds);
  }
  bool any_skipped = false;
  for (const SourceSummary& s : summary.sources) any_skipped |= s.files_skipped > 0;
  if (any_skipped) out += "(Ns): N files were skipped, already ingested by an earlier run\n";
  for (const SourceSummary& s : summary.sources) {
    if (!s.ok) out += fmt::format("\nsource {} FAILED: {}\n", s.name, s.error);
  }
  bool header = false;
  for (const SourceSummary& s : summary.sources) {
    for (const std::string& o : s.outputs) {
      if (!header) out += "\nOutputs:\n";
      header = true;
      out += fmt::format("  {}\n", o);
    }
  }
  if (summary.commits_recovered > 0) {
    out += fmt::format("\nRecovered {} commit(s) left by an interrupted run.\n",
                       summary.commits_recovered);
  }
  return out;
}

std::string SummaryJson(const RunSummary& summary) {
  nlohmann::json j{{"run_id", summary.run_id},
                   {"seconds", summary.seconds},
                   {"ok", summary.ok()},
                   {"commits_recovered", summary.commits_recovered}};
  nlohmann::json sources = nlohmann::json::array();
  for (const SourceSummary& s : summary.sources) {
    nlohmann::json tiers;
    for (Tier t : kAllTiers) tiers[std::string(TierName(t))] = s.tier_rows[static_cast<size_t>(t)];
    sources.push_back({{"name", s.name},
                       {"ok", s.ok},
                       {"error", s.error},
                       {"files", s.files},
                       {"files_skipped", s.files_skipped},
                       {"rows", s.rows},
                       {"bytes", s.bytes},
                       {"tiers", tiers},
                       {"seconds", s.seconds},
                       {"outputs", s.outputs}});
  }
  j["sources"] = std::move(sources);
  return j.dump();
}

}  // namespace assay::pipeline
