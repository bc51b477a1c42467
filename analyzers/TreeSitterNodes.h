#pragma once
// Small helpers over tree-sitter nodes, shared by the generic analyzer and the language decoders.

#include "analyzers/DecodedString.h"
#include "analyzers/Nesting.h"

#include <tree_sitter/api.h>

#include <cstring>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace godwit {

/// True when `node` has type `type`.
inline bool isType(TSNode node, const char* type) {
  return std::strcmp(ts_node_type(node), type) == 0;
}

/// The source text of `node`.
inline std::string_view nodeText(TSNode node, std::string_view src) {
  const uint32_t begin = ts_node_start_byte(node);
  return src.substr(begin, ts_node_end_byte(node) - begin);
}

/// The named children of `node`, comments and other extras left out.
inline std::vector<TSNode> namedChildren(TSNode node) {
  std::vector<TSNode> children;
  const uint32_t count = ts_node_named_child_count(node);
  for (uint32_t i = 0; i < count; ++i) {
    const TSNode child = ts_node_named_child(node, i);
    if (!ts_node_is_extra(child))
      children.push_back(child);
  }
  return children;
}

/// The one named child of `node`, or a null node when it has none or several.
inline TSNode onlyNamedChild(TSNode node) {
  const std::vector<TSNode> children = namedChildren(node);
  return children.size() == 1 ? children[0] : TSNode{};
}

/// The child of `node` in field `name`, or a null node.
inline TSNode field(TSNode node, const char* name) {
  return ts_node_child_by_field_name(node, name, static_cast<uint32_t>(std::strlen(name)));
}

/// The value of `left + right` from the operands' values; an operand that does not decode becomes
/// a hole over its source. nullopt when neither operand decodes.
inline std::optional<DecodedString> concatenate(std::optional<DecodedString> lhs, TSNode left,
                                                std::optional<DecodedString> rhs, TSNode right) {
  if (!lhs && !rhs)
    return std::nullopt;
  DecodedString out;
  if (lhs)
    out = std::move(*lhs);
  else
    out.pushHole(ts_node_start_byte(left), ts_node_end_byte(left));
  if (rhs)
    out.append(*rhs);
  else
    out.pushHole(ts_node_start_byte(right), ts_node_end_byte(right));
  return out;
}

/// Calls `visit(node)` on every node under `root`, in pre-order.
template <class F> void forEachNode(TSNode root, F&& visit) {
  TSTreeCursor cursor = ts_tree_cursor_new(root);
  for (;;) {
    visit(ts_tree_cursor_current_node(&cursor));
    if (ts_tree_cursor_goto_first_child(&cursor))
      continue;
    while (!ts_tree_cursor_goto_next_sibling(&cursor)) {
      if (!ts_tree_cursor_goto_parent(&cursor)) {
        ts_tree_cursor_delete(&cursor);
        return;
      }
    }
  }
}

/// forEachNode() that also passes each node's ancestors up to `root` (root first, parent last;
/// empty for `root`); cheaper than ts_node_parent(), which searches down from the root.
template <class F> void forEachNodeWithAncestors(TSNode root, F&& visit) {
  TSTreeCursor cursor = ts_tree_cursor_new(root);
  std::vector<TSNode> parents;
  for (;;) {
    const TSNode node = ts_tree_cursor_current_node(&cursor);
    visit(node, std::span<const TSNode>(parents));
    if (ts_tree_cursor_goto_first_child(&cursor)) {
      parents.push_back(node);
      continue;
    }
    while (!ts_tree_cursor_goto_next_sibling(&cursor)) {
      if (!ts_tree_cursor_goto_parent(&cursor)) {
        ts_tree_cursor_delete(&cursor);
        return;
      }
      parents.pop_back();
    }
  }
}

} // namespace godwit
