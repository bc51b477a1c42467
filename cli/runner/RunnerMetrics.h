#pragma once
// `--metrics-file` of `discover`, `sweep` and `rollback`: the path checked before any work, the
// campaign's metrics counted during the run and written as a Prometheus textfile.

#include "bot/fleet/CampaignMetrics.h"

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

namespace godwit {

/// Adds `--metrics-file PATH` to `cmd`.
void addMetricsFileOption(CLI::App& cmd, std::string& path);

/// The metrics of one command; without a path it counts nothing and writes nothing.
class RunnerMetrics {
public:
  /// Whether `path` can be written (an empty path needs nothing): call before any work.
  static Expected<void> check(const std::string& path);

  RunnerMetrics(std::string path, const std::string& campaign);

  /// The metrics to count into; null without a path.
  CampaignMetrics* get() { return metrics_.get(); }
  /// The GitHub client's hooks into these metrics; empty hooks without a path.
  ClientObserver observer();
  /// Writes the file now; a failure is printed as a warning (the run goes on).
  void update();
  /// Writes the file at the end of the command: returns `status`, or 3 when it cannot be written.
  int finish(int status);

private:
  std::string path_;
  std::unique_ptr<CampaignMetrics> metrics_;
};

} // namespace godwit
