#pragma once
// `godwit pr`: the full pull-request lifecycle of one migration on one repository.

#include "bot/github/GitHubClient.h"
#include "cli/StoreOptions.h"

#include <CLI/CLI.hpp>

#include <string>

namespace godwit {

/// The flags of `godwit pr`.
struct PrOptions {
  std::string migration;
  std::string repo;
  bool dryRun = false;
  bool retryFailed = false;
  StoreFlags store;
  std::string cacheDir;
  std::string authorName;
  std::string authorEmail;
  unsigned jobs = 0;
  CodeHostFlags host;
};

/// Adds the `pr` subcommand and its flags to `app`.
CLI::App* addPrCommand(CLI::App& app, PrOptions& options);

/// Runs `godwit pr`; returns the exit code (0 done, 2 bad invocation, migration or
/// configuration, 3 the run failed).
int runPr(const PrOptions& options);

} // namespace godwit
