#pragma once
// One repository of a campaign's fleet, as an inventory source lists it (fleet file, GitHub
// organization or installation, Backstage catalog). Waves, limits and the sweep work on these.

#include <cstdint>
#include <string>
#include <vector>

namespace godwit {

/// A repository of the fleet. Keyed by `id` once the code host has been asked, so a rename does
/// not make a second entry; before that (a fleet file), by `fullName`.
struct FleetRepo {
  int64_t id = 0;       ///< The code host's numeric repository id; 0 while unknown.
  std::string fullName; ///< `owner/name` on the code host.
  std::string owner;    ///< The team that owns it (fleet `owner`, Backstage `spec.owner`).
  int tier = 0;         ///< Risk tier; lower tiers are rolled out first.
  std::vector<std::string> labels;
  std::string source;        ///< Where it was listed, for messages (e.g. `fleet.yaml:12:5`).
  std::string cloneUrl;      ///< From the code host (or the fleet file's `cloneUrl`).
  std::string defaultBranch; ///< From the code host; empty while unknown.
  std::string htmlUrl;       ///< From the code host; empty while unknown.
  /// The Backstage catalog lists one of its components as depending on the migration's dataset
  /// entity (`backstage.entity`); discover reconciles this with the references found in code.
  bool catalogConsumer = false;
};

} // namespace godwit
