#include "bot/fleet/FencedStore.h"

namespace godwit {

FencedStore::FencedStore(Store& inner, std::string repository,
                         std::function<Expected<bool>()> holds)
    : inner_(inner), repository_(std::move(repository)), holds_(std::move(holds)) {}

Expected<bool> FencedStore::check() {
  if (lost_)
    return false;
  Expected<bool> holds = holds_();
  if (holds && !*holds)
    lost_ = true;
  return holds;
}

template <class Write> auto FencedStore::fenced(Write&& write) -> decltype(write()) {
  Expected<bool> holds = check();
  if (!holds)
    return holds.error();
  if (!*holds)
    return makeError("the claim of " + repository_ +
                         " was lost (its lease ended and another runner took it): the write is "
                         "dropped",
                     "nothing to do: the runner that holds the repository now records it");
  return write();
}

Expected<void> FencedStore::saveMigration(const MigrationRecord& m) {
  return fenced([&] { return inner_.saveMigration(m); });
}
Expected<void> FencedStore::saveRepository(const RepositoryRecord& r) {
  return fenced([&] { return inner_.saveRepository(r); });
}
Expected<std::optional<RepositoryRecord>> FencedStore::repository(int64_t id) {
  return inner_.repository(id);
}
Expected<std::optional<RepositoryRecord>> FencedStore::repositoryByName(const std::string& name) {
  return inner_.repositoryByName(name);
}
Expected<int64_t> FencedStore::startRun(const RunRecord& run) {
  return fenced([&] { return inner_.startRun(run); });
}
Expected<void> FencedStore::finishRun(const RunRecord& run) {
  return fenced([&] { return inner_.finishRun(run); });
}
Expected<std::vector<RunRecord>> FencedStore::runs(const std::string& migration) {
  return inner_.runs(migration);
}
Expected<std::optional<PullRequestRecord>> FencedStore::pullRequest(const std::string& migration,
                                                                    int64_t repositoryId) {
  return inner_.pullRequest(migration, repositoryId);
}
Expected<void> FencedStore::savePullRequest(const PullRequestRecord& pr) {
  return fenced([&] { return inner_.savePullRequest(pr); });
}
Expected<std::vector<PullRequestRecord>> FencedStore::pullRequests(const std::string& migration) {
  return inner_.pullRequests(migration);
}
Expected<int64_t> FencedStore::appendEvent(const EventRecord& event) {
  return fenced([&] { return inner_.appendEvent(event); });
}
Expected<std::vector<EventRecord>> FencedStore::events(const std::string& migration,
                                                       int64_t repositoryId) {
  return inner_.events(migration, repositoryId);
}
Expected<int64_t> FencedStore::countEvents(const std::string& migration, const std::string& kind,
                                           const std::string& since) {
  return inner_.countEvents(migration, kind, since);
}
Expected<void> FencedStore::saveCampaign(const CampaignRecord& campaign) {
  return fenced([&] { return inner_.saveCampaign(campaign); });
}
Expected<std::optional<CampaignRecord>> FencedStore::campaign(const std::string& name) {
  return inner_.campaign(name);
}
Expected<std::vector<CampaignRecord>> FencedStore::campaigns() {
  return inner_.campaigns();
}
Expected<void> FencedStore::deleteCampaignPlan(const std::string& name) {
  return fenced([&] { return inner_.deleteCampaignPlan(name); });
}
Expected<void> FencedStore::saveWave(const WaveRecord& wave) {
  return fenced([&] { return inner_.saveWave(wave); });
}
Expected<std::vector<WaveRecord>> FencedStore::waves(const std::string& campaign) {
  return inner_.waves(campaign);
}
Expected<void> FencedStore::saveCampaignRepo(const CampaignRepoRecord& repo) {
  return fenced([&] { return inner_.saveCampaignRepo(repo); });
}
Expected<int64_t> FencedStore::countOpenPullRequests(const std::string& campaign,
                                                     const std::string& owner) {
  return inner_.countOpenPullRequests(campaign, owner);
}
Expected<std::vector<CampaignRepoRecord>> FencedStore::campaignRepos(const std::string& campaign) {
  return inner_.campaignRepos(campaign);
}
Expected<bool> FencedStore::enqueueDelivery(const DeliveryRecord& d) {
  return fenced([&] { return inner_.enqueueDelivery(d); });
}
Expected<std::optional<DeliveryRecord>> FencedStore::claimDelivery(const std::string& worker,
                                                                   const std::string& now,
                                                                   const std::string& leaseUntil) {
  return fenced([&] { return inner_.claimDelivery(worker, now, leaseUntil); });
}
Expected<bool> FencedStore::renewDelivery(const DeliveryRecord& claimed,
                                          const std::string& leaseUntil) {
  return fenced([&] { return inner_.renewDelivery(claimed, leaseUntil); });
}
Expected<bool> FencedStore::finishDelivery(const DeliveryRecord& claimed, DeliveryOutcome outcome,
                                           const std::string& error, const std::string& retryAt) {
  return fenced([&] { return inner_.finishDelivery(claimed, outcome, error, retryAt); });
}
Expected<int64_t> FencedStore::requeueStaleDeliveries(const std::string& worker,
                                                      const std::string& now) {
  return fenced([&] { return inner_.requeueStaleDeliveries(worker, now); });
}
Expected<std::optional<DeliveryRecord>> FencedStore::delivery(const std::string& deliveryId) {
  return inner_.delivery(deliveryId);
}
Expected<std::vector<DeliveryCount>> FencedStore::deliveryCounts() {
  return inner_.deliveryCounts();
}
Expected<int64_t> FencedStore::pruneDeliveries(const std::string& before) {
  return fenced([&] { return inner_.pruneDeliveries(before); });
}

} // namespace godwit
