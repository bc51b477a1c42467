#pragma once
// Figures every report format shows, derived from a CampaignReport: the per-owner table and the
// burndown read from the event log.

#include "bot/fleet/CampaignReport.h"

#include <cstdint>
#include <string>
#include <vector>

namespace godwit {

/// One owning team's repositories and how far they got.
struct OwnerSummary {
  std::string owner; ///< `(none)` when the inventory named no owner.
  size_t repositories = 0;
  size_t finished = 0; ///< In a final state.
  size_t open = 0;     ///< Pull request open or human-edited.
  size_t merged = 0;
  size_t failed = 0;         ///< `failed` or `needs-human`.
  size_t attentionItems = 0; ///< References a person must look at.
};

/// The owners of `report`'s repositories, by name.
std::vector<OwnerSummary> summarizeOwners(const CampaignReport& report);

/// The campaign at one moment of its event log.
struct BurndownPoint {
  std::string at;                   ///< The event's time, UTC ISO 8601.
  int64_t referencesRemaining = 0;  ///< Rewrites not merged yet, plus references needing attention.
  size_t open = 0;                  ///< Pull requests open (or human-edited).
  size_t merged = 0;                ///< Pull requests merged.
};

/// One point per `campaign.plan` and `repo.state` event, replaying each repository's last state
/// and counts (`details.state`, `details.rewrites`, `details.attention`) in order.
std::vector<BurndownPoint> burndownOf(const std::vector<EventRecord>& events);

/// The burndown laid out as an SVG chart: coordinates in a `width`×`height` viewBox.
struct BurndownChart {
  int width = 760;
  int height = 290;
  int left = 56, right = 740, top = 20, bottom = 240; ///< The plot area.
  std::string remainingPoints; ///< `x,y x,y …` for a polyline; empty without points.
  std::string openPoints;
  std::string mergedPoints;
  struct Tick {
    int y = 0;
    std::string label;
  };
  std::vector<Tick> yTicks; ///< Horizontal grid lines with their values.
  std::string firstAt;      ///< The first point's date, under the left end.
  std::string lastAt;       ///< The last point's date, under the right end.
};

/// Lays `points` out: time runs left to right (by index when they all share one instant), counts
/// bottom to top from zero to the largest value.
BurndownChart layoutBurndown(const std::vector<BurndownPoint>& points);

} // namespace godwit
