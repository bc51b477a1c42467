#include "bot/fleet/Sweep.h"

#include "bot/PullRequestBody.h"
#include "bot/fleet/Campaign.h"
#include "bot/fleet/FencedStore.h"
#include "bot/fleet/Gate.h"
#include "bot/fleet/Limits.h"
#include "bot/fleet/RepoResult.h"
#include "bot/fleet/RepoState.h"
#include "bot/fleet/SharedWave.h"
#include "bot/fleet/Workers.h"
#include "bot/github/Auth.h"
#include "bot/store/PostgresStore.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <mutex>

namespace godwit {
namespace {

using json = nlohmann::json;

std::string str(RepoState s) {
  return std::string(toString(s));
}

bool finalState(const std::string& state) {
  auto s = parseRepoState(state);
  return s && isFinal(*s);
}

/// Whether a sweep works on a repository in `state`: every one in a dry run; otherwise those not
/// final, and those whose .godwit.yaml was invalid (its owners may have fixed it since), also in
/// waves that passed.
bool takesUp(const std::string& state, bool dryRun) {
  return dryRun || !finalState(state) || state == str(RepoState::InvalidConfig);
}

// The step of one claimed repository when runners share the campaign: its queue, its claim and
// the fenced store its writes go through; whether the step ended the job, and whether the claim
// was found lost.
struct ClaimStep {
  WorkQueue& queue;
  const WorkClaim& claim;
  FencedStore& store;
  bool completed = false;
  bool lost = false;
};

std::string lostClaim(const std::string& repository) {
  return repository + ": lost its claim (the lease ended and another runner took it); its result "
                      "is dropped";
}

// One sweep; members hold what the steps share.
class SweepRun {
public:
  SweepRun(const Migration& migration, const std::vector<FleetRepo>& inventory, CodeHost& host,
           const SweepSettings& settings)
      : migration_(migration), inventory_(inventory), host_(host), settings_(settings),
        rollout_(rolloutOf(migration)), dryRun_(settings.lifecycle.dryRun),
        branch_(branchName(migration.name)) {}

  Expected<SweepSummary> run();

private:
  WallClock::time_point now() const { return settings_.clock->now(); }
  Expected<void> log(Store& store, const std::string& kind, const json& details,
                     const CampaignRepoRecord* repo = nullptr) {
    return logCampaignEvent(store, migration_.name, kind, now(), details.dump(), repo);
  }
  Expected<void> notify(Store& store, const std::string& event, int wave,
                        const std::string& reason = "") {
    if (!settings_.notifier || dryRun_)
      return {};
    // A campaign finishes once; each wave starts once and pauses at its gate at most once.
    const std::string key =
        event == "campaign-finished" ? event : event + "/" + std::to_string(wave);
    return settings_.notifier->notify(store, migration_.name, {event, key, wave, reason}, now());
  }
  void processWave(std::vector<CampaignRepoRecord>& todo);
  void processSharedWave(const std::vector<CampaignRepoRecord>& todo);
  Expected<ClaimEnd> processClaim(const WorkClaim& claim, PostgresStore& store, WorkQueue& queue,
                                  size_t total);
  Expected<void> startSharing();
  Expected<bool> unchangedSinceAnalysis(const CampaignRepoRecord& row);
  Expected<void> processRepo(CampaignRepoRecord& row, Store& store,
                             std::optional<LifecycleOutcome>& outcome, ClaimStep* claim = nullptr);
  void setError(const Error& e) {
    std::lock_guard lock(errorMutex_);
    if (!storeError_)
      storeError_ = e;
    failed_ = true;
  }
  void logLine(const std::string& line) {
    if (settings_.lifecycle.log)
      settings_.lifecycle.log(line);
    else if (settings_.lifecycle.progress)
      settings_.lifecycle.progress(line);
  }
  Expected<void> refreshPulls(Store& store, std::vector<CampaignRepoRecord>& rows);
  Expected<SweepSummary> finish(Store& store, SweepSummary summary);
  void report(const CampaignRepoRecord& row, size_t total,
              std::optional<LifecycleOutcome> outcome, std::chrono::nanoseconds took) {
    const size_t done = ++done_;
    if (settings_.progress)
      settings_.progress(
          {row.fullName, row.state, row.note, row.wave, done, total, outcome, took});
  }

  const Migration& migration_;
  const std::vector<FleetRepo>& inventory_;
  CodeHost& host_;
  const SweepSettings& settings_;
  RolloutSettings rollout_;
  bool dryRun_;
  std::string branch_;
  std::mutex publishMutex_; ///< Held from the budget check until the new PR is recorded.
  std::atomic<bool> paused_{false};
  std::atomic<size_t> done_{0};
  std::atomic<size_t> processed_{0};
  std::atomic<size_t> analyzed_{0};
  std::atomic<int64_t> gitNanos_{0};
  std::atomic<int64_t> analysisNanos_{0};
  std::mutex errorMutex_;
  std::optional<Error> storeError_; ///< A store failure stops the sweep.
  std::atomic<bool> failed_{false}; ///< storeError_ is set.
  PostgresStore* shared_ = nullptr; ///< The sweep's store, when runners share the campaign.
  std::string runner_;
  std::unique_ptr<LeaseKeeper> keeper_;
  std::atomic<size_t> lost_{0};
};

// A repository whose last analysis read the default branch's current tip with this migration
// is not analyzed again, when its row is all the analysis would change: in a dry run, and for an
// invalid .godwit.yaml (it lives in that tree). One request and one listing of the remote's
// branches, no fetch. Anything unexpected says "changed": the lifecycle then finds out.
Expected<bool> SweepRun::unchangedSinceAnalysis(const CampaignRepoRecord& row) {
  if (row.analyzedBase.empty() || row.analyzedDigest != settings_.migrationDigest ||
      (!dryRun_ && row.state != str(RepoState::InvalidConfig)))
    return false;
  Expected<Repository> repo = host_.repository(row.fullName);
  if (!repo || repo->archived)
    return false;
  const auto began = std::chrono::steady_clock::now();
  Expected<std::optional<std::string>> tip =
      remoteBranchTip(repo->cloneUrl, repo->defaultBranch, [this] { return host_.gitToken(); });
  gitNanos_ += (std::chrono::steady_clock::now() - began).count();
  return tip && *tip && **tip == row.analyzedBase;
}

Expected<void> SweepRun::processRepo(CampaignRepoRecord& row, Store& store,
                                     std::optional<LifecycleOutcome>& outcome, ClaimStep* claim) {
  Expected<std::optional<CampaignRecord>> campaign = store.campaign(migration_.name);
  if (!campaign)
    return campaign.error();
  if (*campaign && (*campaign)->state == "paused") {
    paused_ = true;
    return {};
  }
  ++processed_;
  if (Expected<bool> same = unchangedSinceAnalysis(row); same && *same)
    return {};
  std::unique_lock publishing(publishMutex_, std::defer_lock);
  // A run stopped while opening this repository's pull request: it still counts as open, and
  // no one else publishes until it is settled.
  const bool resumingPublish = !row.publishingSince.empty();
  if (resumingPublish)
    publishing.lock();
  else if (!dryRun_ && row.pullRequest == 0 &&
           (rollout_.prsPerHour || rollout_.maxOpenPRs || rollout_.maxOpenPRsPerOwner ||
            !rollout_.windows.empty())) {
    // No budget now: do not even clone; the repository waits as `scheduled`.
    CampaignLimits limits(store, migration_.name, rollout_);
    Expected<BudgetDecision> d = limits.check(row.owner, now());
    if (!d)
      return d.error();
    if (!d->allowed) {
      if (row.state != str(RepoState::Scheduled) || row.note != d->reason) {
        row.state = str(RepoState::Scheduled);
        row.note = d->reason;
        if (Expected<void> r = store.saveCampaignRepo(row); !r)
          return r;
      }
      return {};
    }
  }

  row.state = str(RepoState::Running);
  if (Expected<void> r = store.saveCampaignRepo(row); !r)
    return r;
  if (Expected<void> r = log(store, "repo.start", json::object(), &row); !r)
    return r;

  LifecycleOptions options = settings_.lifecycle;
  std::string deferred;
  options.mayOpen = [&, outer = settings_.lifecycle.mayOpen](const Repository& repo)
      -> Expected<bool> {
    if (outer)
      if (Expected<bool> may = outer(repo); !may || !*may)
        return may;
    // Right before the first code-host write: a runner that lost its claim opens nothing.
    if (claim) {
      Expected<bool> holds = claim->store.check();
      if (!holds)
        return holds.error();
      if (!*holds)
        return makeError(lostClaim(row.fullName));
    }
    if (!publishing.owns_lock())
      publishing.lock();
    row.repositoryId = repo.id;
    row.publishingSince.clear();
    if (Expected<void> r = store.saveCampaignRepo(row); !r)
      return r.error();
    bool allowed = false;
    auto take = [&]() -> Expected<void> {
      CampaignLimits limits(store, migration_.name, rollout_);
      Expected<BudgetDecision> d = limits.check(row.owner, now());
      if (!d)
        return d.error();
      if (!d->allowed) {
        deferred = d->reason;
        return {};
      }
      row.publishingSince = isoMillis(now());
      if (Expected<void> r = store.saveCampaignRepo(row); !r)
        return r;
      allowed = true;
      return log(store, kPublishEvent, json::object(), &row);
    };
    // Runners sharing the campaign count and mark the budget one at a time: the marks
    // (publishingSince, the publish event) are what the next count sees.
    Expected<void> taken =
        claim ? claim->queue.withLock("budget " + migration_.name, take) : take();
    if (!taken)
      return taken.error();
    if (!allowed)
      publishing.unlock();
    return allowed;
  };
  Expected<LifecycleResult> result = runLifecycle(migration_, row.fullName, host_, store, options);
  if (result) {
    ++analyzed_;
    const LifecycleResult& r = *result;
    outcome = r.outcome;
    gitNanos_ += r.gitTime.count();
    analysisNanos_ += r.analysisTime.count();
    applyLifecycleResult(row, r, settings_.migrationDigest);
    if (row.state == str(RepoState::Scheduled))
      row.note = deferred;
    if (dryRun_ && row.state == str(RepoState::Open))
      row.note = "would open a pull request";
  } else {
    row.failures += 1;
    row.state =
        str(row.failures >= settings_.maxFailures ? RepoState::Failed : RepoState::Retrying);
    row.note = result.error().message;
  }
  row.publishingSince.clear();
  json details = {{"state", row.state},
                  {"rewrites", row.rewrites},
                  {"attention", row.attention},
                  {"pullRequest", row.pullRequest},
                  {"note", row.note}};
  if (claim) {
    // The result, the job's end and its event in one transaction, only if the claim holds.
    details["runner"] = runner_;
    JobResult end{result.hasValue(), result ? std::string() : result.error().message, row,
                  {campaignEvent(migration_.name, "repo.state", now(), details.dump(), &row)}};
    Expected<bool> completed = claim->store.lost() ? Expected<bool>(false)
                                                   : claim->queue.complete(claim->claim, end);
    if (!completed)
      return completed.error();
    claim->completed = true;
    claim->lost = !*completed;
    return {};
  }
  if (Expected<void> r = store.saveCampaignRepo(row); !r)
    return r;
  if (publishing.owns_lock())
    publishing.unlock();
  return log(store, "repo.state", details, &row);
}

void SweepRun::processWave(std::vector<CampaignRepoRecord>& todo) {
  const unsigned jobs = std::max(1u, settings_.jobs);
  std::vector<std::unique_ptr<Store>> stores(jobs);
  done_ = 0;
  runOnWorkers(todo.size(), jobs, [&](size_t i, unsigned worker) {
    if (paused_ || failed_)
      return;
    if (!stores[worker]) {
      Expected<std::unique_ptr<Store>> opened = settings_.openStore();
      if (!opened)
        return setError(opened.error());
      stores[worker] = std::move(*opened);
    }
    const auto began = std::chrono::steady_clock::now();
    std::optional<LifecycleOutcome> outcome;
    Expected<void> r = processRepo(todo[i], *stores[worker], outcome);
    if (!r)
      return setError(r.error());
    if (!paused_)
      report(todo[i], todo.size(), outcome, std::chrono::steady_clock::now() - began);
  });
}

Expected<ClaimEnd> SweepRun::processClaim(const WorkClaim& claim, PostgresStore& store,
                                          WorkQueue& queue, size_t total) {
  Expected<std::optional<CampaignRepoRecord>> fresh =
      store.campaignRepo(migration_.name, claim.fullName);
  if (!fresh)
    return fresh.error();
  if (!*fresh || !takesUp((*fresh)->state, dryRun_)) {
    // Another runner took it up since this one read the wave (or it left the plan).
    if (Expected<bool> r = queue.finish(claim, true); !r)
      return r.error();
    return ClaimEnd::Ended;
  }
  CampaignRepoRecord row = **fresh;
  FencedStore fenced(store, row.fullName, [&]() -> Expected<bool> {
    if (keeper_ && !keeper_->holds(claim))
      return false;
    return queue.renew(claim);
  });
  ClaimStep step{queue, claim, fenced};
  const auto began = std::chrono::steady_clock::now();
  std::optional<LifecycleOutcome> outcome;
  Expected<void> r = processRepo(row, fenced, outcome, &step);
  if (!r && !fenced.lost())
    return r.error();
  if (r && !step.completed) {
    if (paused_)
      return ClaimEnd::GiveBack;
    // Ended without the lifecycle (no budget, unchanged since the last analysis): the row
    // was written through the fence already.
    Expected<bool> finished = queue.finish(claim, true);
    if (!finished)
      return finished.error();
    step.lost = !*finished;
  }
  if (!r || step.lost) {
    ++lost_;
    logLine(lostClaim(row.fullName));
    return ClaimEnd::Ended;
  }
  report(row, total, outcome, std::chrono::steady_clock::now() - began);
  return ClaimEnd::Ended;
}

void SweepRun::processSharedWave(const std::vector<CampaignRepoRecord>& todo) {
  std::vector<std::string> names;
  for (const CampaignRepoRecord& r : todo)
    names.push_back(r.fullName);
  // Every runner queues what it found to do; the partial unique index drops what another
  // runner queued already.
  WorkQueue planner(*shared_, runner_, settings_.sharing.lease);
  if (Expected<int64_t> queued = planner.enqueue(migration_.name, names); !queued) {
    setError(queued.error());
    return;
  }
  done_ = 0;
  const unsigned jobs = std::max(1u, settings_.jobs);
  runOnWorkers(jobs, jobs, [&](size_t, unsigned) {
    Expected<std::unique_ptr<Store>> opened = settings_.openStore();
    if (!opened)
      return setError(opened.error());
    auto* store = dynamic_cast<PostgresStore*>(opened->get());
    if (!store)
      return setError(makeError("a shared sweep's workers must open its PostgreSQL store"));
    WorkQueue queue(*store, runner_, settings_.sharing.lease);
    SharedWave wave(queue, keeper_.get(),
                    {migration_.name, settings_.sharing.batch, settings_.sharing.maxResets,
                     settings_.sharing.poll});
    Expected<void> r = wave.run(
        [&](const WorkClaim& claim) { return processClaim(claim, *store, queue, todo.size()); },
        [this] { return paused_ || failed_; });
    if (!r)
      setError(r.error());
  });
}

Expected<void> SweepRun::startSharing() {
  runner_ = settings_.sharing.runner.empty() ? defaultRunnerId() : settings_.sharing.runner;
  Expected<std::unique_ptr<Store>> opened = settings_.openStore();
  if (!opened)
    return opened.error();
  if (!dynamic_cast<PostgresStore*>(opened->get()))
    return makeError("a shared sweep's heartbeat must open its PostgreSQL store");
  std::unique_ptr<PostgresStore> own(static_cast<PostgresStore*>(opened->release()));
  keeper_ = std::make_unique<LeaseKeeper>(std::move(own), runner_, settings_.sharing.lease,
                                          settings_.sharing.renewEvery);
  keeper_->start();
  return {};
}

Expected<void> SweepRun::refreshPulls(Store& store, std::vector<CampaignRepoRecord>& rows) {
  for (CampaignRepoRecord& row : rows) {
    if (row.state != str(RepoState::Open) && row.state != str(RepoState::HumanEdited))
      continue;
    Expected<std::optional<PullRequest>> pr = host_.findPullRequest(row.fullName, branch_);
    if (!pr)
      return pr.error();
    std::string state = row.state;
    if (*pr && (*pr)->merged)
      state = str(RepoState::Merged);
    else if (!*pr || (*pr)->state == "closed")
      state = str(RepoState::Closed);
    std::string ci = row.ci;
    if (*pr && state != str(RepoState::Merged) && state != str(RepoState::Closed)) {
      Expected<RefStatus> status = host_.refStatus(row.fullName, (*pr)->headSha);
      if (!status)
        return status.error();
      ci = status->state == "error" ? "failure" : status->state;
      row.headSha = (*pr)->headSha;
    }
    if (state == row.state && ci == row.ci)
      continue;
    row.state = state;
    row.ci = ci;
    if (Expected<void> r = store.saveCampaignRepo(row); !r)
      return r;
    if (Expected<void> r = log(store, "repo.state",
                               {{"state", row.state},
                                {"ci", row.ci},
                                {"rewrites", row.rewrites},
                                {"pullRequest", row.pullRequest}},
                               &row);
        !r)
      return r;
  }
  return {};
}

Expected<SweepSummary> SweepRun::finish(Store& store, SweepSummary summary) {
  Expected<std::optional<CampaignRecord>> campaign = store.campaign(migration_.name);
  if (!campaign)
    return campaign.error();
  if (*campaign)
    summary.campaignState = (*campaign)->state;
  if (summary.campaignState == "paused" && summary.stoppedBecause.empty())
    summary.stoppedBecause = "paused: " + (*campaign)->pauseReason;
  Expected<std::map<std::string, size_t>> totals = campaignStateTotals(store, migration_.name);
  if (!totals)
    return totals.error();
  summary.totals = std::move(*totals);
  summary.processed = processed_;
  summary.shared = shared_ != nullptr;
  summary.lostClaims = lost_;
  summary.analyzed = analyzed_;
  summary.gitTime = std::chrono::nanoseconds(gitNanos_.load());
  summary.analysisTime = std::chrono::nanoseconds(analysisNanos_.load());
  return summary;
}

Expected<SweepSummary> SweepRun::run() {
  Expected<std::unique_ptr<Store>> opened = settings_.openStore();
  if (!opened)
    return opened.error();
  Store& store = **opened;
  shared_ = dynamic_cast<PostgresStore*>(&store);
  if (shared_)
    if (Expected<void> r = startSharing(); !r)
      return r.error();
  std::optional<CampaignRecord> planned;
  auto plan = [&]() -> Expected<void> {
    Expected<CampaignRecord> made =
        ensureCampaign(store, migration_, settings_.migrationDigest, inventory_, dryRun_, now());
    if (!made)
      return made.error();
    planned = std::move(*made);
    return {};
  };
  // Runners that start together plan once: the others find the campaign made.
  if (Expected<void> r = shared_ ? WorkQueue(*shared_, runner_).withLock("plan " + migration_.name,
                                                                         plan)
                                 : plan();
      !r)
    return r.error();
  CampaignRecord* campaign = &*planned;
  Expected<std::vector<WaveRecord>> waves = store.waves(migration_.name);
  if (!waves)
    return waves.error();
  SweepSummary summary;
  summary.waves = static_cast<int>(waves->size());
  if (campaign->state == "paused")
    return finish(store, summary);
  if (!dryRun_ && (rollout_.maxOpenPRs || rollout_.maxOpenPRsPerOwner)) {
    // Pull requests merged or closed since the last sweep free their budget.
    Expected<std::vector<CampaignRepoRecord>> rows = store.campaignRepos(migration_.name);
    if (!rows)
      return rows.error();
    if (Expected<void> r = refreshPulls(store, *rows); !r)
      return r.error();
  }

  for (WaveRecord& wave : *waves) {
    summary.currentWave = wave.number;
    if (shared_) {
      // Another runner may have started, gated or passed the wave since the waves were read.
      Expected<std::vector<WaveRecord>> latest = store.waves(migration_.name);
      if (!latest)
        return latest.error();
      for (const WaveRecord& w : *latest)
        if (w.number == wave.number)
          wave = w;
    }
    const bool passed = !dryRun_ && wave.state == "passed";
    if (wave.state == "pending") {
      wave.state = "running";
      wave.startedAt = isoMillis(now());
      if (Expected<void> r = store.saveWave(wave); !r)
        return r.error();
      if (Expected<void> r = log(store, "wave.start", {{"wave", wave.number}}); !r)
        return r.error();
    }
    // Also when a run stopped between starting the wave and its notice.
    if (wave.state == "running")
      if (Expected<void> r = notify(store, "wave-started", wave.number); !r)
        return r.error();
    Expected<std::vector<CampaignRepoRecord>> rows = store.campaignRepos(migration_.name);
    if (!rows)
      return rows.error();
    std::vector<CampaignRepoRecord> todo;
    for (const CampaignRepoRecord& r : *rows)
      if (r.wave == wave.number && takesUp(r.state, dryRun_))
        todo.push_back(r);
    if (shared_)
      processSharedWave(todo);
    else
      processWave(todo);
    if (storeError_)
      return *storeError_;
    if (settings_.waveDone) {
      Expected<std::map<std::string, size_t>> totals = campaignStateTotals(store, migration_.name);
      if (!totals)
        return totals.error();
      settings_.waveDone(wave.number, *totals);
    }
    if (paused_)
      return finish(store, summary);
    if (passed)
      continue;

    rows = store.campaignRepos(migration_.name);
    if (!rows)
      return rows.error();
    std::vector<CampaignRepoRecord> inWave;
    size_t waiting = 0;
    std::string why;
    for (const CampaignRepoRecord& r : *rows) {
      if (r.wave != wave.number)
        continue;
      inWave.push_back(r);
      if (!finalState(r.state)) {
        ++waiting;
        if (why.empty())
          why = r.fullName + ": " + r.note;
      }
    }
    if (waiting > 0) {
      summary.stoppedBecause = "wave " + std::to_string(wave.number) + ": " +
                               std::to_string(waiting) + " repositories wait (" + why + ")";
      return finish(store, summary);
    }
    if (dryRun_)
      continue;
    if (wave.number == summary.waves)
      break;

    if (wave.state != "gated") {
      wave.state = "gated";
      wave.gatedAt = isoMillis(now());
      if (Expected<void> r = store.saveWave(wave); !r)
        return r.error();
      if (Expected<void> r = log(store, "wave.gated", {{"wave", wave.number}}); !r)
        return r.error();
    }
    if (Expected<void> r = refreshPulls(store, inWave); !r)
      return r.error();
    std::vector<GateRepo> gateRepos;
    for (const CampaignRepoRecord& r : inWave)
      gateRepos.push_back({r.state, r.ci});
    auto gatedAt = parseIsoUtc(wave.gatedAt);
    const GateVerdict verdict =
        evaluateGate(wave.number, gateRepos, rollout_, gatedAt ? *gatedAt : now(), now());
    if (verdict.action == GateVerdict::Action::Wait) {
      summary.stoppedBecause =
          "the gate of wave " + std::to_string(wave.number) + " waits: " + verdict.reason;
      return finish(store, summary);
    }
    if (verdict.action == GateVerdict::Action::Pause) {
      const std::string reason =
          "the gate of wave " + std::to_string(wave.number) + ": " + verdict.reason;
      if (Expected<void> r = pauseCampaign(store, migration_.name, reason, now()); !r)
        return r.error();
      if (Expected<void> r = notify(store, "gate-paused", wave.number, verdict.reason); !r)
        return r.error();
      return finish(store, summary);
    }
    wave.state = "passed";
    wave.passedAt = isoMillis(now());
    if (Expected<void> r = store.saveWave(wave); !r)
      return r.error();
    if (Expected<void> r =
            log(store, "wave.pass", {{"wave", wave.number}, {"reason", verdict.reason}});
        !r)
      return r.error();
  }

  CampaignRecord done = *campaign;
  if (Expected<std::optional<CampaignRecord>> latest = store.campaign(migration_.name);
      latest && *latest)
    done = **latest;
  if (done.state == "running") {
    done.state = "done";
    if (Expected<void> r = store.saveCampaign(done); !r)
      return r.error();
    if (Expected<void> r = log(store, "campaign.done", json::object()); !r)
      return r.error();
  }
  if (done.state == "done")
    if (Expected<void> r = notify(store, "campaign-finished", summary.currentWave); !r)
      return r.error();
  return finish(store, summary);
}

} // namespace

Expected<SweepSummary> sweepCampaign(const Migration& migration,
                                     const std::vector<FleetRepo>& inventory, CodeHost& host,
                                     const SweepSettings& settings) {
  SweepRun run(migration, inventory, host, settings);
  return run.run();
}

} // namespace godwit
