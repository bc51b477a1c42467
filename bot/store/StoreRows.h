#pragma once
// What both stores read: the columns of each table's records, in one order, and the records made
// of a row of them. `Row` reads the current row's column i: text(i) (empty for NULL),
// integer(i) (0 for NULL; 1 or 0 for a boolean) and isNull(i).

#include "bot/store/Store.h"

namespace godwit::storerows {

inline constexpr const char* kRepositoryColumns =
    "SELECT id, full_name, default_branch, html_url, archived, updated_at FROM repositories ";

template <class Row> RepositoryRecord readRepository(const Row& s) {
  RepositoryRecord r;
  r.id = s.integer(0);
  r.fullName = s.text(1);
  r.defaultBranch = s.text(2);
  r.htmlUrl = s.text(3);
  r.archived = s.integer(4) != 0;
  r.updatedAt = s.text(5);
  return r;
}

inline constexpr const char* kPullRequestColumns =
    "SELECT migration, repository_id, branch, base_branch, number, html_url, title, base_sha, "
    "head_sha, publication_state, reconcile_state, external_state, num_failures, last_error, "
    "human_edited, closed_by_bot, updated_at FROM pull_requests ";

template <class Row> PullRequestRecord readPullRequest(const Row& s) {
  PullRequestRecord p;
  p.migration = s.text(0);
  p.repositoryId = s.integer(1);
  p.branch = s.text(2);
  p.baseBranch = s.text(3);
  p.number = s.integer(4);
  p.htmlUrl = s.text(5);
  p.title = s.text(6);
  p.baseSha = s.text(7);
  p.headSha = s.text(8);
  // The CHECK constraints keep these spellings valid.
  p.publication = parsePublicationState(s.text(9)).value_or(PublicationState::Unpublished);
  p.reconcile = parseReconcileState(s.text(10)).value_or(ReconcileState::Queued);
  if (!s.isNull(11))
    p.external = parseExternalState(s.text(11));
  p.numFailures = static_cast<int>(s.integer(12));
  p.lastError = s.text(13);
  p.humanEdited = s.integer(14) != 0;
  p.closedByBot = s.integer(15) != 0;
  p.updatedAt = s.text(16);
  return p;
}

inline constexpr const char* kRunColumns =
    "SELECT id, migration, repository_id, started_at, finished_at, outcome, base_sha, head_sha, "
    "files_changed, rewrites, attention, error FROM runs ";

template <class Row> RunRecord readRun(const Row& s) {
  RunRecord r;
  r.id = s.integer(0);
  r.migration = s.text(1);
  r.repositoryId = s.integer(2);
  r.startedAt = s.text(3);
  r.finishedAt = s.text(4);
  r.outcome = s.text(5);
  r.baseSha = s.text(6);
  r.headSha = s.text(7);
  r.filesChanged = s.integer(8);
  r.rewrites = s.integer(9);
  r.attention = s.integer(10);
  r.error = s.text(11);
  return r;
}

inline constexpr const char* kCampaignRepoColumns =
    "SELECT campaign, full_name, repository_id, clone_url, owner, tier, wave, position, "
    "wave_reason, state, note, pull_request, pull_request_url, head_sha, ci, files_changed, "
    "rewrites, attention, attention_items, analyzed_base, analyzed_digest, publishing_since, "
    "failures, updated_at FROM campaign_repos ";

template <class Row> CampaignRepoRecord readCampaignRepo(const Row& s) {
  CampaignRepoRecord r;
  r.campaign = s.text(0);
  r.fullName = s.text(1);
  r.repositoryId = s.integer(2);
  r.cloneUrl = s.text(3);
  r.owner = s.text(4);
  r.tier = static_cast<int>(s.integer(5));
  r.wave = static_cast<int>(s.integer(6));
  r.position = static_cast<int>(s.integer(7));
  r.waveReason = s.text(8);
  r.state = s.text(9);
  r.note = s.text(10);
  r.pullRequest = s.integer(11);
  r.pullRequestUrl = s.text(12);
  r.headSha = s.text(13);
  r.ci = s.text(14);
  r.filesChanged = s.integer(15);
  r.rewrites = s.integer(16);
  r.attention = s.integer(17);
  r.attentionItems = s.text(18);
  r.analyzedBase = s.text(19);
  r.analyzedDigest = s.text(20);
  r.publishingSince = s.text(21);
  r.failures = static_cast<int>(s.integer(22));
  r.updatedAt = s.text(23);
  return r;
}

inline constexpr const char* kEventColumns =
    "SELECT id, at, kind, migration, repository_id, repository, pull_request, details FROM events ";

template <class Row> EventRecord readEvent(const Row& s) {
  EventRecord e;
  e.id = s.integer(0);
  e.at = s.text(1);
  e.kind = s.text(2);
  e.migration = s.text(3);
  e.repositoryId = s.integer(4);
  e.repository = s.text(5);
  e.pullRequest = s.integer(6);
  e.details = s.text(7);
  return e;
}

inline constexpr const char* kCampaignColumns =
    "SELECT name, migration_path, migration_digest, state, pause_reason, dry_run, created_at, "
    "updated_at FROM campaigns ";

template <class Row> CampaignRecord readCampaign(const Row& s) {
  CampaignRecord c;
  c.name = s.text(0);
  c.migrationPath = s.text(1);
  c.migrationDigest = s.text(2);
  c.state = s.text(3);
  c.pauseReason = s.text(4);
  c.dryRun = s.integer(5) != 0;
  c.createdAt = s.text(6);
  c.updatedAt = s.text(7);
  return c;
}

inline constexpr const char* kWaveColumns =
    "SELECT campaign, number, state, started_at, gated_at, passed_at FROM campaign_waves ";

template <class Row> WaveRecord readWave(const Row& s) {
  WaveRecord w;
  w.campaign = s.text(0);
  w.number = static_cast<int>(s.integer(1));
  w.state = s.text(2);
  w.startedAt = s.text(3);
  w.gatedAt = s.text(4);
  w.passedAt = s.text(5);
  return w;
}

inline constexpr const char* kDeliveryFields =
    "id, delivery_id, event, action, repository_id, installation_id, payload, state, attempts, "
    "not_before, last_error, received_at, locked_by, lease_until, updated_at";

template <class Row> DeliveryRecord readDelivery(const Row& s) {
  DeliveryRecord d;
  d.id = s.integer(0);
  d.deliveryId = s.text(1);
  d.event = s.text(2);
  d.action = s.text(3);
  d.repositoryId = s.integer(4);
  d.installationId = s.integer(5);
  d.payload = s.text(6);
  d.state = s.text(7);
  d.attempts = static_cast<int>(s.integer(8));
  d.notBefore = s.text(9);
  d.lastError = s.text(10);
  d.receivedAt = s.text(11);
  d.lockedBy = s.text(12);
  d.leaseUntil = s.text(13);
  d.updatedAt = s.text(14);
  return d;
}

/// The state a finished delivery is left in.
inline const char* deliveryState(DeliveryOutcome outcome) {
  switch (outcome) {
  case DeliveryOutcome::Done:
    return "done";
  case DeliveryOutcome::Ignored:
    return "ignored";
  case DeliveryOutcome::Failed:
    return "failed";
  case DeliveryOutcome::Retry:
    break;
  }
  return "queued";
}

} // namespace godwit::storerows
