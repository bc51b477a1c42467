#include "cli/PrCommand.h"

#include "bot/Lifecycle.h"
#include "bot/RepoConfig.h"
#include "bot/store/OpenStore.h"
#include "bot/store/PostgresStore.h"
#include "bot/store/SqliteStore.h"
#include "cli/CodeHostOptions.h"
#include "cli/Output.h"
#include "rules/Migration.h"

#include <filesystem>
#include <iostream>

namespace godwit {

CLI::App* addPrCommand(CLI::App& app, PrOptions& o) {
  CLI::App* pr = app.add_subcommand(
      "pr", "Open or update the migration's pull request on one repository (GitHub)");
  pr->add_option("--migration,-m", o.migration, "The migration file")->required();
  pr->add_option("--repo", o.repo, "The repository, owner/name")->required();
  pr->add_flag("--dry-run", o.dryRun,
               "Print what would be done and the diff; push, change and record nothing");
  pr->add_flag("--retry-failed", o.retryFailed, "Run even if the store marks the PR failed");
  addStoreOptions(*pr, o.store);
  pr->add_option("--cache-dir", o.cacheDir,
                 "Git cache folder (default: " + defaultCacheDir().string() + ")");
  pr->add_option("--author-name", o.authorName, "Commit author name (default: godwit[bot])");
  pr->add_option("--author-email", o.authorEmail, "Commit author email");
  pr->add_option("--jobs,-j", o.jobs, "Worker threads for the analysis (default: one per core)");
  addCodeHostOptions(*pr, o.host);
  return pr;
}

int runPr(const PrOptions& o) {
  auto migration = loadMigration(o.migration);
  if (!migration) {
    std::cerr << displayError(migration.error()) << "\n";
    return 2;
  }
  auto config = resolveCodeHostConfig(o.host);
  if (!config) {
    std::cerr << config.error().str() << "\n";
    return 2;
  }
  GitHubClientOptions clientOptions;
  clientOptions.log = [](const std::string& line) { std::cerr << "godwit: " << line << "\n"; };
  auto host = makeGitHubClient(*config, clientOptions);
  if (!host) {
    std::cerr << host.error().str() << "\n";
    return 2;
  }
  // A dry run records nothing: without a store file yet, it reads an empty one in memory.
  std::string where = o.store.store.empty() ? defaultStorePath().string() : o.store.store;
  if (o.dryRun && !isPostgresUrl(where) && !std::filesystem::exists(where))
    where = ":memory:";
  auto store = openStore(where, {o.store.passwordFile});
  if (!store) {
    std::cerr << store.error().str() << "\n";
    return 2;
  }

  LifecycleOptions options;
  options.cacheDir = o.cacheDir;
  if (!o.authorName.empty())
    options.identity.name = o.authorName;
  if (!o.authorEmail.empty())
    options.identity.email = o.authorEmail;
  options.dryRun = o.dryRun;
  options.retryFailed = o.retryFailed;
  options.run.jobs = o.jobs;
  options.prepare = repoConfigHook(migration->name);
  options.progress = [](const std::string& line) { std::cerr << "godwit: " << line << "\n"; };

  auto result = runLifecycle(*migration, o.repo, **host, **store, options);
  if (!result) {
    std::cerr << result.error().str() << "\n";
    return 3;
  }
  const LifecycleResult& r = *result;
  if (r.dryRun)
    std::cout << r.patch;
  std::ostream& out = r.dryRun ? std::cerr : std::cout;
  out << r.repository << ": " << toString(r.outcome) << (r.dryRun ? " (dry run)" : "") << "\n";
  for (const std::string& action : r.actions)
    out << "  " << action << "\n";
  for (const std::string& warning : r.warnings)
    std::cerr << (r.outcome == LifecycleOutcome::InvalidConfig ? "" : "  warning: ") << warning
              << "\n";
  for (const Error& e : r.fileErrors)
    std::cerr << "  " << e.str() << "\n";
  if (r.pullRequest)
    out << "  pull request #" << r.pullRequest->number << " " << r.pullRequest->htmlUrl << "\n";
  out << "  " << r.rewrites << " rewrites in " << r.filesChanged << " files, " << r.attention
      << " need attention\n";
  return r.outcome == LifecycleOutcome::InvalidConfig ? 2 : 0;
}

} // namespace godwit
