#include "bot/app/AppServer.h"

#include "bot/app/WebhookSignature.h"
#include "bot/report/ReportRender.h"
#include "rules/MigrationName.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>

namespace godwit {
namespace {

constexpr std::array<std::string_view, 5> kPaths = {"/webhook", "/healthz", "/readyz", "/metrics",
                                                    "/migrations"};
constexpr std::string_view kCampaignPrefix = "/migrations/";
// Every campaign's page counts under one label: names would make unbounded label values.
constexpr std::string_view kCampaignLabel = "/migrations/:name";

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

/// `text` with its `%XX` escapes decoded; nullopt when one is malformed.
std::optional<std::string> percentDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size() || !std::isxdigit(static_cast<unsigned char>(text[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(text[i + 2])))
      return std::nullopt;
    out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
    i += 2;
  }
  return out;
}

/// The value of the query parameter `name` in `target` (undecoded), empty when absent.
std::string_view queryValue(std::string_view target, std::string_view name) {
  const size_t question = target.find('?');
  if (question == std::string_view::npos)
    return {};
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    if (pair.size() > name.size() && pair.starts_with(name) && pair[name.size()] == '=')
      return pair.substr(name.size() + 1);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
  }
  return {};
}

/// The page in the format the request asks for: `?format=json`, else HTML.
ServerResponse page(const ServerRequest& request, const std::function<std::string()>& json,
                    const std::function<Expected<std::string>()>& html) {
  const std::string_view format = queryValue(request.target, "format");
  if (!format.empty() && format != "html" && format != "json")
    return text(400, "unknown format; use ?format=html or ?format=json\n");
  ServerResponse response;
  response.headers.emplace_back("Cache-Control", "no-cache");
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (format == "json") {
    response.contentType = "application/json";
    response.body = json();
    return response;
  }
  Expected<std::string> rendered = html();
  if (!rendered)
    return text(500, rendered.error().message + "\n");
  response.contentType = "text/html; charset=utf-8";
  // Values are escaped; should one ever slip through, no script runs and nothing loads.
  response.headers.emplace_back("Content-Security-Policy",
                                "default-src 'none'; style-src 'unsafe-inline'");
  response.body = std::move(*rendered);
  return response;
}

ServerResponse storeDown() {
  ServerResponse down = text(503, "the store did not answer; retry later\n");
  down.headers.emplace_back("Retry-After", "10");
  return down;
}

HttpServerOptions withCounting(HttpServerOptions http, AppMetrics& metrics) {
  http.onResponse = [&metrics](const ServerRequest& request, int status) {
    const std::string_view path = request.path();
    std::string_view label = "other";
    if (std::find(kPaths.begin(), kPaths.end(), path) != kPaths.end())
      label = path;
    else if (path.starts_with(kCampaignPrefix))
      label = kCampaignLabel;
    metrics.countResponse(label, status);
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
  server_.route("GET", "/migrations",
                [this](const ServerRequest& request) { return campaignIndex(request); });
  server_.routePrefix("GET", std::string(kCampaignPrefix),
                      [this](const ServerRequest& request) { return campaignPage(request); });
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

ServerResponse AppServer::campaignIndex(const ServerRequest& request) {
  if (!options_.campaigns)
    return text(404, "this server has no status page\n");
  Expected<CampaignIndex> index = options_.campaigns();
  if (!index) {
    log("GET /migrations: " + index.error().message);
    return storeDown();
  }
  return page(
      request, [&] { return renderCampaignIndexJson(*index, kCampaignPrefix); },
      [&] { return renderCampaignIndexHtml(*index, kCampaignPrefix); });
}

ServerResponse AppServer::campaignPage(const ServerRequest& request) {
  if (!options_.campaignReport)
    return text(404, "this server has no status page\n");
  const std::string_view encoded = request.path().substr(kCampaignPrefix.size());
  const std::optional<std::string> name = percentDecode(encoded);
  // Decoded, a name is only ever a migration's: no `/`, no `..`, nothing a path could hide.
  if (!name || !isMigrationNameSpelling(*name))
    return text(404, "no such campaign: a campaign's name is a migration's name (lowercase "
                     "letters, digits, `.`, `_` and `-`); see GET /migrations\n");
  Expected<std::optional<CampaignReport>> report = options_.campaignReport(*name);
  if (!report) {
    log("GET /migrations/" + *name + ": " + report.error().message);
    return storeDown();
  }
  if (!*report)
    return text(404, "no campaign " + *name + " in the store; see GET /migrations\n");
  return page(
      request, [&] { return renderReportJson(**report); },
      [&] { return renderReportHtml(**report); });
}

void AppServer::log(const std::string& line) const {
  if (options_.log)
    options_.log(line);
}

} // namespace godwit
