// The store a claimed repository's step writes through: writes go through while the claim holds
// and are refused from the first time it does not; reads always pass.
#include "bot/fleet/FencedStore.h"

#include "bot/store/SqliteStore.h"
#include "tests/bot/GitFixture.h"

#include <gtest/gtest.h>

namespace godwit {
namespace {

class FencedStoreTest : public ::testing::Test {
protected:
  bottest::TempDir tmp;
  std::unique_ptr<SqliteStore> inner = SqliteStore::open(tmp.path() / "s.db").value();
  int asked = 0;
  Expected<bool> answer = true;
  FencedStore store{*inner, "acme/x", [this] {
                      ++asked;
                      return answer;
                    }};

  CampaignRepoRecord row(const std::string& state) {
    CampaignRepoRecord r;
    r.campaign = "m";
    r.fullName = "acme/x";
    r.wave = 1;
    r.state = state;
    return r;
  }
  std::string storedState() { return (*inner->campaignRepos("m"))[0].state; }
};

TEST_F(FencedStoreTest, WritesWhileTheClaimHoldsAndRefusesEveryWriteOnceItDoesNot) {
  CampaignRecord c;
  c.name = "m";
  ASSERT_TRUE(inner->saveCampaign(c));
  ASSERT_TRUE(store.saveCampaignRepo(row("running")));
  EXPECT_EQ(asked, 1) << "each write asks";
  EXPECT_EQ(storedState(), "running");

  answer = false;
  auto refused = store.saveCampaignRepo(row("open"));
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("the claim of acme/x was lost"), std::string::npos)
      << refused.error().message;
  EXPECT_TRUE(store.lost());
  EXPECT_EQ(storedState(), "running");
  EventRecord e;
  e.kind = "push";
  e.migration = "m";
  EXPECT_FALSE(store.appendEvent(e));
  PullRequestRecord pr;
  pr.migration = "m";
  pr.repositoryId = 1;
  EXPECT_FALSE(store.savePullRequest(pr));
  EXPECT_TRUE(inner->events("m")->empty());

  answer = true;
  EXPECT_FALSE(store.saveCampaignRepo(row("open"))) << "lost stays lost";
  EXPECT_EQ(asked, 2) << "and is not asked again";
  EXPECT_FALSE(*store.check());
  auto rows = store.campaignRepos("m");
  ASSERT_TRUE(rows) << "reads pass";
  EXPECT_EQ(rows->size(), 1u);
}

TEST_F(FencedStoreTest, AnErrorAskingIsAnErrorNotALoss) {
  answer = makeError("store postgres://db/fleet: cannot renew the lease of acme/x: timeout");
  auto r = store.saveCampaignRepo(row("running"));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("timeout"), std::string::npos);
  EXPECT_FALSE(store.lost());
  answer = true;
  CampaignRecord c;
  c.name = "m";
  ASSERT_TRUE(store.saveCampaign(c));
  EXPECT_TRUE(store.saveCampaignRepo(row("running")));
}

} // namespace
} // namespace godwit
