// `godwit-runner discover` on the real binary: an organization of 50 local bare repositories
// (file:// remotes) listed by the contract server over several pages finds exactly the expected
// consumers, in every output format; a repository that cannot be cloned is reported, exit 3.
#include "tests/bot/fleet/FleetFixture.h"
#include "tests/bot/fleet/MetricsText.h"

#include <nlohmann/json.hpp>

#include <fstream>

namespace godwit {
namespace {

using fleettest::Ran;

class DiscoverBinaryTest : public fleettest::FleetTest {
protected:
  void SetUp() override {
    FleetTest::SetUp();
    std::ofstream(tmp.path() / "m.yaml") << fleettest::migrationYaml("");
  }
  /// An organization `acme` of `n` repositories; those whose index is 3 modulo 7 refer to the
  /// migrated table, one of them also through a string godwit cannot resolve (attention).
  std::vector<std::string> makeOrganization(size_t n) {
    std::vector<std::string> consumers;
    for (size_t i = 0; i < n; ++i) {
      const std::string name = "acme/service-" + std::to_string(100 + i);
      auto remote =
          std::make_unique<bottest::BareRemote>(tmp.path() / "remotes" / (name + ".git"));
      std::map<std::string, std::string> files = {{"README.md", "service " + name + "\n"}};
      if (i % 7 == 3) {
        files["src/Job.scala"] =
            "object Job {\n  val t = \"acme-prod.core_users.user_profile_v1\"\n}\n";
        consumers.push_back(name);
      } else {
        files["src/Job.scala"] = "object Job {\n  val t = \"acme-prod.core_users.orders\"\n}\n";
      }
      if (i == 10)
        files["src/Dyn.scala"] =
            "object Dyn {\n  def t(env: String) = s\"acme-prod.core_users.user_profile_v1$env\"\n}\n";
      remote->commit("main", files);
      server.addRepository({name, "main", remote->url()});
      remotes.push_back(std::move(remote));
    }
    server.addRepository({"acme/retired", "main", "file:///nonexistent/retired.git", true});
    server.addRepository({"other/elsewhere", "main", "file:///nonexistent/elsewhere.git"});
    server.setMaxPageSize(20);
    return consumers;
  }
  Ran discover(const std::string& args) {
    return fleettest::runCommand(
        "GITHUB_TOKEN=" + fleettest::kToken + " " + GODWIT_RUNNER_BINARY + " discover --migration " +
        (tmp.path() / "m.yaml").string() + " --github-org acme --api-url " + server.url() +
        " --cache-dir " + (tmp.path() / "cache").string() + " --jobs 2 " + args);
  }
};

TEST_F(DiscoverBinaryTest, FiftyRepositoriesOfAnOrganizationOverThreePages) {
  const std::vector<std::string> expected = makeOrganization(50);
  ASSERT_EQ(expected.size(), 7u);

  Ran r = discover("--format json 2>/dev/null");
  ASSERT_EQ(r.status, 0) << r.out;
  const auto doc = nlohmann::json::parse(r.out);
  std::vector<std::string> consumers;
  for (const auto& repo : doc["repositories"])
    if (repo["outcome"] == "consumer")
      consumers.push_back(repo["repository"]);
  EXPECT_EQ(consumers, expected);
  EXPECT_EQ(doc["totals"]["repositories"], 50); // the archived one is not listed
  EXPECT_EQ(doc["totals"]["consumers"], 7);
  EXPECT_EQ(doc["totals"]["notConsumers"], 43);
  EXPECT_EQ(doc["totals"]["failed"], 0);
  EXPECT_EQ(doc["totals"]["rewrites"], 7);
  EXPECT_EQ(doc["totals"]["attention"], 1);
  for (const auto& repo : doc["repositories"])
    if (repo["repository"] == "acme/service-110") {
      EXPECT_EQ(repo["outcome"], "consumer");
      EXPECT_EQ(repo["files"], 2);
      ASSERT_EQ(repo["attentionItems"].size(), 1u);
      EXPECT_EQ(repo["attentionItems"][0].get<std::string>().rfind("src/Dyn.scala:2:", 0), 0u);
    }
  // 51 repositories of acme at 20 a page: three pages, the org listed once per run.
  EXPECT_EQ(server.requests("GET", "/orgs/acme/repos").size(), 3u);
  // Listed with their clone URLs: no repository is looked up one by one.
  EXPECT_TRUE(server.requests("GET", "/repos/").empty());

  // Warm caches, every format. A pipe gets one plain progress line per repository.
  r = discover("--format text");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("user-profile-v2: 7 consumers of 50 repositories"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("godwit-runner: 50/50 "), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("\r"), std::string::npos);
  EXPECT_NE(r.out.find("total: 50 repositories: 7 consumers, 43 not consumers; 8 files, "
                       "7 rewrites, 1 attention"),
            std::string::npos)
      << r.out;
  r = discover("--format csv 2>/dev/null");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(r.out.substr(0, r.out.find('\n') + 1),
            "repository,owner,tier,files,rewrites,attention\r\n");
  EXPECT_NE(r.out.find("acme/service-110,,0,2,1,1\r\n"), std::string::npos) << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 8);
  r = discover("--format md 2>/dev/null");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("| acme/service-103 | - | 0 | 1 | 1 | 0 |"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("## Attention"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find(fleettest::kToken), std::string::npos);
}

TEST_F(DiscoverBinaryTest, ARepositoryThatCannotBeClonedIsReportedAndTheRestGoesOn) {
  makeOrganization(5);
  server.addRepository({"acme/gone", "main", "file://" + (tmp.path() / "gone.git").string()});
  const auto metricsFile = tmp.path() / "godwit.prom";
  Ran r = discover("--format text --metrics-file " + metricsFile.string());
  EXPECT_EQ(r.status, 3) << r.out;
  EXPECT_NE(r.out.find("failed: acme/gone: cannot fetch"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("acme/service-103"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("4 not consumers"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1 failed"), std::string::npos) << r.out;

  // The metrics file says the same, and counts the listing's requests.
  std::ifstream in(metricsFile);
  auto m = fleettest::MetricsText::parse(
      std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()));
  ASSERT_TRUE(m) << m.error().str();
  EXPECT_TRUE(m->problems().empty()) << m->problems().front();
  EXPECT_EQ(m->value("godwit_discovered_repositories", {{"outcome", "consumer"}}), 1);
  EXPECT_EQ(m->value("godwit_discovered_repositories", {{"outcome", "not-consumer"}}), 4);
  EXPECT_EQ(m->value("godwit_discovered_repositories", {{"outcome", "failed"}}), 1);
  EXPECT_EQ(m->value("godwit_discovered_repositories", {{"campaign", "user-profile-v2"}, {"outcome", "archived"}}), 0);
  EXPECT_EQ(m->sum("godwit_code_host_requests_total"),
            static_cast<double>(server.requests().size()));
  EXPECT_EQ(m->value("godwit_code_host_requests_total", {{"status", "200"}}),
            static_cast<double>(server.requests().size()));
  EXPECT_EQ(m->value("godwit_repository_duration_seconds_count", {}), 6);
}

TEST_F(DiscoverBinaryTest, BadInvocationsExitTwo) {
  Ran r = discover("--format xml");
  EXPECT_EQ(r.status, 2) << r.out;
  r = fleettest::runCommand(std::string(GODWIT_RUNNER_BINARY) + " discover --migration " +
                            (tmp.path() / "m.yaml").string());
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("the inventory is empty"), std::string::npos) << r.out;
  r = discover("--github-org nobody");
  EXPECT_EQ(r.status, 2) << r.out;
}

} // namespace
} // namespace godwit
