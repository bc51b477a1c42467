#include "cli/runner/RunnerOptions.h"

#include "bot/fleet/AnalysisWorker.h"
#include "bot/git/Workspace.h"
#include "cli/CodeHostOptions.h"

namespace godwit {

void addRunnerCommon(CLI::App& cmd, RunnerCommon& common) {
  addStoreOptions(cmd, common.store);
  cmd.add_option("--cache-dir", common.cacheDir,
                 "Git cache folder (default: " + defaultCacheDir().string() + ")");
  addCodeHostOptions(cmd, common.host);
}

std::unique_ptr<IsolatedAnalysis> isolatedAnalysis(const IsolationFlags& isolation) {
  if (!isolation.isolate)
    return nullptr;
  IsolationSettings settings;
  settings.budget = std::chrono::seconds(isolation.analysisTimeout);
  return std::make_unique<IsolatedAnalysis>(std::move(settings));
}

void addIsolationOptions(CLI::App& cmd, IsolationFlags& isolation) {
  cmd.add_flag("--isolate,!--no-isolate", isolation.isolate,
               "Analyze each repository in a worker process, so that a crash or a hang fails that "
               "repository only (default: on)");
  cmd.add_option("--analysis-timeout", isolation.analysisTimeout,
                 "Seconds one repository's analysis may take in its worker before it is stopped "
                 "and the repository fails (default: 600)")
      ->check(CLI::Range(1u, 86400u));
}

void addInventoryOptions(CLI::App& cmd, InventoryFlags& inventory) {
  cmd.add_option("inventory", inventory.fleetFiles,
                 "Fleet files (apiVersion: godwit/v1, kind: Fleet)");
  cmd.add_option("--github-org", inventory.githubOrg,
                 "Every non-archived repository of this GitHub organization");
  cmd.add_flag("--github-installation", inventory.githubInstallation,
               "Every repository the GitHub App installation can access");
  cmd.add_option("--backstage-url", inventory.backstageUrl, "A Backstage catalog's base URL");
  cmd.add_option("--backstage-token-file", inventory.backstageTokenFile,
                 "File holding the Backstage token");
}

} // namespace godwit
