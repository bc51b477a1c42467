// The sweep: waves and gates, limits counted from the requests the server recorded, the
// injected clock, dry runs.
#include "tests/bot/fleet/FleetFixture.h"

namespace godwit {
namespace {

using SweepTest = fleettest::FleetTest;
using fleettest::at;

TEST_F(SweepTest, ThreeWavesAGatePausesOnFailingCiAndResumeContinues) {
  makeFleet(9, 3, 9);
  useMigration("rollout:\n  waves: [1, 3, 100%]\n  gate: {maxFailureRatio: 0}\n");
  std::set<std::string> failing;
  server.setCiScript([&](const std::string& repo, const std::string&) {
    return failing.count(repo) ? "failure" : "success";
  });
  // Fail the CI of the second wave's first repository.
  auto plan = ensureCampaign(*store(), migration, "d1", fleet, false, clock->now());
  ASSERT_TRUE(plan) << plan.error().str();
  std::string secondWave;
  auto repos = store()->campaignRepos(migration.name);
  for (const auto& r : *repos)
    if (r.wave == 2 && secondWave.empty())
      secondWave = r.fullName;
  failing.insert(secondWave);

  SweepSummary s = sweep();
  EXPECT_EQ(s.campaignState, "paused");
  EXPECT_EQ(s.currentWave, 2);
  EXPECT_NE(s.stoppedBecause.find("CI failed on 1 of 2 pull requests of wave 2"), std::string::npos)
      << s.stoppedBecause;
  EXPECT_EQ(createdPulls().size(), 3u) << "waves 1 and 2 only";
  EXPECT_EQ(s.totals["pending"], 6u);

  // Paused stays paused, across runs, until resume.
  s = sweep();
  EXPECT_EQ(s.campaignState, "paused");
  EXPECT_EQ(createdPulls().size(), 3u);
  ASSERT_TRUE(resumeCampaign(*store(), migration.name, clock->now()));
  s = sweep();
  EXPECT_EQ(s.campaignState, "done") << s.stoppedBecause;
  const auto created = createdPulls();
  EXPECT_EQ(created.size(), 9u);
  for (const auto& [repo, count] : created)
    EXPECT_EQ(count, 1u) << repo;
  for (const auto& [repo, state] : states())
    EXPECT_EQ(state, "open") << repo;
}

TEST_F(SweepTest, OpenPullRequestLimitsHoldCountedFromTheRequests) {
  makeFleet(12, 3, 12);
  useMigration("rollout:\n  maxOpenPRs: 4\n  maxOpenPRsPerOwner: 2\n");
  SweepSummary s = sweep(false, 3);
  EXPECT_EQ(s.campaignState, "running");
  EXPECT_EQ(createdPulls().size(), 4u);
  EXPECT_EQ(openPulls(), 4u);
  for (const char* team : {"team-0", "team-1", "team-2"})
    EXPECT_LE(openPulls(team), 2u) << team;
  EXPECT_EQ(s.totals["scheduled"], 8u);
  EXPECT_NE(s.stoppedBecause.find("reached"), std::string::npos) << s.stoppedBecause;

  // Two merges free two slots; a sweep fills them and no more.
  size_t merged = 0;
  for (const FleetRepo& r : fleet)
    for (const auto& p : server.pulls(r.fullName))
      if (p.state == "open" && merged < 2) {
        server.mergePull(r.fullName, p.number);
        ++merged;
      }
  s = sweep(false, 3);
  EXPECT_EQ(createdPulls().size(), 6u);
  EXPECT_EQ(openPulls(), 4u);
  for (const char* team : {"team-0", "team-1", "team-2"})
    EXPECT_LE(openPulls(team), 2u) << team;
  EXPECT_EQ(s.totals["merged"], 2u);
  for (const auto& [repo, count] : createdPulls())
    EXPECT_EQ(count, 1u) << repo;
}

TEST_F(SweepTest, PrsPerHourAndWindowsFollowTheInjectedClock) {
  makeFleet(6, 2, 6);
  useMigration("rollout:\n  prsPerHour: 2\n  windows:\n"
               "    - {days: [mon, tue, wed, thu, fri], start: \"09:00\", end: \"17:00\"}\n");
  clock = std::make_shared<test::FakeClock>(at("2026-12-05T12:00:00Z")); // a Saturday
  SweepSummary s = sweep();
  EXPECT_EQ(createdPulls().size(), 0u);
  EXPECT_EQ(s.totals["scheduled"], 6u);
  EXPECT_NE(s.stoppedBecause.find("outside the rollout windows; the next opens at "
                                  "2026-12-07T09:00Z"),
            std::string::npos)
      << s.stoppedBecause;
  EXPECT_EQ(server.requests("GET", "/repos/").size(), 0u) << "nothing is looked at without budget";

  clock->advance(std::chrono::hours(46)); // Monday 10:00
  s = sweep();
  EXPECT_EQ(createdPulls().size(), 2u);
  s = sweep();
  EXPECT_EQ(createdPulls().size(), 2u) << "the hour's budget is used";
  EXPECT_NE(s.stoppedBecause.find("prsPerHour 2 reached"), std::string::npos) << s.stoppedBecause;
  clock->advance(std::chrono::minutes(61));
  s = sweep();
  EXPECT_EQ(createdPulls().size(), 4u);
  clock->advance(std::chrono::hours(7)); // 18:01, after the window
  s = sweep();
  EXPECT_EQ(createdPulls().size(), 4u);
}

TEST_F(SweepTest, ProgressSaysWhatTheLifecycleDidAndEachWaveEndsWithTheTotals) {
  makeFleet(4, 2, 2);
  useMigration("rollout:\n  waves: [50%, 100%]\n");
  server.setCiScript([](const std::string&, const std::string&) { return "success"; });
  std::map<std::string, std::optional<LifecycleOutcome>> outcomes;
  std::vector<std::pair<int, std::map<std::string, size_t>>> waves;
  std::mutex mutex;
  SweepSummary s = sweep(false, 2, [&](SweepSettings& settings) {
    settings.progress = [&](const SweepProgress& p) {
      std::lock_guard lock(mutex);
      outcomes[p.repository] = p.outcome;
      EXPECT_GT(p.took.count(), 0) << p.repository;
    };
    settings.waveDone = [&](int wave, const std::map<std::string, size_t>& totals) {
      waves.emplace_back(wave, totals);
    };
  });
  EXPECT_EQ(s.campaignState, "done") << s.stoppedBecause;
  EXPECT_EQ(outcomes, (std::map<std::string, std::optional<LifecycleOutcome>>{
                          {"acme/repo-0", LifecycleOutcome::Opened},
                          {"acme/repo-1", LifecycleOutcome::Opened},
                          {"acme/repo-2", LifecycleOutcome::NoChanges},
                          {"acme/repo-3", LifecycleOutcome::NoChanges}}));
  ASSERT_EQ(waves.size(), 2u);
  EXPECT_EQ(waves[0].first, 1);
  EXPECT_EQ(waves[0].second.at("pending"), 2u); // the second wave's
  EXPECT_EQ(waves[1].first, 2);
  EXPECT_EQ(waves[1].second, s.totals);
}

TEST_F(SweepTest, DryRunRecordsWhatWouldHappenAndARealSweepReplans) {
  makeFleet(4, 2, 2);
  useMigration("rollout:\n  waves: [50%, 100%]\n");
  SweepSummary s = sweep(true);
  EXPECT_EQ(s.totals["open"], 2u);
  EXPECT_EQ(s.totals["no-changes"], 2u);
  for (const auto& r : server.requests())
    EXPECT_EQ(r.method, "GET") << r.path;
  auto campaign = store()->campaign(migration.name);
  ASSERT_TRUE(campaign && *campaign);
  EXPECT_TRUE((*campaign)->dryRun);

  s = sweep(false);
  campaign = store()->campaign(migration.name);
  EXPECT_FALSE((*campaign)->dryRun);
  EXPECT_GE(createdPulls().size(), 1u);
  // A real campaign refuses a dry run into the same store.
  SweepSettings settings;
  settings.lifecycle.dryRun = true;
  settings.openStore = [this] { return openStore(); };
  EXPECT_FALSE(sweepCampaign(migration, fleet, *client, settings));
}

TEST_F(SweepTest, OptedOutAndMisconfiguredRepositoriesAreReportedAndNeverTouched) {
  makeFleet(5, 1, 5);
  useMigration("");
  const std::string job = "object Job {\n  val t = \"acme-prod.core_users.user_profile_v1\"\n}\n";
  remotes[1]->commit("main", {{"src/Job.scala", job}, {".godwit.yaml", "optOut: true\n"}});
  remotes[2]->commit("main", {{"src/Job.scala", job}, {".godwit.yaml", "skip: [user-profile-v2]\n"}});
  remotes[3]->commit("main", {{"src/Job.scala", job},
                              {".godwit.yaml", "optOut: false\nreviewer: [octocat]\n"}});
  remotes[4]->commit("main", {{"src/Job.scala", job},
                              {"legacy/Old.scala", job},
                              {".godwit.yaml", "exclude: [\"legacy/**\"]\nreviewers: [octocat]\n"}});
  SweepSummary s = sweep();
  EXPECT_EQ(s.campaignState, "done") << s.stoppedBecause;
  auto st = states();
  EXPECT_EQ(st["acme/repo-0"], "open");
  EXPECT_EQ(st["acme/repo-1"], "opted-out");
  EXPECT_EQ(st["acme/repo-2"], "opted-out");
  EXPECT_EQ(st["acme/repo-3"], "invalid-config");
  EXPECT_EQ(st["acme/repo-4"], "open");
  auto rows = store()->campaignRepos(migration.name);
  for (const auto& r : *rows) {
    if (r.fullName == "acme/repo-3")
      EXPECT_EQ(r.note.rfind(".godwit.yaml:2:1: error: unknown key `reviewer`", 0), 0u) << r.note;
    if (r.fullName == "acme/repo-4")
      EXPECT_EQ(r.filesChanged, 1) << "legacy/ is excluded";
  }

  // Never touched: only reads reached the code host for them, and no branch was pushed.
  auto touched = [&](const std::string& repo) {
    size_t writes = 0;
    for (const auto& r : server.requests())
      if ((r.path == "/repos/" + repo || r.path.starts_with("/repos/" + repo + "/")) &&
          r.method != "GET")
        ++writes;
    return writes;
  };
  for (size_t i : {1, 2, 3}) {
    EXPECT_EQ(touched(fleet[i].fullName), 0u) << fleet[i].fullName;
    EXPECT_EQ(remotes[i]->tip("godwit/user-profile-v2"), "") << fleet[i].fullName;
    EXPECT_TRUE(server.pulls(fleet[i].fullName).empty()) << fleet[i].fullName;
  }
  EXPECT_GT(touched("acme/repo-0"), 0u);
  ASSERT_EQ(server.pulls("acme/repo-4").size(), 1u);
  EXPECT_EQ(server.pulls("acme/repo-4").front().requestedReviewers,
            std::vector<std::string>{"octocat"});
  EXPECT_TRUE(server.pulls("acme/repo-0").front().requestedReviewers.empty());

  // Its owners fix the file: the next sweep reads it again and takes the repository up.
  remotes[3]->commit("main", {{"src/Job.scala", job}, {".godwit.yaml", "optOut: false\n"}});
  s = sweep();
  EXPECT_EQ(states()["acme/repo-3"], "open");
  EXPECT_EQ(createdPulls(), (std::map<std::string, size_t>{
                                {"acme/repo-0", 1}, {"acme/repo-3", 1}, {"acme/repo-4", 1}}));
}

TEST_F(SweepTest, ADryRunAnalyzesAgainOnlyWhatChangedSinceTheLast) {
  makeFleet(4, 2, 2);
  useMigration("");
  SweepSummary s = sweep(true);
  EXPECT_EQ(s.analyzed, 4u);
  const auto before = states();
  s = sweep(true);
  EXPECT_EQ(s.processed, 4u);
  EXPECT_EQ(s.analyzed, 0u) << "neither a default branch nor the migration changed";
  EXPECT_EQ(states(), before);

  // A new commit on one default branch: that repository alone is analyzed again.
  remotes[3]->commit("main", {{"src/Job.scala", "val t = \"acme-prod.core_users.user_profile_v1\"\n"}});
  s = sweep(true);
  EXPECT_EQ(s.analyzed, 1u);
  EXPECT_EQ(states()["acme/repo-3"], "open");
  EXPECT_EQ(sweep(true).analyzed, 0u);

  // Another migration text: everything is analyzed again.
  SweepSettings settings;
  settings.lifecycle.cacheDir = tmp.path() / "cache";
  settings.lifecycle.dryRun = true;
  settings.lifecycle.run.jobs = 1;
  settings.clock = clock;
  settings.migrationDigest = "d2";
  settings.openStore = [this] { return openStore(); };
  auto changed = sweepCampaign(migration, fleet, *client, settings);
  ASSERT_TRUE(changed) << changed.error().str();
  EXPECT_EQ(changed->analyzed, 4u);
}

} // namespace
} // namespace godwit
