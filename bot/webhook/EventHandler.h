#pragma once
// What the App does with one delivery (docs/app.md): it records in the Store what the event says
// about the bot's own pull requests and repositories (merged, closed, human-edited, renamed), and
// hands the work that needs the code host or a checkout (lifecycle runs, command replies, scans)
// to a callback the App supplies. Events on anything but the bot's pull requests and the
// repositories it knows are ignored.

#include "bot/store/Store.h"
#include "bot/webhook/Command.h"
#include "bot/webhook/WebhookEvent.h"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace godwit {

/// One piece of work for the App, about the bot's pull request of `migration` in `repository`
/// (Scan and Remove: about `repositories`).
struct EventWork {
  enum class Kind {
    Run,     ///< A push to the default branch: run the lifecycle (regenerate, or close).
    Command, ///< A `/godwit` command on the pull request; rebase and retry run the lifecycle.
    Ci,      ///< CI finished on the pull request's head: refresh its state for the wave gate.
    Scan,    ///< Repositories newly installed: scan them for the active migrations.
    Remove,  ///< Repositories no longer installed: out of scope, and reported so.
    Settled, ///< The pull request was merged, closed or reopened: the campaign's row follows.
    Registry, ///< A push to the registry repository's default branch: reload the migrations.
  };
  Kind kind = Kind::Run;
  std::string migration;
  RepositoryRecord repository;
  int64_t pullRequest = 0;             ///< Its number; 0 for Run without one, Scan and Remove.
  std::optional<Command> command;      ///< For Command.
  std::string headSha;                 ///< For Ci: the commit CI ran on; for Registry: the tip.
  std::vector<Repository> repositories; ///< For Scan and Remove.
};

/// Carries out one piece of work; an Error makes the delivery retried later.
using PerformWork = std::function<Expected<void>(const EventWork&)>;

/// How the handler tells the bot's doings from other people's, and how deliveries are retried.
struct HandlerOptions {
  std::string botLogin;      ///< The App's user, e.g. `godwit[bot]`: its pushes are its own.
  /// `owner/name` of the repository whose default branch holds the migration files; empty for
  /// none.
  std::string registryRepository;
  int maxAttempts = 6;       ///< Claims of a delivery before it fails for good.
  std::chrono::seconds firstRetry{30}; ///< The delay after the first failure, doubled after each.
  std::chrono::seconds maxRetry{3600}; ///< The longest delay.
};

/// What handling one event did.
struct HandledEvent {
  DeliveryOutcome outcome = DeliveryOutcome::Done; ///< Done, or Ignored when nothing applied.
  std::vector<std::string> notes; ///< What was recorded or handed on, or why it was ignored.
};

/// Records what `event` says in `store` and calls `perform` for each piece of work, in order.
/// An Error (the store's or perform's) leaves what was recorded, which a retry records again.
Expected<HandledEvent> handleEvent(Store& store, const WebhookEvent& event,
                                   const HandlerOptions& options, const PerformWork& perform);

/// The delay before the retry that follows attempt `attempts` (1-based): `firstRetry` doubled
/// per attempt, at most `maxRetry`.
std::chrono::seconds retryDelay(int attempts, const HandlerOptions& options);

/// Reads and handles `claimed` (a delivery claimDelivery returned) and finishes it: done or
/// ignored; failed when its payload cannot be read or after `maxAttempts`; else queued again
/// after retryDelay(). Returns the outcome; an Error only when the store cannot record it.
Expected<DeliveryOutcome> processDelivery(Store& store, const DeliveryRecord& claimed,
                                          const HandlerOptions& options,
                                          const PerformWork& perform,
                                          std::chrono::system_clock::time_point now);

} // namespace godwit
