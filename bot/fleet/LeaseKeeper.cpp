#include "bot/fleet/LeaseKeeper.h"

#include <vector>

namespace godwit {

LeaseKeeper::LeaseKeeper(std::unique_ptr<PostgresStore> store, std::string runner,
                         std::chrono::seconds lease, std::chrono::milliseconds every)
    : store_(std::move(store)), queue_(*store_, std::move(runner), lease), lease_(lease),
      every_(every) {}

LeaseKeeper::~LeaseKeeper() {
  stop();
}

void LeaseKeeper::start() {
  std::lock_guard lock(mutex_);
  if (!thread_.joinable() && !stopping_)
    thread_ = std::thread([this] { loop(); });
}

void LeaseKeeper::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

void LeaseKeeper::track(const WorkClaim& claim) {
  std::lock_guard lock(mutex_);
  held_[claim.job] = {claim, std::chrono::steady_clock::now(), false};
}

void LeaseKeeper::release(const WorkClaim& claim) {
  std::lock_guard lock(mutex_);
  auto it = held_.find(claim.job);
  if (it != held_.end() && it->second.claim.version == claim.version)
    held_.erase(it);
}

bool LeaseKeeper::holds(const WorkClaim& claim) const {
  std::lock_guard lock(mutex_);
  auto it = held_.find(claim.job);
  return it != held_.end() && it->second.claim.version == claim.version && !it->second.lost;
}

size_t LeaseKeeper::renewNow() {
  std::vector<WorkClaim> due;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [job, held] : held_)
      if (!held.lost)
        due.push_back(held.claim);
  }
  // The database calls run without the lock, so workers are never held up by a slow renewal.
  std::vector<std::pair<WorkClaim, Expected<bool>>> outcomes;
  for (const WorkClaim& claim : due)
    outcomes.emplace_back(claim, queue_.renew(claim));
  size_t lost = 0;
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  ++rounds_;
  for (const auto& [claim, renewed] : outcomes) {
    auto it = held_.find(claim.job);
    if (it == held_.end() || it->second.claim.version != claim.version || it->second.lost)
      continue; // Released meanwhile.
    Held& held = it->second;
    if (renewed && *renewed)
      held.renewed = now;
    // An error (the database away) loses the claim only once its lease may have run out.
    else if ((renewed && !*renewed) || now - held.renewed >= lease_) {
      held.lost = true;
      ++lost;
    }
  }
  return lost;
}

size_t LeaseKeeper::rounds() const {
  std::lock_guard lock(mutex_);
  return rounds_;
}

void LeaseKeeper::loop() {
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
