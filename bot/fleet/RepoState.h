#pragma once
// The state of one repository in a campaign, as `status` and the report show it.

#include "bot/store/Store.h"

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace godwit {

/// Where a repository of a campaign is. Final states end the sweep's work on the repository
/// (a later sweep still reconciles open pull requests and picks up new changes).
enum class RepoState {
  Pending,     ///< Its wave has not started.
  Scheduled,   ///< Its wave started; it waits for budget (rate, open PRs, owner, window).
  Running,     ///< Being cloned, analyzed or published right now (or when a run stopped).
  Retrying,    ///< The last attempt failed; it is tried again.
  NoChanges,   ///< Final: nothing to rewrite and nothing needing attention.
  Attention,   ///< Final: no rewrite, but references a person must look at.
  OptedOut,    ///< Final: the repository's .godwit.yaml opts out; never touched.
  InvalidConfig, ///< Final: its .godwit.yaml is invalid; not touched, read again by each sweep.
  Skipped,     ///< Final: archived, or not accessible.
  Open,        ///< Final for the sweep: the bot's pull request is open.
  HumanEdited, ///< Final: someone else committed to the bot's branch; the bot stays away.
  Merged,      ///< Final: the pull request was merged.
  Closed,      ///< Final: closed unmerged by a person (never re-created), or by the bot.
  Failed,      ///< Final: failed too often; retried only by hand.
  RolledBack,  ///< Final: rollback closed the open pull request (and deleted its branch).
  Reverting,   ///< Final: rollback opened a pull request that reverts the merged change.
  NeedsHuman,  ///< Final: rollback could not revert the merged change cleanly.
};

/// Lower-case spellings as stored and printed (`pending`, `human-edited`, `needs-human`, …).
std::string_view toString(RepoState state);

/// Parses the spellings of toString; nullopt when unknown.
std::optional<RepoState> parseRepoState(std::string_view text);

/// Whether the sweep is done with a repository in `state`.
bool isFinal(RepoState state);

/// How many repositories of `campaign` are in each state (by its spelling), as the store has them.
Expected<std::map<std::string, size_t>> campaignStateTotals(Store& store,
                                                           const std::string& campaign);

} // namespace godwit
