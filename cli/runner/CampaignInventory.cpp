#include "cli/runner/CampaignInventory.h"

namespace godwit {

// The inventory sources are built in the inventory half of issue #10 (cli/runner/LoadInventory);
// until that lands, plan and sweep say so instead of running over an empty fleet.
Expected<std::vector<FleetRepo>> loadCampaignInventory(const InventoryFlags&, const CodeHostFlags&,
                                                       const Migration&,
                                                       std::unique_ptr<GitHubClient>&) {
  return makeError("no inventory source can be read by this build yet",
                   "the inventory sources (fleet files, --github-org, Backstage) are not built "
                   "in yet; see docs/runner.md");
}

} // namespace godwit
