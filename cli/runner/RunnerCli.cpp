#include "cli/runner/RunnerCli.h"

#include "cli/runner/RunnerCommands.h"

#include <CLI/CLI.hpp>

namespace godwit {

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
  return 2;
}

} // namespace godwit
