#pragma once
// Decoded values ─► findings: the part every analyzer shares once it has decoded a value (a
// tree-sitter string expression, a config file's value). Positions, `godwit:ignore`, matching.

#include "analyzers/Analyzer.h"
#include "analyzers/DecodedString.h"
#include "analyzers/Finding.h"
#include "rules/DatasetMatcher.h"

#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

namespace godwit {

/// Line starts of a text, for 1-based line and byte-column positions.
class LineIndex {
public:
  explicit LineIndex(std::string_view text);
  /// The 1-based line and byte column of `offset`.
  std::pair<int, int> position(size_t offset) const;
  /// The text of 1-based `line` with its line break; empty when there is no such line.
  std::string_view line(std::string_view text, int line) const;

private:
  std::vector<uint32_t> starts_;
};

/// Collects one file's findings: fills in the file, the positions and `godwit:ignore`
/// suppression (a comment on the finding's line or the line above).
class FindingCollector {
public:
  explicit FindingCollector(const SourceFile& file);
  /// Adds `f` for source bytes [begin, end).
  void add(Finding f, size_t begin, size_t end);
  /// The findings so far, in the order they were added.
  std::vector<Finding>& findings() { return findings_; }
  /// Records that the reference at source bytes [lo, hi) is attention for `reason` although its
  /// bytes could be edited (a table whose columns change, named outside SQL).
  void holdBack(uint32_t lo, uint32_t hi, std::string reason);
  /// Records that a rewrite changing source bytes [lo, hi) is attention for `reason` (a constant
  /// that a command godwit leaves to a human also uses).
  void holdBytes(uint32_t lo, uint32_t hi, std::string reason);
  /// Turns every rewrite that would change held-back bytes (a column renamed in a query that
  /// reaches its table through a constant) into attention: it is made only with the table.
  void demoteHeldBack();

private:
  struct Held {
    uint32_t lo, hi;
    std::string reason;
    bool withTable = true; ///< holdBack(): the reason is the table's.
  };
  /// Whether 1-based `line` holds `godwit:ignore`; each line is searched once, however many
  /// findings it has.
  bool ignoredLine(int line);

  const SourceFile& file_;
  LineIndex lines_;
  std::vector<signed char> ignored_; ///< per line: -1 not searched yet, else 0 or 1
  std::vector<Finding> findings_;
  std::vector<Held> held_;
};

/// The identifier that source bytes at `offset` are given to or passed to, read backwards over
/// blanks, `=`, `(`, `{`, `,` and other string literals (`kTopic = "…"`, `Subscribe("…")`,
/// `kTopics = {"a", "…"}`, `#define TOPIC "…"`); empty when there is none within a short reach.
std::string_view nameBefore(std::string_view text, size_t offset);

/// Sets a finding's context, rule and access for the expression at source bytes [begin, end).
using ContextFor = std::function<void(uint32_t begin, uint32_t end, Finding& f)>;

/// True for a reference made only of source bytes [lo, hi) outside its expression that is
/// reported elsewhere (e.g. where the constant holding it is defined).
using ReportedElsewhere = std::function<bool(uint32_t lo, uint32_t hi)>;

/// True when a reference made of source bytes [lo, hi) to the table of `matchers[matcher]`,
/// whose columns change, reaches only SQL that godwit analyzed (e.g. a constant used only in
/// the file's queries), which changes the columns with the table.
using ColumnsFollow = std::function<bool(uint32_t lo, uint32_t hi, size_t matcher)>;

/// Whether a value is analyzed as SQL (analyzers/sql/Sql.h).
enum class ValueSyntax {
  Detect, ///< SQL when the value starts like a SQL statement (looksLikeSql).
  Sql,    ///< SQL: a `.sql` file, or an argument a rule of kind `sql` says takes SQL.
  Plain,  ///< Never SQL.
};

/// Matches every dataset in `value`, the decoded expression at source bytes [begin, end), and
/// adds one finding per reference: a rewrite with its value changes, or attention. SQL values
/// also get findings for the columns of migrated tables (see `sqlReferences`). Outside SQL, a
/// table whose columns change is attention naming them, unless `columnsFollow` says its SQL
/// changes them: the code around it may use the old names.
void addValueFindings(FindingCollector& out, const DecodedString& value, uint32_t begin,
                      uint32_t end, std::span<const DatasetMatcher> matchers,
                      const ContextFor& context, const ReportedElsewhere& reportedElsewhere = {},
                      ValueSyntax syntax = ValueSyntax::Detect,
                      const ColumnsFollow& columnsFollow = {});

/// Turns rewrite `f` into attention for `reason`, dropping its changes.
void holdWithReason(Finding& f, std::string reason);

/// Applies a rule's `attention:` to `f` (RulePack.h): a rewrite becomes attention for that reason.
/// A ContextFor that calls it before the action is known sets the reason addValueFindings keeps.
void holdForRule(const Rule& rule, Finding& f);

/// Turns a rewrite of a table whose columns change (`columns` in the migration) into attention
/// naming them, for a reference godwit found outside SQL: the code that reads or writes the
/// table there may use the old column names. No change for other datasets; true when held.
bool holdBackWithoutColumns(Finding& f, const DatasetSpec& spec);

} // namespace godwit
