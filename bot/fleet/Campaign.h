#pragma once
// A campaign's record in the store: made from the plan on the first sweep, paused and resumed by
// people or gates, and read back as the report's data.

#include "bot/fleet/CampaignReport.h"
#include "bot/fleet/FleetRepo.h"
#include "bot/github/RateLimit.h"
#include "bot/store/Store.h"
#include "rules/Migration.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace godwit {

/// A digest of the migration file's text: a changed migration is analyzed again.
std::string migrationDigest(std::string_view text);

/// The migration's rollout settings, or the defaults when it has no `rollout:` section.
RolloutSettings rolloutOf(const Migration& migration);

/// A campaign event (`wave.start`, `repo.state`, …) at `at` with JSON `details`, about `repo`
/// when given.
EventRecord campaignEvent(const std::string& campaign, const std::string& kind,
                          WallClock::time_point at, const std::string& details = "{}",
                          const CampaignRepoRecord* repo = nullptr);

/// Appends a campaign event (`wave.start`, `repo.state`, …) at `at` with JSON `details`.
Expected<void> logCampaignEvent(Store& store, const std::string& campaign, const std::string& kind,
                                WallClock::time_point at, const std::string& details = "{}",
                                const CampaignRepoRecord* repo = nullptr);

/// Loads the campaign of `migration`. A new one is planned from `inventory` (planWaves) and saved
/// with its waves and repositories; a dry run's campaign is replaced by a real sweep's. Existing
/// campaigns keep their plan; repositories listed since join the last wave.
Expected<CampaignRecord> ensureCampaign(Store& store, const Migration& migration,
                                        const std::string& digest,
                                        const std::vector<FleetRepo>& inventory, bool dryRun,
                                        WallClock::time_point now);

/// Pauses the campaign `name` with `reason`; it stays paused across restarts until resumed.
Expected<void> pauseCampaign(Store& store, const std::string& name, const std::string& reason,
                             WallClock::time_point now);

/// Resumes the campaign `name`: a gate that paused it counts as passed (a person decided).
Expected<void> resumeCampaign(Store& store, const std::string& name, WallClock::time_point now);

/// Reads the campaign `name` as report data; `rollout` gives the deadline and the projection.
Expected<CampaignReport> loadCampaignReport(Store& store, const std::string& name,
                                            const RolloutSettings& rollout,
                                            WallClock::time_point now);

/// The report of the campaign `name` for a reader that has no migration file of its own (the
/// App's status page): the deadline and description come from the campaign's `migrationPath`
/// when that file still loads, else the report has none. nullopt when there is no such campaign.
Expected<std::optional<CampaignReport>> loadCampaignStatus(Store& store, const std::string& name,
                                                           WallClock::time_point now);

/// Every campaign of the store with its repositories by state.
Expected<CampaignIndex> loadCampaignIndex(Store& store, WallClock::time_point now);

} // namespace godwit
