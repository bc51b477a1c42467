#pragma once
// The Terraform / HCL part of the tree-sitter analyzer: grammar, string, heredoc and template
// decoding, and module variables with defaults as constants.

#include "analyzers/TreeSitterLanguage.h"

namespace godwit {

/// The HCL language description (grammar `@tree-sitter-grammars/tree-sitter-hcl`, queries in
/// analyzers/hcl/).
const TreeSitterLanguage& hclLanguage();

} // namespace godwit
