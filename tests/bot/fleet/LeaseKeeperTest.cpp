// The heartbeat of a runner's claims, on the real PostgreSQL of the tests: it renews what it
// tracks, marks what another runner took over as lost, and forgets what was released. Leases are
// moved by SQL; only the test of the thread itself waits, for at most a few rounds.
#include "bot/fleet/LeaseKeeper.h"
#include "tests/support/PostgresServer.h"

#include <gtest/gtest.h>

#include <thread>

namespace godwit {
namespace {

using test::PostgresServer;

class LeaseKeeperTest : public ::testing::Test {
protected:
  PostgresServer& server = PostgresServer::shared();
  std::string database = server.createDatabase();
  ~LeaseKeeperTest() override { server.dropDatabase(database); }

  std::unique_ptr<PostgresStore> open() {
    auto store = PostgresStore::open(server.url(database));
    if (!store)
      throw std::runtime_error(store.error().str());
    return std::move(*store);
  }
  /// Seconds left on the lease of `name`'s running job.
  double leaseLeft(const std::string& name) {
    return std::stod(server.scalar(database, "SELECT extract(epoch FROM lease_until - now()) "
                                             "FROM work_jobs WHERE state = 'running' AND "
                                             "full_name = '" + name + "'"));
  }
  void shortenLeases(const std::string& to) {
    ASSERT_TRUE(server.exec(database, "UPDATE work_jobs SET lease_until = now() + interval '" +
                                          to + "' WHERE state = 'running'"));
  }

  std::unique_ptr<PostgresStore> runnerStore = open();
  WorkQueue runner{*runnerStore, "runner-a", std::chrono::seconds(90)};
};

TEST_F(LeaseKeeperTest, RenewsWhatItTracksAndLosesWhatAnotherRunnerTookOver) {
  ASSERT_EQ(*runner.enqueue("m", {"acme/x", "acme/y"}), 2);
  auto claims = runner.claim("m", 2);
  ASSERT_EQ(claims->size(), 2u);
  const WorkClaim x = (*claims)[0], y = (*claims)[1];
  LeaseKeeper keeper(open(), "runner-a", std::chrono::seconds(90), std::chrono::hours(1));
  keeper.track(x);
  keeper.track(y);
  shortenLeases("2 s");
  EXPECT_EQ(keeper.renewNow(), 0u);
  EXPECT_GT(leaseLeft("acme/x"), 80);
  EXPECT_GT(leaseLeft("acme/y"), 80);
  EXPECT_TRUE(keeper.holds(x));

  // y's lease ends (the runner was stopped) and another runner takes it.
  ASSERT_TRUE(server.exec(database, "UPDATE work_jobs SET lease_until = now() - interval '1 s' "
                                    "WHERE full_name = 'acme/y'"));
  auto otherStore = open();
  WorkQueue other(*otherStore, "runner-b");
  ASSERT_EQ(other.reclaimExpired(3)->value().requeued, 1);
  const WorkClaim taken = other.claim("m", 1)->front();
  EXPECT_EQ(keeper.renewNow(), 1u);
  EXPECT_TRUE(keeper.holds(x));
  EXPECT_FALSE(keeper.holds(y)) << "lost for good";
  EXPECT_EQ(keeper.renewNow(), 0u) << "a lost claim is not asked about again";
  EXPECT_EQ(server.scalar(database, "SELECT locked_by FROM work_jobs WHERE full_name = 'acme/y'"),
            "runner-b");
  EXPECT_FALSE(keeper.holds(taken)) << "another runner's claim is not this keeper's";
  EXPECT_EQ(keeper.rounds(), 3u);
}

TEST_F(LeaseKeeperTest, AReleasedClaimIsNoLongerRenewed) {
  ASSERT_EQ(*runner.enqueue("m", {"acme/x"}), 1);
  const WorkClaim x = runner.claim("m", 1)->front();
  LeaseKeeper keeper(open(), "runner-a", std::chrono::seconds(90), std::chrono::hours(1));
  keeper.track(x);
  keeper.release(x);
  EXPECT_FALSE(keeper.holds(x));
  shortenLeases("2 s");
  keeper.renewNow();
  EXPECT_LT(leaseLeft("acme/x"), 3);
}

TEST_F(LeaseKeeperTest, ItsThreadRenewsWithoutBeingAsked) {
  ASSERT_EQ(*runner.enqueue("m", {"acme/x"}), 1);
  const WorkClaim x = runner.claim("m", 1)->front();
  shortenLeases("30 s");
  LeaseKeeper keeper(open(), "runner-a", std::chrono::seconds(90), std::chrono::milliseconds(20));
  keeper.track(x);
  keeper.start();
  // Not a timing test: it waits (up to a minute on a loaded machine) for two rounds to happen.
  for (int i = 0; i < 3000 && keeper.rounds() < 2; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  keeper.stop();
  ASSERT_GE(keeper.rounds(), 2u);
  EXPECT_GT(leaseLeft("acme/x"), 60);
  EXPECT_TRUE(keeper.holds(x));
  const size_t rounds = keeper.rounds();
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  EXPECT_EQ(keeper.rounds(), rounds) << "stopped";
}

} // namespace
} // namespace godwit
