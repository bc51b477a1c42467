#pragma once
// The store as the step of one claimed repository sees it, when runners share a campaign: a
// runner that lost its claim writes nothing more for the repository.

#include "bot/store/Store.h"

#include <functional>
#include <string>

namespace godwit {

/// A Store whose reads pass through and whose writes first ask whether the claim still holds;
/// once it does not, every write is refused with an error and lost() is true.
class FencedStore final : public Store {
public:
  /// `holds` asks the queue (WorkQueue::renew, which also extends the lease); `repository` names
  /// the claimed repository in errors.
  FencedStore(Store& inner, std::string repository, std::function<Expected<bool>()> holds);

  /// Whether the claim still holds, asked now; false from the first no on.
  Expected<bool> check();
  /// Whether a check found the claim gone.
  bool lost() const { return lost_; }

  Expected<void> saveMigration(const MigrationRecord& migration) override;
  Expected<void> saveRepository(const RepositoryRecord& repository) override;
  Expected<std::optional<RepositoryRecord>> repository(int64_t id) override;
  Expected<std::optional<RepositoryRecord>> repositoryByName(const std::string& fullName) override;
  Expected<int64_t> startRun(const RunRecord& run) override;
  Expected<void> finishRun(const RunRecord& run) override;
  Expected<std::vector<RunRecord>> runs(const std::string& migration) override;
  Expected<std::optional<PullRequestRecord>> pullRequest(const std::string& migration,
                                                         int64_t repositoryId) override;
  Expected<void> savePullRequest(const PullRequestRecord& pr) override;
  Expected<std::vector<PullRequestRecord>> pullRequests(const std::string& migration) override;
  Expected<int64_t> appendEvent(const EventRecord& event) override;
  Expected<std::vector<EventRecord>> events(const std::string& migration,
                                            int64_t repositoryId = 0) override;
  Expected<int64_t> countEvents(const std::string& migration, const std::string& kind,
                                const std::string& since) override;
  Expected<void> saveCampaign(const CampaignRecord& campaign) override;
  Expected<std::optional<CampaignRecord>> campaign(const std::string& name) override;
  Expected<std::vector<CampaignRecord>> campaigns() override;
  Expected<void> deleteCampaignPlan(const std::string& name) override;
  Expected<void> saveWave(const WaveRecord& wave) override;
  Expected<std::vector<WaveRecord>> waves(const std::string& campaign) override;
  Expected<void> saveCampaignRepo(const CampaignRepoRecord& repo) override;
  Expected<int64_t> countOpenPullRequests(const std::string& campaign,
                                          const std::string& owner) override;
  Expected<std::vector<CampaignRepoRecord>> campaignRepos(const std::string& campaign) override;
  Expected<bool> enqueueDelivery(const DeliveryRecord& delivery) override;
  Expected<std::optional<DeliveryRecord>> claimDelivery(const std::string& worker,
                                                        const std::string& now,
                                                        const std::string& leaseUntil) override;
  Expected<bool> renewDelivery(const DeliveryRecord& claimed,
                               const std::string& leaseUntil) override;
  Expected<bool> finishDelivery(const DeliveryRecord& claimed, DeliveryOutcome outcome,
                                const std::string& error, const std::string& retryAt) override;
  Expected<int64_t> requeueStaleDeliveries(const std::string& worker,
                                           const std::string& now) override;
  Expected<std::optional<DeliveryRecord>> delivery(const std::string& deliveryId) override;
  Expected<std::vector<DeliveryCount>> deliveryCounts() override;
  Expected<int64_t> pruneDeliveries(const std::string& before) override;

private:
  /// Runs `write` if the claim holds; the refusal otherwise.
  template <class Write> auto fenced(Write&& write) -> decltype(write());

  Store& inner_;
  std::string repository_;
  std::function<Expected<bool>()> holds_;
  bool lost_ = false;
};

} // namespace godwit
