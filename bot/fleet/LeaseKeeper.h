#pragma once
// The heartbeat of a runner's claims on the work queue: a thread of its own, on a connection of
// its own, renews the lease of every claim the runner holds, so that a long clone or analysis
// does not lose its repository to another runner.

#include "bot/store/WorkQueue.h"

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace godwit {

/// Renews the leases of the claims it tracks. A claim the queue refuses to renew (reclaimed, or
/// taken over) or that went a whole lease without a renewal (the database unreachable) is lost
/// for good: holds() says so, and the runner drops its result.
class LeaseKeeper {
public:
  /// Renews on `store` (a connection only the keeper uses) as `runner` with leases of `lease`,
  /// every `every` once start() is called.
  LeaseKeeper(std::unique_ptr<PostgresStore> store, std::string runner, std::chrono::seconds lease,
              std::chrono::milliseconds every);
  /// Stops the thread.
  ~LeaseKeeper();
  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;

  /// Starts the heartbeat thread (once).
  void start();
  /// Stops it and waits for it; the claims it holds are no longer renewed.
  void stop();

  /// Renews `claim` from now on; it was renewed just now (claimed).
  void track(const WorkClaim& claim);
  /// Stops renewing `claim` (finished or given back).
  void release(const WorkClaim& claim);
  /// Whether `claim` is tracked and not lost.
  bool holds(const WorkClaim& claim) const;

  /// One round of renewals now, on the caller's thread (for a keeper whose thread is not
  /// started); returns how many claims were lost in it.
  size_t renewNow();
  /// Rounds done so far, by the thread or renewNow().
  size_t rounds() const;

private:
  struct Held {
    WorkClaim claim;
    std::chrono::steady_clock::time_point renewed;
    bool lost = false;
  };
  void loop();

  std::unique_ptr<PostgresStore> store_;
  WorkQueue queue_;
  std::chrono::seconds lease_;
  std::chrono::milliseconds every_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::map<int64_t, Held> held_; ///< By job id.
  size_t rounds_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

} // namespace godwit
