#pragma once
// Fleet files: a campaign's inventory written by hand or generated (`kind: Fleet`, see
// docs/runner.md), validated like migration files.

#include "bot/fleet/FleetRepo.h"
#include "rules/Expected.h"

#include <string>
#include <string_view>
#include <vector>

namespace godwit {

/// The largest fleet file loadFleetFile reads.
inline constexpr size_t kMaxFleetFileBytes = 64u << 20;

/// Parses fleet YAML: `apiVersion: godwit/v1`, `kind: Fleet` and `repositories:`, a list of
/// `{repo, owner, tier, labels, cloneUrl}`. Errors carry `path`, line and column and a hint.
Expected<std::vector<FleetRepo>> parseFleetFile(std::string_view yaml, const std::string& path);

/// Reads the fleet file at `path` (a regular file of at most kMaxFleetFileBytes) and parses it.
Expected<std::vector<FleetRepo>> loadFleetFile(const std::string& path);

} // namespace godwit
