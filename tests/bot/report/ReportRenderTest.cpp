// The report's Markdown and JSON over a real campaign: a sweep against the contract server into
// an SQLite store, a pull request merged on the code host, a second sweep that sees it.
#include "bot/report/ReportRender.h"
#include "bot/report/ReportView.h"
#include "tests/bot/fleet/FleetFixture.h"

#include <nlohmann/json.hpp>

namespace godwit {
namespace {

using json = nlohmann::json;

class ReportRenderTest : public fleettest::FleetTest {
protected:
  CampaignReport sweptAndOneMerged() {
    makeFleet(4, 2, 3);
    useMigration("rollout:\n  maxOpenPRs: 10\n  deadline: 2027-06-30\n");
    EXPECT_EQ(sweep().campaignState, "done");
    const auto pulls = server.pulls("acme/repo-0");
    EXPECT_EQ(pulls.size(), 1u);
    if (!pulls.empty())
      server.mergePull("acme/repo-0", pulls.front().number);
    clock->advance(std::chrono::hours(2));
    sweep(); // asks the code host about the open pull requests: repo-0 is merged
    auto report = loadCampaignReport(*store(), migration.name, *migration.rollout, clock->now());
    EXPECT_TRUE(report) << report.error().str();
    return report ? *report : CampaignReport{};
  }
};

TEST_F(ReportRenderTest, MarkdownShowsTotalsOwnersRepositoriesAndTheBurndown) {
  const CampaignReport report = sweptAndOneMerged();
  const std::string md = renderReportMarkdown(report);
  EXPECT_NE(md.find("# user-profile-v2\n"), std::string::npos) << md;
  EXPECT_NE(md.find("Deadline 2027-06-30, projected finish "), std::string::npos) << md;
  EXPECT_NE(md.find("| merged | 1 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| open | 2 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| no-changes | 1 |"), std::string::npos) << md;
  // team-0 owns repo-0 (merged) and repo-2 (open); team-1 repo-1 (open) and repo-3 (no refs).
  EXPECT_NE(md.find("| team-0 | 2 | 2 | 1 | 1 | 0 | 0 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| team-1 | 2 | 2 | 1 | 0 | 0 | 0 |"), std::string::npos) << md;
  const ReportRepo& merged = report.repos.front().fullName == "acme/repo-0"
                                 ? report.repos.front()
                                 : *std::find_if(report.repos.begin(), report.repos.end(),
                                                 [](auto& r) { return r.fullName == "acme/repo-0"; });
  ASSERT_FALSE(merged.pullRequestUrl.empty());
  EXPECT_NE(md.find("| acme/repo-0 | team-0 | 1 | merged | [#" +
                    std::to_string(merged.pullRequest) + "](" + merged.pullRequestUrl + ")"),
            std::string::npos)
      << md;
  // The last burndown row: two rewrites still unmerged, two open, one merged.
  const size_t last = md.rfind("\n| 20");
  ASSERT_NE(last, std::string::npos);
  EXPECT_NE(md.find("| 2 | 2 | 1 |", last), std::string::npos) << md.substr(last);
}

TEST_F(ReportRenderTest, JsonHoldsTheSameFigures) {
  const CampaignReport report = sweptAndOneMerged();
  const json j = json::parse(renderReportJson(report));
  EXPECT_EQ(j["campaign"], "user-profile-v2");
  EXPECT_EQ(j["deadline"], "2027-06-30");
  EXPECT_EQ(j["totals"]["open"], 2);
  EXPECT_EQ(j["totals"]["merged"], 1);
  EXPECT_EQ(j["totals"]["no-changes"], 1);
  ASSERT_EQ(j["repositories"].size(), 4u);
  ASSERT_EQ(j["owners"].size(), 2u);
  EXPECT_EQ(j["owners"][0]["owner"], "team-0");
  EXPECT_EQ(j["owners"][0]["merged"], 1);
  size_t withUrl = 0;
  for (const json& r : j["repositories"])
    withUrl += r["pullRequestUrl"].get<std::string>().starts_with("http") ? 1 : 0;
  EXPECT_EQ(withUrl, 3u);
  const json& burndown = j["burndown"];
  ASSERT_GE(burndown.size(), 5u); // the plan, three opened, one merged
  EXPECT_EQ(burndown.front()["referencesRemaining"], 0);
  int64_t peak = 0;
  for (const json& p : burndown)
    peak = std::max(peak, p["referencesRemaining"].get<int64_t>());
  EXPECT_EQ(peak, 3);
  EXPECT_EQ(burndown.back()["referencesRemaining"], 2);
  EXPECT_EQ(burndown.back()["open"], 2);
  EXPECT_EQ(burndown.back()["merged"], 1);
}

TEST(ReportViewTest, BurndownReplaysTheLastStateOfEachRepository) {
  std::vector<EventRecord> events;
  const auto add = [&](const char* at, const std::string& repo, const std::string& details) {
    EventRecord e;
    e.at = at;
    e.kind = repo.empty() ? "campaign.plan" : "repo.state";
    e.repository = repo;
    e.details = details;
    events.push_back(e);
  };
  add("2026-12-07T10:00:00.000Z", "", "{}");
  add("2026-12-07T10:01:00.000Z", "a/x", R"({"state":"open","rewrites":4,"attention":1})");
  add("2026-12-07T10:02:00.000Z", "a/y", R"({"state":"attention","rewrites":0,"attention":2})");
  // A refresh logs no attention count: the last one stays.
  add("2026-12-07T11:00:00.000Z", "a/x", R"({"state":"merged","rewrites":4})");
  const auto points = burndownOf(events);
  ASSERT_EQ(points.size(), 4u);
  EXPECT_EQ(points[1].referencesRemaining, 5);
  EXPECT_EQ(points[1].open, 1u);
  EXPECT_EQ(points[2].referencesRemaining, 7);
  EXPECT_EQ(points[3].referencesRemaining, 3);
  EXPECT_EQ(points[3].open, 0u);
  EXPECT_EQ(points[3].merged, 1u);

  const BurndownChart chart = layoutBurndown(points);
  // Time runs left to right over the plot; the highest value (7, scale 8) is near the top.
  EXPECT_EQ(chart.remainingPoints.substr(0, chart.remainingPoints.find(' ')), "56.0,240.0");
  EXPECT_TRUE(chart.remainingPoints.ends_with("740.0,157.5")) << chart.remainingPoints;
  EXPECT_EQ(chart.yTicks.back().label, "8");
}

TEST(ReportRenderErrorTest, AnUnknownFormatIsAnError) {
  auto r = renderReport(CampaignReport{}, "pdf");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("pdf"), std::string::npos);
}

} // namespace
} // namespace godwit
