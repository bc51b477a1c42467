// The App's durable queue of webhook deliveries in the Store, one parametrized suite over both
// backends (StoreBackends.h): dedupe, order, one delivery per repository at a time, retries,
// stale claims, renewed leases and the fencing of lost ones, counts and concurrent claimers.
// Times are given, never waited for.
#include "StoreBackends.h"

#include "bot/store/PostgresStore.h"
#include "bot/store/SqliteStore.h"

#include <gtest/gtest.h>

#include <latch>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace godwit {
namespace {

using storetest::StoreSuite;

constexpr const char* kT0 = "2026-12-03T10:00:00.000Z";
constexpr const char* kT1 = "2026-12-03T10:00:01.000Z";
constexpr const char* kT2 = "2026-12-03T10:00:02.000Z";
constexpr const char* kLease = "2026-12-03T10:05:00.000Z";
constexpr const char* kAfterLease = "2026-12-03T10:06:00.000Z";

class DeliveryQueueTest : public StoreSuite {
protected:
  static DeliveryRecord delivery(const std::string& id, int64_t repositoryId,
                                 const std::string& event = "push") {
    DeliveryRecord d;
    d.deliveryId = id;
    d.event = event;
    d.action = event == "push" ? "" : "closed";
    d.repositoryId = repositoryId;
    d.installationId = 42;
    d.payload = R"({"id":")" + id + R"("})";
    d.receivedAt = kT0;
    return d;
  }

  // Claims at `now` and returns the delivery id claimed, or "" when none was due.
  static std::string claim(Store& store, const std::string& now = kT0,
                           const std::string& worker = "app-1") {
    auto claimed = store.claimDelivery(worker, now, kLease);
    if (!claimed)
      throw std::runtime_error(claimed.error().str());
    return *claimed ? (*claimed)->deliveryId : "";
  }

  static DeliveryRecord claimed(Store& store, const std::string& now = kT0,
                                const std::string& worker = "app-1") {
    auto c = store.claimDelivery(worker, now, kLease);
    if (!c || !*c)
      throw std::runtime_error("nothing to claim at " + now);
    return **c;
  }
};

TEST_P(DeliveryQueueTest, AStoreOfTheRunnersVersionGainsTheQueueAndKeepsItsData) {
  {
    // The backend's first two steps: the bot's tables and the campaigns.
    const std::vector<std::string>& all = std::string(GetParam().name) == "sqlite"
                                              ? SqliteStore::schemaMigrations()
                                              : PostgresStore::schemaMigrations();
    auto opened = db->open({all[0], all[1]});
    ASSERT_TRUE(opened) << opened.error().str();
    ASSERT_TRUE((*opened)->saveMigration({"m", "moves x", "m.yaml", "", ""}));
    EXPECT_FALSE(db->hasTable("deliveries"));
  }
  auto store = open();
  EXPECT_EQ(db->scalar("SELECT version FROM schema_version"), std::to_string(db->schemaSteps()));
  EXPECT_EQ(db->scalar("SELECT description FROM migrations WHERE name = 'm'"), "moves x");
  ASSERT_TRUE(store->enqueueDelivery(delivery("after-upgrade", 7)));
  EXPECT_EQ(claim(*store), "after-upgrade");
}

TEST_P(DeliveryQueueTest, ARedeliveryIsAcknowledgedAndNotQueuedAgain) {
  auto store = open();
  auto first = store->enqueueDelivery(delivery("d-1", 7));
  ASSERT_TRUE(first) << first.error().str();
  EXPECT_TRUE(*first);
  DeliveryRecord again = delivery("d-1", 7);
  again.payload = R"({"id":"changed"})";
  auto second = store->enqueueDelivery(again);
  ASSERT_TRUE(second) << second.error().str();
  EXPECT_FALSE(*second);
  EXPECT_EQ(db->scalar("SELECT count(*) FROM deliveries"), "1");
  auto kept = store->delivery("d-1");
  ASSERT_TRUE(kept && *kept);
  EXPECT_EQ((*kept)->payload, R"({"id":"d-1"})");
  EXPECT_EQ((*kept)->state, "queued");
  EXPECT_EQ((*kept)->attempts, 0);
  EXPECT_EQ((*kept)->notBefore, kT0);
  EXPECT_EQ((*kept)->receivedAt, kT0);
  EXPECT_EQ((*kept)->installationId, 42);
}

TEST_P(DeliveryQueueTest, ConcurrentRedeliveriesQueueOne) {
  constexpr int kSenders = 6;
  std::latch go(kSenders);
  std::vector<int> queued(kSenders, -1);
  std::vector<std::thread> senders;
  for (int i = 0; i < kSenders; ++i)
    senders.emplace_back([&, i] {
      auto store = db->open();
      go.arrive_and_wait();
      if (!store)
        return;
      auto r = (*store)->enqueueDelivery(delivery("same", 7));
      if (r)
        queued[i] = *r ? 1 : 0;
    });
  for (std::thread& t : senders)
    t.join();
  int ones = 0;
  for (int q : queued) {
    EXPECT_NE(q, -1);
    ones += q == 1;
  }
  EXPECT_EQ(ones, 1);
  EXPECT_EQ(db->scalar("SELECT count(*) FROM deliveries"), "1");
}

TEST_P(DeliveryQueueTest, ClaimsTheOldestDueDeliveryAndMarksItRunning) {
  auto store = open();
  ASSERT_TRUE(store->enqueueDelivery(delivery("a", 1)));
  ASSERT_TRUE(store->enqueueDelivery(delivery("b", 2)));
  DeliveryRecord later = delivery("c", 3);
  later.notBefore = kT2;
  ASSERT_TRUE(store->enqueueDelivery(later));

  DeliveryRecord first = claimed(*store);
  EXPECT_EQ(first.deliveryId, "a");
  EXPECT_EQ(first.state, "running");
  EXPECT_EQ(first.attempts, 1);
  EXPECT_EQ(first.lockedBy, "app-1");
  EXPECT_EQ(first.leaseUntil, kLease);
  EXPECT_EQ(first.payload, R"({"id":"a"})");
  EXPECT_EQ(claim(*store), "b");
  EXPECT_EQ(claim(*store), "") << "c is not due before " << kT2;
  EXPECT_EQ(claim(*store, kT2), "c");
  EXPECT_EQ(db->scalar("SELECT count(*) FROM deliveries WHERE state = 'running'"), "3");
}

TEST_P(DeliveryQueueTest, OneDeliveryOfARepositoryRunsAtATimeInOrder) {
  auto store = open();
  ASSERT_TRUE(store->enqueueDelivery(delivery("r7-1", 7)));
  ASSERT_TRUE(store->enqueueDelivery(delivery("r7-2", 7)));
  ASSERT_TRUE(store->enqueueDelivery(delivery("r8-1", 8)));
  ASSERT_TRUE(store->enqueueDelivery(delivery("none-1", 0, "installation")));
  ASSERT_TRUE(store->enqueueDelivery(delivery("none-2", 0, "installation")));

  DeliveryRecord r7 = claimed(*store);
  EXPECT_EQ(r7.deliveryId, "r7-1");
  EXPECT_EQ(claim(*store), "r8-1") << "r7-2 waits while r7-1 runs";
  // Deliveries without a repository do not wait for each other.
  EXPECT_EQ(claim(*store), "none-1");
  EXPECT_EQ(claim(*store), "none-2");
  EXPECT_EQ(claim(*store), "");
  auto finished = store->finishDelivery(r7, DeliveryOutcome::Done, "");
  ASSERT_TRUE(finished) << finished.error().str();
  EXPECT_TRUE(*finished);
  EXPECT_EQ(claim(*store), "r7-2");
}

TEST_P(DeliveryQueueTest, ARetryWaitsForItsBackoffAndHoldsBackItsRepository) {
  auto store = open();
  ASSERT_TRUE(store->enqueueDelivery(delivery("first", 7)));
  ASSERT_TRUE(store->enqueueDelivery(delivery("second", 7)));
  DeliveryRecord c = claimed(*store);
  auto retried = store->finishDelivery(c, DeliveryOutcome::Retry, "502 from the code host", kT2);
  ASSERT_TRUE(retried) << retried.error().str();
  EXPECT_TRUE(*retried);
  auto queued = store->delivery("first");
  ASSERT_TRUE(queued && *queued);
  EXPECT_EQ((*queued)->state, "queued");
  EXPECT_EQ((*queued)->notBefore, kT2);
  EXPECT_EQ((*queued)->lastError, "502 from the code host");
  EXPECT_EQ((*queued)->lockedBy, "");
  EXPECT_EQ((*queued)->leaseUntil, "");

  EXPECT_EQ(claim(*store, kT1), "") << "first backs off until " << kT2 << "; second is after it";
  DeliveryRecord again = claimed(*store, kT2);
  EXPECT_EQ(again.deliveryId, "first");
  EXPECT_EQ(again.attempts, 2);
  ASSERT_TRUE(store->finishDelivery(again, DeliveryOutcome::Failed, "still 502"));
  EXPECT_EQ((*store->delivery("first"))->state, "failed");
  EXPECT_EQ((*store->delivery("first"))->lastError, "still 502");
  EXPECT_EQ(claim(*store, kT2), "second");
}

TEST_P(DeliveryQueueTest, FinishedDeliveriesAreNeverClaimedAgain) {
  auto store = open();
  ASSERT_TRUE(store->enqueueDelivery(delivery("done", 1)));
  ASSERT_TRUE(store->enqueueDelivery(delivery("ignored", 2, "star")));
  ASSERT_TRUE(store->finishDelivery(claimed(*store), DeliveryOutcome::Done, ""));
  ASSERT_TRUE(store->finishDelivery(claimed(*store), DeliveryOutcome::Ignored, "unknown event"));
  EXPECT_EQ(claim(*store, kAfterLease), "");
  EXPECT_EQ(*store->requeueStaleDeliveries("app-1", kAfterLease), 0);
  EXPECT_EQ((*store->delivery("done"))->state, "done");
  EXPECT_EQ((*store->delivery("ignored"))->state, "ignored");
}

TEST_P(DeliveryQueueTest, PruningDeletesOnlyFinishedDeliveriesUpdatedBeforeTheTime) {
  auto store = open();
  ASSERT_TRUE(store->enqueueDelivery(delivery("done", 1)));
  ASSERT_TRUE(store->enqueueDelivery(delivery("failed", 2)));
  ASSERT_TRUE(store->enqueueDelivery(delivery("running", 3)));
  ASSERT_TRUE(store->enqueueDelivery(delivery("queued", 4)));
  ASSERT_TRUE(store->finishDelivery(claimed(*store), DeliveryOutcome::Done, ""));
  ASSERT_TRUE(store->finishDelivery(claimed(*store), DeliveryOutcome::Failed, "bad payload"));
  EXPECT_EQ(claim(*store), "running");
  // The store stamps updated_at with the wall clock: a time in the past prunes nothing.
  EXPECT_EQ(*store->pruneDeliveries("2000-01-01T00:00:00.000Z"), 0);
  EXPECT_EQ(*store->pruneDeliveries("2999-01-01T00:00:00.000Z"), 2);
  EXPECT_FALSE(*store->delivery("done"));
  EXPECT_FALSE(*store->delivery("failed"));
  EXPECT_EQ((*store->delivery("running"))->state, "running");
  EXPECT_EQ((*store->delivery("queued"))->state, "queued");
  // A pruned id is a new delivery again.
  EXPECT_TRUE(*store->enqueueDelivery(delivery("done", 1)));
}

TEST_P(DeliveryQueueTest, ARestartedWorkerRequeuesItsOwnRunningDeliveriesOnly) {
  auto store = open();
  ASSERT_TRUE(store->enqueueDelivery(delivery("mine", 1)));
  ASSERT_TRUE(store->enqueueDelivery(delivery("theirs", 2)));
  ASSERT_TRUE(store->enqueueDelivery(delivery("waiting", 3)));
  DeliveryRecord mine = claimed(*store, kT0, "app-1");
  DeliveryRecord theirs = claimed(*store, kT0, "app-2");
  EXPECT_EQ(theirs.deliveryId, "theirs");

  // app-1 was killed and starts again, before app-2's lease ends.
  auto requeued = store->requeueStaleDeliveries("app-1", kT1);
  ASSERT_TRUE(requeued) << requeued.error().str();
  EXPECT_EQ(*requeued, 1);
  EXPECT_EQ((*store->delivery("mine"))->state, "queued");
  EXPECT_EQ((*store->delivery("theirs"))->state, "running");
  EXPECT_EQ((*store->delivery("waiting"))->state, "queued");

  // The old claim no longer holds; the new one does, and the delivery is done once.
  auto stale = store->finishDelivery(mine, DeliveryOutcome::Done, "");
  ASSERT_TRUE(stale);
  EXPECT_FALSE(*stale);
  DeliveryRecord again = claimed(*store, kT1, "app-1");
  EXPECT_EQ(again.deliveryId, "mine");
  EXPECT_EQ(again.attempts, 2);
  EXPECT_TRUE(*store->finishDelivery(again, DeliveryOutcome::Done, ""));
  EXPECT_EQ((*store->delivery("mine"))->state, "done");
}

TEST_P(DeliveryQueueTest, AnExpiredLeaseIsRequeuedByAnyWorker) {
  auto store = open();
  ASSERT_TRUE(store->enqueueDelivery(delivery("d", 1)));
  DeliveryRecord held = claimed(*store, kT0, "app-2");
  EXPECT_EQ(*store->requeueStaleDeliveries("app-1", kT1), 0) << "app-2's lease holds";
  EXPECT_EQ(*store->requeueStaleDeliveries("app-1", kAfterLease), 1);
  DeliveryRecord taken = claimed(*store, kAfterLease, "app-1");
  EXPECT_EQ(taken.deliveryId, "d");
  EXPECT_FALSE(*store->finishDelivery(held, DeliveryOutcome::Done, "")) << "app-2 was too late";
  EXPECT_EQ((*store->delivery("d"))->state, "running");
}

TEST_P(DeliveryQueueTest, ARenewedLeaseOutlivesItsFirstEnd) {
  constexpr const char* kRenewed = "2026-12-03T10:10:00.000Z";
  auto store = open();
  ASSERT_TRUE(store->enqueueDelivery(delivery("long", 1)));
  DeliveryRecord held = claimed(*store, kT0, "app-2");
  auto renewed = store->renewDelivery(held, kRenewed);
  ASSERT_TRUE(renewed) << renewed.error().str();
  EXPECT_TRUE(*renewed);
  auto now = store->delivery("long");
  ASSERT_TRUE(now && *now);
  EXPECT_EQ((*now)->leaseUntil, kRenewed);
  EXPECT_EQ((*now)->state, "running");
  EXPECT_EQ((*now)->lockedBy, "app-2");
  EXPECT_EQ((*now)->attempts, 1) << "a renewal is not another claim";
  // Past the first lease's end, the renewed one still holds.
  EXPECT_EQ(*store->requeueStaleDeliveries("app-1", kAfterLease), 0);
  EXPECT_EQ(claim(*store, kAfterLease, "app-1"), "");
  // Each heartbeat moves the end again, for as long as the claim holds.
  EXPECT_TRUE(*store->renewDelivery(held, "2026-12-03T10:20:00.000Z"));
  EXPECT_EQ((*store->delivery("long"))->leaseUntil, "2026-12-03T10:20:00.000Z");
  EXPECT_TRUE(*store->finishDelivery(held, DeliveryOutcome::Done, ""));
  EXPECT_FALSE(*store->renewDelivery(held, "2026-12-03T10:30:00.000Z")) << "finished";
  EXPECT_EQ((*store->delivery("long"))->state, "done");
  EXPECT_EQ((*store->delivery("long"))->leaseUntil, "");
}

TEST_P(DeliveryQueueTest, AClaimWhoseLeaseWasLostNeitherRenewsNorFinishesTheNewHolders) {
  auto store = open();
  ASSERT_TRUE(store->enqueueDelivery(delivery("d", 1)));
  DeliveryRecord lost = claimed(*store, kT0, "app-2");
  EXPECT_EQ(*store->requeueStaleDeliveries("app-1", kAfterLease), 1);
  auto taken = store->claimDelivery("app-1", kAfterLease, "2026-12-03T10:11:00.000Z");
  ASSERT_TRUE(taken && *taken);
  const DeliveryRecord& holder = **taken;
  EXPECT_EQ(holder.attempts, 2);

  auto renewed = store->renewDelivery(lost, "2026-12-03T10:30:00.000Z");
  ASSERT_TRUE(renewed) << renewed.error().str();
  EXPECT_FALSE(*renewed) << "app-2's claim no longer holds";
  auto finished = store->finishDelivery(lost, DeliveryOutcome::Failed, "app-2 was too late");
  ASSERT_TRUE(finished) << finished.error().str();
  EXPECT_FALSE(*finished);
  auto retried = store->finishDelivery(lost, DeliveryOutcome::Retry, "app-2 again", kT2);
  ASSERT_TRUE(retried);
  EXPECT_FALSE(*retried);
  // The same worker name with the old attempt count is not the holder either.
  DeliveryRecord sameWorkerOldAttempt = holder;
  sameWorkerOldAttempt.attempts = 1;
  EXPECT_FALSE(*store->renewDelivery(sameWorkerOldAttempt, "2026-12-03T10:30:00.000Z"));
  EXPECT_FALSE(*store->finishDelivery(sameWorkerOldAttempt, DeliveryOutcome::Done, ""));

  // The new holder's state is untouched: its worker, attempt, lease and no error.
  auto now = store->delivery("d");
  ASSERT_TRUE(now && *now);
  EXPECT_EQ((*now)->state, "running");
  EXPECT_EQ((*now)->lockedBy, "app-1");
  EXPECT_EQ((*now)->attempts, 2);
  EXPECT_EQ((*now)->leaseUntil, "2026-12-03T10:11:00.000Z");
  EXPECT_EQ((*now)->lastError, "");
  EXPECT_TRUE(*store->renewDelivery(holder, "2026-12-03T10:12:00.000Z"));
  EXPECT_TRUE(*store->finishDelivery(holder, DeliveryOutcome::Done, ""));
  EXPECT_EQ((*store->delivery("d"))->state, "done");
}

TEST_P(DeliveryQueueTest, CountsByEventAndState) {
  auto store = open();
  EXPECT_TRUE(store->deliveryCounts()->empty());
  ASSERT_TRUE(store->enqueueDelivery(delivery("p1", 1, "pull_request")));
  ASSERT_TRUE(store->enqueueDelivery(delivery("p2", 2, "pull_request")));
  ASSERT_TRUE(store->enqueueDelivery(delivery("s1", 3, "push")));
  ASSERT_TRUE(store->enqueueDelivery(delivery("s2", 4, "push")));
  ASSERT_TRUE(store->enqueueDelivery(delivery("s3", 5, "push")));
  ASSERT_TRUE(store->finishDelivery(claimed(*store), DeliveryOutcome::Done, ""));
  (void)claimed(*store); // p2 stays running.

  auto counts = store->deliveryCounts();
  ASSERT_TRUE(counts) << counts.error().str();
  ASSERT_EQ(counts->size(), 3u);
  EXPECT_EQ((*counts)[0].event, "pull_request");
  EXPECT_EQ((*counts)[0].state, "done");
  EXPECT_EQ((*counts)[0].count, 1);
  EXPECT_EQ((*counts)[1].event, "pull_request");
  EXPECT_EQ((*counts)[1].state, "running");
  EXPECT_EQ((*counts)[1].count, 1);
  EXPECT_EQ((*counts)[2].event, "push");
  EXPECT_EQ((*counts)[2].state, "queued");
  EXPECT_EQ((*counts)[2].count, 3);
}

TEST_P(DeliveryQueueTest, TheDatabaseRefusesTwoRunningDeliveriesOfOneRepository) {
  auto store = open();
  ASSERT_TRUE(store->enqueueDelivery(delivery("a", 7)));
  ASSERT_TRUE(store->enqueueDelivery(delivery("b", 7)));
  (void)claimed(*store);
  EXPECT_FALSE(db->exec("UPDATE deliveries SET state = 'running', lease_until = '" +
                        std::string(kLease) + "' WHERE delivery_id = 'b'"));
  EXPECT_FALSE(db->exec("UPDATE deliveries SET state = 'sleeping' WHERE delivery_id = 'b'"));
}

TEST_P(DeliveryQueueTest, ConcurrentWorkersNeverClaimTheSameDelivery) {
  constexpr int kWorkers = 4;
  // Fewer repositories than workers, each one's deliveries queued together: workers contend
  // for the same rows and the same repositories.
  constexpr int kRepositories = 3;
  constexpr int kPerRepository = 30;
  {
    auto store = open();
    for (int r = 1; r <= kRepositories; ++r)
      for (int n = 0; n < kPerRepository; ++n)
        ASSERT_TRUE(store->enqueueDelivery(
            delivery("r" + std::to_string(r) + "-" + std::to_string(n), r)));
  }
  std::mutex mutex;
  std::vector<std::string> done, errors;
  std::set<int64_t> runningRepositories;
  std::vector<std::thread> workers;
  std::latch go(kWorkers);
  for (int w = 0; w < kWorkers; ++w)
    workers.emplace_back([&, w] {
      auto opened = db->open();
      go.arrive_and_wait();
      if (!opened) {
        std::lock_guard lock(mutex);
        errors.push_back(opened.error().str());
        return;
      }
      Store& store = **opened;
      const std::string worker = "app-" + std::to_string(w);
      int idle = 0;
      while (idle < 50) {
        auto c = store.claimDelivery(worker, kT0, kLease);
        if (!c) {
          std::lock_guard lock(mutex);
          errors.push_back(c.error().str());
          return;
        }
        if (!*c) {
          ++idle;
          std::this_thread::yield();
          continue;
        }
        idle = 0;
        {
          std::lock_guard lock(mutex);
          if (!runningRepositories.insert((*c)->repositoryId).second)
            errors.push_back("two deliveries of repository " +
                             std::to_string((*c)->repositoryId) + " ran at once");
          done.push_back((*c)->deliveryId);
        }
        std::this_thread::yield(); // The work, while others claim.
        {
          std::lock_guard lock(mutex);
          runningRepositories.erase((*c)->repositoryId);
        }
        auto f = store.finishDelivery(**c, DeliveryOutcome::Done, "");
        if (!f || !*f) {
          std::lock_guard lock(mutex);
          errors.push_back("cannot finish " + (*c)->deliveryId);
        }
      }
    });
  for (std::thread& t : workers)
    t.join();
  for (const std::string& e : errors)
    ADD_FAILURE() << e;
  std::set<std::string> unique(done.begin(), done.end());
  EXPECT_EQ(done.size(), unique.size()) << "a delivery was claimed twice";
  EXPECT_EQ(unique.size(), size_t(kRepositories * kPerRepository));
  EXPECT_EQ(db->scalar("SELECT count(*) FROM deliveries WHERE state = 'done'"),
            std::to_string(kRepositories * kPerRepository));
  // Within a repository, deliveries ran in the order they were received.
  for (int r = 1; r <= kRepositories; ++r) {
    int next = 0;
    for (const std::string& id : done) {
      if (id.rfind("r" + std::to_string(r) + "-", 0) == 0) {
        EXPECT_EQ(id, "r" + std::to_string(r) + "-" + std::to_string(next++));
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, DeliveryQueueTest,
                         ::testing::ValuesIn(storetest::storeBackends()), storetest::backendName);

} // namespace
} // namespace godwit
