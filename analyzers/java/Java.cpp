#include "analyzers/java/Java.h"

#include "analyzers/TreeSitterNodes.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

extern "C" const TSLanguage* tree_sitter_java();

namespace godwit {

namespace {

TSNode firstNamedChild(TSNode node) {
  const uint32_t count = ts_node_named_child_count(node);
  for (uint32_t i = 0; i < count; ++i) {
    const TSNode child = ts_node_named_child(node, i);
    if (!ts_node_is_extra(child))
      return child;
  }
  return TSNode{};
}

bool isPlus(TSNode node, std::string_view src) {
  const TSNode op = ts_node_child_by_field_name(node, "operator", 8);
  return !ts_node_is_null(op) && nodeText(op, src) == "+";
}

/// The character a one-letter Java escape `\c` stands for, or 0 when `c` is no such escape.
char simpleEscape(char c) {
  static constexpr std::string_view kLetters = "btnfrs\"'\\";
  static constexpr std::string_view kValues = "\b\t\n\f\r \"'\\";
  const size_t at = c == '\0' ? std::string_view::npos : kLetters.find(c);
  return at == std::string_view::npos ? '\0' : kValues[at];
}

/// One character of a literal after Unicode escapes are translated (JLS 3.3), with its source.
struct Unit {
  uint32_t c = 0;       ///< A code point, or one byte of a raw non-ASCII UTF-8 sequence.
  bool byte = false;    ///< `c` is a raw source byte.
  bool invalid = false; ///< Has no value we can state: becomes a hole.
  uint32_t begin = 0;
  uint32_t end = 0;
};

bool isCode(const Unit& u, uint32_t c) {
  return !u.byte && !u.invalid && u.c == c;
}

// Character.isWhitespace for what a text block can hold; raw non-ASCII bytes count as text.
bool isWhitespace(const Unit& u) {
  if (u.byte || u.invalid)
    return false;
  return u.c == ' ' || (u.c >= 0x09 && u.c <= 0x0D) || (u.c >= 0x1C && u.c <= 0x1F) ||
         u.c == 0x1680 || (u.c >= 0x2000 && u.c <= 0x2006) || (u.c >= 0x2008 && u.c <= 0x200A) ||
         u.c == 0x2028 || u.c == 0x2029 || u.c == 0x205F || u.c == 0x3000;
}

std::vector<Unit> translateUnicodeEscapes(std::string_view src, uint32_t begin, uint32_t end,
                                          bool textBlock) {
  std::vector<Unit> units;
  int backslashes = 0; // Contiguous raw backslashes before `i`: an odd count disables `\u`.
  for (uint32_t i = begin; i < end;) {
    const char c = src[i];
    if (c == '\\' && backslashes % 2 == 0 && i + 1 < end && src[i + 1] == 'u') {
      uint32_t j = i + 1;
      while (j < end && src[j] == 'u')
        ++j;
      Unit u{0, false, j + 4 > end, i, std::min(j + 4, end)};
      for (uint32_t k = j; !u.invalid && k < j + 4; ++k) {
        const int d = hexDigit(src[k]);
        u.invalid = d < 0;
        u.c = u.c * 16 + static_cast<uint32_t>(std::max(d, 0));
      }
      // javac would end a plain literal (or the line) at these; tree-sitter did not.
      if (!textBlock && (u.c == '"' || u.c == '\n' || u.c == '\r'))
        u.invalid = true;
      units.push_back(u);
      i = u.end;
      backslashes = 0;
      continue;
    }
    backslashes = c == '\\' ? backslashes + 1 : 0;
    const auto b = static_cast<unsigned char>(c);
    units.push_back(Unit{b, b >= 0x80, false, i, i + 1});
    ++i;
  }
  std::vector<Unit> out;
  out.reserve(units.size());
  for (size_t k = 0; k < units.size(); ++k) {
    Unit u = units[k];
    if (!u.byte && !u.invalid && u.c >= 0xD800 && u.c <= 0xDFFF) {
      const bool pair = u.c <= 0xDBFF && k + 1 < units.size() && !units[k + 1].byte &&
                        !units[k + 1].invalid && units[k + 1].c >= 0xDC00 &&
                        units[k + 1].c <= 0xDFFF;
      if (pair) {
        u.c = 0x10000 + ((u.c - 0xD800) << 10) + (units[k + 1].c - 0xDC00);
        u.end = units[++k].end;
      } else {
        u.invalid = true; // A lone surrogate has no UTF-8 form.
      }
    }
    out.push_back(u);
  }
  return out;
}

void emit(DecodedString& out, const Unit& u) {
  if (u.invalid) {
    out.pushHole(u.begin, u.end);
  } else if (u.byte || u.c < 0x80) {
    out.push(static_cast<char>(u.c), u.begin, u.end);
  } else {
    std::string bytes;
    appendUtf8(bytes, u.c);
    out.pushAll(bytes, u.begin, u.end);
  }
}

bool isOctal(const Unit& u) {
  return !u.byte && !u.invalid && u.c >= '0' && u.c <= '7';
}

/// Interprets escape sequences (JLS 3.10.7) in `units`; `templates` are `\{...}` argument ranges.
void appendEscaped(DecodedString& out, const std::vector<Unit>& units, bool textBlock,
                   const std::vector<std::pair<uint32_t, uint32_t>>& templates) {
  for (size_t k = 0; k < units.size();) {
    const Unit& u = units[k];
    if (!isCode(u, '\\') || k + 1 == units.size()) {
      emit(out, u);
      ++k;
      continue;
    }
    const Unit& next = units[k + 1];
    const char simple = next.byte || next.invalid || next.c >= 0x80
                            ? '\0'
                            : simpleEscape(static_cast<char>(next.c));
    if (simple != 0) {
      out.push(simple, u.begin, next.end);
      k += 2;
    } else if (isOctal(next)) {
      const size_t maxDigits = next.c <= '3' ? 3 : 2;
      uint32_t value = 0;
      size_t j = k + 1;
      for (; j < units.size() && j - k <= maxDigits && isOctal(units[j]); ++j)
        value = value * 8 + (units[j].c - '0');
      std::string bytes;
      appendUtf8(bytes, value);
      out.pushAll(bytes, u.begin, units[j - 1].end);
      k = j;
    } else if (textBlock && isCode(next, '\n')) {
      k += 2; // Line continuation: the escape and the line terminator produce nothing.
    } else if (isCode(next, '{')) {
      // A string template argument: unknown text up to the end of its `\{...}`.
      uint32_t holeEnd = next.end;
      for (const auto& [begin, end] : templates)
        if (begin == u.begin)
          holeEnd = end;
      out.pushHole(u.begin, holeEnd);
      while (k < units.size() && units[k].begin < holeEnd)
        ++k;
    } else {
      out.pushHole(u.begin, next.end);
      k += 2;
    }
  }
}

/// Applies the text block rules of JLS 3.10.6 to `units` (between the delimiters): drops the
/// opening line, normalizes line terminators, strips incidental and trailing white space.
/// Returns false when the opening delimiter is not followed by a line terminator.
bool stripTextBlock(std::vector<Unit>& units) {
  size_t k = 0;
  while (k < units.size() && !isCode(units[k], '\n') && !isCode(units[k], '\r') &&
         isWhitespace(units[k]))
    ++k;
  if (k == units.size() || !(isCode(units[k], '\n') || isCode(units[k], '\r')))
    return false;
  k += isCode(units[k], '\r') && k + 1 < units.size() && isCode(units[k + 1], '\n') ? 2 : 1;

  struct Line {
    std::vector<Unit> chars;
    bool terminated = false;
    Unit terminator;
  };
  std::vector<Line> lines(1);
  for (; k < units.size(); ++k) {
    const Unit& u = units[k];
    if (isCode(u, '\n') || isCode(u, '\r')) {
      Unit lf{'\n', false, false, u.begin, u.end};
      if (isCode(u, '\r') && k + 1 < units.size() && isCode(units[k + 1], '\n'))
        lf.end = units[++k].end;
      lines.back().terminated = true;
      lines.back().terminator = lf;
      lines.emplace_back();
    } else {
      lines.back().chars.push_back(u);
    }
  }
  const auto indentOf = [](const Line& line) {
    return static_cast<size_t>(
        std::find_if_not(line.chars.begin(), line.chars.end(), isWhitespace) - line.chars.begin());
  };
  const auto blank = [&](const Line& line) { return indentOf(line) == line.chars.size(); };
  size_t indent = SIZE_MAX;
  for (const Line& line : lines)
    if (!blank(line) || &line == &lines.back())
      indent = std::min(indent, indentOf(line));

  std::vector<Unit> result;
  for (Line& line : lines) {
    if (!blank(line))
      line.chars.erase(line.chars.begin(), line.chars.begin() + static_cast<long>(indent));
    while (!line.chars.empty() && isWhitespace(line.chars.back()))
      line.chars.pop_back();
    result.insert(result.end(), line.chars.begin(), line.chars.end());
    if (line.terminated)
      result.push_back(line.terminator);
  }
  units = std::move(result);
  return true;
}

DecodedString decodeLiteral(TSNode node, std::string_view src) {
  const uint32_t begin = ts_node_start_byte(node);
  const uint32_t end = ts_node_end_byte(node);
  const std::string_view text = src.substr(begin, end - begin);
  const bool textBlock = text.size() >= 6 && text.starts_with("\"\"\"") && text.ends_with("\"\"\"");
  const uint32_t delimiter = textBlock ? 3 : 1;
  DecodedString out;
  if (text.size() < 2 * delimiter) {
    out.pushHole(begin, end);
    return out;
  }
  const uint32_t contentBegin = begin + delimiter;
  const uint32_t contentEnd = end - delimiter;

  std::vector<std::pair<uint32_t, uint32_t>> templates;
  const uint32_t count = ts_node_named_child_count(node);
  for (uint32_t i = 0; i < count; ++i) {
    const TSNode child = ts_node_named_child(node, i);
    if (isType(child, "string_interpolation"))
      templates.emplace_back(ts_node_start_byte(child), ts_node_end_byte(child));
  }

  std::vector<Unit> units = translateUnicodeEscapes(src, contentBegin, contentEnd, textBlock);
  if (textBlock && !stripTextBlock(units)) {
    out.pushHole(begin, end);
    return out;
  }
  out.beginPiece(contentBegin, contentEnd, LiteralStyle{'"', textBlock, false, 0});
  appendEscaped(out, units, textBlock, templates);
  return out;
}

bool isStringExpression(TSNode node, std::string_view src) {
  const DecodeDepth level;
  if (ts_node_is_null(node) || level.tooDeep())
    return false;
  if (isType(node, "string_literal"))
    return true;
  if (isType(node, "parenthesized_expression")) {
    const TSNode inner = firstNamedChild(node);
    return !ts_node_is_null(inner) && isStringExpression(inner, src);
  }
  if (isType(node, "binary_expression") && isPlus(node, src))
    // The right operand first: in a long chain `a + b + …` it is the shallow one.
    return isStringExpression(ts_node_child_by_field_name(node, "right", 5), src) ||
           isStringExpression(ts_node_child_by_field_name(node, "left", 4), src);
  return false;
}

/// Decodes `node` when its type is String: a string expression, or an identifier, a
/// parenthesized expression or a concatenation whose string-ness the resolver proves.
std::optional<DecodedString> decodeTyped(TSNode node, std::string_view src,
                                         const Resolver& resolve) {
  const DecodeDepth level;
  if (ts_node_is_null(node) || level.tooDeep())
    return std::nullopt;
  if (isType(node, "string_literal"))
    return decodeLiteral(node, src);
  if (isType(node, "identifier"))
    return resolve(nodeText(node, src), ts_node_start_byte(node));
  if (isType(node, "field_access")) {
    // `Tables.DATASET`: a static field of another class (RepoConstants).
    const TSNode object = ts_node_child_by_field_name(node, "object", 6);
    const TSNode name = ts_node_child_by_field_name(node, "field", 5);
    if (!ts_node_is_null(object) && isType(object, "identifier") && !ts_node_is_null(name))
      return resolve(nodeText(node, src), ts_node_start_byte(node));
    return std::nullopt;
  }
  if (isType(node, "parenthesized_expression"))
    return decodeTyped(firstNamedChild(node), src, resolve);
  if (isType(node, "binary_expression") && isPlus(node, src)) {
    const TSNode left = ts_node_child_by_field_name(node, "left", 4);
    const TSNode right = ts_node_child_by_field_name(node, "right", 5);
    return concatenate(decodeTyped(left, src, resolve), left, decodeTyped(right, src, resolve),
                       right);
  }
  return std::nullopt;
}

std::optional<DecodedString> decode(TSNode node, std::string_view src, const Resolver& resolve) {
  return decodeTyped(node, src, resolve);
}

} // namespace

const TreeSitterLanguage& javaLanguage() {
  static const TreeSitterLanguage language{
      "java",       tree_sitter_java,   embeddedQuery("analyzers/java/constants.scm"),
      "identifier", isStringExpression, decode, StatementStyle::Java,
  };
  return language;
}

} // namespace godwit
