#pragma once
// How runners that share a campaign through the work queue take up a wave: each worker claims
// small batches, runs the per-repository step of each claim, and when nothing is left to claim
// waits for the jobs other runners hold (requeuing expired ones) before the wave is over.

#include "bot/fleet/LeaseKeeper.h"
#include "bot/store/WorkQueue.h"

#include <chrono>
#include <functional>
#include <string>

namespace godwit {

/// The name a runner goes by in `locked_by` and its log lines: `index-N` from a Kubernetes
/// Indexed Job's `completionIndex` when given (non-empty), else `host:pid`.
std::string runnerIdFrom(const char* completionIndex, const std::string& host, long pid);

/// runnerIdFrom() of this process: `JOB_COMPLETION_INDEX`, the host name and the process id.
std::string defaultRunnerId();

/// How one worker takes part in a shared wave.
struct SharedWaveSettings {
  std::string campaign;
  int batch = 2;     ///< Claims taken at once.
  int maxResets = 3; ///< Expired leases before a job fails (WorkQueue::reclaimExpired).
  /// The wait between looks while other runners hold the last jobs; expired leases are
  /// requeued at every look.
  std::chrono::milliseconds poll{1000};
};

/// What the step of one claim asks for next.
enum class ClaimEnd {
  Ended,    ///< The step ended the job (completed, finished, or found its claim lost).
  GiveBack, ///< Stop (the campaign was paused): requeue this claim and the batch's others.
};

/// One worker's share of a wave, on its own connection's queue.
class SharedWave {
public:
  /// `keeper` (may be null) renews the claims while they wait in a batch or run.
  SharedWave(WorkQueue& queue, LeaseKeeper* keeper, SharedWaveSettings settings);

  /// Claims and runs `step` on each claim until no job of the campaign is queued or running, or
  /// `stop` says to (checked before each claim). A step's error ends the run: the claims not yet
  /// run are given back, and the error is returned.
  Expected<void> run(const std::function<Expected<ClaimEnd>(const WorkClaim&)>& step,
                     const std::function<bool()>& stop);

  /// Claims run by this worker.
  size_t claimed() const { return claimed_; }

private:
  void giveBack(const std::vector<WorkClaim>& claims, size_t from);

  WorkQueue& queue_;
  LeaseKeeper* keeper_;
  SharedWaveSettings settings_;
  size_t claimed_ = 0;
};

} // namespace godwit
