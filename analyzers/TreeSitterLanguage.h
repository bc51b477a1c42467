#pragma once
// What the generic tree-sitter analyzer needs to know about one language: its grammar, how its
// string expressions decode, and its file-level constants (as a query).

#include "analyzers/DecodedString.h"
#include "analyzers/StatementLines.h"

#include <tree_sitter/api.h>

#include <functional>
#include <optional>
#include <span>
#include <string_view>

namespace godwit {

/// Looks up a constant by name (`NAME`, or `Owner.NAME` for a member of another class, object
/// or module) referred to at byte `at`; nullopt when there is none or it is not a string. The
/// value's pieces record that reference as their use.
using Resolver = std::function<std::optional<DecodedString>(std::string_view name, uint32_t at)>;

/// The text of a query file embedded at build time, e.g. `analyzers/java/constants.scm`; empty
/// when there is none.
std::string_view embeddedQuery(std::string_view path);

/// The per-language part of a tree-sitter analyzer.
struct TreeSitterLanguage {
  std::string_view name;
  const TSLanguage* (*grammar)();
  /// Query capturing `@name` and `@value` of each file-level constant definition.
  std::string_view constantsQuery;
  /// Node type of an identifier reference (counted as a use of a constant of that name).
  std::string_view identifierType;
  /// True when `node` is a string expression: a literal, an interpolation, a concatenation that
  /// includes one, or a string method that keeps its value's bytes (Scala `stripMargin`).
  bool (*isStringExpression)(TSNode node, std::string_view src);
  /// Decodes a string expression, or an identifier naming a constant. Identifiers resolve through
  /// `resolve`; anything unknown becomes a hole. nullopt when `node` is neither.
  std::optional<DecodedString> (*decode)(TSNode node, std::string_view src,
                                         const Resolver& resolve);
  /// How statements end, so lines unrelated to a prefilter hit need not be parsed.
  StatementStyle statements = StatementStyle::None;
  /// isStringExpression() given the node's ancestors (root first, parent last), for languages
  /// whose answer depends on them: ts_node_parent() searches down from the root, which costs
  /// quadratic time over a large mapping. May be null.
  bool (*isStringExpressionAt)(TSNode node, std::span<const TSNode> ancestors,
                               std::string_view src) = nullptr;
  /// Prepended to each `@name` of constantsQuery to make the constant's key (HCL's `var.`); a use
  /// is then an `identifierType` node whose text is the whole key.
  std::string_view constantPrefix = {};
};

} // namespace godwit
