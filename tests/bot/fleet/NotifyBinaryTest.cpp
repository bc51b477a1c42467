// Notifications from the real godwit-runner binary: a 3-wave sweep whose gate pauses on failing
// CI, resume, the end, and a rollback send their notices to a webhook receiver on loopback, in
// order and each once; a dry run sends none; an unreachable webhook never stops the campaign,
// and no output shows the secret in its URL.
#include "tests/bot/fleet/FleetFixture.h"
#include "tests/support/WebhookReceiver.h"

#include <fstream>

namespace godwit {
namespace {

using fleettest::Ran;

const std::string kSecret = "/services/T0ACME/B0GODWIT/s3cr3tP4th?sig=s3cr3tQu3ry";

class NotifyBinaryTest : public fleettest::FleetTest {
protected:
  test::WebhookReceiver receiver;

  void writeFiles(const std::string& webhook) {
    std::ofstream(tmp.path() / "m.yaml") << fleettest::migrationYaml(
        "rollout:\n  waves: [1, 3, 100%]\n  gate: {maxFailureRatio: 0}\n"
        "  notify:\n    webhook: " +
        webhook + "\n");
    writeFleetFile();
  }
  Ran run(const std::string& command, const std::string& store = "state.db") {
    Ran r = fleettest::runCommand(
        "GITHUB_TOKEN=" + fleettest::kToken + " GODWIT_RUNNER_WRITE_SPACING_MS=0 " +
        GODWIT_RUNNER_BINARY + " " + command + " --migration " + (tmp.path() / "m.yaml").string() +
        " --api-url " + server.url() + " --store " + (tmp.path() / store).string() +
        " --cache-dir " + (tmp.path() / "cache").string());
    EXPECT_EQ(r.out.find("s3cr3t"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("/services/"), std::string::npos) << r.out;
    return r;
  }
  Ran sweepRun(const std::string& store = "state.db", const std::string& extra = "") {
    return run("sweep " + (tmp.path() / "fleet.yaml").string() + " --jobs 2" + extra, store);
  }
};

TEST_F(NotifyBinaryTest, WavesTheGatesPauseTheEndAndARollbackAreEachNotifiedOnce) {
  makeFleet(9, 3, 9);
  writeFiles(receiver.url() + kSecret);
  useMigration("rollout:\n  waves: [1, 3, 100%]\n  gate: {maxFailureRatio: 0}\n");
  // The plan the binary keeps; the CI of the second wave's first repository fails.
  ASSERT_TRUE(ensureCampaign(*store(), migration, "d1", fleet, false, clock->now()));
  std::string secondWave;
  auto planned = store()->campaignRepos(migration.name);
  ASSERT_TRUE(planned);
  for (const auto& r : *planned)
    if (r.wave == 2 && secondWave.empty())
      secondWave = r.fullName;
  server.setCiScript([&](const std::string& repo, const std::string&) {
    return repo == secondWave ? "failure" : "success";
  });

  Ran r = sweepRun();
  ASSERT_EQ(r.status, 4) << r.out;
  auto posts = receiver.posts();
  ASSERT_EQ(receiver.events(),
            (std::vector<std::string>{"wave-started", "wave-started", "gate-paused"}))
      << r.out;
  EXPECT_EQ(posts[0].json["wave"], 1);
  EXPECT_EQ(posts[1].json["wave"], 2);
  EXPECT_EQ(posts[2].json["wave"], 2);
  EXPECT_NE(posts[2].json["reason"].get<std::string>().find("CI failed on 1 of 2"),
            std::string::npos)
      << posts[2].body;
  for (const auto& p : posts) {
    EXPECT_EQ(p.contentType, "application/json");
    EXPECT_EQ(p.target, kSecret);
    EXPECT_EQ(p.json["campaign"], "user-profile-v2");
    EXPECT_EQ(p.json["waves"], 3);
    EXPECT_TRUE(parseIsoUtc(p.json["time"].get<std::string>())) << p.body;
  }
  EXPECT_EQ(posts[2].json["counts"]["open"], 3) << posts[2].body;

  // Paused stays paused, and says nothing more.
  r = sweepRun();
  EXPECT_EQ(r.status, 4) << r.out;
  EXPECT_EQ(receiver.posts().size(), 3u);

  r = run("resume");
  ASSERT_EQ(r.status, 0) << r.out;
  r = sweepRun();
  ASSERT_EQ(r.status, 0) << r.out;
  posts = receiver.posts();
  ASSERT_EQ(receiver.events(),
            (std::vector<std::string>{"wave-started", "wave-started", "gate-paused", "wave-started",
                                      "campaign-finished"}))
      << r.out;
  EXPECT_EQ(posts[3].json["wave"], 3);
  EXPECT_EQ(posts[4].json["counts"], (nlohmann::json{{"open", 9}})) << posts[4].body;

  // A re-run of a finished campaign sends nothing again.
  r = sweepRun();
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(receiver.posts().size(), 5u);

  r = run("rollback");
  ASSERT_EQ(r.status, 0) << r.out;
  posts = receiver.posts();
  ASSERT_EQ(posts.size(), 7u);
  EXPECT_EQ(posts[5].json["event"], "rollback-started");
  EXPECT_EQ(posts[6].json["event"], "rollback-finished");
  EXPECT_EQ(posts[6].json["counts"], (nlohmann::json{{"rolled-back", 9}})) << posts[6].body;
  r = run("rollback");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(receiver.posts().size(), 7u) << "the rollback ran already";
}

TEST_F(NotifyBinaryTest, ADryRunSendsNothingAndADeadWebhookNeverStopsTheCampaign) {
  makeFleet(3, 1, 3);
  writeFiles(receiver.url() + kSecret);
  Ran r = sweepRun("dry.db", " --dry-run");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_TRUE(receiver.posts().empty());

  // Nothing listens there any more.
  std::string dead;
  {
    test::WebhookReceiver gone;
    dead = gone.url();
  }
  writeFiles(dead + kSecret);
  server.setCiScript([](const std::string&, const std::string&) { return "success"; });
  r = sweepRun();
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("user-profile-v2: done"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("warning: notify: wave-started to " + dead), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("warning: notify: campaign-finished to " + dead), std::string::npos)
      << r.out;
  EXPECT_EQ(createdPulls().size(), 3u);
}

} // namespace
} // namespace godwit
