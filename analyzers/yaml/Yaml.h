#pragma once
// YAML (.yaml, .yml) through the generic tree-sitter analyzer: every scalar value that is not a
// mapping key is a string expression; anchors, aliases, tags and comments are not values.

#include "analyzers/Analyzer.h"
#include "analyzers/TreeSitterLanguage.h"

#include <memory>
#include <string_view>
#include <vector>

namespace godwit {

/// The YAML language description (grammar `@tree-sitter-grammars/tree-sitter-yaml`).
const TreeSitterLanguage& yamlLanguage();

/// True for godwit's own migration files (a top-level `apiVersion: godwit/…`), which are never
/// analyzed: rewriting one would change the migration itself.
bool isGodwitMigration(std::string_view text);

/// True when libyaml parses every document of `text` (events only, aliases unresolved): the
/// second opinion before godwit calls a file that tree-sitter-yaml does not take invalid.
bool isValidYaml(std::string_view text);

/// Builds the YAML analyzer: a file that does not parse (and is no template) is reported and left
/// alone.
Expected<std::unique_ptr<Analyzer>> makeYamlAnalyzer(const std::vector<const Rule*>& rules);

} // namespace godwit
