#include "cli/runner/RunnerCommands.h"

#include "bot/RepoConfig.h"
#include "bot/fleet/AnalysisWorker.h"
#include "bot/fleet/Campaign.h"
#include "bot/fleet/OfflineHost.h"
#include "bot/fleet/Planner.h"
#include "bot/fleet/Rollback.h"
#include "bot/fleet/SharedWave.h"
#include "bot/fleet/Sweep.h"
#include "bot/github/Auth.h"
#include "bot/store/OpenStore.h"
#include "bot/store/PostgresStore.h"
#include "bot/store/WorkQueue.h"
#include "cli/runner/CampaignInventory.h"
#include "cli/runner/Progress.h"
#include "cli/runner/RunnerMetrics.h"
#include "cli/runner/RunnerSupport.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>

namespace godwit {
namespace {

using json = nlohmann::json;

/// Campaign time: the wall clock, or from `GODWIT_RUNNER_NOW` (ISO 8601 UTC) on for tests of
/// windows and rates; it advances with real time from there.
class CampaignClock final : public Clock {
public:
  explicit CampaignClock(WallClock::time_point start)
      : start_(start), began_(std::chrono::steady_clock::now()) {}
  WallClock::time_point now() override {
    return start_ + std::chrono::duration_cast<WallClock::duration>(
                        std::chrono::steady_clock::now() - began_);
  }
  void sleepFor(Millis duration) override { systemClock()->sleepFor(duration); }

private:
  WallClock::time_point start_;
  std::chrono::steady_clock::time_point began_;
};

} // namespace

Expected<std::shared_ptr<Clock>> campaignClock() {
  const char* fixed = std::getenv("GODWIT_RUNNER_NOW");
  if (!fixed || !*fixed)
    return systemClock();
  auto start = parseIsoUtc(fixed);
  if (!start)
    return makeError("GODWIT_RUNNER_NOW: " + start.error().message,
                     "unset it, or give a time like 2026-12-07T10:00:00Z");
  return std::shared_ptr<Clock>(std::make_shared<CampaignClock>(*start));
}

Expected<std::unique_ptr<Store>> openStore(const RunnerCommon& common) {
  return openStore(common.store.store, {common.store.passwordFile});
}

namespace {

Expected<std::string> readText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return makeError("cannot read " + path, "check the path");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

} // namespace

Expected<std::string> campaignName(const CampaignRef& ref) {
  if (!ref.campaign.empty())
    return ref.campaign;
  auto migration = loadMigration(ref.migration);
  if (!migration)
    return migration.error();
  return migration->name;
}

RolloutSettings rolloutFor(const CampaignRef& ref) {
  if (ref.migration.empty())
    return {};
  auto migration = loadMigration(ref.migration);
  return migration ? rolloutOf(*migration) : RolloutSettings{};
}

std::unique_ptr<Notifier> notifierFor(const Migration& migration) {
  const std::string url = rolloutOf(migration).notifyWebhook;
  if (url.empty())
    return nullptr;
  NotifierOptions options;
  options.warn = [](const std::string& w) { std::cerr << "godwit-runner: warning: " << w << "\n"; };
  return std::make_unique<Notifier>(url, options);
}

int fail(const Error& e, int code) {
  std::cerr << e.str() << "\n";
  return code;
}

namespace {

/// The sweep's progress: the wave on a terminal, one line per repository in a pipe; `tag`
/// (`[runner] ` when runners share the campaign, else empty) starts each line.
void showSweepProgress(ProgressLine& display, const SweepProgress& p, const std::string& tag) {
  display.update(tag + "wave " + std::to_string(p.wave), p.done, p.total,
                 tag + "wave " + std::to_string(p.wave) + " " + std::to_string(p.done) + "/" +
                     std::to_string(p.total) + " " + p.repository + ": " + p.state +
                     (p.note.empty() ? "" : " (" + p.note + ")"));
}

/// Whole seconds, for lease ages.
std::string wholeSeconds(double seconds) {
  return std::to_string(static_cast<long>(seconds < 0 ? -seconds : seconds)) + " s";
}

/// The runners alive (claims whose lease runs, by runner) and the expired claims the next
/// reclaim requeues.
void printRunners(std::ostream& out, const std::vector<LeaseInfo>& leases) {
  std::map<std::string, std::vector<const LeaseInfo*>> alive;
  std::vector<const LeaseInfo*> expired;
  for (const LeaseInfo& l : leases)
    (l.left > 0 ? alive[l.runner] : expired).push_back(&l);
  out << "  runners alive: " << alive.size() << "\n";
  for (const auto& [runner, claims] : alive) {
    out << "    " << runner << ": " << claims.size() << (claims.size() == 1 ? " claim" : " claims")
        << "\n";
    for (const LeaseInfo* l : claims)
      out << "      " << l->fullName << "  renewed " << wholeSeconds(l->sinceRenewal)
          << " ago, lease ends in " << wholeSeconds(l->left) << "\n";
  }
  if (expired.empty())
    return;
  out << "  expired leases (requeued by the next runner that looks): " << expired.size() << "\n";
  for (const LeaseInfo* l : expired)
    out << "    " << l->fullName << "  held by " << l->runner << ", lease ended "
        << wholeSeconds(l->left) << " ago\n";
}

void printTotals(std::ostream& out, const std::map<std::string, size_t>& totals) {
  bool first = true;
  for (const auto& [state, n] : totals) {
    out << (first ? "" : ", ") << n << " " << state;
    first = false;
  }
  out << "\n";
}

void addIdentity(CLI::App& cmd, std::string& name, std::string& email) {
  cmd.add_option("--author-name", name, "Commit author name (default: godwit[bot])");
  cmd.add_option("--author-email", email, "Commit author email");
}

} // namespace

void addCampaignRef(CLI::App& cmd, CampaignRef& ref) {
  auto* migration = cmd.add_option("--migration,-m", ref.migration, "The migration file");
  auto* campaign =
      cmd.add_option("--campaign", ref.campaign, "The campaign's name (the migration's name)");
  migration->excludes(campaign);
  campaign->excludes(migration);
  cmd.callback([&cmd, &ref] {
    if (ref.migration.empty() && ref.campaign.empty())
      throw CLI::RequiredError(cmd.get_name() + ": --migration or --campaign");
  });
}

CLI::App* addPlanCommand(CLI::App& app, PlanOptions& o) {
  CLI::App* cmd = app.add_subcommand(
      "plan", "Print the waves (deterministic) and why each repository is in its wave");
  cmd->add_option("--migration,-m", o.migration, "The migration file")->required();
  addInventoryOptions(*cmd, o.inventory);
  cmd->add_option("--format", o.format, "text or json")->check(CLI::IsMember({"text", "json"}));
  addRunnerCommon(*cmd, o.common);
  return cmd;
}

int runPlan(const PlanOptions& o) {
  auto migration = loadMigration(o.migration);
  if (!migration)
    return fail(migration.error());
  std::unique_ptr<GitHubClient> client;
  auto inventory = loadCampaignInventory(o.inventory, o.common.host, *migration, client);
  if (!inventory)
    return fail(inventory.error());
  const RolloutSettings rollout = rolloutOf(*migration);
  const Plan plan = planWaves(*inventory, rollout.waves, rollout.seed);
  if (o.format == "json") {
    json out = {{"campaign", migration->name}, {"waves", json::array()}};
    for (size_t w = 0; w < plan.waveSizes.size(); ++w)
      out["waves"].push_back({{"wave", w + 1}, {"repositories", json::array()}});
    for (const PlannedRepo& p : plan.repos)
      out["waves"][static_cast<size_t>(p.wave - 1)]["repositories"].push_back(
          {{"repository", p.repo.fullName},
           {"owner", p.repo.owner},
           {"tier", p.repo.tier},
           {"position", p.position + 1},
           {"reason", p.reason}});
    std::cout << out.dump(2) << "\n";
    return 0;
  }
  int wave = 0;
  for (const PlannedRepo& p : plan.repos) {
    if (p.wave != wave) {
      wave = p.wave;
      std::cout << "wave " << wave << " (" << plan.waveSizes[static_cast<size_t>(wave - 1)]
                << " repositories)\n";
    }
    std::cout << "  " << p.repo.fullName << "  " << p.reason << "\n";
  }
  return 0;
}

CLI::App* addSweepCommand(CLI::App& app, SweepOptions& o) {
  CLI::App* cmd = app.add_subcommand(
      "sweep", "Run the campaign: open pull requests wave by wave, within its gates and limits");
  cmd->add_option("--migration,-m", o.migration, "The migration file")->required();
  addInventoryOptions(*cmd, o.inventory);
  cmd->add_flag("--dry-run", o.dryRun, "Analyze and report what would be done; change nothing");
  cmd->add_option("--jobs,-j", o.jobs, "Repositories cloned and analyzed at once (default: cores)");
  addIdentity(*cmd, o.authorName, o.authorEmail);
  addMetricsFileOption(*cmd, o.metricsFile);
  addIsolationOptions(*cmd, o.isolation);
  cmd->add_option("--runner-id", o.runnerId,
                  "With a PostgreSQL store: this runner's name in the work queue and its log lines "
                  "(default: index-$JOB_COMPLETION_INDEX, else host:pid)");
  cmd->add_option("--lease", o.leaseSeconds,
                  "With a PostgreSQL store: seconds a claim lasts unless renewed; the heartbeat "
                  "renews every third of it (default: 90)")
      ->check(CLI::Range(2u, 3600u));
  addRunnerCommon(*cmd, o.common);
  return cmd;
}

namespace {

/// What the sweep's lifecycle did to a pull request, counted only when it really did it.
void countSweepStep(CampaignMetrics& metrics, const SweepProgress& p, bool dryRun) {
  metrics.observeRepository(p.took);
  if (dryRun || !p.outcome)
    return;
  if (*p.outcome == LifecycleOutcome::Opened)
    metrics.countPullRequest(PullRequestAction::Opened);
  else if (*p.outcome == LifecycleOutcome::Updated)
    metrics.countPullRequest(PullRequestAction::Updated);
  else if (*p.outcome == LifecycleOutcome::Closed)
    metrics.countPullRequest(PullRequestAction::Closed);
}

} // namespace

int runSweep(const SweepOptions& o) {
  if (auto checked = RunnerMetrics::check(o.metricsFile); !checked)
    return fail(checked.error());
  auto migration = loadMigration(o.migration);
  if (!migration)
    return fail(migration.error());
  RunnerMetrics metrics(o.metricsFile, migration->name);
  auto text = readText(o.migration);
  if (!text)
    return fail(text.error());
  auto clock = campaignClock();
  if (!clock)
    return fail(clock.error());
  std::unique_ptr<GitHubClient> client;
  auto inventory =
      loadCampaignInventory(o.inventory, o.common.host, *migration, client, metrics.observer());
  if (!inventory)
    return metrics.finish(fail(inventory.error()));
  // A dry run with no code host configured reads the fleet's clone URLs and writes nothing.
  std::optional<OfflineHost> offline;
  if (!client && o.dryRun && !codeHostConfigured(o.common.host)) {
    auto made = offlineHostFor(*inventory);
    if (!made)
      return fail(made.error());
    offline.emplace(std::move(*made));
    std::cerr << "godwit-runner: no code host configured: a dry run over the fleet's clone URLs; "
                 "existing pull requests and CI are not looked up\n";
  } else if (!client) {
    auto made = makeRunnerClient(o.common.host, metrics.observer());
    if (!made)
      return fail(made.error());
    client = std::move(*made);
  }
  CodeHost& host = offline ? static_cast<CodeHost&>(*offline) : *client;
  ProgressLine display;
  SweepSettings settings;
  settings.lifecycle.cacheDir = o.common.cacheDir;
  if (!o.authorName.empty())
    settings.lifecycle.identity.name = o.authorName;
  if (!o.authorEmail.empty())
    settings.lifecycle.identity.email = o.authorEmail;
  settings.lifecycle.dryRun = o.dryRun;
  settings.lifecycle.run.jobs = 1;
  settings.lifecycle.prepare = repoConfigHook(migration->name);
  const std::unique_ptr<IsolatedAnalysis> isolated = isolatedAnalysis(o.isolation);
  if (isolated)
    settings.lifecycle.analyze = isolated->function();
  settings.jobs = o.jobs ? o.jobs : std::max(1u, std::thread::hardware_concurrency());
  settings.clock = *clock;
  settings.migrationDigest = migrationDigest(*text);
  settings.openStore = [&o] { return openStore(o.common); };
  // Runners sharing a campaign say which one is speaking.
  const bool shared = isPostgresUrl(o.common.store.store);
  settings.sharing.runner = o.runnerId.empty() ? defaultRunnerId() : o.runnerId;
  settings.sharing.lease = std::chrono::seconds(o.leaseSeconds);
  settings.sharing.renewEvery = std::chrono::milliseconds(o.leaseSeconds * 1000 / 3);
  const std::string tag = shared ? "[" + settings.sharing.runner + "] " : "";
  settings.progress = [&display, &metrics, &o, &tag](const SweepProgress& p) {
    showSweepProgress(display, p, tag);
    if (CampaignMetrics* m = metrics.get())
      countSweepStep(*m, p, o.dryRun);
  };
  if (metrics.get())
    settings.waveDone = [&metrics](int, const std::map<std::string, size_t>& totals) {
      metrics.get()->setRepositories(totals);
      metrics.update();
    };
  const std::unique_ptr<Notifier> notifier = notifierFor(*migration);
  settings.notifier = notifier.get();
  settings.lifecycle.log = [&display, &tag](const std::string& line) { display.note(tag + line); };
  auto summary = sweepCampaign(*migration, *inventory, host, settings);
  if (!summary)
    return metrics.finish(fail(summary.error(), 3));
  if (CampaignMetrics* m = metrics.get())
    m->setRepositories(summary->totals);
  std::ostream& out = std::cout;
  out << tag << migration->name << (o.dryRun ? " (dry run)" : "") << ": " << summary->campaignState
      << ", wave " << summary->currentWave << " of " << summary->waves << "; " << summary->processed
      << " repositories taken up, " << summary->analyzed << " analyzed";
  const auto seconds = [](std::chrono::nanoseconds t) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f", std::chrono::duration<double>(t).count());
    return std::string(text);
  };
  out << " (worker time: git " << seconds(summary->gitTime) << " s, analysis "
      << seconds(summary->analysisTime) << " s)\n  ";
  printTotals(out, summary->totals);
  if (!summary->stoppedBecause.empty())
    out << "  stopped: " << summary->stoppedBecause << "\n";
  if (summary->lostClaims > 0)
    out << "  " << summary->lostClaims
        << " repositories lost to other runners mid-step (leases ended); their results were "
           "dropped\n";
  return metrics.finish(summary->campaignState == "paused" ? 4 : 0);
}

CLI::App* addStatusCommand(CLI::App& app, StatusOptions& o) {
  CLI::App* cmd = app.add_subcommand(
      "status", "Show the campaign's state, waves and repositories (and, with a PostgreSQL "
                "store, the runners alive and their claims)");
  addCampaignRef(*cmd, o.campaign);
  addRunnerCommon(*cmd, o.common);
  return cmd;
}

int runStatus(const StatusOptions& o) {
  auto name = campaignName(o.campaign);
  if (!name)
    return fail(name.error());
  auto store = openStore(o.common);
  if (!store)
    return fail(store.error());
  auto clock = campaignClock();
  if (!clock)
    return fail(clock.error());
  auto report = loadCampaignReport(**store, *name, rolloutFor(o.campaign), (*clock)->now());
  if (!report)
    return fail(report.error());
  std::cout << report->name << ": " << report->state;
  if (!report->pauseReason.empty())
    std::cout << " (" << report->pauseReason << ")";
  std::cout << "\n  ";
  printTotals(std::cout, report->totals);
  for (const ReportWave& w : report->waves)
    std::cout << "  wave " << w.number << ": " << w.state << ", " << w.repositories
              << " repositories\n";
  if (!report->deadline.empty())
    std::cout << "  deadline " << report->deadline << ", projected finish "
              << (report->projectedFinish.empty() ? "unknown" : report->projectedFinish) << "\n";
  for (const ReportRepo& r : report->repos) {
    std::cout << "  " << r.fullName << "  wave " << r.wave << "  " << r.state;
    if (r.pullRequest)
      std::cout << "  #" << r.pullRequest << " " << r.pullRequestUrl;
    if (!r.ci.empty())
      std::cout << "  ci " << r.ci;
    if (!r.error.empty())
      std::cout << "  (" << r.error << ")";
    std::cout << "\n";
  }
  if (auto* shared = dynamic_cast<PostgresStore*>(store->get())) {
    auto leases = WorkQueue(*shared, "status").leases(*name);
    if (!leases)
      return fail(leases.error(), 3);
    printRunners(std::cout, *leases);
  }
  return report->state == "paused" ? 4 : 0;
}

CLI::App* addPauseCommand(CLI::App& app, PauseOptions& o) {
  CLI::App* cmd = app.add_subcommand("pause", "Pause the campaign until `resume` (persists)");
  addCampaignRef(*cmd, o.campaign);
  cmd->add_option("--reason", o.reason, "Why, shown by status and the report");
  addRunnerCommon(*cmd, o.common);
  return cmd;
}

int runPause(const PauseOptions& o) {
  auto name = campaignName(o.campaign);
  if (!name)
    return fail(name.error());
  auto store = openStore(o.common);
  if (!store)
    return fail(store.error());
  auto clock = campaignClock();
  if (!clock)
    return fail(clock.error());
  if (auto r = pauseCampaign(**store, *name, o.reason, (*clock)->now()); !r)
    return fail(r.error());
  std::cout << *name << ": paused until `godwit-runner resume`\n";
  return 0;
}

CLI::App* addResumeCommand(CLI::App& app, PauseOptions& o) {
  CLI::App* cmd = app.add_subcommand("resume", "Resume a paused campaign");
  addCampaignRef(*cmd, o.campaign);
  addRunnerCommon(*cmd, o.common);
  return cmd;
}

int runResume(const PauseOptions& o) {
  auto name = campaignName(o.campaign);
  if (!name)
    return fail(name.error());
  auto store = openStore(o.common);
  if (!store)
    return fail(store.error());
  auto clock = campaignClock();
  if (!clock)
    return fail(clock.error());
  if (auto r = resumeCampaign(**store, *name, (*clock)->now()); !r)
    return fail(r.error());
  std::cout << *name << ": running; the next sweep continues\n";
  return 0;
}

CLI::App* addRollbackCommand(CLI::App& app, RollbackOptions& o) {
  CLI::App* cmd = app.add_subcommand(
      "rollback", "Undo the campaign: close open PRs, delete bot branches, revert merged ones");
  cmd->add_option("--migration,-m", o.migration, "The migration file")->required();
  cmd->add_option("--repo", o.repo, "Only this repository, owner/name");
  cmd->add_flag("--dry-run", o.dryRun, "Print what would be done; change nothing");
  addIdentity(*cmd, o.authorName, o.authorEmail);
  addMetricsFileOption(*cmd, o.metricsFile);
  addRunnerCommon(*cmd, o.common);
  return cmd;
}

int runRollback(const RollbackOptions& o) {
  if (auto checked = RunnerMetrics::check(o.metricsFile); !checked)
    return fail(checked.error());
  auto migration = loadMigration(o.migration);
  if (!migration)
    return fail(migration.error());
  RunnerMetrics metrics(o.metricsFile, migration->name);
  auto clock = campaignClock();
  if (!clock)
    return fail(clock.error());
  auto client = makeRunnerClient(o.common.host, metrics.observer());
  if (!client)
    return fail(client.error());
  auto store = openStore(o.common);
  if (!store)
    return fail(store.error());
  RollbackSettings settings;
  settings.cacheDir = o.common.cacheDir;
  if (!o.authorName.empty())
    settings.identity.name = o.authorName;
  if (!o.authorEmail.empty())
    settings.identity.email = o.authorEmail;
  settings.dryRun = o.dryRun;
  settings.onlyRepo = o.repo;
  settings.clock = *clock;
  settings.progress = [](const std::string& line) { std::cout << line << "\n"; };
  const std::unique_ptr<Notifier> notifier = notifierFor(*migration);
  settings.notifier = notifier.get();
  auto actions = rollbackCampaign(*migration, **client, **store, settings);
  if (!actions)
    return metrics.finish(fail(actions.error(), 3));
  std::map<std::string, size_t> totals;
  for (const RollbackAction& a : *actions)
    ++totals[a.state];
  std::cout << migration->name << (o.dryRun ? " (dry run)" : "") << ": ";
  printTotals(std::cout, totals);
  if (CampaignMetrics* m = metrics.get()) {
    for (const RollbackAction& a : *actions) {
      m->observeRepository(a.took);
      if (a.closedPullRequest)
        m->countPullRequest(PullRequestAction::Closed);
      if (a.openedPullRequest)
        m->countPullRequest(PullRequestAction::Opened);
    }
    auto rows = (*store)->campaignRepos(migration->name);
    if (!rows)
      return fail(rows.error(), 3);
    std::map<std::string, size_t> byState;
    for (const CampaignRepoRecord& r : *rows)
      ++byState[r.state];
    m->setRepositories(byState);
  }
  return metrics.finish(0);
}

} // namespace godwit
