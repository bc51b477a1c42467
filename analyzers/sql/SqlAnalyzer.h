#pragma once
// The `sql` language: a `.sql` file is one SQL value. Template blocks (`{{ … }}`, `{% … %}`,
// `{# … #}` of dbt and Airflow, `${…}` of Hive and Spark) are masked, so the SQL around them is
// still analyzed.

#include "analyzers/Analyzer.h"
#include "analyzers/DecodedString.h"

#include <memory>
#include <string_view>
#include <vector>

namespace godwit {

/// Decodes a whole `.sql` file: one piece with the identity offset map (a UTF-8 byte order mark
/// excluded); each template expression (`{{ … }}`, `${…}`) is one hole, each template statement
/// or comment (`{% … %}`, `{# … #}`) one blank. Edits are written back as they are.
DecodedString decodeSqlFile(std::string_view text);

/// The closing delimiter of the template block that opens at `text[at]` (`}}` for `{{`, `%}`
/// for `{%`, `#}` for `{#`, `}` for `${`); empty when none opens there.
std::string_view templateCloser(std::string_view text, size_t at);

/// The analyzer of `.sql` files. Rule packs do not apply to SQL files: `rules` must be empty.
Expected<std::unique_ptr<Analyzer>> makeSqlAnalyzer(const std::vector<const Rule*>& rules);

} // namespace godwit
