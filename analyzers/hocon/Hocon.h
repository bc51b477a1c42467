#pragma once
// HOCON files (.conf, .hocon; Typesafe/Lightbend Config): every field value and array element,
// quoted, triple-quoted or unquoted, decoded as one value (a concatenation keeps the whitespace
// between its parts; a `${…}` substitution is a hole). Keys and include targets are not values.

#include "analyzers/ConfigAnalyzer.h"

#include <memory>
#include <string_view>
#include <vector>

namespace godwit {

/// Every value of a HOCON file, or the first syntax problem.
ConfigScan scanHocon(std::string_view text);

/// Builds the HOCON analyzer.
Expected<std::unique_ptr<Analyzer>> makeHoconAnalyzer(const std::vector<const Rule*>& rules);

} // namespace godwit
