#include "analyzers/yaml/Yaml.h"

#include "analyzers/ConfigAnalyzer.h"

#include <yaml.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

extern "C" const TSLanguage* tree_sitter_yaml();

namespace godwit {

namespace {

bool isType(TSNode node, const char* type) {
  return std::strcmp(ts_node_type(node), type) == 0;
}

bool isScalar(TSNode node) {
  return isType(node, "plain_scalar") || isType(node, "single_quote_scalar") ||
         isType(node, "double_quote_scalar") || isType(node, "block_scalar");
}

/// True when `scalar`, held by `holder` (a flow_node or block_node) in `owner`, is (the whole of) a
/// mapping key, explicit (`? k`) or implicit (`k: v`).
bool isKey(TSNode holder, TSNode owner) {
  if (ts_node_is_null(holder) || ts_node_is_null(owner))
    return false;
  if (isType(owner, "flow_mapping")) // `{a, b}`: keys whose values are null
    return true;
  if (isType(owner, "block_mapping_pair") || isType(owner, "flow_pair")) {
    const TSNode key = ts_node_child_by_field_name(owner, "key", 3);
    return !ts_node_is_null(key) && ts_node_eq(key, holder);
  }
  return false;
}

bool isStringExpression(TSNode node, std::string_view) {
  if (!isScalar(node))
    return false;
  const TSNode holder = ts_node_parent(node);
  return !isKey(holder, ts_node_is_null(holder) ? holder : ts_node_parent(holder));
}

bool isStringExpressionAt(TSNode node, std::span<const TSNode> up, std::string_view src) {
  if (up.size() < 2)
    return isStringExpression(node, src);
  return isScalar(node) && !isKey(up[up.size() - 1], up[up.size() - 2]);
}

bool isBlank(char c) {
  return c == ' ' || c == '\t';
}

/// The length of the line break at `src[i]` (2 for CRLF), 0 when there is none before `end`.
uint32_t breakAt(std::string_view src, uint32_t i, uint32_t end) {
  if (i >= end)
    return 0;
  if (src[i] == '\n')
    return 1;
  if (src[i] == '\r')
    return i + 1 < end && src[i + 1] == '\n' ? 2 : 1;
  return 0;
}

LiteralPiece piece(uint32_t begin, uint32_t end, char quote, LiteralSyntax syntax) {
  LiteralPiece p;
  p.begin = begin;
  p.end = end;
  p.style.quote = quote;
  p.style.syntax = syntax;
  return p;
}

/// Line folding in a flow scalar at `i`: blanks before a line break, the break and the next
/// line's indentation become one space; n breaks (empty lines between) become n-1 line feeds.
/// Returns where folding stopped, or `i` when no line break follows the blanks at `i`.
uint32_t fold(DecodedString& out, std::string_view src, uint32_t i, uint32_t end) {
  uint32_t j = i;
  while (j < end && isBlank(src[j]))
    ++j;
  if (breakAt(src, j, end) == 0)
    return i;
  std::vector<std::pair<uint32_t, uint32_t>> breaks;
  for (uint32_t n = breakAt(src, j, end); n > 0; n = breakAt(src, j, end)) {
    breaks.emplace_back(j, j + n);
    j += n;
    while (j < end && isBlank(src[j]))
      ++j;
  }
  if (breaks.size() == 1)
    out.push(' ', breaks[0].first, breaks[0].second);
  for (size_t k = 1; k < breaks.size(); ++k)
    out.push('\n', breaks[k].first, breaks[k].second);
  return j;
}

/// Plain and single-quoted content: folding, and `''` for a quote when `quoted`.
void decodeFlowText(DecodedString& out, std::string_view src, uint32_t begin, uint32_t end,
                    bool quoted) {
  for (uint32_t i = begin; i < end;) {
    if (isBlank(src[i]) || breakAt(src, i, end) > 0) {
      const uint32_t next = fold(out, src, i, end);
      if (next != i) {
        i = next;
        continue;
      }
    }
    if (quoted && src[i] == '\'' && i + 1 < end && src[i + 1] == '\'') {
      out.push('\'', i, i + 2);
      i += 2;
      continue;
    }
    out.push(src[i], i, i + 1);
    ++i;
  }
}

/// The character of a one-letter YAML escape, or -1 when `c` is none (`\0` is a NUL byte).
int simpleEscape(char c) {
  switch (c) {
  case '0':
    return '\0';
  case 'a':
    return '\a';
  case 'b':
    return '\b';
  case 't':
  case '\t':
    return '\t';
  case 'n':
    return '\n';
  case 'v':
    return '\v';
  case 'f':
    return '\f';
  case 'r':
    return '\r';
  case 'e':
    return '\x1b';
  case ' ':
  case '"':
  case '/':
  case '\\':
    return c;
  default:
    return -1;
  }
}

void decodeDoubleText(DecodedString& out, std::string_view src, uint32_t begin, uint32_t end) {
  for (uint32_t i = begin; i < end;) {
    const char c = src[i];
    if (c == '\\' && i + 1 < end) {
      const char next = src[i + 1];
      if (const uint32_t n = breakAt(src, i + 1, end); n > 0) {
        // An escaped line break joins the lines; empty lines after it are line feeds.
        uint32_t j = i + 1 + n;
        for (;;) {
          while (j < end && isBlank(src[j]))
            ++j;
          const uint32_t m = breakAt(src, j, end);
          if (m == 0)
            break;
          out.push('\n', j, j + m);
          j += m;
        }
        i = j;
      } else if (const int simple = simpleEscape(next); simple >= 0) {
        out.push(static_cast<char>(simple), i, i + 2);
        i += 2;
      } else if (next == 'x' || next == 'u' || next == 'U') {
        const uint32_t digits = next == 'x' ? 2 : next == 'u' ? 4 : 8;
        const long cp = hexDigits(src, i + 2, end, digits);
        const uint32_t escEnd = cp < 0 ? i + 2 : i + 2 + digits;
        pushCodePoint(out, cp, i, escEnd);
        i = escEnd;
      } else if (next == 'N' || next == '_' || next == 'L' || next == 'P') {
        const long cp = next == 'N' ? 0x85 : next == '_' ? 0xA0 : next == 'L' ? 0x2028 : 0x2029;
        pushCodePoint(out, cp, i, i + 2);
        i += 2;
      } else {
        out.pushHole(i, i + 2); // not YAML: the parser reports it
        i += 2;
      }
      continue;
    }
    if (isBlank(c) || breakAt(src, i, end) > 0) {
      const uint32_t next = fold(out, src, i, end);
      if (next != i) {
        i = next;
        continue;
      }
    }
    out.push(c, i, i + 1);
    ++i;
  }
}

/// The indentation of the block collection entry holding `node` (its column), -1 at top level.
int parentIndent(TSNode node) {
  for (TSNode p = ts_node_parent(node); !ts_node_is_null(p); p = ts_node_parent(p)) {
    if (isType(p, "block_mapping_pair") || isType(p, "block_sequence_item"))
      return static_cast<int>(ts_node_start_point(p).column);
    if (isType(p, "document"))
      break;
  }
  return -1;
}

/// A block scalar (`|` literal, `>` folded) without its final line breaks (chomping never changes
/// a match). Lines lose their indentation; `>` folds lines as YAML does.
DecodedString decodeBlock(TSNode node, std::string_view src) {
  const uint32_t begin = ts_node_start_byte(node);
  const uint32_t end = ts_node_end_byte(node);
  const bool folded = src[begin] == '>';
  uint32_t i = begin + 1;
  int explicitIndent = 0;
  while (i < end &&
         (std::isdigit(static_cast<unsigned char>(src[i])) || src[i] == '+' || src[i] == '-')) {
    if (std::isdigit(static_cast<unsigned char>(src[i])))
      explicitIndent = src[i] - '0';
    ++i;
  }
  while (i < end && breakAt(src, i, end) == 0) // blanks and a comment after the header
    ++i;
  i += breakAt(src, i, end);

  DecodedString out;
  out.beginPiece(piece(i, end, 0, LiteralSyntax::YamlBlock));
  struct Line {
    uint32_t begin, end, breakEnd;
  };
  std::vector<Line> lines;
  while (i < end) {
    uint32_t e = i;
    while (e < end && breakAt(src, e, end) == 0)
      ++e;
    const uint32_t n = breakAt(src, e, end);
    lines.push_back({i, e, e + n});
    i = e + n;
  }
  auto leadingSpaces = [&](const Line& l) {
    uint32_t k = l.begin;
    while (k < l.end && src[k] == ' ')
      ++k;
    return k - l.begin;
  };
  uint32_t indent = 0;
  if (explicitIndent > 0) {
    indent = static_cast<uint32_t>(std::max(0, parentIndent(node) + explicitIndent));
  } else {
    for (const Line& l : lines) {
      if (leadingSpaces(l) < l.end - l.begin) {
        indent = leadingSpaces(l);
        break;
      }
    }
  }

  enum class Kind { None, Normal, More };
  Kind prev = Kind::None;
  std::vector<std::pair<uint32_t, uint32_t>> pending; // line breaks not yet written
  for (size_t k = 0; k < lines.size(); ++k) {
    const Line& l = lines[k];
    if (k > 0)
      pending.emplace_back(lines[k - 1].end, lines[k - 1].breakEnd);
    const uint32_t content = l.begin + std::min(indent, leadingSpaces(l));
    const bool empty = content == l.end;
    if (!folded) {
      for (const auto& [b, e] : pending)
        out.push('\n', b, e);
      pending.clear();
    } else {
      if (empty)
        continue;
      const Kind kind = isBlank(src[content]) ? Kind::More : Kind::Normal;
      if (prev == Kind::Normal && kind == Kind::Normal && pending.size() == 1) {
        out.push(' ', pending[0].first, pending[0].second);
      } else {
        const size_t skip = prev == Kind::Normal && kind == Kind::Normal ? 1 : 0;
        for (size_t p = skip; p < pending.size(); ++p)
          out.push('\n', pending[p].first, pending[p].second);
      }
      pending.clear();
      prev = kind;
    }
    for (uint32_t c = content; c < l.end; ++c)
      out.push(src[c], c, c + 1);
  }
  return out;
}

DecodedString decodeQuoted(TSNode node, std::string_view src, char quote) {
  const uint32_t begin = ts_node_start_byte(node);
  const uint32_t end = ts_node_end_byte(node);
  DecodedString out;
  if (end - begin < 2 || src[end - 1] != quote) {
    out.pushHole(begin, end);
    return out;
  }
  if (quote == '\'') {
    out.beginPiece(piece(begin + 1, end - 1, quote, LiteralSyntax::YamlSingle));
    decodeFlowText(out, src, begin + 1, end - 1, true);
  } else {
    out.beginPiece(piece(begin + 1, end - 1, quote, LiteralSyntax::Code));
    decodeDoubleText(out, src, begin + 1, end - 1);
  }
  return out;
}

std::optional<DecodedString> decodeScalar(TSNode node, std::string_view src) {
  if (ts_node_is_null(node))
    return std::nullopt;
  if (isType(node, "flow_node") || isType(node, "block_node")) {
    // A rule may capture the node around a scalar (with its anchor or tag).
    const uint32_t count = ts_node_named_child_count(node);
    for (uint32_t k = 0; k < count; ++k)
      if (isScalar(ts_node_named_child(node, k)))
        return decodeScalar(ts_node_named_child(node, k), src);
    return std::nullopt;
  }
  if (isType(node, "plain_scalar")) {
    DecodedString out;
    out.beginPiece(
        piece(ts_node_start_byte(node), ts_node_end_byte(node), 0, LiteralSyntax::YamlPlain));
    decodeFlowText(out, src, ts_node_start_byte(node), ts_node_end_byte(node), false);
    return out;
  }
  if (isType(node, "single_quote_scalar"))
    return decodeQuoted(node, src, '\'');
  if (isType(node, "double_quote_scalar"))
    return decodeQuoted(node, src, '"');
  if (isType(node, "block_scalar"))
    return decodeBlock(node, src);
  return std::nullopt;
}

std::optional<DecodedString> decode(TSNode node, std::string_view src, const Resolver&) {
  std::optional<DecodedString> value = decodeScalar(node, src);
  if (value)
    markPlaceholders(*value);
  return value;
}

} // namespace

const TreeSitterLanguage& yamlLanguage() {
  static const TreeSitterLanguage language{
      "yaml",
      tree_sitter_yaml,
      embeddedQuery("analyzers/yaml/constants.scm"),
      "alias_name",
      isStringExpression,
      decode,
      StatementStyle::None,
      isStringExpressionAt,
  };
  return language;
}

bool isGodwitMigration(std::string_view text) {
  for (size_t at = 0; at < text.size();) {
    size_t eol = text.find('\n', at);
    if (eol == std::string_view::npos)
      eol = text.size();
    std::string_view line = text.substr(at, eol - at);
    if (line.starts_with("apiVersion:")) {
      line.remove_prefix(11);
      while (!line.empty() &&
             (isBlank(line.front()) || line.front() == '"' || line.front() == '\''))
        line.remove_prefix(1);
      if (line.starts_with("godwit/"))
        return true;
    }
    at = eol + 1;
  }
  return false;
}

bool isValidYaml(std::string_view text) {
  yaml_parser_t parser;
  if (yaml_parser_initialize(&parser) == 0)
    return false;
  yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text.data()),
                               text.size());
  bool valid = false;
  for (;;) {
    yaml_event_t event;
    if (yaml_parser_parse(&parser, &event) == 0)
      break;
    const bool end = event.type == YAML_STREAM_END_EVENT;
    yaml_event_delete(&event);
    if (end) {
      valid = true;
      break;
    }
  }
  yaml_parser_delete(&parser);
  return valid;
}

Expected<std::unique_ptr<Analyzer>> makeYamlAnalyzer(const std::vector<const Rule*>& rules) {
  // tree-sitter-yaml rejects some valid YAML (tabs as separation in flow collections): libyaml,
  // PyYAML's parser and so dbt's, has the last word before a file is called invalid.
  return makeStrictTreeSitterAnalyzer(yamlLanguage(), "YAML", rules, isGodwitMigration,
                                      StrictFallbacks{isValidYaml, true});
}

} // namespace godwit
