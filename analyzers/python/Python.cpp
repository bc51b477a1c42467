#include "analyzers/python/Python.h"

#include "analyzers/TreeSitterNodes.h"

#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

extern "C" const TSLanguage* tree_sitter_python();

namespace godwit {

namespace {

/// The character a one-letter Python escape `\c` stands for, or 0 when `c` is no such escape.
char simpleEscape(char c) {
  static constexpr std::string_view kLetters = "\\'\"abfnrtv";
  static constexpr std::string_view kValues = "\\'\"\a\b\f\n\r\t\v";
  const size_t at = c == '\0' ? std::string_view::npos : kLetters.find(c);
  return at == std::string_view::npos ? '\0' : kValues[at];
}

/// What a string's prefix says about its content.
struct Prefix {
  bool raw = false;
  bool bytes = false;
  bool format = false;
  bool unknown = false; ///< A prefix this decoder does not know (e.g. `t`): the value is unknown.
};

Prefix parsePrefix(std::string_view prefix) {
  Prefix p;
  for (char c : prefix) {
    switch (c) {
    case 'r':
    case 'R':
      p.raw = true;
      break;
    case 'b':
    case 'B':
      p.bytes = true;
      break;
    case 'f':
    case 'F':
      p.format = true;
      break;
    case 'u':
    case 'U':
      break;
    default:
      p.unknown = true;
      break;
    }
  }
  return p;
}

/// Appends one code point of a `str`, or a hole for code points UTF-8 cannot hold.
void pushCodePoint(DecodedString& out, long cp, uint32_t begin, uint32_t end) {
  if (cp < 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    out.pushHole(begin, end);
    return;
  }
  std::string bytes;
  appendUtf8(bytes, static_cast<uint32_t>(cp));
  out.pushAll(bytes, begin, end);
}

/// Appends the value of source bytes [begin, end) of one literal fragment.
void appendFragment(DecodedString& out, std::string_view src, uint32_t begin, uint32_t end,
                    const Prefix& prefix) {
  for (uint32_t i = begin; i < end;) {
    const char c = src[i];
    const char next = i + 1 < end ? src[i + 1] : '\0';
    if (prefix.format && (c == '{' || c == '}') && next == c) {
      out.push(c, i, i + 2);
      i += 2;
    } else if (c == '\r') {
      // Python reads source with universal newlines: CRLF and CR are one LF.
      const uint32_t lineEnd = next == '\n' ? i + 2 : i + 1;
      out.push('\n', i, lineEnd);
      i = lineEnd;
    } else if (c != '\\' || prefix.raw || i + 1 == end) {
      out.push(c, i, i + 1);
      ++i;
    } else {
      const char simple = simpleEscape(next);
      if (simple != 0) {
        out.push(simple, i, i + 2);
        i += 2;
      } else if (next == '\n' || next == '\r') {
        // A line continuation produces nothing.
        i += next == '\r' && i + 2 < end && src[i + 2] == '\n' ? 3 : 2;
      } else if (next >= '0' && next <= '7') {
        uint32_t j = i + 1;
        long value = 0;
        for (; j < end && j < i + 4 && src[j] >= '0' && src[j] <= '7'; ++j)
          value = value * 8 + (src[j] - '0');
        if (!prefix.bytes)
          pushCodePoint(out, value, i, j);
        else if (value <= 0xFF)
          out.push(static_cast<char>(value), i, j);
        else
          out.pushHole(i, j);
        i = j;
      } else if (next == 'x') {
        const long value = hexDigits(src, i + 2, end, 2);
        const uint32_t escEnd = value < 0 ? i + 2 : i + 4;
        if (value < 0)
          out.pushHole(i, escEnd);
        else if (prefix.bytes)
          out.push(static_cast<char>(value), i, escEnd);
        else
          pushCodePoint(out, value, i, escEnd);
        i = escEnd;
      } else if (!prefix.bytes && (next == 'u' || next == 'U')) {
        const uint32_t digits = next == 'u' ? 4 : 8;
        const long value = hexDigits(src, i + 2, end, digits);
        const uint32_t escEnd = value < 0 ? i + 2 : i + 2 + digits;
        pushCodePoint(out, value, i, escEnd);
        i = escEnd;
      } else if (!prefix.bytes && next == 'N') {
        // A character by its Unicode name: no name table here, so unknown text.
        uint32_t close = i + 2;
        while (close < end && src[close] != '}')
          ++close;
        const uint32_t escEnd = close < end ? close + 1 : i + 2;
        out.pushHole(i, escEnd);
        i = escEnd;
      } else {
        // Unknown escapes keep their backslash; the next byte is read as usual.
        out.push(c, i, i + 1);
        ++i;
      }
    }
  }
}

std::optional<DecodedString> decodeTyped(TSNode node, std::string_view src,
                                         const Resolver& resolve);

/// An f-string replacement field whose text is its expression's value: `{x}` or `{x!s}`.
TSNode plainReplacement(TSNode interpolation, std::string_view src) {
  const uint32_t count = ts_node_child_count(interpolation);
  const TSNode conversion = field(interpolation, "type_conversion");
  const bool plain = count == 3 || (count == 4 && !ts_node_is_null(conversion) &&
                                    nodeText(conversion, src) == "!s");
  return plain ? field(interpolation, "expression") : TSNode{};
}

DecodedString decodeString(TSNode node, std::string_view src, const Resolver& resolve) {
  DecodedString out;
  TSNode start{};
  TSNode end{};
  std::vector<TSNode> holes;
  for (TSNode child : namedChildren(node)) {
    if (isType(child, "string_start"))
      start = child;
    else if (isType(child, "string_end"))
      end = child;
    else if (isType(child, "interpolation"))
      holes.push_back(child);
  }
  const std::string_view opening = ts_node_is_null(start) ? "" : nodeText(start, src);
  const size_t quoteAt = opening.find_first_of("'\"");
  if (ts_node_is_null(end) || quoteAt == std::string_view::npos) {
    out.pushHole(ts_node_start_byte(node), ts_node_end_byte(node));
    return out;
  }
  const Prefix prefix = parsePrefix(opening.substr(0, quoteAt));
  if (prefix.unknown) {
    out.pushHole(ts_node_start_byte(node), ts_node_end_byte(node));
    return out;
  }
  const LiteralStyle style{opening[quoteAt], opening.size() - quoteAt == 3, prefix.raw,
                           prefix.format ? '{' : '\0'};
  const uint32_t contentBegin = ts_node_end_byte(start);
  const uint32_t contentEnd = ts_node_start_byte(end);

  uint32_t pos = contentBegin;
  const auto fragment = [&](uint32_t fragmentEnd) {
    if (fragmentEnd > pos) {
      out.beginPiece(pos, fragmentEnd, style);
      appendFragment(out, src, pos, fragmentEnd, prefix);
    }
  };
  for (TSNode hole : holes) {
    fragment(ts_node_start_byte(hole));
    const TSNode expr = plainReplacement(hole, src);
    std::optional<DecodedString> value;
    if (!ts_node_is_null(expr))
      value = decodeTyped(expr, src, resolve);
    if (value)
      out.append(*value);
    else
      out.pushHole(ts_node_start_byte(hole), ts_node_end_byte(hole));
    pos = ts_node_end_byte(hole);
  }
  fragment(contentEnd);
  if (out.pieces.empty() && out.value.empty())
    out.beginPiece(contentBegin, contentEnd, style);
  return out;
}

bool isPlus(TSNode node, std::string_view src) {
  return isType(node, "binary_operator") && nodeText(field(node, "operator"), src) == "+";
}

bool isStringExpression(TSNode node, std::string_view src) {
  const DecodeDepth level;
  if (ts_node_is_null(node) || level.tooDeep())
    return false;
  if (isType(node, "string") || isType(node, "concatenated_string"))
    return true;
  if (isType(node, "parenthesized_expression"))
    return isStringExpression(onlyNamedChild(node), src);
  if (isPlus(node, src))
    // The right operand first: in a long chain `a + b + …` it is the shallow one.
    return isStringExpression(field(node, "right"), src) ||
           isStringExpression(field(node, "left"), src);
  return false;
}

/// Decodes `node` when its type is str (or bytes): a string expression, or an identifier, a
/// parenthesized expression or a concatenation whose string-ness the resolver proves.
std::optional<DecodedString> decodeTyped(TSNode node, std::string_view src,
                                         const Resolver& resolve) {
  const DecodeDepth level;
  if (ts_node_is_null(node) || level.tooDeep())
    return std::nullopt;
  if (isType(node, "string"))
    return decodeString(node, src, resolve);
  if (isType(node, "concatenated_string")) {
    DecodedString out;
    for (TSNode part : namedChildren(node))
      if (std::optional<DecodedString> value = decodeTyped(part, src, resolve))
        out.append(*value);
    return out;
  }
  if (isType(node, "identifier"))
    return resolve(nodeText(node, src), ts_node_start_byte(node));
  if (isType(node, "attribute")) {
    // `config.PROJECT`: a constant of another module (RepoConstants).
    const TSNode object = field(node, "object");
    if (!ts_node_is_null(object) && isType(object, "identifier"))
      return resolve(nodeText(node, src), ts_node_start_byte(node));
    return std::nullopt;
  }
  if (isType(node, "parenthesized_expression"))
    return decodeTyped(onlyNamedChild(node), src, resolve);
  if (isPlus(node, src)) {
    const TSNode left = field(node, "left");
    const TSNode right = field(node, "right");
    return concatenate(decodeTyped(left, src, resolve), left, decodeTyped(right, src, resolve),
                       right);
  }
  return std::nullopt;
}

std::optional<DecodedString> decode(TSNode node, std::string_view src, const Resolver& resolve) {
  return decodeTyped(node, src, resolve);
}

} // namespace

const TreeSitterLanguage& pythonLanguage() {
  static const TreeSitterLanguage language{
      "python",     tree_sitter_python, embeddedQuery("analyzers/python/constants.scm"),
      "identifier", isStringExpression, decode, StatementStyle::Python,
  };
  return language;
}

} // namespace godwit
