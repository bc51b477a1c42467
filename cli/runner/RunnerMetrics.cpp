#include "cli/runner/RunnerMetrics.h"

#include <iostream>

namespace godwit {

void addMetricsFileOption(CLI::App& cmd, std::string& path) {
  cmd.add_option("--metrics-file", path,
                 "Write the run's metrics there in the Prometheus text format (a node_exporter "
                 "textfile), atomically");
}

Expected<void> RunnerMetrics::check(const std::string& path) {
  if (path.empty())
    return {};
  return checkMetricsPath(path);
}

RunnerMetrics::RunnerMetrics(std::string path, const std::string& campaign)
    : path_(std::move(path)) {
  if (!path_.empty())
    metrics_ = std::make_unique<CampaignMetrics>(campaign);
}

ClientObserver RunnerMetrics::observer() {
  return metrics_ ? metrics_->observer() : ClientObserver{};
}

void RunnerMetrics::update() {
  if (!metrics_)
    return;
  if (Expected<void> r = metrics_->write(path_); !r)
    std::cerr << "godwit-runner: warning: " << r.error().str() << "\n";
}

int RunnerMetrics::finish(int status) {
  if (!metrics_)
    return status;
  if (Expected<void> r = metrics_->write(path_); !r) {
    std::cerr << r.error().str() << "\n";
    return status == 0 ? 3 : status;
  }
  return status;
}

} // namespace godwit
