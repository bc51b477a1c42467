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

private:
  const SourceFile& file_;
  LineIndex lines_;
  std::vector<Finding> findings_;
};

/// Sets a finding's context, rule and access for the expression at source bytes [begin, end).
using ContextFor = std::function<void(uint32_t begin, uint32_t end, Finding& f)>;

/// True for a reference made only of source bytes [lo, hi) outside its expression that is
/// reported elsewhere (e.g. where the constant holding it is defined).
using ReportedElsewhere = std::function<bool(uint32_t lo, uint32_t hi)>;

/// Whether a value is analyzed as SQL (analyzers/sql/Sql.h).
enum class ValueSyntax {
  Detect, ///< SQL when the value starts like a SQL statement (looksLikeSql).
  Sql,    ///< SQL: a `.sql` file, or an argument a rule of kind `sql` says takes SQL.
  Plain,  ///< Never SQL.
};

/// Matches every dataset in `value`, the decoded expression at source bytes [begin, end), and
/// adds one finding per reference: a rewrite with its value changes, or attention. SQL values
/// also get findings for the columns of migrated tables (see `sqlReferences`).
void addValueFindings(FindingCollector& out, const DecodedString& value, uint32_t begin,
                      uint32_t end, std::span<const DatasetMatcher> matchers,
                      const ContextFor& context, const ReportedElsewhere& reportedElsewhere = {},
                      ValueSyntax syntax = ValueSyntax::Detect);

} // namespace godwit
