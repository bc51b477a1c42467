// The App's status page end to end: a campaign made in a real SQLite store by the fleet's own
// functions (planned from a migration file, repositories moved through their states, paused by a
// gate, its events logged), served by the real AppServer on loopback and read as HTML, as JSON
// and as headless Chromium draws it.
#include "bot/app/AppServer.h"

#include "bot/fleet/Campaign.h"
#include "bot/fleet/Limits.h"
#include "bot/github/Auth.h"
#include "bot/store/SqliteStore.h"
#include "tests/bot/GitFixture.h"
#include "tests/bot/app/RawHttp.h"
#include "tests/bot/fleet/MetricsText.h"
#include "tests/bot/report/Screenshot.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>
#include <mutex>

namespace godwit {
namespace {

using apptest::RawResponse;
using apptest::request;
using json = nlohmann::json;

const std::string kName = "user-profile-v2";

WallClock::time_point hour(int h) {
  return *parseIsoUtc("2026-12-07T" + std::string(h < 10 ? "0" : "") + std::to_string(h) +
                      ":00:00Z");
}

class StatusPageTest : public ::testing::Test {
protected:
  void SetUp() override {
    migrationFile = tmp.path() / "user-profile-v2.yaml";
    std::ofstream(migrationFile) << "apiVersion: godwit/v1\nkind: Migration\nname: " << kName
                                 << "\ndescription: Move readers to user_profile_v2\n"
                                    "datasets:\n  - kind: bigquery-table\n"
                                    "    from: acme-prod.core_users.user_profile_v1\n"
                                    "    to: acme-prod.core_users.user_profile_v2\n"
                                    "rollout:\n  waves: [2, 100%]\n  deadline: 2027-01-15\n";
    auto migration = loadMigration(migrationFile.string());
    ASSERT_TRUE(migration) << migration.error().str();
    auto opened = SqliteStore::open(tmp.path() / "state.db");
    ASSERT_TRUE(opened) << opened.error().str();
    store = std::move(*opened);

    std::vector<FleetRepo> inventory;
    for (const auto& [name, owner] :
         std::vector<std::pair<std::string, std::string>>{{"acme/a", "team-core"},
                                                          {"acme/b", "team-<web>"},
                                                          {"acme/c", "team-core"},
                                                          {"acme/d", "team-data"}}) {
      FleetRepo r;
      r.fullName = name;
      r.owner = owner;
      inventory.push_back(r);
    }
    // Plans two waves of two and logs `campaign.plan`, the burndown's first point.
    ASSERT_TRUE(ensureCampaign(*store, *migration, "d1", inventory, false, hour(10)));
    ASSERT_TRUE(store->saveWave({kName, 1, "gated", isoMillis(hour(10)), isoMillis(hour(14)), ""}));
    auto repos = store->campaignRepos(kName);
    ASSERT_TRUE(repos);
    ASSERT_EQ(repos->size(), 4u);
    int h = 11;
    for (CampaignRepoRecord r : *repos) {
      if (r.fullName == "acme/a") {
        r.state = "merged";
        r.pullRequest = 1;
        r.ci = "success";
        r.rewrites = 3;
      } else if (r.fullName == "acme/b") {
        r.state = "open";
        r.pullRequest = 2;
        r.ci = "pending";
        r.rewrites = 2;
        r.note = "<script>document.body.innerHTML=''</script> retried once";
      } else if (r.fullName == "acme/c") {
        r.state = "attention";
        r.attention = 1;
        r.attentionItems = json::array({"src/Job.scala:3:7: dynamic table name"}).dump();
      } else {
        continue; // acme/d stays pending
      }
      if (r.pullRequest)
        r.pullRequestUrl =
            "https://github.example/" + r.fullName + "/pull/" + std::to_string(r.pullRequest);
      ASSERT_TRUE(store->saveCampaignRepo(r));
      const json details = {
          {"state", r.state}, {"rewrites", r.rewrites}, {"attention", r.attention}};
      ASSERT_TRUE(logCampaignEvent(*store, kName, "repo.state", hour(h++), details.dump(), &r));
    }
    ASSERT_TRUE(pauseCampaign(*store, kName, "gate of wave 1: 1 of 2 failed CI", hour(15)));
    CampaignRecord other;
    other.name = "orders-v3";
    other.migrationPath = (tmp.path() / "gone.yaml").string();
    ASSERT_TRUE(store->saveCampaign(other));

    AppServerOptions options;
    options.intake = [](const WebhookDelivery&) -> Expected<IntakeResult> {
      return IntakeResult::Queued;
    };
    options.campaigns = [this] {
      std::lock_guard lock(mutex);
      return loadCampaignIndex(*store, hour(16));
    };
    options.campaignReport = [this](const std::string& name) {
      std::lock_guard lock(mutex);
      return loadCampaignStatus(*store, name, hour(16));
    };
    server = std::make_unique<AppServer>(std::move(options));
    ASSERT_TRUE(server->start());
  }

  RawResponse get(const std::string& target) {
    auto response = apptest::roundTrip(server->port(), request("GET", target));
    EXPECT_TRUE(response) << target;
    return response ? *response : RawResponse{};
  }

  json getJson(const std::string& target) {
    RawResponse response = get(target);
    EXPECT_EQ(response.status, 200) << target << ": " << response.body;
    EXPECT_EQ(response.headers["content-type"], "application/json");
    json parsed = json::parse(response.body, nullptr, false);
    EXPECT_TRUE(parsed.is_object()) << response.body;
    return parsed;
  }

  bottest::TempDir tmp;
  std::filesystem::path migrationFile;
  std::mutex mutex;
  std::unique_ptr<Store> store;
  std::unique_ptr<AppServer> server; // last: stopped before the store goes
};

TEST_F(StatusPageTest, TheIndexListsEveryCampaignWithItsStateAndALinkToItsPage) {
  RawResponse page = get("/migrations");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(page.headers["content-type"], "text/html; charset=utf-8");
  EXPECT_NE(page.headers["content-security-policy"].find("default-src 'none'"), std::string::npos);
  const size_t orders = page.body.find("<a href=\"/migrations/orders-v3\">orders-v3</a>");
  EXPECT_NE(page.body.find("2 in the store"), std::string::npos);
  const size_t profile = page.body.find("<a href=\"/migrations/user-profile-v2\">");
  ASSERT_NE(orders, std::string::npos) << page.body;
  ASSERT_NE(profile, std::string::npos) << page.body;
  EXPECT_LT(orders, profile) << "by name";
  EXPECT_NE(page.body.find("<span class=\"state paused\">paused</span><br><small>gate of wave 1: "
                           "1 of 2 failed CI</small>"),
            std::string::npos);
  EXPECT_NE(page.body.find("1 attention · 1 merged · 1 open · 1 pending"), std::string::npos);
  EXPECT_NE(page.body.find("border-collapse"), std::string::npos) << "the report's CSS";

  const json index = getJson("/migrations?format=json");
  ASSERT_EQ(index["campaigns"].size(), 2u);
  EXPECT_EQ(index["generatedAt"], "2026-12-07T16:00:00.000Z");
  const json& c = index["campaigns"][1];
  EXPECT_EQ(c["campaign"], kName);
  EXPECT_EQ(c["url"], "/migrations/user-profile-v2");
  EXPECT_EQ(c["state"], "paused");
  EXPECT_EQ(c["pauseReason"], "gate of wave 1: 1 of 2 failed CI");
  EXPECT_EQ(c["repositories"], 4);
  EXPECT_EQ(c["totals"], json({{"attention", 1}, {"merged", 1}, {"open", 1}, {"pending", 1}}));
  EXPECT_FALSE(c["createdAt"].get<std::string>().empty());
  EXPECT_FALSE(c["updatedAt"].get<std::string>().empty());
  EXPECT_EQ(index["campaigns"][0]["state"], "running");
  EXPECT_EQ(index["campaigns"][0]["repositories"], 0);
}

TEST_F(StatusPageTest, ACampaignsPageShowsOwnersWavesTheGateAndEveryRepository) {
  RawResponse page = get("/migrations/" + kName);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(page.headers["content-type"], "text/html; charset=utf-8");
  const std::string& html = page.body;
  EXPECT_NE(html.find("<h1>user-profile-v2</h1>"), std::string::npos);
  EXPECT_NE(html.find("Move readers to user_profile_v2"), std::string::npos)
      << "the description, read from the campaign's migration file";
  EXPECT_NE(html.find("Deadline 2027-01-15"), std::string::npos);
  EXPECT_NE(html.find("<span class=\"state paused\">paused</span>: gate of wave 1: 1 of 2 failed "
                      "CI"),
            std::string::npos);
  // Owners: team-core has a and c, both final (merged; attention, with one item).
  EXPECT_NE(html.find("<tr><td>team-core</td><td class=\"n\">2</td><td class=\"n\">2</td><td "
                      "class=\"n\">0</td><td class=\"n\">1</td><td class=\"n\">0</td><td "
                      "class=\"n\">1</td></tr>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("<td>team-&lt;web&gt;</td>"), std::string::npos);
  EXPECT_NE(html.find("<tr><td class=\"n\">1</td><td>paused</td><td class=\"n\">2</td>"),
            std::string::npos)
      << "wave 1 of 2 repositories, its gate paused";
  EXPECT_NE(html.find("<tr><td class=\"n\">2</td><td>pending</td><td class=\"n\">2</td>"),
            std::string::npos);
  EXPECT_NE(html.find("<a href=\"https://github.example/acme/b/pull/2\">#2</a></td><td>pending"),
            std::string::npos)
      << "acme/b's pull request and its CI";
  EXPECT_NE(html.find("<li>src/Job.scala:3:7: dynamic table name</li>"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos) << "the hostile note is escaped";
  EXPECT_NE(html.find("&lt;script&gt;document.body.innerHTML="), std::string::npos);
  EXPECT_NE(html.find("<svg id=\"burndown\""), std::string::npos);
}

TEST_F(StatusPageTest, TheJsonIsTheReportsDataKeyByKey) {
  const json report = getJson("/migrations/" + kName + "?format=json");
  for (const char* key :
       {"campaign", "description", "state", "pauseReason", "createdAt", "generatedAt", "deadline",
        "projectedFinish", "totals", "waves", "owners", "repositories", "burndown"})
    EXPECT_TRUE(report.contains(key)) << key;
  EXPECT_EQ(report["campaign"], kName);
  EXPECT_EQ(report["state"], "paused");
  EXPECT_EQ(report["pauseReason"], "gate of wave 1: 1 of 2 failed CI");
  EXPECT_EQ(report["deadline"], "2027-01-15");
  EXPECT_EQ(report["description"], "Move readers to user_profile_v2");
  ASSERT_EQ(report["waves"].size(), 2u);
  EXPECT_EQ(report["waves"][0]["state"], "paused");
  EXPECT_EQ(report["owners"].size(), 3u);
  ASSERT_EQ(report["repositories"].size(), 4u);
  const json* b = nullptr;
  for (const json& r : report["repositories"])
    if (r["repository"] == "acme/b")
      b = &r;
  ASSERT_NE(b, nullptr);
  EXPECT_EQ((*b)["owner"], "team-<web>") << "JSON carries values as they are";
  EXPECT_EQ((*b)["pullRequest"], 2);
  EXPECT_EQ((*b)["pullRequestUrl"], "https://github.example/acme/b/pull/2");
  EXPECT_EQ((*b)["ci"], "pending");
  EXPECT_EQ((*b)["note"], "<script>document.body.innerHTML=''</script> retried once");
  // One point for the plan and one per repo.state event.
  ASSERT_EQ(report["burndown"].size(), 4u);
  EXPECT_EQ(report["burndown"][3]["merged"], 1);
  EXPECT_EQ(report["burndown"][3]["open"], 1);
}

TEST_F(StatusPageTest, NamesArePercentDecodedAndAnythingElseIsNotACampaign) {
  EXPECT_EQ(get("/migrations/user%2Dprofile%2dv2").status, 200);
  EXPECT_EQ(getJson("/migrations/user%2Dprofile%2Dv2?format=json")["campaign"], kName);

  RawResponse unknown = get("/migrations/no-such-campaign");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.headers["content-type"], "text/plain; charset=utf-8");
  EXPECT_EQ(unknown.body, "no campaign no-such-campaign in the store; see GET /migrations\n");
  for (const char* target :
       {"/migrations/", "/migrations/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/migrations/..%2Fstate.db",
        "/migrations/../healthz", "/migrations/user-profile-v2/", "/migrations/acme/b",
        "/migrations/%zz", "/migrations/user-profile-v2%", "/migrations/USER-PROFILE-V2",
        "/migrations/user-profile-v2%00", "/migrations/%3Cscript%3E"}) {
    RawResponse r = get(target);
    EXPECT_EQ(r.status, 404) << target;
    EXPECT_EQ(r.body.find("<"), std::string::npos) << target << ": " << r.body;
    EXPECT_NE(r.body.find("no such campaign"), std::string::npos) << target << ": " << r.body;
  }
  EXPECT_EQ(get("/migrations?format=xml").status, 400);
  EXPECT_EQ(get("/migrations/" + kName + "?format=pdf").status, 400);
  EXPECT_EQ(
      apptest::roundTrip(server->port(), request("POST", "/migrations/" + kName, "{}"))->status,
      405);
}

TEST_F(StatusPageTest, HeadAnswersTheHeadersOfGetWithoutTheBody) {
  const RawResponse full = get("/migrations/" + kName);
  ASSERT_EQ(full.status, 200);
  apptest::Connection connection(server->port());
  ASSERT_TRUE(connection.send(request("HEAD", "/migrations/" + kName)));
  auto head = connection.read(false);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->headers["content-type"], "text/html; charset=utf-8");
  EXPECT_EQ(head->headers["content-length"], std::to_string(full.body.size()));
  // No body came: the next response on the connection starts right after the headers.
  ASSERT_TRUE(connection.send(request("GET", "/healthz")));
  auto next = connection.read();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
  EXPECT_EQ(next->body, "ok\n");
}

TEST_F(StatusPageTest, ResponsesCountUnderOneLabelForEveryCampaign) {
  get("/migrations");
  get("/migrations/" + kName);
  get("/migrations/" + kName + "?format=json");
  get("/migrations/orders-v3");
  get("/migrations/no-such-campaign");
  RawResponse metrics = get("/metrics");
  auto text = fleettest::MetricsText::parse(metrics.body);
  ASSERT_TRUE(text) << metrics.body;
  const std::string responses = "godwit_app_http_responses_total";
  EXPECT_EQ(text->value(responses, {{"path", "/migrations"}, {"status", "200"}}), 1);
  EXPECT_EQ(text->value(responses, {{"path", "/migrations/:name"}, {"status", "200"}}), 3);
  EXPECT_EQ(text->value(responses, {{"path", "/migrations/:name"}, {"status", "404"}}), 1);
  EXPECT_EQ(metrics.body.find("user-profile"), std::string::npos) << "no name in any label";
}

TEST_F(StatusPageTest, ACampaignWhoseMigrationFileIsGoneHasNoDeadline) {
  std::filesystem::remove(migrationFile);
  const json report = getJson("/migrations/" + kName + "?format=json");
  EXPECT_EQ(report["state"], "paused");
  EXPECT_EQ(report["deadline"], "");
  EXPECT_EQ(report["description"], "");
  EXPECT_EQ(report["repositories"].size(), 4u);
  EXPECT_EQ(getJson("/migrations/orders-v3?format=json")["deadline"], "");
}

TEST(StatusPageOffTest, AServerWithoutTheStoresReadersHasNoStatusPage) {
  AppServerOptions options;
  options.intake = [](const WebhookDelivery&) -> Expected<IntakeResult> {
    return IntakeResult::Queued;
  };
  AppServer server(std::move(options));
  ASSERT_TRUE(server.start());
  for (const char* target : {"/migrations", "/migrations/user-profile-v2"}) {
    auto response = apptest::roundTrip(server.port(), request("GET", target));
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 404) << target;
    EXPECT_EQ(response->body, "this server has no status page\n");
  }
}

TEST_F(StatusPageTest, ChromiumDrawsTheServedPage) {
  using namespace screenshot;
  const Image image = capture(
      "http://127.0.0.1:" + std::to_string(server->port()) + "/migrations/" + kName, tmp.path());
  ASSERT_EQ(image.width, 1000u) << "chromium failed; is it installed (scripts/install-deps)? "
                                << tmp.path() / "chromium.log";
  ASSERT_EQ(image.height, 1200u);
  EXPECT_GT(ink(image), image.width * image.height / 100) << "the page looks blank";
  // The burndown: references remaining (red) and merged (green) across the plot's 684 px.
  const Found remaining = find(image, 0xd6, 0x27, 0x28);
  const Found merged = find(image, 0x2c, 0xa0, 0x2c);
  ASSERT_GT(remaining.count, 300u);
  ASSERT_GT(merged.count, 300u);
  EXPECT_GT(remaining.maxX - remaining.minX, 650u);
  EXPECT_GT(merged.maxX - merged.minX, 650u);
  // The paused badge's yellow comes from the stylesheet: the served page's CSS applied.
  EXPECT_GT(find(image, 0xff, 0xf8, 0xc5).count, 100u) << "no paused badge";
}

} // namespace
} // namespace godwit
