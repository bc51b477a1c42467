#pragma once
// dbt projects (docs/dbt.md): the sources their `.yml` files declare, resolved to the datasets a
// migration moves, and every `source()` call that names one of them. Built once per run, after
// the walk and before any file is analyzed, because a source table's rename is one decision for
// the whole project: its `.yml` entry and all its calls change together or not at all. The SQL
// and YAML analyzers read the result through `AnalyzerContext::dbt`.

#include "analyzers/FileWalker.h"
#include "analyzers/Finding.h"
#include "rules/DatasetMatcher.h"

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace godwit {

/// One call of dbt's `source()` in Jinja (or Python) text, in bytes of the text scanned.
struct DbtSourceCall {
  size_t begin = 0; ///< From `source` to the closing parenthesis.
  size_t end = 0;
  /// The arguments when each is one string literal; nullopt when computed (a variable, `~`, …).
  std::optional<std::string> source;
  std::optional<std::string> table;
  size_t tableBegin = 0; ///< The table literal's content, without its quotes (when `table`).
  size_t tableEnd = 0;
  char tableQuote = 0;
  size_t blockBegin = 0;    ///< The template block holding the call (`{{ … }}`, `{% … %}`), or
  size_t blockEnd = 0;      ///< the whole text when it was scanned as an expression.
  bool standsAlone = false; ///< The block is `{{ source(…) }}` and nothing else: SQL reads it as
                            ///< the table.
};

/// Every `source(…)` call in `text`. With `templateBlocks` (a `.sql` file) only calls inside
/// `{{ … }}` and `{% … %}` blocks count (comments `{# … #}` never); otherwise the whole text is
/// an expression (a Python model, a YAML value such as a test's `to:`).
std::vector<DbtSourceCall> findDbtSourceCalls(std::string_view text, bool templateBlocks);

/// A `{{ source('s', 't') }}` block of a `.sql` file that names a migrated table: the SQL around
/// it is analyzed as if the block were the table, so its columns are renamed like in plain SQL.
struct DbtStandIn {
  uint32_t begin = 0; ///< Source bytes of the block.
  uint32_t end = 0;
  /// What dbt renders the block as on BigQuery, e.g. `` `acme-prod`.`core_users`.`user_profile_v1`
  /// ``.
  std::string relation;
  Action action = Action::Rewrite; ///< The source table's decision; its columns follow it.
  std::string reason;              ///< Attention: why the table is not moved.
  /// Changes every column rename of the block's table also carries (the call's own edit, when
  /// the table's `name` is renamed), so that none is made without the others.
  std::vector<ValueEdit> changes;
  bool suppressed = false; ///< A `godwit:ignore` holds back the table's changes.
};

/// What dbt knows about one file of the run.
struct DbtFilePlan {
  /// Complete findings (positions, suppression): source entries, columns and calls.
  std::vector<Finding> findings;
  std::vector<DbtStandIn> standIns; ///< `.sql` files: in file order.
};

/// One dbt project found under the root.
struct DbtProjectInfo {
  std::string dir;                     ///< Relative to the root, `/`-separated; "" for the root.
  std::string name;                    ///< The project's `name`.
  std::vector<std::string> modelPaths; ///< `model-paths` (default `models`), relative to `dir`.
};

/// The dbt projects of a run, resolved against the run's datasets.
class DbtProjects {
public:
  /// dbt's plan for `path` (relative to the root), or nullptr when dbt has nothing to add.
  const DbtFilePlan* file(std::string_view path) const;
  /// The projects found, in path order.
  const std::vector<DbtProjectInfo>& projects() const { return projects_; }

private:
  friend std::shared_ptr<const DbtProjects> indexDbtProjects(const std::filesystem::path&,
                                                             const std::vector<WalkEntry>&,
                                                             std::span<const DatasetMatcher>);
  std::vector<DbtProjectInfo> projects_;
  std::map<std::string, DbtFilePlan, std::less<>> files_;
};

/// True when dbt can concern the migration: one of its datasets is a BigQuery table or dataset
/// (dbt sources are BigQuery relations here).
bool dbtConcernsMigration(std::span<const DatasetMatcher> matchers);

/// Finds the dbt projects (`dbt_project.yml`) that hold the walked `files` (relative to `root`),
/// reads their sources and every `source()` call in them, and decides what changes for each
/// source table that resolves to one of `matchers`' datasets. nullptr when no project is found
/// or no dataset is a BigQuery table or dataset (dbt sources are BigQuery relations here).
std::shared_ptr<const DbtProjects> indexDbtProjects(const std::filesystem::path& root,
                                                    const std::vector<WalkEntry>& files,
                                                    std::span<const DatasetMatcher> matchers);

} // namespace godwit
