// The HTML report as a person sees it: rendered from a real SQLite store, opened in headless
// Chromium, and its screenshot decoded and inspected: the page is not blank and the burndown's
// colored lines are drawn where the figures put them. Values are escaped: an attention item
// holding a script would blank the page if it ran.
#include "bot/fleet/Campaign.h"
#include "bot/github/Auth.h"
#include "bot/report/ReportRender.h"
#include "bot/store/SqliteStore.h"
#include "tests/bot/GitFixture.h"
#include "tests/bot/report/Screenshot.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

namespace godwit {
namespace {

using namespace screenshot;

CampaignReport storedReport(const std::filesystem::path& db) {
  auto opened = SqliteStore::open(db);
  EXPECT_TRUE(opened) << opened.error().str();
  Store& store = **opened;
  const std::string c = "user-profile-v2";
  CampaignRecord campaign;
  campaign.name = c;
  campaign.createdAt = "2026-12-07T10:00:00.000Z";
  EXPECT_TRUE(store.saveCampaign(campaign));
  EXPECT_TRUE(store.saveWave({c, 1, "running", "2026-12-07T10:00:00.000Z", "", ""}));
  const auto at = [](int hour) {
    return *parseIsoUtc("2026-12-07T" + std::string(hour < 10 ? "0" : "") + std::to_string(hour) +
                        ":00:00Z");
  };
  EXPECT_TRUE(logCampaignEvent(store, c, "campaign.plan", at(10)));
  const auto repo = [&](const std::string& name, const std::string& state, int64_t pr,
                        int64_t rewrites, const std::string& attention, int hour) {
    CampaignRepoRecord r;
    r.campaign = c;
    r.fullName = name;
    r.owner = "team-<core>";
    r.wave = 1;
    r.position = static_cast<int>(name.size());
    r.state = state;
    r.pullRequest = pr;
    r.pullRequestUrl = pr ? "https://github.example/" + name + "/pull/" + std::to_string(pr) : "";
    r.rewrites = rewrites;
    r.attention = attention.empty() ? 0 : 1;
    r.attentionItems = attention.empty() ? "[]" : nlohmann::json::array({attention}).dump();
    EXPECT_TRUE(store.saveCampaignRepo(r));
    nlohmann::json details = {{"state", state}, {"rewrites", rewrites}, {"attention", r.attention}};
    EXPECT_TRUE(logCampaignEvent(store, c, "repo.state", at(hour), details.dump(), &r));
  };
  // Remaining 3, 6, 7, then 4 and 1 as the two pull requests merge; merged 0 → 2.
  repo("acme/a", "open", 1, 3, "", 11);
  repo("acme/<b>b</b>", "open", 2, 3, "", 12);
  repo("acme/c", "attention", 0, 0,
       "src/Job.scala:3:7: <script>document.body.innerHTML=''</script> dynamic table name", 13);
  repo("acme/a", "merged", 1, 3, "", 14);
  repo("acme/<b>b</b>", "merged", 2, 3, "", 15);
  auto report = loadCampaignReport(store, c, RolloutSettings{}, at(16));
  EXPECT_TRUE(report) << report.error().str();
  return *report;
}

TEST(ReportHtmlTest, ChromiumShowsTheBurndownAndEscapesEveryValue) {
  bottest::TempDir tmp;
  const CampaignReport report = storedReport(tmp.path() / "state.db");
  auto html = renderReportHtml(report);
  ASSERT_TRUE(html) << html.error().str();
  EXPECT_EQ(html->find("<script"), std::string::npos);
  EXPECT_NE(html->find("&lt;script&gt;document.body.innerHTML="), std::string::npos);
  EXPECT_NE(html->find("acme/&lt;b&gt;b&lt;/b&gt;"), std::string::npos);
  EXPECT_NE(html->find("team-&lt;core&gt;"), std::string::npos);
  EXPECT_NE(html->find("<svg id=\"burndown\""), std::string::npos);
  EXPECT_NE(html->find("href=\"https://github.example/acme/a/pull/1\""), std::string::npos);

  const auto page = tmp.path() / "report.html";
  std::ofstream(page) << *html;
  const Image image = capture("file://" + page.string(), tmp.path());
  ASSERT_EQ(image.width, 1000u) << "chromium failed; is it installed (scripts/install-deps)? "
                                << tmp.path() / "chromium.log";
  ASSERT_EQ(image.height, 1200u);

  EXPECT_GT(ink(image), image.width * image.height / 100) << "the page looks blank";

  const Found remaining = find(image, 0xd6, 0x27, 0x28);
  const Found open = find(image, 0x1f, 0x77, 0xb4);
  const Found merged = find(image, 0x2c, 0xa0, 0x2c);
  ASSERT_GT(remaining.count, 300u);
  ASSERT_GT(open.count, 300u);
  ASSERT_GT(merged.count, 300u);
  // The lines span the plot's width (684 px), from the first event to the last.
  EXPECT_GT(remaining.maxX - remaining.minX, 650u);
  EXPECT_GT(merged.maxX - merged.minX, 650u);
  // The peak of 7 remaining references (scale 8 over 220 px) stands 137.5 px above the peak of
  // 2 merged.
  EXPECT_NEAR(static_cast<double>(merged.minY) - remaining.minY, 137.5, 6.0);
  // Merged rises from zero: its right end is higher on the page (smaller y) than its left end.
  const double mergedLeft = meanY(merged, merged.minX, merged.minX + 40);
  const double mergedRight = meanY(merged, merged.maxX - 20, merged.maxX + 1);
  EXPECT_LT(mergedRight + 40, mergedLeft) << mergedLeft << " " << mergedRight;
}

} // namespace
} // namespace godwit
