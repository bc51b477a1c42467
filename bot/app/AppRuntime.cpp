#include "bot/app/AppRuntime.h"

#include "bot/app/StoreIntake.h"
#include "bot/fleet/Campaign.h"

namespace godwit {

AppRuntime::AppRuntime(AppRuntimeOptions options) : options_(std::move(options)) {}

AppRuntime::~AppRuntime() {
  stop();
}

uint16_t AppRuntime::port() const {
  return server_ ? server_->port() : 0;
}

Expected<void> AppRuntime::start() {
  if (!options_.openStore)
    return makeError("the App needs a store");
  Expected<std::unique_ptr<Store>> opened = options_.openStore();
  if (!opened)
    return opened.error();
  store_ = std::move(*opened);

  if (options_.workers.workers > 0) {
    DeliveryWorkerOptions w = options_.workers;
    w.openStore = options_.openStore;
    w.perform = [this](Store& store, const EventWork& work, int64_t installation) {
      return performWork(store, work, installation, options_.work);
    };
    workers_ = std::make_unique<DeliveryWorkers>(std::move(w));
    Expected<int64_t> requeued = workers_->start();
    if (!requeued)
      return requeued.error();
    requeued_ = *requeued;
  }

  AppServerOptions s = options_.server;
  s.intake = [this](const WebhookDelivery& delivery) {
    Expected<IntakeResult> r = withStore([&](Store& st) { return queueDelivery(st, delivery); });
    if (r && *r == IntakeResult::Queued && workers_)
      workers_->wake();
    return r;
  };
  s.queue = [this] { return withStore([](Store& st) { return st.deliveryCounts(); }); };
  // Any query shows whether the store answers; this one reads one row at most.
  s.ready = [this]() -> Expected<void> {
    auto probe = withStore([](Store& st) { return st.campaign("godwit-app readiness probe"); });
    if (!probe)
      return probe.error();
    return {};
  };
  // The status page: the runner's report, the rollout read from each campaign's file.
  s.campaigns = [this] {
    return withStore([](Store& st) { return loadCampaignIndex(st, WallClock::now()); });
  };
  s.campaignReport = [this](const std::string& name) {
    return withStore([&name](Store& st) { return loadCampaignStatus(st, name, WallClock::now()); });
  };
  server_ = std::make_unique<AppServer>(std::move(s));
  if (Expected<void> listening = server_->start(); !listening)
    return listening;

  if (options_.reconcile.list && options_.reconcile.redeliver) {
    ReconcileOptions r = options_.reconcile;
    r.queued = [this](const std::string& guid) -> Expected<bool> {
      Expected<std::optional<DeliveryRecord>> d =
          withStore([&](Store& st) { return st.delivery(guid); });
      if (!d)
        return d.error();
      return d->has_value();
    };
    reconciler_ = std::make_unique<DeliveryReconciler>(std::move(r));
    reconciler_->start();
  }
  if (options_.campaigns.inventory && options_.campaigns.host) {
    CampaignDriverOptions c = options_.campaigns;
    if (!c.migrations)
      c.migrations = options_.work.migrations;
    c.sweep.openStore = options_.openStore;
    campaigns_ = std::make_unique<CampaignDriver>(std::move(c));
    campaigns_->start();
  }
  return {};
}

void AppRuntime::wakeCampaigns() {
  if (campaigns_)
    campaigns_->wake();
}

void AppRuntime::stop() {
  if (campaigns_)
    campaigns_->stop();
  if (reconciler_)
    reconciler_->stop();
  if (server_)
    server_->stop();
  if (workers_)
    workers_->stop();
}

} // namespace godwit
