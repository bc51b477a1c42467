#pragma once
// The App's bounded pool of workers over the store's delivery queue (docs/app.md, "The delivery
// queue"): each claims the oldest due delivery (one per repository at a time), processes it and
// finishes it, while a heartbeat (DeliveryLeases) renews its lease. At start the pool queues
// again what this instance left running when it was killed, so every acknowledged delivery is
// processed after a restart.

#include "bot/app/DeliveryLeases.h"
#include "bot/store/Store.h"
#include "bot/webhook/EventHandler.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace godwit {

/// How the pool runs.
struct DeliveryWorkerOptions {
  unsigned workers = 2;     ///< Threads, each with its own store connection.
  std::string instance;     ///< Stable across restarts (e.g. the host name): names the workers.
  /// How long a claim lasts without renewal: a heartbeat renews it while the delivery runs, so
  /// only a stopped or stuck instance's claims lapse.
  std::chrono::seconds lease{900};
  /// Between renewals of the running deliveries' leases; 0: a third of the lease.
  std::chrono::milliseconds renewEvery{0};
  std::chrono::milliseconds poll{1000}; ///< The wait when nothing is due (wake() cuts it short).
  HandlerOptions handler;               ///< The bot's login, retries.
  /// How long finished deliveries are kept (for the dedupe of redeliveries; GitHub redelivers
  /// for three days); worker 0 prunes older ones at start and every hour.
  std::chrono::seconds keepFinished{7 * 24 * 3600};
  /// Opens a store connection; called once per worker and once for the heartbeat at start.
  std::function<Expected<std::unique_ptr<Store>>()> openStore;
  /// The work of one event of installation `installationId`, with the worker's store.
  std::function<Expected<void>(Store& store, const EventWork& work, int64_t installationId)>
      perform;
  /// One line per delivery finished and per store error; may be empty.
  std::function<void(const std::string&)> log;
  /// Called after each delivery is finished, with its outcome; may be empty (metrics).
  std::function<void(const DeliveryRecord&, DeliveryOutcome)> finished;
};

/// The worker pool. start() requeues and starts; stop() (or the destructor) lets the running
/// deliveries finish and joins.
class DeliveryWorkers {
public:
  explicit DeliveryWorkers(DeliveryWorkerOptions options);
  ~DeliveryWorkers();
  DeliveryWorkers(const DeliveryWorkers&) = delete;
  DeliveryWorkers& operator=(const DeliveryWorkers&) = delete;

  /// Opens every worker's store and the heartbeat's, queues again the deliveries this
  /// instance's workers held and those whose lease ended, prunes old finished ones, then starts
  /// the threads. Returns how many were queued again.
  Expected<int64_t> start();
  /// Wakes an idle worker (a delivery was just queued).
  void wake();
  /// Stops taking deliveries, waits for the running ones and joins. Idempotent.
  void stop();

  /// The name worker `index` claims under: `<instance>/<index>`.
  std::string workerName(unsigned index) const;

private:
  void loop(unsigned index, Store& store);
  void prune(Store& store);
  void log(const std::string& line) const;

  DeliveryWorkerOptions options_;
  std::vector<std::unique_ptr<Store>> stores_;
  std::unique_ptr<DeliveryLeases> leases_;
  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::condition_variable wakeUp_;
  bool stopping_ = false;
  uint64_t wakes_ = 0; // Counts wake() calls, so a wake between two polls is not lost.
};

} // namespace godwit
