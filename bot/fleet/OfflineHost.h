#pragma once
// The code host of a dry run that has none: `sweep --dry-run` over a fleet file whose entries
// give their clone URLs (local bare repositories, a mirror) analyzes every repository without
// asking GitHub, and can never write.

#include "bot/fleet/FleetRepo.h"
#include "bot/github/CodeHost.h"

#include <map>
#include <string>
#include <vector>

namespace godwit {

/// Answers from the inventory: a repository is its entry (clone URL, default branch, else the
/// remote's HEAD), no pull request exists, CI is unknown, and every write is refused with an
/// error, so a dry run stays one even if a caller forgets to ask.
class OfflineHost final : public CodeHost {
public:
  /// `inventory`'s entries must each have a `cloneUrl` (see `offlineHostFor`).
  explicit OfflineHost(const std::vector<FleetRepo>& inventory);

  Expected<Repository> repository(const std::string& fullName) override;
  Expected<std::optional<PullRequest>> findPullRequest(const std::string& fullName,
                                                       const std::string& head) override;
  Expected<PullRequest> createPullRequest(const std::string& fullName,
                                          const PullRequestSpec& spec) override;
  Expected<PullRequest> updatePullRequest(const std::string& fullName, int64_t number,
                                          const std::string& title,
                                          const std::string& body) override;
  Expected<void> closePullRequest(const std::string& fullName, int64_t number) override;
  Expected<void> ensureLabels(const std::string& fullName,
                              const std::vector<LabelSpec>& labels) override;
  Expected<void> addLabels(const std::string& fullName, int64_t number,
                           const std::vector<std::string>& names) override;
  Expected<void> requestReviewers(const std::string& fullName, int64_t number,
                                  const std::vector<std::string>& reviewers) override;
  Expected<void> upsertComment(const std::string& fullName, int64_t number,
                               const std::string& marker, const std::string& body) override;
  Expected<void> deleteBranch(const std::string& fullName, const std::string& branch) override;
  Expected<RefStatus> refStatus(const std::string& fullName, const std::string& ref) override;
  /// Empty: the clone URLs are read without credentials.
  Expected<std::string> gitToken() override;

private:
  std::map<std::string, Repository> repos_; ///< By lower-case `owner/name`.
};

/// An OfflineHost for `inventory`, or an error naming the first entry without a clone URL.
Expected<OfflineHost> offlineHostFor(const std::vector<FleetRepo>& inventory);

} // namespace godwit
