#pragma once
// The heartbeat of the App's delivery claims (docs/app.md, "The delivery queue"): a thread of its
// own, on a store connection of its own, renews the lease of every delivery the workers are
// processing, so that a lifecycle run longer than `--lease` is not queued again (and processed
// a second time) by another instance starting meanwhile.

#include "bot/store/Store.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace godwit {

/// Renews the leases of the claims it tracks. A claim the store refuses to renew (requeued, and
/// perhaps claimed again; or finished just before its release) is lost: it is no longer renewed
/// and holds() says so; its finishDelivery changes nothing (fenced), which its worker logs. A
/// store error is logged and the claim is renewed again on the next round.
class DeliveryLeases {
public:
  /// Renews on `store` (a connection only the heartbeat uses) to `lease` from the time of each
  /// renewal, every `every` once start() is called; `log` (store errors) may be empty.
  DeliveryLeases(std::unique_ptr<Store> store, std::chrono::seconds lease,
                 std::chrono::milliseconds every, std::function<void(const std::string&)> log);
  /// Stops the thread.
  ~DeliveryLeases();
  DeliveryLeases(const DeliveryLeases&) = delete;
  DeliveryLeases& operator=(const DeliveryLeases&) = delete;

  /// Starts the heartbeat thread (once).
  void start();
  /// Stops it and waits for it; the claims tracked are no longer renewed.
  void stop();

  /// Renews `claimed` (as claimDelivery returned it) from now on.
  void track(const DeliveryRecord& claimed);
  /// Stops renewing `claimed` (it is being finished).
  void release(const DeliveryRecord& claimed);
  /// Whether `claimed` is tracked and not lost.
  bool holds(const DeliveryRecord& claimed) const;

  /// One round of renewals now, on the caller's thread; returns how many claims were lost in it.
  size_t renewNow();
  /// Rounds done so far, by the thread or renewNow().
  size_t rounds() const;

private:
  struct Held {
    DeliveryRecord claim;
    bool lost = false;
  };
  static bool same(const DeliveryRecord& a, const DeliveryRecord& b);
  void loop();
  void log(const std::string& line) const;

  std::unique_ptr<Store> store_;
  std::chrono::seconds lease_;
  std::chrono::milliseconds every_;
  std::function<void(const std::string&)> log_;
  std::mutex renewing_; ///< One round at a time on the one connection.
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::map<int64_t, Held> held_; ///< By the delivery's row id.
  size_t rounds_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

} // namespace godwit
