// Runners sharing one campaign on the real PostgreSQL of the tests and the contract server: two
// sweeps at once, each on its own thread with its own connections and code-host client, as two
// pods of a Job would run. One pull request per repository that needs one, the limits held by
// both together, and a runner that was only slow past its lease has its result discarded.
#include "bot/store/PostgresStore.h"
#include "tests/bot/fleet/FleetFixture.h"
#include "tests/support/PostgresServer.h"

#include <nlohmann/json.hpp>

#include <condition_variable>
#include <mutex>
#include <thread>

namespace godwit {
namespace {

using test::PostgresServer;

class SharedSweepTest : public fleettest::FleetTest {
protected:
  PostgresServer& pg = PostgresServer::shared();
  std::string database = pg.createDatabase();
  ~SharedSweepTest() override { pg.dropDatabase(database); }

  Expected<std::unique_ptr<Store>> openShared() {
    auto s = PostgresStore::open(pg.url(database));
    if (!s)
      return s.error();
    return std::unique_ptr<Store>(std::move(*s));
  }

  /// A code-host client of its own, as another process would have.
  std::unique_ptr<GitHubClient> newClient() {
    CodeHostConfig config;
    config.apiUrl = server.url();
    config.token = fleettest::kToken;
    GitHubClientOptions options;
    options.clock = std::make_shared<test::FakeClock>();
    auto created = GitHubClient::create(config, options);
    EXPECT_TRUE(created) << created.error().str();
    return created ? std::move(*created) : nullptr;
  }

  /// One runner's sweep over the shared store; `adjust` may change its settings first.
  Expected<SweepSummary> sweepAs(const std::string& runner, GitHubClient& host,
                                 const std::function<void(SweepSettings&)>& adjust = {}) {
    SweepSettings settings;
    settings.lifecycle.cacheDir = tmp.path() / ("cache-" + runner);
    settings.lifecycle.run.jobs = 1;
    settings.lifecycle.prepare = repoConfigHook(migration.name);
    settings.jobs = 2;
    settings.clock = clock;
    settings.migrationDigest = "d1";
    settings.openStore = [this] { return openShared(); };
    settings.sharing.runner = runner;
    settings.sharing.poll = std::chrono::milliseconds(20);
    if (adjust)
      adjust(settings);
    return sweepCampaign(migration, fleet, host, settings);
  }

  /// Two runners at once; their summaries in order.
  std::pair<SweepSummary, SweepSummary>
  sweepTogether(const std::function<void(SweepSettings&)>& adjust = {}) {
    auto clientA = newClient(), clientB = newClient();
    std::optional<Expected<SweepSummary>> a, b;
    std::thread ta([&] { a = sweepAs("runner-a", *clientA, adjust); });
    std::thread tb([&] { b = sweepAs("runner-b", *clientB, adjust); });
    ta.join();
    tb.join();
    EXPECT_TRUE(*a) << a->error().str();
    EXPECT_TRUE(*b) << b->error().str();
    return {*a ? **a : SweepSummary{}, *b ? **b : SweepSummary{}};
  }

  std::string sql(const std::string& query) { return pg.scalar(database, query); }

  std::map<std::string, std::string> sharedStates() {
    std::map<std::string, std::string> out;
    auto store = openShared();
    auto repos = (*store)->campaignRepos(migration.name);
    EXPECT_TRUE(repos) << repos.error().str();
    for (const auto& r : *repos)
      out[r.fullName] = r.state;
    return out;
  }

  /// The `repo.state` events of `repo`: which runner wrote each.
  std::vector<std::string> stateWriters(const std::string& repo) {
    std::vector<std::string> out;
    auto store = openShared();
    auto events = (*store)->events(migration.name);
    for (const EventRecord& e : *events)
      if (e.kind == "repo.state" && e.repository == repo)
        out.push_back(nlohmann::json::parse(e.details).value("runner", ""));
    return out;
  }
};

TEST_F(SharedSweepTest, TwoRunnersOpenExactlyOnePullRequestPerRepositoryThatNeedsOne) {
  makeFleet(12, 3, 8);
  useMigration("");
  auto [a, b] = sweepTogether();
  EXPECT_TRUE(a.shared && b.shared);
  EXPECT_TRUE(a.campaignState == "done" || b.campaignState == "done")
      << a.stoppedBecause << " / " << b.stoppedBecause;
  EXPECT_EQ(a.lostClaims + b.lostClaims, 0u);
  const auto created = createdPulls();
  EXPECT_EQ(created.size(), 8u);
  for (const auto& [repo, count] : created)
    EXPECT_EQ(count, 1u) << repo;
  const auto st = sharedStates();
  for (size_t i = 0; i < fleet.size(); ++i) {
    EXPECT_EQ(st.at(fleet[i].fullName), i < 8 ? "open" : "no-changes") << fleet[i].fullName;
    // Every repository reached its final state once, written by the runner that held it.
    const auto writers = stateWriters(fleet[i].fullName);
    ASSERT_EQ(writers.size(), 1u) << fleet[i].fullName;
    EXPECT_TRUE(writers[0] == "runner-a" || writers[0] == "runner-b") << writers[0];
  }
  EXPECT_EQ(sql("SELECT count(*) FROM work_jobs WHERE state <> 'done'"), "0");
  EXPECT_EQ(sql("SELECT count(*) FROM work_jobs"), "12") << "queued once, whoever queued it";
  EXPECT_EQ(sql("SELECT count(*) FROM events WHERE kind = 'campaign.plan'"), "1")
      << "planned once";
}

TEST_F(SharedSweepTest, TheLimitsHoldForBothRunnersTogether) {
  makeFleet(10, 2, 10);
  useMigration("rollout:\n  maxOpenPRs: 3\n");
  auto [a, b] = sweepTogether();
  EXPECT_EQ(createdPulls().size(), 3u) << "one runner's budget, not two";
  EXPECT_EQ(openPulls(), 3u);
  size_t scheduled = 0;
  for (const auto& [repo, state] : sharedStates())
    scheduled += state == "scheduled" ? 1 : 0;
  EXPECT_EQ(scheduled, 7u);
  EXPECT_NE(a.stoppedBecause.find("maxOpenPRs 3 reached"), std::string::npos) << a.stoppedBecause;
  EXPECT_NE(b.stoppedBecause.find("maxOpenPRs 3 reached"), std::string::npos) << b.stoppedBecause;
}

TEST_F(SharedSweepTest, TwoRunnersAskingForTheLastBudgetAtOnceOpenOnePullRequest) {
  makeFleet(4, 1, 4);
  useMigration("rollout:\n  maxOpenPRs: 1\n");
  // Each runner's first pull request waits at the door of the budget until the other's does:
  // both then count and mark at the same moment, as two pods of a Job may.
  std::mutex mutex;
  std::condition_variable arrived;
  int waiting = 0;
  auto meet = [&](const Repository&) -> Expected<bool> {
    std::unique_lock lock(mutex);
    if (++waiting <= 2) {
      arrived.notify_all();
      arrived.wait_for(lock, std::chrono::seconds(20), [&] { return waiting >= 2; });
    }
    return true;
  };
  auto [a, b] = sweepTogether([&](SweepSettings& s) {
    s.jobs = 1;
    s.lifecycle.mayOpen = meet;
  });
  EXPECT_GE(waiting, 2) << "both runners asked";
  EXPECT_EQ(createdPulls().size(), 1u) << "maxOpenPRs 1 across both runners";
  EXPECT_EQ(openPulls(), 1u);
}

TEST_F(SharedSweepTest, ARunnerSlowPastItsLeaseHasItsResultDiscardedNotWrittenTwice) {
  makeFleet(3, 1, 3);
  useMigration("");
  // The repository A takes first (its only claim until then: one worker, batches of one);
  // empty until A has made the schema.
  auto heldByA = [&]() -> std::string {
    try {
      return sql("SELECT full_name FROM work_jobs WHERE locked_by = 'runner-a' AND "
                 "state = 'running'");
    } catch (const std::exception&) {
      return "";
    }
  };
  auto jobState = [&](const std::string& repo) {
    return sql("SELECT state || ' ' || version FROM work_jobs WHERE full_name = '" + repo +
               "' ORDER BY id DESC LIMIT 1");
  };
  auto clientA = newClient(), clientB = newClient();
  std::optional<Expected<SweepSummary>> a, b;
  std::string slowRepo;
  std::atomic<bool> first{true}, tookOver{false};
  // A holds it under a lease of 1 s that nothing renews (its heartbeat is as still as a stopped
  // process's) and is slow in the middle of the step, until B has taken it over and finished it.
  std::thread ta([&] {
    a = sweepAs("runner-a", *clientA, [&](SweepSettings& s) {
      s.jobs = 1;
      s.sharing.batch = 1;
      s.sharing.lease = std::chrono::seconds(1);
      s.sharing.renewEvery = std::chrono::hours(1);
      auto config = s.lifecycle.prepare;
      s.lifecycle.prepare = [&, config](const std::filesystem::path& checkout, RunOptions& run,
                                        PullRequestOptions& pr) -> Expected<bool> {
        if (first.exchange(false)) {
          const std::string repo = heldByA();
          for (int i = 0; i < 1200 && jobState(repo) != "done 2"; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
          tookOver = jobState(repo) == "done 2";
        }
        return config(checkout, run, pr);
      };
    });
  });
  for (int i = 0; i < 1200 && slowRepo.empty(); ++i) {
    slowRepo = heldByA();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::thread tb([&] { b = sweepAs("runner-b", *clientB); });
  ta.join();
  tb.join();
  ASSERT_FALSE(slowRepo.empty());
  ASSERT_TRUE(*a) << a->error().str();
  ASSERT_TRUE(*b) << b->error().str();
  ASSERT_TRUE(tookOver) << "B took " << slowRepo << " over while A was slow: "
                        << jobState(slowRepo);
  EXPECT_EQ((*a)->lostClaims, 1u);
  EXPECT_EQ((*b)->lostClaims, 0u);

  const auto created = createdPulls();
  EXPECT_EQ(created.size(), 3u);
  for (const auto& [repo, count] : created)
    EXPECT_EQ(count, 1u) << repo;
  EXPECT_EQ(stateWriters(slowRepo), std::vector<std::string>{"runner-b"})
      << "A's result was dropped";
  auto store = openShared();
  auto rows = (*store)->campaignRepos(migration.name);
  for (const auto& r : *rows) {
    EXPECT_EQ(r.state, "open") << r.fullName;
    EXPECT_NE(r.pullRequest, 0) << r.fullName;
  }
  // Nothing of A's reached the store for the repository after B claimed it: B's is the last
  // run, and every publish event is B's (one).
  EXPECT_EQ(sql("SELECT count(*) FROM events WHERE kind = 'repo.publish' AND repository = '" +
                slowRepo + "'"),
            "1");
  EXPECT_EQ(sql("SELECT count(*) FROM pull_requests pr JOIN repositories r ON "
                "r.id = pr.repository_id WHERE r.full_name = '" + slowRepo + "' AND "
                "pr.number <> 0"),
            "1");
}

} // namespace
} // namespace godwit
