#include "analyzers/json/Json.h"

#include "analyzers/ConfigAnalyzer.h"

#include <cstring>
#include <string>
#include <utility>
#include <vector>

extern "C" const TSLanguage* tree_sitter_json();

namespace godwit {

namespace {

bool isType(TSNode node, const char* type) {
  return std::strcmp(ts_node_type(node), type) == 0;
}

/// True when `string` is the key of `pair`, its parent.
bool isKey(TSNode string, TSNode pair) {
  if (ts_node_is_null(pair) || !isType(pair, "pair"))
    return false;
  const TSNode key = ts_node_child_by_field_name(pair, "key", 3);
  return !ts_node_is_null(key) && ts_node_eq(key, string);
}

bool isStringExpression(TSNode node, std::string_view) {
  return isType(node, "string") && !isKey(node, ts_node_parent(node));
}

bool isStringExpressionAt(TSNode node, std::span<const TSNode> up, std::string_view src) {
  if (up.empty())
    return isStringExpression(node, src);
  return isType(node, "string") && !isKey(node, up.back());
}

/// The character of a one-letter JSON escape, or 0 when `c` is none.
char simpleEscape(char c) {
  static constexpr std::string_view kLetters = "\"\\/bfnrt";
  static constexpr std::string_view kValues = "\"\\/\b\f\n\r\t";
  const size_t at = kLetters.find(c);
  return at == std::string_view::npos ? '\0' : kValues[at];
}

std::optional<DecodedString> decode(TSNode node, std::string_view src, const Resolver&) {
  if (ts_node_is_null(node) || !isType(node, "string"))
    return std::nullopt;
  DecodedString value = decodeJsonString(node, src);
  markPlaceholders(value);
  return value;
}

} // namespace

DecodedString decodeJsonString(TSNode node, std::string_view src) {
  const uint32_t begin = ts_node_start_byte(node);
  const uint32_t end = ts_node_end_byte(node);
  DecodedString out;
  if (end - begin < 2 || src[begin] != '"' || src[end - 1] != '"') {
    out.pushHole(begin, end);
    return out;
  }
  LiteralPiece piece;
  piece.begin = begin + 1;
  piece.end = end - 1;
  piece.style.quote = '"';
  out.beginPiece(piece);
  for (uint32_t i = begin + 1; i < end - 1;) {
    if (src[i] != '\\' || i + 2 > end - 1) {
      out.push(src[i], i, i + 1);
      ++i;
      continue;
    }
    const char next = src[i + 1];
    if (const char simple = simpleEscape(next); simple != '\0') {
      out.push(simple, i, i + 2);
      i += 2;
      continue;
    }
    if (next != 'u') {
      out.pushHole(i, i + 2); // not JSON: the parser reports it
      i += 2;
      continue;
    }
    long cp = hexDigits(src, i + 2, end - 1, 4);
    uint32_t escEnd = cp < 0 ? i + 2 : i + 6;
    // A surrogate pair is two escapes for one code point.
    if (cp >= 0xD800 && cp <= 0xDBFF && escEnd + 6 <= end - 1 && src[escEnd] == '\\' &&
        src[escEnd + 1] == 'u') {
      const long low = hexDigits(src, escEnd + 2, end - 1, 4);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        escEnd += 6;
      }
    }
    pushCodePoint(out, cp, i, escEnd);
    i = escEnd;
  }
  return out;
}

const TreeSitterLanguage& jsonLanguage() {
  static const TreeSitterLanguage language{
      "json",
      tree_sitter_json,
      embeddedQuery("analyzers/json/constants.scm"),
      "json_no_identifier",
      isStringExpression,
      decode,
      StatementStyle::None,
      isStringExpressionAt,
  };
  return language;
}

Expected<std::unique_ptr<Analyzer>> makeJsonAnalyzer(const std::vector<const Rule*>& rules) {
  return makeStrictTreeSitterAnalyzer(jsonLanguage(), "JSON", rules);
}

} // namespace godwit
