#pragma once
// Java .properties files, read the way java.util.Properties.load reads them: every value is
// decoded (escapes, line continuations, `${…}` placeholders as holes); keys are not values.

#include "analyzers/ConfigAnalyzer.h"

#include <memory>
#include <string_view>
#include <vector>

namespace godwit {

/// Every value of a .properties file; a malformed `\uXXXX` escape is its only syntax problem.
ConfigScan scanProperties(std::string_view text);

/// Builds the .properties analyzer.
Expected<std::unique_ptr<Analyzer>> makePropertiesAnalyzer(const std::vector<const Rule*>& rules);

} // namespace godwit
