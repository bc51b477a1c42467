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

/// Where the bot keeps its record. Implementations: SqliteStore (default); others may follow.
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
};

} // namespace godwit
