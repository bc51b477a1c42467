#include "bot/fleet/RepoResult.h"

#include <nlohmann/json.hpp>

namespace godwit {

RepoState repoStateAfter(const LifecycleResult& r) {
  switch (r.outcome) {
  case LifecycleOutcome::Skipped:
    return RepoState::Skipped;
  case LifecycleOutcome::NoChanges:
    return r.attention > 0 ? RepoState::Attention : RepoState::NoChanges;
  case LifecycleOutcome::Merged:
    return RepoState::Merged;
  case LifecycleOutcome::Closed:
  case LifecycleOutcome::ClosedByHuman:
    return RepoState::Closed;
  case LifecycleOutcome::HumanEdited:
    return RepoState::HumanEdited;
  case LifecycleOutcome::Failed:
    return RepoState::Failed;
  case LifecycleOutcome::Deferred:
    return RepoState::Scheduled;
  case LifecycleOutcome::OptedOut:
    return RepoState::OptedOut;
  case LifecycleOutcome::InvalidConfig:
    return RepoState::InvalidConfig;
  case LifecycleOutcome::Opened:
  case LifecycleOutcome::Updated:
  case LifecycleOutcome::Unchanged:
    break;
  }
  switch (r.state) {
  case DisplayState::Merged:
    return RepoState::Merged;
  case DisplayState::Closed:
    return RepoState::Closed;
  default:
    return RepoState::Open;
  }
}

void applyLifecycleResult(CampaignRepoRecord& row, const LifecycleResult& r,
                          const std::string& digest) {
  row.state = std::string(toString(repoStateAfter(r)));
  if (r.repositoryId)
    row.repositoryId = r.repositoryId;
  row.failures = 0;
  row.note = r.warnings.empty() ? std::string(toString(r.outcome)) : r.warnings.front();
  if (r.pullRequest) {
    row.pullRequest = r.pullRequest->number;
    row.pullRequestUrl = r.pullRequest->htmlUrl;
  }
  if (!r.headSha.empty())
    row.headSha = r.headSha;
  row.filesChanged = static_cast<int64_t>(r.filesChanged);
  row.rewrites = static_cast<int64_t>(r.rewrites);
  row.attention = static_cast<int64_t>(r.attention);
  row.attentionItems = nlohmann::json(r.attentionItems).dump();
  row.analyzedBase = r.baseSha;
  row.analyzedDigest = digest;
}

} // namespace godwit
