#include "cli/runner/RunnerCommands.h"

#include <iostream>

namespace godwit {
namespace {

int notYet(const char* command) {
  std::cerr << "godwit-runner: " << command << " is not implemented yet\n";
  return 2;
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

int runPlan(const PlanOptions&) {
  return notYet("plan");
}

CLI::App* addSweepCommand(CLI::App& app, SweepOptions& o) {
  CLI::App* cmd = app.add_subcommand(
      "sweep", "Run the campaign: open pull requests wave by wave, within its gates and limits");
  cmd->add_option("--migration,-m", o.migration, "The migration file")->required();
  addInventoryOptions(*cmd, o.inventory);
  cmd->add_flag("--dry-run", o.dryRun, "Analyze and report what would be done; change nothing");
  cmd->add_option("--jobs,-j", o.jobs, "Repositories cloned and analyzed at once (default: cores)");
  addIdentity(*cmd, o.authorName, o.authorEmail);
  addRunnerCommon(*cmd, o.common);
  return cmd;
}

int runSweep(const SweepOptions&) {
  return notYet("sweep");
}

CLI::App* addStatusCommand(CLI::App& app, StatusOptions& o) {
  CLI::App* cmd = app.add_subcommand("status", "Show the campaign's state, waves and repositories");
  addCampaignRef(*cmd, o.campaign);
  addRunnerCommon(*cmd, o.common);
  return cmd;
}

int runStatus(const StatusOptions&) {
  return notYet("status");
}

CLI::App* addPauseCommand(CLI::App& app, PauseOptions& o) {
  CLI::App* cmd = app.add_subcommand("pause", "Pause the campaign until `resume` (persists)");
  addCampaignRef(*cmd, o.campaign);
  cmd->add_option("--reason", o.reason, "Why, shown by status and the report");
  addRunnerCommon(*cmd, o.common);
  return cmd;
}

int runPause(const PauseOptions&) {
  return notYet("pause");
}

CLI::App* addResumeCommand(CLI::App& app, PauseOptions& o) {
  CLI::App* cmd = app.add_subcommand("resume", "Resume a paused campaign");
  addCampaignRef(*cmd, o.campaign);
  addRunnerCommon(*cmd, o.common);
  return cmd;
}

int runResume(const PauseOptions&) {
  return notYet("resume");
}

CLI::App* addRollbackCommand(CLI::App& app, RollbackOptions& o) {
  CLI::App* cmd = app.add_subcommand(
      "rollback", "Undo the campaign: close open PRs, delete bot branches, revert merged ones");
  cmd->add_option("--migration,-m", o.migration, "The migration file")->required();
  cmd->add_option("--repo", o.repo, "Only this repository, owner/name");
  cmd->add_flag("--dry-run", o.dryRun, "Print what would be done; change nothing");
  addIdentity(*cmd, o.authorName, o.authorEmail);
  addRunnerCommon(*cmd, o.common);
  return cmd;
}

int runRollback(const RollbackOptions&) {
  return notYet("rollback");
}

} // namespace godwit
