#include "analyzers/go/Go.h"

#include "analyzers/Nesting.h"
#include "analyzers/TreeSitterNodes.h"

#include <span>
#include <string>
#include <string_view>

extern "C" const TSLanguage* tree_sitter_go();

namespace godwit {

namespace {

/// Appends the value of interpreted-string content [begin, end): Go's escapes. `\x` and octal
/// escapes are bytes, `\u` and `\U` code points.
void appendInterpreted(DecodedString& out, std::string_view src, uint32_t begin, uint32_t end) {
  static constexpr std::string_view kLetters = "abfnrtv\\'\"";
  static constexpr std::string_view kValues = "\a\b\f\n\r\t\v\\'\"";
  for (uint32_t i = begin; i < end;) {
    const char c = src[i];
    const char next = i + 1 < end ? src[i + 1] : '\0';
    if (c != '\\' || i + 1 == end) {
      out.push(c, i, i + 1);
      ++i;
    } else if (const size_t at = kLetters.find(next); next != '\0' && at != std::string_view::npos) {
      out.push(kValues[at], i, i + 2);
      i += 2;
    } else if (next >= '0' && next <= '7') {
      long value = 0;
      uint32_t j = i + 1;
      for (; j < end && j < i + 4 && src[j] >= '0' && src[j] <= '7'; ++j)
        value = value * 8 + (src[j] - '0');
      if (j != i + 4 || value > 0xFF)
        out.pushHole(i, j);
      else
        out.push(static_cast<char>(value), i, j);
      i = j;
    } else if (next == 'x' || next == 'u' || next == 'U') {
      const uint32_t digits = next == 'x' ? 2 : next == 'u' ? 4 : 8;
      const long value = hexDigits(src, i + 2, end, digits);
      const uint32_t escEnd = value < 0 ? i + 2 : i + 2 + digits;
      if (value < 0 || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF && next != 'x')) {
        out.pushHole(i, escEnd);
      } else if (next == 'x') {
        out.push(static_cast<char>(value), i, escEnd);
      } else {
        std::string bytes;
        appendUtf8(bytes, static_cast<uint32_t>(value));
        out.pushAll(bytes, i, escEnd);
      }
      i = escEnd;
    } else {
      out.pushHole(i, i + 2); // not valid Go: the compiler refuses it
      i += 2;
    }
  }
}

/// A string literal: "…" with escapes, or `…` as written (Go drops carriage returns from raw
/// strings).
DecodedString decodeLiteral(TSNode node, std::string_view src) {
  DecodedString out;
  const uint32_t b = ts_node_start_byte(node), e = ts_node_end_byte(node);
  const bool raw = isType(node, "raw_string_literal");
  if (e - b < 2) {
    out.pushHole(b, e);
    return out;
  }
  LiteralStyle style;
  style.quote = raw ? '`' : '"';
  style.raw = raw;
  style.triple = raw; // a raw string may span lines
  out.beginPiece(b + 1, e - 1, style);
  if (raw) {
    for (uint32_t i = b + 1; i < e - 1; ++i)
      if (src[i] != '\r')
        out.push(src[i], i, i + 1);
  } else {
    appendInterpreted(out, src, b + 1, e - 1);
  }
  return out;
}

bool isStringLiteral(TSNode node) {
  return isType(node, "interpreted_string_literal") || isType(node, "raw_string_literal");
}

bool isPlus(TSNode node, std::string_view src) {
  return isType(node, "binary_expression") && nodeText(field(node, "operator"), src) == "+";
}

bool isStringExpression(TSNode node, std::string_view src) {
  const DecodeDepth level;
  if (ts_node_is_null(node) || level.tooDeep())
    return false;
  if (isStringLiteral(node))
    return true;
  if (isType(node, "parenthesized_expression"))
    return isStringExpression(onlyNamedChild(node), src);
  if (isPlus(node, src))
    return isStringExpression(field(node, "right"), src) ||
           isStringExpression(field(node, "left"), src);
  return false;
}

/// Import paths and struct tags (`json:"topic"`) are no values.
bool isStringExpressionAt(TSNode node, std::span<const TSNode> ancestors, std::string_view src) {
  if (!isStringExpression(node, src))
    return false;
  return ancestors.empty() || (!isType(ancestors.back(), "import_spec") &&
                               !isType(ancestors.back(), "field_declaration"));
}

std::optional<DecodedString> decode(TSNode node, std::string_view src, const Resolver& resolve) {
  const DecodeDepth level;
  if (ts_node_is_null(node) || level.tooDeep())
    return std::nullopt;
  if (isStringLiteral(node))
    return decodeLiteral(node, src);
  if (isType(node, "identifier"))
    return resolve(nodeText(node, src), ts_node_start_byte(node));
  if (isType(node, "parenthesized_expression"))
    return decode(onlyNamedChild(node), src, resolve);
  if (isPlus(node, src)) {
    const TSNode left = field(node, "left");
    const TSNode right = field(node, "right");
    return concatenate(decode(left, src, resolve), left, decode(right, src, resolve), right);
  }
  return std::nullopt;
}

} // namespace

const TreeSitterLanguage& goLanguage() {
  static const TreeSitterLanguage language{
      "go",
      tree_sitter_go,
      embeddedQuery("analyzers/go/constants.scm"),
      "identifier",
      isStringExpression,
      decode,
      StatementStyle::None,
      isStringExpressionAt,
  };
  return language;
}

} // namespace godwit
