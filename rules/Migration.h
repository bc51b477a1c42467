#pragma once
// The migration file: what a dataset owner asks for (see docs/migration-format.md).

#include "rules/Expected.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace godwit {

/// The kinds of dataset a migration can move.
enum class DatasetKind { BigQueryTable, BigQueryDataset, GcsPrefix, HiveTable, KafkaTopic, Literal };

/// The kind's spelling in migration files, e.g. `bigquery-table`.
std::string_view kindName(DatasetKind kind);

/// Parses a kind's spelling; nullopt when unknown.
std::optional<DatasetKind> parseKind(std::string_view name);

/// A 1-based position in the migration file; 0 when unknown.
struct SourcePos {
  int line = 0;
  int column = 0;
};

/// Column changes of a table: renames (old → new, in file order) and removed columns.
struct ColumnChanges {
  std::vector<std::pair<std::string, std::string>> rename;
  std::vector<std::string> removed;
};

/// One dataset that moves from `from` to `to`.
struct DatasetSpec {
  DatasetKind kind = DatasetKind::Literal;
  std::string from;
  std::string to;
  ColumnChanges columns;
  SourcePos pos; ///< Where the dataset's entry starts in the migration file.
};

/// The optional `pullRequest:` section: how the bot's pull requests look.
struct PullRequestSettings {
  std::string title;                              ///< Empty: godwit's default title.
  std::string body;                               ///< Markdown shown first in the PR body.
  std::optional<std::vector<std::string>> labels; ///< Absent: `godwit`, `dataset-migration`.
  bool draft = false;
  std::vector<std::string> reviewers; ///< Logins, or `org/team` for teams.
};

/// One step of `rollout.waves`: how much of the fleet is rolled out once the wave is done,
/// cumulative: a share (`25%`) or a count (`10`).
struct WaveStep {
  bool percent = false;
  double value = 0; ///< A percentage in (0, 100], or a count >= 1.
};

/// One entry of `rollout.windows` (Sourcegraph's rollout windows): when pull requests may be
/// opened, in UTC, and how many.
struct RolloutWindow {
  std::vector<int> days;   ///< 0 = Sunday … 6 = Saturday; empty means every day.
  int startMinute = 0;     ///< Minutes after 00:00 UTC, inclusive (`start: "09:00"`).
  int endMinute = 24 * 60; ///< Minutes after 00:00 UTC, exclusive (`end: "17:00"`).
  std::optional<int> rate; ///< Pull requests per `ratePeriodSeconds`; nullopt means unlimited.
  int64_t ratePeriodSeconds = 3600;
};

/// The optional `rollout:` section: how `godwit-runner` rolls the migration out over a fleet
/// (docs/runner.md).
struct RolloutSettings {
  std::vector<WaveStep> waves;        ///< Empty means one wave of every repository.
  uint64_t seed = 0;                  ///< Spreads owners across waves.
  int64_t gateTimeoutSeconds = 86400; ///< `gate.timeout`: how long a gate waits for CI.
  double maxFailureRatio = 0.2;       ///< `gate.maxFailureRatio`: above it, the campaign pauses.
  std::optional<double> minMergedRatio; ///< `gate.minMergedRatio`: below it at the timeout, pause.
  std::optional<int> prsPerHour;        ///< Pull requests opened per rolling hour.
  std::optional<int> maxOpenPRs;        ///< Bot pull requests open at once.
  std::optional<int> maxOpenPRsPerOwner; ///< Bot pull requests open at once per owning team.
  std::vector<RolloutWindow> windows;    ///< Empty means any time.
  std::string deadline;                  ///< `YYYY-MM-DD`; empty means none.
  std::string notifyWebhook;             ///< `notify.webhook`: URL for JSON POSTs; may be empty.
};

/// The optional `backstage:` section: where the dataset is in a Backstage catalog, for the
/// Backstage inventory of `godwit-runner` (docs/runner.md).
struct BackstageSettings {
  /// `entity`: the dataset's catalog entity as a full reference, lower-cased, e.g.
  /// `resource:default/user-profile` (a reference without a namespace gets `default`). Empty when
  /// not given: then no component counts as a catalog consumer.
  std::string entity;
  /// `filter`: the catalog filters (`key=value,…`, any one matching) of the components listed
  /// besides the consumers; empty means every `kind=component`.
  std::vector<std::string> filter;
};

/// A validated migration file.
struct Migration {
  std::string path; ///< The file it was read from, as given.
  std::string apiVersion;
  std::string name;
  std::string description;
  std::vector<DatasetSpec> datasets;
  std::vector<std::string> exclude; ///< Globs of paths (relative to the scanned root) to skip.
  std::string docs;                 ///< URL of the migration's documentation; may be empty.
  std::optional<PullRequestSettings> pullRequest;
  std::optional<RolloutSettings> rollout;
  std::optional<BackstageSettings> backstage;
};

/// Parses and validates migration YAML; errors carry `path`, line and column and a fix hint.
Expected<Migration> parseMigration(std::string_view yaml, const std::string& path);

/// The largest migration file loadMigration reads.
inline constexpr size_t kMaxMigrationBytes = 16u << 20;

/// Reads the file at `path` (a regular file of at most kMaxMigrationBytes) and parses it with
/// parseMigration.
Expected<Migration> loadMigration(const std::string& path);

} // namespace godwit
