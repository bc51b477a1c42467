#pragma once
// Discover: which repositories of a fleet consume the migration's datasets. Clones or fetches
// every repository into its bare cache and runs the engine on the default branch, in parallel;
// one repository that fails is reported and the others go on. Returns data; the command line
// formats it.

#include "bot/Lifecycle.h"
#include "bot/fleet/FleetRepo.h"
#include "bot/git/Workspace.h"
#include "bot/github/CodeHost.h"
#include "rewriters/Engine.h"
#include "rules/Migration.h"

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace godwit {

/// What discover found in one repository.
enum class DiscoverOutcome {
  Consumer,    ///< At least one reference to a migrated dataset (a rewrite or attention).
  NotConsumer, ///< Analyzed, no reference.
  OptedOut,    ///< Its `.godwit.yaml` opts out (the `prepare` hook said so); not analyzed.
  Archived,    ///< The code host says it is archived; not cloned.
  Failed,      ///< Could not be looked up, cloned or analyzed (see `error`).
};

/// The outcome's spelling in every output format: `consumer`, `not-consumer`, `opted-out`,
/// `archived`, `failed`.
std::string_view toString(DiscoverOutcome outcome);

/// One repository's result.
struct DiscoveredRepo {
  FleetRepo repo; ///< As listed, with what the code host or the clone told (branch, URL).
  DiscoverOutcome outcome = DiscoverOutcome::NotConsumer;
  std::string baseSha;     ///< The default branch tip analyzed.
  size_t files = 0;        ///< Files that refer to a migrated dataset.
  size_t rewrites = 0;     ///< References the bot would rewrite.
  size_t attention = 0;    ///< References a person must look at.
  std::vector<std::string> attentionItems; ///< `file:line:col: reason`.
  std::vector<std::string> fileErrors;     ///< Files the engine could not read; the rest counts.
  std::string error;                       ///< Why it failed, when Failed.
};

/// Totals over the fleet.
struct DiscoverTotals {
  size_t repositories = 0;
  size_t consumers = 0;
  size_t notConsumers = 0;
  size_t optedOut = 0;
  size_t archived = 0;
  size_t failed = 0;
  size_t files = 0; ///< Over the consumers.
  size_t rewrites = 0;
  size_t attention = 0;
};

/// Every repository's result, ordered by name (case-insensitive), and the totals.
struct DiscoverResult {
  std::vector<DiscoveredRepo> repos;
  DiscoverTotals totals;
};

/// One repository finished.
struct DiscoverProgress {
  const DiscoveredRepo* repo = nullptr;
  size_t done = 0;
  size_t total = 0;
  std::chrono::nanoseconds took{0}; ///< Time spent on the repository.
};

/// How discover runs.
struct DiscoverSettings {
  std::filesystem::path cacheDir; ///< Bare caches; empty means defaultCacheDir().
  unsigned jobs = 1;              ///< Repositories cloned and analyzed at once.
  RunOptions run;                 ///< Engine options; `root` is set to each checkout.
  Analysis analyze;               ///< Runs the engine; empty means runMigration in this process.
  TokenProvider token;            ///< Git credentials; empty offers none (file:// remotes).
  /// Called on each checkout before the analysis, as the sweep's `prepare`: may narrow the run;
  /// false leaves the repository alone (OptedOut). May be empty.
  std::function<Expected<bool>(const std::filesystem::path& checkout, RunOptions& run)> prepare;
  /// Called from worker threads (serialized) as repositories finish. May be empty.
  std::function<void(const DiscoverProgress&)> progress;
  /// Told what was done to a git cache beyond a fetch (WorkspaceOptions::log). May be empty.
  std::function<void(const std::string&)> log;
};

/// Discovers the consumers of `migration` in `fleet`. An entry without a clone URL is looked up
/// on `host` (which may be null when every entry has one); a default branch the entry does not
/// name is the one the remote's HEAD names.
DiscoverResult discoverConsumers(const Migration& migration, const std::vector<FleetRepo>& fleet,
                                 CodeHost* host, const DiscoverSettings& settings);

} // namespace godwit
