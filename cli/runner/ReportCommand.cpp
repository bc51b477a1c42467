#include "cli/runner/RunnerCommands.h"

#include "bot/fleet/AtomicFile.h"
#include "bot/fleet/Campaign.h"
#include "bot/report/ReportRender.h"
#include "cli/runner/RunnerSupport.h"

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

int runReport(const ReportOptions& o) {
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
  if (!o.campaign.migration.empty())
    if (auto migration = loadMigration(o.campaign.migration))
      report->description = migration->description;
  auto text = renderReport(*report, o.format);
  if (!text)
    return fail(text.error(), 3);
  if (o.output.empty()) {
    std::cout << *text;
    return 0;
  }
  if (auto written = writeFileAtomically(o.output, *text); !written)
    return fail(written.error());
  std::cerr << "godwit-runner: wrote the " << o.format << " report to " << o.output << "\n";
  return 0;
}

} // namespace godwit
