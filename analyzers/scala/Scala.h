#pragma once
// The Scala part of the tree-sitter analyzer: grammar, string decoding and file-level constants.

#include "analyzers/TreeSitterLanguage.h"

namespace godwit {

/// The Scala language description (grammar `tree-sitter-scala`, queries in analyzers/scala/).
const TreeSitterLanguage& scalaLanguage();

} // namespace godwit
