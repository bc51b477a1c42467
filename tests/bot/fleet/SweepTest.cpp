// The sweep over real parts: bare repositories as file:// remotes, the GitHub contract server
// (every request checked against @octokit/openapi), an SQLite store, and an injected clock.
#include "bot/fleet/Sweep.h"

#include "bot/fleet/Campaign.h"
#include "bot/github/Auth.h"
#include "bot/github/GitHubClient.h"
#include "bot/store/SqliteStore.h"
#include "tests/bot/GitFixture.h"
#include "tests/support/FakeClock.h"
#include "tests/support/GitHubContractServer.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace godwit {
namespace {

using bottest::BareRemote;
using bottest::TempDir;

const std::string kToken = "ghp_contract_test_token";

std::string migrationYaml(const std::string& rollout) {
  return "apiVersion: godwit/v1\nkind: Migration\nname: user-profile-v2\n"
         "datasets:\n  - kind: bigquery-table\n"
         "    from: acme-prod.core_users.user_profile_v1\n"
         "    to: acme-prod.core_users.user_profile_v2\n"
         "pullRequest:\n  labels: [godwit]\n" +
         rollout;
}

WallClock::time_point at(const char* iso) {
  return *parseIsoUtc(iso);
}

class SweepTest : public ::testing::Test {
protected:
  TempDir tmp;
  test::GitHubContractServer server{kToken};
  std::shared_ptr<test::FakeClock> clientClock = std::make_shared<test::FakeClock>();
  std::shared_ptr<test::FakeClock> clock =
      std::make_shared<test::FakeClock>(at("2026-12-07T10:00:00Z")); // a Monday
  std::unique_ptr<GitHubClient> client;
  std::vector<std::unique_ptr<BareRemote>> remotes;
  std::vector<FleetRepo> fleet;
  Migration migration;

  void SetUp() override {
    CodeHostConfig config;
    config.apiUrl = server.url();
    config.token = kToken;
    GitHubClientOptions options;
    options.clock = clientClock;
    auto created = GitHubClient::create(config, options);
    ASSERT_TRUE(created) << created.error().str();
    client = std::move(*created);
  }
  void TearDown() override {
    const auto violations = server.violations();
    EXPECT_TRUE(violations.empty()) << violations.front();
  }

  /// `n` repositories `acme/repo-i`, owned by `owners` teams in turn; `consumers` of them refer
  /// to the migrated table.
  void makeFleet(size_t n, size_t owners, size_t consumers) {
    for (size_t i = 0; i < n; ++i) {
      const std::string name = "acme/repo-" + std::to_string(i);
      auto remote = std::make_unique<BareRemote>(tmp.path() / "remotes" / (name + ".git"));
      const std::string table = i < consumers ? "acme-prod.core_users.user_profile_v1" : "other";
      remote->commit("main", {{"src/Job.scala", "object Job {\n  val t = \"" + table + "\"\n}\n"}});
      server.addRepository({name, "main", remote->url()});
      remotes.push_back(std::move(remote));
      FleetRepo r;
      r.fullName = name;
      r.owner = "team-" + std::to_string(i % owners);
      fleet.push_back(r);
    }
  }

  void useMigration(const std::string& rollout) {
    auto parsed = parseMigration(migrationYaml(rollout), "m.yaml");
    ASSERT_TRUE(parsed) << parsed.error().str();
    migration = *parsed;
  }

  Expected<std::unique_ptr<Store>> openStore() {
    auto s = SqliteStore::open(tmp.path() / "state.db");
    if (!s)
      return s.error();
    return std::unique_ptr<Store>(std::move(*s));
  }

  SweepSummary sweep(bool dryRun = false, unsigned jobs = 2) {
    SweepSettings settings;
    settings.lifecycle.cacheDir = tmp.path() / "cache";
    settings.lifecycle.dryRun = dryRun;
    settings.lifecycle.run.jobs = 1;
    settings.jobs = jobs;
    settings.clock = clock;
    settings.migrationDigest = "d1";
    settings.openStore = [this] { return openStore(); };
    auto summary = sweepCampaign(migration, fleet, *client, settings);
    EXPECT_TRUE(summary) << summary.error().str();
    return summary ? *summary : SweepSummary{};
  }

  std::unique_ptr<Store> store() {
    auto s = openStore();
    EXPECT_TRUE(s) << s.error().str();
    return std::move(*s);
  }

  /// Pull requests the bot created, by repository, from the requests the server recorded.
  std::map<std::string, size_t> createdPulls() {
    std::map<std::string, size_t> out;
    for (const auto& r : server.requests("POST", "/pulls"))
      if (r.path.ends_with("/pulls"))
        ++out[r.path.substr(7, r.path.size() - 7 - 6)];
    return out;
  }
  size_t openPulls(const std::string& ownerTeam = "") {
    size_t n = 0;
    for (size_t i = 0; i < fleet.size(); ++i)
      if (ownerTeam.empty() || fleet[i].owner == ownerTeam)
        for (const auto& p : server.pulls(fleet[i].fullName))
          n += p.state == "open" ? 1 : 0;
    return n;
  }
  std::map<std::string, std::string> states() {
    std::map<std::string, std::string> out;
    auto repos = store()->campaignRepos(migration.name);
    for (const auto& r : *repos)
      out[r.fullName] = r.state;
    return out;
  }
};

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

} // namespace
} // namespace godwit
