#include "bot/fleet/Limits.h"

#include "bot/github/Auth.h"
#include "bot/store/SqliteStore.h"
#include "tests/bot/GitFixture.h"

#include <gtest/gtest.h>

namespace godwit {
namespace {

using namespace std::chrono;

WallClock::time_point at(const char* iso) {
  auto t = parseIsoUtc(iso);
  EXPECT_TRUE(t) << iso;
  return t ? *t : WallClock::time_point{};
}

TEST(LimitsTest, IsoMillisSortsAsText) {
  EXPECT_EQ(isoMillis(at("2026-12-07T09:05:03Z") + milliseconds(42)), "2026-12-07T09:05:03.042Z");
  EXPECT_LT(isoMillis(at("2026-12-07T09:05:03Z")), isoMillis(at("2026-12-07T10:00:00Z")));
}

TEST(LimitsTest, WindowsAreUtcDaysAndTimes) {
  RolloutWindow weekdays;
  weekdays.days = {1, 2, 3, 4, 5};
  weekdays.startMinute = 9 * 60;
  weekdays.endMinute = 17 * 60;
  const std::vector<RolloutWindow> windows{weekdays};
  // 2026-12-07 is a Monday.
  EXPECT_TRUE(activeWindow(windows, at("2026-12-07T09:00:00Z")));
  EXPECT_TRUE(activeWindow(windows, at("2026-12-07T16:59:59Z")));
  EXPECT_FALSE(activeWindow(windows, at("2026-12-07T17:00:00Z")));
  EXPECT_FALSE(activeWindow(windows, at("2026-12-07T08:59:00Z")));
  EXPECT_FALSE(activeWindow(windows, at("2026-12-05T12:00:00Z"))) << "a Saturday";
  EXPECT_EQ(nextWindowStart(windows, at("2026-12-05T12:00:00Z")), at("2026-12-07T09:00:00Z"));
  EXPECT_EQ(nextWindowStart(windows, at("2026-12-07T10:00:00Z")), at("2026-12-08T09:00:00Z"));
}

TEST(LimitsTest, EachLimitRefusesWithItsReason) {
  RolloutSettings r;
  const auto now = at("2026-12-07T10:00:00Z");
  EXPECT_TRUE(decideBudget(r, {100, 100, 100, 100}, now).allowed) << "no limits set";
  r.prsPerHour = 3;
  r.maxOpenPRs = 5;
  r.maxOpenPRsPerOwner = 2;
  EXPECT_TRUE(decideBudget(r, {2, 0, 4, 1}, now).allowed);
  BudgetDecision d = decideBudget(r, {3, 0, 0, 0}, now);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.reason, "prsPerHour 3 reached");
  d = decideBudget(r, {0, 0, 5, 0}, now);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.reason, "maxOpenPRs 5 reached");
  d = decideBudget(r, {0, 0, 1, 2}, now);
  EXPECT_FALSE(d.allowed);
  EXPECT_NE(d.reason.find("maxOpenPRsPerOwner 2"), std::string::npos);

  RolloutWindow w;
  w.startMinute = 9 * 60;
  w.endMinute = 11 * 60;
  w.rate = 1;
  r.windows = {w};
  d = decideBudget(r, {0, 1, 0, 0}, now);
  EXPECT_FALSE(d.allowed);
  EXPECT_NE(d.reason.find("rate of 1 per 3600 s"), std::string::npos) << d.reason;
  d = decideBudget(r, {0, 0, 0, 0}, at("2026-12-07T12:00:00Z"));
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.reason, "outside the rollout windows; the next opens at 2026-12-08T09:00Z");
}

TEST(LimitsTest, CountsComeFromTheStore) {
  bottest::TempDir tmp;
  auto store = SqliteStore::open(tmp.path() / "s.db");
  ASSERT_TRUE(store);
  CampaignRecord c;
  c.name = "m";
  ASSERT_TRUE((*store)->saveCampaign(c));
  RolloutSettings r;
  r.prsPerHour = 2;
  r.maxOpenPRsPerOwner = 1;
  CampaignLimits limits(**store, "m", r);
  const auto now = at("2026-12-07T10:00:00Z");
  for (const char* when : {"2026-12-07T08:30:00.000Z", "2026-12-07T09:30:00.000Z"}) {
    EventRecord e;
    e.at = when;
    e.kind = kPublishEvent;
    e.migration = "m";
    ASSERT_TRUE((*store)->appendEvent(e));
  }
  auto d = limits.check("team-a", now);
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->allowed) << "only one publish in the last hour";

  CampaignRepoRecord repo;
  repo.campaign = "m";
  repo.fullName = "acme/a";
  repo.owner = "team-a";
  repo.wave = 1;
  repo.publishingSince = "2026-12-07T09:59:00.000Z";
  ASSERT_TRUE((*store)->saveCampaignRepo(repo));
  d = limits.check("team-a", now);
  EXPECT_FALSE(d->allowed) << "a pull request being opened counts as open";
  EXPECT_TRUE(limits.check("team-b", now)->allowed);

  EventRecord e;
  e.at = "2026-12-07T09:45:00.000Z";
  e.kind = kPublishEvent;
  e.migration = "m";
  ASSERT_TRUE((*store)->appendEvent(e));
  d = limits.check("team-b", now);
  EXPECT_FALSE(d->allowed);
  EXPECT_EQ(d->reason, "prsPerHour 2 reached");
  EXPECT_TRUE(limits.check("team-b", now + minutes(31))->allowed) << "the 09:30 one aged out";
}

} // namespace
} // namespace godwit
