#include "bot/fleet/Planner.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace godwit {
namespace {

// FNV-1a over the seed and the text: a stable, platform-independent order.
uint64_t stableHash(uint64_t seed, const std::string& text) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](unsigned char byte) {
    h ^= byte;
    h *= 1099511628211ull;
  };
  for (int i = 0; i < 8; ++i)
    mix(static_cast<unsigned char>(seed >> (8 * i)));
  for (char c : text)
    mix(static_cast<unsigned char>(c));
  return h;
}

std::string ordinal(size_t n) {
  const char* suffix = (n % 100 >= 11 && n % 100 <= 13) ? "th"
                       : n % 10 == 1                    ? "st"
                       : n % 10 == 2                    ? "nd"
                       : n % 10 == 3                    ? "rd"
                                                        : "th";
  return std::to_string(n) + suffix;
}

std::string stepText(const WaveStep& step) {
  std::string value = std::to_string(static_cast<int64_t>(step.value));
  if (step.value != std::floor(step.value)) {
    value = std::to_string(step.value);
    value.erase(value.find_last_not_of('0') + 1);
  }
  return step.percent ? value + "%" : value;
}

} // namespace

Plan planWaves(std::vector<FleetRepo> repos, const std::vector<WaveStep>& steps, uint64_t seed) {
  // Tier by tier, owners take turns: the k-th round holds each owner's k-th repository.
  std::map<int,
           std::map<std::pair<uint64_t, std::string>, std::vector<std::pair<uint64_t, FleetRepo>>>>
      byTier;
  for (FleetRepo& repo : repos) {
    const uint64_t ownerKey = stableHash(seed, "owner:" + repo.owner);
    const uint64_t repoKey = stableHash(seed, "repo:" + repo.fullName);
    byTier[repo.tier][{ownerKey, repo.owner}].push_back({repoKey, std::move(repo)});
  }
  struct Ordered {
    FleetRepo repo;
    size_t ownerRank; ///< 1-based: the owner's how-manieth repository in this tier.
    size_t ownerTotal;
  };
  std::vector<Ordered> order;
  for (auto& [tier, owners] : byTier) {
    size_t rounds = 0;
    for (auto& [owner, list] : owners) {
      std::sort(list.begin(), list.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first < b.first : a.second.fullName < b.second.fullName;
      });
      rounds = std::max(rounds, list.size());
    }
    for (size_t round = 0; round < rounds; ++round)
      for (auto& [owner, list] : owners)
        if (round < list.size())
          order.push_back({std::move(list[round].second), round + 1, list.size()});
  }

  // Cumulative cuts; the last wave takes the rest; empty waves are dropped.
  const size_t n = order.size();
  std::vector<WaveStep> cuts = steps;
  if (cuts.empty())
    cuts.push_back({true, 100});
  std::vector<std::pair<size_t, const WaveStep*>> ends;
  size_t covered = 0;
  for (size_t i = 0; i < cuts.size(); ++i) {
    const WaveStep& step = cuts[i];
    size_t end = step.percent ? static_cast<size_t>(std::ceil(step.value * n / 100.0 - 1e-9))
                              : static_cast<size_t>(step.value);
    end = std::min(end, n);
    if (i + 1 == cuts.size())
      end = n;
    if (end > covered) {
      ends.push_back({end, &step});
      covered = end;
    }
  }

  Plan plan;
  size_t begin = 0;
  for (size_t w = 0; w < ends.size(); ++w) {
    const auto [end, step] = ends[w];
    plan.waveSizes.push_back(end - begin);
    for (size_t i = begin; i < end; ++i) {
      Ordered& o = order[i];
      PlannedRepo p;
      p.wave = static_cast<int>(w + 1);
      p.position = static_cast<int>(i);
      p.reason = "tier " + std::to_string(o.repo.tier) + "; " +
                 (o.repo.owner.empty() ? std::string("no owner") : o.repo.owner) + "'s " +
                 ordinal(o.ownerRank) + " of " + std::to_string(o.ownerTotal) +
                 " in the tier (owners take turns, seed " + std::to_string(seed) +
                 "); rollout position " + std::to_string(i + 1) + " of " + std::to_string(n) +
                 ", wave " + std::to_string(w + 1) + " covers positions " +
                 std::to_string(begin + 1) + "-" + std::to_string(end) + " (up to " +
                 stepText(*step) + ")";
      p.repo = std::move(o.repo);
      plan.repos.push_back(std::move(p));
    }
    begin = end;
  }
  return plan;
}

} // namespace godwit
