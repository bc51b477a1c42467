#pragma once
// The shell (bash, POSIX sh) part of the tree-sitter analyzer: grammar, decoding of words,
// quoted strings, ANSI-C strings and heredocs, and variable assignments as constants.

#include "analyzers/TreeSitterLanguage.h"

namespace godwit {

/// The shell language description (grammar `tree-sitter-bash`, queries in analyzers/shell/).
const TreeSitterLanguage& shellLanguage();

} // namespace godwit
