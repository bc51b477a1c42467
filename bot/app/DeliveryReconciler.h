#pragma once
// The App's reconciliation (docs/app.md, "Missed deliveries"): GitHub never redelivers a webhook
// by itself, so a delivery the App missed (down, overloaded, a network failure) is lost unless
// someone asks. Periodically the App lists its own delivery attempts and asks GitHub to deliver
// again every event that no attempt delivered and that the store never queued.

#include "bot/github/GitHubClient.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace godwit {

/// Where the reconciliation reads and asks, and how often.
struct ReconcileOptions {
  std::chrono::seconds every{900};     ///< Between runs; 0 turns the reconciliation off.
  std::chrono::seconds firstLookback{71 * 3600}; ///< The first run's reach (GitHub keeps 3 days).
  int maxRedeliveries = 3; ///< Redeliveries of one event that failed before it is given up.
  /// The App's delivery attempts back to an ISO 8601 time (GitHubClient::appHookDeliveries).
  std::function<Expected<std::vector<HookDelivery>>(const std::string& since)> list;
  /// Asks for attempt `id` to be delivered again (GitHubClient::redeliverAppHookDelivery).
  std::function<Expected<void>(int64_t id)> redeliver;
  /// Whether the store queued the delivery with this `X-GitHub-Delivery`.
  std::function<Expected<bool>(const std::string& guid)> queued;
  std::function<void(const std::string&)> log; ///< One line per run and per event given up.
};

/// What one run found and did.
struct ReconcileReport {
  size_t events = 0;      ///< Distinct events (guids) in the attempts read.
  size_t missed = 0;      ///< Of those, never delivered and never queued.
  size_t redelivered = 0; ///< Redeliveries asked for.
  size_t gaveUp = 0;      ///< Missed events whose redeliveries failed `maxRedeliveries` times.
};

/// The attempts to deliver again among `attempts`: for each event no attempt of which got a
/// 2xx and that `queued` says the store lacks, its newest attempt, unless `maxRedeliveries` of
/// its attempts were redeliveries already (then counted in `report.gaveUp`).
Expected<std::vector<int64_t>> attemptsToRedeliver(const std::vector<HookDelivery>& attempts,
                                                   const ReconcileOptions& options,
                                                   ReconcileReport& report);

/// One run: lists the attempts back to `since` and asks for the redeliveries.
Expected<ReconcileReport> reconcileDeliveries(const ReconcileOptions& options,
                                              const std::string& since);

/// Runs reconcileDeliveries every `every` on its own thread: the first run right away, back
/// `firstLookback`; each later one back to the start of the run before it, less `every`.
class DeliveryReconciler {
public:
  explicit DeliveryReconciler(ReconcileOptions options);
  ~DeliveryReconciler();
  DeliveryReconciler(const DeliveryReconciler&) = delete;
  DeliveryReconciler& operator=(const DeliveryReconciler&) = delete;

  /// Starts the thread (nothing when `every` is 0).
  void start();
  /// Stops and joins. Idempotent.
  void stop();
  /// Runs completed so far.
  int runs() const;

private:
  void loop();

  ReconcileOptions options_;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  int runs_ = 0;
};

} // namespace godwit
