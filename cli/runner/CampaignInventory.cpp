#include "cli/runner/CampaignInventory.h"

#include "bot/fleet/FleetFile.h"

#include <algorithm>

namespace godwit {

Expected<std::vector<FleetRepo>> loadCampaignInventory(const InventoryFlags& flags,
                                                       const CodeHostFlags&, const Migration&,
                                                       std::unique_ptr<GitHubClient>&) {
  if (!flags.githubOrg.empty() || flags.githubInstallation || !flags.backstageUrl.empty())
    return makeError("this build reads fleet files only",
                     "the --github-org, --github-installation and --backstage-url sources are "
                     "being added (docs/runner.md); list the repositories in a fleet file");
  if (flags.fleetFiles.empty())
    return makeError("no inventory: name a fleet file",
                     "e.g. `godwit-runner plan --migration m.yaml fleet.yaml` (docs/runner.md)");
  std::vector<FleetRepo> fleet;
  for (const std::string& file : flags.fleetFiles) {
    auto repos = loadFleetFile(file);
    if (!repos)
      return repos.error();
    for (FleetRepo& repo : *repos) {
      auto same = std::find_if(fleet.begin(), fleet.end(), [&](const FleetRepo& r) {
        return r.fullName == repo.fullName;
      });
      if (same != fleet.end())
        return makeError("repository " + repo.fullName + " is listed in " + same->source +
                             " and in " + repo.source,
                         "list each repository in one fleet file");
      fleet.push_back(std::move(repo));
    }
  }
  return fleet;
}

} // namespace godwit
