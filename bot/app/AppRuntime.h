#pragma once
// The running App: the HTTP endpoints (AppServer) queueing deliveries in the store, and the
// worker pool (DeliveryWorkers) doing their work (AppWork). `godwit-app` is this plus flags and
// signals; tests run the same thing in-process.

#include "bot/app/AppServer.h"
#include "bot/app/AppWork.h"
#include "bot/app/CampaignDriver.h"
#include "bot/app/DeliveryReconciler.h"
#include "bot/app/DeliveryWorkers.h"

#include <functional>
#include <memory>
#include <mutex>

namespace godwit {

/// What the App runs with.
struct AppRuntimeOptions {
  /// Where to listen, limits, secrets, log; the runtime sets its intake, readiness and queue.
  AppServerOptions server;
  /// Opens a store connection: one for the endpoints, one per worker.
  std::function<Expected<std::unique_ptr<Store>>()> openStore;
  /// The pool; 0 workers only queues deliveries. The runtime sets its store and its work.
  DeliveryWorkerOptions workers;
  AppWorkOptions work; ///< What the work needs besides the store.
  /// The reconciliation of missed deliveries; off unless its `list` and `redeliver` are set.
  /// The runtime sets its `queued` (the store's queue).
  ReconcileOptions reconcile;
  /// The App's own campaigns; off unless its `inventory` and `host` are set. The runtime sets
  /// its store and, when empty, its migrations (the work's).
  CampaignDriverOptions campaigns;
};

/// The App. start() serves and processes; stop() (or the destructor) ends both.
class AppRuntime {
public:
  explicit AppRuntime(AppRuntimeOptions options);
  ~AppRuntime();
  AppRuntime(const AppRuntime&) = delete;
  AppRuntime& operator=(const AppRuntime&) = delete;

  /// Opens the store, takes up what a killed instance left, starts the workers and listens;
  /// then starts the reconciliation, if configured.
  Expected<void> start();
  /// The port listened on.
  uint16_t port() const;
  /// Deliveries queued again at start (left running by a killed process or a lapsed lease).
  int64_t requeued() const { return requeued_; }
  /// Stops listening, lets running deliveries finish, and joins. Idempotent.
  void stop();
  /// Asks the campaigns for a pass soon (the registry changed); nothing when they are off.
  void wakeCampaigns();

  /// Runs `f` with the endpoints' store, one caller at a time.
  template <class F> auto withStore(F&& f) {
    std::lock_guard lock(storeMutex_);
    return f(*store_);
  }

private:
  AppRuntimeOptions options_;
  std::mutex storeMutex_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<DeliveryWorkers> workers_;
  std::unique_ptr<DeliveryReconciler> reconciler_;
  std::unique_ptr<CampaignDriver> campaigns_;
  std::unique_ptr<AppServer> server_;
  int64_t requeued_ = 0;
};

} // namespace godwit
