#include "bot/report/ReportView.h"

#include "bot/fleet/RepoState.h"
#include "bot/github/Auth.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>

namespace godwit {
namespace {

using json = nlohmann::json;

bool isOpen(const std::string& state) {
  return state == toString(RepoState::Open) || state == toString(RepoState::HumanEdited);
}

bool isMerged(const std::string& state) {
  return state == toString(RepoState::Merged);
}

struct Replayed {
  std::string state;
  int64_t rewrites = 0;
  int64_t attention = 0;
};

/// Adds `r`'s share of the figures to `p`, or takes it away.
void count(BurndownPoint& p, const Replayed& r, bool add) {
  const bool merged = isMerged(r.state);
  const int64_t remaining = (merged ? 0 : r.rewrites) + r.attention;
  const size_t open = isOpen(r.state) ? 1 : 0;
  const size_t done = merged ? 1 : 0;
  if (add) {
    p.referencesRemaining += remaining;
    p.open += open;
    p.merged += done;
  } else {
    p.referencesRemaining -= remaining;
    p.open -= open;
    p.merged -= done;
  }
}

std::string pointsText(const std::vector<std::pair<double, double>>& xy) {
  std::string out;
  char buf[48];
  for (const auto& [x, y] : xy) {
    std::snprintf(buf, sizeof buf, "%s%.1f,%.1f", out.empty() ? "" : " ", x, y);
    out += buf;
  }
  return out;
}

} // namespace

std::vector<OwnerSummary> summarizeOwners(const CampaignReport& report) {
  std::map<std::string, OwnerSummary> owners;
  for (const ReportRepo& r : report.repos) {
    const std::string name = r.owner.empty() ? "(none)" : r.owner;
    OwnerSummary& o = owners[name];
    o.owner = name;
    ++o.repositories;
    auto state = parseRepoState(r.state);
    o.finished += state && isFinal(*state) ? 1 : 0;
    o.open += isOpen(r.state) ? 1 : 0;
    o.merged += isMerged(r.state) ? 1 : 0;
    o.failed += r.state == toString(RepoState::Failed) ||
                        r.state == toString(RepoState::NeedsHuman)
                    ? 1
                    : 0;
    o.attentionItems += r.attentionItems.size();
  }
  std::vector<OwnerSummary> out;
  for (auto& [name, o] : owners)
    out.push_back(std::move(o));
  return out;
}

std::vector<BurndownPoint> burndownOf(const std::vector<EventRecord>& events) {
  std::vector<BurndownPoint> out;
  std::map<std::string, Replayed> repos;
  // The figures kept up to date event by event: summing every repository at each event would
  // take seconds for a campaign of thousands of repositories and events.
  BurndownPoint running;
  for (const EventRecord& e : events) {
    if (e.kind == "campaign.plan") {
      // A dry run's plan replaced by a real one starts the count again.
      repos.clear();
      running = {};
      running.at = e.at;
      out.push_back(running);
      continue;
    }
    if (e.kind != "repo.state" || e.repository.empty())
      continue;
    const json details = json::parse(e.details, nullptr, false);
    if (!details.is_object())
      continue;
    Replayed& r = repos[e.repository];
    count(running, r, false);
    if (details.contains("state") && details["state"].is_string())
      r.state = details["state"].get<std::string>();
    if (details.contains("rewrites") && details["rewrites"].is_number_integer())
      r.rewrites = details["rewrites"].get<int64_t>();
    if (details.contains("attention") && details["attention"].is_number_integer())
      r.attention = details["attention"].get<int64_t>();
    count(running, r, true);
    running.at = e.at;
    out.push_back(running);
  }
  return out;
}

BurndownChart layoutBurndown(const std::vector<BurndownPoint>& points) {
  BurndownChart chart;
  double highest = 1;
  for (const BurndownPoint& p : points)
    highest = std::max({highest, static_cast<double>(p.referencesRemaining),
                        static_cast<double>(p.open), static_cast<double>(p.merged)});
  // Round the scale up to a multiple of 4 so that the four grid lines fall on whole numbers.
  const double top = std::ceil(highest / 4) * 4;
  for (int i = 0; i <= 4; ++i) {
    const double value = top * i / 4;
    const int y = chart.bottom - static_cast<int>(std::lround((chart.bottom - chart.top) * i / 4.0));
    chart.yTicks.push_back({y, std::to_string(static_cast<int64_t>(value))});
  }
  if (points.empty())
    return chart;

  std::vector<double> seconds;
  for (const BurndownPoint& p : points) {
    auto t = parseIsoUtc(p.at);
    seconds.push_back(t ? std::chrono::duration<double>(t->time_since_epoch()).count() : 0);
  }
  const double t0 = *std::min_element(seconds.begin(), seconds.end());
  const double t1 = *std::max_element(seconds.begin(), seconds.end());
  const auto xOf = [&](size_t i) {
    const double share = t1 > t0    ? (seconds[i] - t0) / (t1 - t0)
                         : points.size() > 1 ? static_cast<double>(i) / (points.size() - 1)
                                             : 0.5;
    return chart.left + share * (chart.right - chart.left);
  };
  const auto yOf = [&](double v) { return chart.bottom - v / top * (chart.bottom - chart.top); };
  std::vector<std::pair<double, double>> remaining, open, merged;
  for (size_t i = 0; i < points.size(); ++i) {
    const double x = xOf(i);
    remaining.emplace_back(x, yOf(static_cast<double>(points[i].referencesRemaining)));
    open.emplace_back(x, yOf(static_cast<double>(points[i].open)));
    merged.emplace_back(x, yOf(static_cast<double>(points[i].merged)));
  }
  chart.remainingPoints = pointsText(remaining);
  chart.openPoints = pointsText(open);
  chart.mergedPoints = pointsText(merged);
  chart.firstAt = points.front().at.substr(0, 16);
  chart.lastAt = points.back().at.substr(0, 16);
  return chart;
}

} // namespace godwit
