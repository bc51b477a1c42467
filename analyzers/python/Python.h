#pragma once
// The Python part of the tree-sitter analyzer: grammar, string decoding and file-level constants.

#include "analyzers/TreeSitterLanguage.h"

namespace godwit {

/// The Python language description (grammar `tree-sitter-python`, queries in analyzers/python/).
const TreeSitterLanguage& pythonLanguage();

} // namespace godwit
