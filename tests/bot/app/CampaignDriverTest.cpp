// The App driving its campaigns: a pass sweeps every active migration over the inventory (the
// real sweep and GitHub client against the REST contract server, local bare repositories, a
// SQLite store); a migration that becomes active starts its campaign; passes repeat without a
// second pull request.

#include "bot/app/CampaignDriver.h"

#include "bot/fleet/Campaign.h"
#include "bot/fleet/Inventory.h"
#include "bot/github/GitHubClient.h"
#include "bot/store/SqliteStore.h"
#include "tests/bot/GitFixture.h"
#include "tests/support/GitHubContractServer.h"

#include <gtest/gtest.h>

#include <mutex>
#include <thread>

namespace godwit {
namespace {

using bottest::BareRemote;
using bottest::TempDir;

const std::string kToken = "ghp_contract_test_token";

const char* kMigrationYaml = R"(apiVersion: godwit/v1
kind: Migration
name: user-profile-v2
description: Move consumers to user_profile_v2
datasets:
  - kind: bigquery-table
    from: acme-prod.core_users.user_profile_v1
    to:   acme-prod.core_users.user_profile_v2
)";

class CampaignDriverTest : public ::testing::Test {
protected:
  TempDir tmp;
  BareRemote uses{tmp.path() / "remotes" / "acme" / "uses-it.git"};
  BareRemote clean{tmp.path() / "remotes" / "acme" / "clean.git"};
  test::GitHubContractServer server{kToken};
  std::shared_ptr<GitHubClient> client;
  std::vector<ActiveMigration> active;
  std::mutex logMutex;
  std::vector<std::string> logs;

  void SetUp() override {
    uses.commit("main", {{"src/Job.scala", "object Job { val t = "
                                           "\"acme-prod.core_users.user_profile_v1\" }\n"}});
    clean.commit("main", {{"README.md", "# nothing to migrate\n"}});
    server.addRepository({"acme/uses-it", "main", uses.url()});
    server.addRepository({"acme/clean", "main", clean.url()});
    CodeHostConfig config;
    config.apiUrl = server.url();
    config.token = kToken;
    auto created = GitHubClient::create(config);
    ASSERT_TRUE(created) << created.error().str();
    client = std::move(*created);
  }

  void TearDown() override {
    auto violations = server.violations();
    EXPECT_TRUE(violations.empty()) << violations.front();
  }

  void activate() {
    auto parsed = parseMigration(kMigrationYaml, "user-profile-v2.yaml");
    ASSERT_TRUE(parsed) << parsed.error().str();
    std::lock_guard lock(logMutex);
    active.push_back({*parsed, migrationDigest(kMigrationYaml)});
  }

  Expected<std::unique_ptr<Store>> open() {
    auto s = SqliteStore::open(tmp.path() / "godwit.db");
    if (!s)
      return s.error();
    return std::unique_ptr<Store>(std::move(*s));
  }

  CampaignDriverOptions options() {
    CampaignDriverOptions o;
    o.every = std::chrono::seconds(3600);
    o.migrations = [this] {
      std::lock_guard lock(logMutex);
      return active;
    };
    o.inventory = [this] { return githubOrgInventory(*client, "acme"); };
    o.host = [this]() -> Expected<std::shared_ptr<CodeHost>> {
      return std::shared_ptr<CodeHost>(client);
    };
    o.sweep.lifecycle.cacheDir = tmp.path() / "cache";
    o.sweep.lifecycle.run.jobs = 1;
    o.sweep.jobs = 1;
    o.sweep.openStore = [this] { return open(); };
    o.log = [this](const std::string& line) {
      std::lock_guard lock(logMutex);
      logs.push_back(line);
    };
    return o;
  }
};

TEST_F(CampaignDriverTest, WithoutAnActiveMigrationAPassAsksNothing) {
  ASSERT_TRUE(driveCampaigns(options()));
  EXPECT_TRUE(server.requests().empty());
}

TEST_F(CampaignDriverTest, AnActiveMigrationStartsItsCampaignAndPassesRepeatSafely) {
  activate();
  auto first = driveCampaigns(options());
  ASSERT_TRUE(first) << first.error().str();
  auto store = open();
  ASSERT_TRUE(store);
  auto campaign = (*store)->campaign("user-profile-v2");
  ASSERT_TRUE(campaign && *campaign) << "planned on the first pass";
  EXPECT_FALSE((*campaign)->dryRun);
  auto rows = (*store)->campaignRepos("user-profile-v2");
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 2u);
  for (const CampaignRepoRecord& r : *rows)
    EXPECT_EQ(r.state, r.fullName == "acme/uses-it" ? "open" : "no-changes") << r.fullName;
  ASSERT_EQ(server.pulls("acme/uses-it").size(), 1u);
  EXPECT_TRUE(server.pulls("acme/clean").empty());

  auto second = driveCampaigns(options());
  ASSERT_TRUE(second) << second.error().str();
  EXPECT_EQ(server.pulls("acme/uses-it").size(), 1u) << "a second pass opens nothing again";
  std::lock_guard lock(logMutex);
  ASSERT_FALSE(logs.empty());
  EXPECT_NE(logs.front().find("campaign user-profile-v2: "), std::string::npos) << logs.front();
}

TEST_F(CampaignDriverTest, AWakeAfterTheRegistryChangedStartsAPassAtOnce) {
  CampaignDriver driver(options());
  driver.start();
  // Guards against a hang, not timing assertions.
  for (int i = 0; i < 500 && driver.passes() < 1; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  ASSERT_EQ(driver.passes(), 1);
  EXPECT_TRUE(server.pulls("acme/uses-it").empty());
  activate();
  driver.wake();
  for (int i = 0; i < 3000 && driver.passes() < 2; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  driver.stop();
  EXPECT_EQ(driver.passes(), 2) << "woken long before its hour";
  EXPECT_EQ(server.pulls("acme/uses-it").size(), 1u);
}

TEST_F(CampaignDriverTest, AnInventoryThatFailsIsAnErrorAndSweepsNothing) {
  activate();
  CampaignDriverOptions o = options();
  o.inventory = []() -> Expected<std::vector<FleetRepo>> {
    return makeError("GitHub API GET /orgs/acme/repos: 502");
  };
  auto r = driveCampaigns(o);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("502"), std::string::npos);
  EXPECT_TRUE(server.pulls("acme/uses-it").empty());
}

} // namespace
} // namespace godwit
