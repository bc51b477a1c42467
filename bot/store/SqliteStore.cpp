#include "bot/store/SqliteStore.h"

#include "bot/store/StoreRows.h"
#include "bot/store/StoreTime.h"

#include <sqlite3.h>

#include <cstdlib>
#include <system_error>

namespace godwit {
namespace {

using namespace storerows;

const char* kSchemaV1 = R"sql(
CREATE TABLE migrations (
  name        TEXT PRIMARY KEY,
  description TEXT NOT NULL DEFAULT '',
  path        TEXT NOT NULL DEFAULT '',
  first_seen  TEXT NOT NULL,
  last_seen   TEXT NOT NULL
);
CREATE TABLE repositories (
  id             INTEGER PRIMARY KEY,
  full_name      TEXT NOT NULL UNIQUE,
  default_branch TEXT NOT NULL DEFAULT '',
  html_url       TEXT NOT NULL DEFAULT '',
  archived       INTEGER NOT NULL DEFAULT 0,
  updated_at     TEXT NOT NULL
);
CREATE TABLE runs (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  migration     TEXT NOT NULL REFERENCES migrations(name),
  repository_id INTEGER REFERENCES repositories(id),
  started_at    TEXT NOT NULL,
  finished_at   TEXT,
  outcome       TEXT NOT NULL DEFAULT '',
  base_sha      TEXT NOT NULL DEFAULT '',
  head_sha      TEXT NOT NULL DEFAULT '',
  files_changed INTEGER NOT NULL DEFAULT 0,
  rewrites      INTEGER NOT NULL DEFAULT 0,
  attention     INTEGER NOT NULL DEFAULT 0,
  error         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX runs_by_migration ON runs(migration, repository_id);
CREATE TABLE pull_requests (
  migration         TEXT NOT NULL REFERENCES migrations(name),
  repository_id     INTEGER NOT NULL REFERENCES repositories(id),
  branch            TEXT NOT NULL,
  base_branch       TEXT NOT NULL DEFAULT '',
  number            INTEGER NOT NULL DEFAULT 0,
  html_url          TEXT NOT NULL DEFAULT '',
  title             TEXT NOT NULL DEFAULT '',
  base_sha          TEXT NOT NULL DEFAULT '',
  head_sha          TEXT NOT NULL DEFAULT '',
  publication_state TEXT NOT NULL
    CHECK (publication_state IN ('unpublished', 'published', 'draft')),
  reconcile_state   TEXT NOT NULL
    CHECK (reconcile_state IN ('queued', 'processing', 'errored', 'failed', 'completed')),
  external_state    TEXT
    CHECK (external_state IS NULL OR
           external_state IN ('open', 'closed', 'merged', 'draft', 'deleted')),
  num_failures      INTEGER NOT NULL DEFAULT 0,
  last_error        TEXT NOT NULL DEFAULT '',
  human_edited      INTEGER NOT NULL DEFAULT 0,
  closed_by_bot     INTEGER NOT NULL DEFAULT 0,
  updated_at        TEXT NOT NULL,
  PRIMARY KEY (migration, repository_id)
);
CREATE TABLE events (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  at            TEXT NOT NULL,
  kind          TEXT NOT NULL,
  migration     TEXT NOT NULL DEFAULT '',
  repository_id INTEGER NOT NULL DEFAULT 0,
  repository    TEXT NOT NULL DEFAULT '',
  pull_request  INTEGER NOT NULL DEFAULT 0,
  details       TEXT NOT NULL DEFAULT '{}'
    CHECK (json_valid(details) AND json_type(details) = 'object')
);
CREATE INDEX events_by_migration ON events(migration, repository_id);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
  BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
  BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
)sql";

// Version 2: fleet campaigns (godwit-runner).
const char* kSchemaV2 = R"sql(
CREATE INDEX events_by_kind ON events(migration, kind, at);
CREATE TABLE campaigns (
  name             TEXT PRIMARY KEY,
  migration_path   TEXT NOT NULL DEFAULT '',
  migration_digest TEXT NOT NULL DEFAULT '',
  state            TEXT NOT NULL CHECK (state IN ('running', 'paused', 'done', 'rolled-back')),
  pause_reason     TEXT NOT NULL DEFAULT '',
  dry_run          INTEGER NOT NULL DEFAULT 0,
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL
);
CREATE TABLE campaign_waves (
  campaign   TEXT NOT NULL REFERENCES campaigns(name) ON DELETE CASCADE,
  number     INTEGER NOT NULL CHECK (number >= 1),
  state      TEXT NOT NULL CHECK (state IN ('pending', 'running', 'gated', 'passed')),
  started_at TEXT NOT NULL DEFAULT '',
  gated_at   TEXT NOT NULL DEFAULT '',
  passed_at  TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (campaign, number)
);
CREATE TABLE campaign_repos (
  campaign         TEXT NOT NULL REFERENCES campaigns(name) ON DELETE CASCADE,
  full_name        TEXT NOT NULL,
  repository_id    INTEGER NOT NULL DEFAULT 0,
  clone_url        TEXT NOT NULL DEFAULT '',
  owner            TEXT NOT NULL DEFAULT '',
  tier             INTEGER NOT NULL DEFAULT 0,
  wave             INTEGER NOT NULL,
  position         INTEGER NOT NULL,
  wave_reason      TEXT NOT NULL DEFAULT '',
  state            TEXT NOT NULL,
  note             TEXT NOT NULL DEFAULT '',
  pull_request     INTEGER NOT NULL DEFAULT 0,
  pull_request_url TEXT NOT NULL DEFAULT '',
  head_sha         TEXT NOT NULL DEFAULT '',
  ci               TEXT NOT NULL DEFAULT '',
  files_changed    INTEGER NOT NULL DEFAULT 0,
  rewrites         INTEGER NOT NULL DEFAULT 0,
  attention        INTEGER NOT NULL DEFAULT 0,
  attention_items  TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(attention_items)),
  analyzed_base    TEXT NOT NULL DEFAULT '',
  analyzed_digest  TEXT NOT NULL DEFAULT '',
  publishing_since TEXT NOT NULL DEFAULT '',
  failures         INTEGER NOT NULL DEFAULT 0,
  updated_at       TEXT NOT NULL,
  PRIMARY KEY (campaign, full_name)
);
CREATE INDEX campaign_repos_by_wave ON campaign_repos(campaign, wave, position);
)sql";

// Version 3 is PostgreSQL's work queue (WorkQueue.h); SQLite has none, and keeps the number so
// that both backends have the same versions.
const char* kSchemaV3 = "-- PostgreSQL only: work_jobs\n";

// Version 4: the App's durable queue of webhook deliveries (docs/app.md). At most one delivery
// of a repository runs at a time, which the unique index holds whatever a claim does.
const char* kSchemaV4 = R"sql(
CREATE TABLE deliveries (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  delivery_id     TEXT NOT NULL UNIQUE,
  event           TEXT NOT NULL,
  action          TEXT NOT NULL DEFAULT '',
  repository_id   INTEGER NOT NULL DEFAULT 0,
  installation_id INTEGER NOT NULL DEFAULT 0,
  payload         TEXT NOT NULL,
  state           TEXT NOT NULL DEFAULT 'queued'
    CHECK (state IN ('queued', 'running', 'done', 'failed', 'ignored')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  not_before      TEXT NOT NULL,
  last_error      TEXT NOT NULL DEFAULT '',
  received_at     TEXT NOT NULL,
  locked_by       TEXT NOT NULL DEFAULT '',
  lease_until     TEXT NOT NULL DEFAULT '',
  updated_at      TEXT NOT NULL,
  CHECK ((state = 'running') = (lease_until != ''))
);
CREATE UNIQUE INDEX deliveries_one_running ON deliveries (repository_id)
  WHERE state = 'running' AND repository_id != 0;
CREATE INDEX deliveries_queued ON deliveries (repository_id, id) WHERE state = 'queued';
)sql";

// A prepared statement; columns and parameters are 1-based for binds, 0-based for reads.
class Stmt {
public:
  Stmt(sqlite3* db, const char* sql) { rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr); }
  ~Stmt() { sqlite3_finalize(stmt_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  bool ok() const { return rc_ == SQLITE_OK || rc_ == SQLITE_ROW || rc_ == SQLITE_DONE; }
  Stmt& bind(int i, const std::string& v) {
    if (ok())
      rc_ = sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& bind(int i, int64_t v) {
    if (ok())
      rc_ = sqlite3_bind_int64(stmt_, i, v);
    return *this;
  }
  Stmt& bindNull(int i) {
    if (ok())
      rc_ = sqlite3_bind_null(stmt_, i);
    return *this;
  }
  /// SQLITE_ROW, SQLITE_DONE or an error code.
  int step() {
    if (!ok())
      return rc_;
    rc_ = sqlite3_step(stmt_);
    return rc_;
  }
  std::string text(int col) const {
    const unsigned char* p = sqlite3_column_text(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
  }
  int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
  bool isNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

private:
  sqlite3_stmt* stmt_ = nullptr;
  int rc_ = SQLITE_OK;
};

} // namespace

std::filesystem::path defaultStorePath() {
  if (const char* state = std::getenv("XDG_STATE_HOME"); state && *state)
    return std::filesystem::path(state) / "godwit" / "godwit.db";
  if (const char* home = std::getenv("HOME"); home && *home)
    return std::filesystem::path(home) / ".local" / "state" / "godwit" / "godwit.db";
  return std::filesystem::path("godwit.db");
}

const std::vector<std::string>& SqliteStore::schemaMigrations() {
  static const std::vector<std::string> steps = {kSchemaV1, kSchemaV2, kSchemaV3, kSchemaV4};
  return steps;
}

SqliteStore::SqliteStore(sqlite3* db, std::filesystem::path file)
    : db_(db), file_(std::move(file)) {}

SqliteStore::~SqliteStore() {
  sqlite3_close_v2(db_);
}

Error SqliteStore::dbError(const std::string& what) const {
  return makeError("store " + file_.string() + ": " + what + ": " + sqlite3_errmsg(db_),
                   "check that the file is a godwit store and is writable");
}

Expected<void> SqliteStore::exec(const std::string& sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string text = message ? message : sqlite3_errmsg(db_);
    sqlite3_free(message);
    return makeError("store " + file_.string() + ": " + text);
  }
  return {};
}

Expected<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::filesystem::path& file) {
  return open(file, schemaMigrations());
}

Expected<std::unique_ptr<SqliteStore>>
SqliteStore::open(const std::filesystem::path& file, const std::vector<std::string>& migrations) {
  std::error_code ec;
  if (file.has_parent_path() && file != ":memory:")
    std::filesystem::create_directories(file.parent_path(), ec);
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  std::unique_ptr<SqliteStore> store(new SqliteStore(db, file));
  if (rc != SQLITE_OK)
    return store->dbError("cannot open");
  sqlite3_busy_timeout(db, 5000);
  {
    Stmt wal(db, "PRAGMA journal_mode=WAL");
    // An in-memory database (":memory:", e.g. for a dry run without a store) has no WAL.
    std::string expected = file == ":memory:" ? "memory" : "wal";
    if (wal.step() != SQLITE_ROW || wal.text(0) != expected)
      return store->dbError("cannot switch to WAL mode");
  }
  if (Expected<void> r = store->exec("PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;"); !r)
    return r.error();
  if (Expected<void> r = store->migrate(migrations); !r)
    return r.error();
  return store;
}

Expected<void> SqliteStore::migrate(const std::vector<std::string>& migrations) {
  // Every step re-reads the version under a write lock, so concurrent openers apply each once.
  if (Expected<void> r =
          exec("BEGIN IMMEDIATE;"
               "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);"
               "INSERT INTO schema_version SELECT 0 "
               "WHERE NOT EXISTS (SELECT 1 FROM schema_version);"
               "COMMIT;");
      !r) {
    (void)exec("ROLLBACK");
    return r.error();
  }
  for (;;) {
    if (Expected<void> r = exec("BEGIN IMMEDIATE"); !r)
      return r.error();
    Expected<int> version = schemaVersion();
    if (!version) {
      (void)exec("ROLLBACK");
      return version.error();
    }
    size_t v = static_cast<size_t>(*version);
    if (v > migrations.size()) {
      (void)exec("ROLLBACK");
      return makeError("store " + file_.string() + " has schema version " + std::to_string(v) +
                           ", newer than this godwit knows (" + std::to_string(migrations.size()) +
                           ")",
                       "upgrade godwit, or point it at another store file");
    }
    if (v == migrations.size())
      return exec("COMMIT");
    Expected<void> applied = exec(migrations[v]);
    if (applied)
      applied = exec("UPDATE schema_version SET version = " + std::to_string(v + 1));
    if (applied)
      applied = exec("COMMIT");
    if (!applied) {
      (void)exec("ROLLBACK");
      return makeError("cannot upgrade the store schema from version " + std::to_string(v) +
                           " to " + std::to_string(v + 1) + ": " + applied.error().message,
                       "the store is left at version " + std::to_string(v) + "; report this bug");
    }
  }
}

Expected<int> SqliteStore::schemaVersion() {
  Stmt s(db_, "SELECT version FROM schema_version");
  if (s.step() != SQLITE_ROW)
    return dbError("cannot read the schema version");
  return static_cast<int>(s.integer(0));
}

Expected<void> SqliteStore::saveMigration(const MigrationRecord& m) {
  std::string now = storeTimestamp();
  Stmt s(db_, "INSERT INTO migrations (name, description, path, first_seen, last_seen) "
              "VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT(name) DO UPDATE SET "
              "description = excluded.description, path = excluded.path, "
              "last_seen = excluded.last_seen");
  s.bind(1, m.name).bind(2, m.description).bind(3, m.path).bind(4, now);
  if (s.step() != SQLITE_DONE)
    return dbError("cannot save migration " + m.name);
  return {};
}

Expected<void> SqliteStore::saveRepository(const RepositoryRecord& r) {
  if (Expected<void> b = exec("BEGIN IMMEDIATE"); !b)
    return b;
  // A name moves to the new id (a deleted and re-created repository, or a swap after renames).
  Stmt release(db_, "UPDATE repositories SET full_name = full_name || '#' || id "
                    "WHERE full_name = ?1 AND id != ?2");
  release.bind(1, r.fullName).bind(2, r.id);
  Stmt upsert(db_, "INSERT INTO repositories (id, full_name, default_branch, html_url, archived, "
                   "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(id) DO UPDATE SET "
                   "full_name = excluded.full_name, default_branch = excluded.default_branch, "
                   "html_url = excluded.html_url, archived = excluded.archived, "
                   "updated_at = excluded.updated_at");
  upsert.bind(1, r.id)
      .bind(2, r.fullName)
      .bind(3, r.defaultBranch)
      .bind(4, r.htmlUrl)
      .bind(5, int64_t(r.archived ? 1 : 0))
      .bind(6, storeTimestamp());
  if (release.step() != SQLITE_DONE || upsert.step() != SQLITE_DONE) {
    Error e = dbError("cannot save repository " + r.fullName);
    (void)exec("ROLLBACK");
    return e;
  }
  return exec("COMMIT");
}

Expected<std::optional<RepositoryRecord>> SqliteStore::repository(int64_t id) {
  Stmt s(db_, (std::string(kRepositoryColumns) + "WHERE id = ?1").c_str());
  s.bind(1, id);
  int rc = s.step();
  if (rc == SQLITE_DONE)
    return std::optional<RepositoryRecord>();
  if (rc != SQLITE_ROW)
    return dbError("cannot read repository " + std::to_string(id));
  return std::optional<RepositoryRecord>(readRepository(s));
}

Expected<std::optional<RepositoryRecord>>
SqliteStore::repositoryByName(const std::string& fullName) {
  Stmt s(db_, (std::string(kRepositoryColumns) + "WHERE full_name = ?1").c_str());
  s.bind(1, fullName);
  int rc = s.step();
  if (rc == SQLITE_DONE)
    return std::optional<RepositoryRecord>();
  if (rc != SQLITE_ROW)
    return dbError("cannot read repository " + fullName);
  return std::optional<RepositoryRecord>(readRepository(s));
}

Expected<int64_t> SqliteStore::startRun(const RunRecord& run) {
  Stmt s(db_, "INSERT INTO runs (migration, repository_id, started_at, base_sha) "
              "VALUES (?1, ?2, ?3, ?4)");
  s.bind(1, run.migration);
  if (run.repositoryId)
    s.bind(2, run.repositoryId);
  else
    s.bindNull(2);
  s.bind(3, storeTimestamp()).bind(4, run.baseSha);
  if (s.step() != SQLITE_DONE)
    return dbError("cannot record the run of " + run.migration);
  return static_cast<int64_t>(sqlite3_last_insert_rowid(db_));
}

Expected<void> SqliteStore::finishRun(const RunRecord& run) {
  Stmt s(db_, "UPDATE runs SET finished_at = ?2, outcome = ?3, base_sha = ?4, head_sha = ?5, "
              "files_changed = ?6, rewrites = ?7, attention = ?8, error = ?9, "
              "repository_id = COALESCE(?10, repository_id) WHERE id = ?1");
  s.bind(1, run.id)
      .bind(2, storeTimestamp())
      .bind(3, run.outcome)
      .bind(4, run.baseSha)
      .bind(5, run.headSha)
      .bind(6, run.filesChanged)
      .bind(7, run.rewrites)
      .bind(8, run.attention)
      .bind(9, run.error);
  if (run.repositoryId)
    s.bind(10, run.repositoryId);
  else
    s.bindNull(10);
  if (s.step() != SQLITE_DONE)
    return dbError("cannot record the end of run " + std::to_string(run.id));
  if (sqlite3_changes(db_) != 1)
    return makeError("store " + file_.string() + ": no run " + std::to_string(run.id));
  return {};
}

Expected<std::vector<RunRecord>> SqliteStore::runs(const std::string& migration) {
  Stmt s(db_, (std::string(kRunColumns) + "WHERE ?1 = '' OR migration = ?1 ORDER BY id").c_str());
  s.bind(1, migration);
  std::vector<RunRecord> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW)
    out.push_back(readRun(s));
  if (rc != SQLITE_DONE)
    return dbError("cannot read runs");
  return out;
}

Expected<std::optional<PullRequestRecord>> SqliteStore::pullRequest(const std::string& migration,
                                                                    int64_t repositoryId) {
  Stmt s(
      db_,
      (std::string(kPullRequestColumns) + "WHERE migration = ?1 AND repository_id = ?2").c_str());
  s.bind(1, migration).bind(2, repositoryId);
  int rc = s.step();
  if (rc == SQLITE_DONE)
    return std::optional<PullRequestRecord>();
  if (rc != SQLITE_ROW)
    return dbError("cannot read the pull request of " + migration);
  return std::optional<PullRequestRecord>(readPullRequest(s));
}

Expected<void> SqliteStore::savePullRequest(const PullRequestRecord& p) {
  Stmt s(db_,
         "INSERT OR REPLACE INTO pull_requests (migration, repository_id, branch, base_branch, "
         "number, html_url, title, base_sha, head_sha, publication_state, reconcile_state, "
         "external_state, num_failures, last_error, human_edited, closed_by_bot, updated_at) "
         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)");
  s.bind(1, p.migration)
      .bind(2, p.repositoryId)
      .bind(3, p.branch)
      .bind(4, p.baseBranch)
      .bind(5, p.number)
      .bind(6, p.htmlUrl)
      .bind(7, p.title)
      .bind(8, p.baseSha)
      .bind(9, p.headSha)
      .bind(10, std::string(toString(p.publication)))
      .bind(11, std::string(toString(p.reconcile)));
  if (p.external)
    s.bind(12, std::string(toString(*p.external)));
  else
    s.bindNull(12);
  s.bind(13, int64_t(p.numFailures))
      .bind(14, p.lastError)
      .bind(15, int64_t(p.humanEdited ? 1 : 0))
      .bind(16, int64_t(p.closedByBot ? 1 : 0))
      .bind(17, storeTimestamp());
  if (s.step() != SQLITE_DONE)
    return dbError("cannot save the pull request of " + p.migration);
  return {};
}

Expected<std::vector<PullRequestRecord>> SqliteStore::pullRequests(const std::string& migration) {
  Stmt s(db_, (std::string(kPullRequestColumns) +
               "WHERE ?1 = '' OR migration = ?1 ORDER BY migration, repository_id")
                  .c_str());
  s.bind(1, migration);
  std::vector<PullRequestRecord> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW)
    out.push_back(readPullRequest(s));
  if (rc != SQLITE_DONE)
    return dbError("cannot read pull requests");
  return out;
}

Expected<int64_t> SqliteStore::appendEvent(const EventRecord& e) {
  Stmt s(db_, "INSERT INTO events (at, kind, migration, repository_id, repository, pull_request, "
              "details) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  s.bind(1, e.at.empty() ? storeTimestamp() : e.at)
      .bind(2, e.kind)
      .bind(3, e.migration)
      .bind(4, e.repositoryId)
      .bind(5, e.repository)
      .bind(6, e.pullRequest)
      .bind(7, e.details.empty() ? std::string("{}") : e.details);
  if (s.step() != SQLITE_DONE)
    return dbError("cannot append event " + e.kind);
  return static_cast<int64_t>(sqlite3_last_insert_rowid(db_));
}

Expected<std::vector<EventRecord>> SqliteStore::events(const std::string& migration,
                                                       int64_t repositoryId) {
  Stmt s(db_, (std::string(kEventColumns) +
               "WHERE (?1 = '' OR migration = ?1) AND (?2 = 0 OR repository_id = ?2) ORDER BY id")
                  .c_str());
  s.bind(1, migration).bind(2, repositoryId);
  std::vector<EventRecord> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW)
    out.push_back(readEvent(s));
  if (rc != SQLITE_DONE)
    return dbError("cannot read events");
  return out;
}

Expected<int64_t> SqliteStore::countEvents(const std::string& migration, const std::string& kind,
                                           const std::string& since) {
  Stmt s(db_, "SELECT count(*) FROM events WHERE migration = ?1 AND kind = ?2 AND at >= ?3");
  s.bind(1, migration).bind(2, kind).bind(3, since);
  if (s.step() != SQLITE_ROW)
    return dbError("cannot count events " + kind);
  return s.integer(0);
}

Expected<void> SqliteStore::saveCampaign(const CampaignRecord& c) {
  const std::string now = storeTimestamp();
  Stmt s(db_, "INSERT INTO campaigns (name, migration_path, migration_digest, state, pause_reason, "
              "dry_run, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
              "ON CONFLICT(name) DO UPDATE SET migration_path = excluded.migration_path, "
              "migration_digest = excluded.migration_digest, state = excluded.state, "
              "pause_reason = excluded.pause_reason, dry_run = excluded.dry_run, "
              "updated_at = excluded.updated_at");
  s.bind(1, c.name)
      .bind(2, c.migrationPath)
      .bind(3, c.migrationDigest)
      .bind(4, c.state)
      .bind(5, c.pauseReason)
      .bind(6, int64_t(c.dryRun ? 1 : 0))
      .bind(7, c.createdAt.empty() ? now : c.createdAt)
      .bind(8, now);
  if (s.step() != SQLITE_DONE)
    return dbError("cannot save campaign " + c.name);
  return {};
}

Expected<std::optional<CampaignRecord>> SqliteStore::campaign(const std::string& name) {
  Stmt s(db_, (std::string(kCampaignColumns) + "WHERE name = ?1").c_str());
  s.bind(1, name);
  const int rc = s.step();
  if (rc == SQLITE_DONE)
    return std::optional<CampaignRecord>();
  if (rc != SQLITE_ROW)
    return dbError("cannot read campaign " + name);
  return std::optional<CampaignRecord>(readCampaign(s));
}

Expected<std::vector<CampaignRecord>> SqliteStore::campaigns() {
  Stmt s(db_, (std::string(kCampaignColumns) + "ORDER BY name").c_str());
  std::vector<CampaignRecord> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW)
    out.push_back(readCampaign(s));
  if (rc != SQLITE_DONE)
    return dbError("cannot list the campaigns");
  return out;
}

Expected<void> SqliteStore::deleteCampaignPlan(const std::string& name) {
  if (Expected<void> b = exec("BEGIN IMMEDIATE"); !b)
    return b;
  for (const char* sql : {"DELETE FROM campaign_repos WHERE campaign = ?1",
                          "DELETE FROM campaign_waves WHERE campaign = ?1",
                          "DELETE FROM campaigns WHERE name = ?1"}) {
    Stmt s(db_, sql);
    s.bind(1, name);
    if (s.step() != SQLITE_DONE) {
      Error e = dbError("cannot remove the plan of campaign " + name);
      (void)exec("ROLLBACK");
      return e;
    }
  }
  return exec("COMMIT");
}

Expected<void> SqliteStore::saveWave(const WaveRecord& w) {
  Stmt s(db_, "INSERT OR REPLACE INTO campaign_waves (campaign, number, state, started_at, "
              "gated_at, passed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
  s.bind(1, w.campaign)
      .bind(2, int64_t(w.number))
      .bind(3, w.state)
      .bind(4, w.startedAt)
      .bind(5, w.gatedAt)
      .bind(6, w.passedAt);
  if (s.step() != SQLITE_DONE)
    return dbError("cannot save wave " + std::to_string(w.number) + " of " + w.campaign);
  return {};
}

Expected<std::vector<WaveRecord>> SqliteStore::waves(const std::string& campaign) {
  Stmt s(db_, (std::string(kWaveColumns) + "WHERE campaign = ?1 ORDER BY number").c_str());
  s.bind(1, campaign);
  std::vector<WaveRecord> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW)
    out.push_back(readWave(s));
  if (rc != SQLITE_DONE)
    return dbError("cannot read the waves of " + campaign);
  return out;
}

Expected<void> SqliteStore::saveCampaignRepo(const CampaignRepoRecord& r) {
  Stmt s(db_,
         "INSERT OR REPLACE INTO campaign_repos (campaign, full_name, repository_id, clone_url, "
         "owner, tier, wave, position, wave_reason, state, note, pull_request, pull_request_url, "
         "head_sha, ci, files_changed, rewrites, attention, attention_items, analyzed_base, "
         "analyzed_digest, publishing_since, failures, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, "
         "?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, "
         "?24)");
  s.bind(1, r.campaign)
      .bind(2, r.fullName)
      .bind(3, r.repositoryId)
      .bind(4, r.cloneUrl)
      .bind(5, r.owner)
      .bind(6, int64_t(r.tier))
      .bind(7, int64_t(r.wave))
      .bind(8, int64_t(r.position))
      .bind(9, r.waveReason)
      .bind(10, r.state)
      .bind(11, r.note)
      .bind(12, r.pullRequest)
      .bind(13, r.pullRequestUrl)
      .bind(14, r.headSha)
      .bind(15, r.ci)
      .bind(16, r.filesChanged)
      .bind(17, r.rewrites)
      .bind(18, r.attention)
      .bind(19, r.attentionItems.empty() ? std::string("[]") : r.attentionItems)
      .bind(20, r.analyzedBase)
      .bind(21, r.analyzedDigest)
      .bind(22, r.publishingSince)
      .bind(23, int64_t(r.failures))
      .bind(24, storeTimestamp());
  if (s.step() != SQLITE_DONE)
    return dbError("cannot save " + r.fullName + " of campaign " + r.campaign);
  return {};
}

Expected<int64_t> SqliteStore::countOpenPullRequests(const std::string& campaign,
                                                     const std::string& owner) {
  Stmt s(db_, "SELECT count(*) FROM campaign_repos WHERE campaign = ?1 AND (?2 = '' OR owner = ?2) "
              "AND (state IN ('open', 'human-edited') OR publishing_since != '')");
  s.bind(1, campaign).bind(2, owner);
  if (s.step() != SQLITE_ROW)
    return dbError("cannot count the open pull requests of " + campaign);
  return s.integer(0);
}

Expected<std::vector<CampaignRepoRecord>> SqliteStore::campaignRepos(const std::string& campaign) {
  Stmt s(db_, (std::string(kCampaignRepoColumns) +
               "WHERE campaign = ?1 ORDER BY wave, position, full_name")
                  .c_str());
  s.bind(1, campaign);
  std::vector<CampaignRepoRecord> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW)
    out.push_back(readCampaignRepo(s));
  if (rc != SQLITE_DONE)
    return dbError("cannot read the repositories of " + campaign);
  return out;
}

Expected<bool> SqliteStore::enqueueDelivery(const DeliveryRecord& d) {
  const std::string now = storeTimestamp();
  const std::string received = d.receivedAt.empty() ? now : d.receivedAt;
  Stmt s(db_, "INSERT INTO deliveries (delivery_id, event, action, repository_id, installation_id, "
              "payload, not_before, received_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
              "?8, ?9) ON CONFLICT (delivery_id) DO NOTHING");
  s.bind(1, d.deliveryId)
      .bind(2, d.event)
      .bind(3, d.action)
      .bind(4, d.repositoryId)
      .bind(5, d.installationId)
      .bind(6, d.payload)
      .bind(7, d.notBefore.empty() ? received : d.notBefore)
      .bind(8, received)
      .bind(9, now);
  if (s.step() != SQLITE_DONE)
    return dbError("cannot queue delivery " + d.deliveryId);
  return sqlite3_changes(db_) == 1;
}

Expected<std::optional<DeliveryRecord>>
SqliteStore::claimDelivery(const std::string& worker, const std::string& now,
                           const std::string& leaseUntil) {
  // One statement, so the write lock covers the choice and the claim.
  Stmt s(db_, (std::string("UPDATE deliveries SET state = 'running', attempts = attempts + 1, "
                           "locked_by = ?1, lease_until = ?3, updated_at = ?4 WHERE id = ("
                           "SELECT d.id FROM deliveries d WHERE d.state = 'queued' AND "
                           "d.not_before <= ?2 AND (d.repository_id = 0 OR NOT EXISTS ("
                           "SELECT 1 FROM deliveries o WHERE o.repository_id = d.repository_id "
                           "AND (o.state = 'running' OR (o.state = 'queued' AND o.id < d.id)))) "
                           "ORDER BY d.id LIMIT 1) RETURNING ") +
               kDeliveryFields)
                  .c_str());
  s.bind(1, worker).bind(2, now).bind(3, leaseUntil).bind(4, storeTimestamp());
  const int rc = s.step();
  if (rc == SQLITE_DONE)
    return std::optional<DeliveryRecord>();
  if (rc != SQLITE_ROW)
    return dbError("cannot claim a delivery");
  DeliveryRecord claimed = readDelivery(s);
  if (s.step() != SQLITE_DONE)
    return dbError("cannot claim a delivery");
  return std::optional<DeliveryRecord>(std::move(claimed));
}

Expected<bool> SqliteStore::renewDelivery(const DeliveryRecord& claimed,
                                          const std::string& leaseUntil) {
  // Fenced as finishDelivery is: a claim that was requeued and taken again has another attempt.
  Stmt s(db_, "UPDATE deliveries SET lease_until = ?4, updated_at = ?5 "
              "WHERE id = ?1 AND state = 'running' AND locked_by = ?2 AND attempts = ?3");
  s.bind(1, claimed.id)
      .bind(2, claimed.lockedBy)
      .bind(3, int64_t(claimed.attempts))
      .bind(4, leaseUntil)
      .bind(5, storeTimestamp());
  if (s.step() != SQLITE_DONE)
    return dbError("cannot renew the lease of delivery " + claimed.deliveryId);
  return sqlite3_changes(db_) == 1;
}

Expected<bool> SqliteStore::finishDelivery(const DeliveryRecord& claimed, DeliveryOutcome outcome,
                                           const std::string& error, const std::string& retryAt) {
  // The attempt count is the claim's fencing token: a requeued and reclaimed delivery has another.
  Stmt s(db_, "UPDATE deliveries SET state = ?4, last_error = ?5, "
              "not_before = CASE WHEN ?4 = 'queued' THEN ?6 ELSE not_before END, "
              "locked_by = '', lease_until = '', updated_at = ?7 "
              "WHERE id = ?1 AND state = 'running' AND locked_by = ?2 AND attempts = ?3");
  s.bind(1, claimed.id)
      .bind(2, claimed.lockedBy)
      .bind(3, int64_t(claimed.attempts))
      .bind(4, std::string(deliveryState(outcome)))
      .bind(5, error)
      .bind(6, retryAt.empty() ? storeTimestamp() : retryAt)
      .bind(7, storeTimestamp());
  if (s.step() != SQLITE_DONE)
    return dbError("cannot finish delivery " + claimed.deliveryId);
  return sqlite3_changes(db_) == 1;
}

Expected<int64_t> SqliteStore::requeueStaleDeliveries(const std::string& worker,
                                                      const std::string& now) {
  Stmt s(db_, "UPDATE deliveries SET state = 'queued', locked_by = '', lease_until = '', "
              "updated_at = ?3 WHERE state = 'running' AND (locked_by = ?1 OR lease_until < ?2)");
  s.bind(1, worker).bind(2, now).bind(3, storeTimestamp());
  if (s.step() != SQLITE_DONE)
    return dbError("cannot requeue stale deliveries");
  return static_cast<int64_t>(sqlite3_changes(db_));
}

Expected<std::optional<DeliveryRecord>> SqliteStore::delivery(const std::string& deliveryId) {
  Stmt s(db_, (std::string("SELECT ") + kDeliveryFields + " FROM deliveries WHERE delivery_id = ?1")
                  .c_str());
  s.bind(1, deliveryId);
  const int rc = s.step();
  if (rc == SQLITE_DONE)
    return std::optional<DeliveryRecord>();
  if (rc != SQLITE_ROW)
    return dbError("cannot read delivery " + deliveryId);
  return std::optional<DeliveryRecord>(readDelivery(s));
}

Expected<int64_t> SqliteStore::pruneDeliveries(const std::string& before) {
  Stmt s(db_, "DELETE FROM deliveries WHERE state IN ('done', 'ignored', 'failed') AND "
              "updated_at < ?1");
  s.bind(1, before);
  if (s.step() != SQLITE_DONE)
    return dbError("cannot prune finished deliveries");
  return static_cast<int64_t>(sqlite3_changes(db_));
}

Expected<std::vector<DeliveryCount>> SqliteStore::deliveryCounts() {
  Stmt s(db_, "SELECT event, state, count(*) FROM deliveries GROUP BY event, state "
              "ORDER BY event, state");
  std::vector<DeliveryCount> out;
  int rc;
  while ((rc = s.step()) == SQLITE_ROW)
    out.push_back({s.text(0), s.text(1), s.integer(2)});
  if (rc != SQLITE_DONE)
    return dbError("cannot count deliveries");
  return out;
}

} // namespace godwit
