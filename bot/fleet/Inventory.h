#pragma once
// The fleet's inventory from its sources: the repositories a GitHub organization or App
// installation lists, looked up on the code host, and merged so that every repository is one
// entry however many sources list it (keyed by the code host's numeric id once it was asked, so a
// fleet file's old name and the organization's new one are the same repository).

#include "bot/fleet/FleetRepo.h"
#include "bot/github/GitHubClient.h"
#include "rules/Expected.h"

#include <string>
#include <vector>

namespace godwit {

/// A code-host repository as a fleet entry (id, name, clone URL, default branch), listed by
/// `source`.
FleetRepo fleetRepoFrom(const Repository& repo, const std::string& source);

/// Every non-archived repository of GitHub organization `org` (`GET /orgs/{org}/repos`).
Expected<std::vector<FleetRepo>> githubOrgInventory(GitHubClient& client, const std::string& org);

/// Every non-archived repository the App installation can access
/// (`GET /installation/repositories`; the client must authenticate as the App).
Expected<std::vector<FleetRepo>> githubInstallationInventory(GitHubClient& client);

/// Looks up every entry without an id on `host` (in parallel, `jobs` at once) and fills its id,
/// its current name (after a rename), clone URL, default branch and web URL. An entry the host
/// cannot see keeps what it had; its error is returned, prefixed with the entry's source, so
/// that the caller can report it while the others go on.
std::vector<Error> resolveOnCodeHost(std::vector<FleetRepo>& repos, CodeHost& host,
                                     unsigned jobs = 4);

/// One entry per repository, in the order first listed. Entries are the same repository when
/// their ids are equal, or when one has no id and their names are equal (case-insensitive). The
/// first listing keeps its owner, tier, labels and source; later ones fill what it lacks (owner,
/// the code host's fields), and labels are joined.
std::vector<FleetRepo> mergeInventory(const std::vector<std::vector<FleetRepo>>& sources);

} // namespace godwit
