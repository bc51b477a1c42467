#pragma once
// The repositories `plan` and `sweep` work on, from the command line's inventory sources.

#include "bot/fleet/FleetRepo.h"
#include "bot/github/GitHubClient.h"
#include "cli/runner/RunnerOptions.h"
#include "rules/Migration.h"

#include <memory>
#include <vector>

namespace godwit {

/// The GitHub client of the code-host flags (and the environment), logging to stderr and
/// telling `observer` what it sends.
Expected<std::unique_ptr<GitHubClient>> makeRunnerClient(const CodeHostFlags& host,
                                                         const ClientObserver& observer = {});

/// The fleet of `flags` (fleet files, GitHub organization or installation, Backstage catalog),
/// one entry per repository. When the sources needed the code host, the GitHub client made for
/// them is handed back in `client` for the command's own requests (made with `observer`).
Expected<std::vector<FleetRepo>>
loadCampaignInventory(const InventoryFlags& flags, const CodeHostFlags& host,
                      const Migration& migration, std::unique_ptr<GitHubClient>& client,
                      const ClientObserver& observer = {});

} // namespace godwit
