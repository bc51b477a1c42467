#pragma once
// TOML files: every string value (basic, literal, multi-line), in arrays and inline tables too,
// decoded with its offset map; keys and table headers are not values.

#include "analyzers/ConfigAnalyzer.h"

#include <memory>
#include <string_view>
#include <vector>

namespace godwit {

/// Every string value of a TOML file, or the first syntax problem.
ConfigScan scanToml(std::string_view text);

/// Builds the TOML analyzer.
Expected<std::unique_ptr<Analyzer>> makeTomlAnalyzer(const std::vector<const Rule*>& rules);

} // namespace godwit
