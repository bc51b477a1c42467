#include "bot/app/DeliveryWorkers.h"

#include "bot/store/StoreTime.h"

namespace godwit {

DeliveryWorkers::DeliveryWorkers(DeliveryWorkerOptions options) : options_(std::move(options)) {}

DeliveryWorkers::~DeliveryWorkers() {
  stop();
}

std::string DeliveryWorkers::workerName(unsigned index) const {
  return options_.instance + "/" + std::to_string(index);
}

void DeliveryWorkers::log(const std::string& line) const {
  if (options_.log)
    options_.log(line);
}

Expected<int64_t> DeliveryWorkers::start() {
  if (!options_.openStore || !options_.perform)
    return makeError("the delivery workers need a store and the work to do");
  const unsigned n = std::max(1u, options_.workers);
  int64_t requeued = 0;
  const std::string now = storeTimestamp();
  for (unsigned i = 0; i < n; ++i) {
    Expected<std::unique_ptr<Store>> store = options_.openStore();
    if (!store)
      return store.error();
    // This worker's own deliveries are left from a killed process (the name is this instance's),
    // and any other instance's whose lease ended.
    Expected<int64_t> again = (*store)->requeueStaleDeliveries(workerName(i), now);
    if (!again)
      return again.error();
    requeued += *again;
    stores_.push_back(std::move(*store));
  }
  Expected<std::unique_ptr<Store>> heartbeat = options_.openStore();
  if (!heartbeat)
    return heartbeat.error();
  using std::chrono::milliseconds;
  const milliseconds every = options_.renewEvery.count() > 0
                                 ? options_.renewEvery
                                 : std::chrono::duration_cast<milliseconds>(options_.lease) / 3;
  leases_ = std::make_unique<DeliveryLeases>(std::move(*heartbeat), options_.lease, every,
                                             options_.log);
  leases_->start();
  prune(*stores_.front());
  for (unsigned i = 0; i < n; ++i)
    threads_.emplace_back([this, i] { loop(i, *stores_[i]); });
  return requeued;
}

void DeliveryWorkers::prune(Store& store) {
  const auto before = std::chrono::system_clock::now() - options_.keepFinished;
  Expected<int64_t> pruned = store.pruneDeliveries(storeTimestamp(before));
  if (!pruned)
    log("cannot prune finished deliveries: " + pruned.error().message);
  else if (*pruned > 0)
    log("pruned " + std::to_string(*pruned) + " deliveries finished before " +
        storeTimestamp(before));
}

void DeliveryWorkers::wake() {
  {
    std::lock_guard lock(mutex_);
    ++wakes_;
  }
  wakeUp_.notify_one();
}

void DeliveryWorkers::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && threads_.empty())
      return;
    stopping_ = true;
  }
  wakeUp_.notify_all();
  for (std::thread& t : threads_)
    t.join();
  threads_.clear();
  if (leases_)
    leases_->stop();
}

void DeliveryWorkers::loop(unsigned index, Store& store) {
  const std::string name = workerName(index);
  uint64_t seen = 0;
  auto pruned = std::chrono::steady_clock::now();
  for (;;) {
    if (index == 0 && std::chrono::steady_clock::now() - pruned > std::chrono::hours(1)) {
      prune(store);
      pruned = std::chrono::steady_clock::now();
    }
    {
      std::lock_guard lock(mutex_);
      if (stopping_)
        return;
      seen = wakes_;
    }
    const auto now = std::chrono::system_clock::now();
    Expected<std::optional<DeliveryRecord>> claimed =
        store.claimDelivery(name, storeTimestamp(now), storeTimestamp(now + options_.lease));
    if (!claimed)
      log(name + ": cannot claim a delivery: " + claimed.error().message);
    if (claimed && *claimed) {
      const DeliveryRecord& d = **claimed;
      PerformWork perform = [&](const EventWork& work) {
        return options_.perform(store, work, d.installationId);
      };
      leases_->track(d);
      Expected<DeliveryOutcome> outcome =
          processDelivery(store, d, options_.handler, perform, std::chrono::system_clock::now());
      leases_->release(d);
      if (!outcome) {
        log(name + ": delivery " + d.deliveryId + " (" + d.event + "): " +
            outcome.error().message);
        continue;
      }
      static constexpr const char* kNames[] = {"done", "ignored", "failed", "queued again"};
      std::string line = name + ": delivery " + d.deliveryId + " (" + d.event +
                         (d.action.empty() ? "" : "." + d.action) + "): " +
                         kNames[static_cast<int>(*outcome)];
      if (*outcome == DeliveryOutcome::Failed || *outcome == DeliveryOutcome::Retry)
        if (Expected<std::optional<DeliveryRecord>> after = store.delivery(d.deliveryId);
            after && *after)
          line += ": " + (**after).lastError;
      log(line);
      if (options_.finished)
        options_.finished(d, *outcome);
      continue; // More may be due at once.
    }
    std::unique_lock lock(mutex_);
    wakeUp_.wait_for(lock, options_.poll, [&] { return stopping_ || wakes_ != seen; });
  }
}

} // namespace godwit
