#include "cli/runner/RunnerOptions.h"

#include "bot/git/Workspace.h"
#include "cli/CodeHostOptions.h"

namespace godwit {

void addRunnerCommon(CLI::App& cmd, RunnerCommon& common) {
  addStoreOptions(cmd, common.store);
  cmd.add_option("--cache-dir", common.cacheDir,
                 "Git cache folder (default: " + defaultCacheDir().string() + ")");
  addCodeHostOptions(cmd, common.host);
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
