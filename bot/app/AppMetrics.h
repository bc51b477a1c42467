#pragma once
// The App server's metrics in the Prometheus text exposition format, served at GET /metrics:
// webhook deliveries by event and outcome, HTTP responses by path and status, the store's
// delivery queue by event and state.

#include "bot/store/Store.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace godwit {

/// The counters of one server process, from zero at start. Thread-safe.
class AppMetrics {
public:
  AppMetrics();
  ~AppMetrics();
  AppMetrics(const AppMetrics&) = delete;
  AppMetrics& operator=(const AppMetrics&) = delete;

  /// Counts one delivery in `godwit_app_deliveries_total{event, outcome}`.
  void countDelivery(std::string_view event, std::string_view outcome);
  /// Counts one response in `godwit_app_http_responses_total{path, status}`.
  void countResponse(std::string_view path, int status);

  /// Sets `godwit_app_queue_deliveries{event, state}` to `counts`; series absent from it are 0.
  void setQueue(const std::vector<DeliveryCount>& counts);

  /// The text exposition of every metric, with HELP and TYPE lines.
  std::string render() const;

private:
  struct Families;
  std::unique_ptr<Families> families_;
};

} // namespace godwit
