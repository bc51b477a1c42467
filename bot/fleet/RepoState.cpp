#include "bot/fleet/RepoState.h"

#include <utility>

namespace godwit {
namespace {

constexpr std::pair<RepoState, std::string_view> kNames[] = {
    {RepoState::Pending, "pending"},
    {RepoState::Scheduled, "scheduled"},
    {RepoState::Running, "running"},
    {RepoState::Retrying, "retrying"},
    {RepoState::NoChanges, "no-changes"},
    {RepoState::Attention, "attention"},
    {RepoState::OptedOut, "opted-out"},
    {RepoState::InvalidConfig, "invalid-config"},
    {RepoState::Skipped, "skipped"},
    {RepoState::Open, "open"},
    {RepoState::HumanEdited, "human-edited"},
    {RepoState::Merged, "merged"},
    {RepoState::Closed, "closed"},
    {RepoState::Failed, "failed"},
    {RepoState::RolledBack, "rolled-back"},
    {RepoState::Reverting, "reverting"},
    {RepoState::NeedsHuman, "needs-human"},
};

} // namespace

std::string_view toString(RepoState state) {
  for (const auto& [s, name] : kNames)
    if (s == state)
      return name;
  return "unknown";
}

std::optional<RepoState> parseRepoState(std::string_view text) {
  for (const auto& [s, name] : kNames)
    if (name == text)
      return s;
  return std::nullopt;
}

bool isFinal(RepoState state) {
  switch (state) {
  case RepoState::Pending:
  case RepoState::Scheduled:
  case RepoState::Running:
  case RepoState::Retrying:
    return false;
  default:
    return true;
  }
}

Expected<std::map<std::string, size_t>> campaignStateTotals(Store& store,
                                                           const std::string& campaign) {
  Expected<std::vector<CampaignRepoRecord>> rows = store.campaignRepos(campaign);
  if (!rows)
    return rows.error();
  std::map<std::string, size_t> totals;
  for (const CampaignRepoRecord& r : *rows)
    ++totals[r.state];
  return totals;
}

} // namespace godwit
