#include "analyzers/shell/Shell.h"

#include "analyzers/Nesting.h"
#include "analyzers/TreeSitterNodes.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

extern "C" const TSLanguage* tree_sitter_bash();

namespace godwit {

namespace {

/// How backslashes read in a stretch of literal shell text.
enum class Quoting {
  None,    ///< An unquoted word: `\c` is `c`.
  Double,  ///< Inside "…": only `\$`, `` \` ``, `\"`, `\\` and a line continuation are escapes.
  Heredoc, ///< An unquoted heredoc body: as "…" but `\"` stays as written.
  Raw,     ///< '…' and quoted heredocs: no escapes at all.
};

LiteralStyle styleOf(Quoting q) {
  LiteralStyle style;
  style.syntax = LiteralSyntax::Shell;
  style.quote = q == Quoting::Double ? '"' : q == Quoting::Raw ? '\'' : '\0';
  style.triple = q == Quoting::Heredoc;
  style.raw = q == Quoting::Raw;
  // `$name` ends at the first byte that cannot be part of a name: the rewriter must not write
  // a name byte right after one.
  style.holeIntro = q == Quoting::Raw ? '\0' : '$';
  return style;
}

/// Appends literal bytes [begin, end) read under `q`.
void appendLiteral(DecodedString& out, std::string_view src, uint32_t begin, uint32_t end,
                   Quoting q) {
  for (uint32_t i = begin; i < end;) {
    const char c = src[i];
    const char next = i + 1 < end ? src[i + 1] : '\0';
    const bool escape =
        c == '\\' && i + 1 < end &&
        (q == Quoting::None || (q != Quoting::Raw && (next == '$' || next == '`' || next == '\\' ||
                                                      next == '\n' ||
                                                      (q == Quoting::Double && next == '"'))));
    if (!escape) {
      out.push(c, i, i + 1);
      ++i;
    } else if (next == '\n') {
      i += 2; // a line continuation is nothing
    } else {
      out.push(next, i, i + 2);
      i += 2;
    }
  }
}

/// Appends the value of an ANSI-C string's content [begin, end) (`$'…'`): C-like escapes.
void appendAnsiC(DecodedString& out, std::string_view src, uint32_t begin, uint32_t end) {
  static constexpr std::string_view kLetters = "abeEfnrtv\\'\"?";
  static constexpr std::string_view kValues = "\a\b\x1b\x1b\f\n\r\t\v\\'\"?";
  for (uint32_t i = begin; i < end;) {
    const char c = src[i];
    const char next = i + 1 < end ? src[i + 1] : '\0';
    if (c != '\\' || i + 1 == end) {
      out.push(c, i, i + 1);
      ++i;
      continue;
    }
    if (const size_t at = kLetters.find(next); at != std::string_view::npos) {
      out.push(kValues[at], i, i + 2);
      i += 2;
      continue;
    }
    // \nnn (octal), \xHH, \uHHHH, \UHHHHHHHH: as many digits as are there, up to the limit.
    const bool octal = next >= '0' && next <= '7';
    const uint32_t first = octal ? i + 1 : i + 2;
    const uint32_t limit = octal ? 3 : next == 'x' ? 2 : next == 'u' ? 4 : next == 'U' ? 8 : 0;
    uint32_t j = first;
    long value = 0;
    while (j < end && j < first + limit &&
           (octal ? src[j] >= '0' && src[j] <= '7' : hexDigit(src[j]) >= 0)) {
      value = value * (octal ? 8 : 16) + (octal ? src[j] - '0' : hexDigit(src[j]));
      ++j;
    }
    if (next == 'c' && i + 2 < end) { // a control character: not read here
      out.pushHole(i, i + 3);
      i += 3;
      continue;
    }
    if (limit == 0) { // not an escape: the backslash stays
      out.push(c, i, i + 1);
      ++i;
      continue;
    }
    if (j == first || value > 0x10FFFF) {
      out.pushHole(i, std::max(j, i + 2));
      i = std::max(j, i + 2);
      continue;
    }
    std::string bytes;
    if (octal || next == 'x')
      bytes.push_back(static_cast<char>(value));
    else
      appendUtf8(bytes, static_cast<uint32_t>(value));
    out.pushAll(bytes, i, j);
    i = j;
  }
}

/// Where an expansion (`$x`, `${…}`, `$(…)`, `` `…` ``) starts: the grammar starts some at the
/// blanks before them.
uint32_t dollarOf(TSNode node, std::string_view src) {
  uint32_t at = ts_node_start_byte(node);
  while (at + 1 < ts_node_end_byte(node) && (src[at] == ' ' || src[at] == '\t'))
    ++at;
  return at;
}

/// The value of `$name` or `${name}` through the resolver; nullopt for anything else (`$1`,
/// `${name:-default}`, `$(…)`): the script's caller or a command decides it.
std::optional<DecodedString> expansionValue(TSNode node, std::string_view src,
                                            const Resolver& resolve) {
  if (!isType(node, "simple_expansion") && !isType(node, "expansion"))
    return std::nullopt;
  if (isType(node, "expansion") && ts_node_child_count(node) != 3)
    return std::nullopt;
  const TSNode name = onlyNamedChild(node);
  if (ts_node_is_null(name) || !isType(name, "variable_name"))
    return std::nullopt;
  return resolve(nodeText(name, src), ts_node_start_byte(name));
}

/// Appends an expansion's value, or a hole from its `$` to its end.
void appendExpansion(DecodedString& out, TSNode node, std::string_view src,
                     const Resolver& resolve) {
  if (std::optional<DecodedString> value = expansionValue(node, src, resolve))
    out.append(*value);
  else
    out.pushHole(dollarOf(node, src), ts_node_end_byte(node));
}

/// A run of literal text and expansions: "…" or a heredoc body. Every byte of [begin, end) that
/// is not in an expansion child is literal (the grammar's content tokens may leave bytes out).
DecodedString decodeTemplate(TSNode node, std::string_view src, const Resolver& resolve,
                             uint32_t begin, uint32_t end, Quoting q) {
  DecodedString out;
  const LiteralStyle style = styleOf(q);
  uint32_t pos = begin;
  const auto literal = [&](uint32_t to) {
    if (to <= pos)
      return;
    out.beginPiece(pos, to, style);
    appendLiteral(out, src, pos, to, q);
  };
  if (q != Quoting::Raw) {
    for (TSNode child : namedChildren(node)) {
      if (isType(child, "string_content") || isType(child, "heredoc_content"))
        continue;
      const uint32_t dollar = std::max(dollarOf(child, src), pos);
      literal(dollar);
      appendExpansion(out, child, src, resolve);
      pos = std::max(pos, ts_node_end_byte(child));
    }
  }
  const uint32_t emptyAt = pos;
  literal(end);
  if (out.pieces.empty() && out.value.empty() && end >= emptyAt)
    out.beginPiece(emptyAt, end, style);
  return out;
}

/// An unquoted word. An option word `--name=value` (or `-n=value`) is its value: the command
/// reads the name and the value apart, so a name is matched as the whole value after `=`.
DecodedString decodeWord(TSNode node, std::string_view src, bool option) {
  uint32_t begin = ts_node_start_byte(node);
  const uint32_t end = ts_node_end_byte(node);
  if (option && begin < end && src[begin] == '-') {
    uint32_t i = begin;
    while (i < end && src[i] == '-')
      ++i;
    const uint32_t nameAt = i;
    while (i < end && (std::isalnum(static_cast<unsigned char>(src[i])) || src[i] == '_' ||
                       src[i] == '-' || src[i] == '.'))
      ++i;
    if (i > nameAt && i < end && src[i] == '=' && nameAt - begin <= 2)
      begin = i + 1;
  }
  DecodedString out;
  out.beginPiece(begin, end, styleOf(Quoting::None));
  appendLiteral(out, src, begin, end, Quoting::None);
  return out;
}

std::optional<DecodedString> decodeNode(TSNode node, std::string_view src, const Resolver& resolve,
                                        bool option);

DecodedString decodeConcatenation(TSNode node, std::string_view src, const Resolver& resolve) {
  DecodedString out;
  bool first = true;
  for (TSNode part : namedChildren(node)) {
    // Inside `${x:-default}` the grammar reads a default like `acme-prod` as a variable name
    // followed by a word; there it is plain text.
    if (isType(part, "variable_name")) {
      out.append(decodeWord(part, src, false));
    } else if (std::optional<DecodedString> value = decodeNode(part, src, resolve, first)) {
      out.append(*value);
    } else {
      appendExpansion(out, part, src, resolve);
    }
    first = false;
  }
  return out;
}

/// True when the heredoc whose body is `body` has a quoted delimiter (`<<'EOF'`, `<<"EOF"`,
/// `<<\EOF`): its lines are then taken as written.
bool quotedHeredoc(TSNode body, std::string_view src) {
  const TSNode redirect = ts_node_parent(body);
  if (ts_node_is_null(redirect))
    return false;
  for (TSNode child : namedChildren(redirect))
    if (isType(child, "heredoc_start"))
      return nodeText(child, src).find_first_of("'\"\\") != std::string_view::npos;
  return false;
}

std::optional<DecodedString> decodeNode(TSNode node, std::string_view src, const Resolver& resolve,
                                        bool option) {
  const DecodeDepth level;
  if (ts_node_is_null(node) || level.tooDeep())
    return std::nullopt;
  const uint32_t b = ts_node_start_byte(node), e = ts_node_end_byte(node);
  if (isType(node, "word"))
    return decodeWord(node, src, option);
  if (isType(node, "raw_string") && e - b >= 2)
    return decodeTemplate(node, src, resolve, b + 1, e - 1, Quoting::Raw);
  if (isType(node, "string") && e - b >= 2)
    return decodeTemplate(node, src, resolve, b + 1, e - 1, Quoting::Double);
  if (isType(node, "ansi_c_string") && e - b >= 3) {
    DecodedString out;
    LiteralStyle style = styleOf(Quoting::Raw);
    style.raw = false; // `$'…'`: C-like escapes
    out.beginPiece(b + 2, e - 1, style);
    appendAnsiC(out, src, b + 2, e - 1);
    return out;
  }
  if (isType(node, "heredoc_body"))
    return decodeTemplate(node, src, resolve, b, e,
                          quotedHeredoc(node, src) ? Quoting::Raw : Quoting::Heredoc);
  if (isType(node, "concatenation"))
    return decodeConcatenation(node, src, resolve);
  if (isType(node, "simple_expansion") || isType(node, "expansion"))
    return expansionValue(node, src, resolve);
  return std::nullopt;
}

bool isStringExpression(TSNode node, std::string_view) {
  return isType(node, "word") || isType(node, "string") || isType(node, "raw_string") ||
         isType(node, "ansi_c_string") || isType(node, "concatenation") ||
         isType(node, "heredoc_body");
}

/// `"$NAME"`: only the variable's value, which is matched where the variable is assigned.
bool onlyAnExpansion(TSNode node) {
  if (!isType(node, "string") || ts_node_named_child_count(node) != 1)
    return false;
  const TSNode inner = ts_node_named_child(node, 0);
  return (isType(inner, "simple_expansion") || isType(inner, "expansion")) &&
         ts_node_start_byte(inner) == ts_node_start_byte(node) + 1 &&
         ts_node_end_byte(inner) + 1 == ts_node_end_byte(node);
}

/// A command's name (`bq`, `gsutil`) and a function's name are no values; a quoted lone
/// expansion is its variable's value, reported once where the variable is assigned.
bool isStringExpressionAt(TSNode node, std::span<const TSNode> ancestors, std::string_view src) {
  if (!isStringExpression(node, src) || onlyAnExpansion(node))
    return false;
  return ancestors.empty() || (!isType(ancestors.back(), "command_name") &&
                               !isType(ancestors.back(), "function_definition"));
}

std::optional<DecodedString> decode(TSNode node, std::string_view src, const Resolver& resolve) {
  return decodeNode(node, src, resolve, true);
}

} // namespace

const TreeSitterLanguage& shellLanguage() {
  static const TreeSitterLanguage language{
      "shell",
      tree_sitter_bash,
      embeddedQuery("analyzers/shell/constants.scm"),
      "variable_name",
      isStringExpression,
      decode,
      StatementStyle::None,
      isStringExpressionAt,
  };
  return language;
}

} // namespace godwit
