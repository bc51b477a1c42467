#include "bot/app/AppMetrics.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <map>
#include <mutex>
#include <set>

namespace godwit {

struct AppMetrics::Families {
  Families()
      : deliveries(prometheus::BuildCounter()
                       .Name("godwit_app_deliveries_total")
                       .Help("Webhook deliveries by event and outcome (queued, duplicate, "
                             "rejected: bad signature, invalid: headers missing, failed: not "
                             "queued); the event of a rejected delivery is not trusted, so it "
                             "is counted as unverified")
                       .Register(registry)),
        responses(prometheus::BuildCounter()
                      .Name("godwit_app_http_responses_total")
                      .Help("HTTP responses by path (other: any path the server does not serve) "
                            "and status")
                      .Register(registry)),
        queue(prometheus::BuildGauge()
                  .Name("godwit_app_queue_deliveries")
                  .Help("Deliveries in the store's queue by event and state (queued, running, "
                        "done, ignored, failed), read at each scrape")
                  .Register(registry)) {}

  prometheus::Registry registry;
  prometheus::Family<prometheus::Counter>& deliveries;
  prometheus::Family<prometheus::Counter>& responses;
  prometheus::Family<prometheus::Gauge>& queue;
  std::mutex queueMutex;
  std::set<std::pair<std::string, std::string>> queueSeries; // (event, state) ever set
};

AppMetrics::AppMetrics() : families_(std::make_unique<Families>()) {}

AppMetrics::~AppMetrics() = default;

void AppMetrics::countDelivery(std::string_view event, std::string_view outcome) {
  families_->deliveries.Add({{"event", std::string(event)}, {"outcome", std::string(outcome)}})
      .Increment();
}

void AppMetrics::countResponse(std::string_view path, int status) {
  families_->responses.Add({{"path", std::string(path)}, {"status", std::to_string(status)}})
      .Increment();
}

void AppMetrics::setQueue(const std::vector<DeliveryCount>& counts) {
  std::lock_guard lock(families_->queueMutex);
  std::map<std::pair<std::string, std::string>, int64_t> now;
  for (const DeliveryCount& count : counts)
    now[{count.event, count.state}] += count.count;
  for (const auto& series : families_->queueSeries)
    now.emplace(series, 0);
  for (const auto& [series, value] : now) {
    families_->queueSeries.insert(series);
    families_->queue.Add({{"event", series.first}, {"state", series.second}})
        .Set(static_cast<double>(value));
  }
}

std::string AppMetrics::render() const {
  return prometheus::TextSerializer().Serialize(families_->registry.Collect());
}

} // namespace godwit
