#include "bot/fleet/Planner.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

namespace godwit {
namespace {

std::vector<FleetRepo> fleet(size_t n, size_t owners, int tiers) {
  std::vector<FleetRepo> out;
  for (size_t i = 0; i < n; ++i) {
    FleetRepo r;
    r.fullName = "acme/repo-" + std::to_string(i);
    r.owner = "team-" + std::to_string(i % owners);
    r.tier = static_cast<int>(i % static_cast<size_t>(tiers));
    out.push_back(r);
  }
  return out;
}

std::vector<std::string> names(const Plan& plan) {
  std::vector<std::string> out;
  for (const PlannedRepo& p : plan.repos)
    out.push_back(std::to_string(p.wave) + ":" + p.repo.fullName);
  return out;
}

const std::vector<WaveStep> kFiveTwentyFiveAll = {{true, 5}, {true, 25}, {true, 100}};

TEST(PlannerTest, CutsCumulativeSharesRoundingUp) {
  const Plan plan = planWaves(fleet(40, 4, 1), kFiveTwentyFiveAll, 1);
  EXPECT_EQ(plan.waveSizes, (std::vector<size_t>{2, 8, 30}));
  ASSERT_EQ(plan.repos.size(), 40u);
  EXPECT_EQ(plan.repos[0].wave, 1);
  EXPECT_EQ(plan.repos[2].wave, 2);
  EXPECT_EQ(plan.repos[39].wave, 3);
  for (size_t i = 0; i < plan.repos.size(); ++i)
    EXPECT_EQ(plan.repos[i].position, static_cast<int>(i));
}

TEST(PlannerTest, CountsAndEmptyWaves) {
  EXPECT_EQ(planWaves(fleet(30, 3, 1), {{false, 3}, {false, 10}, {true, 100}}, 0).waveSizes,
            (std::vector<size_t>{3, 7, 20}));
  // A fleet smaller than the counts: the waves that would be empty are dropped.
  EXPECT_EQ(planWaves(fleet(5, 2, 1), {{false, 10}, {false, 100}, {true, 100}}, 0).waveSizes,
            (std::vector<size_t>{5}));
  EXPECT_EQ(planWaves(fleet(3, 1, 1), kFiveTwentyFiveAll, 0).waveSizes,
            (std::vector<size_t>{1, 2}));
  EXPECT_EQ(planWaves(fleet(7, 2, 1), {}, 0).waveSizes, (std::vector<size_t>{7}));
  EXPECT_TRUE(planWaves({}, kFiveTwentyFiveAll, 0).waveSizes.empty());
}

TEST(PlannerTest, LowerTiersGoFirst) {
  const Plan plan = planWaves(fleet(30, 3, 3), kFiveTwentyFiveAll, 9);
  for (size_t i = 1; i < plan.repos.size(); ++i)
    EXPECT_LE(plan.repos[i - 1].repo.tier, plan.repos[i].repo.tier) << i;
}

TEST(PlannerTest, OwnersTakeTurnsWithinATier) {
  // 4 owners with 5 repositories each: the first 4 positions are 4 different owners.
  const Plan plan = planWaves(fleet(20, 4, 1), {{false, 4}, {true, 100}}, 3);
  std::set<std::string> first;
  for (int i = 0; i < 4; ++i)
    first.insert(plan.repos[static_cast<size_t>(i)].repo.owner);
  EXPECT_EQ(first.size(), 4u);
  EXPECT_NE(plan.repos[0].reason.find("tier 0"), std::string::npos) << plan.repos[0].reason;
  EXPECT_NE(plan.repos[0].reason.find("1st of 5"), std::string::npos) << plan.repos[0].reason;
  EXPECT_NE(plan.repos[0].reason.find("wave 1 covers positions 1-4 (up to 4)"), std::string::npos)
      << plan.repos[0].reason;
}

TEST(PlannerTest, SameInputsSamePlanWhateverTheOrder) {
  std::vector<FleetRepo> repos = fleet(50, 6, 2);
  const Plan a = planWaves(repos, kFiveTwentyFiveAll, 42);
  std::mt19937 shuffle(7);
  std::shuffle(repos.begin(), repos.end(), shuffle);
  const Plan b = planWaves(repos, kFiveTwentyFiveAll, 42);
  EXPECT_EQ(names(a), names(b));
  const Plan c = planWaves(repos, kFiveTwentyFiveAll, 43);
  EXPECT_NE(names(a), names(c)) << "another seed gives another order";
  EXPECT_EQ(a.waveSizes, c.waveSizes);
}

} // namespace
} // namespace godwit
