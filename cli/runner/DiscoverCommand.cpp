#include "cli/runner/RunnerCommands.h"

#include <iostream>

namespace godwit {

CLI::App* addDiscoverCommand(CLI::App& app, DiscoverOptions& o) {
  CLI::App* cmd = app.add_subcommand(
      "discover", "Clone or fetch every repository of the inventory and list the consumers");
  cmd->add_option("--migration,-m", o.migration, "The migration file")->required();
  addInventoryOptions(*cmd, o.inventory);
  cmd->add_option("--jobs,-j", o.jobs, "Repositories cloned and analyzed at once (default: cores)");
  cmd->add_option("--format", o.format, "text, json, csv or md")
      ->check(CLI::IsMember({"text", "json", "csv", "md"}));
  addRunnerCommon(*cmd, o.common);
  return cmd;
}

int runDiscover(const DiscoverOptions&) {
  std::cerr << "godwit-runner: discover is not implemented yet\n";
  return 2;
}

} // namespace godwit
