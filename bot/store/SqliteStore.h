#pragma once
// The default Store: one SQLite file in WAL mode with versioned schema migrations.

#include "bot/store/Store.h"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

struct sqlite3;

namespace godwit {

/// `$XDG_STATE_HOME/godwit/godwit.db`, else `~/.local/state/godwit/godwit.db`.
std::filesystem::path defaultStorePath();

/// A Store in one SQLite file. One instance per thread; several processes may share the file.
class SqliteStore final : public Store {
public:
  /// The schema steps in order: step i takes a database from version i to i + 1.
  static const std::vector<std::string>& schemaMigrations();

  /// Opens (creating it and its folder) the database at `file` and brings its schema up to date;
  /// `:memory:` gives a private in-memory store (nothing is written to disk).
  static Expected<std::unique_ptr<SqliteStore>> open(const std::filesystem::path& file);

  /// Like open(file) with other schema steps; each pending step runs in its own transaction and
  /// a failing one leaves the database at the previous version.
  static Expected<std::unique_ptr<SqliteStore>> open(const std::filesystem::path& file,
                                                     const std::vector<std::string>& migrations);

  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  /// The schema version of the open database.
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

private:
  SqliteStore(sqlite3* db, std::filesystem::path file);
  Error dbError(const std::string& what) const;
  Expected<void> exec(const std::string& sql);
  Expected<void> migrate(const std::vector<std::string>& migrations);

  sqlite3* db_ = nullptr;
  std::filesystem::path file_;
};

} // namespace godwit
