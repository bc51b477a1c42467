#include "cli/runner/RunnerCommands.h"

#include <iostream>

namespace godwit {

CLI::App* addReportCommand(CLI::App& app, ReportOptions& o) {
  CLI::App* cmd = app.add_subcommand("report", "The campaign's report: totals, owners, burndown");
  addCampaignRef(*cmd, o.campaign);
  cmd->add_option("--format", o.format, "md, json or html")
      ->check(CLI::IsMember({"md", "json", "html"}));
  cmd->add_option("--output,-o", o.output, "Write the report to this file (default: stdout)");
  addRunnerCommon(*cmd, o.common);
  return cmd;
}

int runReport(const ReportOptions&) {
  std::cerr << "godwit-runner: report is not implemented yet\n";
  return 2;
}

} // namespace godwit
