#pragma once
// What a lifecycle run means for a repository's row in its campaign: read the same way by the
// runner's sweep and by the App's event work.

#include "bot/Lifecycle.h"
#include "bot/fleet/RepoState.h"
#include "bot/store/Store.h"

#include <string>

namespace godwit {

/// The repository state a lifecycle run ends in (a deferred opening waits as `scheduled`).
RepoState repoStateAfter(const LifecycleResult& result);

/// Records `result` in `row`: its state, failures reset, the note (the outcome, or the first
/// warning), the pull request, the bot branch tip, the counts and attention items, and the base
/// and migration `digest` that were analyzed.
void applyLifecycleResult(CampaignRepoRecord& row, const LifecycleResult& result,
                          const std::string& digest);

} // namespace godwit
