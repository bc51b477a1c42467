#include "bot/Lifecycle.h"

#include "bot/PullRequestBody.h"
#include "rewriters/Patch.h"

#include <nlohmann/json.hpp>

namespace godwit {
namespace {

using json = nlohmann::json;

std::string shortSha(const std::string& sha) {
  return sha.substr(0, 12);
}

// Whether `branch` is the bot's one commit on an older base that already holds exactly
// `changes` (made from the new tip): the default branch did not touch the files they change,
// so the pull request merges as it is. A `before` that differs makes patchedTree fail.
bool stillApplies(const Workspace& ws, const BranchState& branch,
                  const std::vector<FileChange>& changes) {
  if (branch.humanEdited || branch.commits != 1 || branch.parents.size() != 1)
    return false;
  Expected<std::string> tree = ws.patchedTree(branch.parents.front(), changes);
  return tree && *tree == branch.tree;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items)
    out += (out.empty() ? "" : ", ") + item;
  return out;
}

LabelSpec labelSpec(const std::string& name) {
  if (name == "godwit")
    return {name, "5319e7", "Opened by godwit"};
  if (name == "dataset-migration")
    return {name, "1d76db", "Moves references to a dataset to its new location"};
  return {name, "ededed", ""};
}

// One lifecycle run; members hold what the steps share.
class LifecycleRun {
public:
  LifecycleRun(const Migration& migration, const std::string& fullName, CodeHost& host,
               Store& store, const LifecycleOptions& options)
      : migration_(migration), host_(host), store_(store), options_(options),
        branch_(branchName(migration.name)),
        prOptions_(options.pullRequest ? *options.pullRequest : pullRequestOptions(migration)) {
    result_.repository = fullName;
    result_.dryRun = options.dryRun;
  }

  Expected<LifecycleResult> execute();

private:
  void say(const std::string& line) const {
    if (options_.progress)
      options_.progress(result_.repository + ": " + line);
  }
  void act(const std::string& what) {
    std::string line = options_.dryRun ? "would " + what : what;
    result_.actions.push_back(line);
    say(line);
  }

  // Runs one code-host mutation: with --dry-run only reports it; otherwise performs it and logs
  // it (success or failure) in the event log.
  Expected<void> mutate(const std::string& kind, int64_t pr, json details,
                        const std::string& description, const std::function<Expected<void>()>& op) {
    if (options_.dryRun) {
      act(description);
      return {};
    }
    Expected<void> done = op();
    if (!done)
      details["error"] = done.error().message;
    EventRecord event;
    event.kind = kind;
    event.migration = migration_.name;
    event.repositoryId = repo_.id;
    event.repository = repo_.fullName;
    event.pullRequest = pr;
    event.details = details.dump();
    if (Expected<int64_t> logged = store_.appendEvent(event); !logged)
      return logged.error();
    if (!done)
      return done;
    act(description);
    return {};
  }

  Expected<void> save(const PullRequestRecord& record) {
    if (options_.dryRun)
      return {};
    return store_.savePullRequest(record);
  }

  // Records the end of the run; the outcome also decides the displayed state.
  Expected<LifecycleResult> finish(LifecycleOutcome outcome) {
    result_.outcome = outcome;
    result_.state = record_.display();
    if (!options_.dryRun) {
      if (Expected<void> saved = store_.savePullRequest(record_); !saved)
        return saved.error();
      if (runId_) {
        RunRecord run = runRecord();
        run.outcome = std::string(toString(outcome));
        if (Expected<void> done = store_.finishRun(run); !done)
          return done.error();
      }
    }
    say(std::string(toString(outcome)));
    return result_;
  }

  // A failed step: the record counts it (errored, then failed) and the run keeps the error.
  Error fail(Error error) {
    if (!options_.dryRun && repo_.id != 0) {
      record_.numFailures += 1;
      record_.reconcile = afterFailure(record_.numFailures, options_.maxFailures);
      record_.lastError = error.message;
      (void)store_.savePullRequest(record_);
      if (runId_) {
        RunRecord run = runRecord();
        run.outcome = "error";
        run.error = error.str();
        (void)store_.finishRun(run);
      }
    }
    say("error: " + error.message);
    return error;
  }

  RunRecord runRecord() const {
    RunRecord run;
    run.id = runId_;
    run.migration = migration_.name;
    run.repositoryId = repo_.id;
    run.baseSha = result_.baseSha;
    run.headSha = result_.headSha;
    run.filesChanged = static_cast<int64_t>(result_.filesChanged);
    run.rewrites = static_cast<int64_t>(result_.rewrites);
    run.attention = static_cast<int64_t>(result_.attention);
    return run;
  }

  void adopt(const PullRequest& pr) {
    record_.number = pr.number;
    record_.htmlUrl = pr.htmlUrl;
    record_.title = pr.title;
    record_.external = externalStateOf(pr);
    record_.publication = pr.draft ? PublicationState::Draft : PublicationState::Published;
    result_.pullRequest = pr;
  }

  Expected<LifecycleResult> closeObsolete(const PullRequest& pr, const RunResult& run);
  Expected<LifecycleResult> stopForHumanEdit(const std::optional<PullRequest>& open,
                                             const BranchState& branch);
  Expected<void> decorate(const PullRequest& pr);

  const Migration& migration_;
  CodeHost& host_;
  Store& store_;
  const LifecycleOptions& options_;
  std::string branch_;
  PullRequestOptions prOptions_;
  Repository repo_;
  PullRequestRecord record_;
  bool hadRecord_ = false;
  int64_t runId_ = 0;
  LifecycleResult result_;
};

Expected<LifecycleResult> LifecycleRun::execute() {
  say("looking up the repository");
  Expected<Repository> repo = host_.repository(result_.repository);
  if (!repo)
    return repo.error();
  repo_ = *repo;
  result_.repository = repo_.fullName;
  result_.repositoryId = repo_.id;

  Expected<std::optional<PullRequestRecord>> known = store_.pullRequest(migration_.name, repo_.id);
  if (!known)
    return known.error();
  hadRecord_ = known->has_value();
  if (hadRecord_) {
    record_ = **known;
  } else {
    record_.migration = migration_.name;
    record_.repositoryId = repo_.id;
  }
  record_.branch = branch_;
  record_.baseBranch = repo_.defaultBranch;

  if (!options_.dryRun) {
    MigrationRecord m{migration_.name, migration_.description, migration_.path, "", ""};
    if (Expected<void> r = store_.saveMigration(m); !r)
      return r.error();
    RepositoryRecord r{repo_.id,      repo_.fullName, repo_.defaultBranch,
                       repo_.htmlUrl, repo_.archived, ""};
    if (Expected<void> saved = store_.saveRepository(r); !saved)
      return saved.error();
  }

  if (repo_.archived) {
    act(std::string("skip: ") + repo_.fullName + " is archived");
    if (!options_.dryRun) {
      RunRecord run;
      run.migration = migration_.name;
      run.repositoryId = repo_.id;
      Expected<int64_t> id = store_.startRun(run);
      if (!id)
        return id.error();
      runId_ = *id;
    }
    if (!hadRecord_)
      record_.reconcile = ReconcileState::Completed;
    return finish(LifecycleOutcome::Skipped);
  }

  if (hadRecord_ && record_.reconcile == ReconcileState::Failed && !options_.retryFailed) {
    result_.outcome = LifecycleOutcome::Failed;
    result_.state = record_.display();
    result_.warnings.push_back("skipped: failed " + std::to_string(record_.numFailures) +
                               " times, last: " + record_.lastError +
                               " (run with --retry to try again)");
    say(result_.warnings.back());
    return result_;
  }

  if (!options_.dryRun) {
    RunRecord run;
    run.migration = migration_.name;
    run.repositoryId = repo_.id;
    Expected<int64_t> id = store_.startRun(run);
    if (!id)
      return id.error();
    runId_ = *id;
    record_.reconcile = ReconcileState::Processing;
    if (Expected<void> saved = store_.savePullRequest(record_); !saved)
      return saved.error();
  }

  say("fetching " + repo_.cloneUrl);
  auto began = std::chrono::steady_clock::now();
  WorkspaceOptions wsOptions;
  wsOptions.cacheDir = options_.cacheDir;
  wsOptions.identity = options_.identity;
  wsOptions.token = [this] { return host_.gitToken(); };
  wsOptions.log = [this](const std::string& line) {
    if (options_.log)
      options_.log(result_.repository + ": " + line);
    else
      say(line);
  };
  Expected<Workspace> ws = Workspace::open(repo_, wsOptions);
  if (!ws)
    return fail(ws.error());
  Expected<std::optional<std::string>> tip = ws->remoteTip(repo_.defaultBranch);
  if (!tip)
    return fail(tip.error());
  if (!*tip)
    return fail(makeError("the default branch '" + repo_.defaultBranch + "' of " + repo_.fullName +
                              " does not exist",
                          "push a first commit to the repository"));
  result_.baseSha = **tip;

  say("analyzing " + shortSha(result_.baseSha));
  bool optedOut = false;
  std::optional<Error> configError;
  Expected<RunResult> analyzed = [&]() -> Expected<RunResult> {
    Expected<Checkout> checkout = ws->checkout(result_.baseSha);
    const auto checkedOut = std::chrono::steady_clock::now();
    result_.gitTime += checkedOut - began;
    began = checkedOut;
    if (!checkout)
      return checkout.error();
    RunOptions runOptions = options_.run;
    runOptions.root = checkout->path();
    if (options_.prepare) {
      Expected<bool> proceed = options_.prepare(checkout->path(), runOptions, prOptions_);
      if (!proceed) {
        configError = proceed.error();
        return RunResult{};
      }
      if (!*proceed) {
        optedOut = true;
        return RunResult{};
      }
    }
    return options_.analyze ? options_.analyze(migration_, runOptions)
                            : runMigration(migration_, runOptions);
  }();
  result_.analysisTime += std::chrono::steady_clock::now() - began;
  if (!analyzed)
    return fail(analyzed.error());
  if (optedOut) {
    act("leave " + repo_.fullName + " alone: it opts out");
    record_.reconcile = ReconcileState::Completed;
    return finish(LifecycleOutcome::OptedOut);
  }
  if (configError) {
    // The repository's own configuration is wrong: a retry cannot fix it, its owners can.
    result_.warnings.push_back(configError->str());
    act("leave " + repo_.fullName + " alone: its configuration is invalid");
    record_.reconcile = ReconcileState::Completed;
    record_.lastError = configError->message;
    return finish(LifecycleOutcome::InvalidConfig);
  }
  const RunResult& run = *analyzed;
  result_.filesChanged = run.changes.size();
  result_.rewrites = countRewrites(run);
  result_.attention = countAttention(run);
  for (const Finding& f : run.findings)
    if (f.action == Action::Attention && !f.suppressed)
      result_.attentionItems.push_back(f.file + ":" + std::to_string(f.line) + ":" +
                                       std::to_string(f.column) + ": " + f.reason);
  result_.fileErrors = run.errors;
  if (options_.dryRun)
    result_.patch = renderPatch(run.changes);

  Expected<std::optional<PullRequest>> found = host_.findPullRequest(repo_.fullName, branch_);
  if (!found)
    return fail(found.error());
  Expected<std::optional<BranchState>> branch = ws->inspectBranch(branch_, repo_.defaultBranch);
  if (!branch)
    return fail(branch.error());

  std::optional<PullRequest> open;
  if (*found) {
    const PullRequest& pr = **found;
    bool closedUnmerged = pr.state == "closed" && !pr.merged;
    bool closedByUs = hadRecord_ && record_.closedByBot && record_.number == pr.number;
    if (closedUnmerged && !closedByUs) {
      // A person said no: never reopen or re-create it.
      adopt(pr);
      record_.reconcile = ReconcileState::Completed;
      record_.numFailures = 0;
      record_.lastError.clear();
      act("leave " + repo_.fullName + "#" + std::to_string(pr.number) +
          " alone: it was closed without merging");
      return finish(LifecycleOutcome::ClosedByHuman);
    }
    if (pr.state == "open")
      open = pr;
    else if (pr.merged && run.changes.empty()) {
      adopt(pr);
      record_.reconcile = ReconcileState::Completed;
      record_.numFailures = 0;
      record_.lastError.clear();
      return finish(LifecycleOutcome::Merged);
    }
  }
  if (*branch)
    result_.headSha = (*branch)->tip;

  const bool force = options_.rebase == RebasePolicy::Force;
  if (run.changes.empty()) {
    if (open && *branch && (*branch)->humanEdited && !force)
      return stopForHumanEdit(open, **branch);
    if (open)
      return closeObsolete(*open, run);
    record_.reconcile = ReconcileState::Completed;
    record_.numFailures = 0;
    record_.lastError.clear();
    act("nothing to change in " + repo_.fullName);
    return finish(LifecycleOutcome::NoChanges);
  }

  if (*branch && (*branch)->humanEdited && !force)
    return stopForHumanEdit(open, **branch);

  if (!open && options_.mayOpen && !options_.dryRun) {
    Expected<bool> may = options_.mayOpen(repo_);
    if (!may)
      return fail(may.error());
    if (!*may) {
      record_.reconcile = ReconcileState::Queued;
      say("a pull request is due; waiting for budget");
      return finish(LifecycleOutcome::Deferred);
    }
  }

  Expected<std::string> tree = ws->patchedTree(result_.baseSha, run.changes);
  if (!tree)
    return fail(tree.error());
  bool pushed = false;
  std::string commitBase = result_.baseSha; // The commit the bot's commit sits on after the run.
  if (*branch && branchIsCurrent(**branch, result_.baseSha, *tree)) {
    say(branch_ + " is up to date");
  } else if (*branch && options_.rebase == RebasePolicy::WhenNeeded &&
             stillApplies(*ws, **branch, run.changes)) {
    commitBase = (*branch)->parents.front();
    say(branch_ + " still applies on " + shortSha(result_.baseSha) + ": not rebased");
  } else {
    std::string expected = *branch ? (*branch)->tip : "";
    std::string sha;
    if (!options_.dryRun) {
      Expected<std::string> commit = ws->createCommit(
          result_.baseSha, *tree, renderCommitMessage(migration_, prOptions_, run));
      if (!commit)
        return fail(commit.error());
      sha = *commit;
    }
    json details = {{"branch", branch_},
                    {"from", expected},
                    {"to", sha},
                    {"base", result_.baseSha},
                    {"files", run.changes.size()}};
    std::string what = "push " + branch_ + " (one commit on " + shortSha(result_.baseSha) + ", " +
                       std::to_string(run.changes.size()) + " file" +
                       (run.changes.size() == 1 ? "" : "s") + ")";
    Expected<void> done = mutate("push", open ? open->number : 0, details, what,
                                 [&]() { return ws->push(branch_, sha, expected); });
    if (!done)
      return fail(done.error());
    if (!options_.dryRun)
      result_.headSha = sha;
    pushed = true;
  }
  record_.baseSha = commitBase;
  record_.headSha = result_.headSha;

  std::string body = renderPullRequestBody(migration_, prOptions_, repo_, commitBase, run);
  LifecycleOutcome outcome = LifecycleOutcome::Unchanged;
  if (open) {
    body = mergeBody(open->body, body, migration_.name);
    bool adopted = !hadRecord_ || record_.number != open->number;
    adopt(*open);
    if (open->title != prOptions_.title || open->body != body) {
      PullRequest updated = *open;
      Expected<void> done = mutate(
          "pull_request.update", open->number, {{"title", prOptions_.title}},
          "update the title and body of " + repo_.fullName + "#" + std::to_string(open->number),
          [&]() -> Expected<void> {
            Expected<PullRequest> pr =
                host_.updatePullRequest(repo_.fullName, open->number, prOptions_.title, body);
            if (!pr)
              return pr.error();
            updated = *pr;
            return {};
          });
      if (!done)
        return fail(done.error());
      adopt(updated);
      outcome = LifecycleOutcome::Updated;
    }
    if (pushed)
      outcome = LifecycleOutcome::Updated;
    if (adopted) {
      if (Expected<void> d = decorate(*open); !d)
        return fail(d.error());
      if (outcome == LifecycleOutcome::Unchanged)
        outcome = LifecycleOutcome::Opened;
    }
  } else {
    PullRequestSpec spec{prOptions_.title, body, branch_, repo_.defaultBranch, prOptions_.draft};
    PullRequest created;
    Expected<void> done = mutate(
        "pull_request.create", 0,
        {{"title", spec.title}, {"head", spec.head}, {"base", spec.base}, {"draft", spec.draft}},
        std::string("open a ") + (spec.draft ? "draft " : "") + "pull request '" + spec.title +
            "' from " + branch_ + " into " + spec.base,
        [&]() -> Expected<void> {
          Expected<PullRequest> pr = host_.createPullRequest(repo_.fullName, spec);
          if (!pr)
            return pr.error();
          created = *pr;
          return {};
        });
    if (!done)
      return fail(done.error());
    if (!options_.dryRun) {
      adopt(created);
      if (!result_.actions.empty())
        result_.actions.back() += ": " + created.htmlUrl;
    } else {
      record_.publication = spec.draft ? PublicationState::Draft : PublicationState::Published;
      record_.external = spec.draft ? ExternalState::Draft : ExternalState::Open;
    }
    if (Expected<void> d = decorate(created); !d)
      return fail(d.error());
    outcome = LifecycleOutcome::Opened;
  }
  record_.reconcile = ReconcileState::Completed;
  record_.numFailures = 0;
  record_.lastError.clear();
  record_.humanEdited = false;
  record_.closedByBot = false;
  return finish(outcome);
}

// Labels and reviewers: a failure is a warning, not a reason to fail the run.
Expected<void> LifecycleRun::decorate(const PullRequest& pr) {
  std::string where = pr.number ? repo_.fullName + "#" + std::to_string(pr.number)
                                : std::string("the new pull request");
  if (!prOptions_.labels.empty()) {
    std::vector<LabelSpec> specs;
    for (const std::string& name : prOptions_.labels)
      specs.push_back(labelSpec(name));
    Expected<void> done =
        mutate("labels.add", pr.number, {{"labels", prOptions_.labels}},
               "label " + where + " " + joined(prOptions_.labels), [&]() -> Expected<void> {
                 if (Expected<void> ensured = host_.ensureLabels(repo_.fullName, specs); !ensured)
                   return ensured;
                 return host_.addLabels(repo_.fullName, pr.number, prOptions_.labels);
               });
    if (!done)
      result_.warnings.push_back("could not label " + where + ": " + done.error().message);
  }
  if (!prOptions_.reviewers.empty()) {
    Expected<void> done =
        mutate("reviewers.request", pr.number, {{"reviewers", prOptions_.reviewers}},
               "request reviews of " + where + " from " + joined(prOptions_.reviewers), [&]() {
                 return host_.requestReviewers(repo_.fullName, pr.number, prOptions_.reviewers);
               });
    if (!done)
      result_.warnings.push_back("could not request reviewers on " + where + ": " +
                                 done.error().message);
  }
  return {};
}

Expected<LifecycleResult> LifecycleRun::closeObsolete(const PullRequest& pr, const RunResult& run) {
  adopt(pr);
  std::string where = repo_.fullName + "#" + std::to_string(pr.number);
  std::string comment = renderClosingComment(migration_, repo_, result_.baseSha, run);
  Expected<void> done =
      mutate("comment", pr.number, {{"marker", kClosedMarker}},
             "comment on " + where + " why it is closed", [&]() {
               return host_.upsertComment(repo_.fullName, pr.number, kClosedMarker, comment);
             });
  if (done)
    done = mutate("pull_request.close", pr.number, json::object(), "close " + where,
                  [&]() { return host_.closePullRequest(repo_.fullName, pr.number); });
  if (!done)
    return fail(done.error());
  record_.external = ExternalState::Closed;
  record_.closedByBot = true;
  if (result_.pullRequest)
    result_.pullRequest->state = "closed";
  Expected<void> deleted =
      mutate("branch.delete", pr.number, {{"branch", branch_}}, "delete " + branch_,
             [&]() { return host_.deleteBranch(repo_.fullName, branch_); });
  if (!deleted)
    result_.warnings.push_back("could not delete " + branch_ + ": " + deleted.error().message);
  else if (!options_.dryRun)
    result_.headSha.clear();
  record_.reconcile = ReconcileState::Completed;
  record_.numFailures = 0;
  record_.lastError.clear();
  return finish(LifecycleOutcome::Closed);
}

Expected<LifecycleResult> LifecycleRun::stopForHumanEdit(const std::optional<PullRequest>& open,
                                                         const BranchState& branch) {
  bool noticed = hadRecord_ && record_.humanEdited && open && record_.number == open->number;
  if (open) {
    adopt(*open);
    if (!noticed) {
      std::string where = repo_.fullName + "#" + std::to_string(open->number);
      std::string comment =
          renderHumanEditedComment(migration_, branch_, branch.humanName, branch.humanCommit);
      Expected<void> done = mutate(
          "comment", open->number, {{"marker", kHumanEditedMarker}, {"commit", branch.humanCommit}},
          "comment on " + where + " that " + branch_ + " was edited by someone else", [&]() {
            return host_.upsertComment(repo_.fullName, open->number, kHumanEditedMarker, comment);
          });
      if (!done)
        return fail(done.error());
    }
  }
  if (!noticed)
    act("stop pushing to " + branch_ + ": commit " + shortSha(branch.humanCommit) + " is by " +
        (branch.humanName.empty() ? std::string("someone else") : branch.humanName));
  record_.humanEdited = true;
  record_.headSha = branch.tip;
  record_.reconcile = ReconcileState::Completed;
  record_.numFailures = 0;
  record_.lastError.clear();
  return finish(LifecycleOutcome::HumanEdited);
}

} // namespace

std::string_view toString(LifecycleOutcome outcome) {
  switch (outcome) {
  case LifecycleOutcome::Skipped:
    return "skipped";
  case LifecycleOutcome::NoChanges:
    return "no-changes";
  case LifecycleOutcome::Opened:
    return "opened";
  case LifecycleOutcome::Updated:
    return "updated";
  case LifecycleOutcome::Unchanged:
    return "unchanged";
  case LifecycleOutcome::Merged:
    return "merged";
  case LifecycleOutcome::Closed:
    return "closed";
  case LifecycleOutcome::HumanEdited:
    return "human-edited";
  case LifecycleOutcome::ClosedByHuman:
    return "closed-by-human";
  case LifecycleOutcome::Failed:
    return "failed";
  case LifecycleOutcome::Deferred:
    return "deferred";
  case LifecycleOutcome::OptedOut:
    return "opted-out";
  case LifecycleOutcome::InvalidConfig:
    return "invalid-config";
  }
  return "unknown";
}

Expected<LifecycleResult> runLifecycle(const Migration& migration, const std::string& fullName,
                                       CodeHost& host, Store& store,
                                       const LifecycleOptions& options) {
  LifecycleRun run(migration, fullName, host, store, options);
  return run.execute();
}

} // namespace godwit
