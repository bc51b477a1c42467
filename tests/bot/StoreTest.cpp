// The Store, one parametrized suite over the backends (StoreBackends.h): SQLite and PostgreSQL.
#include "StoreBackends.h"

#include "GitFixture.h"
#include "bot/store/SqliteStore.h"

#include <sqlite3.h>

#include <gtest/gtest.h>

#include <latch>
#include <thread>
#include <vector>

namespace godwit {
namespace {

using bottest::TempDir;
using storetest::StoreSuite;

class StoreTest : public StoreSuite {
protected:
  std::string latest() const { return std::to_string(db->schemaSteps()); }

  static RepositoryRecord repo(int64_t id = 7, std::string name = "acme/pipelines") {
    RepositoryRecord r;
    r.id = id;
    r.fullName = std::move(name);
    r.defaultBranch = "main";
    r.htmlUrl = "https://github.com/" + r.fullName;
    return r;
  }
};

TEST_P(StoreTest, FreshStoreIsAtTheLatestSchema) {
  auto store = open();
  EXPECT_EQ(db->scalar("SELECT version FROM schema_version"), latest());
  for (const char* table : {"migrations", "repositories", "runs", "pull_requests", "events",
                            "campaigns", "campaign_waves", "campaign_repos", "deliveries"})
    EXPECT_TRUE(db->hasTable(table)) << table;
}

TEST(SqliteStoreTest, FileIsInWalMode) {
  TempDir tmp;
  const auto file = tmp.path() / "state" / "godwit.db";
  ASSERT_TRUE(SqliteStore::open(file));
  EXPECT_TRUE(std::filesystem::exists(file));
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)), "wal");
  sqlite3_finalize(s);
  sqlite3_close(db);
}

TEST_P(StoreTest, ReopeningKeepsDataAndVersion) {
  {
    auto store = open();
    ASSERT_TRUE(store->saveMigration({"m", "moves x", "m.yaml", "", ""}));
  }
  auto store = open();
  EXPECT_EQ(db->scalar("SELECT version FROM schema_version"), latest());
  EXPECT_EQ(db->scalar("SELECT count(*) FROM schema_version"), "1");
  EXPECT_EQ(db->scalar("SELECT description FROM migrations WHERE name='m'"), "moves x");
}

TEST_P(StoreTest, SchemaStepsApplyInOrderAndAFailingStepRollsBack) {
  std::vector<std::string> steps = {"CREATE TABLE a (x INTEGER);",
                                    "INSERT INTO a VALUES (1); CREATE TABLE b (y INTEGER);"};
  {
    auto store = db->open(steps);
    ASSERT_TRUE(store) << store.error().str();
    EXPECT_EQ(db->scalar("SELECT version FROM schema_version"), "2");
  }
  steps.push_back("INSERT INTO a VALUES (2); CREATE TABLE c (z INTEGER); SELECT nosuchfunction();");
  auto failed = db->open(steps);
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().message.find("from version 2 to 3"), std::string::npos)
      << failed.error().str();
  EXPECT_EQ(db->scalar("SELECT version FROM schema_version"), "2");
  EXPECT_EQ(db->scalar("SELECT count(*) FROM a"), "1") << "the failed step's insert is undone";
  EXPECT_FALSE(db->hasTable("c"));

  steps.back() = "INSERT INTO a VALUES (3);";
  auto fixed = db->open(steps);
  ASSERT_TRUE(fixed) << fixed.error().str();
  EXPECT_EQ(db->scalar("SELECT version FROM schema_version"), "3");
  EXPECT_EQ(db->scalar("SELECT count(*) FROM a"), "2");
  EXPECT_EQ(db->scalar("SELECT sum(x) FROM a"), "4") << "1 and 3";
}

TEST_P(StoreTest, NewerSchemaIsRefused) {
  { open(); }
  ASSERT_TRUE(db->exec("UPDATE schema_version SET version = 99"));
  auto store = db->open();
  ASSERT_FALSE(store);
  EXPECT_NE(store.error().message.find("newer"), std::string::npos);
  EXPECT_FALSE(store.error().hint.empty());
}

TEST_P(StoreTest, ConcurrentOpensOfAFreshStoreApplyEachStepOnce) {
  constexpr int kOpeners = 8;
  std::latch go(kOpeners);
  std::vector<std::string> errors(kOpeners);
  std::vector<std::thread> openers;
  for (int i = 0; i < kOpeners; ++i)
    openers.emplace_back([&, i] {
      go.arrive_and_wait();
      auto store = db->open();
      if (!store)
        errors[i] = store.error().str();
      else if (!(*store)->saveMigration({"m" + std::to_string(i), "", "", "", ""}))
        errors[i] = "cannot save a migration";
    });
  for (std::thread& t : openers)
    t.join();
  for (const std::string& e : errors)
    EXPECT_EQ(e, "");
  EXPECT_EQ(db->scalar("SELECT count(*) FROM schema_version"), "1");
  EXPECT_EQ(db->scalar("SELECT version FROM schema_version"), latest());
  EXPECT_EQ(db->scalar("SELECT count(*) FROM migrations"), std::to_string(kOpeners));
}

TEST_P(StoreTest, RepositoriesByIdAndByName) {
  auto store = open();
  ASSERT_TRUE(store->saveRepository(repo()));
  auto byId = store->repository(7);
  ASSERT_TRUE(byId && *byId);
  EXPECT_EQ((*byId)->fullName, "acme/pipelines");
  EXPECT_EQ((*byId)->defaultBranch, "main");
  EXPECT_FALSE((*byId)->updatedAt.empty());

  // A rename keeps the id.
  RepositoryRecord renamed = repo(7, "acme/etl");
  renamed.archived = true;
  ASSERT_TRUE(store->saveRepository(renamed));
  EXPECT_FALSE(*store->repositoryByName("acme/pipelines"));
  auto byName = store->repositoryByName("acme/etl");
  ASSERT_TRUE(byName && *byName);
  EXPECT_EQ((*byName)->id, 7);
  EXPECT_TRUE((*byName)->archived);

  // A re-created repository takes the name; the old id keeps its row.
  ASSERT_TRUE(store->saveRepository(repo(8, "acme/etl")));
  EXPECT_EQ((*store->repositoryByName("acme/etl"))->id, 8);
  ASSERT_TRUE(*store->repository(7));
  EXPECT_NE((*store->repository(7))->fullName, "acme/etl");
  EXPECT_FALSE(*store->repository(99));
}

TEST_P(StoreTest, RunsRoundTrip) {
  auto store = open();
  ASSERT_TRUE(store->saveMigration({"m", "", "", "", ""}));
  ASSERT_TRUE(store->saveRepository(repo()));
  RunRecord run;
  run.migration = "m";
  run.repositoryId = 7;
  Expected<int64_t> id = store->startRun(run);
  ASSERT_TRUE(id) << id.error().str();
  run.id = *id;
  run.outcome = "opened";
  run.baseSha = std::string(40, 'a');
  run.headSha = std::string(40, 'b');
  run.filesChanged = 2;
  run.rewrites = 3;
  run.attention = 1;
  ASSERT_TRUE(store->finishRun(run));
  auto runs = store->runs("m");
  ASSERT_TRUE(runs);
  ASSERT_EQ(runs->size(), 1u);
  const RunRecord& r = runs->front();
  EXPECT_EQ(r.id, *id);
  EXPECT_EQ(r.outcome, "opened");
  EXPECT_EQ(r.headSha, std::string(40, 'b'));
  EXPECT_EQ(r.rewrites, 3);
  EXPECT_EQ(r.attention, 1);
  EXPECT_FALSE(r.startedAt.empty());
  EXPECT_FALSE(r.finishedAt.empty());
  EXPECT_TRUE(store->runs("other")->empty());
  RunRecord missing;
  missing.id = 12345;
  EXPECT_FALSE(store->finishRun(missing));
  // A run needs a known migration.
  RunRecord orphan;
  orphan.migration = "unknown";
  EXPECT_FALSE(store->startRun(orphan));
}

TEST_P(StoreTest, PullRequestsRoundTripWithTheirStates) {
  auto store = open();
  ASSERT_TRUE(store->saveMigration({"m", "", "", "", ""}));
  ASSERT_TRUE(store->saveRepository(repo()));
  EXPECT_FALSE(*store->pullRequest("m", 7));
  PullRequestRecord pr;
  pr.migration = "m";
  pr.repositoryId = 7;
  pr.branch = "godwit/m";
  pr.baseBranch = "main";
  ASSERT_TRUE(store->savePullRequest(pr));
  auto got = store->pullRequest("m", 7);
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->publication, PublicationState::Unpublished);
  EXPECT_EQ((*got)->reconcile, ReconcileState::Queued);
  EXPECT_FALSE((*got)->external);
  EXPECT_EQ((*got)->display(), DisplayState::Processing);

  pr.number = 12;
  pr.htmlUrl = "https://github.com/acme/pipelines/pull/12";
  pr.publication = PublicationState::Draft;
  pr.reconcile = ReconcileState::Completed;
  pr.external = ExternalState::Draft;
  pr.headSha = std::string(40, 'c');
  pr.humanEdited = true;
  pr.closedByBot = true;
  pr.numFailures = 2;
  pr.lastError = "timeout";
  ASSERT_TRUE(store->savePullRequest(pr));
  got = store->pullRequest("m", 7);
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->number, 12);
  EXPECT_EQ((*got)->publication, PublicationState::Draft);
  EXPECT_EQ((*got)->external, ExternalState::Draft);
  EXPECT_EQ((*got)->display(), DisplayState::Draft);
  EXPECT_TRUE((*got)->humanEdited);
  EXPECT_TRUE((*got)->closedByBot);
  EXPECT_EQ((*got)->numFailures, 2);
  EXPECT_EQ((*got)->lastError, "timeout");
  EXPECT_EQ((*got)->headSha, std::string(40, 'c'));
  EXPECT_EQ(store->pullRequests("m")->size(), 1u);
  EXPECT_EQ(store->pullRequests("")->size(), 1u);

  EXPECT_FALSE(db->exec("UPDATE pull_requests SET reconcile_state = 'bogus'"))
      << "states are constrained to their spellings";
  EXPECT_EQ(db->scalar("SELECT reconcile_state FROM pull_requests"), "completed");
}

TEST_P(StoreTest, EventsAreAppendOnly) {
  auto store = open();
  EventRecord e;
  e.kind = "pull_request.create";
  e.migration = "m";
  e.repositoryId = 7;
  e.repository = "acme/pipelines";
  e.pullRequest = 12;
  e.details = R"({"title":"Migrate"})";
  Expected<int64_t> first = store->appendEvent(e);
  ASSERT_TRUE(first) << first.error().str();
  e.kind = "comment";
  e.details = "{}";
  Expected<int64_t> second = store->appendEvent(e);
  ASSERT_TRUE(second);
  EXPECT_GT(*second, *first);
  e.repositoryId = 8;
  ASSERT_TRUE(store->appendEvent(e));

  auto events = store->events("m");
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[0].kind, "pull_request.create");
  EXPECT_EQ((*events)[0].details, R"({"title":"Migrate"})");
  EXPECT_EQ((*events)[0].pullRequest, 12);
  EXPECT_FALSE((*events)[0].at.empty());
  EXPECT_EQ(store->events("m", 8)->size(), 1u);
  EXPECT_TRUE(store->events("n")->empty());

  e.details = "not json";
  EXPECT_FALSE(store->appendEvent(e)) << "details must be a JSON object";
  e.details = "[1]";
  EXPECT_FALSE(store->appendEvent(e));

  EXPECT_FALSE(db->exec("UPDATE events SET kind = 'x'"));
  EXPECT_FALSE(db->exec("DELETE FROM events"));
  EXPECT_EQ(db->scalar("SELECT count(*) FROM events"), "3");
  EXPECT_EQ(db->scalar("SELECT kind FROM events ORDER BY id LIMIT 1"), "pull_request.create");
}

TEST_P(StoreTest, ForeignKeysAreEnforced) {
  auto store = open();
  PullRequestRecord pr;
  pr.migration = "never-saved";
  pr.repositoryId = 1;
  pr.branch = "godwit/x";
  EXPECT_FALSE(store->savePullRequest(pr));
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::ValuesIn(storetest::storeBackends()),
                         storetest::backendName);

TEST(InMemoryStore, WorksWithoutAFile) {
  auto store = SqliteStore::open(":memory:");
  ASSERT_TRUE(store) << store.error().str();
  EXPECT_FALSE(std::filesystem::exists(":memory:"));
  EventRecord e;
  e.kind = "push";
  ASSERT_TRUE((*store)->appendEvent(e));
  EXPECT_EQ((*store)->events("")->size(), 1u);
}

TEST(StorePath, DefaultFollowsXdgStateHome) {
  const char* old = std::getenv("XDG_STATE_HOME");
  std::string saved = old ? old : "";
  setenv("XDG_STATE_HOME", "/state", 1);
  EXPECT_EQ(defaultStorePath(), std::filesystem::path("/state/godwit/godwit.db"));
  if (old)
    setenv("XDG_STATE_HOME", saved.c_str(), 1);
  else
    unsetenv("XDG_STATE_HOME");
}

} // namespace
} // namespace godwit
