// The metrics textfile: parsed back as a Prometheus scraper reads it, every series of every
// metric has HELP and TYPE, the campaign label and the values counted.
#include "bot/fleet/CampaignMetrics.h"

#include "tests/bot/GitFixture.h"
#include "tests/bot/fleet/MetricsText.h"

#include <gtest/gtest.h>

#include <fstream>

namespace godwit {
namespace {

using fleettest::MetricsText;
using std::chrono::milliseconds;

TEST(CampaignMetricsTest, EveryMetricHasHelpTypeAndTheCountedValues) {
  CampaignMetrics metrics("user-profile-v2");
  metrics.setRepositories({{"open", 3}, {"no-changes", 2}});
  metrics.countPullRequest(PullRequestAction::Opened);
  metrics.countPullRequest(PullRequestAction::Opened);
  metrics.countPullRequest(PullRequestAction::Closed);
  ClientObserver observer = metrics.observer();
  observer.response(200);
  observer.response(200);
  observer.response(403);
  observer.response(0);
  observer.rateLimitWait(LimitKind::Secondary, milliseconds(2500));
  metrics.countRateLimitWait(LimitKind::Primary, milliseconds(60000));
  metrics.countRateLimitWait(LimitKind::Primary, milliseconds(500));
  metrics.observeRepository(milliseconds(300));
  metrics.observeRepository(std::chrono::seconds(7));

  const std::string text = metrics.render();
  auto parsed = MetricsText::parse(text);
  ASSERT_TRUE(parsed) << parsed.error().message << "\n" << text;
  const MetricsText& m = *parsed;
  EXPECT_TRUE(m.problems().empty()) << m.problems().front() << "\n" << text;

  EXPECT_EQ(m.type("godwit_repositories"), "gauge");
  EXPECT_EQ(m.value("godwit_repositories", {{"state", "open"}}), 3);
  EXPECT_EQ(m.value("godwit_repositories", {{"state", "no-changes"}}), 2);
  // Every state is there, so that a state emptied by this run reads 0 rather than stale.
  EXPECT_EQ(m.value("godwit_repositories", {{"state", "needs-human"}}), 0);
  EXPECT_EQ(m.count("godwit_repositories"), 17u);

  EXPECT_EQ(m.type("godwit_pull_requests_total"), "counter");
  EXPECT_EQ(m.value("godwit_pull_requests_total", {{"action", "opened"}}), 2);
  EXPECT_EQ(m.value("godwit_pull_requests_total", {{"action", "updated"}}), 0);
  EXPECT_EQ(m.value("godwit_pull_requests_total", {{"action", "closed"}}), 1);

  EXPECT_EQ(m.type("godwit_code_host_requests_total"), "counter");
  EXPECT_EQ(m.value("godwit_code_host_requests_total", {{"status", "200"}}), 2);
  EXPECT_EQ(m.value("godwit_code_host_requests_total", {{"status", "403"}}), 1);
  EXPECT_EQ(m.value("godwit_code_host_requests_total", {{"status", "none"}}), 1);
  EXPECT_EQ(m.count("godwit_code_host_requests_total"), 3u);

  EXPECT_EQ(m.type("godwit_rate_limit_waits_total"), "counter");
  EXPECT_EQ(m.value("godwit_rate_limit_waits_total", {{"limit", "primary"}}), 2);
  EXPECT_EQ(m.value("godwit_rate_limit_waits_total", {{"limit", "secondary"}}), 1);
  EXPECT_EQ(m.type("godwit_rate_limit_wait_seconds_total"), "counter");
  EXPECT_DOUBLE_EQ(m.value("godwit_rate_limit_wait_seconds_total", {{"limit", "primary"}}), 60.5);
  EXPECT_DOUBLE_EQ(m.value("godwit_rate_limit_wait_seconds_total", {{"limit", "secondary"}}), 2.5);

  EXPECT_EQ(m.type("godwit_repository_duration_seconds"), "histogram");
  EXPECT_EQ(m.value("godwit_repository_duration_seconds_count", {}), 2);
  EXPECT_DOUBLE_EQ(m.value("godwit_repository_duration_seconds_sum", {}), 7.3);
  EXPECT_EQ(m.value("godwit_repository_duration_seconds_bucket", {{"le", "0.5"}}), 1);
  EXPECT_EQ(m.value("godwit_repository_duration_seconds_bucket", {{"le", "10"}}), 2);
  EXPECT_EQ(m.value("godwit_repository_duration_seconds_bucket", {{"le", "+Inf"}}), 2);

  // Discover's outcomes are their own metric, not states; absent until discover sets them.
  EXPECT_EQ(m.count("godwit_discovered_repositories"), 0u);
  metrics.setDiscovered({{"consumer", 4}, {"not-consumer", 46}});
  parsed = MetricsText::parse(metrics.render());
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->type("godwit_discovered_repositories"), "gauge");
  EXPECT_EQ(parsed->value("godwit_discovered_repositories", {{"outcome", "consumer"}}), 4);
}

TEST(CampaignMetricsTest, ASecondSettingOfTheStatesReplacesTheFirst) {
  CampaignMetrics metrics("c");
  metrics.setRepositories({{"pending", 4}});
  metrics.setRepositories({{"open", 4}});
  auto m = MetricsText::parse(metrics.render());
  ASSERT_TRUE(m);
  EXPECT_EQ(m->value("godwit_repositories", {{"state", "pending"}}), 0);
  EXPECT_EQ(m->value("godwit_repositories", {{"state", "open"}}), 4);
}

TEST(CampaignMetricsTest, WritesTheFileWholeAndChecksThePathBeforehand) {
  bottest::TempDir tmp;
  const auto path = tmp.path() / "godwit.prom";
  ASSERT_TRUE(checkMetricsPath(path));
  EXPECT_FALSE(std::filesystem::exists(path)); // the check leaves nothing behind
  EXPECT_TRUE(std::filesystem::is_empty(tmp.path()));

  CampaignMetrics metrics("c");
  metrics.countPullRequest(PullRequestAction::Updated);
  ASSERT_TRUE(metrics.write(path));
  std::ifstream in(path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, metrics.render());

  auto missing = checkMetricsPath(tmp.path() / "no" / "such" / "m.prom");
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().str().find("m.prom: error: "), std::string::npos)
      << missing.error().str();
  auto folder = checkMetricsPath(tmp.path());
  ASSERT_FALSE(folder);
  EXPECT_NE(folder.error().message.find("is a folder"), std::string::npos) << folder.error().str();
}

} // namespace
} // namespace godwit
