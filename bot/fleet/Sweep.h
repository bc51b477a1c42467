#pragma once
// The sweep: runs a campaign as far as its waves, gates and limits allow. Per repository it runs
// the bot's Lifecycle (clones and analyses in parallel; the code-host client serializes writes),
// recording every step in the store before and after, so a sweep killed at any point continues
// where it stopped and never opens a second pull request.

#include "bot/Lifecycle.h"
#include "bot/fleet/FleetRepo.h"
#include "bot/fleet/Notifier.h"
#include "bot/github/CodeHost.h"
#include "bot/github/RateLimit.h"
#include "bot/store/Store.h"
#include "rules/Migration.h"

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace godwit {

/// One repository finished a step of the sweep.
struct SweepProgress {
  std::string repository;
  std::string state; ///< The RepoState it is in now.
  std::string note;  ///< Why (budget, error, outcome).
  int wave = 0;
  size_t done = 0;  ///< Repositories of the current run handled so far.
  size_t total = 0; ///< Repositories the current run takes up.
  /// What the lifecycle did (in a dry run: would do); empty when it did not run (budget,
  /// unchanged since the last analysis, an error).
  std::optional<LifecycleOutcome> outcome;
  std::chrono::nanoseconds took{0}; ///< Time spent on the repository in this step.
};

/// How runners share a campaign whose store is PostgreSQL: through the work queue, with leases
/// a heartbeat renews (docs/runner.md, "Many runners, one campaign").
struct SharingSettings {
  std::string runner; ///< In `locked_by` and the events; empty: defaultRunnerId().
  std::chrono::seconds lease{90};              ///< How long a claim lasts unrenewed.
  std::chrono::milliseconds renewEvery{30000}; ///< The heartbeat's period.
  int batch = 2;                               ///< Claims a worker takes at once.
  int maxResets = 3; ///< Expired leases before a repository's job fails.
  std::chrono::milliseconds poll{1000}; ///< The wait while other runners hold a wave's last jobs.
};

/// How a sweep runs.
struct SweepSettings {
  /// Cache, identity, engine options, dry run. Its `mayOpen`, when set, is asked before the
  /// sweep's own check of the claim and the limits.
  LifecycleOptions lifecycle;
  unsigned jobs = 1;                            ///< Repositories cloned and analyzed at once.
  std::shared_ptr<Clock> clock = systemClock(); ///< Campaign time: limits, windows, gates.
  std::string migrationDigest;                  ///< migrationDigest() of the migration's text.
  int maxFailures = 3; ///< Failed attempts in a row before a repository is `failed`.
  /// Opens a connection to the store; called once per worker thread (and once for the sweep).
  std::function<Expected<std::unique_ptr<Store>>()> openStore;
  std::function<void(const SweepProgress&)> progress; ///< May be empty.
  /// Sends the campaign's notices (a wave started, a gate paused, the campaign finished); null
  /// for none. A dry run sends none.
  Notifier* notifier = nullptr;
  /// Called on the sweep's thread after each wave's repositories were taken up, with every
  /// repository of the campaign by state at that point. May be empty.
  std::function<void(int wave, const std::map<std::string, size_t>& totals)> waveDone;
  SharingSettings sharing; ///< Used when openStore gives a PostgresStore.
};

/// How a sweep ended.
struct SweepSummary {
  std::string campaignState;  ///< `running`, `paused` or `done`.
  std::string stoppedBecause; ///< Why it stopped before the end (budget, CI, pause); may be empty.
  int currentWave = 0;        ///< The wave it worked on last (1-based).
  int waves = 0;
  size_t processed = 0;                 ///< Repositories taken up by this run.
  size_t analyzed = 0;                  ///< Of those, analyzed (the others were unchanged since).
  std::chrono::nanoseconds gitTime{0};  ///< Summed over workers: fetches, checkouts, listings.
  std::chrono::nanoseconds analysisTime{0}; ///< Summed over workers: the engine.
  std::map<std::string, size_t> totals; ///< Repositories by state after the run.
  bool shared = false;   ///< The store was PostgreSQL: the work was shared through its queue.
  size_t lostClaims = 0; ///< Claims lost to another runner mid-step; their results were dropped.
};

/// Runs the campaign of `migration` over `inventory` (the plan is made on the first sweep and
/// kept). With a PostgreSQL store any number of sweeps may run at once: they share each wave's
/// repositories through the work queue, and the limits hold for all of them together. A dry run analyzes every wave, ignores gates and limits, and changes nothing on the
/// code host; it records what would happen as a dry-run campaign.
Expected<SweepSummary> sweepCampaign(const Migration& migration,
                                     const std::vector<FleetRepo>& inventory, CodeHost& host,
                                     const SweepSettings& settings);

} // namespace godwit
