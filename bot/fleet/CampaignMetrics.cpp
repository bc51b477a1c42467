#include "bot/fleet/CampaignMetrics.h"

#include "bot/fleet/AtomicFile.h"
#include "bot/fleet/RepoState.h"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace godwit {

struct CampaignMetrics::Families {
  explicit Families(const std::string& campaign)
      : labels{{"campaign", campaign}},
        repositories(prometheus::BuildGauge()
                         .Name("godwit_repositories")
                         .Help("Repositories of the campaign by state, from the store after the "
                               "run (or the wave)")
                         .Labels(labels)
                         .Register(registry)),
        discovered(prometheus::BuildGauge()
                       .Name("godwit_discovered_repositories")
                       .Help("Repositories discover looked at, by outcome")
                       .Labels(labels)
                       .Register(registry)),
        pullRequests(prometheus::BuildCounter()
                         .Name("godwit_pull_requests_total")
                         .Help("Pull requests this run opened, updated or closed")
                         .Labels(labels)
                         .Register(registry)),
        requests(prometheus::BuildCounter()
                     .Name("godwit_code_host_requests_total")
                     .Help("Code-host API responses by HTTP status, retries included (none: no "
                           "response arrived)")
                     .Labels(labels)
                     .Register(registry)),
        limitWaits(prometheus::BuildCounter()
                       .Name("godwit_rate_limit_waits_total")
                       .Help("Waits for a code-host rate limit, by limit")
                       .Labels(labels)
                       .Register(registry)),
        limitSeconds(prometheus::BuildCounter()
                         .Name("godwit_rate_limit_wait_seconds_total")
                         .Help("Seconds waited for a code-host rate limit, by limit")
                         .Labels(labels)
                         .Register(registry)),
        durations(prometheus::BuildHistogram()
                      .Name("godwit_repository_duration_seconds")
                      .Help("Seconds spent on each repository this run took up")
                      .Labels(labels)
                      .Register(registry)),
        duration(durations.Add({}, prometheus::Histogram::BucketBoundaries{
                                       0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300})) {
    // Series that exist from the start, so that a run that did none of them says 0.
    for (const char* action : {"opened", "updated", "closed"})
      pullRequests.Add({{"action", action}});
    for (const char* limit : {"primary", "secondary"}) {
      limitWaits.Add({{"limit", limit}});
      limitSeconds.Add({{"limit", limit}});
    }
  }

  prometheus::Labels labels;
  prometheus::Registry registry;
  prometheus::Family<prometheus::Gauge>& repositories;
  prometheus::Family<prometheus::Gauge>& discovered;
  prometheus::Family<prometheus::Counter>& pullRequests;
  prometheus::Family<prometheus::Counter>& requests;
  prometheus::Family<prometheus::Counter>& limitWaits;
  prometheus::Family<prometheus::Counter>& limitSeconds;
  prometheus::Family<prometheus::Histogram>& durations;
  prometheus::Histogram& duration;
};

namespace {

const char* limitName(LimitKind limit) {
  return limit == LimitKind::Primary ? "primary" : "secondary";
}

} // namespace

CampaignMetrics::CampaignMetrics(const std::string& campaign)
    : families_(std::make_unique<Families>(campaign)) {}

CampaignMetrics::~CampaignMetrics() = default;

void CampaignMetrics::setRepositories(const std::map<std::string, size_t>& byState) {
  // NeedsHuman is the last state of the enum (RepoState.h).
  for (int s = 0; s <= static_cast<int>(RepoState::NeedsHuman); ++s) {
    const std::string state(toString(static_cast<RepoState>(s)));
    auto it = byState.find(state);
    families_->repositories.Add({{"state", state}})
        .Set(it == byState.end() ? 0 : static_cast<double>(it->second));
  }
  for (const auto& [state, n] : byState) // a state this build does not know, as stored
    if (!parseRepoState(state))
      families_->repositories.Add({{"state", state}}).Set(static_cast<double>(n));
}

void CampaignMetrics::setDiscovered(const std::map<std::string, size_t>& byOutcome) {
  for (const auto& [outcome, n] : byOutcome)
    families_->discovered.Add({{"outcome", outcome}}).Set(static_cast<double>(n));
}

void CampaignMetrics::countPullRequest(PullRequestAction action) {
  const char* name = action == PullRequestAction::Opened    ? "opened"
                     : action == PullRequestAction::Updated ? "updated"
                                                            : "closed";
  families_->pullRequests.Add({{"action", name}}).Increment();
}

void CampaignMetrics::countResponse(long status) {
  families_->requests.Add({{"status", status > 0 ? std::to_string(status) : "none"}}).Increment();
}

void CampaignMetrics::countRateLimitWait(LimitKind limit, std::chrono::milliseconds wait) {
  families_->limitWaits.Add({{"limit", limitName(limit)}}).Increment();
  families_->limitSeconds.Add({{"limit", limitName(limit)}})
      .Increment(std::chrono::duration<double>(wait).count());
}

void CampaignMetrics::observeRepository(std::chrono::nanoseconds took) {
  families_->duration.Observe(std::chrono::duration<double>(took).count());
}

ClientObserver CampaignMetrics::observer() {
  ClientObserver o;
  o.response = [this](long status) { countResponse(status); };
  o.rateLimitWait = [this](LimitKind limit, Millis wait) { countRateLimitWait(limit, wait); };
  return o;
}

std::string CampaignMetrics::render() const {
  return prometheus::TextSerializer().Serialize(families_->registry.Collect());
}

Expected<void> CampaignMetrics::write(const std::filesystem::path& path) const {
  return writeFileAtomically(path, render());
}

Expected<void> checkMetricsPath(const std::filesystem::path& path) {
  const auto failed = [&path](const std::string& what) {
    return Error{what, path.string(), 0, 0,
                 "give --metrics-file a file in a folder that exists and is writable"};
  };
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return failed("the metrics file is a folder");
  // Probe with the kind of file the atomic write makes beside it, and remove it again.
  const std::filesystem::path folder = path.parent_path().empty() ? "." : path.parent_path();
  std::string probe = (folder / ("." + path.filename().string() + ".probe-XXXXXX")).string();
  const int fd = ::mkstemp(probe.data());
  if (fd < 0)
    return failed(std::string("cannot write the metrics file beside it: ") + std::strerror(errno));
  ::close(fd);
  ::unlink(probe.c_str());
  return {};
}

} // namespace godwit
