#pragma once
// What a campaign report shows, as plain data read from the store: the campaign, its waves, every
// repository with its wave, state, pull request, CI and attention items, and the event log.
// `report --format md|json|html` and the App's status page render this; they never read the
// store themselves.

#include "bot/store/Store.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace godwit {

/// One wave of the plan and how far it got.
struct ReportWave {
  int number = 0; ///< 1-based.
  size_t repositories = 0;
  std::string state;      ///< `pending`, `running`, `gated` (waiting for CI), `paused` or `done`.
  std::string startedAt;  ///< UTC, ISO 8601; empty until it starts.
  std::string finishedAt; ///< UTC, ISO 8601; empty until its gate passed.
};

/// One repository of the campaign.
struct ReportRepo {
  int64_t id = 0;       ///< Code-host id (0 when the code host was never asked).
  std::string fullName; ///< `owner/name`.
  std::string owner;    ///< Owning team.
  int tier = 0;
  int wave = 0;               ///< 1-based wave number.
  std::string waveReason;     ///< Why it is in its wave (tier, owner spread, count).
  std::string state;          ///< A RepoState spelling (bot/fleet/RepoState.h).
  int64_t pullRequest = 0;    ///< Number, 0 when none.
  std::string pullRequestUrl; ///< Empty when none.
  std::string ci;             ///< `success`, `pending`, `failure` or empty when not asked.
  int64_t filesChanged = 0;   ///< From the last analysis.
  int64_t rewrites = 0;
  int64_t attention = 0;
  std::vector<std::string> attentionItems; ///< `file:line:col: reason`, as the engine reports.
  std::string error;                       ///< The last failure, when state is retrying/failed.
  std::string updatedAt;                   ///< UTC, ISO 8601.
};

/// Everything a report renders. Events are the store's log in order: code-host mutations
/// (`push`, `pull_request.create`, …) and campaign steps (`campaign.*`, `wave.*`, `repo.*`), whose
/// `details` JSON holds the figures a burndown needs (`repo.state`: `{"state", "rewrites"}`).
struct CampaignReport {
  std::string name;            ///< The campaign: the migration's name.
  std::string description;     ///< The migration's description.
  std::string state;           ///< `planned`, `running`, `paused`, `done` or `rolling-back`.
  std::string pauseReason;     ///< Why it is paused (a gate's verdict, or `pause --reason`).
  std::string createdAt;       ///< UTC, ISO 8601.
  std::string deadline;        ///< `rollout.deadline` (YYYY-MM-DD), empty when none.
  std::string projectedFinish; ///< At the current rate; empty when there is no rate yet.
  std::string generatedAt;     ///< When the report was read.
  std::vector<ReportWave> waves;
  std::vector<ReportRepo> repos;        ///< In plan order (wave, then position).
  std::map<std::string, size_t> totals; ///< Repositories by state spelling.
  std::vector<EventRecord> events;
};

/// One campaign as an index of campaigns lists it (the App's `GET /migrations`).
struct CampaignSummary {
  std::string name;        ///< The campaign: the migration's name.
  std::string state;       ///< As CampaignReport::state has it (`dry-run` for a dry run's plan).
  std::string pauseReason; ///< Empty unless paused.
  std::string createdAt;   ///< UTC, ISO 8601.
  std::string updatedAt;   ///< UTC, ISO 8601: the campaign record's last change.
  size_t repositories = 0;
  std::map<std::string, size_t> totals; ///< Repositories by state spelling.
};

/// Every campaign of a store, by name.
struct CampaignIndex {
  std::string generatedAt; ///< When the index was read.
  std::vector<CampaignSummary> campaigns;
};

} // namespace godwit
