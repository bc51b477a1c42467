#include "bot/app/DeliveryReconciler.h"

#include <ctime>
#include <map>

namespace godwit {
namespace {

// `at` as GitHub writes times (`2026-12-03T09:30:00Z`), so the strings compare as times.
std::string githubTime(std::chrono::system_clock::time_point at) {
  const std::time_t t = std::chrono::system_clock::to_time_t(at);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

} // namespace

Expected<std::vector<int64_t>> attemptsToRedeliver(const std::vector<HookDelivery>& attempts,
                                                   const ReconcileOptions& options,
                                                   ReconcileReport& report) {
  struct Event {
    const HookDelivery* newest = nullptr;
    bool delivered = false;
    int redeliveries = 0;
  };
  std::map<std::string, Event> events;
  for (const HookDelivery& a : attempts) {
    Event& e = events[a.guid];
    e.delivered = e.delivered || (a.statusCode >= 200 && a.statusCode <= 299);
    e.redeliveries += a.redelivery ? 1 : 0;
    if (!e.newest || a.deliveredAt > e.newest->deliveredAt ||
        (a.deliveredAt == e.newest->deliveredAt && a.id > e.newest->id))
      e.newest = &a;
  }
  report.events += events.size();
  std::vector<int64_t> out;
  for (const auto& [guid, e] : events) {
    if (e.delivered || guid.empty())
      continue;
    Expected<bool> queued = options.queued ? options.queued(guid) : Expected<bool>(false);
    if (!queued)
      return queued.error();
    if (*queued)
      continue;
    ++report.missed;
    if (e.redeliveries >= options.maxRedeliveries) {
      ++report.gaveUp;
      if (options.log)
        options.log("delivery " + guid + " (" + e.newest->event + ") was never delivered; " +
                    std::to_string(e.redeliveries) +
                    " redeliveries failed, so it is given up (redeliver it from the App's "
                    "settings once the App answers)");
      continue;
    }
    out.push_back(e.newest->id);
  }
  return out;
}

Expected<ReconcileReport> reconcileDeliveries(const ReconcileOptions& options,
                                              const std::string& since) {
  if (!options.list || !options.redeliver)
    return makeError("the reconciliation needs the App's delivery log",
                     "configure the App's id and private key");
  Expected<std::vector<HookDelivery>> attempts = options.list(since);
  if (!attempts)
    return attempts.error();
  std::vector<HookDelivery> recent;
  for (HookDelivery& a : *attempts)
    if (a.deliveredAt >= since)
      recent.push_back(std::move(a));
  ReconcileReport report;
  Expected<std::vector<int64_t>> ids = attemptsToRedeliver(recent, options, report);
  if (!ids)
    return ids.error();
  for (int64_t id : *ids) {
    if (Expected<void> asked = options.redeliver(id); !asked)
      return asked.error();
    ++report.redelivered;
  }
  return report;
}

DeliveryReconciler::DeliveryReconciler(ReconcileOptions options) : options_(std::move(options)) {}

DeliveryReconciler::~DeliveryReconciler() {
  stop();
}

void DeliveryReconciler::start() {
  if (options_.every.count() <= 0 || thread_.joinable())
    return;
  thread_ = std::thread([this] { loop(); });
}

void DeliveryReconciler::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

int DeliveryReconciler::runs() const {
  std::lock_guard lock(mutex_);
  return runs_;
}

void DeliveryReconciler::loop() {
  auto since = std::chrono::system_clock::now() - options_.firstLookback;
  for (;;) {
    const auto began = std::chrono::system_clock::now();
    Expected<ReconcileReport> r = reconcileDeliveries(options_, githubTime(since));
    if (r) {
      // The next run overlaps this one by a period: an attempt logged late is still seen.
      since = began - options_.every;
      if (options_.log && (r->missed > 0 || r->redelivered > 0))
        options_.log("reconciliation: " + std::to_string(r->events) + " events, " +
                     std::to_string(r->missed) + " missed, " + std::to_string(r->redelivered) +
                     " redeliveries asked, " + std::to_string(r->gaveUp) + " given up");
    } else if (options_.log) {
      options_.log("reconciliation failed: " + r.error().message);
    }
    std::unique_lock lock(mutex_);
    ++runs_;
    if (wake_.wait_for(lock, options_.every, [this] { return stopping_; }))
      return;
  }
}

} // namespace godwit
