#include "bot/fleet/Notifier.h"

#include "bot/fleet/Limits.h"
#include "bot/fleet/RepoState.h"
#include "bot/github/Auth.h"

#include <nlohmann/json.hpp>

#include <map>

namespace godwit {
namespace {

using json = nlohmann::json;

HttpOptions httpOptions(const NotifierOptions& o) {
  HttpOptions h;
  h.connectTimeout = o.timeout;
  h.totalTimeout = o.timeout;
  h.maxRedirects = 0;
  return h;
}

std::string countsText(const std::map<std::string, size_t>& counts) {
  std::string out;
  for (const auto& [state, n] : counts)
    out += (out.empty() ? "" : ", ") + std::to_string(n) + " " + state;
  return out.empty() ? "no repositories" : out;
}

/// The one-line summary chat webhooks show (Slack and Teams read `text`).
std::string summary(const std::string& campaign, const CampaignNotice& n, int waves,
                    const std::map<std::string, size_t>& counts) {
  std::string line = campaign + ": ";
  const std::string why = n.reason.empty() ? "" : ": " + n.reason;
  if (n.event == "wave-started")
    line += "wave " + std::to_string(n.wave) + " of " + std::to_string(waves) + " started";
  else if (n.event == "gate-paused")
    line += "the gate of wave " + std::to_string(n.wave) + " paused the campaign" + why;
  else if (n.event == "campaign-finished")
    line += "finished";
  else if (n.event == "rollback-started")
    line += "rollback started" + why;
  else
    line += "rollback " + std::string(n.reason.empty() ? "finished" : "stopped" + why);
  return line + " (" + countsText(counts) + ")";
}

} // namespace

std::string urlOrigin(const std::string& url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string::npos)
    return "";
  const size_t start = scheme + 3;
  size_t end = url.find_first_of("/?#", start);
  if (end == std::string::npos)
    end = url.size();
  std::string authority = url.substr(start, end - start);
  if (size_t at = authority.rfind('@'); at != std::string::npos)
    authority.erase(0, at + 1);
  return url.substr(0, start) + authority;
}

Notifier::Notifier(std::string url, NotifierOptions options)
    : url_(std::move(url)), origin_(urlOrigin(url_)), options_(std::move(options)),
      http_(httpOptions(options_)) {}

// libcurl's messages name hosts, not paths, and HttpClient's name the whole URL: the URL becomes
// its origin, and any other trace of its user information, path or query is blotted out.
std::string Notifier::scrub(std::string text) const {
  for (size_t at = text.find(url_); at != std::string::npos; at = text.find(url_, at))
    text.replace(at, url_.size(), origin_);
  std::vector<std::string> secrets;
  const size_t start = url_.find("://") + 3;
  const size_t end = url_.find_first_of("/?#", start);
  if (end != std::string::npos && url_.size() - end > 1)
    secrets.push_back(url_.substr(end));
  const std::string authority = url_.substr(start, end == std::string::npos ? end : end - start);
  if (size_t at = authority.rfind('@'); at != std::string::npos)
    secrets.push_back(authority.substr(0, at));
  return redact(std::move(text), secrets);
}

Delivery Notifier::post(const std::string& body) {
  return send(body, "");
}

Delivery Notifier::send(const std::string& body, const std::string& event) {
  HttpRequest request;
  request.method = "POST";
  request.url = url_;
  request.headers = {{"Content-Type", "application/json"}, {"User-Agent", "godwit-runner"}};
  request.body = body;
  Delivery d;
  for (int attempt = 1; attempt <= 2; ++attempt) {
    if (attempt == 2)
      options_.clock->sleepFor(options_.retryDelay);
    Expected<HttpResponse> response = http_.send(request);
    const std::string previous = d.detail;
    bool retry = true;
    if (!response) {
      d.detail = "no answer: " + scrub(response.error().message);
    } else {
      d.detail = "HTTP " + std::to_string(response->status);
      d.delivered = response->status >= 200 && response->status < 300;
      retry = response->status >= 500;
    }
    if (attempt == 2)
      d.detail = previous + ", then after a retry " + d.detail;
    if (d.delivered || !retry)
      break;
  }
  if (!d.delivered && options_.warn)
    options_.warn("notify: " + (event.empty() ? "" : event + " ") + "to " + origin_ +
                  " failed: " + d.detail + "; the campaign goes on");
  return d;
}

Expected<void> Notifier::notify(Store& store, const std::string& campaign,
                                const CampaignNotice& notice, WallClock::time_point now) {
  if (!notice.key.empty()) {
    Expected<std::vector<EventRecord>> events = store.events(campaign);
    if (!events)
      return events.error();
    for (const EventRecord& e : *events) {
      if (e.kind != "notify.start")
        continue;
      const json details = json::parse(e.details, nullptr, false);
      if (details.is_object() && details.value("key", "") == notice.key)
        return {};
    }
  }
  Expected<std::map<std::string, size_t>> counts = campaignStateTotals(store, campaign);
  if (!counts)
    return counts.error();
  Expected<std::vector<WaveRecord>> waves = store.waves(campaign);
  if (!waves)
    return waves.error();
  const int waveCount = static_cast<int>(waves->size());
  const json body = {
      {"event", notice.event},   {"campaign", campaign},
      {"wave", notice.wave},     {"waves", waveCount},
      {"reason", notice.reason}, {"counts", *counts},
      {"time", isoMillis(now)},  {"text", summary(campaign, notice, waveCount, *counts)}};

  EventRecord before;
  before.at = isoMillis(now);
  before.kind = "notify.start";
  before.migration = campaign;
  before.details = json{{"event", notice.event}, {"key", notice.key}}.dump();
  if (Expected<int64_t> id = store.appendEvent(before); !id)
    return id.error();
  const Delivery d = send(body.dump(), notice.event);
  EventRecord after = before;
  after.kind = "notify";
  after.details = json{
      {"event", notice.event},
      {"key", notice.key},
      {"delivered", d.delivered},
      {"detail",
       d.detail}}.dump();
  if (Expected<int64_t> id = store.appendEvent(after); !id)
    return id.error();
  return {};
}

} // namespace godwit
