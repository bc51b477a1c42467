#pragma once
// The work queue of runners that share a campaign (PostgreSQL only, table `work_jobs`), after the
// PostgreSQL job queues people run in production (River, Oban, Solid Queue): a runner claims
// queued repositories with `FOR UPDATE SKIP LOCKED`, holds each under a lease it renews, and can
// finish a job only while its claim's version is the job's (fencing). Expired leases are requeued
// by one runner at a time; a repository whose lease expired too often fails instead of looping.

#include "bot/store/PostgresStore.h"

#include <chrono>
#include <cstdint>
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

  /// Requeues running jobs whose lease has ended, or fails those that have been reset
  /// `maxResets` times. nullopt when another runner is doing it now (pg_try_advisory_xact_lock).
  Expected<std::optional<Reclaimed>> reclaimExpired(int maxResets);

private:
  PostgresStore& store_;
  std::string runner_;
  std::chrono::seconds lease_;
};

} // namespace godwit
