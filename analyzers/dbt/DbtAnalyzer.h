#pragma once
// The `sql` and `yaml` analyzers of a run that knows its dbt projects (docs/dbt.md): files a dbt
// project's index has a plan for get its findings too, and in models each `{{ source(…) }}` of a
// migrated table is analyzed as that table, so its columns are renamed as in plain SQL.

#include "analyzers/Analyzer.h"

#include <memory>
#include <string_view>
#include <vector>

namespace godwit {

/// The `.sql` analyzer with the run's dbt index (`context.dbt`; without one it is the plain one).
Expected<std::unique_ptr<Analyzer>> makeDbtSqlAnalyzer(const std::vector<const Rule*>& rules,
                                                       const AnalyzerContext& context);

/// The YAML analyzer with the run's dbt index: source entries, their columns and the `source()`
/// calls in `.yml` files are added to what YAML finds.
Expected<std::unique_ptr<Analyzer>> makeDbtYamlAnalyzer(const std::vector<const Rule*>& rules,
                                                        const AnalyzerContext& context);

/// True when dbt must see `path` (relative to the root) even though no dataset name is written
/// in it (a model calling `source('core_users', 'user_profile_v1')`): the engine analyzes it
/// whatever the prefilter says.
bool dbtWantsFile(const AnalyzerContext& context, std::string_view path);

/// True when the dbt index may say something about `path` (a `.sql`, `.yml`, `.yaml` or `.py`
/// file), so the engine must not analyze it before the index is built.
bool dbtMayConcern(std::string_view path);

} // namespace godwit
