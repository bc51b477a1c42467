#pragma once
// The GitHub App's HTTP endpoints over HttpServer: POST /webhook (signature checked, then the
// delivery handed to the intake), GET /healthz, /readyz and /metrics, and the status page, GET
// /migrations and /migrations/<name> in HTML or JSON (docs/app.md).

#include "bot/app/AppMetrics.h"
#include "bot/app/HttpServer.h"
#include "bot/app/WebhookIntake.h"
#include "bot/fleet/CampaignReport.h"

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace godwit {

/// What the endpoints need.
struct AppServerOptions {
  HttpServerOptions http; ///< Where to listen and the limits; its onResponse is taken over.
  /// The webhook secrets accepted: the current one first, then one being rotated out.
  std::vector<std::string> webhookSecrets;
  WebhookIntake intake; ///< Takes every delivery whose signature is valid.
  /// Whether the server can do its work (the store answers); GET /readyz is 200 when it can.
  std::function<Expected<void>()> ready;
  /// The store's queue by event and state, read for each GET /metrics; may be empty.
  std::function<Expected<std::vector<DeliveryCount>>()> queue;
  /// Every campaign, read for each GET /migrations; when empty, the status page is off (404).
  std::function<Expected<CampaignIndex>()> campaigns;
  /// One campaign's report (nullopt when there is none), read for each GET /migrations/<name>;
  /// when empty, the status page is off (404).
  std::function<Expected<std::optional<CampaignReport>>(const std::string& name)> campaignReport;
  /// Gets one line per rejected or failed delivery, per readiness change and per status page
  /// the store could not answer; never a secret.
  std::function<void(const std::string&)> log;
};

/// The App server. start() listens; the destructor stops it.
class AppServer {
public:
  explicit AppServer(AppServerOptions options);
  AppServer(const AppServer&) = delete;
  AppServer& operator=(const AppServer&) = delete;

  /// Binds and serves; an Error when the address cannot be bound.
  Expected<void> start();
  /// The port listened on.
  uint16_t port() const;
  /// Stops serving. Idempotent.
  void stop();

private:
  ServerResponse webhook(const ServerRequest& request);
  ServerResponse readiness();
  ServerResponse campaignIndex(const ServerRequest& request);
  ServerResponse campaignPage(const ServerRequest& request);
  void log(const std::string& line) const;

  AppServerOptions options_;
  AppMetrics metrics_;
  std::atomic<int> lastReady_{-1}; // -1 unknown, 0 not ready, 1 ready: readiness changes are logged
  HttpServer server_;              // last: its threads use the members above until it is destroyed
};

} // namespace godwit
