#pragma once
// The `godwit-runner` commands: each has its flags, a function that adds it to the command line
// and one that runs it and returns the exit code (0 done, 2 bad invocation, migration, inventory
// or configuration, 3 the run failed, 4 the campaign is paused).

#include "cli/runner/RunnerOptions.h"

#include <CLI/CLI.hpp>

#include <string>

namespace godwit {

/// Which campaign a command is about: `--migration FILE` or `--campaign NAME` (the migration's
/// name, for commands that read only the store).
struct CampaignRef {
  std::string migration;
  std::string campaign;
};

/// `discover`: clone or fetch every repository of the inventory, run the engine, list consumers.
struct DiscoverOptions {
  RunnerCommon common;
  InventoryFlags inventory;
  std::string migration;
  unsigned jobs = 0;
  std::string format = "text";
  std::string metricsFile; ///< --metrics-file: the Prometheus textfile; empty: none.
  IsolationFlags isolation;
};
CLI::App* addDiscoverCommand(CLI::App& app, DiscoverOptions& options);
int runDiscover(const DiscoverOptions& options);

/// `plan`: the waves, deterministically, with the reason each repository is in its wave.
struct PlanOptions {
  RunnerCommon common;
  InventoryFlags inventory;
  std::string migration;
  std::string format = "text";
};
CLI::App* addPlanCommand(CLI::App& app, PlanOptions& options);
int runPlan(const PlanOptions& options);

/// `sweep [--dry-run]`: runs the campaign as far as its gates and limits allow.
struct SweepOptions {
  RunnerCommon common;
  InventoryFlags inventory;
  std::string migration;
  bool dryRun = false;
  unsigned jobs = 0;
  std::string authorName;
  std::string authorEmail;
  std::string metricsFile; ///< --metrics-file: the Prometheus textfile; empty: none.
  std::string runnerId;    ///< --runner-id: the name in the work queue; empty: defaultRunnerId().
  unsigned leaseSeconds = 90; ///< --lease: how long a claim lasts unrenewed.
  IsolationFlags isolation;
};
CLI::App* addSweepCommand(CLI::App& app, SweepOptions& options);
int runSweep(const SweepOptions& options);

/// `status`: the campaign's state, waves and repositories by state.
struct StatusOptions {
  RunnerCommon common;
  CampaignRef campaign;
};
CLI::App* addStatusCommand(CLI::App& app, StatusOptions& options);
int runStatus(const StatusOptions& options);

/// `pause` and `resume`: stop the sweep at the next repository, or let it continue; both persist.
struct PauseOptions {
  RunnerCommon common;
  CampaignRef campaign;
  std::string reason;
};
CLI::App* addPauseCommand(CLI::App& app, PauseOptions& options);
int runPause(const PauseOptions& options);
CLI::App* addResumeCommand(CLI::App& app, PauseOptions& options);
int runResume(const PauseOptions& options);

/// `rollback [--repo R]`: close open PRs, delete unmodified bot branches, revert merged changes.
struct RollbackOptions {
  RunnerCommon common;
  std::string migration;
  std::string repo;
  bool dryRun = false;
  std::string authorName;
  std::string authorEmail;
  std::string metricsFile; ///< --metrics-file: the Prometheus textfile; empty: none.
};
CLI::App* addRollbackCommand(CLI::App& app, RollbackOptions& options);
int runRollback(const RollbackOptions& options);

/// `report --format md|json|html`: the campaign's report from the store.
struct ReportOptions {
  RunnerCommon common;
  CampaignRef campaign;
  std::string format = "md";
  std::string output; ///< File to write; empty means stdout.
};
CLI::App* addReportCommand(CLI::App& app, ReportOptions& options);
int runReport(const ReportOptions& options);

/// Adds --migration and --campaign to `cmd`.
void addCampaignRef(CLI::App& cmd, CampaignRef& ref);

} // namespace godwit
