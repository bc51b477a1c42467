#include "bot/app/AppWork.h"

#include "bot/fleet/Campaign.h"
#include "bot/fleet/Inventory.h"
#include "bot/fleet/RepoResult.h"
#include "bot/fleet/RepoState.h"
#include "bot/github/RepositoryName.h"

#include <nlohmann/json.hpp>

#include <optional>

namespace godwit {
namespace {

using json = nlohmann::json;

constexpr size_t kMaxExplainedItems = 50;

std::string state(RepoState s) {
  return std::string(toString(s));
}

class Work {
public:
  Work(Store& store, const EventWork& work, int64_t installation, const AppWorkOptions& options)
      : store_(store), work_(work), installation_(installation), options_(options) {}

  Expected<void> run() {
    switch (work_.kind) {
    case EventWork::Kind::Run:
      return onRun();
    case EventWork::Kind::Command:
      return onCommand();
    case EventWork::Kind::Ci:
      return onCi();
    case EventWork::Kind::Settled:
      return onSettled();
    case EventWork::Kind::Scan:
      return onScan();
    case EventWork::Kind::Remove:
      return onRemove();
    case EventWork::Kind::Registry:
      return onRegistry();
    }
    return {};
  }

private:
  void log(const std::string& line) const {
    if (options_.log)
      options_.log(line);
  }

  const std::string& repoName() const { return work_.repository.fullName; }

  std::optional<ActiveMigration> active(const std::string& name) const {
    if (!options_.migrations)
      return std::nullopt;
    for (ActiveMigration& m : options_.migrations())
      if (m.migration.name == name)
        return std::move(m);
    return std::nullopt;
  }

  Expected<std::shared_ptr<CodeHost>> host() {
    if (!host_) {
      if (!options_.host)
        return makeError("the App has no code-host client", "configure the App's credentials");
      Expected<std::shared_ptr<CodeHost>> made = options_.host(installation_);
      if (!made)
        return made.error();
      host_ = *made;
    }
    return host_;
  }

  // The repository's row in the campaign of `migration`, if it has one.
  Expected<std::optional<CampaignRepoRecord>> row(const std::string& migration,
                                                   const std::string& fullName, int64_t id) {
    Expected<std::vector<CampaignRepoRecord>> rows = store_.campaignRepos(migration);
    if (!rows)
      return rows.error();
    for (CampaignRepoRecord& r : *rows)
      if ((id != 0 && r.repositoryId == id) || sameRepositoryName(r.fullName, fullName))
        return std::optional<CampaignRepoRecord>(std::move(r));
    return std::optional<CampaignRepoRecord>();
  }

  // Saves `row` with the campaign event that the report's burndown replays.
  Expected<void> saveRow(const CampaignRepoRecord& row, json details = json::object()) {
    if (Expected<void> saved = store_.saveCampaignRepo(row); !saved)
      return saved;
    details["state"] = row.state;
    details["rewrites"] = row.rewrites;
    details["attention"] = row.attention;
    details["pullRequest"] = row.pullRequest;
    details["note"] = row.note;
    details["source"] = "app";
    return logCampaignEvent(store_, row.campaign, "repo.state", options_.clock->now(),
                            details.dump(), &row);
  }

  // Runs the lifecycle of `m` in the work's repository and records the result in its campaign.
  Expected<LifecycleResult> lifecycle(const ActiveMigration& m, LifecycleOptions lo) {
    Expected<std::shared_ptr<CodeHost>> h = host();
    if (!h)
      return h.error();
    lo.mayOpen = [](const Repository&) -> Expected<bool> { return false; };
    Expected<LifecycleResult> r = runLifecycle(m.migration, repoName(), **h, store_, lo);
    if (!r)
      return r;
    log(repoName() + ": " + m.migration.name + ": " + std::string(toString(r->outcome)));
    if (lo.dryRun)
      return r;
    Expected<std::optional<CampaignRepoRecord>> found =
        row(m.migration.name, repoName(), work_.repository.id);
    if (!found)
      return found.error();
    if (*found) {
      CampaignRepoRecord updated = **found;
      applyLifecycleResult(updated, *r, m.digest);
      if (updated.state == state(RepoState::Scheduled))
        updated.note = "a pull request is due: the campaign's next sweep opens it, within its "
                       "limits";
      if (Expected<void> saved = saveRow(updated); !saved)
        return saved.error();
    }
    return r;
  }

  // Why the lifecycle must not run for `m` here (its campaign rolled back, the repository opted
  // out or rolled back); empty when it may.
  Expected<std::string> heldBack(const ActiveMigration& m) {
    Expected<std::optional<CampaignRecord>> c = store_.campaign(m.migration.name);
    if (!c)
      return c.error();
    if (*c && (**c).state == "rolled-back")
      return std::string("the campaign of " + m.migration.name + " was rolled back");
    Expected<std::optional<CampaignRepoRecord>> found =
        row(m.migration.name, repoName(), work_.repository.id);
    if (!found)
      return found.error();
    if (!*found)
      return std::string();
    for (RepoState held : {RepoState::OptedOut, RepoState::RolledBack, RepoState::Reverting,
                           RepoState::NeedsHuman})
      if ((**found).state == state(held))
        return std::string(repoName() + " is " + state(held) + " in the campaign of " +
                           m.migration.name);
    return std::string();
  }

  Expected<void> onRun() {
    std::optional<ActiveMigration> m = active(work_.migration);
    if (!m) {
      log(repoName() + ": " + work_.migration + " is not an active migration; nothing to run");
      return {};
    }
    Expected<std::string> held = heldBack(*m);
    if (!held)
      return held.error();
    if (!held->empty()) {
      log(*held + "; the push runs nothing");
      return {};
    }
    LifecycleOptions lo = options_.lifecycle;
    lo.rebase = RebasePolicy::WhenNeeded;
    Expected<LifecycleResult> r = lifecycle(*m, lo);
    if (!r)
      return r.error();
    return {};
  }

  Expected<void> reply(Command command, const std::string& text) {
    Expected<std::shared_ptr<CodeHost>> h = host();
    if (!h)
      return h.error();
    const std::string marker = commandReplyMarker(command);
    return (*h)->upsertComment(repoName(), work_.pullRequest, marker, marker + "\n" + text);
  }

  Expected<void> onCommand() {
    const Command command = work_.command.value_or(Command::Help);
    const std::string said = "`/godwit " + std::string(toString(command)) + "`";
    if (command == Command::Help)
      return reply(command, helpText());
    std::optional<ActiveMigration> m = active(work_.migration);
    if (!m)
      return reply(command, said + ": the migration `" + work_.migration +
                                "` is no longer active, so there is nothing to do.");
    LifecycleOptions lo = options_.lifecycle;
    switch (command) {
    case Command::Rebase:
    case Command::Retry: {
      Expected<std::string> held = heldBack(*m);
      if (!held)
        return held.error();
      if (!held->empty())
        return reply(command, said + ": " + *held + ", so there is nothing to do.");
      lo.rebase = command == Command::Rebase ? RebasePolicy::Force : RebasePolicy::WhenNeeded;
      lo.retryFailed = true;
      Expected<LifecycleResult> r = lifecycle(*m, lo);
      if (!r) {
        // The run's error is what the retry needs; a reply that failed too changes nothing.
        (void)reply(command, said + " did not finish: " + r.error().message +
                                 "\n\nIt will be tried again.");
        return r.error();
      }
      return reply(command, said + ": " + outcomeText(*r));
    }
    case Command::Skip:
      return skip(*m);
    case Command::Explain: {
      lo.dryRun = true;
      Expected<LifecycleResult> r = lifecycle(*m, lo);
      if (!r)
        return r.error();
      return reply(command, explainText(*m, *r));
    }
    case Command::Help:
      break;
    }
    return {};
  }

  // Opts the repository out: the pull request is closed as declined (never re-created) and the
  // campaign's row is final.
  Expected<void> skip(const ActiveMigration& m) {
    Expected<std::optional<PullRequestRecord>> pr =
        store_.pullRequest(m.migration.name, work_.repository.id);
    if (!pr)
      return pr.error();
    if (Expected<void> r = reply(Command::Skip,
                                 "`/godwit skip`: this repository is opted out of `" +
                                     m.migration.name +
                                     "`. The bot closes this pull request and will not open "
                                     "another one for this migration.");
        !r)
      return r;
    Expected<std::shared_ptr<CodeHost>> h = host();
    if (!h)
      return h.error();
    if (Expected<void> closed = (*h)->closePullRequest(repoName(), work_.pullRequest); !closed)
      return closed;
    if (*pr) {
      PullRequestRecord record = **pr;
      record.external = ExternalState::Closed;
      record.closedByBot = false; // Declined on a person's word: never re-created.
      record.reconcile = ReconcileState::Completed;
      if (Expected<void> saved = store_.savePullRequest(record); !saved)
        return saved;
    }
    Expected<std::optional<CampaignRepoRecord>> found =
        row(m.migration.name, repoName(), work_.repository.id);
    if (!found)
      return found.error();
    log(repoName() + ": opted out of " + m.migration.name + " with /godwit skip");
    if (!*found)
      return {};
    CampaignRepoRecord updated = **found;
    updated.state = state(RepoState::OptedOut);
    updated.note = "opted out with /godwit skip on #" + std::to_string(work_.pullRequest);
    return saveRow(updated);
  }

  Expected<void> onCi() {
    Expected<std::optional<CampaignRepoRecord>> found =
        row(work_.migration, repoName(), work_.repository.id);
    if (!found)
      return found.error();
    if (!*found || ((**found).state != state(RepoState::Open) &&
                    (**found).state != state(RepoState::HumanEdited)))
      return {};
    Expected<std::shared_ptr<CodeHost>> h = host();
    if (!h)
      return h.error();
    Expected<RefStatus> status = (*h)->refStatus(repoName(), work_.headSha);
    if (!status)
      return status.error();
    CampaignRepoRecord updated = **found;
    updated.ci = status->state == "error" ? "failure" : status->state;
    updated.headSha = work_.headSha;
    if (updated.ci == (**found).ci && updated.headSha == (**found).headSha)
      return {};
    log(repoName() + ": CI " + updated.ci + " on " + work_.headSha.substr(0, 12));
    return saveRow(updated, {{"ci", updated.ci}});
  }

  Expected<void> onSettled() {
    Expected<std::optional<PullRequestRecord>> pr =
        store_.pullRequest(work_.migration, work_.repository.id);
    if (!pr)
      return pr.error();
    Expected<std::optional<CampaignRepoRecord>> found =
        row(work_.migration, repoName(), work_.repository.id);
    if (!found)
      return found.error();
    if (!*pr || !*found || !(**pr).external)
      return {};
    CampaignRepoRecord updated = **found;
    if (*(**pr).external == ExternalState::Merged) {
      updated.state = state(RepoState::Merged);
      updated.note = "merged";
    } else if (*(**pr).external == ExternalState::Closed) {
      updated.state = state(RepoState::Closed);
      updated.note = (**pr).closedByBot ? "closed by the bot" : "closed without merging";
    } else if (*(**pr).external == ExternalState::Open) {
      updated.state = state(RepoState::Open);
      updated.note = "reopened";
    } else {
      return {};
    }
    if (updated.state == (**found).state)
      return {};
    return saveRow(updated);
  }

  // The active migrations whose campaign is real (not a dry run's record).
  Expected<std::vector<ActiveMigration>> campaigns() {
    std::vector<ActiveMigration> out;
    if (!options_.migrations)
      return out;
    for (ActiveMigration& m : options_.migrations()) {
      Expected<std::optional<CampaignRecord>> c = store_.campaign(m.migration.name);
      if (!c)
        return c.error();
      if (*c && !(**c).dryRun)
        out.push_back(std::move(m));
    }
    return out;
  }

  Expected<void> onScan() {
    Expected<std::vector<ActiveMigration>> active = campaigns();
    if (!active)
      return active.error();
    std::vector<FleetRepo> repos;
    for (const Repository& r : work_.repositories)
      repos.push_back(fleetRepoFrom(r, "installation " + std::to_string(installation_)));
    for (const ActiveMigration& m : *active) {
      Expected<CampaignRecord> c =
          ensureCampaign(store_, m.migration, m.digest, repos, false, options_.clock->now());
      if (!c)
        return c.error();
      log(std::to_string(repos.size()) + " installed repositories joined the campaign " +
          m.migration.name + "; its next sweep scans them");
    }
    return {};
  }

  Expected<void> onRemove() {
    Expected<std::vector<ActiveMigration>> active = campaigns();
    if (!active)
      return active.error();
    for (const ActiveMigration& m : *active)
      for (const Repository& r : work_.repositories) {
        Expected<std::optional<CampaignRepoRecord>> found = row(m.migration.name, r.fullName, r.id);
        if (!found)
          return found.error();
        if (!*found || (**found).state == state(RepoState::Merged) ||
            (**found).state == state(RepoState::Closed))
          continue;
        CampaignRepoRecord updated = **found;
        updated.state = state(RepoState::Skipped);
        updated.note = "removed from the App's installation: out of scope";
        if (Expected<void> saved = saveRow(updated); !saved)
          return saved;
        log(r.fullName + ": out of scope of " + m.migration.name + " (removed from the installation)");
      }
    return {};
  }

  Expected<void> onRegistry() {
    if (!options_.reloadRegistry) {
      log("a push to the registry " + repoName() + ", but no registry reload is configured");
      return {};
    }
    Expected<std::shared_ptr<CodeHost>> h = host();
    if (!h)
      return h.error();
    return options_.reloadRegistry(**h, work_.repository, work_.headSha);
  }

  static std::string helpText() {
    return "godwit understands these commands, each alone on a line of a comment by an owner, "
           "member or collaborator:\n\n"
           "- `/godwit rebase`: regenerate the bot's commit on the default branch, even over "
           "commits by others;\n"
           "- `/godwit retry`: run the migration again, also after it failed;\n"
           "- `/godwit skip`: opt this repository out of the migration (this pull request is "
           "closed and not opened again);\n"
           "- `/godwit explain`: list what the migration rewrites here and what needs a person.";
  }

  static std::string outcomeText(const LifecycleResult& r) {
    std::string text = std::string(toString(r.outcome));
    if (!r.baseSha.empty())
      text += " (analyzed " + r.baseSha.substr(0, 12) + ")";
    text += ".";
    for (const std::string& a : r.actions)
      text += "\n- " + a;
    return text;
  }

  std::string explainText(const ActiveMigration& m, const LifecycleResult& r) const {
    std::string text = "`/godwit explain`: `" + m.migration.name + "` on " +
                       r.baseSha.substr(0, 12) + " rewrites " + std::to_string(r.rewrites) +
                       " reference" + (r.rewrites == 1 ? "" : "s") + " in " +
                       std::to_string(r.filesChanged) + " file" +
                       (r.filesChanged == 1 ? "" : "s") + ".";
    if (r.attentionItems.empty())
      return text + " Nothing needs a person.";
    text += "\n\n" + std::to_string(r.attentionItems.size()) +
            (r.attentionItems.size() == 1 ? " reference needs" : " references need") +
            " a person (the bot does not change them):\n";
    for (size_t i = 0; i < r.attentionItems.size() && i < kMaxExplainedItems; ++i)
      text += "\n- `" + r.attentionItems[i] + "`";
    if (r.attentionItems.size() > kMaxExplainedItems)
      text += "\n- … and " + std::to_string(r.attentionItems.size() - kMaxExplainedItems) +
              " more (run `godwit dry-run` on a checkout for all)";
    return text;
  }

  Store& store_;
  const EventWork& work_;
  int64_t installation_;
  const AppWorkOptions& options_;
  std::shared_ptr<CodeHost> host_;
};

} // namespace

std::string commandReplyMarker(Command command) {
  return "<!-- godwit:reply " + std::string(toString(command)) + " -->";
}

Expected<void> performWork(Store& store, const EventWork& work, int64_t installationId,
                           const AppWorkOptions& options) {
  return Work(store, work, installationId, options).run();
}

} // namespace godwit
