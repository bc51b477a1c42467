#include "bot/app/DeliveryLeases.h"

#include "bot/store/StoreTime.h"

#include <utility>
#include <vector>

namespace godwit {

DeliveryLeases::DeliveryLeases(std::unique_ptr<Store> store, std::chrono::seconds lease,
                               std::chrono::milliseconds every,
                               std::function<void(const std::string&)> log)
    : store_(std::move(store)), lease_(lease), every_(every), log_(std::move(log)) {}

DeliveryLeases::~DeliveryLeases() {
  stop();
}

void DeliveryLeases::log(const std::string& line) const {
  if (log_)
    log_(line);
}

bool DeliveryLeases::same(const DeliveryRecord& a, const DeliveryRecord& b) {
  return a.id == b.id && a.attempts == b.attempts && a.lockedBy == b.lockedBy;
}

void DeliveryLeases::start() {
  std::lock_guard lock(mutex_);
  if (!thread_.joinable() && !stopping_)
    thread_ = std::thread([this] { loop(); });
}

void DeliveryLeases::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

void DeliveryLeases::track(const DeliveryRecord& claimed) {
  std::lock_guard lock(mutex_);
  held_[claimed.id] = {claimed, false};
}

void DeliveryLeases::release(const DeliveryRecord& claimed) {
  std::lock_guard lock(mutex_);
  if (auto it = held_.find(claimed.id); it != held_.end() && same(it->second.claim, claimed))
    held_.erase(it);
}

bool DeliveryLeases::holds(const DeliveryRecord& claimed) const {
  std::lock_guard lock(mutex_);
  auto it = held_.find(claimed.id);
  return it != held_.end() && same(it->second.claim, claimed) && !it->second.lost;
}

size_t DeliveryLeases::renewNow() {
  std::lock_guard round(renewing_);
  std::vector<DeliveryRecord> due;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, held] : held_)
      if (!held.lost)
        due.push_back(held.claim);
  }
  // The store is asked without the lock, so a worker tracking or releasing is never held up by
  // a slow renewal.
  std::vector<std::pair<DeliveryRecord, Expected<bool>>> outcomes;
  for (const DeliveryRecord& claim : due) {
    const std::string until = storeTimestamp(std::chrono::system_clock::now() + lease_);
    outcomes.emplace_back(claim, store_->renewDelivery(claim, until));
  }
  size_t lost = 0;
  std::vector<std::string> errors;
  {
    std::lock_guard lock(mutex_);
    ++rounds_;
    for (const auto& [claim, renewed] : outcomes) {
      auto it = held_.find(claim.id);
      if (it == held_.end() || !same(it->second.claim, claim))
        continue; // Released meanwhile.
      if (!renewed) {
        errors.push_back(claim.lockedBy + ": cannot renew the lease of delivery " +
                         claim.deliveryId + " (tried again): " + renewed.error().message);
      } else if (!*renewed) {
        it->second.lost = true;
        ++lost;
      }
    }
  }
  for (const std::string& line : errors)
    log(line);
  return lost;
}

size_t DeliveryLeases::rounds() const {
  std::lock_guard lock(mutex_);
  return rounds_;
}

void DeliveryLeases::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (wake_.wait_for(lock, every_, [this] { return stopping_; }))
      break;
    lock.unlock();
    renewNow();
    lock.lock();
  }
}

} // namespace godwit
