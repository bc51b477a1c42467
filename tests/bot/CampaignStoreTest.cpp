// Campaign state in the Store, one parametrized suite over the backends (StoreBackends.h):
// SQLite and PostgreSQL.
#include "StoreBackends.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace godwit {
namespace {

class CampaignStoreTest : public storetest::StoreSuite {
protected:
  std::unique_ptr<Store> store = open();

  CampaignRepoRecord repo(const std::string& name, int wave, int position) {
    CampaignRepoRecord r;
    r.campaign = "m";
    r.fullName = name;
    r.owner = "team-a";
    r.wave = wave;
    r.position = position;
    r.waveReason = "tier 0";
    return r;
  }
};

TEST_P(CampaignStoreTest, CampaignsRoundTripAndUpdate) {
  EXPECT_FALSE(*store->campaign("m"));
  CampaignRecord c;
  c.name = "m";
  c.migrationPath = "m.yaml";
  c.migrationDigest = "abc";
  ASSERT_TRUE(store->saveCampaign(c));
  auto read = store->campaign("m");
  ASSERT_TRUE(read && *read);
  EXPECT_EQ((*read)->state, "running");
  EXPECT_FALSE((*read)->createdAt.empty());
  const std::string created = (*read)->createdAt;

  c.state = "paused";
  c.pauseReason = "gate of wave 1: 2 of 3 failed CI";
  ASSERT_TRUE(store->saveCampaign(c));
  read = store->campaign("m");
  EXPECT_EQ((*read)->state, "paused");
  EXPECT_EQ((*read)->pauseReason, "gate of wave 1: 2 of 3 failed CI");
  EXPECT_EQ((*read)->createdAt, created);

  c.state = "sleeping";
  EXPECT_FALSE(store->saveCampaign(c)) << "an unknown campaign state is refused";
}

TEST_P(CampaignStoreTest, ListsEveryCampaignByNameInByteOrder) {
  auto none = store->campaigns();
  ASSERT_TRUE(none) << none.error().str();
  EXPECT_TRUE(none->empty());
  // Byte order: `Z` before `a`, `-` before `_`. The test server's C.UTF-8 sorts so too; the
  // query asks for it, so that a database made in another locale does as well.
  for (const std::string name : {"user-profile-v2", "a_b", "Zeta", "a-b", "orders.v3"}) {
    CampaignRecord c;
    c.name = name;
    c.migrationPath = name + ".yaml";
    c.state = name == "a-b" ? "paused" : "running";
    c.pauseReason = name == "a-b" ? "gate of wave 1" : "";
    ASSERT_TRUE(store->saveCampaign(c));
  }
  auto all = store->campaigns();
  ASSERT_TRUE(all) << all.error().str();
  std::vector<std::string> names;
  for (const CampaignRecord& c : *all)
    names.push_back(c.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"Zeta", "a-b", "a_b", "orders.v3", "user-profile-v2"}));
  EXPECT_EQ((*all)[1].state, "paused");
  EXPECT_EQ((*all)[1].pauseReason, "gate of wave 1");
  EXPECT_EQ((*all)[4].migrationPath, "user-profile-v2.yaml");
  EXPECT_FALSE((*all)[4].createdAt.empty());

  ASSERT_TRUE(store->deleteCampaignPlan("a_b"));
  all = store->campaigns();
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 4u) << "a deleted plan is no campaign";
}

TEST_P(CampaignStoreTest, WavesAndReposComeBackInPlanOrder) {
  CampaignRecord c;
  c.name = "m";
  ASSERT_TRUE(store->saveCampaign(c));
  for (int n : {2, 1})
    ASSERT_TRUE(store->saveWave({"m", n, n == 1 ? "running" : "pending", "", "", ""}));
  auto waves = store->waves("m");
  ASSERT_TRUE(waves);
  ASSERT_EQ(waves->size(), 2u);
  EXPECT_EQ((*waves)[0].number, 1);
  EXPECT_EQ((*waves)[0].state, "running");

  ASSERT_TRUE(store->saveCampaignRepo(repo("acme/c", 2, 0)));
  ASSERT_TRUE(store->saveCampaignRepo(repo("acme/b", 1, 1)));
  CampaignRepoRecord a = repo("acme/a", 1, 0);
  a.state = "open";
  a.pullRequest = 7;
  a.attentionItems = R"(["x.py:3:1: interpolated"])";
  a.publishingSince = "2026-12-02T10:00:00.000Z";
  ASSERT_TRUE(store->saveCampaignRepo(a));
  auto repos = store->campaignRepos("m");
  ASSERT_TRUE(repos);
  ASSERT_EQ(repos->size(), 3u);
  EXPECT_EQ((*repos)[0].fullName, "acme/a");
  EXPECT_EQ((*repos)[1].fullName, "acme/b");
  EXPECT_EQ((*repos)[2].fullName, "acme/c");
  EXPECT_EQ((*repos)[0].pullRequest, 7);
  EXPECT_EQ((*repos)[0].attentionItems, R"(["x.py:3:1: interpolated"])");
  EXPECT_EQ((*repos)[0].publishingSince, "2026-12-02T10:00:00.000Z");
  EXPECT_EQ((*repos)[1].attentionItems, "[]");

  CampaignRepoRecord c2 = repo("acme/c", 2, 0);
  c2.owner = "team-b";
  c2.state = "human-edited";
  ASSERT_TRUE(store->saveCampaignRepo(c2));
  EXPECT_EQ(*store->countOpenPullRequests("m", ""), 2);
  EXPECT_EQ(*store->countOpenPullRequests("m", "team-a"), 1);
  EXPECT_EQ(*store->countOpenPullRequests("m", "team-c"), 0);

  a.state = "merged";
  a.publishingSince.clear();
  ASSERT_TRUE(store->saveCampaignRepo(a));
  EXPECT_EQ(*store->countOpenPullRequests("m", "team-a"), 0);
  EXPECT_EQ((*store->campaignRepos("m"))[0].state, "merged");
  EXPECT_EQ(store->campaignRepos("m")->size(), 3u);
}

TEST_P(CampaignStoreTest, DeletingAPlanKeepsTheEventLog) {
  CampaignRecord c;
  c.name = "m";
  c.dryRun = true;
  ASSERT_TRUE(store->saveCampaign(c));
  ASSERT_TRUE(store->saveWave({"m", 1, "running", "", "", ""}));
  ASSERT_TRUE(store->saveCampaignRepo(repo("acme/a", 1, 0)));
  EventRecord e;
  e.kind = "campaign.start";
  e.migration = "m";
  ASSERT_TRUE(store->appendEvent(e));
  ASSERT_TRUE(store->deleteCampaignPlan("m"));
  EXPECT_FALSE(*store->campaign("m"));
  EXPECT_TRUE(store->waves("m")->empty());
  EXPECT_TRUE(store->campaignRepos("m")->empty());
  EXPECT_EQ(store->events("m")->size(), 1u);
}

TEST_P(CampaignStoreTest, CountsEventsOfAKindSinceATime) {
  for (const char* at :
       {"2026-12-02T09:00:00.000Z", "2026-12-02T09:30:00.000Z", "2026-12-02T10:15:00.000Z"}) {
    EventRecord e;
    e.at = at;
    e.kind = "repo.publish";
    e.migration = "m";
    ASSERT_TRUE(store->appendEvent(e));
  }
  EventRecord other;
  other.at = "2026-12-02T10:20:00.000Z";
  other.kind = "repo.state";
  other.migration = "m";
  ASSERT_TRUE(store->appendEvent(other));
  EXPECT_EQ(*store->countEvents("m", "repo.publish", "2026-12-02T09:30:00.000Z"), 2);
  EXPECT_EQ(*store->countEvents("m", "repo.publish", ""), 3);
  EXPECT_EQ(*store->countEvents("other", "repo.publish", ""), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, CampaignStoreTest,
                         ::testing::ValuesIn(storetest::storeBackends()), storetest::backendName);

} // namespace
} // namespace godwit
