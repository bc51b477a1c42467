// OfflineHost: a dry run's code host when there is none. Repositories come from the inventory
// (the default branch from the remote's HEAD when the entry does not name it), no pull request
// exists, and every write is refused.
#include "bot/fleet/OfflineHost.h"
#include "tests/bot/GitFixture.h"

#include <gtest/gtest.h>

namespace godwit {
namespace {

class OfflineHostTest : public ::testing::Test {
protected:
  bottest::TempDir tmp;
  bottest::BareRemote remote{tmp.path() / "svc.git"};
  std::vector<FleetRepo> inventory;

  void SetUp() override {
    remote.commit("trunk", {{"a.txt", "a\n"}});
    git_repository_set_head(remote.repo(), "refs/heads/trunk");
    FleetRepo named;
    named.fullName = "acme/Svc";
    named.cloneUrl = remote.url();
    inventory.push_back(named);
    FleetRepo pinned = named;
    pinned.fullName = "acme/pinned";
    pinned.defaultBranch = "release";
    inventory.push_back(pinned);
  }
};

TEST_F(OfflineHostTest, RepositoriesComeFromTheInventoryAndTheRemotesHead) {
  auto host = offlineHostFor(inventory);
  ASSERT_TRUE(host) << host.error().str();
  auto repo = host->repository("ACME/svc"); // names compare without case, as on GitHub
  ASSERT_TRUE(repo) << repo.error().str();
  EXPECT_EQ(repo->fullName, "acme/Svc");
  EXPECT_EQ(repo->cloneUrl, remote.url());
  EXPECT_EQ(repo->defaultBranch, "trunk");
  auto pinned = host->repository("acme/pinned");
  ASSERT_TRUE(pinned);
  EXPECT_EQ(pinned->defaultBranch, "release");
  auto missing = host->repository("acme/other");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("not in the fleet file"), std::string::npos);
  auto pr = host->findPullRequest("acme/Svc", "godwit/x");
  ASSERT_TRUE(pr);
  EXPECT_FALSE(pr->has_value());
}

TEST_F(OfflineHostTest, EveryWriteIsRefused) {
  auto host = offlineHostFor(inventory);
  ASSERT_TRUE(host);
  auto created = host->createPullRequest("acme/Svc", {"t", "b", "godwit/x", "trunk", false});
  ASSERT_FALSE(created);
  EXPECT_NE(created.error().message.find("no code host: cannot open a pull request in acme/Svc"),
            std::string::npos)
      << created.error().message;
  EXPECT_FALSE(host->updatePullRequest("acme/Svc", 1, "t", "b"));
  EXPECT_FALSE(host->closePullRequest("acme/Svc", 1));
  EXPECT_FALSE(host->ensureLabels("acme/Svc", {{"godwit", "ededed", ""}}));
  EXPECT_FALSE(host->addLabels("acme/Svc", 1, {"godwit"}));
  EXPECT_FALSE(host->requestReviewers("acme/Svc", 1, {"octocat"}));
  EXPECT_FALSE(host->upsertComment("acme/Svc", 1, "<!-- m -->", "hi"));
  EXPECT_FALSE(host->deleteBranch("acme/Svc", "godwit/x"));
  EXPECT_FALSE(host->refStatus("acme/Svc", "abc"));
}

TEST_F(OfflineHostTest, AnEntryWithoutACloneUrlIsNamed) {
  FleetRepo bare;
  bare.fullName = "acme/no-url";
  bare.source = "fleet.yaml:9:5";
  inventory.push_back(bare);
  auto host = offlineHostFor(inventory);
  ASSERT_FALSE(host);
  EXPECT_EQ(host.error().message, "no code host to look up acme/no-url (fleet.yaml:9:5)");
}

} // namespace
} // namespace godwit
