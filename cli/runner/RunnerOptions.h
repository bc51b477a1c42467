#pragma once
// The flags the `godwit-runner` commands share: the store, the git cache, the code host and the
// inventory sources, and where the analyses run.

#include "bot/github/GitHubClient.h"
#include "cli/StoreOptions.h"

#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <vector>

namespace godwit {

class IsolatedAnalysis;

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

/// Where the analyses run (--isolate, --no-isolate, --analysis-timeout; docs/runner.md).
struct IsolationFlags {
  bool isolate = true;             ///< Each job thread analyzes in its own worker process.
  unsigned analysisTimeout = 600;  ///< Seconds one repository's analysis may take (isolated).
};

/// The worker processes the flags ask for (this binary's `analysis-worker`); null without
/// --isolate.
std::unique_ptr<IsolatedAnalysis> isolatedAnalysis(const IsolationFlags& isolation);

/// Adds the isolation flags to `cmd`.
void addIsolationOptions(CLI::App& cmd, IsolationFlags& isolation);

/// Adds the store flags, --cache-dir and the code-host flags to `cmd`.
void addRunnerCommon(CLI::App& cmd, RunnerCommon& common);

/// Adds the inventory flags (and the positional fleet files) to `cmd`.
void addInventoryOptions(CLI::App& cmd, InventoryFlags& inventory);

} // namespace godwit
