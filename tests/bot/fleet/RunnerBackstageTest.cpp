// `godwit-runner plan` and `discover` over a Backstage inventory, through the real binary and the
// catalog stand-in: pagination, the migration's entity, a bad token (exit 2, never echoed), an
// entity without a repository (a warning, the rest planned), and discover's reconciliation of the
// catalog's consumers with the code, the repositories served by the GitHub contract server.
#include "tests/bot/GitFixture.h"
#include "tests/support/BackstageCatalogServer.h"
#include "tests/support/GitHubContractServer.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <memory>
#include <tuple>
#include <vector>

namespace godwit {
namespace {

using nlohmann::json;

const std::string kToken = "catalog-token-789";

json component(const std::string& name, const std::string& repo, const std::string& lifecycle,
               bool consumer) {
  json entity = {{"apiVersion", "backstage.io/v1alpha1"},
                 {"kind", "Component"},
                 {"metadata", {{"name", name}, {"annotations", json::object()}}},
                 {"spec", {{"type", "service"}, {"lifecycle", lifecycle}, {"owner", "team-a"}}},
                 {"relations", json::array()}};
  if (!repo.empty())
    entity["metadata"]["annotations"]["github.com/project-slug"] = repo;
  if (consumer) {
    entity["spec"]["dependsOn"] = {"resource:default/user-profile"};
    entity["relations"].push_back(
        {{"type", "dependsOn"}, {"targetRef", "resource:default/user-profile"}});
  }
  return entity;
}

class RunnerBackstageTest : public ::testing::Test {
protected:
  bottest::TempDir tmp;
  test::BackstageCatalogServer catalog{kToken};

  void SetUp() override {
    std::ofstream(tmp.path() / "m.yaml")
        << "apiVersion: godwit/v1\nkind: Migration\nname: user-profile-v2\n"
           "datasets:\n  - kind: bigquery-table\n"
           "    from: acme-prod.core_users.user_profile_v1\n"
           "    to: acme-prod.core_users.user_profile_v2\n"
           "backstage:\n  entity: resource:default/user-profile\n"
           "rollout:\n  waves: [50%, 100%]\n";
    std::ofstream(tmp.path() / "token") << kToken << "\n";
    std::ofstream(tmp.path() / "bad-token") << "not-the-token-000\n";
  }
  void TearDown() override {
    EXPECT_TRUE(catalog.violations().empty()) << catalog.violations().front();
    EXPECT_TRUE(catalog.invalidEntities().empty()) << catalog.invalidEntities().front();
  }

  std::pair<int, std::string> plan(const std::string& tokenFile) {
    const std::string command = std::string(GODWIT_RUNNER_BINARY) + " plan --migration " +
                                (tmp.path() / "m.yaml").string() + " --backstage-url " +
                                catalog.url() + " --backstage-token-file " +
                                (tmp.path() / tokenFile).string() + " --format json --store " +
                                (tmp.path() / "state.db").string() + " 2>&1";
    std::string out;
    FILE* p = ::popen(command.c_str(), "r");
    std::array<char, 4096> buf{};
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0)
      out.append(buf.data(), n);
    const int st = ::pclose(p);
    return {WIFEXITED(st) ? WEXITSTATUS(st) : -1, out};
  }
};

TEST_F(RunnerBackstageTest, PlansTheCatalogsComponentsOverSeveralPages) {
  catalog.setMaxPageSize(3);
  for (int i = 0; i < 8; ++i)
    catalog.addEntity(component("svc-" + std::to_string(i), "acme/svc-" + std::to_string(i),
                                i < 4 ? "experimental" : "production", i % 2 == 0));
  catalog.addEntity(component("orphan", "", "production", true));
  auto [status, out] = plan("token");
  ASSERT_EQ(status, 0) << out;
  EXPECT_NE(out.find("warning: backstage component:default/orphan: no `github.com/project-slug`"),
            std::string::npos)
      << out;
  json doc = json::parse(out.substr(out.find('{')));
  ASSERT_EQ(doc["waves"].size(), 2u) << out;
  std::vector<std::string> first;
  for (const json& r : doc["waves"][0]["repositories"]) {
    first.push_back(r["repository"]);
    EXPECT_EQ(r["tier"], 0) << r.dump();
  }
  EXPECT_EQ(first.size(), 4u) << out;
  size_t total = first.size() + doc["waves"][1]["repositories"].size();
  EXPECT_EQ(total, 8u);
  EXPECT_GE(catalog.requests().size(), 5u); // 2 pages of consumers, 3 of components.
}

TEST_F(RunnerBackstageTest, ABadTokenExitsTwoWithoutShowingIt) {
  catalog.addEntity(component("svc", "acme/svc", "production", true));
  auto [status, out] = plan("bad-token");
  EXPECT_EQ(status, 2) << out;
  EXPECT_NE(out.find("refused the token (HTTP 401)"), std::string::npos) << out;
  EXPECT_EQ(out.find("not-the-token-000"), std::string::npos) << out;
  EXPECT_EQ(out.find(kToken), std::string::npos) << out;
}

TEST_F(RunnerBackstageTest, DiscoverListsWhereTheCatalogAndTheCodeDisagree) {
  const std::string ghToken = "ghp_backstage_discover_token";
  test::GitHubContractServer github{ghToken};
  std::vector<std::unique_ptr<bottest::BareRemote>> remotes;
  // name, catalog consumer, refers to the table in code
  const std::vector<std::tuple<std::string, bool, bool>> fleet = {{"agrees", true, true},
                                                                  {"stale-lineage", true, false},
                                                                  {"missing-lineage", false, true},
                                                                  {"unrelated", false, false},
                                                                  {"cannot-clone", true, true}};
  for (const auto& [name, consumer, refers] : fleet) {
    catalog.addEntity(component(name, "acme/" + name, "production", consumer));
    if (name == "cannot-clone") {
      github.addRepository({"acme/" + name, "main", "file:///nonexistent/cannot-clone.git"});
      continue;
    }
    auto remote = std::make_unique<bottest::BareRemote>(tmp.path() / "remotes" / (name + ".git"));
    remote->commit(
        "main", {{"Job.scala", std::string("object Job {\n  val t = \"acme-prod.") + "core_users." +
                                   (refers ? "user_profile_v1" : "orders") + "\"\n}\n"}});
    github.addRepository({"acme/" + name, "main", remote->url()});
    remotes.push_back(std::move(remote));
  }
  auto run = [&](const std::string& format) {
    const std::string command = "GITHUB_TOKEN=" + ghToken + " " + GODWIT_RUNNER_BINARY +
                                " discover --migration " + (tmp.path() / "m.yaml").string() +
                                " --backstage-url " + catalog.url() + " --backstage-token-file " +
                                (tmp.path() / "token").string() + " --api-url " + github.url() +
                                " --cache-dir " + (tmp.path() / "cache").string() + " --format " +
                                format + " 2>/dev/null";
    std::string out;
    FILE* p = ::popen(command.c_str(), "r");
    std::array<char, 4096> buf{};
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0)
      out.append(buf.data(), n);
    const int st = ::pclose(p);
    return std::make_pair(WIFEXITED(st) ? WEXITSTATUS(st) : -1, out);
  };

  auto [status, out] = run("json");
  EXPECT_EQ(status, 3) << out; // cannot-clone failed; the others are listed
  const json doc = json::parse(out);
  auto names = [&](const char* list) {
    std::vector<std::string> found;
    for (const json& r : doc["reconciliation"][list])
      found.push_back(r["repository"]);
    return found;
  };
  EXPECT_EQ(names("unreferencedConsumers"), std::vector<std::string>{"acme/stale-lineage"});
  EXPECT_EQ(names("unlistedConsumers"), std::vector<std::string>{"acme/missing-lineage"});
  EXPECT_EQ(doc["reconciliation"]["unlistedConsumers"][0]["references"], 1);
  EXPECT_EQ(names("unanalyzedConsumers"), std::vector<std::string>{"acme/cannot-clone"});

  auto [textStatus, text] = run("text");
  EXPECT_EQ(textStatus, 3);
  EXPECT_NE(text.find("catalog consumers with no reference in code (1):\n  acme/stale-lineage"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("repositories with references the catalog does not list as consumers "
                      "(1):\n  acme/missing-lineage (1 reference)"),
            std::string::npos)
      << text;
  EXPECT_TRUE(github.violations().empty()) << github.violations().front();
}

} // namespace
} // namespace godwit
