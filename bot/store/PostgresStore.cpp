#include "bot/store/PostgresStore.h"

#include "bot/github/Auth.h"
#include "bot/store/PostgresConnection.h"
#include "bot/store/StoreRows.h"
#include "bot/store/StoreTime.h"

#include <libpq-fe.h>

namespace godwit {
namespace {

using namespace storerows;
using pgdetail::trimmed;

// The tables of SqliteStore in PostgreSQL types. Times are text in one format, compared byte-wise
// (`COLLATE "C"`) as SQLite compares them, whatever the database's locale; so are the names the
// store sorts by.
const char* kSchemaV1 = R"sql(
CREATE TABLE migrations (
  name        TEXT PRIMARY KEY,
  description TEXT NOT NULL DEFAULT '',
  path        TEXT NOT NULL DEFAULT '',
  first_seen  TEXT NOT NULL,
  last_seen   TEXT NOT NULL
);
CREATE TABLE repositories (
  id             BIGINT PRIMARY KEY,
  full_name      TEXT NOT NULL UNIQUE,
  default_branch TEXT NOT NULL DEFAULT '',
  html_url       TEXT NOT NULL DEFAULT '',
  archived       BOOLEAN NOT NULL DEFAULT FALSE,
  updated_at     TEXT NOT NULL
);
CREATE TABLE runs (
  id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  migration     TEXT NOT NULL REFERENCES migrations(name),
  repository_id BIGINT REFERENCES repositories(id),
  started_at    TEXT NOT NULL,
  finished_at   TEXT,
  outcome       TEXT NOT NULL DEFAULT '',
  base_sha      TEXT NOT NULL DEFAULT '',
  head_sha      TEXT NOT NULL DEFAULT '',
  files_changed BIGINT NOT NULL DEFAULT 0,
  rewrites      BIGINT NOT NULL DEFAULT 0,
  attention     BIGINT NOT NULL DEFAULT 0,
  error         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX runs_by_migration ON runs(migration, repository_id);
CREATE TABLE pull_requests (
  migration         TEXT COLLATE "C" NOT NULL REFERENCES migrations(name),
  repository_id     BIGINT NOT NULL REFERENCES repositories(id),
  branch            TEXT NOT NULL,
  base_branch       TEXT NOT NULL DEFAULT '',
  number            BIGINT NOT NULL DEFAULT 0,
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
  human_edited      BOOLEAN NOT NULL DEFAULT FALSE,
  closed_by_bot     BOOLEAN NOT NULL DEFAULT FALSE,
  updated_at        TEXT NOT NULL,
  PRIMARY KEY (migration, repository_id)
);
CREATE TABLE events (
  id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at            TEXT COLLATE "C" NOT NULL,
  kind          TEXT NOT NULL,
  migration     TEXT NOT NULL DEFAULT '',
  repository_id BIGINT NOT NULL DEFAULT 0,
  repository    TEXT NOT NULL DEFAULT '',
  pull_request  BIGINT NOT NULL DEFAULT 0,
  details       JSON NOT NULL DEFAULT '{}' CHECK (json_typeof(details) = 'object')
);
CREATE INDEX events_by_migration ON events(migration, repository_id);
CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN RAISE EXCEPTION 'events are append-only'; END $$;
CREATE TRIGGER events_no_change BEFORE UPDATE OR DELETE ON events
  FOR EACH ROW EXECUTE FUNCTION events_append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
  FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();
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
  dry_run          BOOLEAN NOT NULL DEFAULT FALSE,
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
  full_name        TEXT COLLATE "C" NOT NULL,
  repository_id    BIGINT NOT NULL DEFAULT 0,
  clone_url        TEXT NOT NULL DEFAULT '',
  owner            TEXT NOT NULL DEFAULT '',
  tier             INTEGER NOT NULL DEFAULT 0,
  wave             INTEGER NOT NULL,
  position         INTEGER NOT NULL,
  wave_reason      TEXT NOT NULL DEFAULT '',
  state            TEXT NOT NULL,
  note             TEXT NOT NULL DEFAULT '',
  pull_request     BIGINT NOT NULL DEFAULT 0,
  pull_request_url TEXT NOT NULL DEFAULT '',
  head_sha         TEXT NOT NULL DEFAULT '',
  ci               TEXT NOT NULL DEFAULT '',
  files_changed    BIGINT NOT NULL DEFAULT 0,
  rewrites         BIGINT NOT NULL DEFAULT 0,
  attention        BIGINT NOT NULL DEFAULT 0,
  attention_items  JSON NOT NULL DEFAULT '[]',
  analyzed_base    TEXT NOT NULL DEFAULT '',
  analyzed_digest  TEXT NOT NULL DEFAULT '',
  publishing_since TEXT NOT NULL DEFAULT '',
  failures         INTEGER NOT NULL DEFAULT 0,
  updated_at       TEXT NOT NULL,
  PRIMARY KEY (campaign, full_name)
);
CREATE INDEX campaign_repos_by_wave ON campaign_repos(campaign, wave, position);
)sql";

// Version 3, PostgreSQL only: the work queue that runners sharing a campaign claim repositories
// from (WorkQueue.h). Leases run on the database's clock, the one clock all runners share.
const char* kSchemaV3 = R"sql(
CREATE TABLE work_jobs (
  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  campaign    TEXT NOT NULL,
  full_name   TEXT COLLATE "C" NOT NULL,
  state       TEXT NOT NULL DEFAULT 'queued'
    CHECK (state IN ('queued', 'running', 'done', 'failed')),
  locked_by   TEXT NOT NULL DEFAULT '',
  lease_until TIMESTAMPTZ,
  version     BIGINT NOT NULL DEFAULT 0,
  resets      INTEGER NOT NULL DEFAULT 0,
  error       TEXT NOT NULL DEFAULT '',
  updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  CHECK ((state = 'running') = (lease_until IS NOT NULL))
);
CREATE UNIQUE INDEX work_jobs_one_active ON work_jobs (campaign, full_name)
  WHERE state IN ('queued', 'running');
CREATE INDEX work_jobs_to_claim ON work_jobs (campaign, id) WHERE state = 'queued';
CREATE INDEX work_jobs_leases ON work_jobs (lease_until) WHERE state = 'running';
)sql";

// Version 4: the App's durable queue of webhook deliveries (docs/app.md), as in SqliteStore. Its
// times are the store's client-side text, like every table but work_jobs.
const char* kSchemaV4 = R"sql(
CREATE TABLE deliveries (
  id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  delivery_id     TEXT NOT NULL UNIQUE,
  event           TEXT COLLATE "C" NOT NULL,
  action          TEXT NOT NULL DEFAULT '',
  repository_id   BIGINT NOT NULL DEFAULT 0,
  installation_id BIGINT NOT NULL DEFAULT 0,
  payload         TEXT NOT NULL,
  state           TEXT COLLATE "C" NOT NULL DEFAULT 'queued'
    CHECK (state IN ('queued', 'running', 'done', 'failed', 'ignored')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  not_before      TEXT COLLATE "C" NOT NULL,
  last_error      TEXT NOT NULL DEFAULT '',
  received_at     TEXT NOT NULL,
  locked_by       TEXT NOT NULL DEFAULT '',
  lease_until     TEXT COLLATE "C" NOT NULL DEFAULT '',
  updated_at      TEXT NOT NULL,
  CHECK ((state = 'running') = (lease_until <> ''))
);
CREATE UNIQUE INDEX deliveries_one_running ON deliveries (repository_id)
  WHERE state = 'running' AND repository_id <> 0;
CREATE INDEX deliveries_queued ON deliveries (repository_id, id) WHERE state = 'queued';
)sql";

// The advisory lock openers take while they read and raise the schema version ("godwit").
constexpr int64_t kSchemaLock = 0x676f64776974;

std::string percentDecode(std::string_view text) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9')
      return c - '0';
    if (c >= 'a' && c <= 'f')
      return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
      return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out += static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// Where a URL's parts are: the user information and hosts follow `://`, the query follows `?`.
// A password should percent-encode `@`, `/` and `?`, but one that does not must not show either:
// the user information ends at the URL's last `@`, which shows too little of a URL with an `@` in
// its query rather than too much of a password.
struct UrlLayout {
  size_t authority = std::string_view::npos; ///< After `://`; npos when there is none.
  size_t query = std::string_view::npos;     ///< After `?`; npos when there is none.
  size_t passwordBegin = 0, passwordEnd = 0; ///< The user information's `:password`, if any.
};

UrlLayout layoutOf(std::string_view url) {
  UrlLayout l;
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos)
    return l;
  l.authority = scheme + 3;
  size_t question = url.find('?', l.authority);
  if (question != std::string_view::npos)
    l.query = question + 1;
  size_t at = url.rfind('@');
  if (at != std::string_view::npos && at >= l.authority) {
    size_t colon = url.find(':', l.authority);
    if (colon != std::string_view::npos && colon < at) {
      l.passwordBegin = colon;
      l.passwordEnd = at;
    }
  }
  return l;
}

// Calls `f(key, value, begin, end)` for each `key=value` of the query part.
template <class F> void forEachParameter(std::string_view url, const UrlLayout& l, F&& f) {
  if (l.query == std::string_view::npos)
    return;
  size_t pos = l.query;
  while (pos <= url.size()) {
    size_t amp = url.find('&', pos);
    if (amp == std::string_view::npos)
      amp = url.size();
    std::string_view param = url.substr(pos, amp - pos);
    size_t eq = param.find('=');
    f(percentDecode(param.substr(0, eq)),
      eq == std::string_view::npos ? std::string_view() : param.substr(eq + 1), pos, amp);
    pos = amp + 1;
  }
}

// Every spelling of the URL's passwords, to be scrubbed from any message that might echo one.
std::vector<std::string> urlSecrets(std::string_view url) {
  std::vector<std::string> out;
  UrlLayout l = layoutOf(url);
  auto add = [&out](std::string_view raw) {
    if (raw.empty())
      return;
    out.emplace_back(raw);
    out.push_back(percentDecode(raw));
  };
  if (l.passwordEnd > l.passwordBegin)
    add(url.substr(l.passwordBegin + 1, l.passwordEnd - l.passwordBegin - 1));
  forEachParameter(url, l, [&](const std::string& key, std::string_view value, size_t, size_t) {
    if (key == "password")
      add(value);
  });
  return out;
}

// A libpq keyword/value string from the URL's parameters, with the password given apart and
// godwit's defaults for what the URL leaves out.
Expected<std::string> connectionString(const std::string& url, const PostgresOptions& options,
                                       const std::string& shown,
                                       const std::vector<std::string>& secrets) {
  char* message = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(url.c_str(), &message);
  if (!parsed) {
    std::string text = message ? message : "out of memory";
    PQfreemem(message);
    return makeError("store " + shown + ": " + redact(trimmed(text), secrets),
                     "give postgres://USER@HOST:PORT/DATABASE (libpq's URI syntax)");
  }
  auto quote = [](const std::string& value) {
    std::string out = "'";
    for (char c : value) {
      if (c == '\'' || c == '\\')
        out += '\\';
      out += c;
    }
    return out + "'";
  };
  std::string conninfo;
  bool timeout = false;
  for (const PQconninfoOption* o = parsed; o->keyword; ++o) {
    if (!o->val)
      continue;
    const std::string keyword = o->keyword;
    if (keyword == "password" && !options.password.empty())
      continue;
    timeout = timeout || keyword == "connect_timeout";
    conninfo += keyword + "=" + quote(o->val) + " ";
  }
  PQconninfoFree(parsed);
  if (!options.password.empty())
    conninfo += "password=" + quote(options.password) + " ";
  if (!timeout)
    conninfo += "connect_timeout=10 ";
  return conninfo + "fallback_application_name=godwit";
}

// A result row as the readers of StoreRows.h take it.
class Row {
public:
  explicit Row(const pqxx::row& row) : row_(row) {}
  std::string text(int i) const {
    const pqxx::field f = row_[i];
    return f.is_null() ? std::string() : std::string(f.c_str(), f.size());
  }
  int64_t integer(int i) const {
    const pqxx::field f = row_[i];
    if (f.is_null())
      return 0;
    if (f.type() == kBoolOid)
      return f.as<bool>() ? 1 : 0;
    return f.as<int64_t>();
  }
  bool isNull(int i) const { return row_[i].is_null(); }

private:
  static constexpr pqxx::oid kBoolOid = 16; // pg_type's `bool`
  const pqxx::row& row_;
};

// The one number a statement returns (`count(*)`, `RETURNING id`).
int64_t single(const pqxx::result& r) {
  return Row(r[0]).integer(0);
}

// Every row of `r` as a record.
template <class Read> auto readAll(const pqxx::result& r, Read read) {
  std::vector<decltype(read(Row(r[0])))> out;
  for (const pqxx::row& row : r)
    out.push_back(read(Row(row)));
  return out;
}

// The first row of `r` as a record, if any.
template <class Read> auto readFirst(const pqxx::result& r, Read read) {
  using Record = decltype(read(Row(r[0])));
  return r.empty() ? std::optional<Record>() : std::optional<Record>(read(Row(r[0])));
}

std::optional<int64_t> nullIfZero(int64_t id) {
  return id ? std::optional<int64_t>(id) : std::nullopt;
}

// `INSERT … ON CONFLICT (the first `keys` columns) DO UPDATE` of every other column: SQLite's
// INSERT OR REPLACE, for tables no other row refers to.
std::string replaceInto(const char* table, std::initializer_list<const char*> columns,
                        size_t keys) {
  std::string names, values, conflict, updates;
  size_t n = 0;
  for (const char* c : columns) {
    const char* comma = n ? ", " : "";
    names.append(comma).append(c);
    values.append(comma).append("$" + std::to_string(n + 1));
    if (n < keys)
      conflict.append(comma).append(c);
    else
      updates.append(n > keys ? ", " : "").append(c).append(" = EXCLUDED.").append(c);
    ++n;
  }
  return std::string("INSERT INTO ") + table + " (" + names + ") VALUES (" + values +
         ") ON CONFLICT (" + conflict + ") DO UPDATE SET " + updates;
}

} // namespace

namespace pgdetail {

void writeCampaignRepo(pqxx::transaction_base& tx, const CampaignRepoRecord& r) {
  static const std::string sql = replaceInto("campaign_repos",
                                             {"campaign",
                                              "full_name",
                                              "repository_id",
                                              "clone_url",
                                              "owner",
                                              "tier",
                                              "wave",
                                              "position",
                                              "wave_reason",
                                              "state",
                                              "note",
                                              "pull_request",
                                              "pull_request_url",
                                              "head_sha",
                                              "ci",
                                              "files_changed",
                                              "rewrites",
                                              "attention",
                                              "attention_items",
                                              "analyzed_base",
                                              "analyzed_digest",
                                              "publishing_since",
                                              "failures",
                                              "updated_at"},
                                             2);
  tx.exec_params(sql, r.campaign, r.fullName, r.repositoryId, r.cloneUrl, r.owner, r.tier, r.wave,
                 r.position, r.waveReason, r.state, r.note, r.pullRequest, r.pullRequestUrl,
                 r.headSha, r.ci, r.filesChanged, r.rewrites, r.attention,
                 r.attentionItems.empty() ? std::string("[]") : r.attentionItems, r.analyzedBase,
                 r.analyzedDigest, r.publishingSince, r.failures, storeTimestamp());
}

int64_t writeEvent(pqxx::transaction_base& tx, const EventRecord& e) {
  return single(tx.exec_params("INSERT INTO events (at, kind, migration, repository_id, "
                               "repository, pull_request, details) VALUES ($1, $2, $3, $4, $5, "
                               "$6, $7) RETURNING id",
                               e.at.empty() ? storeTimestamp() : e.at, e.kind, e.migration,
                               e.repositoryId, e.repository, e.pullRequest,
                               e.details.empty() ? std::string("{}") : e.details));
}

} // namespace pgdetail

bool isPostgresUrl(std::string_view store) {
  return store.rfind("postgres://", 0) == 0 || store.rfind("postgresql://", 0) == 0;
}

std::string redactStoreUrl(std::string_view url) {
  UrlLayout l = layoutOf(url);
  std::string out;
  if (l.passwordEnd > l.passwordBegin)
    out.append(url.substr(0, l.passwordBegin)).append(url.substr(l.passwordEnd));
  else
    out.assign(url);
  // Drop `password=` parameters from the (re-laid-out) query.
  UrlLayout lo = layoutOf(out);
  if (lo.query == std::string::npos)
    return out;
  std::string kept;
  forEachParameter(out, lo, [&](const std::string& key, std::string_view, size_t b, size_t e) {
    if (key == "password" || b == e)
      return;
    kept.append(kept.empty() ? "" : "&").append(out, b, e - b);
  });
  return out.substr(0, lo.query - 1) + (kept.empty() ? "" : "?" + kept);
}

const std::vector<std::string>& PostgresStore::schemaMigrations() {
  static const std::vector<std::string> steps = {kSchemaV1, kSchemaV2, kSchemaV3, kSchemaV4};
  return steps;
}

PostgresStore::PostgresStore(std::unique_ptr<Connection> connection) : db_(std::move(connection)) {}

PostgresStore::~PostgresStore() = default;

Expected<std::unique_ptr<PostgresStore>> PostgresStore::open(const std::string& url,
                                                             const PostgresOptions& options) {
  return open(url, options, schemaMigrations());
}

Expected<std::unique_ptr<PostgresStore>>
PostgresStore::open(const std::string& url, const PostgresOptions& options,
                    const std::vector<std::string>& migrations) {
  auto connection = std::make_unique<Connection>();
  connection->shown = redactStoreUrl(url);
  connection->secrets = urlSecrets(url);
  if (!options.password.empty())
    connection->secrets.push_back(options.password);
  if (!isPostgresUrl(url))
    return makeError("store " + connection->shown + ": not a postgres:// or postgresql:// URL",
                     "give postgres://USER@HOST:PORT/DATABASE");
  Expected<std::string> conninfo =
      connectionString(url, options, connection->shown, connection->secrets);
  if (!conninfo)
    return conninfo.error();
  Connection& c = *connection;
  if (Expected<void> connected =
          c.attempt("cannot connect",
                    [&] {
                      c.conn = std::make_unique<pqxx::connection>(*conninfo);
                      c.quiet = std::make_unique<pqxx::quiet_errorhandler>(*c.conn);
                    });
      !connected)
    return connected.error();
  std::unique_ptr<PostgresStore> store(new PostgresStore(std::move(connection)));
  if (Expected<void> migrated = store->migrate(migrations); !migrated)
    return migrated.error();
  return store;
}

Expected<void> PostgresStore::migrate(const std::vector<std::string>& migrations) {
  // Each transaction takes the advisory lock first, so concurrent openers create the version
  // table once and apply each step once; the lock ends with the transaction.
  if (Expected<void> r = db_->attempt("cannot create the schema version table",
                                      [&] {
                                        pqxx::work tx(*db_->conn);
                                        tx.exec_params("SELECT pg_advisory_xact_lock($1)",
                                                       kSchemaLock);
                                        tx.exec("CREATE TABLE IF NOT EXISTS schema_version "
                                                "(version INTEGER NOT NULL);"
                                                "INSERT INTO schema_version SELECT 0 WHERE NOT "
                                                "EXISTS (SELECT 1 FROM schema_version);");
                                        tx.commit();
                                      });
      !r)
    return r;
  for (;;) {
    size_t version = 0;
    std::string failure;
    try {
      pqxx::work tx(*db_->conn);
      tx.exec_params("SELECT pg_advisory_xact_lock($1)", kSchemaLock);
      version = static_cast<size_t>(tx.exec1("SELECT version FROM schema_version")[0].as<int>());
      if (version >= migrations.size())
        break; // Nothing to do: the transaction ends unused.
      try {
        tx.exec(migrations[version]);
        tx.exec_params("UPDATE schema_version SET version = $1", static_cast<int>(version + 1));
        tx.commit();
        continue;
      } catch (const std::exception& e) {
        failure = redact(trimmed(e.what()), db_->secrets);
      }
    } catch (const std::exception& e) {
      return db_->error("cannot read the schema version", e);
    }
    return makeError(
        "cannot upgrade the store schema from version " + std::to_string(version) + " to " +
            std::to_string(version + 1) + ": store " + db_->shown + ": " + failure,
        "the store is left at version " + std::to_string(version) + "; report this bug");
  }
  Expected<int> version = schemaVersion();
  if (!version)
    return version.error();
  if (static_cast<size_t>(*version) > migrations.size())
    return makeError("store " + db_->shown + " has schema version " + std::to_string(*version) +
                         ", newer than this godwit knows (" + std::to_string(migrations.size()) +
                         ")",
                     "upgrade godwit, or point it at another store");
  return {};
}

Expected<int> PostgresStore::schemaVersion() {
  return db_->attempt("cannot read the schema version", [&] {
    return static_cast<int>(single(db_->exec("SELECT version FROM schema_version")));
  });
}

Expected<void> PostgresStore::saveMigration(const MigrationRecord& m) {
  return db_->attempt("cannot save migration " + m.name, [&] {
    db_->exec("INSERT INTO migrations (name, description, path, first_seen, last_seen) "
              "VALUES ($1, $2, $3, $4, $4) ON CONFLICT (name) DO UPDATE SET "
              "description = EXCLUDED.description, path = EXCLUDED.path, "
              "last_seen = EXCLUDED.last_seen",
              m.name, m.description, m.path, storeTimestamp());
  });
}

Expected<void> PostgresStore::saveRepository(const RepositoryRecord& r) {
  return db_->attempt("cannot save repository " + r.fullName, [&] {
    pqxx::work tx(*db_->conn);
    // A name moves to the new id (a deleted and re-created repository, or a swap after renames).
    tx.exec_params("UPDATE repositories SET full_name = full_name || '#' || id "
                   "WHERE full_name = $1 AND id <> $2",
                   r.fullName, r.id);
    tx.exec_params("INSERT INTO repositories (id, full_name, default_branch, html_url, archived, "
                   "updated_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO UPDATE SET "
                   "full_name = EXCLUDED.full_name, default_branch = EXCLUDED.default_branch, "
                   "html_url = EXCLUDED.html_url, archived = EXCLUDED.archived, "
                   "updated_at = EXCLUDED.updated_at",
                   r.id, r.fullName, r.defaultBranch, r.htmlUrl, r.archived, storeTimestamp());
    tx.commit();
  });
}

Expected<std::optional<RepositoryRecord>> PostgresStore::repository(int64_t id) {
  return db_->attempt("cannot read repository " + std::to_string(id), [&] {
    return readFirst(db_->exec(std::string(kRepositoryColumns) + "WHERE id = $1", id),
                     readRepository<Row>);
  });
}

Expected<std::optional<RepositoryRecord>>
PostgresStore::repositoryByName(const std::string& fullName) {
  return db_->attempt("cannot read repository " + fullName, [&] {
    return readFirst(db_->exec(std::string(kRepositoryColumns) + "WHERE full_name = $1", fullName),
                     readRepository<Row>);
  });
}

Expected<int64_t> PostgresStore::startRun(const RunRecord& run) {
  return db_->attempt("cannot record the run of " + run.migration, [&] {
    return single(db_->exec("INSERT INTO runs (migration, repository_id, started_at, base_sha) "
                            "VALUES ($1, $2, $3, $4) RETURNING id",
                            run.migration, nullIfZero(run.repositoryId), storeTimestamp(),
                            run.baseSha));
  });
}

Expected<void> PostgresStore::finishRun(const RunRecord& run) {
  Expected<size_t> changed =
      db_->attempt("cannot record the end of run " + std::to_string(run.id), [&] {
        return static_cast<size_t>(
            db_->exec(
                   "UPDATE runs SET finished_at = $2, outcome = $3, base_sha = $4, head_sha = $5, "
                   "files_changed = $6, rewrites = $7, attention = $8, error = $9, "
                   "repository_id = COALESCE($10::bigint, repository_id) WHERE id = $1",
                   run.id, storeTimestamp(), run.outcome, run.baseSha, run.headSha,
                   run.filesChanged, run.rewrites, run.attention, run.error,
                   nullIfZero(run.repositoryId))
                .affected_rows());
      });
  if (!changed)
    return changed.error();
  if (*changed != 1)
    return makeError("store " + db_->shown + ": no run " + std::to_string(run.id));
  return {};
}

Expected<std::vector<RunRecord>> PostgresStore::runs(const std::string& migration) {
  return db_->attempt("cannot read runs", [&] {
    return readAll(
        db_->exec(std::string(kRunColumns) + "WHERE $1::text = '' OR migration = $1 ORDER BY id",
                  migration),
        readRun<Row>);
  });
}

Expected<std::optional<PullRequestRecord>> PostgresStore::pullRequest(const std::string& migration,
                                                                      int64_t repositoryId) {
  return db_->attempt("cannot read the pull request of " + migration, [&] {
    return readFirst(
        db_->exec(std::string(kPullRequestColumns) + "WHERE migration = $1 AND repository_id = $2",
                  migration, repositoryId),
        readPullRequest<Row>);
  });
}

Expected<void> PostgresStore::savePullRequest(const PullRequestRecord& p) {
  static const std::string sql = replaceInto(
      "pull_requests",
      {"migration", "repository_id", "branch", "base_branch", "number", "html_url", "title",
       "base_sha", "head_sha", "publication_state", "reconcile_state", "external_state",
       "num_failures", "last_error", "human_edited", "closed_by_bot", "updated_at"},
      2);
  return db_->attempt("cannot save the pull request of " + p.migration, [&] {
    std::optional<std::string> external;
    if (p.external)
      external = std::string(toString(*p.external));
    db_->exec(sql, p.migration, p.repositoryId, p.branch, p.baseBranch, p.number, p.htmlUrl,
              p.title, p.baseSha, p.headSha, std::string(toString(p.publication)),
              std::string(toString(p.reconcile)), external, p.numFailures, p.lastError,
              p.humanEdited, p.closedByBot, storeTimestamp());
  });
}

Expected<std::vector<PullRequestRecord>> PostgresStore::pullRequests(const std::string& migration) {
  return db_->attempt("cannot read pull requests", [&] {
    return readAll(db_->exec(std::string(kPullRequestColumns) +
                                 "WHERE $1::text = '' OR migration = $1 "
                                 "ORDER BY migration, repository_id",
                             migration),
                   readPullRequest<Row>);
  });
}

Expected<int64_t> PostgresStore::appendEvent(const EventRecord& e) {
  return db_->attempt("cannot append event " + e.kind, [&] {
    pqxx::nontransaction tx(*db_->conn);
    return pgdetail::writeEvent(tx, e);
  });
}

Expected<std::vector<EventRecord>> PostgresStore::events(const std::string& migration,
                                                         int64_t repositoryId) {
  return db_->attempt("cannot read events", [&] {
    return readAll(db_->exec(std::string(kEventColumns) +
                                 "WHERE ($1::text = '' OR migration = $1) AND "
                                 "($2::bigint = 0 OR repository_id = $2) ORDER BY id",
                             migration, repositoryId),
                   readEvent<Row>);
  });
}

Expected<int64_t> PostgresStore::countEvents(const std::string& migration, const std::string& kind,
                                             const std::string& since) {
  return db_->attempt("cannot count events " + kind, [&] {
    return single(db_->exec("SELECT count(*) FROM events WHERE migration = $1 AND kind = $2 "
                            "AND at >= $3",
                            migration, kind, since));
  });
}

Expected<void> PostgresStore::saveCampaign(const CampaignRecord& c) {
  return db_->attempt("cannot save campaign " + c.name, [&] {
    const std::string now = storeTimestamp();
    db_->exec("INSERT INTO campaigns (name, migration_path, migration_digest, state, "
              "pause_reason, dry_run, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, "
              "$7, $8) ON CONFLICT (name) DO UPDATE SET migration_path = EXCLUDED.migration_path, "
              "migration_digest = EXCLUDED.migration_digest, state = EXCLUDED.state, "
              "pause_reason = EXCLUDED.pause_reason, dry_run = EXCLUDED.dry_run, "
              "updated_at = EXCLUDED.updated_at",
              c.name, c.migrationPath, c.migrationDigest, c.state, c.pauseReason, c.dryRun,
              c.createdAt.empty() ? now : c.createdAt, now);
  });
}

Expected<std::optional<CampaignRecord>> PostgresStore::campaign(const std::string& name) {
  return db_->attempt("cannot read campaign " + name, [&] {
    return readFirst(db_->exec(std::string(kCampaignColumns) + "WHERE name = $1", name),
                     readCampaign<Row>);
  });
}

Expected<std::vector<CampaignRecord>> PostgresStore::campaigns() {
  return db_->attempt("cannot list the campaigns", [&] {
    // Byte order, as SQLite's: the database's collation would sort by its locale.
    return readAll(db_->exec(std::string(kCampaignColumns) + "ORDER BY name COLLATE \"C\""),
                   readCampaign<Row>);
  });
}

Expected<void> PostgresStore::deleteCampaignPlan(const std::string& name) {
  return db_->attempt("cannot remove the plan of campaign " + name, [&] {
    pqxx::work tx(*db_->conn);
    tx.exec_params("DELETE FROM campaign_repos WHERE campaign = $1", name);
    tx.exec_params("DELETE FROM campaign_waves WHERE campaign = $1", name);
    tx.exec_params("DELETE FROM campaigns WHERE name = $1", name);
    tx.commit();
  });
}

Expected<void> PostgresStore::saveWave(const WaveRecord& w) {
  static const std::string sql = replaceInto(
      "campaign_waves", {"campaign", "number", "state", "started_at", "gated_at", "passed_at"}, 2);
  return db_->attempt("cannot save wave " + std::to_string(w.number) + " of " + w.campaign, [&] {
    db_->exec(sql, w.campaign, w.number, w.state, w.startedAt, w.gatedAt, w.passedAt);
  });
}

Expected<std::vector<WaveRecord>> PostgresStore::waves(const std::string& campaign) {
  return db_->attempt("cannot read the waves of " + campaign, [&] {
    return readAll(
        db_->exec(std::string(kWaveColumns) + "WHERE campaign = $1 ORDER BY number", campaign),
        readWave<Row>);
  });
}

Expected<void> PostgresStore::saveCampaignRepo(const CampaignRepoRecord& r) {
  return db_->attempt("cannot save " + r.fullName + " of campaign " + r.campaign, [&] {
    pqxx::nontransaction tx(*db_->conn);
    pgdetail::writeCampaignRepo(tx, r);
  });
}

Expected<int64_t> PostgresStore::countOpenPullRequests(const std::string& campaign,
                                                       const std::string& owner) {
  return db_->attempt("cannot count the open pull requests of " + campaign, [&] {
    return single(db_->exec("SELECT count(*) FROM campaign_repos WHERE campaign = $1 AND "
                            "($2::text = '' OR owner = $2) AND "
                            "(state IN ('open', 'human-edited') OR publishing_since <> '')",
                            campaign, owner));
  });
}

Expected<std::optional<CampaignRepoRecord>>
PostgresStore::campaignRepo(const std::string& campaign, const std::string& fullName) {
  return db_->attempt("cannot read " + fullName + " of campaign " + campaign, [&] {
    return readFirst(db_->exec(std::string(kCampaignRepoColumns) +
                                   "WHERE campaign = $1 AND full_name = $2",
                               campaign, fullName),
                     readCampaignRepo<Row>);
  });
}

Expected<std::vector<CampaignRepoRecord>>
PostgresStore::campaignRepos(const std::string& campaign) {
  return db_->attempt("cannot read the repositories of " + campaign, [&] {
    return readAll(db_->exec(std::string(kCampaignRepoColumns) +
                                 "WHERE campaign = $1 ORDER BY wave, position, full_name",
                             campaign),
                   readCampaignRepo<Row>);
  });
}

Expected<bool> PostgresStore::enqueueDelivery(const DeliveryRecord& d) {
  return db_->attempt("cannot queue delivery " + d.deliveryId, [&] {
    const std::string now = storeTimestamp();
    const std::string received = d.receivedAt.empty() ? now : d.receivedAt;
    return db_->exec("INSERT INTO deliveries (delivery_id, event, action, repository_id, "
                     "installation_id, payload, not_before, received_at, updated_at) VALUES "
                     "($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (delivery_id) DO NOTHING",
                     d.deliveryId, d.event, d.action, d.repositoryId, d.installationId, d.payload,
                     d.notBefore.empty() ? received : d.notBefore, received, now)
               .affected_rows() == 1;
  });
}

Expected<std::optional<DeliveryRecord>>
PostgresStore::claimDelivery(const std::string& worker, const std::string& now,
                             const std::string& leaseUntil) {
  // A row another claimer holds is skipped, and the deliveries after it of its repository are
  // not candidates while it is queued in this statement's snapshot: so two claimers never take
  // one delivery, nor two of one repository.
  static const std::string sql =
      std::string("WITH next AS (SELECT d.id FROM deliveries d WHERE d.state = 'queued' AND "
                  "d.not_before <= $2 AND (d.repository_id = 0 OR NOT EXISTS (SELECT 1 FROM "
                  "deliveries o WHERE o.repository_id = d.repository_id AND (o.state = 'running' "
                  "OR (o.state = 'queued' AND o.id < d.id)))) ORDER BY d.id LIMIT 1 "
                  "FOR UPDATE SKIP LOCKED) "
                  "UPDATE deliveries SET state = 'running', attempts = attempts + 1, "
                  "locked_by = $1, lease_until = $3, updated_at = $4 FROM next "
                  "WHERE deliveries.id = next.id RETURNING ") +
      "deliveries.id, delivery_id, event, action, repository_id, installation_id, payload, state, "
      "attempts, not_before, last_error, received_at, locked_by, lease_until, updated_at";
  return db_->attempt("cannot claim a delivery", [&] {
    return readFirst(db_->exec(sql, worker, now, leaseUntil, storeTimestamp()),
                     readDelivery<Row>);
  });
}

Expected<bool> PostgresStore::renewDelivery(const DeliveryRecord& claimed,
                                            const std::string& leaseUntil) {
  return db_->attempt("cannot renew the lease of delivery " + claimed.deliveryId, [&] {
    // Fenced as finishDelivery is: a claim that was requeued and taken again has another attempt.
    return db_->exec("UPDATE deliveries SET lease_until = $4, updated_at = $5 "
                     "WHERE id = $1 AND state = 'running' AND locked_by = $2 AND attempts = $3",
                     claimed.id, claimed.lockedBy, claimed.attempts, leaseUntil, storeTimestamp())
               .affected_rows() == 1;
  });
}

Expected<bool> PostgresStore::finishDelivery(const DeliveryRecord& claimed,
                                             DeliveryOutcome outcome, const std::string& error,
                                             const std::string& retryAt) {
  return db_->attempt("cannot finish delivery " + claimed.deliveryId, [&] {
    const std::string now = storeTimestamp();
    // The attempt count is the claim's fencing token: a requeued and reclaimed delivery has
    // another.
    return db_->exec("UPDATE deliveries SET state = $4, last_error = $5, "
                     "not_before = CASE WHEN $4 = 'queued' THEN $6 ELSE not_before END, "
                     "locked_by = '', lease_until = '', updated_at = $7 "
                     "WHERE id = $1 AND state = 'running' AND locked_by = $2 AND attempts = $3",
                     claimed.id, claimed.lockedBy, claimed.attempts,
                     std::string(deliveryState(outcome)), error,
                     retryAt.empty() ? now : retryAt, now)
               .affected_rows() == 1;
  });
}

Expected<int64_t> PostgresStore::requeueStaleDeliveries(const std::string& worker,
                                                        const std::string& now) {
  return db_->attempt("cannot requeue stale deliveries", [&] {
    return static_cast<int64_t>(
        db_->exec("UPDATE deliveries SET state = 'queued', locked_by = '', lease_until = '', "
                  "updated_at = $3 WHERE state = 'running' AND (locked_by = $1 OR "
                  "lease_until < $2)",
                  worker, now, storeTimestamp())
            .affected_rows());
  });
}

Expected<std::optional<DeliveryRecord>> PostgresStore::delivery(const std::string& deliveryId) {
  return db_->attempt("cannot read delivery " + deliveryId, [&] {
    return readFirst(db_->exec(std::string("SELECT ") + kDeliveryFields +
                                   " FROM deliveries WHERE delivery_id = $1",
                               deliveryId),
                     readDelivery<Row>);
  });
}

Expected<int64_t> PostgresStore::pruneDeliveries(const std::string& before) {
  return db_->attempt("cannot prune finished deliveries", [&] {
    return static_cast<int64_t>(
        db_->exec("DELETE FROM deliveries WHERE state IN ('done', 'ignored', 'failed') AND "
                  "updated_at < $1",
                  before)
            .affected_rows());
  });
}

Expected<std::vector<DeliveryCount>> PostgresStore::deliveryCounts() {
  return db_->attempt("cannot count deliveries", [&] {
    std::vector<DeliveryCount> out;
    for (const pqxx::row& r : db_->exec("SELECT event, state, count(*) FROM deliveries "
                                        "GROUP BY event, state ORDER BY event, state"))
      out.push_back({r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<int64_t>()});
    return out;
  });
}

} // namespace godwit
