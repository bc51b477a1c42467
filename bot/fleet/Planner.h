#pragma once
// The campaign's plan: the fleet cut into waves, deterministically (the same repositories, waves
// and seed give the same plan, whatever order the inventory listed them in).

#include "bot/fleet/FleetRepo.h"
#include "rules/Migration.h"

#include <cstdint>
#include <string>
#include <vector>

namespace godwit {

/// A repository's place in the plan.
struct PlannedRepo {
  FleetRepo repo;
  int wave = 0;       ///< 1-based.
  int position = 0;   ///< 0-based place in the rollout order.
  std::string reason; ///< Why it is in its wave, for people.
};

/// The waves and the repositories in rollout order.
struct Plan {
  std::vector<size_t> waveSizes; ///< Repositories per wave; no wave is empty.
  std::vector<PlannedRepo> repos;
};

/// Orders the fleet (lower tiers first; within a tier owners take turns, in an order and with
/// their repositories in an order drawn from `seed`) and cuts it at the cumulative `steps`
/// (no steps: one wave). A share rounds up, so a non-empty fleet's first wave is never empty.
Plan planWaves(std::vector<FleetRepo> repos, const std::vector<WaveStep>& steps, uint64_t seed);

} // namespace godwit
