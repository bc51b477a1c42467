#pragma once
// The flags the `godwit-runner` commands share: the store, the git cache, the code host and the
// inventory sources.

#include "bot/github/GitHubClient.h"
#include "cli/StoreOptions.h"

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace godwit {

/// Flags of every command.
struct RunnerCommon {
  StoreFlags store;     ///< --store, --store-password-file.
  std::string cacheDir; ///< --cache-dir: bare git caches (default: defaultCacheDir()).
  CodeHostFlags host;   ///< The code-host flags of `godwit pr`.
};

/// Where the fleet's repositories come from (any combination; see docs/runner.md).
struct InventoryFlags {
  std::vector<std::string> fleetFiles; ///< Positional: `kind: Fleet` files.
  std::string githubOrg;               ///< --github-org: every non-archived repository.
  bool githubInstallation = false;     ///< --github-installation: the App installation's repos.
  std::string backstageUrl;            ///< --backstage-url: a Backstage catalog.
  std::string backstageTokenFile;      ///< --backstage-token-file.
};

/// Adds the store flags, --cache-dir and the code-host flags to `cmd`.
void addRunnerCommon(CLI::App& cmd, RunnerCommon& common);

/// Adds the inventory flags (and the positional fleet files) to `cmd`.
void addInventoryOptions(CLI::App& cmd, InventoryFlags& inventory);

} // namespace godwit
