// The work queue of runners sharing a campaign, on the real PostgreSQL of the tests: claims that
// never overlap, one active job per repository, leases, fencing and the reclaiming leader.
// Leases are made to expire by moving `lease_until` into the past, never by waiting.
#include "bot/store/WorkQueue.h"
#include "tests/support/PostgresServer.h"

#include <libpq-fe.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <set>
#include <thread>

namespace godwit {
namespace {

using test::PostgresServer;

class WorkQueueTest : public ::testing::Test {
protected:
  PostgresServer& server = PostgresServer::shared();
  std::string database = server.createDatabase();

  ~WorkQueueTest() override { server.dropDatabase(database); }

  std::unique_ptr<PostgresStore> open() {
    auto store = PostgresStore::open(server.url(database));
    if (!store)
      throw std::runtime_error(store.error().str());
    return std::move(*store);
  }

  void expireLeases() {
    ASSERT_TRUE(server.exec(database, "UPDATE work_jobs SET lease_until = now() - interval '1 s' "
                                      "WHERE state = 'running'"));
  }

  std::string stateOf(const std::string& name) {
    return server.scalar(database, "SELECT state FROM work_jobs WHERE full_name = '" + name +
                                       "' ORDER BY id DESC LIMIT 1");
  }
};

TEST_F(WorkQueueTest, ConcurrentRunnersClaimEveryJobExactlyOnce) {
  std::vector<std::string> names;
  for (int i = 0; i < 200; ++i)
    names.push_back("acme/repo-" + std::to_string(i));
  {
    auto store = open();
    WorkQueue queue(*store, "planner");
    ASSERT_EQ(*queue.enqueue("m", names), 200);
  }
  std::mutex mutex;
  std::vector<std::string> claimed, errors;
  std::vector<std::thread> runners;
  for (int r = 0; r < 4; ++r)
    runners.emplace_back([&, r] {
      auto store = open();
      WorkQueue queue(*store, "runner-" + std::to_string(r));
      for (;;) {
        auto batch = queue.claim("m", 5);
        if (!batch || batch->empty()) {
          if (!batch) {
            std::lock_guard lock(mutex);
            errors.push_back(batch.error().str());
          }
          return;
        }
        for (const WorkClaim& c : *batch) {
          auto finished = queue.finish(c, true);
          std::lock_guard lock(mutex);
          claimed.push_back(c.fullName);
          if (!finished || !*finished)
            errors.push_back("cannot finish " + c.fullName);
        }
      }
    });
  for (std::thread& t : runners)
    t.join();
  EXPECT_TRUE(errors.empty()) << errors.front();
  EXPECT_EQ(claimed.size(), 200u) << "no job is claimed twice";
  EXPECT_EQ(std::set<std::string>(claimed.begin(), claimed.end()).size(), 200u);
  EXPECT_EQ(server.scalar(database, "SELECT count(*) FROM work_jobs WHERE state = 'done'"), "200");
  EXPECT_EQ(server.scalar(database, "SELECT count(DISTINCT locked_by) FROM work_jobs"), "1")
      << "finished jobs keep no lock";
}

TEST_F(WorkQueueTest, ClaimsComeInQueueOrderWithALeaseOnTheDatabaseClock) {
  auto store = open();
  WorkQueue queue(*store, "runner-0", std::chrono::seconds(90));
  ASSERT_EQ(*queue.enqueue("m", {"acme/c", "acme/a", "acme/b"}), 3);
  auto first = queue.claim("m", 2);
  ASSERT_TRUE(first) << first.error().str();
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[0].fullName, "acme/c");
  EXPECT_EQ((*first)[1].fullName, "acme/a");
  EXPECT_EQ((*first)[0].version, 1);
  EXPECT_EQ(server.scalar(database, "SELECT bool_and(lease_until > now() + interval '80 s' AND "
                                    "locked_by = 'runner-0') FROM work_jobs "
                                    "WHERE state = 'running'"),
            "t");
  auto rest = queue.claim("m", 5);
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ((*rest)[0].fullName, "acme/b");
  EXPECT_TRUE(queue.claim("m", 5)->empty());
  EXPECT_TRUE(queue.claim("other", 5)->empty());
}

TEST_F(WorkQueueTest, OneActiveJobPerRepositoryIsAFactOfTheDatabase) {
  auto store = open();
  WorkQueue queue(*store, "runner-0");
  EXPECT_EQ(*queue.enqueue("m", {"acme/a", "acme/a", "acme/b"}), 2);
  EXPECT_EQ(*queue.enqueue("m", {"acme/a"}), 0) << "queued already";
  EXPECT_EQ(*queue.enqueue("n", {"acme/a"}), 1) << "another campaign's job";
  std::string error;
  EXPECT_FALSE(server.exec(
      database, "INSERT INTO work_jobs (campaign, full_name) VALUES ('m', 'acme/a')", &error))
      << "the partial unique index refuses a second active job whoever writes it";
  EXPECT_NE(error.find("work_jobs_one_active"), std::string::npos) << error;

  auto claims = queue.claim("m", 1);
  ASSERT_EQ(claims->size(), 1u);
  EXPECT_EQ(*queue.enqueue("m", {"acme/a"}), 0) << "running counts as active";
  ASSERT_TRUE(*queue.finish(claims->front(), true));
  EXPECT_EQ(*queue.enqueue("m", {"acme/a"}), 1) << "a finished job is history";
}

TEST_F(WorkQueueTest, ALeaseTakenOverFencesTheRunnerThatLostIt) {
  auto storeA = open();
  auto storeB = open();
  WorkQueue a(*storeA, "runner-a");
  WorkQueue b(*storeB, "runner-b");
  ASSERT_EQ(*a.enqueue("m", {"acme/x"}), 1);
  auto claimedByA = a.claim("m", 1);
  ASSERT_EQ(claimedByA->size(), 1u);
  const WorkClaim old = claimedByA->front();
  EXPECT_TRUE(*a.renew(old));
  EXPECT_TRUE(b.claim("m", 1)->empty()) << "held by a";
  EXPECT_EQ(b.reclaimExpired(3)->value().requeued, 0) << "the lease still runs";

  expireLeases(); // a is paused (SIGSTOP) past its lease
  auto reclaimed = b.reclaimExpired(3);
  ASSERT_TRUE(reclaimed && *reclaimed) << (reclaimed ? "" : reclaimed.error().str());
  EXPECT_EQ((*reclaimed)->requeued, 1);
  auto claimedByB = b.claim("m", 1);
  ASSERT_EQ(claimedByB->size(), 1u);
  EXPECT_EQ(claimedByB->front().version, old.version + 1);

  EXPECT_FALSE(*a.renew(old)) << "a learns it lost the job";
  EXPECT_FALSE(*a.finish(old, true)) << "a's result is discarded";
  EXPECT_EQ(stateOf("acme/x"), "running");
  EXPECT_EQ(server.scalar(database, "SELECT locked_by FROM work_jobs"), "runner-b");
  EXPECT_TRUE(*b.finish(claimedByB->front(), false, "analysis failed"));
  EXPECT_EQ(stateOf("acme/x"), "failed");
  EXPECT_EQ(server.scalar(database, "SELECT error FROM work_jobs"), "analysis failed");
  EXPECT_FALSE(*b.finish(claimedByB->front(), true)) << "a job ends once";
}

TEST_F(WorkQueueTest, ARestartedRunnerWithTheSameNameStillFencesItsOldClaim) {
  // A pod restarted with the same completion index has the same name: only the version tells
  // the old process's claim from the new one's.
  auto oldStore = open();
  auto newStore = open();
  WorkQueue before(*oldStore, "runner-3");
  WorkQueue after(*newStore, "runner-3");
  ASSERT_EQ(*before.enqueue("m", {"acme/x"}), 1);
  const WorkClaim old = before.claim("m", 1)->front();
  expireLeases();
  ASSERT_EQ(after.reclaimExpired(3)->value().requeued, 1);
  const WorkClaim fresh = after.claim("m", 1)->front();
  EXPECT_FALSE(*before.renew(old));
  EXPECT_FALSE(*before.finish(old, true));
  EXPECT_TRUE(*after.finish(fresh, true));
}

TEST_F(WorkQueueTest, AJobWhoseLeaseKeepsExpiringFailsInsteadOfLooping) {
  auto store = open();
  WorkQueue queue(*store, "runner-0");
  ASSERT_EQ(*queue.enqueue("m", {"acme/poison"}), 1);
  for (int round = 1; round <= 2; ++round) {
    ASSERT_EQ(queue.claim("m", 1)->size(), 1u) << "round " << round;
    expireLeases(); // the runner died on it
    auto reclaimed = queue.reclaimExpired(2);
    ASSERT_TRUE(reclaimed && *reclaimed);
    EXPECT_EQ((*reclaimed)->requeued, round == 1 ? 1 : 0);
    EXPECT_EQ((*reclaimed)->failed, round == 1 ? 0 : 1);
  }
  EXPECT_EQ(stateOf("acme/poison"), "failed");
  EXPECT_EQ(server.scalar(database, "SELECT error FROM work_jobs"), "the lease expired 2 times");
  EXPECT_TRUE(queue.claim("m", 1)->empty());
}

TEST_F(WorkQueueTest, OneRunnerAtATimeRequeuesExpiredLeases) {
  auto store = open();
  WorkQueue queue(*store, "runner-0");
  ASSERT_EQ(*queue.enqueue("m", {"acme/x"}), 1);
  ASSERT_EQ(queue.claim("m", 1)->size(), 1u);
  expireLeases();

  // Another runner is the leader: it holds the lock in its session.
  PGconn* leader =
      PQconnectdb(("host=127.0.0.1 port=" + std::to_string(server.port()) + " dbname=" + database +
                   " user=postgres password=" + PostgresServer::kPassword)
                      .c_str());
  ASSERT_EQ(PQstatus(leader), CONNECTION_OK) << PQerrorMessage(leader);
  const std::string key = std::to_string(WorkQueue::kReclaimLock);
  PQclear(PQexec(leader, ("SELECT pg_advisory_lock(" + key + ")").c_str()));
  auto skipped = queue.reclaimExpired(3);
  ASSERT_TRUE(skipped) << skipped.error().str();
  EXPECT_FALSE(*skipped) << "someone else is reclaiming";
  EXPECT_EQ(stateOf("acme/x"), "running");

  PQclear(PQexec(leader, ("SELECT pg_advisory_unlock(" + key + ")").c_str()));
  PQfinish(leader);
  auto done = queue.reclaimExpired(3);
  ASSERT_TRUE(done && *done);
  EXPECT_EQ((*done)->requeued, 1);
  EXPECT_EQ(stateOf("acme/x"), "queued");
}

TEST_F(WorkQueueTest, CompletingWritesTheResultOnlyWhileTheClaimHolds) {
  auto storeA = open();
  auto storeB = open();
  WorkQueue a(*storeA, "runner-a");
  WorkQueue b(*storeB, "runner-b");
  CampaignRecord campaign;
  campaign.name = "m";
  ASSERT_TRUE(storeA->saveCampaign(campaign));
  CampaignRepoRecord row;
  row.campaign = "m";
  row.fullName = "acme/x";
  row.wave = 1;
  row.state = "running";
  ASSERT_TRUE(storeA->saveCampaignRepo(row));
  ASSERT_EQ(*a.enqueue("m", {"acme/x"}), 1);
  const WorkClaim old = a.claim("m", 1)->front();

  expireLeases();
  ASSERT_EQ(b.reclaimExpired(3)->value().requeued, 1);
  const WorkClaim fresh = b.claim("m", 1)->front();
  EventRecord event;
  event.kind = "repo.state";
  event.migration = "m";
  event.repository = "acme/x";
  JobResult stale{true, "", row, {event}};
  stale.repo->state = "open";
  stale.repo->note = "written by a";
  auto refused = a.complete(old, stale);
  ASSERT_TRUE(refused) << refused.error().str();
  EXPECT_FALSE(*refused);
  EXPECT_EQ(server.scalar(database, "SELECT state FROM campaign_repos"), "running")
      << "the row is not written by a runner that lost the claim";
  EXPECT_EQ(server.scalar(database, "SELECT count(*) FROM events"), "0");
  EXPECT_EQ(stateOf("acme/x"), "running");

  JobResult result{true, "", row, {event}};
  result.repo->state = "no-changes";
  result.repo->note = "written by b";
  ASSERT_TRUE(*b.complete(fresh, result));
  EXPECT_EQ(server.scalar(database, "SELECT note FROM campaign_repos"), "written by b");
  EXPECT_EQ(server.scalar(database, "SELECT count(*) FROM events"), "1");
  EXPECT_EQ(stateOf("acme/x"), "done");
  EXPECT_FALSE(*b.complete(fresh, result)) << "once";
  EXPECT_EQ(server.scalar(database, "SELECT count(*) FROM events"), "1");
}

TEST_F(WorkQueueTest, AGivenBackClaimIsQueuedAgainWithoutAReset) {
  auto store = open();
  WorkQueue queue(*store, "runner-0");
  ASSERT_EQ(*queue.enqueue("m", {"acme/x", "acme/y"}), 2);
  auto claims = queue.claim("m", 2);
  ASSERT_EQ(claims->size(), 2u);
  EXPECT_EQ(*queue.activeJobs("m"), 2);
  ASSERT_TRUE(*queue.release((*claims)[1]));
  EXPECT_FALSE(*queue.release((*claims)[1])) << "given back once";
  EXPECT_EQ(stateOf("acme/y"), "queued");
  EXPECT_EQ(server.scalar(database, "SELECT resets FROM work_jobs WHERE full_name = 'acme/y'"),
            "0");
  ASSERT_TRUE(*queue.finish((*claims)[0], true));
  EXPECT_EQ(*queue.activeJobs("m"), 1);
  auto again = queue.claim("m", 2);
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ(again->front().fullName, "acme/y");
  EXPECT_FALSE(*queue.renew((*claims)[1])) << "the old claim of y is fenced off";
}

TEST_F(WorkQueueTest, LeasesShowWhoHoldsWhatAndForHowLong) {
  auto storeA = open();
  auto storeB = open();
  WorkQueue a(*storeA, "index-0", std::chrono::seconds(90));
  WorkQueue b(*storeB, "index-1", std::chrono::seconds(90));
  ASSERT_EQ(*a.enqueue("m", {"acme/x", "acme/y", "acme/z"}), 3);
  ASSERT_EQ(a.claim("m", 2)->size(), 2u);
  ASSERT_EQ(b.claim("m", 2)->size(), 1u);
  ASSERT_TRUE(server.exec(database, "UPDATE work_jobs SET lease_until = now() - interval '5 s', "
                                    "updated_at = now() - interval '95 s' "
                                    "WHERE locked_by = 'index-1'"));
  auto leases = a.leases("m");
  ASSERT_TRUE(leases) << leases.error().str();
  ASSERT_EQ(leases->size(), 3u);
  EXPECT_EQ((*leases)[0].runner, "index-0");
  EXPECT_EQ((*leases)[0].fullName, "acme/x");
  EXPECT_EQ((*leases)[1].fullName, "acme/y");
  EXPECT_GT((*leases)[0].left, 80);
  EXPECT_LT((*leases)[0].sinceRenewal, 10);
  EXPECT_EQ((*leases)[2].runner, "index-1");
  EXPECT_LT((*leases)[2].left, 0) << "expired, not yet requeued";
  EXPECT_GT((*leases)[2].sinceRenewal, 90);
  EXPECT_TRUE(a.leases("other")->empty());
}

TEST_F(WorkQueueTest, ANamedLockIsHeldByOneSessionAtATime) {
  auto storeA = open();
  WorkQueue a(*storeA, "runner-a");
  // pg_locks shows every database's locks; other tests use the server at the same time.
  const std::string here =
      "locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = "
      "current_database())";
  const std::string inside = "SELECT count(*) FROM pg_locks WHERE granted AND " + here;
  std::string seen;
  auto r = a.withLock("budget m", [&]() -> Expected<void> {
    seen = server.scalar(database, inside);
    return {};
  });
  ASSERT_TRUE(r) << r.error().str();
  EXPECT_EQ(seen, "1");
  EXPECT_EQ(server.scalar(database, inside), "0") << "given back";
  r = a.withLock("budget m", []() -> Expected<void> { return makeError("count failed"); });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "count failed");
  EXPECT_EQ(server.scalar(database, inside), "0") << "given back after an error too";

  // While one runner holds it, another waits.
  std::atomic<bool> released{false};
  std::atomic<bool> secondRan{false};
  std::thread second;
  ASSERT_TRUE(a.withLock("budget m", [&]() -> Expected<void> {
    second = std::thread([&] {
      auto storeB = open();
      WorkQueue b(*storeB, "runner-b");
      (void)b.withLock("budget m", [&]() -> Expected<void> {
        secondRan = released.load();
        return {};
      });
    });
    // The second runner waits in pg_advisory_lock.
    while (server.scalar(database, "SELECT count(*) FROM pg_locks WHERE NOT granted AND " +
                                       here) != "1")
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    released = true;
    return {};
  }));
  second.join();
  EXPECT_TRUE(secondRan) << "the second ran only after the first gave the lock back";
}

} // namespace
} // namespace godwit
