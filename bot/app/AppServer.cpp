#include "bot/app/AppServer.h"

#include "bot/app/WebhookSignature.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>

namespace godwit {
namespace {

constexpr std::array<std::string_view, 4> kPaths = {"/webhook", "/healthz", "/readyz", "/metrics"};

ServerResponse text(int status, std::string body) {
  ServerResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

// GitHub's event names and delivery GUIDs; anything else is not a delivery (and would make
// unbounded metric labels and log lines).
bool isToken(std::string_view value) {
  return !value.empty() && value.size() <= 128 &&
         std::all_of(value.begin(), value.end(), [](unsigned char c) {
           return std::isalnum(c) || c == '_' || c == '-' || c == '.';
         });
}

HttpServerOptions withCounting(HttpServerOptions http, AppMetrics& metrics) {
  http.onResponse = [&metrics](const ServerRequest& request, int status) {
    const std::string_view path = request.path();
    const bool known = std::find(kPaths.begin(), kPaths.end(), path) != kPaths.end();
    metrics.countResponse(known ? path : "other", status);
  };
  return http;
}

} // namespace

AppServer::AppServer(AppServerOptions options)
    : options_(std::move(options)), server_(withCounting(options_.http, metrics_)) {
  server_.route("POST", "/webhook",
                [this](const ServerRequest& request) { return webhook(request); });
  server_.route("GET", "/healthz", [](const ServerRequest&) { return text(200, "ok\n"); });
  server_.route("GET", "/readyz", [this](const ServerRequest&) { return readiness(); });
  server_.route("GET", "/metrics", [this](const ServerRequest&) {
    // A store that does not answer leaves the last counts; /readyz says it is down.
    if (options_.queue)
      if (auto counts = options_.queue())
        metrics_.setQueue(*counts);
    ServerResponse response = text(200, metrics_.render());
    response.contentType = "text/plain; version=0.0.4; charset=utf-8";
    return response;
  });
}

Expected<void> AppServer::start() {
  return server_.start();
}

uint16_t AppServer::port() const {
  return server_.port();
}

void AppServer::stop() {
  server_.stop();
}

ServerResponse AppServer::webhook(const ServerRequest& request) {
  const std::string event = request.header("X-GitHub-Event");
  const std::string id = request.header("X-GitHub-Delivery");
  const std::string where = "delivery " + (isToken(id) ? id : "(no valid id)");
  auto signer = verifyWebhookSignature(request.header("X-Hub-Signature-256"), request.body,
                                       options_.webhookSecrets);
  if (!signer) {
    metrics_.countDelivery("unverified", "rejected");
    log(where + ": rejected: " + signer.error().message);
    return text(401, "signature rejected: " + signer.error().message + "\n");
  }
  if (!isToken(event) || !isToken(id)) {
    metrics_.countDelivery("unverified", "invalid");
    log(where + ": invalid: X-GitHub-Event or X-GitHub-Delivery is missing or malformed");
    return text(400, "X-GitHub-Event and X-GitHub-Delivery are required\n");
  }
  auto result = options_.intake(WebhookDelivery{id, event, request.body});
  if (!result) {
    metrics_.countDelivery(event, "failed");
    log(where + " (" + event + "): not queued: " + result.error().message);
    ServerResponse failed = text(503, "the delivery could not be queued; redeliver it later\n");
    failed.headers.emplace_back("Retry-After", "10");
    return failed;
  }
  if (*result == IntakeResult::Duplicate) {
    metrics_.countDelivery(event, "duplicate");
    return text(200, "duplicate delivery, already queued\n");
  }
  metrics_.countDelivery(event, "queued");
  return text(202, "queued\n");
}

ServerResponse AppServer::readiness() {
  auto ready = options_.ready ? options_.ready() : Expected<void>();
  const int now = ready ? 1 : 0;
  if (lastReady_.exchange(now) != now)
    log(ready ? std::string("ready") : "not ready: " + ready.error().message);
  return ready ? text(200, "ready\n") : text(503, "not ready\n");
}

void AppServer::log(const std::string& line) const {
  if (options_.log)
    options_.log(line);
}

} // namespace godwit
