#include "bot/fleet/Inventory.h"
#include "rules/Text.h"

#include "bot/fleet/Workers.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>
#include <optional>

namespace godwit {
namespace {

std::vector<FleetRepo> unarchived(const std::vector<Repository>& listed, const std::string& source) {
  std::vector<FleetRepo> out;
  for (const Repository& repo : listed)
    if (!repo.archived)
      out.push_back(fleetRepoFrom(repo, source));
  return out;
}

void fillCodeHostFields(FleetRepo& into, const FleetRepo& from) {
  if (into.id == 0 && from.id != 0) {
    into.id = from.id;
    into.fullName = from.fullName; // the code host's current name
  }
  if (into.cloneUrl.empty())
    into.cloneUrl = from.cloneUrl;
  if (into.defaultBranch.empty())
    into.defaultBranch = from.defaultBranch;
  if (into.htmlUrl.empty())
    into.htmlUrl = from.htmlUrl;
}

} // namespace

FleetRepo fleetRepoFrom(const Repository& repo, const std::string& source) {
  FleetRepo out;
  out.id = repo.id;
  out.fullName = repo.fullName;
  out.source = source;
  out.cloneUrl = repo.cloneUrl;
  out.defaultBranch = repo.defaultBranch;
  out.htmlUrl = repo.htmlUrl;
  return out;
}

Expected<std::vector<FleetRepo>> githubOrgInventory(GitHubClient& client, const std::string& org) {
  Expected<std::vector<Repository>> listed = client.organizationRepositories(org);
  if (!listed)
    return makeError("--github-org " + org + ": " + listed.error().message, listed.error().hint);
  return unarchived(*listed, "--github-org " + org);
}

Expected<std::vector<FleetRepo>> githubInstallationInventory(GitHubClient& client) {
  Expected<std::vector<Repository>> listed = client.installationRepositories();
  if (!listed)
    return makeError("--github-installation: " + listed.error().message, listed.error().hint);
  return unarchived(*listed, "--github-installation");
}

std::vector<Error> resolveOnCodeHost(std::vector<FleetRepo>& repos, CodeHost& host,
                                     unsigned jobs) {
  std::vector<size_t> unknown;
  for (size_t i = 0; i < repos.size(); ++i)
    if (repos[i].id == 0)
      unknown.push_back(i);
  std::vector<std::optional<Error>> errors(unknown.size());
  runOnWorkers(unknown.size(), jobs, [&](size_t k, unsigned) {
    FleetRepo& entry = repos[unknown[k]];
    Expected<Repository> found = host.repository(entry.fullName);
    if (!found) {
      errors[k] = makeError(
          (entry.source.empty() ? "" : entry.source + ": ") + found.error().message,
          found.error().hint);
      return;
    }
    fillCodeHostFields(entry, fleetRepoFrom(*found, entry.source));
    entry.cloneUrl = found->cloneUrl; // the code host's URL wins over a listed one
  });
  std::vector<Error> out;
  for (std::optional<Error>& e : errors)
    if (e)
      out.push_back(std::move(*e));
  return out;
}

std::vector<FleetRepo> mergeInventory(const std::vector<std::vector<FleetRepo>>& sources) {
  std::vector<FleetRepo> out;
  std::map<int64_t, size_t> byId;
  std::map<std::string, size_t> byName;
  for (const std::vector<FleetRepo>& source : sources) {
    for (const FleetRepo& repo : source) {
      std::optional<size_t> at;
      if (repo.id != 0) {
        if (auto it = byId.find(repo.id); it != byId.end())
          at = it->second;
      }
      if (!at) {
        auto it = byName.find(lower(repo.fullName));
        if (it != byName.end() && (repo.id == 0 || out[it->second].id == 0))
          at = it->second;
      }
      if (!at) {
        at = out.size();
        out.push_back(repo);
      } else {
        FleetRepo& kept = out[*at];
        fillCodeHostFields(kept, repo);
        if (kept.owner.empty())
          kept.owner = repo.owner;
        kept.catalogConsumer = kept.catalogConsumer || repo.catalogConsumer;
        for (const std::string& label : repo.labels)
          if (std::find(kept.labels.begin(), kept.labels.end(), label) == kept.labels.end())
            kept.labels.push_back(label);
      }
      FleetRepo& kept = out[*at];
      if (kept.id != 0)
        byId[kept.id] = *at;
      byName.emplace(lower(kept.fullName), *at);
      byName.emplace(lower(repo.fullName), *at);
    }
  }
  return out;
}

} // namespace godwit
