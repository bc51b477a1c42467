#pragma once
// SQL analysis of decoded values (a `.sql` file, or SQL held in a string): dataset references
// with their SQL position, column renames and removals of migrated tables, wildcard tables and
// Kafka topic patterns. See docs/sql.md.

#include "analyzers/Finding.h"
#include "rules/DatasetMatcher.h"
#include "rules/RulePack.h"

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace godwit {

/// One change of a decoded value: value bytes [begin, end) become `text`.
struct ValueChange {
  size_t begin = 0;
  size_t end = 0;
  std::string text;
};

/// A reference to a dataset in one decoded value, in value bytes.
struct ValueReference {
  size_t matcher = 0; ///< Index of the dataset's matcher in the span given.
  size_t begin = 0;   ///< Value bytes the reference covers.
  size_t end = 0;
  Action action = Action::Rewrite;
  std::string replacement; ///< Rewrite: what the reference becomes.
  std::string reason;      ///< Attention: why a human must decide.
  /// Where SQL analysis found it, e.g. `sql.from`, `sql.column`; empty outside SQL.
  std::string context;
  /// True when `context` names what the reference is (a column, a wildcard table) and wins over
  /// the host's context; false when it only applies where the host has none (a `.sql` file).
  bool ownContext = false;
  Access access = Access::Unknown; ///< Read or write when SQL tells; Unknown otherwise.
  /// For kinds whose names are words (topics): Takes in a DDL option that names topics
  /// (`'topic' = '…'`), TakesOther anywhere else in SQL; Unknown outside SQL.
  Sink sink = Sink::Unknown;
  /// Rewrite: every change made with it. A column renamed with its table also lists the
  /// table's changes, so it is never made without them.
  std::vector<ValueChange> changes;
};

/// Why value bytes [begin, end) cannot be changed in the source, or empty when they can; an
/// empty range is an insertion at `begin`.
using ChangeCheck = std::function<std::string(size_t begin, size_t end)>;

/// The references every matcher finds in `value`, without SQL analysis.
std::vector<ValueReference> plainReferences(std::string_view value,
                                            std::span<const DatasetMatcher> matchers);

/// The references in `value` read as SQL: the matchers' references with their SQL position,
/// plus column renames and removals (`columns` of bigquery-table and hive-table datasets),
/// qualifiers that name a renamed table, wildcard tables and topic patterns that may include a
/// dataset. kHole bytes and template blocks are opaque. When a column change fails `check`, the
/// table and its columns in that statement become attention together.
std::vector<ValueReference> sqlReferences(std::string_view value,
                                          std::span<const DatasetMatcher> matchers,
                                          const ChangeCheck& check = {});

/// What the migration changes in the columns of a table dataset (`bigquery-table`,
/// `hive-table`), e.g. `country_code → country, legacy_segment removed`; empty when the dataset
/// is no table or its columns stay.
std::string columnChangesSummary(const DatasetSpec& spec);

/// True when `value` starts like a SQL statement (`SELECT`, `WITH`, `INSERT`, `MERGE`,
/// `CREATE`, …, after whitespace, comments and `(`) and lexes without errors.
bool looksLikeSql(std::string_view value);

/// Unterminated strings, quoted names and comments, and unbalanced brackets in `text`.
int sqlSyntaxErrors(std::string_view text);

} // namespace godwit
