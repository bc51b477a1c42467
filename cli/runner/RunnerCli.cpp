#include "cli/runner/RunnerCli.h"

#include "cli/runner/RunnerCommands.h"

#include "bot/fleet/AnalysisWorker.h"

#include <CLI/CLI.hpp>

#include <unistd.h>

namespace godwit {

namespace {

/// The hidden `analysis-worker`: answers the runner's analysis requests on stdin and stdout
/// (bot/fleet/AnalysisWorker.h). Anything else printed goes to stderr, not into the answers.
int runAnalysisWorker() {
  const int answers = ::dup(STDOUT_FILENO);
  if (answers < 0 || ::dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
    return 1;
  return serveAnalysis(STDIN_FILENO, answers, runMigration);
}

} // namespace

int runRunnerCli(int argc, char** argv) {
  CLI::App app{"godwit-runner: run one migration as a campaign over a fleet of repositories.\n"
               "Discovers the consumers, opens pull requests in waves behind CI gates and rate "
               "limits, survives restarts and rolls back (docs/runner.md)."};
  app.set_version_flag("--version", std::string("godwit-runner ") + GODWIT_VERSION);
  app.require_subcommand(1);

  DiscoverOptions discover;
  CLI::App* discoverCmd = addDiscoverCommand(app, discover);
  PlanOptions plan;
  CLI::App* planCmd = addPlanCommand(app, plan);
  SweepOptions sweep;
  CLI::App* sweepCmd = addSweepCommand(app, sweep);
  StatusOptions status;
  CLI::App* statusCmd = addStatusCommand(app, status);
  PauseOptions pause;
  CLI::App* pauseCmd = addPauseCommand(app, pause);
  PauseOptions resume;
  CLI::App* resumeCmd = addResumeCommand(app, resume);
  RollbackOptions rollback;
  CLI::App* rollbackCmd = addRollbackCommand(app, rollback);
  ReportOptions report;
  CLI::App* reportCmd = addReportCommand(app, report);
  // Started by sweep and discover themselves (--isolate); no group, so not in --help.
  CLI::App* workerCmd =
      app.add_subcommand("analysis-worker", "Analyze repositories for a running sweep")->group("");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  if (discoverCmd->parsed())
    return runDiscover(discover);
  if (planCmd->parsed())
    return runPlan(plan);
  if (sweepCmd->parsed())
    return runSweep(sweep);
  if (statusCmd->parsed())
    return runStatus(status);
  if (pauseCmd->parsed())
    return runPause(pause);
  if (resumeCmd->parsed())
    return runResume(resume);
  if (rollbackCmd->parsed())
    return runRollback(rollback);
  if (reportCmd->parsed())
    return runReport(report);
  if (workerCmd->parsed())
    return runAnalysisWorker();
  return 2;
}

} // namespace godwit
