// `godwit-runner plan` over a Backstage inventory, through the real binary and the catalog
// stand-in: pagination, the migration's entity, a bad token (exit 2, never echoed) and an entity
// without a repository (a warning, the rest planned).
#include "tests/bot/GitFixture.h"
#include "tests/support/BackstageCatalogServer.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>

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

} // namespace
} // namespace godwit
