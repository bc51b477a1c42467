#pragma once
// The fleet tests' world: bare repositories as file:// remotes, the GitHub contract server (every
// request checked against @octokit/openapi), an SQLite store and an injected campaign clock.
#include "bot/fleet/Sweep.h"

#include "bot/RepoConfig.h"

#include "bot/fleet/Campaign.h"
#include "bot/github/Auth.h"
#include "bot/github/GitHubClient.h"
#include "bot/store/SqliteStore.h"
#include "tests/bot/GitFixture.h"
#include "tests/support/FakeClock.h"
#include "tests/support/GitHubContractServer.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <functional>

#include <map>
#include <set>

namespace godwit::fleettest {

using bottest::BareRemote;
using bottest::TempDir;

inline const std::string kToken = "ghp_contract_test_token";

inline std::string migrationYaml(const std::string& rollout) {
  return "apiVersion: godwit/v1\nkind: Migration\nname: user-profile-v2\n"
         "datasets:\n  - kind: bigquery-table\n"
         "    from: acme-prod.core_users.user_profile_v1\n"
         "    to: acme-prod.core_users.user_profile_v2\n"
         "pullRequest:\n  labels: [godwit]\n" +
         rollout;
}

inline WallClock::time_point at(const char* iso) {
  return *parseIsoUtc(iso);
}

/// What a command printed (stdout and stderr together) and its exit status.
struct Ran {
  int status = -1;
  std::string out;
};

/// Runs a shell command and waits for it; its stderr goes with its stdout unless the command
/// redirects it.
inline Ran runCommand(const std::string& command) {
  Ran r;
  FILE* p = ::popen(("exec 2>&1; " + command).c_str(), "r");
  if (!p)
    return r;
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0)
    r.out.append(buf.data(), n);
  const int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

class FleetTest : public ::testing::Test {
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

  /// The fleet as a fleet file (`fleet.yaml` in the test's folder), for the runner binary.
  std::filesystem::path writeFleetFile() {
    const auto path = tmp.path() / "fleet.yaml";
    std::ofstream f(path);
    f << "apiVersion: godwit/v1\nkind: Fleet\nrepositories:\n";
    for (const FleetRepo& r : fleet)
      f << "  - repo: " << r.fullName << "\n    owner: " << r.owner << "\n";
    return path;
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

  /// A sweep as the runner makes one; `adjust` may change its settings first.
  SweepSummary sweep(bool dryRun = false, unsigned jobs = 2,
                     const std::function<void(SweepSettings&)>& adjust = {}) {
    SweepSettings settings;
    settings.lifecycle.cacheDir = tmp.path() / "cache";
    settings.lifecycle.dryRun = dryRun;
    settings.lifecycle.run.jobs = 1;
    settings.lifecycle.prepare = repoConfigHook(migration.name);
    settings.jobs = jobs;
    settings.clock = clock;
    settings.migrationDigest = "d1";
    settings.openStore = [this] { return openStore(); };
    if (adjust)
      adjust(settings);
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

} // namespace godwit::fleettest
