#include "analyzers/scala/Scala.h"

#include "analyzers/TreeSitterNodes.h"

#include "rules/DatasetMatcher.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

extern "C" const TSLanguage* tree_sitter_scala();

namespace godwit {

namespace {

/// The character a one-letter Scala escape `\c` stands for, or 0 when `c` is no such escape.
char simpleEscape(char c) {
  static constexpr std::string_view kLetters = "btnfr\"'\\";
  static constexpr std::string_view kValues = "\b\t\n\f\r\"'\\";
  const size_t at = c == '\0' ? std::string_view::npos : kLetters.find(c);
  return at == std::string_view::npos ? '\0' : kValues[at];
}

/// Parses `\u+XXXX` at `i`; returns the code unit and sets `end`, or -1 when malformed.
long unicodeEscape(std::string_view src, uint32_t i, uint32_t limit, uint32_t& end) {
  uint32_t j = i + 1;
  while (j < limit && src[j] == 'u')
    ++j;
  if (j == i + 1 || j + 4 > limit)
    return -1;
  const long value = hexDigits(src, j, limit, 4);
  if (value >= 0)
    end = j + 4;
  return value;
}

/// How the text between a literal's quotes is read.
struct FragmentRules {
  bool escapes = false;      ///< Backslash escapes are processed (plain strings, `s`, `f`).
  bool interpolated = false; ///< `$$` and `$"` stand for `$` and `"`.
  bool format = false;       ///< `f`: `%%` and `%n` are text, other conversions unknown.
};

/// End of the java.util.Formatter conversion starting with `%` at `i`, or i + 1 if malformed.
uint32_t formatSpecEnd(std::string_view src, uint32_t i, uint32_t limit) {
  uint32_t j = i + 1;
  const auto digits = [&] {
    while (j < limit && src[j] >= '0' && src[j] <= '9')
      ++j;
  };
  digits();
  if (j < limit && src[j] == '$')
    ++j;
  while (j < limit && std::strchr("-#+ 0,(<", src[j]) != nullptr)
    ++j;
  digits();
  if (j < limit && src[j] == '.') {
    ++j;
    digits();
  }
  if (j < limit && (src[j] == 't' || src[j] == 'T'))
    ++j;
  const bool letter = j < limit && ((src[j] >= 'a' && src[j] <= 'z') ||
                                    (src[j] >= 'A' && src[j] <= 'Z') || src[j] == '%');
  return letter ? j + 1 : i + 1;
}

/// Appends the value of source bytes [begin, end) of one literal fragment.
void appendFragment(DecodedString& out, std::string_view src, uint32_t begin, uint32_t end,
                    const FragmentRules& rules) {
  int backslashes = 0; // Contiguous backslashes before `i`, for `\u` in raw text.
  for (uint32_t i = begin; i < end;) {
    const char c = src[i];
    const char next = i + 1 < end ? src[i + 1] : '\0';
    const bool evenBackslashes = backslashes % 2 == 0;
    backslashes = c == '\\' ? backslashes + 1 : 0;
    if (rules.interpolated && c == '$') {
      if (next == '$' || next == '"')
        out.push(next, i, i + 2);
      else
        out.pushHole(i, i + 1);
      i += next == '$' || next == '"' ? 2 : 1;
    } else if (rules.format && c == '%') {
      if (next == '%' || next == 'n') {
        out.push(next == 'n' ? '\n' : '%', i, i + 2);
        i += 2;
      } else {
        // A conversion that follows no argument: not text we can state.
        const uint32_t specEnd = formatSpecEnd(src, i, end);
        out.pushHole(i, specEnd);
        i = specEnd;
      }
    } else if (c == '\\' && next == 'u' && (rules.escapes || evenBackslashes)) {
      uint32_t escEnd = i + 2;
      long unit = unicodeEscape(src, i, end, escEnd);
      if (!rules.escapes && unit < 0) {
        out.push(c, i, i + 1);
        ++i;
        continue;
      }
      if (!rules.escapes || unit < 0) {
        // Raw text: Scala 2 translates a `\u` escape here, Scala 3 keeps it; either way unknown.
        out.pushHole(i, escEnd);
        i = escEnd;
        backslashes = 0;
        continue;
      }
      if (unit >= 0xD800 && unit <= 0xDBFF && escEnd + 1 < end && src[escEnd] == '\\' &&
          src[escEnd + 1] == 'u') {
        uint32_t lowEnd = escEnd;
        const long low = unicodeEscape(src, escEnd, end, lowEnd);
        if (low >= 0xDC00 && low <= 0xDFFF) {
          unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
          escEnd = lowEnd;
        }
      }
      if (unit >= 0xD800 && unit <= 0xDFFF) {
        out.pushHole(i, escEnd);
      } else {
        std::string bytes;
        appendUtf8(bytes, static_cast<uint32_t>(unit));
        out.pushAll(bytes, i, escEnd);
      }
      i = escEnd;
    } else if (rules.escapes && c == '\\') {
      const char simple = simpleEscape(next);
      // Octal and unknown escapes are errors in current Scala: unknown text.
      const uint32_t escEnd = std::min(i + 2, end);
      if (simple != 0)
        out.push(simple, i, escEnd);
      else
        out.pushHole(i, escEnd);
      i = escEnd;
    } else {
      out.push(c, i, i + 1);
      ++i;
    }
  }
}

/// The content range of a quoted node and whether it is triple-quoted.
struct Quoted {
  uint32_t begin = 0;
  uint32_t end = 0;
  bool triple = false;
};

Quoted quotedContent(TSNode node, std::string_view src) {
  const std::string_view text = nodeText(node, src);
  const uint32_t begin = ts_node_start_byte(node);
  const bool triple = text.size() >= 6 && text.starts_with("\"\"\"") && text.ends_with("\"\"\"");
  const uint32_t delimiter = triple ? 3 : 1;
  if (text.size() < 2 * delimiter)
    return Quoted{begin, begin, false};
  return Quoted{begin + delimiter, begin + static_cast<uint32_t>(text.size()) - delimiter, triple};
}

DecodedString decodeString(TSNode node, std::string_view src) {
  const Quoted q = quotedContent(node, src);
  DecodedString out;
  out.beginPiece(q.begin, q.end, LiteralStyle{'"', q.triple, q.triple, 0});
  appendFragment(out, src, q.begin, q.end, FragmentRules{!q.triple, false, false});
  return out;
}

std::optional<DecodedString> decodeTyped(TSNode node, std::string_view src,
                                         const Resolver& resolve);

DecodedString decodeInterpolated(TSNode node, std::string_view src, const Resolver& resolve) {
  DecodedString out;
  const std::string_view interpolator = nodeText(field(node, "interpolator"), src);
  TSNode string{};
  for (TSNode child : namedChildren(node))
    if (isType(child, "interpolated_string"))
      string = child;
  if (ts_node_is_null(string) ||
      (interpolator != "s" && interpolator != "f" && interpolator != "raw")) {
    out.pushHole(ts_node_start_byte(node), ts_node_end_byte(node));
    return out;
  }
  const Quoted q = quotedContent(string, src);
  const bool format = interpolator == "f";
  const FragmentRules rules{interpolator != "raw", true, format};
  const LiteralStyle style{'"', q.triple, interpolator == "raw", '$'};

  std::vector<TSNode> holes;
  for (TSNode child : namedChildren(string))
    if (isType(child, "interpolation"))
      holes.push_back(child);

  uint32_t pos = q.begin;
  const auto fragment = [&](uint32_t end) {
    if (end > pos) {
      out.beginPiece(pos, end, style);
      appendFragment(out, src, pos, end, rules);
    }
  };
  for (TSNode hole : holes) {
    const uint32_t holeBegin = ts_node_start_byte(hole);
    uint32_t holeEnd = ts_node_end_byte(hole);
    fragment(holeBegin);
    bool plain = true; // The argument's text is its value (no format conversion).
    if (format && holeEnd + 1 < q.end && src[holeEnd] == '%' && src[holeEnd + 1] != '%' &&
        src[holeEnd + 1] != 'n') {
      const uint32_t specEnd = formatSpecEnd(src, holeEnd, q.end);
      plain = src.substr(holeEnd, specEnd - holeEnd) == "%s";
      holeEnd = specEnd;
    }
    TSNode expr = onlyNamedChild(hole);
    if (!ts_node_is_null(expr) && isType(expr, "block"))
      expr = onlyNamedChild(expr);
    std::optional<DecodedString> value;
    if (plain && !ts_node_is_null(expr))
      value = decodeTyped(expr, src, resolve);
    if (value)
      out.append(*value);
    else
      out.pushHole(holeBegin, holeEnd);
    pos = holeEnd;
  }
  fragment(q.end);
  if (out.pieces.empty() && out.value.empty())
    out.beginPiece(q.begin, q.end, style);
  return out;
}

/// `stripMargin` as Scala's StringOps defines it, applied to the decoded value: on every line,
/// leading blanks and control characters followed by `margin` produce no value bytes.
DecodedString stripMargin(const DecodedString& in, char margin) {
  DecodedString out;
  out.pieces = in.pieces;
  bool lineStart = true;
  for (size_t i = 0; i < in.value.size();) {
    if (lineStart) {
      lineStart = false;
      size_t j = i;
      while (j < in.value.size() && in.value[j] != kHole && in.value[j] != '\n' &&
             static_cast<unsigned char>(in.value[j]) <= ' ')
        ++j;
      if (j < in.value.size() && in.value[j] == margin) {
        i = j + 1;
        continue;
      }
    }
    out.value.push_back(in.value[i]);
    out.srcBegin.push_back(in.srcBegin[i]);
    out.srcEnd.push_back(in.srcEnd[i]);
    out.piece.push_back(in.piece[i]);
    lineStart = in.value[i] == '\n';
    ++i;
  }
  return out;
}

bool isStripMargin(TSNode node, std::string_view src) {
  return isType(node, "field_expression") && nodeText(field(node, "field"), src) == "stripMargin";
}

bool isPlus(TSNode node, std::string_view src) {
  return isType(node, "infix_expression") && nodeText(field(node, "operator"), src) == "+";
}

bool isStringExpression(TSNode node, std::string_view src) {
  const DecodeDepth level;
  if (ts_node_is_null(node) || level.tooDeep())
    return false;
  if (isType(node, "string") || isType(node, "interpolated_string_expression"))
    return true;
  if (isType(node, "parenthesized_expression"))
    return isStringExpression(onlyNamedChild(node), src);
  if (isPlus(node, src))
    // The right operand first: in a long chain `a + b + …` it is the shallow one.
    return isStringExpression(field(node, "right"), src) ||
           isStringExpression(field(node, "left"), src);
  if (isStripMargin(node, src))
    return isStringExpression(field(node, "value"), src);
  if (isType(node, "call_expression") && isStripMargin(field(node, "function"), src))
    return isStringExpression(field(field(node, "function"), "value"), src);
  return false;
}

/// Decodes `node` when its type is String: a string expression, or an identifier, a
/// parenthesized expression or a concatenation whose string-ness the resolver proves.
std::optional<DecodedString> decodeTyped(TSNode node, std::string_view src,
                                         const Resolver& resolve) {
  const DecodeDepth level;
  if (ts_node_is_null(node) || level.tooDeep())
    return std::nullopt;
  if (isType(node, "string"))
    return decodeString(node, src);
  if (isType(node, "interpolated_string_expression"))
    return decodeInterpolated(node, src, resolve);
  if (isType(node, "identifier"))
    return resolve(nodeText(node, src), ts_node_start_byte(node));
  if (isType(node, "parenthesized_expression"))
    return decodeTyped(onlyNamedChild(node), src, resolve);
  if (isPlus(node, src)) {
    const TSNode left = field(node, "left");
    const TSNode right = field(node, "right");
    return concatenate(decodeTyped(left, src, resolve), left, decodeTyped(right, src, resolve),
                       right);
  }
  if (isStripMargin(node, src)) {
    std::optional<DecodedString> value = decodeTyped(field(node, "value"), src, resolve);
    if (!value)
      return std::nullopt;
    return stripMargin(*value, '|');
  }
  if (isType(node, "call_expression") && isStripMargin(field(node, "function"), src)) {
    std::optional<DecodedString> value =
        decodeTyped(field(field(node, "function"), "value"), src, resolve);
    if (!value)
      return std::nullopt;
    const TSNode argument = onlyNamedChild(field(node, "arguments"));
    const std::string_view margin =
        ts_node_is_null(argument) || !isType(argument, "character_literal")
            ? std::string_view()
            : nodeText(argument, src);
    if (margin.size() != 3 || margin[1] == '\\') {
      DecodedString unknown;
      unknown.pushHole(ts_node_start_byte(node), ts_node_end_byte(node));
      return unknown;
    }
    return stripMargin(*value, margin[1]);
  }
  if (isType(node, "field_expression")) {
    // `Tables.Users`: a member of another object (RepoConstants).
    const TSNode value = field(node, "value");
    const TSNode member = field(node, "field");
    if (!ts_node_is_null(value) && isType(value, "identifier") && !ts_node_is_null(member) &&
        isType(member, "identifier"))
      return resolve(nodeText(node, src), ts_node_start_byte(node));
  }
  return std::nullopt;
}

std::optional<DecodedString> decode(TSNode node, std::string_view src, const Resolver& resolve) {
  return decodeTyped(node, src, resolve);
}

} // namespace

const TreeSitterLanguage& scalaLanguage() {
  static const TreeSitterLanguage language{
      "scala",      tree_sitter_scala,  embeddedQuery("analyzers/scala/constants.scm"),
      "identifier", isStringExpression, decode, StatementStyle::Scala,
  };
  return language;
}

} // namespace godwit
