#include "cli/runner/CampaignInventory.h"

#include "bot/fleet/FleetFile.h"
#include "cli/runner/BackstageSource.h"

#include <algorithm>
#include <iostream>

namespace godwit {

Expected<std::vector<FleetRepo>> loadCampaignInventory(const InventoryFlags& flags,
                                                       const CodeHostFlags& host,
                                                       const Migration& migration,
                                                       std::unique_ptr<GitHubClient>&) {
  if (!flags.githubOrg.empty() || flags.githubInstallation)
    return makeError("this build reads fleet files and Backstage catalogs only",
                     "the --github-org and --github-installation sources are being added "
                     "(docs/runner.md); list the repositories in a fleet file");
  const bool backstage = !flags.backstageUrl.empty() || !flags.backstageTokenFile.empty();
  if (flags.fleetFiles.empty() && !backstage)
    return makeError("no inventory: name a fleet file or --backstage-url",
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
  if (backstage) {
    auto repos = loadBackstageSource(flags, host, migration, std::cerr);
    if (!repos)
      return repos.error();
    // A repository in a fleet file keeps its entry there; the catalog only adds its mark.
    for (FleetRepo& repo : *repos) {
      auto same = std::find_if(fleet.begin(), fleet.end(), [&](const FleetRepo& r) {
        return r.fullName == repo.fullName;
      });
      if (same != fleet.end())
        same->catalogConsumer = same->catalogConsumer || repo.catalogConsumer;
      else
        fleet.push_back(std::move(repo));
    }
  }
  return fleet;
}

} // namespace godwit
