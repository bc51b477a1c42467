#include "analyzers/kotlin/Kotlin.h"

#include "analyzers/TreeSitterNodes.h"

#include <string>
#include <tree_sitter/api.h>

extern "C" const TSLanguage* tree_sitter_kotlin();

namespace godwit {

namespace {

bool isIdentifierStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

bool isIdentifierPart(char c) { return isIdentifierStart(c) || (c >= '0' && c <= '9'); }

/// The value of Kotlin's one-letter escape `\c`, or 0 when `c` is none.
char simpleEscape(char c) {
  static constexpr std::string_view kLetters = "tbnr'\"\\$";
  static constexpr std::string_view kValues = "\t\b\n\r'\"\\$";
  const size_t at = c == '\0' ? std::string_view::npos : kLetters.find(c);
  return at == std::string_view::npos ? '\0' : kValues[at];
}

/// A `\uXXXX` escape at `i` (before `end`): its code unit, or -1.
long unicodeEscape(std::string_view src, uint32_t i, uint32_t end) {
  return i + 1 < end && src[i + 1] == 'u' ? hexDigits(src, i + 2, end, 4) : -1;
}

/// Appends the value of literal text [begin, end), a stretch between `${…}` templates, as pieces
/// of `style`: escapes (unless raw), and `$name` templates. The text after a template is a piece
/// of its own.
void appendText(DecodedString& out, std::string_view src, uint32_t begin, uint32_t end,
                const LiteralStyle& style, const Resolver& resolve) {
  const bool raw = style.raw;
  out.beginPiece(begin, end, style);
  for (uint32_t i = begin; i < end;) {
    const char c = src[i];
    if (c == '$' && i + 1 < end && (isIdentifierStart(src[i + 1]) || src[i + 1] == '`')) {
      uint32_t j = i + 1;
      if (src[j] == '`') {
        out.pushHole(i, end); // a backticked name: leave the rest unknown
        return;
      }
      while (j < end && isIdentifierPart(src[j]))
        ++j;
      const std::string_view name = src.substr(i + 1, j - i - 1);
      std::optional<DecodedString> value = resolve(name, i + 1);
      if (value)
        out.append(*value);
      else
        out.pushHole(i, j);
      i = j;
      if (value && i < end)
        out.beginPiece(i, end, style);
      continue;
    }
    if (!raw && c == '\\') {
      long unit = unicodeEscape(src, i, end);
      uint32_t escEnd = unit >= 0 ? i + 6 : std::min(i + 2, end);
      if (unit >= 0xD800 && unit <= 0xDBFF && src.substr(escEnd, 2) == "\\u") {
        const long low = unicodeEscape(src, escEnd, end);
        if (low >= 0xDC00 && low <= 0xDFFF) {
          unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
          escEnd += 6;
        }
      }
      if (unit >= 0 && (unit < 0xD800 || unit > 0xDFFF)) {
        std::string bytes;
        appendUtf8(bytes, static_cast<uint32_t>(unit));
        out.pushAll(bytes, i, escEnd);
      } else if (const char simple = unit < 0 ? simpleEscape(src[i + 1]) : '\0'; simple != 0) {
        out.push(simple, i, escEnd);
      } else {
        out.pushHole(i, escEnd); // a lone surrogate, or an escape Kotlin rejects
      }
      i = escEnd;
      continue;
    }
    out.push(c, i, i + 1);
    ++i;
  }
}

std::optional<DecodedString> decode(TSNode node, std::string_view src, const Resolver& resolve);

/// A character literal as a template's value (`${'$'}`, the raw string's way to write `$`).
std::optional<DecodedString> decodeCharacter(TSNode node, std::string_view src) {
  const uint32_t b = ts_node_start_byte(node), e = ts_node_end_byte(node);
  if (e - b < 3)
    return std::nullopt;
  DecodedString out;
  appendText(out, src, b + 1, e - 1, LiteralStyle{'\'', false, false, 0, LiteralSyntax::Kotlin},
             [](std::string_view, uint32_t) { return std::optional<DecodedString>(); });
  return out;
}

/// A "…" or """…""" literal: text stretches as pieces, `${…}` templates decoded or holes.
DecodedString decodeLiteral(TSNode node, std::string_view src, const Resolver& resolve) {
  DecodedString out;
  const uint32_t b = ts_node_start_byte(node), e = ts_node_end_byte(node);
  const bool raw = nodeText(node, src).starts_with("\"\"\"");
  const uint32_t quote = raw ? 3 : 1;
  if (e - b < 2 * quote) {
    out.pushHole(b, e);
    return out;
  }
  const LiteralStyle style{'"', raw, raw, 0, LiteralSyntax::Kotlin};
  const uint32_t begin = b + quote, end = e - quote;
  uint32_t pos = begin;
  const auto text = [&](uint32_t upTo) {
    if (upTo > pos)
      appendText(out, src, pos, upTo, style, resolve);
  };
  for (TSNode holder : namedChildren(node)) {
    if (!isType(holder, "interpolated_expression"))
      continue;
    // The template is the `${` and `}` tokens around the expression.
    const TSNode open = ts_node_prev_sibling(holder), close = ts_node_next_sibling(holder);
    if (ts_node_is_null(open) || ts_node_is_null(close))
      continue;
    const uint32_t holeBegin = ts_node_start_byte(open), holeEnd = ts_node_end_byte(close);
    if (holeBegin < pos || holeEnd > end)
      continue;
    text(holeBegin);
    const TSNode expr = onlyNamedChild(holder);
    std::optional<DecodedString> value;
    if (!ts_node_is_null(expr))
      value = isType(expr, "character_literal") ? decodeCharacter(expr, src)
                                                 : decode(expr, src, resolve);
    if (value)
      out.append(*value);
    else
      out.pushHole(holeBegin, holeEnd);
    pos = holeEnd;
  }
  text(end);
  if (out.pieces.empty() && out.value.empty())
    out.beginPiece(begin, end, style);
  return out;
}

bool isStringLiteral(TSNode node) { return isType(node, "string_literal"); }

bool isPlus(TSNode node, std::string_view src) {
  return isType(node, "additive_expression") && ts_node_child_count(node) == 3 &&
         nodeText(ts_node_child(node, 1), src) == "+";
}

TSNode leftOperand(TSNode node) { return ts_node_child(node, 0); }
TSNode rightOperand(TSNode node) { return ts_node_child(node, 2); }

bool isStringExpression(TSNode node, std::string_view src) {
  const DecodeDepth level;
  if (ts_node_is_null(node) || level.tooDeep())
    return false;
  if (isStringLiteral(node))
    return true;
  if (isType(node, "parenthesized_expression"))
    return isStringExpression(onlyNamedChild(node), src);
  if (isPlus(node, src))
    // The right operand first: in a long chain `a + b + …` it is the shallow one.
    return isStringExpression(rightOperand(node), src) ||
           isStringExpression(leftOperand(node), src);
  return false;
}

/// Import and package paths are no values.
bool isStringExpressionAt(TSNode node, std::span<const TSNode> ancestors, std::string_view src) {
  if (!isStringExpression(node, src))
    return false;
  for (const TSNode& a : ancestors)
    if (isType(a, "import_header") || isType(a, "package_header"))
      return false;
  return true;
}

std::optional<DecodedString> decode(TSNode node, std::string_view src, const Resolver& resolve) {
  const DecodeDepth level;
  if (ts_node_is_null(node) || level.tooDeep())
    return std::nullopt;
  if (isStringLiteral(node))
    return decodeLiteral(node, src, resolve);
  if (isType(node, "simple_identifier"))
    return resolve(nodeText(node, src), ts_node_start_byte(node));
  if (isType(node, "parenthesized_expression"))
    return decode(onlyNamedChild(node), src, resolve);
  if (isPlus(node, src)) {
    const TSNode left = leftOperand(node);
    const TSNode right = rightOperand(node);
    return concatenate(decode(left, src, resolve), left, decode(right, src, resolve), right);
  }
  if (isType(node, "navigation_expression") && ts_node_named_child_count(node) == 2 &&
      isType(ts_node_named_child(node, 0), "simple_identifier")) {
    // `Tables.USERS`: a member of an object (not `a?.b` or `A::b`).
    const TSNode suffix = ts_node_named_child(node, 1);
    const std::string_view text = nodeText(suffix, src);
    if (isType(onlyNamedChild(suffix), "simple_identifier") && text.starts_with("."))
      return resolve(nodeText(node, src), ts_node_start_byte(node));
  }
  return std::nullopt;
}

} // namespace

const TreeSitterLanguage& kotlinLanguage() {
  static const TreeSitterLanguage language{
      "kotlin",
      tree_sitter_kotlin,
      embeddedQuery("analyzers/kotlin/constants.scm"),
      "simple_identifier",
      isStringExpression,
      decode,
      StatementStyle::None,
      isStringExpressionAt,
  };
  return language;
}

} // namespace godwit
