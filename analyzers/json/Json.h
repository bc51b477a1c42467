#pragma once
// JSON (.json) through the generic tree-sitter analyzer: every string that is not an object key
// is a string expression.

#include "analyzers/Analyzer.h"
#include "analyzers/DecodedString.h"
#include "analyzers/TreeSitterLanguage.h"

#include <memory>
#include <string_view>
#include <vector>

namespace godwit {

/// The JSON language description (grammar `tree-sitter-json`).
const TreeSitterLanguage& jsonLanguage();

/// The value of JSON `string` node `node` with its offset map into `src` (escapes decoded; an
/// invalid escape is a hole). No template blocks are marked.
DecodedString decodeJsonString(TSNode node, std::string_view src);

/// Builds the JSON analyzer: a file that does not parse is reported and left alone.
Expected<std::unique_ptr<Analyzer>> makeJsonAnalyzer(const std::vector<const Rule*>& rules);

} // namespace godwit
