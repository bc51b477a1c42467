#pragma once
// The Java part of the tree-sitter analyzer: grammar, string decoding and file-level constants.

#include "analyzers/TreeSitterLanguage.h"

namespace godwit {

/// The Java language description (grammar `tree-sitter-java`, queries in analyzers/java/).
const TreeSitterLanguage& javaLanguage();

} // namespace godwit
