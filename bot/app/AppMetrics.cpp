#include "bot/app/AppMetrics.h"

#include <prometheus/counter.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

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
                      .Register(registry)) {}

  prometheus::Registry registry;
  prometheus::Family<prometheus::Counter>& deliveries;
  prometheus::Family<prometheus::Counter>& responses;
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

std::string AppMetrics::render() const {
  return prometheus::TextSerializer().Serialize(families_->registry.Collect());
}

} // namespace godwit
