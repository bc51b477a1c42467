#pragma once
// The campaign's limits (prsPerHour, maxOpenPRs, maxOpenPRsPerOwner, rollout windows), decided
// from counts the store keeps, so they hold across restarts and runners.

#include "bot/github/RateLimit.h"
#include "bot/store/Store.h"
#include "rules/Migration.h"

#include <cstdint>
#include <optional>
#include <string>

namespace godwit {

/// `2026-12-02T09:30:00.000Z`: the store's time format (sorts as text).
std::string isoMillis(WallClock::time_point at);

/// The rollout window `now` falls in; nullptr when none does. Windows are UTC.
const RolloutWindow* activeWindow(const std::vector<RolloutWindow>& windows,
                                  WallClock::time_point now);

/// When the next window opens after `now`, within the coming week; nullopt when none does.
std::optional<WallClock::time_point> nextWindowStart(const std::vector<RolloutWindow>& windows,
                                                     WallClock::time_point now);

/// The counts one decision needs.
struct BudgetUsage {
  int64_t openedLastHour = 0; ///< Pull requests opened (or being opened) in the last hour.
  int64_t openedInWindow = 0; ///< Opened in the active window's rate period (within the window).
  int64_t openNow = 0;        ///< Bot pull requests open or being opened.
  int64_t openForOwner = 0;   ///< The same, for the repository's owner.
};

/// Whether a pull request may be opened now, and if not, why.
struct BudgetDecision {
  bool allowed = true;
  std::string reason; ///< Why not, for the `scheduled` state (e.g. `maxOpenPRs 5 reached`).
};

/// Decides from `usage`; every limit that is not set allows.
BudgetDecision decideBudget(const RolloutSettings& rollout, const BudgetUsage& usage,
                            WallClock::time_point now);

/// The event kind recorded just before a pull request is opened; the rate limits count these.
inline constexpr const char* kPublishEvent = "repo.publish";

/// Reads the usage of a campaign from the store and decides.
class CampaignLimits {
public:
  CampaignLimits(Store& store, std::string campaign, RolloutSettings rollout)
      : store_(store), campaign_(std::move(campaign)), rollout_(std::move(rollout)) {}

  /// Whether `owner`'s repository may open a pull request at `now`.
  Expected<BudgetDecision> check(const std::string& owner, WallClock::time_point now);

private:
  Store& store_;
  std::string campaign_;
  RolloutSettings rollout_;
};

} // namespace godwit
