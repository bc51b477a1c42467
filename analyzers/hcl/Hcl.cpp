#include "analyzers/hcl/Hcl.h"

#include "analyzers/TreeSitterNodes.h"

#include <string>
#include <string_view>

extern "C" const TSLanguage* tree_sitter_hcl_abi14();

namespace godwit {

namespace {

/// Appends the value of quoted-template literal bytes [begin, end): HCL's backslash escapes,
/// and `$${` / `%%{`, which stand for a literal `${` / `%{`.
void appendQuoted(DecodedString& out, std::string_view src, uint32_t begin, uint32_t end) {
  for (uint32_t i = begin; i < end;) {
    const char c = src[i];
    const char next = i + 1 < end ? src[i + 1] : '\0';
    if ((c == '$' || c == '%') && next == c && i + 2 < end && src[i + 2] == '{') {
      out.push(c, i, i + 2); // the `{` follows as itself
      i += 2;
    } else if (c != '\\' || i + 1 == end) {
      out.push(c, i, i + 1);
      ++i;
    } else if (next == 'n' || next == 'r' || next == 't' || next == '"' || next == '\\') {
      const char value = next == 'n' ? '\n' : next == 'r' ? '\r' : next == 't' ? '\t' : next;
      out.push(value, i, i + 2);
      i += 2;
    } else if (next == 'u' || next == 'U') {
      const uint32_t digits = next == 'u' ? 4 : 8;
      long value = i + 2 + digits <= end ? 0 : -1;
      for (uint32_t k = i + 2; value >= 0 && k < i + 2 + digits; ++k)
        value = hexDigit(src[k]) < 0 ? -1 : value * 16 + hexDigit(src[k]);
      if (value < 0 || value > 0x10FFFF) {
        out.pushHole(i, i + 2);
        i += 2;
      } else {
        std::string bytes;
        appendUtf8(bytes, static_cast<uint32_t>(value));
        out.pushAll(bytes, i, i + 2 + digits);
        i += 2 + digits;
      }
    } else {
      out.pushHole(i, i + 2);
      i += 2;
    }
  }
}

/// Appends heredoc literal bytes [begin, end): no backslash escapes, only `$${` and `%%{`.
/// A `<<-` heredoc's value loses its common indentation; the map keeps the source bytes, which
/// only shifts where a line starts, never what a name spells.
void appendHeredoc(DecodedString& out, std::string_view src, uint32_t begin, uint32_t end) {
  for (uint32_t i = begin; i < end; ++i) {
    const char c = src[i];
    if ((c == '$' || c == '%') && i + 2 < end && src[i + 1] == c && src[i + 2] == '{') {
      out.push(c, i, i + 2);
      ++i;
    } else {
      out.push(c, i, i + 1);
    }
  }
}

std::optional<DecodedString> decodeExpr(TSNode node, std::string_view src, const Resolver& resolve);

/// A quoted template or heredoc: every byte between the opening and the closing is literal
/// (the grammar's `template_literal` tokens leave out the spaces around an interpolation), each
/// `${expr}` the value of `expr` when it resolves, otherwise a hole; directives (`%{if …}`) are
/// holes. A heredoc's value starts after the line break that ends `<<EOT`
/// and ends where the closing identifier starts.
DecodedString decodeTemplate(TSNode node, std::string_view src, const Resolver& resolve,
                             bool heredoc) {
  DecodedString out;
  const LiteralStyle style{'"', heredoc, heredoc, '$'};
  uint32_t pos = ts_node_start_byte(node);
  uint32_t contentEnd = ts_node_end_byte(node);
  const auto literal = [&](uint32_t end) {
    if (end <= pos)
      return;
    out.beginPiece(pos, end, style);
    if (heredoc)
      appendHeredoc(out, src, pos, end);
    else
      appendQuoted(out, src, pos, end);
  };
  // A heredoc is `<<` or `<<-`, its identifier, the lines, and the identifier again.
  int identifiers = 0;
  for (TSNode child : namedChildren(node)) {
    if (isType(child, "quoted_template_start") ||
        (isType(child, "heredoc_identifier") && identifiers++ == 0)) {
      pos = ts_node_end_byte(child);
      if (heredoc && pos < src.size() && src[pos] == '\r')
        ++pos;
      if (heredoc && pos < src.size() && src[pos] == '\n')
        ++pos;
    } else if (isType(child, "quoted_template_end") || isType(child, "heredoc_identifier")) {
      contentEnd = ts_node_start_byte(child);
    } else if (isType(child, "template_interpolation") || isType(child, "template_directive")) {
      literal(ts_node_start_byte(child));
      std::optional<DecodedString> value;
      if (isType(child, "template_interpolation"))
        for (TSNode part : namedChildren(child))
          if (isType(part, "expression"))
            value = decodeExpr(part, src, resolve);
      if (value)
        out.append(*value);
      else
        out.pushHole(ts_node_start_byte(child), ts_node_end_byte(child));
      pos = ts_node_end_byte(child);
    }
  }
  const uint32_t emptyAt = pos;
  literal(contentEnd);
  if (out.pieces.empty() && out.value.empty() && contentEnd >= emptyAt)
    out.beginPiece(emptyAt, contentEnd, style);
  return out;
}

/// `var.name`: an expression of exactly a `var` variable and one attribute.
bool isVariableReference(TSNode node, std::string_view src) {
  if (!isType(node, "expression") || ts_node_named_child_count(node) != 2)
    return false;
  const TSNode base = ts_node_named_child(node, 0);
  const TSNode attr = ts_node_named_child(node, 1);
  return isType(base, "variable_expr") && nodeText(base, src) == "var" && isType(attr, "get_attr");
}

std::optional<DecodedString> decodeExpr(TSNode node, std::string_view src,
                                        const Resolver& resolve) {
  const DecodeDepth level;
  if (ts_node_is_null(node) || level.tooDeep())
    return std::nullopt;
  if (isType(node, "string_lit") || isType(node, "quoted_template"))
    return decodeTemplate(node, src, resolve, false);
  if (isType(node, "heredoc_template"))
    return decodeTemplate(node, src, resolve, true);
  if (isVariableReference(node, src)) {
    const TSNode attr = ts_node_named_child(node, 1);
    const TSNode name = ts_node_named_child(attr, 0);
    if (ts_node_is_null(name))
      return std::nullopt;
    return resolve("var." + std::string(nodeText(name, src)), ts_node_start_byte(node));
  }
  if (isType(node, "expression") || isType(node, "literal_value") || isType(node, "template_expr"))
    if (ts_node_named_child_count(node) == 1)
      return decodeExpr(ts_node_named_child(node, 0), src, resolve);
  return std::nullopt;
}

bool isStringExpression(TSNode node, std::string_view) {
  return isType(node, "string_lit") || isType(node, "template_expr");
}

/// Block labels (`resource "google_bigquery_table" "events"`) are Terraform addresses, not
/// values: renaming one replaces the resource.
bool isStringExpressionAt(TSNode node, std::span<const TSNode> ancestors, std::string_view src) {
  if (!isStringExpression(node, src))
    return false;
  return ancestors.empty() || !isType(ancestors.back(), "block");
}

std::optional<DecodedString> decode(TSNode node, std::string_view src, const Resolver& resolve) {
  return decodeExpr(node, src, resolve);
}

} // namespace

const TreeSitterLanguage& hclLanguage() {
  static const TreeSitterLanguage language{
      "hcl",
      tree_sitter_hcl_abi14,
      embeddedQuery("analyzers/hcl/constants.scm"),
      "expression",
      isStringExpression,
      decode,
      StatementStyle::None,
      isStringExpressionAt,
      "var.",
  };
  return language;
}

} // namespace godwit
