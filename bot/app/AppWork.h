#pragma once
// What the App does for each piece of work an event hands on (docs/app.md, "Events"): a push
// runs the lifecycle without rebasing a change that still applies; a command runs it, skips the
// repository or answers on the pull request; CI, merges and closes update the campaign's row;
// installed and removed repositories join or leave the active campaigns; a push to the registry
// reloads the migrations. The event work never opens a pull request: the campaign's waves do,
// under their limits (bot/app/CampaignDriver.h, or the runner's sweep).

#include "bot/Lifecycle.h"
#include "bot/github/CodeHost.h"
#include "bot/github/RateLimit.h"
#include "bot/store/Store.h"
#include "bot/webhook/EventHandler.h"
#include "rules/Migration.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace godwit {

/// A migration the App acts on, with the digest of its text (its campaign's key to a re-analysis).
struct ActiveMigration {
  Migration migration;
  std::string digest;
};

/// What the work needs besides the store.
struct AppWorkOptions {
  /// The active migrations (the registry's current snapshot).
  std::function<std::vector<ActiveMigration>()> migrations;
  /// The code host acting for installation `installationId` (0 when the delivery named none).
  std::function<Expected<std::shared_ptr<CodeHost>>(int64_t installationId)> host;
  /// Caches, identity and engine options of every lifecycle run; `rebase`, `mayOpen`,
  /// `retryFailed` and `dryRun` are set per piece of work.
  LifecycleOptions lifecycle;
  /// Reloads the migrations from the registry repository at commit `sha`, read through `host`;
  /// may be empty (the work is then noted and dropped).
  std::function<Expected<void>(CodeHost& host, const RepositoryRecord& registry,
                               const std::string& sha)>
      reloadRegistry;
  std::shared_ptr<Clock> clock = systemClock(); ///< The time of campaign events.
  std::function<void(const std::string&)> log;  ///< One line per piece of work done; may be empty.
};

/// Carries out `work`, handed on by an event of installation `installationId`. An Error (the code
/// host's, a lifecycle run that stopped, the store's) makes the delivery retried.
Expected<void> performWork(Store& store, const EventWork& work, int64_t installationId,
                           const AppWorkOptions& options);

/// The marker of the App's reply to `/godwit <command>` on a pull request: a later reply to the
/// same command replaces it, so a repeated command leaves one reply.
std::string commandReplyMarker(Command command);

} // namespace godwit
