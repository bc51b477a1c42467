#include "bot/fleet/Discover.h"
#include "rules/Text.h"

#include "bot/PullRequestBody.h"
#include "bot/fleet/Workers.h"

#include <algorithm>
#include <cctype>
#include <mutex>
#include <set>

namespace godwit {
namespace {

// One repository: look it up when needed, fetch its cache, analyze its default branch.
class DiscoverJob {
public:
  DiscoverJob(const Migration& migration, CodeHost* host, const DiscoverSettings& settings,
              DiscoveredRepo& out)
      : migration_(migration), host_(host), settings_(settings), out_(out) {}

  void run() {
    if (Expected<void> r = analyze(); !r) {
      out_.outcome = DiscoverOutcome::Failed;
      out_.error = r.error().message;
    }
  }

private:
  Expected<bool> lookUp(Repository& repo) {
    FleetRepo& listed = out_.repo;
    if (!listed.cloneUrl.empty()) {
      repo = {listed.id, listed.fullName, listed.defaultBranch, listed.cloneUrl, listed.htmlUrl,
              false};
      return true;
    }
    if (!host_)
      return makeError("no clone URL for " + listed.fullName,
                       "give its cloneUrl in the fleet file, or a code host (--api-url with "
                       "--token-file or GITHUB_TOKEN) to look it up");
    Expected<Repository> found = host_->repository(listed.fullName);
    if (!found)
      return found.error();
    repo = *found;
    listed.id = found->id;
    listed.fullName = found->fullName;
    listed.cloneUrl = found->cloneUrl;
    listed.defaultBranch = found->defaultBranch;
    listed.htmlUrl = found->htmlUrl;
    return !found->archived;
  }

  Expected<void> analyze() {
    Repository repo;
    Expected<bool> live = lookUp(repo);
    if (!live)
      return live.error();
    if (!*live) {
      out_.outcome = DiscoverOutcome::Archived;
      return {};
    }
    WorkspaceOptions options;
    options.cacheDir = settings_.cacheDir;
    options.token = settings_.token;
    options.log = settings_.log;
    Expected<Workspace> ws = Workspace::open(repo, options);
    if (!ws)
      return ws.error();
    std::string branch = repo.defaultBranch.empty() ? ws->remoteHead() : repo.defaultBranch;
    if (branch.empty())
      return makeError("the remote of " + repo.fullName + " names no default branch",
                       "give its defaultBranch in the fleet file");
    out_.repo.defaultBranch = branch;
    Expected<std::optional<std::string>> tip = ws->remoteTip(branch);
    if (!tip)
      return tip.error();
    if (!*tip)
      return makeError("the default branch '" + branch + "' of " + repo.fullName +
                           " does not exist",
                       "push a first commit, or correct its defaultBranch");
    out_.baseSha = **tip;
    Expected<Checkout> checkout = ws->checkout(out_.baseSha);
    if (!checkout)
      return checkout.error();
    RunOptions run = settings_.run;
    run.root = checkout->path();
    if (settings_.prepare) {
      Expected<bool> proceed = settings_.prepare(checkout->path(), run);
      if (!proceed)
        return proceed.error();
      if (!*proceed) {
        out_.outcome = DiscoverOutcome::OptedOut;
        return {};
      }
    }
    Expected<RunResult> result =
        settings_.analyze ? settings_.analyze(migration_, run) : runMigration(migration_, run);
    if (!result)
      return result.error();
    std::set<std::string> files;
    for (const Finding& f : result->findings) {
      if (f.suppressed)
        continue;
      files.insert(f.file);
      if (f.action == Action::Attention)
        out_.attentionItems.push_back(f.file + ":" + std::to_string(f.line) + ":" +
                                      std::to_string(f.column) + ": " + f.reason);
    }
    for (const Error& e : result->errors)
      out_.fileErrors.push_back(e.message);
    out_.files = files.size();
    out_.rewrites = countRewrites(*result);
    out_.attention = countAttention(*result);
    out_.outcome = files.empty() ? DiscoverOutcome::NotConsumer : DiscoverOutcome::Consumer;
    return {};
  }

  const Migration& migration_;
  CodeHost* host_;
  const DiscoverSettings& settings_;
  DiscoveredRepo& out_;
};

void count(DiscoverTotals& t, const DiscoveredRepo& r) {
  ++t.repositories;
  switch (r.outcome) {
  case DiscoverOutcome::Consumer:
    ++t.consumers;
    t.files += r.files;
    t.rewrites += r.rewrites;
    t.attention += r.attention;
    break;
  case DiscoverOutcome::NotConsumer:
    ++t.notConsumers;
    break;
  case DiscoverOutcome::OptedOut:
    ++t.optedOut;
    break;
  case DiscoverOutcome::Archived:
    ++t.archived;
    break;
  case DiscoverOutcome::Failed:
    ++t.failed;
    break;
  }
}

} // namespace

std::string_view toString(DiscoverOutcome outcome) {
  switch (outcome) {
  case DiscoverOutcome::Consumer:
    return "consumer";
  case DiscoverOutcome::NotConsumer:
    return "not-consumer";
  case DiscoverOutcome::OptedOut:
    return "opted-out";
  case DiscoverOutcome::Archived:
    return "archived";
  case DiscoverOutcome::Failed:
    return "failed";
  }
  return "failed";
}

DiscoverResult discoverConsumers(const Migration& migration, const std::vector<FleetRepo>& fleet,
                                 CodeHost* host, const DiscoverSettings& settings) {
  DiscoverResult result;
  result.repos.resize(fleet.size());
  std::mutex progressMutex;
  size_t done = 0;
  runOnWorkers(fleet.size(), settings.jobs, [&](size_t i, unsigned) {
    DiscoveredRepo& out = result.repos[i];
    out.repo = fleet[i];
    const auto began = std::chrono::steady_clock::now();
    DiscoverJob(migration, host, settings, out).run();
    const std::chrono::nanoseconds took = std::chrono::steady_clock::now() - began;
    std::lock_guard lock(progressMutex);
    ++done;
    if (settings.progress)
      settings.progress({&out, done, fleet.size(), took});
  });
  std::stable_sort(result.repos.begin(), result.repos.end(),
                   [](const DiscoveredRepo& a, const DiscoveredRepo& b) {
                     return lower(a.repo.fullName) < lower(b.repo.fullName);
                   });
  for (const DiscoveredRepo& r : result.repos)
    count(result.totals, r);
  return result;
}

} // namespace godwit
