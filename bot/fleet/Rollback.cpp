#include "bot/fleet/Rollback.h"

#include "bot/PullRequestBody.h"
#include "bot/fleet/Campaign.h"
#include "bot/fleet/RepoState.h"

#include <nlohmann/json.hpp>

namespace godwit {
namespace {

using json = nlohmann::json;

std::string str(RepoState s) {
  return std::string(toString(s));
}

// The rollback of one repository; members hold what the steps share.
class RepoRollback {
public:
  RepoRollback(const Migration& migration, CodeHost& host, Store& store,
               const RollbackSettings& settings, CampaignRepoRecord& row)
      : migration_(migration), host_(host), store_(store), settings_(settings), row_(row),
        branch_(branchName(migration.name)), revertBranch_(revertBranchName(migration.name)) {}

  Expected<RollbackAction> run();

private:
  // Records the step before and after it happens; a dry run only says it.
  Expected<void> step(const std::string& kind, const std::string& what,
                      const std::function<Expected<void>()>& op) {
    done_.push_back((settings_.dryRun ? "would " : "") + what);
    if (settings_.dryRun)
      return {};
    const json details = {{"step", what}};
    if (Expected<void> r = logCampaignEvent(store_, migration_.name, kind + ".start",
                                            settings_.clock->now(), details.dump(), &row_);
        !r)
      return r;
    Expected<void> result = op();
    json after = details;
    if (!result)
      after["error"] = result.error().message;
    if (Expected<void> r = logCampaignEvent(store_, migration_.name, kind, settings_.clock->now(),
                                            after.dump(), &row_);
        !r)
      return r;
    return result;
  }
  Expected<RollbackAction> finish(RepoState state, const std::string& note) {
    RollbackAction action{row_.fullName, str(state), ""};
    action.closedPullRequest = closed_;
    action.openedPullRequest = opened_;
    for (const std::string& d : done_)
      action.what += (action.what.empty() ? "" : "; ") + d;
    if (action.what.empty())
      action.what = note;
    if (!settings_.dryRun && (row_.state != action.state || row_.note != note)) {
      row_.state = action.state;
      row_.note = note;
      if (Expected<void> r = store_.saveCampaignRepo(row_); !r)
        return r.error();
    }
    return action;
  }
  Expected<Workspace> workspace(const Repository& repo) {
    WorkspaceOptions options;
    options.cacheDir = settings_.cacheDir;
    options.identity = settings_.identity;
    options.token = [this] { return host_.gitToken(); };
    return Workspace::open(repo, options);
  }
  Expected<RollbackAction> closeOpen(const Repository& repo, const PullRequest& pr);
  Expected<RollbackAction> revertMerged(const Repository& repo, const PullRequest& pr);

  const Migration& migration_;
  CodeHost& host_;
  Store& store_;
  const RollbackSettings& settings_;
  CampaignRepoRecord& row_;
  std::string branch_;
  std::string revertBranch_;
  std::vector<std::string> done_;
  bool closed_ = false; ///< Not in a dry run: it closes nothing.
  bool opened_ = false;
};

Expected<RollbackAction> RepoRollback::closeOpen(const Repository& repo, const PullRequest& pr) {
  Expected<Workspace> ws = workspace(repo);
  if (!ws)
    return ws.error();
  Expected<std::optional<BranchState>> branch = ws->inspectBranch(branch_, repo.defaultBranch);
  if (!branch)
    return branch.error();
  const std::string where = repo.fullName + "#" + std::to_string(pr.number);
  if (*branch && (*branch)->humanEdited)
    return finish(RepoState::NeedsHuman,
                  where + ": " + branch_ + " has commits by " +
                      ((*branch)->humanName.empty() ? "someone else" : (*branch)->humanName) +
                      "; rollback leaves it alone");
  const std::string comment = std::string(kRollbackMarker) + "\nThe migration `" + migration_.name +
                              "` is being rolled back, so godwit closes this pull request and "
                              "deletes its branch. Nothing was merged.\n";
  if (Expected<void> r = step(
          "rollback.comment", "comment on " + where,
          [&] { return host_.upsertComment(repo.fullName, pr.number, kRollbackMarker, comment); });
      !r)
    return r.error();
  if (Expected<void> r = step("rollback.close", "close " + where,
                              [&] { return host_.closePullRequest(repo.fullName, pr.number); });
      !r)
    return r.error();
  closed_ = !settings_.dryRun;
  if (*branch)
    if (Expected<void> r = step("rollback.branch.delete", "delete " + branch_,
                                [&] { return host_.deleteBranch(repo.fullName, branch_); });
        !r)
      return r.error();
  return finish(RepoState::RolledBack, "closed " + where + " unmerged");
}

Expected<RollbackAction> RepoRollback::revertMerged(const Repository& repo, const PullRequest& pr) {
  const std::string where = repo.fullName + "#" + std::to_string(pr.number);
  Expected<std::optional<PullRequest>> existing =
      host_.findPullRequest(repo.fullName, revertBranch_);
  if (!existing)
    return existing.error();
  if (*existing)
    return finish(RepoState::Reverting,
                  "revert pull request #" + std::to_string((*existing)->number) + " for " + where);
  Expected<Workspace> ws = workspace(repo);
  if (!ws)
    return ws.error();
  Expected<std::optional<std::string>> tip = ws->remoteTip(repo.defaultBranch);
  if (!tip)
    return tip.error();
  if (!*tip)
    return finish(RepoState::NeedsHuman, "the default branch " + repo.defaultBranch + " is gone");
  Expected<std::optional<BranchState>> left = ws->inspectBranch(revertBranch_, repo.defaultBranch);
  if (!left)
    return left.error();
  Expected<std::optional<std::string>> tree = ws->revertedTree(pr.headSha, **tip);
  if (!tree)
    return finish(RepoState::NeedsHuman,
                  where + " cannot be reverted here: " + tree.error().message);
  if (!*tree)
    return finish(RepoState::NeedsHuman, "reverting " + where +
                                             " conflicts with later changes on " +
                                             repo.defaultBranch + "; revert it by hand");
  std::string sha;
  if (!settings_.dryRun) {
    Expected<std::string> commit =
        ws->createCommit(**tip, **tree,
                         "Revert the godwit migration " + migration_.name + "\n\nThis reverts " +
                             pr.headSha + " (" + where + ").\n");
    if (!commit)
      return commit.error();
    sha = *commit;
  }
  // A revert branch left by a run that stopped before opening its pull request is replaced.
  const std::string expected = *left && !(*left)->humanEdited ? (*left)->tip : "";
  if (*left && (*left)->humanEdited)
    return finish(RepoState::NeedsHuman, revertBranch_ + " has commits by someone else");
  if (Expected<void> r =
          step("rollback.push",
               "push " + revertBranch_ + " (one commit on " + (**tip).substr(0, 12) + ")",
               [&] { return ws->push(revertBranch_, sha, expected); });
      !r)
    return r.error();
  PullRequestSpec spec;
  spec.title = "Revert: " + (pr.title.empty() ? migration_.name : pr.title);
  spec.body = "godwit is rolling back the migration `" + migration_.name + "`. This reverts " +
              where + " in one commit on the current " + repo.defaultBranch + ".\n";
  spec.head = revertBranch_;
  spec.base = repo.defaultBranch;
  int64_t number = 0;
  if (Expected<void> r = step("rollback.pull_request.create", "open the revert pull request",
                              [&]() -> Expected<void> {
                                Expected<PullRequest> created =
                                    host_.createPullRequest(repo.fullName, spec);
                                if (!created)
                                  return created.error();
                                number = created->number;
                                return {};
                              });
      !r)
    return r.error();
  opened_ = !settings_.dryRun;
  return finish(RepoState::Reverting,
                "revert pull request #" + std::to_string(number) + " for " + where);
}

Expected<RollbackAction> RepoRollback::run() {
  if (row_.state == str(RepoState::OptedOut))
    return finish(RepoState::OptedOut, row_.note);
  Expected<Repository> repo = host_.repository(row_.fullName);
  if (!repo)
    return repo.error();
  Expected<std::optional<PullRequest>> pr = host_.findPullRequest(repo->fullName, branch_);
  if (!pr)
    return pr.error();
  if (!*pr)
    return finish(parseRepoState(row_.state).value_or(RepoState::Pending), "no pull request");
  if ((*pr)->merged)
    return revertMerged(*repo, **pr);
  if ((*pr)->state == "open")
    return closeOpen(*repo, **pr);
  const RepoState state =
      row_.state == str(RepoState::RolledBack) ? RepoState::RolledBack : RepoState::Closed;
  return finish(state, "#" + std::to_string((*pr)->number) + " is closed unmerged");
}

} // namespace

std::string revertBranchName(const std::string& migrationName) {
  return branchName(migrationName) + "-revert";
}

Expected<std::vector<RollbackAction>> rollbackCampaign(const Migration& migration, CodeHost& host,
                                                       Store& store,
                                                       const RollbackSettings& settings) {
  Expected<std::vector<CampaignRepoRecord>> rows = store.campaignRepos(migration.name);
  if (!rows)
    return rows.error();
  if (rows->empty())
    return makeError("no campaign " + migration.name + " in the store",
                     "check --store; rollback undoes what `sweep` recorded");
  bool found = settings.onlyRepo.empty();
  for (const CampaignRepoRecord& row : *rows)
    found = found || row.fullName == settings.onlyRepo;
  if (!found)
    return makeError("no repository " + settings.onlyRepo + " in campaign " + migration.name,
                     "give --repo as owner/name, as `status` lists it");
  if (!settings.dryRun && settings.onlyRepo.empty())
    if (Expected<void> r =
            logCampaignEvent(store, migration.name, "campaign.rollback", settings.clock->now());
        !r)
      return r.error();
  // Each scope (the campaign, or one repository) starts and finishes its rollback once; a run
  // an error stops says so every time.
  const std::string scope = settings.onlyRepo.empty() ? "" : "/" + settings.onlyRepo;
  const std::string what =
      settings.onlyRepo.empty() ? "the whole campaign" : settings.onlyRepo + " only";
  auto notify = [&](const std::string& event, const std::string& key,
                    const std::string& reason) -> Expected<void> {
    if (!settings.notifier || settings.dryRun)
      return {};
    return settings.notifier->notify(store, migration.name, {event, key, 0, reason},
                                     settings.clock->now());
  };
  if (Expected<void> r = notify("rollback-started", "rollback-started" + scope, what); !r)
    return r.error();
  std::vector<RollbackAction> actions;
  for (CampaignRepoRecord& row : *rows) {
    if (!settings.onlyRepo.empty() && row.fullName != settings.onlyRepo)
      continue;
    const auto began = std::chrono::steady_clock::now();
    RepoRollback one(migration, host, store, settings, row);
    Expected<RollbackAction> action = one.run();
    if (!action) {
      Error e{row.fullName + ": " + action.error().message, action.error().file, 0, 0,
              "run rollback again: it continues where it stopped"};
      if (Expected<void> r = notify("rollback-finished", "", e.message); !r)
        return r.error();
      return e;
    }
    action->took = std::chrono::steady_clock::now() - began;
    if (settings.progress)
      settings.progress(action->repository + ": " + action->state + ": " + action->what);
    actions.push_back(std::move(*action));
  }
  if (!settings.dryRun && settings.onlyRepo.empty()) {
    Expected<std::optional<CampaignRecord>> c = store.campaign(migration.name);
    if (c && *c && (*c)->state != "rolled-back") {
      CampaignRecord record = **c;
      record.state = "rolled-back";
      if (Expected<void> r = store.saveCampaign(record); !r)
        return r.error();
    }
  }
  if (Expected<void> r = notify("rollback-finished", "rollback-finished" + scope, ""); !r)
    return r.error();
  return actions;
}

} // namespace godwit
