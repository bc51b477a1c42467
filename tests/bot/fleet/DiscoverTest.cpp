// Discover over local bare repositories (file:// remotes) and the GitHub contract server: the
// consumers and their figures, one failing clone reported while the others go on, the default
// branch from the remote's HEAD, archived and opted-out repositories.
#include "bot/fleet/Discover.h"

#include "tests/bot/fleet/FleetFixture.h"

#include <git2.h>

namespace godwit {
namespace {

class DiscoverTest : public fleettest::FleetTest {
protected:
  void SetUp() override {
    FleetTest::SetUp();
    useMigration("");
  }
  DiscoverResult discover(CodeHost* host, const DiscoverSettings& extra = {}) {
    DiscoverSettings settings = extra;
    settings.cacheDir = tmp.path() / "cache";
    settings.jobs = 3;
    settings.run.jobs = 1;
    return discoverConsumers(migration, fleet, host, settings);
  }
  static const DiscoveredRepo& find(const DiscoverResult& r, const std::string& name) {
    for (const DiscoveredRepo& d : r.repos)
      if (d.repo.fullName == name)
        return d;
    throw std::runtime_error("no " + name);
  }
};

TEST_F(DiscoverTest, FindsExactlyTheConsumersAndGoesOnPastAFailingClone) {
  makeFleet(8, 2, 3);
  FleetRepo broken;
  broken.fullName = "acme/broken";
  broken.cloneUrl = "file://" + (tmp.path() / "no-such-remote.git").string();
  broken.defaultBranch = "main";
  fleet.insert(fleet.begin() + 4, broken);
  size_t reported = 0;
  DiscoverSettings settings;
  settings.progress = [&](const DiscoverProgress& p) {
    ++reported;
    EXPECT_EQ(p.total, 9u);
    EXPECT_LE(p.done, p.total);
  };

  const DiscoverResult r = discover(client.get(), settings);
  EXPECT_EQ(reported, 9u);
  ASSERT_EQ(r.repos.size(), 9u);
  std::vector<std::string> consumers;
  for (const DiscoveredRepo& d : r.repos)
    if (d.outcome == DiscoverOutcome::Consumer)
      consumers.push_back(d.repo.fullName);
  EXPECT_EQ(consumers, (std::vector<std::string>{"acme/repo-0", "acme/repo-1", "acme/repo-2"}));
  const DiscoveredRepo& first = find(r, "acme/repo-0");
  EXPECT_EQ(first.files, 1u);
  EXPECT_EQ(first.rewrites, 1u);
  EXPECT_EQ(first.attention, 0u);
  EXPECT_EQ(first.baseSha, remotes[0]->tip("main"));
  EXPECT_GT(first.repo.id, 0); // looked up on the code host
  EXPECT_EQ(first.repo.owner, "team-0");
  const DiscoveredRepo& failed = find(r, "acme/broken");
  EXPECT_EQ(failed.outcome, DiscoverOutcome::Failed);
  EXPECT_NE(failed.error.find("cannot fetch"), std::string::npos) << failed.error;
  EXPECT_EQ(r.totals.repositories, 9u);
  EXPECT_EQ(r.totals.consumers, 3u);
  EXPECT_EQ(r.totals.notConsumers, 5u);
  EXPECT_EQ(r.totals.failed, 1u);
  EXPECT_EQ(r.totals.rewrites, 3u);
  EXPECT_EQ(r.totals.files, 3u);
  // Sorted by name whatever order the workers finished in.
  EXPECT_EQ(r.repos.front().repo.fullName, "acme/broken");

  // A second run fetches into the same caches and finds the same.
  const DiscoverResult again = discover(client.get());
  EXPECT_EQ(again.totals.consumers, 3u);
  EXPECT_EQ(again.totals.failed, 1u);
}

TEST_F(DiscoverTest, WithoutACodeHostTheCloneUrlAndTheRemotesHeadAreEnough) {
  bottest::BareRemote remote(tmp.path() / "remotes" / "trunk.git");
  remote.commit("trunk", {{"etl/job.py", "TABLE = 'acme-prod.core_users.user_profile_v1'\n"}});
  remote.commit("main", {{"etl/job.py", "TABLE = 'elsewhere'\n"}});
  ASSERT_EQ(git_repository_set_head(remote.repo(), "refs/heads/trunk"), 0);
  FleetRepo listed;
  listed.fullName = "acme/trunk";
  listed.cloneUrl = remote.url();
  FleetRepo noUrl;
  noUrl.fullName = "acme/nowhere";
  fleet = {listed, noUrl};

  const DiscoverResult r = discover(nullptr);
  const DiscoveredRepo& trunk = find(r, "acme/trunk");
  ASSERT_EQ(trunk.outcome, DiscoverOutcome::Consumer) << trunk.error;
  EXPECT_EQ(trunk.repo.defaultBranch, "trunk");
  EXPECT_EQ(trunk.baseSha, remote.tip("trunk"));
  const DiscoveredRepo& nowhere = find(r, "acme/nowhere");
  EXPECT_EQ(nowhere.outcome, DiscoverOutcome::Failed);
  EXPECT_EQ(nowhere.error, "no clone URL for acme/nowhere");
}

TEST_F(DiscoverTest, ArchivedRepositoriesAreNotClonedAndOptedOutOnesNotAnalyzed) {
  makeFleet(3, 1, 3);
  server.addRepository({"acme/old", "main", "file:///nonexistent/old.git", /*archived=*/true});
  FleetRepo old;
  old.fullName = "acme/old";
  fleet.push_back(old);
  remotes[1]->commit("main", {{"src/Job.scala", "object Job { val t = \"x\" }\n"},
                              {".godwit.yaml", "optOut: true\n"}});
  DiscoverSettings settings; // the opt-out rule itself is .godwit.yaml's; here a stand-in hook
  settings.prepare = [](const std::filesystem::path& checkout, RunOptions&) -> Expected<bool> {
    return !std::filesystem::exists(checkout / ".godwit.yaml");
  };
  const DiscoverResult r = discover(client.get(), settings);
  EXPECT_EQ(find(r, "acme/old").outcome, DiscoverOutcome::Archived);
  EXPECT_EQ(find(r, "acme/repo-1").outcome, DiscoverOutcome::OptedOut);
  EXPECT_EQ(r.totals.consumers, 2u);
  EXPECT_EQ(r.totals.archived, 1u);
  EXPECT_EQ(r.totals.optedOut, 1u);
}

} // namespace
} // namespace godwit
