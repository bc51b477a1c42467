#pragma once
// The migration file: what a dataset owner asks for (see docs/migration-format.md).

#include "rules/Expected.h"

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
};

/// Parses and validates migration YAML; errors carry `path`, line and column and a fix hint.
Expected<Migration> parseMigration(std::string_view yaml, const std::string& path);

/// The largest migration file loadMigration reads.
inline constexpr size_t kMaxMigrationBytes = 16u << 20;

/// Reads the file at `path` (a regular file of at most kMaxMigrationBytes) and parses it with
/// parseMigration.
Expected<Migration> loadMigration(const std::string& path);

} // namespace godwit
