#include "bot/fleet/SharedWave.h"

#include <algorithm>
#include <cstdlib>
#include <thread>

#include <unistd.h>

namespace godwit {

std::string runnerIdFrom(const char* completionIndex, const std::string& host, long pid) {
  if (completionIndex && *completionIndex)
    return std::string("index-") + completionIndex;
  return host + ":" + std::to_string(pid);
}

std::string defaultRunnerId() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0)
    host[0] = '\0';
  return runnerIdFrom(std::getenv("JOB_COMPLETION_INDEX"), host[0] ? host : "localhost",
                      static_cast<long>(getpid()));
}

SharedWave::SharedWave(WorkQueue& queue, LeaseKeeper* keeper, SharedWaveSettings settings)
    : queue_(queue), keeper_(keeper), settings_(std::move(settings)) {}

void SharedWave::giveBack(const std::vector<WorkClaim>& claims, size_t from) {
  for (size_t i = from; i < claims.size(); ++i) {
    if (keeper_)
      keeper_->release(claims[i]);
    // A claim that cannot be given back expires and is requeued by the reclaiming leader.
    (void)queue_.release(claims[i]);
  }
}

Expected<void> SharedWave::run(const std::function<Expected<ClaimEnd>(const WorkClaim&)>& step,
                               const std::function<bool()>& stop) {
  while (!stop()) {
    Expected<std::vector<WorkClaim>> claims =
        queue_.claim(settings_.campaign, std::max(1, settings_.batch));
    if (!claims)
      return claims.error();
    if (claims->empty()) {
      // Nothing queued: the wave is over once no runner holds a job of it either; a runner
      // that died on its jobs leaves them to the reclaiming leader.
      Expected<std::optional<Reclaimed>> reclaimed = queue_.reclaimExpired(settings_.maxResets);
      if (!reclaimed)
        return reclaimed.error();
      if (*reclaimed && (*reclaimed)->requeued > 0)
        continue;
      Expected<int64_t> active = queue_.activeJobs(settings_.campaign);
      if (!active)
        return active.error();
      if (*active == 0)
        return {};
      std::this_thread::sleep_for(settings_.poll);
      continue;
    }
    if (keeper_)
      for (const WorkClaim& c : *claims)
        keeper_->track(c);
    for (size_t i = 0; i < claims->size(); ++i) {
      const WorkClaim& claim = (*claims)[i];
      ++claimed_;
      Expected<ClaimEnd> end = step(claim);
      if (!end || *end == ClaimEnd::GiveBack) {
        giveBack(*claims, i);
        if (!end)
          return end.error();
        return {};
      }
      if (keeper_)
        keeper_->release(claim);
    }
  }
  return {};
}

} // namespace godwit
