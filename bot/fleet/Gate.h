#pragma once
// The gate between two waves: the next wave starts only when the CI of this wave's pull requests
// says so (docs/runner.md, `rollout.gate`).

#include "bot/github/RateLimit.h"
#include "rules/Migration.h"

#include <string>
#include <vector>

namespace godwit {

/// One repository of the wave as the gate sees it.
struct GateRepo {
  std::string state; ///< A RepoState spelling.
  std::string ci;    ///< `success`, `failure`, `pending` or empty (not known yet).
};

/// What the gate says.
struct GateVerdict {
  enum class Action { Pass, Wait, Pause };
  Action action = Action::Pass;
  std::string reason;
};

/// Decides the gate of wave `wave` that closed (every repository final) at `gatedAt`. Pull
/// requests are the open, human-edited and merged ones; a merged one counts as passing CI.
/// Pause at once when the share failing CI is above `maxFailureRatio`; wait while CI is pending
/// or fewer than `minMergedRatio` are merged, up to `gate.timeout`, then pause.
GateVerdict evaluateGate(int wave, const std::vector<GateRepo>& repos,
                         const RolloutSettings& rollout, WallClock::time_point gatedAt,
                         WallClock::time_point now);

} // namespace godwit
