#include "bot/fleet/Gate.h"

#include <gtest/gtest.h>

namespace godwit {
namespace {

using Action = GateVerdict::Action;
using std::chrono::hours;

const WallClock::time_point kGated = WallClock::time_point(std::chrono::hours(24 * 20000));

RolloutSettings gate(double maxFailure, std::optional<double> minMerged = std::nullopt) {
  RolloutSettings r;
  r.maxFailureRatio = maxFailure;
  r.minMergedRatio = minMerged;
  r.gateTimeoutSeconds = 3600;
  return r;
}

TEST(GateTest, PassesWhenCiIsGreenAndIgnoresReposWithoutPullRequests) {
  const GateVerdict v =
      evaluateGate(1, {{"open", "success"}, {"merged", ""}, {"no-changes", ""}, {"opted-out", ""}},
                   gate(0), kGated, kGated);
  EXPECT_EQ(v.action, Action::Pass);
  EXPECT_EQ(v.reason, "CI passed on 2 of 2 pull requests of wave 1");
  EXPECT_EQ(evaluateGate(2, {{"no-changes", ""}}, gate(0), kGated, kGated).action, Action::Pass);
}

TEST(GateTest, PausesAtOnceAboveTheFailureRatio) {
  const std::vector<GateRepo> repos{
      {"open", "failure"}, {"open", "pending"}, {"open", "success"}, {"open", "success"}};
  GateVerdict v = evaluateGate(1, repos, gate(0.2), kGated, kGated);
  EXPECT_EQ(v.action, Action::Pause);
  EXPECT_EQ(v.reason, "CI failed on 1 of 4 pull requests of wave 1 (gate.maxFailureRatio 0.2)");
  v = evaluateGate(1, repos, gate(0.25), kGated, kGated);
  EXPECT_EQ(v.action, Action::Wait) << "1 of 4 is not above 0.25; one is still pending";
}

TEST(GateTest, WaitsForPendingCiUntilTheTimeout) {
  const std::vector<GateRepo> repos{{"open", "pending"}, {"human-edited", ""}};
  GateVerdict v =
      evaluateGate(3, repos, gate(0), kGated, kGated + hours(1) - std::chrono::seconds(1));
  EXPECT_EQ(v.action, Action::Wait);
  EXPECT_EQ(v.reason, "CI pending on 2 of 2 pull requests of wave 3");
  v = evaluateGate(3, repos, gate(0), kGated, kGated + hours(1));
  EXPECT_EQ(v.action, Action::Pause);
  EXPECT_NE(v.reason.find("still pending after gate.timeout"), std::string::npos);
}

TEST(GateTest, MinMergedRatioWaitsThenPauses) {
  const std::vector<GateRepo> repos{{"merged", ""}, {"open", "success"}, {"open", "success"}};
  EXPECT_EQ(evaluateGate(1, repos, gate(0, 0.3), kGated, kGated).action, Action::Pass);
  GateVerdict v = evaluateGate(1, repos, gate(0, 0.5), kGated, kGated);
  EXPECT_EQ(v.action, Action::Wait);
  EXPECT_EQ(v.reason,
            "1 of 3 pull requests of wave 1 merged so far, below gate.minMergedRatio 0.5");
  v = evaluateGate(1, repos, gate(0, 0.5), kGated, kGated + hours(2));
  EXPECT_EQ(v.action, Action::Pause);
}

} // namespace
} // namespace godwit
