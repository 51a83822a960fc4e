#include "events/validation_stats.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace assay::events {

void ValidationCounts::Merge(const ValidationCounts& other) {
  rows += other.rows;
  for (size_t t = 0; t < kNumTiers; ++t) tiers[t] += other.tiers[t];
  for (const auto& [key, n] : other.failures) failures[key] += n;
}

nlohmann::json ValidationCountsToJson(const ValidationCounts& counts) {
  nlohmann::json failures = nlohmann::json::array();
  for (const auto& [key, n] : counts.failures) {
    failures.push_back(nlohmann::json::array({key.first, key.second, n}));
  }
  return nlohmann::json{{"subject", counts.subject},
                        {"version", counts.version},
                        {"rows", counts.rows},
                        {"tiers", counts.tiers},
                        {"failures", std::move(failures)}};
}

Result<ValidationCounts> ValidationCountsFromJson(const nlohmann::json& j) {
  try {
    ValidationCounts counts;
    counts.subject = j.at("subject").get<std::string>();
    counts.version = j.at("version").get<int>();
    counts.rows = j.at("rows").get<uint64_t>();
    counts.tiers = j.at("tiers").get<std::array<uint64_t, kNumTiers>>();
    for (const nlohmann::json& f : j.at("failures")) {
      counts.failures[{f.at(0).get<std::string>(), f.at(1).get<std::string>()}] +=
          f.at(2).get<uint64_t>();
    }
    return counts;
  } catch (const nlohmann::json::exception& e) {
    return DataLoss(fmt::format("unreadable validation statistics: {}", e.what()));
  }
}

}  // namespace assay::events
