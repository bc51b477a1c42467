#pragma once
// The analyzer shared by every tree-sitter language: decodes string expressions with file-level
// constants resolved, runs the language's rule-pack queries and matches every dataset.

#include "analyzers/Analyzer.h"
#include "analyzers/TreeSitterLanguage.h"

#include <memory>
#include <vector>

namespace godwit {

/// Builds the analyzer for `language` with its rules; a rule whose query does not compile, or a
/// split rule without part captures, is an error naming the rule's pack entry.
Expected<std::unique_ptr<Analyzer>> makeTreeSitterAnalyzer(const TreeSitterLanguage& language,
                                                           const std::vector<const Rule*>& rules);

/// Parses `text` with `language`'s grammar; the caller owns the tree (ts_tree_delete).
TSTree* parseWith(const TreeSitterLanguage& language, std::string_view text);

} // namespace godwit
