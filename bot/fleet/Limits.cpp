#include "bot/fleet/Limits.h"

#include <algorithm>
#include <ctime>

namespace godwit {
namespace {

using namespace std::chrono;

struct DayTime {
  int weekday; ///< 0 = Sunday.
  int minute;  ///< Minutes after midnight UTC.
  WallClock::time_point midnight;
};

DayTime dayTime(WallClock::time_point at) {
  const auto day = floor<days>(at);
  const int minute = static_cast<int>(duration_cast<minutes>(at - day).count());
  // 1970-01-01 was a Thursday (4).
  const int weekday = static_cast<int>(((day.time_since_epoch().count() % 7) + 7 + 4) % 7);
  return {weekday, minute, WallClock::time_point(day)};
}

bool onDay(const RolloutWindow& w, int weekday) {
  return w.days.empty() || std::find(w.days.begin(), w.days.end(), weekday) != w.days.end();
}

} // namespace

std::string isoMillis(WallClock::time_point at) {
  const std::time_t t = WallClock::to_time_t(at);
  const auto ms = duration_cast<milliseconds>(at.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms < 0 ? ms + 1000 : ms));
  return out;
}

const RolloutWindow* activeWindow(const std::vector<RolloutWindow>& windows,
                                  WallClock::time_point now) {
  const DayTime t = dayTime(now);
  for (const RolloutWindow& w : windows)
    if (onDay(w, t.weekday) && t.minute >= w.startMinute && t.minute < w.endMinute)
      return &w;
  return nullptr;
}

std::optional<WallClock::time_point> nextWindowStart(const std::vector<RolloutWindow>& windows,
                                                     WallClock::time_point now) {
  const DayTime t = dayTime(now);
  std::optional<WallClock::time_point> best;
  for (int d = 0; d <= 7; ++d) {
    const int weekday = (t.weekday + d) % 7;
    for (const RolloutWindow& w : windows) {
      if (!onDay(w, weekday))
        continue;
      const auto start = t.midnight + days(d) + minutes(w.startMinute);
      if (start > now && (!best || start < *best))
        best = start;
    }
  }
  return best;
}

BudgetDecision decideBudget(const RolloutSettings& r, const BudgetUsage& u,
                            WallClock::time_point now) {
  if (!r.windows.empty()) {
    const RolloutWindow* w = activeWindow(r.windows, now);
    if (!w) {
      std::string reason = "outside the rollout windows";
      if (auto next = nextWindowStart(r.windows, now))
        reason += "; the next opens at " + isoMillis(*next).substr(0, 16) + "Z";
      return {false, reason};
    }
    if (w->rate && u.openedInWindow >= *w->rate)
      return {false, "the rollout window's rate of " + std::to_string(*w->rate) + " per " +
                         std::to_string(w->ratePeriodSeconds) + " s is used up"};
  }
  if (r.prsPerHour && u.openedLastHour >= *r.prsPerHour)
    return {false, "prsPerHour " + std::to_string(*r.prsPerHour) + " reached"};
  if (r.maxOpenPRs && u.openNow >= *r.maxOpenPRs)
    return {false, "maxOpenPRs " + std::to_string(*r.maxOpenPRs) + " reached"};
  if (r.maxOpenPRsPerOwner && u.openForOwner >= *r.maxOpenPRsPerOwner)
    return {false,
            "the owner's maxOpenPRsPerOwner " + std::to_string(*r.maxOpenPRsPerOwner) + " reached"};
  return {};
}

Expected<BudgetDecision> CampaignLimits::check(const std::string& owner,
                                               WallClock::time_point now) {
  BudgetUsage usage;
  if (rollout_.prsPerHour) {
    auto n = store_.countEvents(campaign_, kPublishEvent, isoMillis(now - hours(1)));
    if (!n)
      return n.error();
    usage.openedLastHour = *n;
  }
  if (const RolloutWindow* w = activeWindow(rollout_.windows, now); w && w->rate) {
    const auto windowStart = dayTime(now).midnight + minutes(w->startMinute);
    const auto since = std::max(windowStart, now - seconds(w->ratePeriodSeconds));
    auto n = store_.countEvents(campaign_, kPublishEvent, isoMillis(since));
    if (!n)
      return n.error();
    usage.openedInWindow = *n;
  }
  if (rollout_.maxOpenPRs) {
    auto n = store_.countOpenPullRequests(campaign_, "");
    if (!n)
      return n.error();
    usage.openNow = *n;
  }
  if (rollout_.maxOpenPRsPerOwner) {
    auto n = store_.countOpenPullRequests(campaign_, owner);
    if (!n)
      return n.error();
    usage.openForOwner = *n;
  }
  return decideBudget(rollout_, usage, now);
}

} // namespace godwit
