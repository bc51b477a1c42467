#pragma once
// The bot's record of what it did: migrations, repositories, runs, pull requests and an
// append-only log of every mutation made on a code host. The code host is the source of truth;
// the store is a record that a re-run corrects.

#include "bot/store/ChangesetState.h"
#include "rules/Expected.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace godwit {

/// A migration the bot has run.
struct MigrationRecord {
  std::string name; ///< Key.
  std::string description;
  std::string path;      ///< The migration file as given on the command line.
  std::string firstSeen; ///< UTC, ISO 8601; set by the store.
  std::string lastSeen;  ///< UTC, ISO 8601; set by the store.
};

/// A repository as last seen on the code host, keyed by its numeric id (names change).
struct RepositoryRecord {
  int64_t id = 0;
  std::string fullName; ///< Unique among the repositories the store knows.
  std::string defaultBranch;
  std::string htmlUrl;
  bool archived = false;
  std::string updatedAt; ///< Set by the store.
};

/// One lifecycle run of a migration over a repository.
struct RunRecord {
  int64_t id = 0; ///< Assigned by startRun.
  std::string migration;
  int64_t repositoryId = 0;
  std::string startedAt;  ///< Set by the store.
  std::string finishedAt; ///< Set by finishRun.
  std::string outcome;    ///< Lifecycle outcome name; empty while running.
  std::string baseSha;
  std::string headSha;
  int64_t filesChanged = 0;
  int64_t rewrites = 0;
  int64_t attention = 0;
  std::string error; ///< Error text when the run failed.
};

/// The bot's pull request of a migration in a repository (at most one per pair).
struct PullRequestRecord {
  std::string migration;
  int64_t repositoryId = 0;
  std::string branch; ///< `godwit/<migration>`.
  std::string baseBranch;
  int64_t number = 0; ///< 0 until opened.
  std::string htmlUrl;
  std::string title;
  std::string baseSha; ///< The base the bot commit was made on.
  std::string headSha; ///< The last branch tip the bot pushed or saw.
  PublicationState publication = PublicationState::Unpublished;
  ReconcileState reconcile = ReconcileState::Queued;
  std::optional<ExternalState> external;
  int numFailures = 0;      ///< Consecutive transient failures.
  std::string lastError;    ///< The last failure's message.
  bool humanEdited = false; ///< Someone else committed to the branch; the bot no longer pushes.
  bool closedByBot = false; ///< The bot closed `number` (references gone), not a human.
  std::string updatedAt;    ///< Set by the store.

  /// The state people see, derived from the three states.
  DisplayState display() const { return displayState(publication, reconcile, external); }
};

/// One mutation the bot made (or tried) on a code host.
struct EventRecord {
  int64_t id = 0;   ///< Assigned by the store, increasing.
  std::string at;   ///< UTC, ISO 8601 with milliseconds; set by the store when empty.
  std::string kind; ///< e.g. `push`, `pull_request.create`, `comment`, `branch.delete`.
  std::string migration;
  int64_t repositoryId = 0;
  std::string repository;     ///< `owner/name` at the time.
  int64_t pullRequest = 0;    ///< Number, 0 when none.
  std::string details = "{}"; ///< A JSON object; never holds a token.
};

/// A campaign: one migration rolled out over a fleet by `godwit-runner` (docs/runner.md).
struct CampaignRecord {
  std::string name;            ///< The migration's name. Key.
  std::string migrationPath;   ///< The migration file as given when it was planned.
  std::string migrationDigest; ///< Digest of the migration's text the plan was made from.
  std::string state = "running"; ///< `running`, `paused`, `done` or `rolled-back`.
  std::string pauseReason;       ///< Why it is paused; empty unless paused.
  bool dryRun = false;   ///< Made by `sweep --dry-run`: what would happen; a real sweep replans.
  std::string createdAt; ///< UTC, ISO 8601; set by the store when empty.
  std::string updatedAt; ///< Set by the store.
};

/// One wave of a campaign's plan.
struct WaveRecord {
  std::string campaign;
  int number = 0;                ///< 1-based.
  std::string state = "pending"; ///< `pending`, `running`, `gated` (waiting for CI) or `passed`.
  std::string startedAt;         ///< When its first repository was taken up.
  std::string gatedAt;           ///< When every repository of it reached a final state.
  std::string passedAt;          ///< When its gate passed.
};

/// One repository of a campaign, with its place in the plan and where it is.
struct CampaignRepoRecord {
  std::string campaign;
  std::string fullName;     ///< Key with `campaign`: the name as planned (renames update it).
  int64_t repositoryId = 0; ///< The code host's id, once asked.
  std::string cloneUrl;     ///< When the inventory knew it (else the code host's).
  std::string owner;        ///< The owning team.
  int tier = 0;
  int wave = 0;             ///< 1-based.
  int position = 0;         ///< Order in the plan.
  std::string waveReason;   ///< Why it is in its wave.
  std::string state = "pending"; ///< A RepoState spelling (bot/fleet/RepoState.h).
  std::string note;              ///< Why it is in its state (budget, error, opt-out reason).
  int64_t pullRequest = 0;       ///< Number; 0 when none.
  std::string pullRequestUrl;
  std::string headSha;        ///< The bot branch tip whose CI the gate reads.
  std::string ci;             ///< `success`, `pending`, `failure`; empty when not asked.
  int64_t filesChanged = 0;   ///< From the last analysis.
  int64_t rewrites = 0;
  int64_t attention = 0;
  std::string attentionItems; ///< JSON array of `file:line:col: reason` strings.
  std::string analyzedBase;   ///< The default-branch tip the last analysis read.
  std::string analyzedDigest; ///< The migration digest of the last analysis.
  std::string publishingSince; ///< Set while a pull request is being opened; counts as open.
  int failures = 0;            ///< Consecutive failed attempts.
  std::string updatedAt;       ///< Set by the store.
};

/// A webhook delivery in the App's durable queue (docs/app.md): queued when it is received,
/// claimed by one worker at a time, finished once.
struct DeliveryRecord {
  int64_t id = 0;             ///< Assigned by the store, increasing in order of receipt.
  std::string deliveryId;     ///< `X-GitHub-Delivery`; unique: a redelivery is not queued again.
  std::string event;          ///< `X-GitHub-Event`, e.g. `pull_request`.
  std::string action;         ///< The payload's `action`; empty when it has none.
  int64_t repositoryId = 0;   ///< The payload's repository; 0 when none.
  int64_t installationId = 0; ///< The payload's installation; 0 when none.
  std::string payload;        ///< The raw request body.
  std::string state = "queued"; ///< `queued`, `running`, `done`, `failed` or `ignored`.
  int attempts = 0;             ///< How many times it was claimed.
  std::string notBefore;  ///< Not claimed before this time (ISO 8601); the receipt time at first.
  std::string lastError;  ///< Why the last attempt failed.
  std::string receivedAt; ///< Set by the store when empty.
  std::string lockedBy;   ///< The worker that holds it while running.
  std::string leaseUntil; ///< While running: when another instance may requeue it.
  std::string updatedAt;  ///< Set by the store.
};

/// How a claimed delivery ended: finally (done, ignored, failed), or queued again for later.
enum class DeliveryOutcome { Done, Ignored, Failed, Retry };

/// How many deliveries of one event are in one state.
struct DeliveryCount {
  std::string event;
  std::string state;
  int64_t count = 0;
};

/// Where the bot keeps its record. Implementations: SqliteStore (default) and PostgresStore.
class Store {
public:
  virtual ~Store() = default;

  /// Inserts or updates a migration (by name).
  virtual Expected<void> saveMigration(const MigrationRecord& migration) = 0;

  /// Inserts or updates a repository (by id; a name another id held is released).
  virtual Expected<void> saveRepository(const RepositoryRecord& repository) = 0;
  /// The repository with `id`, if known.
  virtual Expected<std::optional<RepositoryRecord>> repository(int64_t id) = 0;
  /// The repository now named `fullName`, if known.
  virtual Expected<std::optional<RepositoryRecord>>
  repositoryByName(const std::string& fullName) = 0;

  /// Records the start of a run and returns its id.
  virtual Expected<int64_t> startRun(const RunRecord& run) = 0;
  /// Records the end of run `run.id` (outcome, shas, counts, error).
  virtual Expected<void> finishRun(const RunRecord& run) = 0;
  /// The runs of `migration` (all when empty), oldest first.
  virtual Expected<std::vector<RunRecord>> runs(const std::string& migration) = 0;

  /// The pull request of `migration` in repository `repositoryId`, if any was recorded.
  virtual Expected<std::optional<PullRequestRecord>> pullRequest(const std::string& migration,
                                                                 int64_t repositoryId) = 0;
  /// Inserts or replaces the record of (migration, repositoryId).
  virtual Expected<void> savePullRequest(const PullRequestRecord& pr) = 0;
  /// The pull requests of `migration` (all when empty).
  virtual Expected<std::vector<PullRequestRecord>> pullRequests(const std::string& migration) = 0;

  /// Appends to the event log and returns the event's id; events are never changed or removed.
  virtual Expected<int64_t> appendEvent(const EventRecord& event) = 0;
  /// The events of `migration` (all when empty) in order; `repositoryId` 0 means any.
  virtual Expected<std::vector<EventRecord>> events(const std::string& migration,
                                                    int64_t repositoryId = 0) = 0;
  /// How many events of `migration` have `kind` and happened at or after `since` (ISO 8601).
  virtual Expected<int64_t> countEvents(const std::string& migration, const std::string& kind,
                                        const std::string& since) = 0;

  /// Inserts or updates a campaign (by name).
  virtual Expected<void> saveCampaign(const CampaignRecord& campaign) = 0;
  /// The campaign `name`, if any.
  virtual Expected<std::optional<CampaignRecord>> campaign(const std::string& name) = 0;
  /// Every campaign, by name (byte order).
  virtual Expected<std::vector<CampaignRecord>> campaigns() = 0;
  /// Removes a campaign's plan (campaign, waves, repositories; events stay): a dry run's, before
  /// a real sweep replans.
  virtual Expected<void> deleteCampaignPlan(const std::string& name) = 0;
  /// Inserts or updates a wave (by campaign and number).
  virtual Expected<void> saveWave(const WaveRecord& wave) = 0;
  /// The waves of `campaign` by number.
  virtual Expected<std::vector<WaveRecord>> waves(const std::string& campaign) = 0;
  /// Inserts or updates a campaign repository (by campaign and full name).
  virtual Expected<void> saveCampaignRepo(const CampaignRepoRecord& repo) = 0;
  /// How many repositories of `campaign` (of `owner`, when not empty) have a bot pull request
  /// open (`open`, `human-edited`) or being opened (`publishingSince` set).
  virtual Expected<int64_t> countOpenPullRequests(const std::string& campaign,
                                                  const std::string& owner) = 0;
  /// The repositories of `campaign` in plan order (wave, position).
  virtual Expected<std::vector<CampaignRepoRecord>> campaignRepos(const std::string& campaign) = 0;

  /// Queues `delivery` (id, state, attempts and lease are the store's; the receipt and due
  /// times are now unless given); false, and nothing changed, when its delivery id was queued
  /// before. The check and the insert are one statement, so concurrent redeliveries queue one.
  virtual Expected<bool> enqueueDelivery(const DeliveryRecord& delivery) = 0;
  /// Claims for `worker` the oldest queued delivery that is due at `now` and is the oldest
  /// queued one of its repository while none of that repository runs (so one repository's
  /// deliveries run one at a time, in order); it runs until `leaseUntil`. nullopt when none is.
  virtual Expected<std::optional<DeliveryRecord>>
  claimDelivery(const std::string& worker, const std::string& now,
                const std::string& leaseUntil) = 0;
  /// Extends the lease of the claim `claimed` to `leaseUntil` (a worker's heartbeat while it
  /// processes the delivery). False, and nothing changed, when the claim no longer holds: the
  /// delivery is no longer running under the claim's worker and attempt (finished, or requeued
  /// and perhaps claimed again).
  virtual Expected<bool> renewDelivery(const DeliveryRecord& claimed,
                                       const std::string& leaseUntil) = 0;
  /// Ends the claim `claimed` with `outcome` and `error`; Retry queues it again, due at
  /// `retryAt`. False, and nothing changed, when the claim no longer holds (it was requeued).
  virtual Expected<bool> finishDelivery(const DeliveryRecord& claimed, DeliveryOutcome outcome,
                                        const std::string& error,
                                        const std::string& retryAt = {}) = 0;
  /// Queues again the running deliveries held by `worker` (a restarted instance's own, left by
  /// a killed process) and those whose lease ended before `now`; returns how many.
  virtual Expected<int64_t> requeueStaleDeliveries(const std::string& worker,
                                                   const std::string& now) = 0;
  /// The delivery with X-GitHub-Delivery `deliveryId`, if queued once.
  virtual Expected<std::optional<DeliveryRecord>> delivery(const std::string& deliveryId) = 0;
  /// How many deliveries there are by event and state, ordered by both.
  virtual Expected<std::vector<DeliveryCount>> deliveryCounts() = 0;
  /// Deletes the finished deliveries (done, ignored, failed) last updated before `before`;
  /// returns how many. Queued and running ones stay. A pruned delivery id is no longer deduped,
  /// so keep them longer than GitHub redelivers (three days).
  virtual Expected<int64_t> pruneDeliveries(const std::string& before) = 0;
};

} // namespace godwit
