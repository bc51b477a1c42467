#include "bot/webhook/EventHandler.h"

#include "bot/github/RepositoryName.h"
#include "bot/store/StoreTime.h"

#include <algorithm>

namespace godwit {
namespace {

// `owner/name#number`, as notes show a pull request.
std::string where(const std::string& fullName, int64_t number) {
  return fullName + "#" + std::to_string(number);
}

// One event's handling: the store, what the App does next, and what is noted.
class Handling {
public:
  Handling(Store& store, const WebhookEvent& event, const HandlerOptions& options,
           const PerformWork& perform)
      : store_(store), event_(event), options_(options), perform_(perform) {}

  Expected<HandledEvent> run() {
    Expected<void> r = std::visit([this](const auto& details) { return on(details); },
                                  event_.details);
    if (!r)
      return r.error();
    return std::move(out_);
  }

private:
  Expected<void> ignore(std::string why) {
    out_.outcome = DeliveryOutcome::Ignored;
    out_.notes.push_back(std::move(why));
    return {};
  }

  void note(std::string what) { out_.notes.push_back(std::move(what)); }

  Expected<void> perform(EventWork work) {
    if (!perform_)
      return {};
    return perform_(work);
  }

  // The repository as the store knows it, else as the payload shows it.
  Expected<RepositoryRecord> repository() {
    const Repository& r = *event_.repository;
    Expected<std::optional<RepositoryRecord>> known = store_.repository(r.id);
    if (!known)
      return known.error();
    if (*known)
      return **known;
    return RepositoryRecord{r.id, r.fullName, r.defaultBranch, r.htmlUrl, r.archived, {}};
  }

  // The bot's pull request records in the event's repository, of every migration.
  Expected<std::vector<PullRequestRecord>> botPullRequests() {
    Expected<std::vector<PullRequestRecord>> all = store_.pullRequests("");
    if (!all)
      return all.error();
    std::vector<PullRequestRecord> out;
    for (PullRequestRecord& p : *all)
      if (p.repositoryId == event_.repository->id && p.number != 0)
        out.push_back(std::move(p));
    return out;
  }

  // The record of the bot's pull request `number` in the event's repository, if it is one.
  Expected<std::optional<PullRequestRecord>> botPullRequest(int64_t number) {
    Expected<std::vector<PullRequestRecord>> prs = botPullRequests();
    if (!prs)
      return prs.error();
    for (PullRequestRecord& p : *prs)
      if (p.number == number)
        return std::optional<PullRequestRecord>(std::move(p));
    return std::optional<PullRequestRecord>();
  }

  bool byBot(const std::string& login) const {
    return !options_.botLogin.empty() && login == options_.botLogin;
  }

  bool isRegistry(const std::string& fullName) const {
    return !options_.registryRepository.empty() &&
           sameRepositoryName(options_.registryRepository, fullName);
  }

  Expected<void> on(const IgnoredEvent& e) { return ignore(e.reason); }

  Expected<void> on(const PullRequestEvent& e) {
    if (!event_.repository)
      return ignore("pull_request without a repository");
    Expected<std::optional<PullRequestRecord>> found = botPullRequest(e.number);
    if (!found)
      return found.error();
    const std::string shown = where(event_.repository->fullName, e.number);
    if (!*found || (*found)->branch != e.headRef)
      return ignore(shown + " is not a pull request of the bot");
    PullRequestRecord pr = **found;
    const std::string& action = event_.action;
    if (action == "closed") {
      // A pull request closed unmerged by a person stays closed: the lifecycle never reopens or
      // re-creates it (closed_by_bot tells the bot's own closes apart).
      pr.external = e.merged ? ExternalState::Merged : ExternalState::Closed;
      pr.reconcile = ReconcileState::Completed;
      note("recorded " + shown + " of " + pr.migration + " as " +
           std::string(toString(*pr.external)));
    } else if (action == "reopened") {
      pr.external = ExternalState::Open;
      pr.closedByBot = false;
      note("recorded " + shown + " of " + pr.migration + " as open again");
    } else { // synchronize: the branch moved.
      if (e.headSha == pr.headSha || byBot(event_.sender))
        return ignore(shown + " moved to the bot's own commit " + e.headSha.substr(0, 12));
      pr.humanEdited = true;
      pr.headSha = e.headSha;
      note("recorded " + shown + " of " + pr.migration + " as edited by " + event_.sender +
           ": the bot no longer pushes to it");
    }
    if (Expected<void> saved = store_.savePullRequest(pr);
        !saved || (action != "closed" && action != "reopened"))
      return saved;
    Expected<RepositoryRecord> repo = repository();
    if (!repo)
      return repo.error();
    EventWork work;
    work.kind = EventWork::Kind::Settled;
    work.migration = pr.migration;
    work.repository = *repo;
    work.pullRequest = pr.number;
    return perform(std::move(work));
  }

  Expected<void> on(const PushEvent& e) {
    if (!event_.repository)
      return ignore("push without a repository");
    if (isRegistry(event_.repository->fullName)) {
      if (e.deleted || e.ref != "refs/heads/" + event_.repository->defaultBranch)
        return ignore("push to " + e.ref + " of the registry, not to its default branch");
      note("reload the migrations from " + event_.repository->fullName + " at " +
           e.after.substr(0, 12));
      EventWork work;
      work.kind = EventWork::Kind::Registry;
      work.repository = RepositoryRecord{event_.repository->id, event_.repository->fullName,
                                         event_.repository->defaultBranch,
                                         event_.repository->htmlUrl, false, {}};
      work.headSha = e.after;
      return perform(std::move(work));
    }
    Expected<RepositoryRecord> repo = repository();
    if (!repo)
      return repo.error();
    const std::string& branch =
        event_.repository->defaultBranch.empty() ? repo->defaultBranch
                                                 : event_.repository->defaultBranch;
    if (e.deleted || e.ref != "refs/heads/" + branch)
      return ignore("push to " + e.ref + " of " + repo->fullName + ", not to its default branch");
    Expected<std::vector<PullRequestRecord>> prs = botPullRequests();
    if (!prs)
      return prs.error();
    bool any = false;
    for (const PullRequestRecord& pr : *prs) {
      const bool merged = pr.external == ExternalState::Merged;
      const bool declined = pr.external == ExternalState::Closed && !pr.closedByBot;
      if (merged || declined)
        continue;
      any = true;
      note("run " + pr.migration + " in " + repo->fullName + " after the push to " + branch);
      EventWork work;
      work.kind = EventWork::Kind::Run;
      work.migration = pr.migration;
      work.repository = *repo;
      work.pullRequest = pr.number;
      if (Expected<void> r = perform(std::move(work)); !r)
        return r;
    }
    if (!any)
      return ignore("no open pull request of the bot in " + repo->fullName);
    return {};
  }

  Expected<void> on(const IssueCommentEvent& e) {
    if (!event_.repository)
      return ignore("issue_comment without a repository");
    if (!e.onPullRequest)
      return ignore("a comment on an issue, not on a pull request");
    if (byBot(e.user))
      return ignore("the bot's own comment");
    std::optional<Command> command = parseCommand(e.body);
    if (!command)
      return ignore("no /godwit command in the comment");
    Expected<std::optional<PullRequestRecord>> found = botPullRequest(e.issueNumber);
    if (!found)
      return found.error();
    const std::string shown = where(event_.repository->fullName, e.issueNumber);
    if (!*found)
      return ignore(shown + " is not a pull request of the bot");
    if (!mayCommand(e.authorAssociation))
      return ignore(e.user + " (" + e.authorAssociation + ") may not give commands on " + shown +
                    ": only OWNER, MEMBER or COLLABORATOR may");
    Expected<RepositoryRecord> repo = repository();
    if (!repo)
      return repo.error();
    note("/godwit " + std::string(toString(*command)) + " by " + e.user + " on " + shown);
    EventWork work;
    work.kind = EventWork::Kind::Command;
    work.migration = (*found)->migration;
    work.repository = *repo;
    work.pullRequest = e.issueNumber;
    work.command = command;
    return perform(std::move(work));
  }

  Expected<void> on(const InstallationEvent& e) {
    if (e.added.empty() && e.removed.empty())
      return ignore(event_.event + " " + event_.action + " names no repositories");
    for (auto [kind, list] : {std::pair{EventWork::Kind::Scan, &e.added},
                              std::pair{EventWork::Kind::Remove, &e.removed}}) {
      if (list->empty())
        continue;
      note(std::string(kind == EventWork::Kind::Scan ? "scan " : "out of scope: ") +
           std::to_string(list->size()) + " repositories of installation " +
           std::to_string(event_.installationId));
      EventWork work;
      work.kind = kind;
      work.repositories = *list;
      if (Expected<void> r = perform(std::move(work)); !r)
        return r;
    }
    return {};
  }

  Expected<void> on(const RepositoryEvent&) {
    const Repository& now = *event_.repository;
    Expected<std::optional<RepositoryRecord>> known = store_.repository(now.id);
    if (!known)
      return known.error();
    if (!*known)
      return ignore("repository " + now.fullName + " (" + std::to_string(now.id) +
                    ") is not one the bot knows");
    if (event_.action == "deleted") {
      Expected<std::vector<PullRequestRecord>> prs = botPullRequests();
      if (!prs)
        return prs.error();
      for (PullRequestRecord pr : *prs) {
        pr.external = ExternalState::Deleted;
        if (Expected<void> r = store_.savePullRequest(pr); !r)
          return r;
      }
      note("recorded " + now.fullName + " as deleted, with its " + std::to_string(prs->size()) +
           " pull requests of the bot");
      return {};
    }
    RepositoryRecord updated = **known;
    updated.fullName = now.fullName;
    if (!now.defaultBranch.empty())
      updated.defaultBranch = now.defaultBranch;
    if (!now.htmlUrl.empty())
      updated.htmlUrl = now.htmlUrl;
    updated.archived = now.archived;
    if (updated.fullName != (*known)->fullName)
      note("recorded " + (*known)->fullName + " as renamed to " + updated.fullName);
    else
      note("recorded repository " + updated.fullName + " as " + event_.action);
    return store_.saveRepository(updated);
  }

  Expected<void> on(const CiEvent& e) {
    if (!event_.repository)
      return ignore(event_.event + " without a repository");
    Expected<std::vector<PullRequestRecord>> prs = botPullRequests();
    if (!prs)
      return prs.error();
    Expected<RepositoryRecord> repo = repository();
    if (!repo)
      return repo.error();
    bool any = false;
    for (const PullRequestRecord& pr : *prs) {
      const bool named = std::find(e.pullRequests.begin(), e.pullRequests.end(), pr.number) !=
                         e.pullRequests.end();
      if (pr.headSha != e.headSha && !named)
        continue;
      any = true;
      note(event_.event + " " + e.state + " on " + where(repo->fullName, pr.number) + " of " +
           pr.migration);
      EventWork work;
      work.kind = EventWork::Kind::Ci;
      work.migration = pr.migration;
      work.repository = *repo;
      work.pullRequest = pr.number;
      work.headSha = e.headSha;
      if (Expected<void> r = perform(std::move(work)); !r)
        return r;
    }
    if (!any)
      return ignore(event_.event + " on " + e.headSha.substr(0, 12) +
                    ", not the head of a pull request of the bot");
    return {};
  }

  Store& store_;
  const WebhookEvent& event_;
  const HandlerOptions& options_;
  const PerformWork& perform_;
  HandledEvent out_;
};

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines)
    out += (out.empty() ? "" : "; ") + l;
  return out;
}

} // namespace

Expected<HandledEvent> handleEvent(Store& store, const WebhookEvent& event,
                                   const HandlerOptions& options, const PerformWork& perform) {
  return Handling(store, event, options, perform).run();
}

std::chrono::seconds retryDelay(int attempts, const HandlerOptions& options) {
  std::chrono::seconds delay = options.firstRetry;
  for (int i = 1; i < attempts && delay < options.maxRetry; ++i)
    delay *= 2;
  return std::min(delay, options.maxRetry);
}

Expected<DeliveryOutcome> processDelivery(Store& store, const DeliveryRecord& claimed,
                                          const HandlerOptions& options,
                                          const PerformWork& perform,
                                          std::chrono::system_clock::time_point now) {
  DeliveryOutcome outcome = DeliveryOutcome::Done;
  std::string error;
  std::string retryAt;
  Expected<WebhookEvent> event = readWebhookEvent(claimed.event, claimed.payload);
  if (!event) {
    // The same bytes will not read better later.
    outcome = DeliveryOutcome::Failed;
    error = event.error().message;
  } else if (Expected<HandledEvent> handled = handleEvent(store, *event, options, perform);
             handled) {
    outcome = handled->outcome;
    if (outcome == DeliveryOutcome::Ignored)
      error = joined(handled->notes);
  } else {
    error = handled.error().message;
    outcome = claimed.attempts >= options.maxAttempts ? DeliveryOutcome::Failed
                                                      : DeliveryOutcome::Retry;
    retryAt = storeTimestamp(now + retryDelay(claimed.attempts, options));
  }
  Expected<bool> finished = store.finishDelivery(claimed, outcome, error, retryAt);
  if (!finished)
    return finished.error();
  if (!*finished)
    return makeError("delivery " + claimed.deliveryId + " was taken from " + claimed.lockedBy +
                         " before it finished (its lease ended)",
                     "its lease was not renewed in time: the store was unreachable, or the "
                     "instance paused, for longer than --lease");
  return outcome;
}

} // namespace godwit
