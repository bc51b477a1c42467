// One worker's share of a wave on the real PostgreSQL of the tests: every job is run once by
// one of the workers, a worker that runs out waits for the jobs others hold, a dead runner's
// jobs are requeued and run, and a worker that stops gives back what it has not run.
#include "bot/fleet/SharedWave.h"
#include "tests/support/PostgresServer.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

namespace godwit {
namespace {

using test::PostgresServer;

class SharedWaveTest : public ::testing::Test {
protected:
  PostgresServer& server = PostgresServer::shared();
  std::string database = server.createDatabase();
  ~SharedWaveTest() override { server.dropDatabase(database); }

  std::unique_ptr<PostgresStore> open() {
    auto store = PostgresStore::open(server.url(database));
    if (!store)
      throw std::runtime_error(store.error().str());
    return std::move(*store);
  }
  static SharedWaveSettings settings(int batch = 3) {
    return {"m", batch, 3, std::chrono::milliseconds(10)};
  }
  static std::vector<std::string> names(int n) {
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i)
      out.push_back("acme/repo-" + std::to_string(i));
    return out;
  }
  std::string stateOf(const std::string& name) {
    return server.scalar(database, "SELECT state FROM work_jobs WHERE full_name = '" + name +
                                       "' ORDER BY id DESC LIMIT 1");
  }
  static auto never() {
    return [] { return false; };
  }
};

TEST(RunnerId, IsTheJobsCompletionIndexOrHostAndProcess) {
  EXPECT_EQ(runnerIdFrom("3", "pod-7", 12), "index-3");
  EXPECT_EQ(runnerIdFrom(nullptr, "build-host", 4242), "build-host:4242");
  EXPECT_EQ(runnerIdFrom("", "build-host", 4242), "build-host:4242");
  EXPECT_NE(defaultRunnerId(), "");
}

TEST_F(SharedWaveTest, TwoWorkersRunEveryJobOnceAndTheFirstDoneWaitsForTheOther) {
  auto planner = open();
  ASSERT_EQ(*WorkQueue(*planner, "planner").enqueue("m", names(20)), 20);
  std::mutex mutex;
  std::condition_variable changed;
  std::multiset<std::string> ran;
  size_t ranByB = 0;
  std::atomic<bool> slowEnded{false};
  bool bReturnedAfterSlow = false;

  // A takes the first job alone and holds it until B has run all the others.
  std::thread a([&] {
    auto store = open();
    WorkQueue queue(*store, "runner-a");
    SharedWave wave(queue, nullptr, settings(1));
    auto r = wave.run(
        [&](const WorkClaim& c) -> Expected<ClaimEnd> {
          {
            std::unique_lock lock(mutex);
            ran.insert(c.fullName);
            if (c.fullName == "acme/repo-0")
              changed.wait(lock, [&] { return ranByB == 19 || ran.size() == 20; });
          }
          if (c.fullName == "acme/repo-0")
            slowEnded = true;
          return queue.finish(c, true) ? ClaimEnd::Ended : ClaimEnd::GiveBack;
        },
        never());
    EXPECT_TRUE(r) << r.error().str();
  });
  while (stateOf("acme/repo-0") != "running")
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::thread b([&] {
    auto store = open();
    WorkQueue queue(*store, "runner-b");
    SharedWave wave(queue, nullptr, settings(3));
    auto r = wave.run(
        [&](const WorkClaim& c) -> Expected<ClaimEnd> {
          auto finished = queue.finish(c, true);
          std::lock_guard lock(mutex);
          ran.insert(c.fullName);
          ++ranByB;
          changed.notify_all();
          return finished ? ClaimEnd::Ended : ClaimEnd::GiveBack;
        },
        never());
    EXPECT_TRUE(r) << r.error().str();
    bReturnedAfterSlow = slowEnded;
  });
  a.join();
  b.join();
  EXPECT_EQ(ran.size(), 20u);
  EXPECT_EQ(std::set<std::string>(ran.begin(), ran.end()).size(), 20u) << "each once";
  EXPECT_TRUE(bReturnedAfterSlow) << "B's wave ended only when A's job had";
  EXPECT_EQ(server.scalar(database, "SELECT count(*) FROM work_jobs WHERE state = 'done'"), "20");
}

TEST_F(SharedWaveTest, ADeadRunnersJobIsRequeuedAndRunByAnother) {
  auto deadStore = open();
  WorkQueue dead(*deadStore, "runner-dead");
  ASSERT_EQ(*dead.enqueue("m", names(3)), 3);
  const WorkClaim lost = dead.claim("m", 1)->front();
  ASSERT_TRUE(server.exec(database, "UPDATE work_jobs SET lease_until = now() - interval '1 s' "
                                    "WHERE state = 'running'"));
  auto store = open();
  WorkQueue queue(*store, "runner-b");
  auto keeperStore = open();
  LeaseKeeper keeper(std::move(keeperStore), "runner-b", std::chrono::seconds(90),
                     std::chrono::hours(1));
  SharedWave wave(queue, &keeper, settings(2));
  std::vector<std::pair<std::string, int64_t>> ran;
  auto r = wave.run(
      [&](const WorkClaim& c) -> Expected<ClaimEnd> {
        EXPECT_TRUE(keeper.holds(c)) << "tracked while it runs";
        ran.emplace_back(c.fullName, c.version);
        if (Expected<bool> f = queue.finish(c, true); !f)
          return f.error();
        return ClaimEnd::Ended;
      },
      never());
  ASSERT_TRUE(r) << r.error().str();
  ASSERT_EQ(ran.size(), 3u);
  EXPECT_EQ(ran.back(), std::make_pair(lost.fullName, lost.version + 1))
      << "requeued once the queue ran dry, then claimed again";
  EXPECT_FALSE(keeper.holds({lost.job, "m", lost.fullName, lost.version + 1}))
      << "released once run";
  EXPECT_FALSE(*dead.finish(lost, true)) << "the dead runner's claim is fenced off";
  EXPECT_EQ(wave.claimed(), 3u);
}

TEST_F(SharedWaveTest, AWorkerThatStopsGivesBackTheRestOfItsBatch) {
  auto store = open();
  WorkQueue queue(*store, "runner-a");
  ASSERT_EQ(*queue.enqueue("m", names(4)), 4);
  SharedWave wave(queue, nullptr, settings(3));
  std::vector<std::string> ran;
  auto r = wave.run(
      [&](const WorkClaim& c) -> Expected<ClaimEnd> {
        ran.push_back(c.fullName);
        if (ran.size() == 2)
          return ClaimEnd::GiveBack; // e.g. the campaign was paused
        return queue.finish(c, true) ? ClaimEnd::Ended : ClaimEnd::GiveBack;
      },
      never());
  ASSERT_TRUE(r) << r.error().str();
  EXPECT_EQ(ran, (std::vector<std::string>{"acme/repo-0", "acme/repo-1"}));
  EXPECT_EQ(stateOf("acme/repo-0"), "done");
  EXPECT_EQ(stateOf("acme/repo-1"), "queued");
  EXPECT_EQ(stateOf("acme/repo-2"), "queued") << "claimed in the batch, not run: given back";
  EXPECT_EQ(stateOf("acme/repo-3"), "queued");

  // An error does the same and is returned.
  SharedWave again(queue, nullptr, settings(3));
  r = again.run([](const WorkClaim&) -> Expected<ClaimEnd> { return makeError("disk full"); },
                never());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "disk full");
  EXPECT_EQ(server.scalar(database, "SELECT count(*) FROM work_jobs WHERE state = 'queued'"), "3");

  // A stop asked for before the first claim claims nothing.
  SharedWave stopped(queue, nullptr, settings(3));
  ASSERT_TRUE(stopped.run([](const WorkClaim&) -> Expected<ClaimEnd> { return ClaimEnd::Ended; },
                          [] { return true; }));
  EXPECT_EQ(stopped.claimed(), 0u);
}

} // namespace
} // namespace godwit
