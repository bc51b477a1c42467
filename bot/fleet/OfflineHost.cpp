#include "bot/fleet/OfflineHost.h"

#include "bot/git/Workspace.h"
#include "rules/Text.h"

namespace godwit {
namespace {

Error refused(const std::string& what, const std::string& fullName) {
  return makeError("no code host: cannot " + what + " in " + fullName + " in a dry run without one",
                   "give --api-url and a token (or the App flags) to run the campaign for real");
}

} // namespace

OfflineHost::OfflineHost(const std::vector<FleetRepo>& inventory) {
  for (const FleetRepo& r : inventory)
    repos_[lower(r.fullName)] = {r.id, r.fullName, r.defaultBranch, r.cloneUrl, r.htmlUrl, false};
}

Expected<Repository> OfflineHost::repository(const std::string& fullName) {
  auto it = repos_.find(lower(fullName));
  if (it == repos_.end())
    return makeError("no code host, and " + fullName + " is not in the fleet file",
                     "list it with its cloneUrl");
  Repository& repo = it->second;
  if (repo.defaultBranch.empty()) {
    Expected<std::string> head = remoteDefaultBranch(repo.cloneUrl, {});
    if (!head)
      return head.error();
    if (head->empty())
      return makeError(repo.cloneUrl + " names no default branch",
                       "give the repository's defaultBranch in the fleet file");
    repo.defaultBranch = *head;
  }
  return repo;
}

Expected<std::optional<PullRequest>> OfflineHost::findPullRequest(const std::string&,
                                                                  const std::string&) {
  return std::optional<PullRequest>();
}

Expected<PullRequest> OfflineHost::createPullRequest(const std::string& fullName,
                                                     const PullRequestSpec&) {
  return refused("open a pull request", fullName);
}

Expected<PullRequest> OfflineHost::updatePullRequest(const std::string& fullName, int64_t,
                                                     const std::string&, const std::string&) {
  return refused("update a pull request", fullName);
}

Expected<void> OfflineHost::closePullRequest(const std::string& fullName, int64_t) {
  return refused("close a pull request", fullName);
}

Expected<void> OfflineHost::ensureLabels(const std::string& fullName,
                                         const std::vector<LabelSpec>&) {
  return refused("create labels", fullName);
}

Expected<void> OfflineHost::addLabels(const std::string& fullName, int64_t,
                                      const std::vector<std::string>&) {
  return refused("label a pull request", fullName);
}

Expected<void> OfflineHost::requestReviewers(const std::string& fullName, int64_t,
                                             const std::vector<std::string>&) {
  return refused("request reviewers", fullName);
}

Expected<void> OfflineHost::upsertComment(const std::string& fullName, int64_t, const std::string&,
                                          const std::string&) {
  return refused("comment", fullName);
}

Expected<void> OfflineHost::deleteBranch(const std::string& fullName, const std::string&) {
  return refused("delete a branch", fullName);
}

Expected<RefStatus> OfflineHost::refStatus(const std::string& fullName, const std::string&) {
  return refused("read CI results", fullName);
}

Expected<std::string> OfflineHost::gitToken() {
  return std::string();
}

Expected<OfflineHost> offlineHostFor(const std::vector<FleetRepo>& inventory) {
  for (const FleetRepo& r : inventory)
    if (r.cloneUrl.empty())
      return makeError("no code host to look up " + r.fullName + " (" + r.source + ")",
                       "give every fleet entry a cloneUrl, or give --api-url and a token");
  return OfflineHost(inventory);
}

} // namespace godwit
