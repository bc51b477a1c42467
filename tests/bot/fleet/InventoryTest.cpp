// Inventories from the GitHub contract server (every request checked against @octokit/openapi):
// organization and installation listings over several pages, archived repositories left out, and
// the merge that makes a renamed repository one entry.
#include "bot/fleet/Inventory.h"

#include "tests/bot/fleet/FleetFixture.h"
#include "tests/support/TestKeys.h"

#include <set>

namespace godwit {
namespace {

std::set<std::string> names(const std::vector<FleetRepo>& repos) {
  std::set<std::string> out;
  for (const FleetRepo& r : repos)
    out.insert(r.fullName);
  return out;
}

class InventoryTest : public fleettest::FleetTest {};

TEST_F(InventoryTest, AnOrganizationListsEveryPageButNotItsArchivedRepositories) {
  for (int i = 0; i < 7; ++i)
    server.addRepository({"acme/repo-" + std::to_string(i), "main",
                          "file:///srv/repo-" + std::to_string(i) + ".git", /*archived=*/i % 3 == 2});
  server.addRepository({"other/elsewhere", "main", "file:///srv/elsewhere.git"});
  server.setMaxPageSize(2);

  auto listed = githubOrgInventory(*client, "acme");
  ASSERT_TRUE(listed) << listed.error().str();
  EXPECT_EQ(names(*listed), (std::set<std::string>{"acme/repo-0", "acme/repo-1", "acme/repo-3",
                                                   "acme/repo-4", "acme/repo-6"}));
  for (const FleetRepo& r : *listed) {
    EXPECT_GT(r.id, 0) << r.fullName;
    EXPECT_EQ(r.defaultBranch, "main");
    EXPECT_EQ(r.cloneUrl, "file:///srv/" + r.fullName.substr(5) + ".git");
    EXPECT_EQ(r.source, "--github-org acme");
  }
  // Seven repositories at two per page: four pages, each asked once.
  EXPECT_EQ(server.requests("GET", "/orgs/acme/repos").size(), 4u);
}

TEST_F(InventoryTest, AnUnknownOrganizationIsAnErrorNamingTheFlag) {
  auto listed = githubOrgInventory(*client, "nobody");
  ASSERT_FALSE(listed);
  EXPECT_NE(listed.error().message.find("--github-org nobody: "), std::string::npos)
      << listed.error().message;
  EXPECT_NE(listed.error().message.find("404"), std::string::npos) << listed.error().message;
}

TEST_F(InventoryTest, TheInstallationNeedsTheAppAndListsItsRepositories) {
  auto withToken = githubInstallationInventory(*client);
  ASSERT_FALSE(withToken);
  EXPECT_NE(withToken.error().hint.find("--app-id"), std::string::npos);
  EXPECT_TRUE(server.requests().empty()); // refused before any request

  const test::TestKeyPair keys = test::makeTestKeyPair();
  const std::string& privatePem = keys.privatePem;
  const std::string& publicPem = keys.publicPem;
  server.enableApp("4242", publicPem, "77");
  for (int i = 0; i < 5; ++i)
    server.addRepository({"acme/app-" + std::to_string(i), "main", "", /*archived=*/i == 4});
  server.addRepository({"acme/not-installed", "main", ""});
  server.setInstallationRepositories(
      {"acme/app-0", "acme/app-1", "acme/app-2", "acme/app-3", "acme/app-4"});
  server.setMaxPageSize(2);

  CodeHostConfig config;
  config.apiUrl = server.url();
  config.appId = "4242";
  config.privateKeyPem = privatePem;
  config.installationId = "77";
  GitHubClientOptions options;
  options.clock = clientClock;
  auto app = GitHubClient::create(config, options);
  ASSERT_TRUE(app) << app.error().str();
  auto listed = githubInstallationInventory(**app);
  ASSERT_TRUE(listed) << listed.error().str();
  EXPECT_EQ(names(*listed),
            (std::set<std::string>{"acme/app-0", "acme/app-1", "acme/app-2", "acme/app-3"}));
  EXPECT_EQ(server.requests("GET", "/installation/repositories").size(), 3u);
  EXPECT_EQ(listed->front().source, "--github-installation");
}

TEST_F(InventoryTest, ARenamedRepositoryListedByItsOldNameIsOneEntry) {
  server.addRepository({"acme/billing", "main", "file:///srv/billing.git"});
  const int64_t id = server.addRepository({"acme/profile-old", "trunk", "file:///srv/p.git"});
  server.renameRepository("acme/profile-old", "acme/profile");

  FleetRepo fromFile;
  fromFile.fullName = "acme/profile-old";
  fromFile.owner = "team-profile";
  fromFile.tier = 2;
  fromFile.labels = {"pii"};
  fromFile.source = "fleet.yaml:4:5";
  FleetRepo unknown;
  unknown.fullName = "acme/deleted";
  unknown.source = "fleet.yaml:9:5";
  std::vector<FleetRepo> listedByFile = {fromFile, unknown};
  const std::vector<Error> errors = resolveOnCodeHost(listedByFile, *client);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message.rfind("fleet.yaml:9:5: no access to acme/deleted", 0), 0u)
      << errors[0].message;
  EXPECT_EQ(listedByFile[0].id, id);
  EXPECT_EQ(listedByFile[0].fullName, "acme/profile");
  EXPECT_EQ(listedByFile[0].defaultBranch, "trunk");

  auto org = githubOrgInventory(*client, "acme");
  ASSERT_TRUE(org) << org.error().str();
  ASSERT_EQ(org->size(), 2u);
  FleetRepo orgBilling;
  for (const FleetRepo& r : *org)
    if (r.fullName == "acme/billing")
      orgBilling = r;
  FleetRepo billingByName; // a second source naming it in another case, before any lookup
  billingByName.fullName = "ACME/Billing";
  billingByName.owner = "team-billing";

  const std::vector<FleetRepo> merged = mergeInventory({listedByFile, *org, {billingByName}});
  ASSERT_EQ(merged.size(), 3u) << merged.size();
  EXPECT_EQ(merged[0].fullName, "acme/profile");
  EXPECT_EQ(merged[0].id, id);
  EXPECT_EQ(merged[0].owner, "team-profile"); // the first listing keeps its owner and tier
  EXPECT_EQ(merged[0].tier, 2);
  EXPECT_EQ(merged[0].labels, std::vector<std::string>{"pii"});
  EXPECT_EQ(merged[0].source, "fleet.yaml:4:5");
  EXPECT_EQ(merged[1].fullName, "acme/deleted");
  EXPECT_EQ(merged[1].id, 0);
  EXPECT_EQ(merged[2].fullName, "acme/billing");
  EXPECT_EQ(merged[2].id, orgBilling.id);
  EXPECT_EQ(merged[2].owner, "team-billing"); // filled from the later listing
}

TEST_F(InventoryTest, TwoListingsOfTheSameIdAreOneEntryWhateverTheirNames) {
  FleetRepo a;
  a.id = 7;
  a.fullName = "acme/new-name";
  FleetRepo b;
  b.id = 7;
  b.fullName = "acme/old-name";
  b.owner = "team-x";
  b.labels = {"a", "b"};
  FleetRepo c;
  c.id = 8;
  c.fullName = "acme/new-name"; // another repository took the name over
  const auto merged = mergeInventory({{a}, {b, c}});
  ASSERT_EQ(merged.size(), 2u);
  EXPECT_EQ(merged[0].fullName, "acme/new-name");
  EXPECT_EQ(merged[0].owner, "team-x");
  EXPECT_EQ(merged[0].labels, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(merged[1].id, 8);
}

} // namespace
} // namespace godwit
