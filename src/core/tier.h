#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace assay {

/// The grade of a row (DESIGN.md §3). The order is the medallion order, best first.
enum class Tier : uint8_t { kGold = 0, kSilver = 1, kBronze = 2, kRejected = 3 };

inline constexpr size_t kNumTiers = 4;
inline constexpr std::array<Tier, kNumTiers> kAllTiers = {Tier::kGold, Tier::kSilver, Tier::kBronze,
                                                          Tier::kRejected};

constexpr std::string_view TierName(Tier tier) {
  switch (tier) {
    case Tier::kGold: return "gold";
    case Tier::kSilver: return "silver";
    case Tier::kBronze: return "bronze";
    case Tier::kRejected: return "rejected";
  }
  return "unknown";
}

constexpr std::optional<Tier> TierFromName(std::string_view name) {
  for (Tier tier : kAllTiers) {
    if (TierName(tier) == name) return tier;
  }
  return std::nullopt;
}

}  // namespace assay
