// The App's worker pool over a real SQLite delivery queue: every delivery is processed once, one
// repository's deliveries one at a time and in order, failures are queued again with their error,
// and a pool started again takes up what its instance left running.

#include "bot/app/DeliveryWorkers.h"

#include "bot/store/SqliteStore.h"
#include "tests/bot/GitFixture.h"
#include "tests/bot/webhook/Examples.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

namespace godwit {
namespace {

using bottest::TempDir;

class DeliveryWorkersTest : public ::testing::Test {
protected:
  TempDir tmp;

  void SetUp() override {
    auto s = open();
    ASSERT_TRUE(s) << s.error().str();
    Store& store = **s;
    for (int64_t repo : {1, 2}) {
      const std::string name = "acme/repo-" + std::to_string(repo);
      ASSERT_TRUE(store.saveRepository({repo, name, "main", "https://github.com/" + name, false, {}}));
      ASSERT_TRUE(store.saveMigration({"move-x", "", "move-x.yaml", "", ""}));
      PullRequestRecord pr;
      pr.migration = "move-x";
      pr.repositoryId = repo;
      pr.branch = "godwit/move-x";
      pr.baseBranch = "main";
      pr.number = 10 + repo;
      pr.publication = PublicationState::Published;
      pr.reconcile = ReconcileState::Completed;
      pr.external = ExternalState::Open;
      ASSERT_TRUE(store.savePullRequest(pr));
    }
  }

  Expected<std::unique_ptr<Store>> open() {
    auto s = SqliteStore::open(tmp.path() / "godwit.db");
    if (!s)
      return s.error();
    return std::unique_ptr<Store>(std::move(*s));
  }

  // Queues a push to the default branch of `repo`, which hands on one Run.
  void queuePush(const std::string& id, int64_t repo) {
    nlohmann::json payload = webhooktest::pushToDefaultBranch();
    payload["ref"] = "refs/heads/main";
    payload["repository"]["id"] = repo;
    payload["repository"]["full_name"] = "acme/repo-" + std::to_string(repo);
    payload["repository"]["default_branch"] = "main";
    payload["deleted"] = false;
    DeliveryRecord d;
    d.deliveryId = id;
    d.event = "push";
    d.repositoryId = repo;
    d.installationId = 7;
    d.payload = payload.dump();
    auto s = open();
    ASSERT_TRUE(s);
    auto queued = (*s)->enqueueDelivery(d);
    ASSERT_TRUE(queued && *queued);
  }

  DeliveryWorkerOptions options(std::function<Expected<void>(const EventWork&)> perform) {
    DeliveryWorkerOptions o;
    o.workers = 2;
    o.instance = "pool-test";
    o.poll = std::chrono::milliseconds(20);
    o.openStore = [this] { return open(); };
    o.perform = [perform](Store&, const EventWork& work, int64_t installation) {
      EXPECT_EQ(installation, 7);
      return perform(work);
    };
    return o;
  }

  // Waits (bounded: a guard against a hang) until no delivery is queued or running.
  void drain() {
    auto s = open();
    ASSERT_TRUE(s);
    for (int i = 0; i < 1000; ++i) {
      auto counts = (*s)->deliveryCounts();
      ASSERT_TRUE(counts);
      bool busy = false;
      for (const DeliveryCount& c : *counts)
        busy = busy || c.state == "queued" || c.state == "running";
      if (!busy)
        return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    FAIL() << "deliveries still queued";
  }

  DeliveryRecord delivery(const std::string& id) {
    auto s = open();
    EXPECT_TRUE(s);
    auto d = (*s)->delivery(id);
    EXPECT_TRUE(d && *d);
    return d && *d ? **d : DeliveryRecord{};
  }
};

TEST_F(DeliveryWorkersTest, OneRepositoryAtATimeInOrderEachOnce) {
  for (int i = 1; i <= 4; ++i) {
    queuePush("r1-" + std::to_string(i), 1);
    queuePush("r2-" + std::to_string(i), 2);
  }
  std::mutex mutex;
  std::map<int64_t, int> running;
  bool overlapped = false;
  int calls = 0;
  DeliveryWorkers pool(options([&](const EventWork& work) -> Expected<void> {
    const int64_t repo = work.repository.id;
    {
      std::lock_guard lock(mutex);
      overlapped = overlapped || running[repo]++ > 0;
      ++calls;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(15));
    std::lock_guard lock(mutex);
    --running[repo];
    return {};
  }));
  auto started = pool.start();
  ASSERT_TRUE(started) << started.error().str();
  EXPECT_EQ(*started, 0);
  pool.wake();
  drain();
  pool.stop();
  EXPECT_FALSE(overlapped) << "two deliveries of one repository ran at once";
  EXPECT_EQ(calls, 8);
  for (int i = 1; i <= 4; ++i) {
    EXPECT_EQ(delivery("r1-" + std::to_string(i)).state, "done");
    EXPECT_EQ(delivery("r1-" + std::to_string(i)).attempts, 1);
    EXPECT_EQ(delivery("r2-" + std::to_string(i)).state, "done");
  }
  for (int i = 1; i < 4; ++i)
    EXPECT_LT(delivery("r1-" + std::to_string(i)).updatedAt,
              delivery("r1-" + std::to_string(i + 1)).updatedAt)
        << "in the order received";
}

TEST_F(DeliveryWorkersTest, FailedWorkIsQueuedAgainWithItsError) {
  queuePush("fails", 1);
  DeliveryWorkers pool(options([](const EventWork&) -> Expected<void> {
    return makeError("the code host answered 502");
  }));
  ASSERT_TRUE(pool.start());
  for (int i = 0; i < 500 && delivery("fails").attempts == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  pool.stop();
  DeliveryRecord d = delivery("fails");
  EXPECT_EQ(d.state, "queued") << "retried later, with backoff";
  EXPECT_EQ(d.attempts, 1);
  EXPECT_EQ(d.lastError, "the code host answered 502");
  EXPECT_GT(d.notBefore, d.receivedAt);
}

TEST_F(DeliveryWorkersTest, AStartedPoolTakesUpWhatItsInstanceLeftRunning) {
  queuePush("left", 2);
  {
    auto s = open();
    ASSERT_TRUE(s);
    // What a process killed mid-delivery leaves: claimed by this instance's worker 1.
    auto claimed =
        (*s)->claimDelivery("pool-test/1", "2999-01-01T00:00:00.000Z", "2999-01-01T01:00:00.000Z");
    ASSERT_TRUE(claimed && *claimed);
  }
  int calls = 0;
  DeliveryWorkers pool(options([&](const EventWork&) -> Expected<void> {
    ++calls;
    return {};
  }));
  auto started = pool.start();
  ASSERT_TRUE(started) << started.error().str();
  EXPECT_EQ(*started, 1);
  drain();
  pool.stop();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(delivery("left").state, "done");
}

TEST_F(DeliveryWorkersTest, ADeliveryThatOutlastsItsLeaseIsNotTakenOverWhileItRuns) {
  queuePush("long", 1);
  std::mutex mutex;
  std::condition_variable changed;
  int calls = 0;
  bool finish = false;
  DeliveryWorkerOptions o = options([&](const EventWork&) -> Expected<void> {
    std::unique_lock lock(mutex);
    ++calls;
    changed.notify_all();
    // A lifecycle run longer than the lease: it ends when the test says so (bounded).
    changed.wait_for(lock, std::chrono::seconds(30), [&] { return finish; });
    return {};
  });
  o.workers = 1;
  o.lease = std::chrono::seconds(2);
  DeliveryWorkers first(o);
  ASSERT_TRUE(first.start());
  {
    std::unique_lock lock(mutex);
    ASSERT_TRUE(changed.wait_for(lock, std::chrono::seconds(30), [&] { return calls == 1; }));
  }
  // Past the claim's lease, another instance starts: it queues again the deliveries whose lease
  // ended, and its worker claims what is queued.
  std::this_thread::sleep_for(std::chrono::milliseconds(2600));
  DeliveryWorkerOptions other = o;
  other.instance = "another-instance";
  DeliveryWorkers second(other);
  auto requeued = second.start();
  ASSERT_TRUE(requeued) << requeued.error().str();
  EXPECT_EQ(*requeued, 0) << "the running delivery's lease was renewed";
  std::this_thread::sleep_for(std::chrono::milliseconds(300)); // The second pool's polls.
  {
    std::lock_guard lock(mutex);
    EXPECT_EQ(calls, 1) << "processed a second time while the first run went on";
    finish = true;
  }
  changed.notify_all();
  drain();
  first.stop();
  second.stop();
  DeliveryRecord d = delivery("long");
  EXPECT_EQ(d.state, "done") << d.lastError;
  EXPECT_EQ(d.attempts, 1);
  EXPECT_EQ(d.lockedBy, "");
}

TEST_F(DeliveryWorkersTest, StartingPrunesFinishedDeliveriesPastTheirKeep) {
  queuePush("old", 1);
  {
    auto s = open();
    ASSERT_TRUE(s);
    auto c = (*s)->claimDelivery("elsewhere/0", "2999-01-01T00:00:00.000Z",
                                 "2999-01-01T01:00:00.000Z");
    ASSERT_TRUE(c && *c);
    ASSERT_TRUE((*s)->finishDelivery(**c, DeliveryOutcome::Done, ""));
  }
  queuePush("waiting", 2);
  std::vector<std::string> logs;
  DeliveryWorkerOptions o = options([](const EventWork&) -> Expected<void> { return {}; });
  o.keepFinished = std::chrono::seconds(0);
  o.workers = 1;
  o.log = [&logs](const std::string& line) { logs.push_back(line); };
  DeliveryWorkers pool(o);
  ASSERT_TRUE(pool.start());
  drain();
  pool.stop();
  auto s = open();
  ASSERT_TRUE(s);
  EXPECT_FALSE(*(*s)->delivery("old")) << "finished before the start: pruned";
  EXPECT_EQ(delivery("waiting").state, "done") << "queued ones are never pruned";
  EXPECT_NE(std::find_if(logs.begin(), logs.end(),
                         [](const std::string& l) { return l.starts_with("pruned 1 "); }),
            logs.end());
}

TEST_F(DeliveryWorkersTest, WithoutAStoreItDoesNotStart) {
  DeliveryWorkerOptions o;
  o.perform = [](Store&, const EventWork&, int64_t) -> Expected<void> { return {}; };
  DeliveryWorkers pool(o);
  EXPECT_FALSE(pool.start());
  pool.stop();
}

} // namespace
} // namespace godwit
