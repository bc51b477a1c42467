#include "bot/fleet/Campaign.h"

#include "bot/fleet/Limits.h"
#include "bot/fleet/Planner.h"
#include "bot/fleet/RepoState.h"
#include "bot/github/Auth.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <set>

namespace godwit {
namespace {

using json = nlohmann::json;

/// A campaign's state as reports show it: a dry run's plan is no campaign in progress.
std::string reportedState(const CampaignRecord& c) {
  return c.dryRun ? "dry-run" : c.state;
}

std::string lowerName(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  return s;
}

CampaignRepoRecord rowFor(const std::string& campaign, const PlannedRepo& p) {
  CampaignRepoRecord r;
  r.campaign = campaign;
  r.fullName = p.repo.fullName;
  r.repositoryId = p.repo.id;
  r.cloneUrl = p.repo.cloneUrl;
  r.owner = p.repo.owner;
  r.tier = p.repo.tier;
  r.wave = p.wave;
  r.position = p.position;
  r.waveReason = p.reason;
  r.state = std::string(toString(RepoState::Pending));
  return r;
}

} // namespace

std::string migrationDigest(std::string_view text) {
  uint64_t h = 1469598103934665603ull;
  for (char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

RolloutSettings rolloutOf(const Migration& migration) {
  return migration.rollout ? *migration.rollout : RolloutSettings{};
}

EventRecord campaignEvent(const std::string& campaign, const std::string& kind,
                          WallClock::time_point at, const std::string& details,
                          const CampaignRepoRecord* repo) {
  EventRecord e;
  e.at = isoMillis(at);
  e.kind = kind;
  e.migration = campaign;
  e.details = details;
  if (repo) {
    e.repositoryId = repo->repositoryId;
    e.repository = repo->fullName;
    e.pullRequest = repo->pullRequest;
  }
  return e;
}

Expected<void> logCampaignEvent(Store& store, const std::string& campaign, const std::string& kind,
                                WallClock::time_point at, const std::string& details,
                                const CampaignRepoRecord* repo) {
  Expected<int64_t> id = store.appendEvent(campaignEvent(campaign, kind, at, details, repo));
  if (!id)
    return id.error();
  return {};
}

Expected<CampaignRecord> ensureCampaign(Store& store, const Migration& migration,
                                        const std::string& digest,
                                        const std::vector<FleetRepo>& inventory, bool dryRun,
                                        WallClock::time_point now) {
  Expected<std::optional<CampaignRecord>> existing = store.campaign(migration.name);
  if (!existing)
    return existing.error();
  if (*existing && (*existing)->dryRun && !dryRun) {
    if (Expected<void> r = store.deleteCampaignPlan(migration.name); !r)
      return r.error();
    existing->reset();
  }
  if (*existing && !(*existing)->dryRun && dryRun)
    return makeError("campaign " + migration.name +
                         " has been swept for real; a dry run would "
                         "mix its records with what would happen",
                     "run the dry run with another --store, or look at `status` and `report`");

  const RolloutSettings rollout = rolloutOf(migration);
  if (!*existing) {
    CampaignRecord c;
    c.name = migration.name;
    c.migrationPath = migration.path;
    c.migrationDigest = digest;
    c.dryRun = dryRun;
    c.createdAt = isoMillis(now);
    if (Expected<void> r = store.saveCampaign(c); !r)
      return r.error();
    const Plan plan = planWaves(inventory, rollout.waves, rollout.seed);
    for (size_t w = 0; w < plan.waveSizes.size(); ++w)
      if (Expected<void> r =
              store.saveWave({c.name, static_cast<int>(w + 1), "pending", "", "", ""});
          !r)
        return r.error();
    for (const PlannedRepo& p : plan.repos)
      if (Expected<void> r = store.saveCampaignRepo(rowFor(c.name, p)); !r)
        return r.error();
    json details = {
        {"repositories", plan.repos.size()}, {"waves", plan.waveSizes}, {"dryRun", dryRun}};
    if (Expected<void> r = logCampaignEvent(store, c.name, "campaign.plan", now, details.dump());
        !r)
      return r.error();
    return c;
  }

  // Repositories listed since the plan was made join the last wave, after the others.
  CampaignRecord c = **existing;
  Expected<std::vector<CampaignRepoRecord>> rows = store.campaignRepos(c.name);
  if (!rows)
    return rows.error();
  Expected<std::vector<WaveRecord>> waves = store.waves(c.name);
  if (!waves)
    return waves.error();
  std::set<std::string> names;
  std::set<int64_t> ids;
  int position = 0;
  for (const CampaignRepoRecord& r : *rows) {
    names.insert(lowerName(r.fullName));
    if (r.repositoryId)
      ids.insert(r.repositoryId);
    position = std::max(position, r.position + 1);
  }
  std::vector<FleetRepo> added;
  for (const FleetRepo& repo : inventory)
    if (!names.count(lowerName(repo.fullName)) && !(repo.id && ids.count(repo.id)))
      added.push_back(repo);
  if (added.empty())
    return c;
  int lastWave = waves->empty() ? 1 : waves->back().number;
  if (waves->empty())
    if (Expected<void> r = store.saveWave({c.name, 1, "pending", "", "", ""}); !r)
      return r.error();
  const Plan plan = planWaves(added, {}, rollout.seed);
  for (PlannedRepo p : plan.repos) {
    p.wave = lastWave;
    p.position = position++;
    p.reason = "listed after the plan was made: joins the last wave";
    if (Expected<void> r = store.saveCampaignRepo(rowFor(c.name, p)); !r)
      return r.error();
  }
  json details = {{"repositories", added.size()}, {"wave", lastWave}};
  if (Expected<void> r = logCampaignEvent(store, c.name, "campaign.grow", now, details.dump()); !r)
    return r.error();
  return c;
}

Expected<void> pauseCampaign(Store& store, const std::string& name, const std::string& reason,
                             WallClock::time_point now) {
  Expected<std::optional<CampaignRecord>> c = store.campaign(name);
  if (!c)
    return c.error();
  if (!*c)
    return makeError("no campaign " + name + " in the store",
                     "sweep it first, or check --store and the migration's name");
  CampaignRecord record = **c;
  record.state = "paused";
  record.pauseReason = reason.empty() ? "paused by hand" : reason;
  if (Expected<void> r = store.saveCampaign(record); !r)
    return r;
  return logCampaignEvent(store, name, "campaign.pause", now,
                          json{{"reason", record.pauseReason}}.dump());
}

Expected<void> resumeCampaign(Store& store, const std::string& name, WallClock::time_point now) {
  Expected<std::optional<CampaignRecord>> c = store.campaign(name);
  if (!c)
    return c.error();
  if (!*c)
    return makeError("no campaign " + name + " in the store",
                     "sweep it first, or check --store and the migration's name");
  CampaignRecord record = **c;
  if (record.state != "paused")
    return {};
  Expected<std::vector<WaveRecord>> waves = store.waves(name);
  if (!waves)
    return waves.error();
  for (WaveRecord w : *waves) {
    if (w.state != "gated")
      continue;
    w.state = "passed";
    w.passedAt = isoMillis(now);
    if (Expected<void> r = store.saveWave(w); !r)
      return r;
    if (Expected<void> r = logCampaignEvent(store, name, "wave.pass", now,
                                            json{{"wave", w.number}, {"by", "resume"}}.dump());
        !r)
      return r;
  }
  const std::string reason = record.pauseReason;
  record.state = "running";
  record.pauseReason.clear();
  if (Expected<void> r = store.saveCampaign(record); !r)
    return r;
  return logCampaignEvent(store, name, "campaign.resume", now, json{{"paused", reason}}.dump());
}

Expected<CampaignReport> loadCampaignReport(Store& store, const std::string& name,
                                            const RolloutSettings& rollout,
                                            WallClock::time_point now) {
  Expected<std::optional<CampaignRecord>> c = store.campaign(name);
  if (!c)
    return c.error();
  if (!*c)
    return makeError("no campaign " + name + " in the store",
                     "sweep it first, or check --store and the migration's name");
  CampaignReport report;
  report.name = name;
  report.state = reportedState(**c);
  report.pauseReason = (*c)->pauseReason;
  report.createdAt = (*c)->createdAt;
  report.deadline = rollout.deadline;
  report.generatedAt = isoMillis(now);
  Expected<std::vector<WaveRecord>> waves = store.waves(name);
  if (!waves)
    return waves.error();
  Expected<std::vector<CampaignRepoRecord>> rows = store.campaignRepos(name);
  if (!rows)
    return rows.error();
  for (const WaveRecord& w : *waves) {
    ReportWave rw;
    rw.number = w.number;
    rw.state = w.state == "gated" && (*c)->state == "paused" ? "paused" : w.state;
    rw.startedAt = w.startedAt;
    rw.finishedAt = w.passedAt;
    report.waves.push_back(rw);
  }
  size_t finals = 0;
  for (const CampaignRepoRecord& r : *rows) {
    ReportRepo rr;
    rr.id = r.repositoryId;
    rr.fullName = r.fullName;
    rr.owner = r.owner;
    rr.tier = r.tier;
    rr.wave = r.wave;
    rr.waveReason = r.waveReason;
    rr.state = r.state;
    rr.pullRequest = r.pullRequest;
    rr.pullRequestUrl = r.pullRequestUrl;
    rr.ci = r.ci;
    rr.filesChanged = r.filesChanged;
    rr.rewrites = r.rewrites;
    rr.attention = r.attention;
    json items = json::parse(r.attentionItems, nullptr, false);
    if (items.is_array())
      for (const json& item : items)
        if (item.is_string())
          rr.attentionItems.push_back(item.get<std::string>());
    rr.error = r.note;
    rr.updatedAt = r.updatedAt;
    if (r.wave >= 1 && static_cast<size_t>(r.wave) <= report.waves.size())
      ++report.waves[static_cast<size_t>(r.wave - 1)].repositories;
    ++report.totals[r.state];
    if (auto state = parseRepoState(r.state); state && isFinal(*state))
      ++finals;
    report.repos.push_back(std::move(rr));
  }
  Expected<std::vector<EventRecord>> events = store.events(name);
  if (!events)
    return events.error();
  report.events = std::move(*events);

  // Projected finish at the rate so far: final repositories per second since the campaign began.
  auto started = parseIsoUtc(report.createdAt);
  if (started && finals > 0 && finals < report.repos.size() && now > *started) {
    const double perSecond =
        static_cast<double>(finals) / std::chrono::duration<double>(now - *started).count();
    const double left = static_cast<double>(report.repos.size() - finals) / perSecond;
    report.projectedFinish = isoMillis(now + std::chrono::duration_cast<WallClock::duration>(
                                                 std::chrono::duration<double>(left)))
                                 .substr(0, 10);
  } else if (finals == report.repos.size() && !report.repos.empty()) {
    report.projectedFinish = report.generatedAt.substr(0, 10);
  }
  return report;
}

Expected<std::optional<CampaignReport>> loadCampaignStatus(Store& store, const std::string& name,
                                                           WallClock::time_point now) {
  Expected<std::optional<CampaignRecord>> c = store.campaign(name);
  if (!c)
    return c.error();
  if (!*c)
    return std::optional<CampaignReport>();
  // The App may run where the runner's migration files are not: then the report lacks only
  // what the file adds (deadline, projection against it, description).
  std::optional<Migration> migration;
  if (!(*c)->migrationPath.empty())
    if (Expected<Migration> loaded = loadMigration((*c)->migrationPath))
      migration = std::move(*loaded);
  Expected<CampaignReport> report =
      loadCampaignReport(store, name, migration ? rolloutOf(*migration) : RolloutSettings{}, now);
  if (!report)
    return report.error();
  if (migration)
    report->description = migration->description;
  return std::optional<CampaignReport>(std::move(*report));
}

Expected<CampaignIndex> loadCampaignIndex(Store& store, WallClock::time_point now) {
  Expected<std::vector<CampaignRecord>> campaigns = store.campaigns();
  if (!campaigns)
    return campaigns.error();
  CampaignIndex index;
  index.generatedAt = isoMillis(now);
  for (const CampaignRecord& c : *campaigns) {
    Expected<std::map<std::string, size_t>> totals = campaignStateTotals(store, c.name);
    if (!totals)
      return totals.error();
    CampaignSummary summary;
    summary.name = c.name;
    summary.state = reportedState(c);
    summary.pauseReason = c.pauseReason;
    summary.createdAt = c.createdAt;
    summary.updatedAt = c.updatedAt;
    for (const auto& [state, n] : *totals)
      summary.repositories += n;
    summary.totals = std::move(*totals);
    index.campaigns.push_back(std::move(summary));
  }
  return index;
}

} // namespace godwit
