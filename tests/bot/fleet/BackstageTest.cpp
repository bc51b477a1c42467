// The Backstage inventory (bot/fleet/Backstage.h) against the catalog stand-in, which checks each
// request against the catalog's OpenAPI description and each served entity against
// catalog-model's JSON schemas.
#include "bot/fleet/Backstage.h"
#include "tests/support/BackstageCatalogServer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace godwit {
namespace {

using nlohmann::json;
using test::BackstageCatalogServer;

const std::string kToken = "bs-secret-token-123";
const std::string kDataset = "resource:default/user-profile";

json component(const std::string& name, json annotations,
               const std::string& lifecycle = "production",
               const std::vector<std::string>& dependsOn = {},
               const std::string& owner = "group:default/payments") {
  json entity = {
      {"apiVersion", "backstage.io/v1alpha1"},
      {"kind", "Component"},
      {"metadata", {{"name", name}, {"namespace", "default"}, {"annotations", annotations}}},
      {"spec", {{"type", "service"}, {"lifecycle", lifecycle}, {"owner", owner}}},
      {"relations", json::array()}};
  for (const std::string& target : dependsOn) {
    entity["spec"]["dependsOn"].push_back(target);
    entity["relations"].push_back({{"type", "dependsOn"}, {"targetRef", target}});
  }
  entity["relations"].push_back({{"type", "ownedBy"}, {"targetRef", owner}});
  return entity;
}

json slug(const std::string& s) {
  return {{"github.com/project-slug", s}};
}

json resource() {
  return {{"apiVersion", "backstage.io/v1alpha1"},
          {"kind", "Resource"},
          {"metadata", {{"name", "user-profile"}, {"namespace", "default"}}},
          {"spec", {{"type", "bigquery-table"}, {"owner", "group:default/data"}}}};
}

struct BackstageCatalogTest : ::testing::Test {
  BackstageCatalogServer catalog{kToken};
  HttpClient http;
  BackstageOptions options() {
    BackstageOptions o;
    o.baseUrl = catalog.url();
    o.token = kToken;
    return o;
  }
  BackstageSettings settings() {
    BackstageSettings s;
    s.entity = kDataset;
    return s;
  }
  void TearDown() override {
    EXPECT_TRUE(catalog.violations().empty()) << catalog.violations().front();
  }
};

const FleetRepo* find(const BackstageInventory& inventory, const std::string& name) {
  for (const FleetRepo& r : inventory.repos)
    if (r.fullName == name)
      return &r;
  return nullptr;
}

TEST_F(BackstageCatalogTest, FollowsTheCursorOverSeveralPages) {
  for (int i = 0; i < 7; ++i)
    catalog.addEntity(
        component("svc-" + std::to_string(i), slug("acme/svc-" + std::to_string(i)), "production",
                  i % 2 == 0 ? std::vector<std::string>{kDataset} : std::vector<std::string>{}));
  catalog.addEntity(resource());
  catalog.setMaxPageSize(2);
  auto inventory = loadBackstageInventory(http, options(), settings());
  ASSERT_TRUE(inventory.hasValue()) << inventory.error().str();
  EXPECT_TRUE(catalog.invalidEntities().empty()) << catalog.invalidEntities().front();
  ASSERT_EQ(inventory->repos.size(), 7u);
  for (int i = 0; i < 7; ++i) {
    const FleetRepo* repo = find(*inventory, "acme/svc-" + std::to_string(i));
    ASSERT_NE(repo, nullptr) << i;
    EXPECT_EQ(repo->catalogConsumer, i % 2 == 0) << i;
    EXPECT_EQ(repo->owner, "payments");
  }
  // 4 consumers in pages of 2, then 7 components: 2 + 4 requests, later pages by cursor alone.
  auto requests = catalog.requests();
  ASSERT_EQ(requests.size(), 6u);
  size_t byCursor = 0;
  for (const auto& r : requests) {
    EXPECT_EQ(r.authorization, "Bearer " + kToken);
    if (r.query.count("cursor")) {
      ++byCursor;
      EXPECT_EQ(r.query.count("filter"), 0u);
    }
    EXPECT_EQ(r.query.count("fields"), 1u);
  }
  EXPECT_EQ(byCursor, 4u);
}

TEST_F(BackstageCatalogTest, TheDefaultFilterAsksForTheComponentsThatDependOnTheDatasetEntity) {
  catalog.addEntity(component("orders", slug("acme/orders"), "production", {kDataset}));
  catalog.addEntity(
      component("billing", slug("acme/billing"), "production", {"resource:default/other-table"}));
  catalog.addEntity(resource());
  auto inventory = loadBackstageInventory(http, options(), settings());
  ASSERT_TRUE(inventory.hasValue()) << inventory.error().str();
  auto requests = catalog.requests();
  ASSERT_GE(requests.size(), 2u);
  auto first = requests[0].query.equal_range("filter");
  ASSERT_NE(first.first, first.second);
  EXPECT_EQ(first.first->second, "kind=component,relations.dependsOn=" + kDataset);
  EXPECT_EQ(requests[1].query.find("filter")->second, "kind=component");
  ASSERT_EQ(inventory->repos.size(), 2u);
  EXPECT_TRUE(find(*inventory, "acme/orders")->catalogConsumer);
  EXPECT_FALSE(find(*inventory, "acme/billing")->catalogConsumer);
  // The Resource itself is not a component and never becomes a repository.
  EXPECT_TRUE(inventory->problems.empty());
}

TEST_F(BackstageCatalogTest, WithoutAnEntityNothingIsAConsumerAndTheMigrationFilterSelects) {
  catalog.addEntity(component("orders", slug("acme/orders"), "production", {kDataset}));
  catalog.addEntity(component("web", slug("acme/web"), "production", {}, "group:default/web"));
  BackstageSettings s;
  s.filter = {"kind=component,spec.owner=group:default/web"};
  auto inventory = loadBackstageInventory(http, options(), s);
  ASSERT_TRUE(inventory.hasValue()) << inventory.error().str();
  ASSERT_EQ(inventory->repos.size(), 1u);
  EXPECT_EQ(inventory->repos[0].fullName, "acme/web");
  EXPECT_FALSE(inventory->repos[0].catalogConsumer);
  EXPECT_EQ(catalog.requests().size(), 1u);
}

TEST_F(BackstageCatalogTest, ProjectSlugWinsOverSourceLocation) {
  json both = slug("acme/from-slug");
  both["backstage.io/source-location"] = "url:https://github.com/acme/from-location/tree/main/";
  catalog.addEntity(component("both", both));
  catalog.addEntity(component("location", {{"backstage.io/source-location",
                                            "url:https://github.com/acme/only-location.git"}}));
  catalog.addEntity(component("deep", {{"backstage.io/source-location",
                                        "url:https://github.com/acme/mono/tree/main/svc/"}}));
  auto inventory = loadBackstageInventory(http, options(), settings());
  ASSERT_TRUE(inventory.hasValue()) << inventory.error().str();
  EXPECT_NE(find(*inventory, "acme/from-slug"), nullptr);
  EXPECT_EQ(find(*inventory, "acme/from-location"), nullptr);
  EXPECT_NE(find(*inventory, "acme/only-location"), nullptr);
  EXPECT_NE(find(*inventory, "acme/mono"), nullptr);
  EXPECT_TRUE(inventory->problems.empty());
}

TEST_F(BackstageCatalogTest, TierFromTheAnnotationElseFromTheLifecycle) {
  json tiered = slug("acme/tiered");
  tiered["godwit.dev/tier"] = "5";
  catalog.addEntity(component("tiered", tiered, "experimental"));
  catalog.addEntity(component("exp", slug("acme/exp"), "experimental"));
  catalog.addEntity(component("prod", slug("acme/prod"), "production"));
  catalog.addEntity(component("old", slug("acme/old"), "deprecated", {}, "team-x"));
  auto inventory = loadBackstageInventory(http, options(), settings());
  ASSERT_TRUE(inventory.hasValue()) << inventory.error().str();
  EXPECT_EQ(find(*inventory, "acme/tiered")->tier, 5);
  EXPECT_EQ(find(*inventory, "acme/exp")->tier, 0);
  EXPECT_EQ(find(*inventory, "acme/prod")->tier, 2);
  EXPECT_EQ(find(*inventory, "acme/old")->tier, 1);
  EXPECT_EQ(find(*inventory, "acme/old")->owner, "team-x");
}

TEST_F(BackstageCatalogTest, ComponentsOfOneRepositoryMergeAndAConsumerMarksIt) {
  catalog.addEntity(component("api", slug("acme/mono"), "production", {kDataset}));
  catalog.addEntity(component("worker", slug("Acme/Mono"), "experimental"));
  auto inventory = loadBackstageInventory(http, options(), settings());
  ASSERT_TRUE(inventory.hasValue()) << inventory.error().str();
  ASSERT_EQ(inventory->repos.size(), 1u);
  EXPECT_TRUE(inventory->repos[0].catalogConsumer);
  EXPECT_EQ(inventory->repos[0].tier, 0);
  EXPECT_EQ(inventory->repos[0].source,
            "backstage component:default/api, component:default/worker");
}

TEST_F(BackstageCatalogTest, ABadTokenIsAClearErrorThatDoesNotShowTheToken) {
  catalog.addEntity(component("orders", slug("acme/orders")));
  BackstageOptions o = options();
  o.token = "wrong-token-456";
  auto inventory = loadBackstageInventory(http, o, settings());
  ASSERT_FALSE(inventory.hasValue());
  std::string text = inventory.error().str();
  EXPECT_NE(text.find("refused the token (HTTP 401)"), std::string::npos) << text;
  EXPECT_NE(text.find("--backstage-token-file"), std::string::npos) << text;
  EXPECT_EQ(text.find("wrong-token-456"), std::string::npos) << text;
}

TEST_F(BackstageCatalogTest, AMalformedEntityIsReportedAndTheOthersStillListed) {
  catalog.addEntity(component("good", slug("acme/good"), "production", {kDataset}));
  catalog.addEntity(component("no-repo", json::object(), "production", {kDataset}));
  catalog.addEntity(component("bad-slug", slug("not a slug")));
  json badTier = slug("acme/bad-tier");
  badTier["godwit.dev/tier"] = "high";
  catalog.addEntity(component("bad-tier", badTier));
  json broken = component("broken", slug("acme/broken"));
  broken["spec"].erase("owner");
  broken["metadata"]["name"] = "";
  catalog.addEntity(broken);
  auto inventory = loadBackstageInventory(http, options(), settings());
  ASSERT_TRUE(inventory.hasValue()) << inventory.error().str();
  ASSERT_EQ(inventory->repos.size(), 1u);
  EXPECT_EQ(inventory->repos[0].fullName, "acme/good");
  ASSERT_EQ(inventory->problems.size(), 4u);
  std::map<std::string, std::string> byEntity;
  for (const auto& p : inventory->problems)
    byEntity[p.entity] = p.message;
  EXPECT_NE(byEntity["component:default/no-repo"].find("no `github.com/project-slug`"),
            std::string::npos);
  EXPECT_NE(byEntity["component:default/bad-slug"].find("not `owner/name`"), std::string::npos);
  EXPECT_NE(byEntity["component:default/bad-tier"].find("not a non-negative integer"),
            std::string::npos);
  EXPECT_NE(byEntity["entity #1 of the components"].find("no `kind` or `metadata.name`"),
            std::string::npos)
      << inventory->problems.back().entity;
  // catalog-model's schemas reject the broken entity, and only it.
  auto invalid = catalog.invalidEntities();
  ASSERT_FALSE(invalid.empty());
  for (const std::string& problem : invalid)
    EXPECT_EQ(problem.rfind("component:default/:", 0), 0u) << problem;
}

TEST(BackstageSchemas, CatalogModelSchemasAcceptValidEntitiesAndRejectBrokenOnes) {
  const auto& schemas = BackstageCatalogServer::entitySchemas();
  EXPECT_TRUE(schemas.validate("ComponentV1alpha1", component("a", slug("acme/a"))).empty());
  EXPECT_TRUE(schemas.validate("ResourceV1alpha1", resource()).empty());
  json noSpec = component("a", slug("acme/a"));
  noSpec["spec"].erase("lifecycle");
  auto problems = schemas.validate("ComponentV1alpha1", noSpec);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0], "$.spec: required field 'lifecycle' is missing");
  json extra = resource();
  extra["colour"] = "blue";
  EXPECT_FALSE(schemas.validate("ResourceV1alpha1", extra).empty());
  json badRelation = resource();
  badRelation["relations"] = json::array({{{"type", "depends on"}, {"targetRef", "x"}}});
  EXPECT_FALSE(schemas.validate("ResourceV1alpha1", badRelation).empty());
}

TEST(BackstageToken, ReadsTheFileAndNamesItWhenEmpty) {
  auto dir = std::filesystem::temp_directory_path() / ("godwit-bs-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "token") << "  abc\n";
  std::ofstream(dir / "empty") << "\n";
  auto token = readBackstageToken((dir / "token").string());
  ASSERT_TRUE(token.hasValue());
  EXPECT_EQ(*token, "abc");
  auto empty = readBackstageToken((dir / "empty").string());
  ASSERT_FALSE(empty.hasValue());
  EXPECT_EQ(empty.error().file, (dir / "empty").string());
  EXPECT_FALSE(readBackstageToken((dir / "missing").string()).hasValue());
  std::filesystem::remove_all(dir);
}

} // namespace
} // namespace godwit
