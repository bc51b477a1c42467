// Rollback over open, merged, conflicting and human-edited pull requests, twice.
#include "bot/fleet/Rollback.h"

#include "tests/bot/fleet/FleetFixture.h"

namespace godwit {
namespace {

using RollbackTest = fleettest::FleetTest;

const std::string kBranch = "godwit/user-profile-v2";
const std::string kRevert = "godwit/user-profile-v2-revert";

std::string job(const std::string& table) {
  return "object Job {\n  val t = \"" + table + "\"\n}\n";
}

TEST_F(RollbackTest, ClosesOpenRevertsMergedAndLeavesHumanEditsAlone) {
  makeFleet(4, 2, 4);
  useMigration("");
  ASSERT_EQ(sweep().campaignState, "done");
  ASSERT_EQ(createdPulls().size(), 4u);
  const std::string original = remotes[1]->tip("main");

  // repo-1 and repo-2 merged; after repo-2's merge its line changed again, so its revert
  // conflicts. repo-3's branch got a commit by a person.
  for (size_t i : {1, 2}) {
    remotes[i]->setBranch("main", remotes[i]->tip(kBranch));
    server.mergePull(fleet[i].fullName, server.pulls(fleet[i].fullName).front().number);
  }
  remotes[2]->commit("main", {{"src/Job.scala", job("acme-prod.core_users.user_profile_v3")}});
  remotes[3]->commit(
      kBranch,
      {{"src/Job.scala", job("acme-prod.core_users.user_profile_v2")}, {"NOTES.md", "mine\n"}},
      "fix tests\n", "Dana", "dana@example.com");
  const std::string humanTip = remotes[3]->tip(kBranch);

  RollbackSettings settings;
  settings.cacheDir = tmp.path() / "cache";
  settings.clock = clock;
  auto actions = rollbackCampaign(migration, *client, *store(), settings);
  ASSERT_TRUE(actions) << actions.error().str();
  EXPECT_EQ(states(), (std::map<std::string, std::string>{{"acme/repo-0", "rolled-back"},
                                                          {"acme/repo-1", "reverting"},
                                                          {"acme/repo-2", "needs-human"},
                                                          {"acme/repo-3", "needs-human"}}));
  // What this run did to pull requests, as the metrics count it.
  ASSERT_EQ(actions->size(), 4u);
  const std::vector<std::pair<bool, bool>> closedOpened = {
      {true, false}, {false, true}, {false, false}, {false, false}};
  for (size_t i = 0; i < 4; ++i)
    EXPECT_EQ(std::pair((*actions)[i].closedPullRequest, (*actions)[i].openedPullRequest),
              closedOpened[i])
        << (*actions)[i].repository;
  // Open: closed with a comment, branch deleted.
  EXPECT_EQ(server.pulls("acme/repo-0").front().state, "closed");
  EXPECT_FALSE(server.pulls("acme/repo-0").front().merged);
  const auto comments = server.comments("acme/repo-0", server.pulls("acme/repo-0").front().number);
  ASSERT_EQ(comments.size(), 1u);
  EXPECT_NE(comments.front().body.find(kRollbackMarker), std::string::npos);
  EXPECT_EQ(remotes[0]->tip(kBranch), "");
  // Merged: one revert commit on the current base that restores the file.
  const std::string revert = remotes[1]->tip(kRevert);
  ASSERT_NE(revert, "");
  const auto info = remotes[1]->info(revert);
  EXPECT_EQ(info.parents, (std::vector<std::string>{remotes[1]->tip("main")}));
  EXPECT_EQ(remotes[1]->file(revert, "src/Job.scala"), remotes[1]->file(original, "src/Job.scala"));
  const auto pulls1 = server.pulls("acme/repo-1");
  ASSERT_EQ(pulls1.size(), 2u);
  EXPECT_EQ(pulls1.back().head, kRevert);
  // Conflicting revert: nothing pushed. Human-edited: branch and PR untouched.
  EXPECT_EQ(remotes[2]->tip(kRevert), "");
  EXPECT_EQ(remotes[3]->tip(kBranch), humanTip);
  EXPECT_EQ(server.pulls("acme/repo-3").front().state, "open");
  EXPECT_TRUE(server.comments("acme/repo-3", server.pulls("acme/repo-3").front().number).empty());
  auto campaign = store()->campaign(migration.name);
  EXPECT_EQ((*campaign)->state, "rolled-back");

  // Again: nothing more happens on the code host.
  size_t writes = 0;
  for (const auto& r : server.requests())
    writes += r.method != "GET" ? 1 : 0;
  actions = rollbackCampaign(migration, *client, *store(), settings);
  ASSERT_TRUE(actions) << actions.error().str();
  size_t after = 0;
  for (const auto& r : server.requests())
    after += r.method != "GET" ? 1 : 0;
  EXPECT_EQ(after, writes);
  for (const RollbackAction& a : *actions)
    EXPECT_FALSE(a.closedPullRequest || a.openedPullRequest) << a.repository;
  EXPECT_EQ(server.pulls("acme/repo-1").size(), 2u);
  EXPECT_EQ(states()["acme/repo-1"], "reverting");
}

TEST_F(RollbackTest, OneRepositoryAndDryRun) {
  makeFleet(2, 1, 2);
  useMigration("");
  ASSERT_EQ(sweep().campaignState, "done");
  RollbackSettings settings;
  settings.cacheDir = tmp.path() / "cache";
  settings.clock = clock;
  settings.dryRun = true;
  auto actions = rollbackCampaign(migration, *client, *store(), settings);
  ASSERT_TRUE(actions) << actions.error().str();
  ASSERT_EQ(actions->size(), 2u);
  EXPECT_NE(actions->front().what.find("would close"), std::string::npos) << actions->front().what;
  EXPECT_FALSE(actions->front().closedPullRequest); // a dry run closes nothing
  EXPECT_EQ(server.pulls("acme/repo-0").front().state, "open");

  settings.dryRun = false;
  settings.onlyRepo = "acme/repo-1";
  actions = rollbackCampaign(migration, *client, *store(), settings);
  ASSERT_TRUE(actions) << actions.error().str();
  EXPECT_EQ(server.pulls("acme/repo-0").front().state, "open");
  EXPECT_EQ(server.pulls("acme/repo-1").front().state, "closed");
  settings.onlyRepo = "acme/nope";
  EXPECT_FALSE(rollbackCampaign(migration, *client, *store(), settings));
}

} // namespace
} // namespace godwit
