#include "cli/runner/CampaignInventory.h"

#include "rules/Text.h"

#include "bot/fleet/FleetFile.h"
#include "bot/fleet/Inventory.h"
#include "cli/runner/BackstageSource.h"

#include <cstdlib>
#include <iostream>

namespace godwit {

namespace {

/// The gap between two content-creating requests: GitHub's guidance of a second, or
/// `GODWIT_RUNNER_WRITE_SPACING_MS` for tests against a server on loopback.
Expected<Millis> writeSpacing() {
  const char* given = std::getenv("GODWIT_RUNNER_WRITE_SPACING_MS");
  if (!given || !*given)
    return RetryPolicy{}.writeSpacing;
  char* end = nullptr;
  const long ms = std::strtol(given, &end, 10);
  if (*end != '\0' || ms < 0)
    return makeError("GODWIT_RUNNER_WRITE_SPACING_MS: not a number of milliseconds",
                     "unset it (a second between writes), or give e.g. 0 for a test server");
  return Millis(ms);
}

} // namespace

Expected<std::unique_ptr<GitHubClient>> makeRunnerClient(const CodeHostFlags& host,
                                                         const ClientObserver& observer) {
  auto config = resolveCodeHostConfig(host);
  if (!config)
    return config.error();
  auto spacing = writeSpacing();
  if (!spacing)
    return spacing.error();
  GitHubClientOptions options;
  options.log = [](const std::string& line) { std::cerr << "godwit-runner: " << line << "\n"; };
  options.retry.writeSpacing = *spacing;
  options.observer = observer;
  return GitHubClient::create(*config, options);
}

Expected<std::vector<FleetRepo>>
loadCampaignInventory(const InventoryFlags& flags, const CodeHostFlags& host,
                      const Migration& migration, std::unique_ptr<GitHubClient>& client,
                      const ClientObserver& observer) {
  // Sources in the order their entries win a merge: those that say who owns a repository
  // (fleet files, then the Backstage catalog) before the code host's bare listings.
  std::vector<std::vector<FleetRepo>> sources;
  for (const std::string& file : flags.fleetFiles) {
    auto repos = loadFleetFile(file);
    if (!repos)
      return repos.error();
    for (const FleetRepo& repo : *repos)
      for (const std::vector<FleetRepo>& earlier : sources)
        for (const FleetRepo& r : earlier)
          if (lower(r.fullName) == lower(repo.fullName))
            return makeError("repository " + repo.fullName + " is listed in " + r.source +
                                 " and in " + repo.source,
                             "list each repository in one fleet file");
    sources.push_back(std::move(*repos));
  }

  if (!flags.backstageUrl.empty() || !flags.backstageTokenFile.empty()) {
    auto repos = loadBackstageSource(flags, host, migration, std::cerr);
    if (!repos)
      return repos.error();
    sources.push_back(std::move(*repos));
  }

  if (!flags.githubOrg.empty() || flags.githubInstallation) {
    auto made = makeRunnerClient(host, observer);
    if (!made)
      return made.error();
    client = std::move(*made);
    // Entries listed by name are looked up, so that a renamed repository is one entry.
    for (std::vector<FleetRepo>& listed : sources)
      for (const Error& e : resolveOnCodeHost(listed, *client))
        std::cerr << "godwit-runner: warning: " << e.message << "\n";
    if (!flags.githubOrg.empty()) {
      auto org = githubOrgInventory(*client, flags.githubOrg);
      if (!org)
        return org.error();
      sources.push_back(std::move(*org));
    }
    if (flags.githubInstallation) {
      auto installation = githubInstallationInventory(*client);
      if (!installation)
        return installation.error();
      sources.push_back(std::move(*installation));
    }
  }
  std::vector<FleetRepo> fleet = mergeInventory(sources);
  if (fleet.empty())
    return makeError("the inventory is empty",
                     "give fleet files, --github-org ORG, --github-installation or "
                     "--backstage-url");
  return fleet;
}

} // namespace godwit
