#pragma once
// The Kotlin part of the tree-sitter analyzer: grammar, string literals with their `$name` and
// `${…}` templates, and `val`/`const val` at the top level or in objects as constants.

#include "analyzers/TreeSitterLanguage.h"

namespace godwit {

/// The Kotlin language description (grammar `tree-sitter-kotlin`, queries
/// in analyzers/kotlin/).
const TreeSitterLanguage& kotlinLanguage();

} // namespace godwit
