#pragma once
// The Go part of the tree-sitter analyzer: grammar, interpreted and raw string literals, and
// package-level `const` declarations as constants.

#include "analyzers/TreeSitterLanguage.h"

namespace godwit {

/// The Go language description (grammar `tree-sitter-go`, queries in analyzers/go/).
const TreeSitterLanguage& goLanguage();

} // namespace godwit
