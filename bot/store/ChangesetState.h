#pragma once
// The state of a bot pull request, after Sourcegraph's changeset model: what the bot did
// (publication), how its last attempt went (reconcile) and what the code host says (external)
// are kept apart; the state shown to people is derived from the three.

#include "bot/github/CodeHost.h"

#include <optional>
#include <string_view>

namespace godwit {

/// Whether the bot has opened the pull request, and as a draft or not.
enum class PublicationState { Unpublished, Published, Draft };

/// The bot's work on the pull request: waiting, running, failed and to be retried, failed for good
/// (until retried by hand), or done.
enum class ReconcileState { Queued, Processing, Errored, Failed, Completed };

/// The pull request on the code host.
enum class ExternalState { Open, Closed, Merged, Draft, Deleted };

/// What people see.
enum class DisplayState { Unpublished, Processing, Open, Draft, Merged, Closed, Failed, Retrying };

/// Lower-case spellings as stored and printed (e.g. `unpublished`, `errored`, `retrying`).
std::string_view toString(PublicationState state);
std::string_view toString(ReconcileState state);
std::string_view toString(ExternalState state);
std::string_view toString(DisplayState state);

/// Parses the spellings of toString; nullopt when unknown.
std::optional<PublicationState> parsePublicationState(std::string_view text);
std::optional<ReconcileState> parseReconcileState(std::string_view text);
std::optional<ExternalState> parseExternalState(std::string_view text);

/// The displayed state: errored → retrying, failed → failed, queued/processing → processing;
/// once completed, unpublished → unpublished, else the code host's state (deleted shows as
/// closed; unknown shows as processing).
DisplayState displayState(PublicationState publication, ReconcileState reconcile,
                          std::optional<ExternalState> external);

/// The code host's state of `pr`: merged, closed, draft or open.
ExternalState externalStateOf(const PullRequest& pr);

/// The reconcile state after a transient failure, given the failures so far (including this one):
/// errored (to be retried) below `maxFailures`, then failed.
ReconcileState afterFailure(int numFailures, int maxFailures);

} // namespace godwit
