#pragma once
// A campaign's metrics in the Prometheus text exposition format, for node_exporter's textfile
// collector: repositories by state, pull requests opened, updated and closed, code-host requests
// by status, rate-limit waits and seconds per repository (docs/runner.md lists them).
// prometheus-cpp stays behind it (as behind bot/app/AppMetrics.h).

#include "bot/github/GitHubClient.h"
#include "rules/Expected.h"

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

namespace godwit {

/// What a run did to pull requests, as counted by `godwit_pull_requests_total`.
enum class PullRequestAction { Opened, Updated, Closed };

/// The metrics of one command's run over campaign `campaign` (every series carries it as the
/// `campaign` label). Counters start at zero with the run. Thread-safe.
class CampaignMetrics {
public:
  explicit CampaignMetrics(const std::string& campaign);
  ~CampaignMetrics();
  CampaignMetrics(const CampaignMetrics&) = delete;
  CampaignMetrics& operator=(const CampaignMetrics&) = delete;

  /// Sets `godwit_repositories{state}` to `byState`; every RepoState absent from it is 0.
  void setRepositories(const std::map<std::string, size_t>& byState);
  /// Sets `godwit_discovered_repositories{outcome}` (discover's outcomes) to `byOutcome`.
  void setDiscovered(const std::map<std::string, size_t>& byOutcome);
  /// Counts one pull request opened, updated or closed by this run.
  void countPullRequest(PullRequestAction action);
  /// Counts one code-host HTTP response with `status` (0: no response arrived).
  void countResponse(long status);
  /// Counts one wait for a rate limit, and its length.
  void countRateLimitWait(LimitKind limit, std::chrono::milliseconds wait);
  /// Observes the time one repository took in `godwit_repository_duration_seconds`.
  void observeRepository(std::chrono::nanoseconds took);

  /// Hooks for the GitHub client that count its responses and rate-limit waits here.
  ClientObserver observer();

  /// The text exposition of every metric, with HELP and TYPE lines.
  std::string render() const;
  /// Writes render() to `path` atomically: readers see the previous file or this one.
  Expected<void> write(const std::filesystem::path& path) const;

private:
  struct Families;
  std::unique_ptr<Families> families_;
};

/// Whether a metrics file can be written at `path`: its folder takes a new file and `path` is
/// not a folder. Changes nothing; the error says `PATH: error: …`.
Expected<void> checkMetricsPath(const std::filesystem::path& path);

} // namespace godwit
