#include "bot/fleet/Gate.h"

#include <cmath>
#include <cstdio>

namespace godwit {
namespace {

std::string ratioText(double r) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", r);
  return buf;
}

} // namespace

GateVerdict evaluateGate(int wave, const std::vector<GateRepo>& repos,
                         const RolloutSettings& rollout, WallClock::time_point gatedAt,
                         WallClock::time_point now) {
  using Action = GateVerdict::Action;
  size_t total = 0, failed = 0, pending = 0, merged = 0;
  for (const GateRepo& r : repos) {
    const bool merge = r.state == "merged";
    if (!merge && r.state != "open" && r.state != "human-edited")
      continue;
    ++total;
    merged += merge ? 1 : 0;
    if (!merge && (r.ci == "failure" || r.ci == "error"))
      ++failed;
    else if (!merge && r.ci != "success")
      ++pending;
  }
  const std::string where = "wave " + std::to_string(wave);
  if (total == 0)
    return {Action::Pass, where + " opened no pull request"};
  const std::string of = " of " + std::to_string(total) + " pull requests of " + where;
  if (static_cast<double>(failed) > rollout.maxFailureRatio * static_cast<double>(total))
    return {Action::Pause, "CI failed on " + std::to_string(failed) + of +
                               " (gate.maxFailureRatio " + ratioText(rollout.maxFailureRatio) +
                               ")"};
  const bool timedOut = now >= gatedAt + std::chrono::seconds(rollout.gateTimeoutSeconds);
  if (pending > 0)
    return {timedOut ? Action::Pause : Action::Wait,
            "CI " + std::string(timedOut ? "still pending after gate.timeout" : "pending") +
                " on " + std::to_string(pending) + of};
  if (rollout.minMergedRatio &&
      static_cast<double>(merged) < *rollout.minMergedRatio * static_cast<double>(total))
    return {timedOut ? Action::Pause : Action::Wait,
            std::to_string(merged) + of + " merged" + (timedOut ? " by gate.timeout" : " so far") +
                ", below gate.minMergedRatio " + ratioText(*rollout.minMergedRatio)};
  return {Action::Pass, "CI passed on " + std::to_string(total - failed) + of};
}

} // namespace godwit
