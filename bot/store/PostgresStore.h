#pragma once
// The Store in a PostgreSQL database (libpqxx), for many runners sharing one campaign: the same
// tables, states and append-only event log as SqliteStore, with versioned schema steps applied
// under an advisory lock.

#include "bot/store/Store.h"

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace godwit {

/// Whether `store` names a PostgreSQL database (`postgres://…` or `postgresql://…`).
bool isPostgresUrl(std::string_view store);

/// `url` with its password removed: the user information's `:password` and any `password=`
/// parameter. Everything godwit prints about a store shows this form.
std::string redactStoreUrl(std::string_view url);

/// How to reach the database besides its URL.
struct PostgresOptions {
  /// The password (from `--store-password-file`); empty leaves it to libpq: the URL's
  /// `passfile=`, `PGPASSWORD`, `PGPASSFILE` or `~/.pgpass`.
  std::string password;
};

/// A Store in a PostgreSQL database. One instance (one connection) per thread; any number of
/// processes may share the database.
class PostgresStore final : public Store {
public:
  /// The schema steps in order: step i takes a database from version i to i + 1. Versions 1, 2
  /// and 4 (webhook deliveries) are SqliteStore's; 3 adds the work queue (WorkQueue.h).
  static const std::vector<std::string>& schemaMigrations();

  /// Connects to `url` (`postgres://` or `postgresql://`, libpq's URI syntax) and brings the
  /// schema up to date. Errors show the URL without its password and never the password.
  static Expected<std::unique_ptr<PostgresStore>> open(const std::string& url,
                                                       const PostgresOptions& options = {});

  /// Like open(url, options) with other schema steps. Openers take turns on an advisory lock;
  /// each pending step runs in its own transaction, and a failing one leaves the previous version.
  static Expected<std::unique_ptr<PostgresStore>> open(const std::string& url,
                                                       const PostgresOptions& options,
                                                       const std::vector<std::string>& migrations);

  ~PostgresStore() override;
  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;

  /// The schema version of the database.
  Expected<int> schemaVersion();

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
                                const std::string& error,
                                const std::string& retryAt = {}) override;
  Expected<int64_t> requeueStaleDeliveries(const std::string& worker,
                                           const std::string& now) override;
  Expected<std::optional<DeliveryRecord>> delivery(const std::string& deliveryId) override;
  Expected<std::vector<DeliveryCount>> deliveryCounts() override;
  Expected<int64_t> pruneDeliveries(const std::string& before) override;

  /// The repository `fullName` of `campaign`, if planned: one row, for a runner that claimed it
  /// and must see what other runners made of it since it read the plan.
  Expected<std::optional<CampaignRepoRecord>> campaignRepo(const std::string& campaign,
                                                           const std::string& fullName);

private:
  friend class WorkQueue; // Claims on the same connection.
  struct Connection;
  explicit PostgresStore(std::unique_ptr<Connection> connection);
  Expected<void> migrate(const std::vector<std::string>& migrations);

  std::unique_ptr<Connection> db_;
};

} // namespace godwit
