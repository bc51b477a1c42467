#pragma once
// The work queue of runners that share a campaign (PostgreSQL only, table `work_jobs`), after the
// PostgreSQL job queues people run in production (River, Oban, Solid Queue): a runner claims
// queued repositories with `FOR UPDATE SKIP LOCKED`, holds each under a lease it renews, and can
// finish a job only while its claim's version is the job's (fencing). Expired leases are requeued
// by one runner at a time; a repository whose lease expired too often fails instead of looping.

#include "bot/store/PostgresStore.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace godwit {

/// One claimed job: what a runner holds until its lease ends.
struct WorkClaim {
  int64_t job = 0;
  std::string campaign;
  std::string fullName;
  int64_t version = 0; ///< The fencing token: raised by every claim of the job.
};

/// What reclaimExpired() did.
struct Reclaimed {
  int64_t requeued = 0; ///< Jobs queued again.
  int64_t failed = 0;   ///< Jobs whose leases expired `maxResets` times.
};

/// How a job ends, written in one transaction with the job's state and only while its claim
/// holds: the repository's row of the campaign and the events that record the step.
struct JobResult {
  bool ok = true;    ///< `done`; false for `failed`.
  std::string error; ///< Why it failed.
  std::optional<CampaignRepoRecord> repo;
  std::vector<EventRecord> events;
};

/// A running job's claim as `godwit-runner status` shows it.
struct LeaseInfo {
  std::string runner; ///< `locked_by`.
  std::string fullName;
  int64_t version = 0;
  double sinceRenewal = 0; ///< Seconds since the claim was taken or last renewed.
  double left = 0;         ///< Seconds until the lease ends; negative once it has.
};

/// A runner's view of the queue, on a PostgresStore's connection (one per thread).
class WorkQueue {
public:
  /// The advisory lock key of the reclaiming leader.
  static constexpr int64_t kReclaimLock = 0x676f64776974 + 1;

  /// `runner` names this runner in `locked_by` (e.g. `host:pid` or the Job's completion index);
  /// `lease` is how long a claim lasts without renewal.
  WorkQueue(PostgresStore& store, std::string runner,
            std::chrono::seconds lease = std::chrono::seconds(90));

  /// Queues each of `fullNames` of `campaign` in that order, unless it has an active (queued or
  /// running) job already; returns how many were queued.
  Expected<int64_t> enqueue(const std::string& campaign, const std::vector<std::string>& fullNames);

  /// Claims up to `limit` queued jobs of `campaign` in the order they were queued, skipping rows
  /// other runners are claiming at this moment; each claim starts a lease and raises the job's
  /// version.
  Expected<std::vector<WorkClaim>> claim(const std::string& campaign, int limit);

  /// Extends the lease of `claim`; false when the claim no longer holds (reclaimed, or taken by
  /// another runner), so its work must be dropped.
  Expected<bool> renew(const WorkClaim& claim);

  /// Ends the job of `claim` as done, or failed with `error`, only if the claim still holds;
  /// false (and nothing written) when it does not.
  Expected<bool> finish(const WorkClaim& claim, bool ok, const std::string& error = {});

  /// Like finish(claim, result.ok, result.error), and in the same transaction writes
  /// `result.repo` and `result.events`; false (and nothing written) when the claim no longer
  /// holds. The job's row stays locked until the end, so no reclaim comes between.
  Expected<bool> complete(const WorkClaim& claim, const JobResult& result);

  /// Gives `claim` back unworked (queued again, its resets unchanged), if it still holds.
  Expected<bool> release(const WorkClaim& claim);

  /// How many jobs of `campaign` are queued or running.
  Expected<int64_t> activeJobs(const std::string& campaign);

  /// The running jobs of `campaign`, by runner and then in queue order.
  Expected<std::vector<LeaseInfo>> leases(const std::string& campaign);

  /// Runs `f` holding the session advisory lock named `key` (e.g. `budget <campaign>`: taken
  /// from counting the publishing budget until its use is marked, so that N runners never open
  /// more than the limits allow together). `f`'s error is returned after the lock is given back.
  Expected<void> withLock(const std::string& key, const std::function<Expected<void>()>& f);

  /// The runner's name.
  const std::string& runner() const { return runner_; }

  /// Requeues running jobs whose lease has ended, or fails those that have been reset
  /// `maxResets` times. nullopt when another runner is doing it now (pg_try_advisory_xact_lock).
  Expected<std::optional<Reclaimed>> reclaimExpired(int maxResets);

private:
  PostgresStore& store_;
  std::string runner_;
  std::chrono::seconds lease_;
};

} // namespace godwit
