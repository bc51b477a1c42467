#pragma once
// The analyzer shared by every tree-sitter language: decodes string expressions with file-level
// constants resolved, runs the language's rule-pack queries and matches every dataset.

#include "analyzers/Analyzer.h"
#include "analyzers/TreeSitterLanguage.h"

#include <memory>
#include <span>
#include <vector>

namespace godwit {

/// Builds the analyzer for `language` with its rules; a rule whose query does not compile, or a
/// split rule without part captures, is an error naming the rule's pack entry.
Expected<std::unique_ptr<Analyzer>> makeTreeSitterAnalyzer(const TreeSitterLanguage& language,
                                                           const std::vector<const Rule*>& rules);

/// Parses `text` with `language`'s grammar, only its `ranges` when given; the caller owns the
/// tree (ts_tree_delete).
TSTree* parseWith(const TreeSitterLanguage& language, std::string_view text,
                  std::span<const TSRange> ranges = {});

/// Parses `after`, which is `before` with `edits` applied, reusing the tree of `before` when this
/// thread parsed it recently, so that the next parseWith() of `after` costs nothing. For the
/// verify stage, which parses every edited file again.
void parseEdited(const TreeSitterLanguage& language, std::string_view before,
                 std::span<const SourceEdit> edits, std::string_view after);

} // namespace godwit
