#include "cli/runner/RunnerCommands.h"

#include "bot/RepoConfig.h"
#include "bot/fleet/AnalysisWorker.h"
#include "bot/fleet/Discover.h"
#include "cli/runner/CampaignInventory.h"
#include "cli/runner/DiscoverFormat.h"
#include "cli/runner/Progress.h"
#include "cli/runner/RunnerMetrics.h"

#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>

namespace godwit {

CLI::App* addDiscoverCommand(CLI::App& app, DiscoverOptions& o) {
  CLI::App* cmd = app.add_subcommand(
      "discover", "Clone or fetch every repository of the inventory and list the consumers");
  cmd->add_option("--migration,-m", o.migration, "The migration file")->required();
  addInventoryOptions(*cmd, o.inventory);
  cmd->add_option("--jobs,-j", o.jobs, "Repositories cloned and analyzed at once (default: cores)");
  cmd->add_option("--format", o.format, "text, json, csv or md")
      ->check(CLI::IsMember({"text", "json", "csv", "md"}));
  addMetricsFileOption(*cmd, o.metricsFile);
  addIsolationOptions(*cmd, o.isolation);
  addRunnerCommon(*cmd, o.common);
  return cmd;
}

int runDiscover(const DiscoverOptions& o) {
  if (auto checked = RunnerMetrics::check(o.metricsFile); !checked) {
    std::cerr << checked.error().str() << "\n";
    return 2;
  }
  auto migration = loadMigration(o.migration);
  if (!migration) {
    std::cerr << migration.error().str() << "\n";
    return 2;
  }
  RunnerMetrics metrics(o.metricsFile, migration->name);
  std::unique_ptr<GitHubClient> client;
  auto fleet =
      loadCampaignInventory(o.inventory, o.common.host, *migration, client, metrics.observer());
  if (!fleet) {
    std::cerr << fleet.error().str() << "\n";
    return 2;
  }
  // Entries without a clone URL are looked up; a fleet of file:// remotes needs no code host.
  const bool needsHost = std::any_of(fleet->begin(), fleet->end(),
                                     [](const FleetRepo& r) { return r.cloneUrl.empty(); });
  if (!client && needsHost) {
    auto made = makeRunnerClient(o.common.host, metrics.observer());
    if (!made) {
      std::cerr << made.error().str() << "\n";
      return 2;
    }
    client = std::move(*made);
  }

  DiscoverSettings settings;
  settings.cacheDir = o.common.cacheDir;
  settings.jobs = o.jobs ? o.jobs : std::max(1u, std::thread::hardware_concurrency());
  settings.run.jobs = 1; // repositories run in parallel, each on one thread
  const std::unique_ptr<IsolatedAnalysis> isolated = isolatedAnalysis(o.isolation);
  if (isolated)
    settings.analyze = isolated->function();
  if (client)
    settings.token = [c = client.get()] { return c->gitToken(); };
  // The repository's .godwit.yaml, as the sweep reads it: opted-out repositories are counted,
  // and its excludes narrow the analysis; an invalid file fails that repository only.
  settings.prepare = [hook = repoConfigHook(migration->name)](const std::filesystem::path& checkout,
                                                              RunOptions& run) {
    PullRequestOptions unused;
    return hook(checkout, run, unused);
  };
  auto display = std::make_unique<ProgressLine>();
  settings.progress = [&display, &metrics](const DiscoverProgress& p) {
    if (CampaignMetrics* m = metrics.get())
      m->observeRepository(p.took);
    const DiscoveredRepo& r = *p.repo;
    std::string line = std::to_string(p.done) + "/" + std::to_string(p.total) + " " +
                       r.repo.fullName + ": " + std::string(toString(r.outcome));
    if (r.outcome == DiscoverOutcome::Consumer)
      line += " (" + std::to_string(r.rewrites) + " rewrites, " + std::to_string(r.attention) +
              " attention)";
    else if (r.outcome == DiscoverOutcome::Failed)
      line += " (" + r.error + ")";
    display->update("discover", p.done, p.total, line);
  };
  settings.log = [&display](const std::string& line) { display->note(line); };
  const DiscoverResult result = discoverConsumers(*migration, *fleet, client.get(), settings);
  display.reset(); // clears the progress line before the listing
  // Only a Backstage inventory says who the catalog thinks the consumers are.
  std::optional<Reconciliation> reconciliation;
  if (!o.inventory.backstageUrl.empty())
    reconciliation = reconcile(*fleet, codeFindings(result));
  printDiscoverResult(std::cout, result, migration->name, o.format,
                      reconciliation ? &*reconciliation : nullptr);
  if (CampaignMetrics* m = metrics.get()) {
    const DiscoverTotals& t = result.totals;
    m->setDiscovered({{std::string(toString(DiscoverOutcome::Consumer)), t.consumers},
                      {std::string(toString(DiscoverOutcome::NotConsumer)), t.notConsumers},
                      {std::string(toString(DiscoverOutcome::OptedOut)), t.optedOut},
                      {std::string(toString(DiscoverOutcome::Archived)), t.archived},
                      {std::string(toString(DiscoverOutcome::Failed)), t.failed}});
  }
  return metrics.finish(result.totals.failed > 0 ? 3 : 0);
}

} // namespace godwit
