// The heartbeat of the App's delivery claims over a real SQLite store: it moves the lease of what
// it tracks, by itself on its thread; a claim another instance took over is lost and no longer
// renewed (the new holder's lease untouched); a released claim is left alone; a store error is
// logged and renewed on the next round.

#include "bot/app/DeliveryLeases.h"

#include "bot/store/SqliteStore.h"
#include "bot/store/StoreTime.h"
#include "tests/bot/GitFixture.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <mutex>
#include <thread>
#include <vector>

namespace godwit {
namespace {

using namespace std::chrono_literals;

class DeliveryLeasesTest : public ::testing::Test {
protected:
  bottest::TempDir tmp;
  std::unique_ptr<Store> store = open();
  std::mutex logMutex;
  std::vector<std::string> logs;

  std::unique_ptr<Store> open() {
    auto s = SqliteStore::open(tmp.path() / "godwit.db");
    EXPECT_TRUE(s) << s.error().str();
    return s ? std::unique_ptr<Store>(std::move(*s)) : nullptr;
  }

  // A heartbeat with leases of `lease`, on a connection of its own.
  std::unique_ptr<DeliveryLeases> leases(std::chrono::seconds lease = 60s,
                                         std::chrono::milliseconds every = 1h) {
    return std::make_unique<DeliveryLeases>(open(), lease, every, [this](const std::string& l) {
      std::lock_guard lock(logMutex);
      logs.push_back(l);
    });
  }

  // Queues delivery `id` of repository `repo` and claims it for `worker` until 2 s from now.
  DeliveryRecord claim(const std::string& id, int64_t repo, const std::string& worker) {
    DeliveryRecord d;
    d.deliveryId = id;
    d.event = "push";
    d.repositoryId = repo;
    d.payload = "{}";
    EXPECT_TRUE(store->enqueueDelivery(d));
    return claimAgain(worker);
  }

  DeliveryRecord claimAgain(const std::string& worker) {
    const auto now = std::chrono::system_clock::now();
    auto c = store->claimDelivery(worker, storeTimestamp(now), storeTimestamp(now + 2s));
    EXPECT_TRUE(c && *c);
    return c && *c ? **c : DeliveryRecord{};
  }

  std::string leaseOf(const std::string& id) { return (*store->delivery(id))->leaseUntil; }

  // Runs raw SQL on the store's file, as another tool would.
  void exec(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((tmp.path() / "godwit.db").c_str(), &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << sqlite3_errmsg(db);
    sqlite3_close(db);
  }
};

TEST_F(DeliveryLeasesTest, ARoundMovesTheLeaseOfWhatItTracks) {
  DeliveryRecord d = claim("d", 1, "app/0");
  const std::string first = d.leaseUntil;
  auto keeper = leases(60s);
  keeper->track(d);
  EXPECT_TRUE(keeper->holds(d));
  const std::string before = storeTimestamp(std::chrono::system_clock::now() + 59s);
  EXPECT_EQ(keeper->renewNow(), 0u);
  EXPECT_EQ(keeper->rounds(), 1u);
  EXPECT_GT(leaseOf("d"), before) << "renewed to a minute from the renewal, from " << first;
  EXPECT_TRUE(keeper->holds(d));
  auto now = store->delivery("d");
  EXPECT_EQ((*now)->state, "running");
  EXPECT_EQ((*now)->attempts, 1);
  EXPECT_EQ((*now)->lockedBy, "app/0");
}

TEST_F(DeliveryLeasesTest, ItsThreadRenewsByItself) {
  DeliveryRecord d = claim("d", 1, "app/0");
  auto keeper = leases(60s, 20ms);
  keeper->track(d);
  const std::string before = storeTimestamp(std::chrono::system_clock::now() + 59s);
  keeper->start();
  // A guard against a hang, not a timing assertion.
  for (int i = 0; i < 500 && keeper->rounds() < 3; ++i)
    std::this_thread::sleep_for(10ms);
  keeper->stop();
  EXPECT_GE(keeper->rounds(), 3u);
  EXPECT_GT(leaseOf("d"), before);
  const size_t rounds = keeper->rounds();
  std::this_thread::sleep_for(60ms);
  EXPECT_EQ(keeper->rounds(), rounds) << "stopped";
}

TEST_F(DeliveryLeasesTest, AClaimTakenOverIsLostAndTheNewHoldersLeaseIsUntouched) {
  DeliveryRecord mine = claim("d", 1, "app/0");
  DeliveryRecord other = claim("e", 2, "app/0");
  auto keeper = leases(60s);
  keeper->track(mine);
  keeper->track(other);
  // Another instance starts after the lease ended (it was not renewed) and takes it over.
  const std::string later = storeTimestamp(std::chrono::system_clock::now() + 10s);
  ASSERT_TRUE(store->requeueStaleDeliveries("elsewhere/0", later));
  DeliveryRecord theirs = claimAgain("elsewhere/0");
  ASSERT_EQ(theirs.deliveryId, "d");
  DeliveryRecord again = claimAgain("app/0");
  ASSERT_EQ(again.deliveryId, "e") << "the other delivery, requeued too, is claimed again";

  EXPECT_EQ(keeper->renewNow(), 2u) << "neither claim holds any more";
  EXPECT_FALSE(keeper->holds(mine));
  EXPECT_FALSE(keeper->holds(other));
  EXPECT_EQ(leaseOf("d"), theirs.leaseUntil);
  EXPECT_EQ(leaseOf("e"), again.leaseUntil) << "a claim of the same worker, another attempt";
  EXPECT_EQ(keeper->renewNow(), 0u) << "lost once, then no longer renewed";
  EXPECT_TRUE(logs.empty()) << logs.front();
}

TEST_F(DeliveryLeasesTest, AReleasedClaimIsLeftAlone) {
  DeliveryRecord d = claim("d", 1, "app/0");
  auto keeper = leases(60s);
  keeper->track(d);
  keeper->release(d);
  EXPECT_FALSE(keeper->holds(d));
  EXPECT_EQ(keeper->renewNow(), 0u);
  EXPECT_EQ(leaseOf("d"), d.leaseUntil);
  // Releasing another attempt of the same delivery leaves the tracked one.
  keeper->track(d);
  DeliveryRecord older = d;
  older.attempts = 0;
  keeper->release(older);
  EXPECT_TRUE(keeper->holds(d));
}

TEST_F(DeliveryLeasesTest, AStoreErrorIsLoggedAndTheClaimRenewedNextRound) {
  DeliveryRecord d = claim("d", 1, "app/0");
  auto keeper = leases(60s);
  keeper->track(d);
  exec("ALTER TABLE deliveries RENAME TO deliveries_away");
  EXPECT_EQ(keeper->renewNow(), 0u);
  EXPECT_TRUE(keeper->holds(d)) << "an error is not a loss";
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_NE(logs.front().find("app/0: cannot renew the lease of delivery d (tried again): "),
            std::string::npos)
      << logs.front();
  exec("ALTER TABLE deliveries_away RENAME TO deliveries");
  const std::string before = storeTimestamp(std::chrono::system_clock::now() + 59s);
  EXPECT_EQ(keeper->renewNow(), 0u);
  EXPECT_GT(leaseOf("d"), before);
  EXPECT_EQ(logs.size(), 1u);
}

} // namespace
} // namespace godwit
