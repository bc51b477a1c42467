#pragma once
// The code host as the bot sees it (GitHub first; GitHub Enterprise Server by base URL).

#include "rules/Expected.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace godwit {

/// A repository on the code host.
struct Repository {
  int64_t id = 0;
  std::string fullName; ///< `owner/name`.
  std::string defaultBranch;
  std::string cloneUrl; ///< As the API returns it (`https://…`, `file://…` in tests).
  std::string htmlUrl;
  bool archived = false;
};

/// A pull request as the code host reports it.
struct PullRequest {
  int64_t number = 0;
  int64_t id = 0;
  std::string state; ///< `open` or `closed`.
  bool merged = false;
  bool draft = false;
  std::string headRef;
  std::string headSha;
  std::string baseRef;
  std::string title;
  std::string body;
  std::string htmlUrl;
};

/// What to open.
struct PullRequestSpec {
  std::string title;
  std::string body;
  std::string head; ///< Branch name in the same repository.
  std::string base;
  bool draft = false;
};

/// A label the bot makes sure exists.
struct LabelSpec {
  std::string name;
  std::string color; ///< Six hex digits, no `#`.
  std::string description;
};

/// The combined commit status and check runs of a ref.
struct RefStatus {
  std::string state; ///< `success`, `pending`, `failure` or `error` (combined).
  int checksTotal = 0;
  int checksFailed = 0;
  int checksPending = 0;
};

/// The operations the bot performs on a code host. Implementations retry transient failures and
/// respect rate limits themselves; an Error means the operation did not happen.
class CodeHost {
public:
  virtual ~CodeHost() = default;

  /// The repository `owner/name`; "no access" errors are not retried.
  virtual Expected<Repository> repository(const std::string& fullName) = 0;
  /// The newest pull request whose head is `head` (any state), if any.
  virtual Expected<std::optional<PullRequest>> findPullRequest(const std::string& fullName,
                                                               const std::string& head) = 0;
  /// Opens a pull request; an existing open one for the same head is adopted and returned.
  virtual Expected<PullRequest> createPullRequest(const std::string& fullName,
                                                  const PullRequestSpec& spec) = 0;
  /// Replaces the title and body.
  virtual Expected<PullRequest> updatePullRequest(const std::string& fullName, int64_t number,
                                                  const std::string& title,
                                                  const std::string& body) = 0;
  /// Closes without merging.
  virtual Expected<void> closePullRequest(const std::string& fullName, int64_t number) = 0;
  /// Creates the labels that do not exist yet.
  virtual Expected<void> ensureLabels(const std::string& fullName,
                                      const std::vector<LabelSpec>& labels) = 0;
  /// Adds labels to a pull request.
  virtual Expected<void> addLabels(const std::string& fullName, int64_t number,
                                   const std::vector<std::string>& names) = 0;
  /// Requests reviews from users (`login`) and teams (`org/team`).
  virtual Expected<void> requestReviewers(const std::string& fullName, int64_t number,
                                          const std::vector<std::string>& reviewers) = 0;
  /// Creates or updates the one bot comment that contains `marker` (an HTML comment).
  virtual Expected<void> upsertComment(const std::string& fullName, int64_t number,
                                       const std::string& marker, const std::string& body) = 0;
  /// Deletes a branch of the repository.
  virtual Expected<void> deleteBranch(const std::string& fullName, const std::string& branch) = 0;
  /// The combined status and check runs of `ref`.
  virtual Expected<RefStatus> refStatus(const std::string& fullName, const std::string& ref) = 0;
  /// A token git may use to push (`x-access-token`); never logged.
  virtual Expected<std::string> gitToken() = 0;
};

} // namespace godwit
