#pragma once
// Rollback: undoes a campaign on the code host (docs/runner.md). Open pull requests are closed
// with a comment and their unmodified branches deleted; each merged one gets a revert pull request
// (one commit on the current base), or is marked for a person when the revert does not apply.
// A branch someone else committed to is never touched. Running it again changes nothing more.

#include "bot/fleet/Notifier.h"
#include "bot/git/Workspace.h"
#include "bot/github/CodeHost.h"
#include "bot/github/RateLimit.h"
#include "bot/store/Store.h"
#include "rules/Migration.h"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace godwit {

/// The marker of the bot's rollback comment on a pull request it closed.
inline constexpr const char* kRollbackMarker = "<!-- godwit:rollback -->";

/// The branch of the revert pull request of migration `name`.
std::string revertBranchName(const std::string& migrationName);

/// How a rollback runs.
struct RollbackSettings {
  std::filesystem::path cacheDir; ///< Git caches; empty means defaultCacheDir().
  GitIdentity identity;
  bool dryRun = false;  ///< Say what would be done; change and record nothing.
  std::string onlyRepo; ///< `owner/name`: only this repository; empty means the whole campaign.
  std::shared_ptr<Clock> clock = systemClock();
  std::function<void(const std::string&)> progress; ///< One line per repository; may be empty.
  /// Sends `rollback-started` and `rollback-finished`; null for none. A dry run sends none.
  Notifier* notifier = nullptr;
};

/// What was done to one repository.
struct RollbackAction {
  std::string repository;
  std::string state; ///< The RepoState after it (`rolled-back`, `reverting`, `needs-human`, …).
  std::string what;  ///< What was (or would be) done.
  bool closedPullRequest = false; ///< This run closed the bot's open pull request.
  bool openedPullRequest = false; ///< This run opened the revert pull request.
  std::chrono::nanoseconds took{0}; ///< Time spent on the repository.
};

/// Rolls the campaign of `migration` back; an Error means the store or the code host failed (a
/// re-run continues).
Expected<std::vector<RollbackAction>> rollbackCampaign(const Migration& migration, CodeHost& host,
                                                       Store& store,
                                                       const RollbackSettings& settings);

} // namespace godwit
