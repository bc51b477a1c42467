#include "analyzers/DecodedString.h"

#include "rules/DatasetMatcher.h"

#include <algorithm>
#include <cassert>
#include <cctype>

namespace godwit {

namespace {

bool isControl(char c) {
  return static_cast<unsigned char>(c) < 0x20 || c == '\x7f';
}

// The new text lands between other bytes of the literal whose neighbours are unknown here, so
// anything that could join them into syntax (a comment, a key separator, the literal's end) is
// refused rather than escaped where the format has no escape.
std::optional<std::string> encodeConfigLiteral(const LiteralStyle& style, std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (c == kHole)
      return std::nullopt;
    switch (style.syntax) {
    case LiteralSyntax::YamlPlain:
      if (isControl(c) ||
          std::string_view(" #,[]{}'\"&*!|>%@`").find(c) != std::string_view::npos ||
          (c == ':' && i + 1 == value.size()))
        return std::nullopt;
      out += c;
      break;
    case LiteralSyntax::YamlSingle:
      if (isControl(c))
        return std::nullopt;
      out += c == '\'' ? std::string_view("''") : std::string_view(&c, 1);
      break;
    case LiteralSyntax::YamlBlock:
      if (isControl(c))
        return std::nullopt;
      out += c;
      break;
    case LiteralSyntax::HoconUnquoted:
      if (isControl(c) || c == ' ' ||
          std::string_view("$\"{}[]:=,+#`^?!@*&\\").find(c) != std::string_view::npos ||
          (c == '/' && (i == 0 || i + 1 == value.size() || value[i + 1] == '/')))
        return std::nullopt;
      out += c;
      break;
    case LiteralSyntax::Properties:
      if (c == '\\')
        out += "\\\\";
      else if (c == '\t')
        out += "\\t";
      else if (c == '\n')
        out += "\\n";
      else if (c == ' ' && i == 0)
        out += "\\ "; // leading blanks of a value are not part of it
      else if (isControl(c) || static_cast<unsigned char>(c) >= 0x80)
        return std::nullopt; // the file's encoding (ISO-8859-1 or UTF-8) is unknown
      else
        out += c;
      break;
    case LiteralSyntax::Xml:
      if (isControl(c))
        return std::nullopt;
      if (c == '&')
        out += "&amp;";
      else if (c == '<')
        out += "&lt;";
      else if (c == '>')
        out += "&gt;";
      else if (c == '"' && style.quote == '"')
        out += "&quot;";
      else if (c == '\'' && style.quote == '\'')
        out += "&apos;";
      else
        out += c;
      break;
    case LiteralSyntax::XmlCData:
      if (isControl(c) || c == ']' || c == '>')
        return std::nullopt;
      out += c;
      break;
    case LiteralSyntax::MarkdownCode:
      if (isControl(c) || c == '`')
        return std::nullopt;
      out += c;
      break;
    case LiteralSyntax::Shell:
      if (isControl(c))
        return std::nullopt;
      if (style.quote == '\'' && style.raw) {
        if (c == '\'')
          return std::nullopt;
        out += c;
      } else if (style.quote == '\'') {
        if (c == '\\' || c == '\'')
          out += '\\';
        out += c;
      } else if (style.quote == '"' || style.triple) {
        if (c == '!' && !style.triple)
          return std::nullopt; // history expansion in an interactive shell
        if (c == '$' || c == '`' || c == '\\' || (c == '"' && !style.triple))
          out += '\\';
        out += c;
      } else {
        // An unquoted word: only bytes that no shell reads as syntax, globbing or expansion.
        if (!std::isalnum(static_cast<unsigned char>(c)) &&
            std::string_view("_.:/@%+,=-").find(c) == std::string_view::npos)
          return std::nullopt;
        out += c;
      }
      break;
    case LiteralSyntax::Code:
    case LiteralSyntax::Kotlin:
      break;
    }
  }
  return out;
}

} // namespace

int hexDigit(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

long hexDigits(std::string_view src, size_t at, size_t end, size_t count) {
  if (at + count > end || end > src.size())
    return -1;
  long value = 0;
  for (size_t k = at; k < at + count; ++k) {
    const int d = hexDigit(src[k]);
    if (d < 0)
      return -1;
    value = value * 16 + d;
  }
  return value;
}

void appendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

namespace {

// JSON string content as Jupyter writes it (Python's json.dumps, ensure_ascii off). A line break
// would have to start a new element of the cell's source array, so it is refused.
std::optional<std::string> encodeJsonContent(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\t') {
      out += "\\t";
    } else if (isControl(c) && c != '\x7f') {
      return std::nullopt;
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<std::string> encodeOwnLiteral(const LiteralStyle& style, std::string_view value) {
  if (style.syntax != LiteralSyntax::Code && style.syntax != LiteralSyntax::Kotlin)
    return encodeConfigLiteral(style, value);
  std::string out;
  out.reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (c == kHole)
      return std::nullopt;
    if (style.holeIntro == '$' && c == '$') {
      out += "$$";
      continue;
    }
    if (style.syntax == LiteralSyntax::Kotlin && c == '$') {
      if (style.raw)
        return std::nullopt;
      out += "\\$";
      continue;
    }
    if (style.holeIntro == '{' && (c == '{' || c == '}')) {
      out += {c, c};
      continue;
    }
    if (style.raw) {
      // Raw literals have no escapes: refuse what could end the literal early. The text lands
      // between other literal bytes, so any quote may join neighbouring ones into a closing
      // delimiter, and a backslash still guards the next quote (Python `r"\"`) or starts a
      // unicode escape (Scala 2 `"""\u0041"""`). Line breaks other than `\n` are normalized.
      const bool controlByte = static_cast<unsigned char>(c) < 0x20 && c != '\t';
      if (c == style.quote || c == '\\' || (controlByte && !(c == '\n' && style.triple)))
        return std::nullopt;
      out += c;
      continue;
    }
    switch (c) {
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      if (style.triple)
        out += c;
      else
        out += "\\n";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      if (c == style.quote) {
        // Before Scala 2.13.6 `\"` ends a single-line interpolated string (scala/bug#6476).
        if (style.holeIntro == '$' && !style.triple)
          return std::nullopt;
        out += '\\';
        out += c;
      } else if (static_cast<unsigned char>(c) < 0x20) {
        return std::nullopt;
      } else {
        out += c;
      }
    }
  }
  return out;
}

} // namespace

std::optional<std::string> encodeLiteral(const LiteralStyle& style, std::string_view value) {
  auto own = encodeOwnLiteral(style, value);
  if (own && style.outer)
    own = encodeLiteral(*style.outer, *own);
  if (!own || !style.inJsonString)
    return own;
  return encodeJsonContent(*own);
}

uint16_t DecodedString::beginPiece(const LiteralPiece& p) {
  assert(pieces.size() < kNoPiece);
  pieces.push_back(p);
  return static_cast<uint16_t>(pieces.size() - 1);
}

uint16_t DecodedString::beginPiece(uint32_t begin, uint32_t end, const LiteralStyle& style) {
  LiteralPiece p;
  p.begin = begin;
  p.end = end;
  p.style = style;
  return beginPiece(p);
}

void DecodedString::push(char c, uint32_t begin, uint32_t end) {
  assert(!pieces.empty());
  value.push_back(c);
  srcBegin.push_back(begin);
  srcEnd.push_back(end);
  piece.push_back(static_cast<uint16_t>(pieces.size() - 1));
}

void DecodedString::pushAll(std::string_view text, uint32_t begin, uint32_t end) {
  for (char c : text)
    push(c, begin, end);
}

void DecodedString::pushHole(uint32_t begin, uint32_t end) {
  value.push_back(kHole);
  srcBegin.push_back(begin);
  srcEnd.push_back(end);
  piece.push_back(kNoPiece);
}

void DecodedString::append(const DecodedString& other, std::string_view constant, int uses) {
  const size_t base = pieces.size();
  for (LiteralPiece p : other.pieces) {
    if (!constant.empty() && p.constant.empty()) {
      p.constant = std::string(constant);
      p.constantUses = uses;
    }
    pieces.push_back(std::move(p));
  }
  assert(pieces.size() < kNoPiece);
  value += other.value;
  srcBegin.insert(srcBegin.end(), other.srcBegin.begin(), other.srcBegin.end());
  srcEnd.insert(srcEnd.end(), other.srcEnd.begin(), other.srcEnd.end());
  for (uint16_t idx : other.piece)
    piece.push_back(idx == kNoPiece ? kNoPiece : static_cast<uint16_t>(idx + base));
}

void DecodedString::markUse(std::string_view constant, uint32_t at) {
  for (LiteralPiece& p : pieces)
    if (p.constant == constant && p.useAt == LiteralPiece::kNoUse)
      p.useAt = at;
}

bool DecodedString::hasHoles() const {
  return std::find(value.begin(), value.end(), kHole) != value.end();
}

size_t templateBlockEnd(std::string_view v, size_t i, TemplateBlocks blocks) {
  if (i + 1 >= v.size() || v[i + 1] == kHole)
    return std::string_view::npos;
  if (blocks == TemplateBlocks::All && v[i] == '$' && v[i + 1] == '{') {
    int depth = 0;
    for (size_t j = i + 1; j < v.size(); ++j) {
      if (v[j] == '{')
        ++depth;
      else if (v[j] == '}' && --depth == 0)
        return j;
    }
    return std::string_view::npos;
  }
  if (v[i] != '{' || (v[i + 1] != '{' && v[i + 1] != '%' && v[i + 1] != '#'))
    return std::string_view::npos;
  const char closer[2] = {v[i + 1] == '{' ? '}' : v[i + 1], '}'};
  const size_t c = v.find(std::string_view(closer, 2), i + 2);
  return c == std::string_view::npos ? c : c + 1;
}

void markPlaceholders(DecodedString& value, TemplateBlocks blocks) {
  const std::string_view v = value.value;
  if (v.find('{') == std::string_view::npos)
    return;
  DecodedString out;
  out.pieces = value.pieces;
  bool any = false;
  for (size_t i = 0; i < v.size();) {
    const size_t close = templateBlockEnd(v, i, blocks);
    if (close == std::string_view::npos) {
      out.value.push_back(v[i]);
      out.srcBegin.push_back(value.srcBegin[i]);
      out.srcEnd.push_back(value.srcEnd[i]);
      out.piece.push_back(value.piece[i]);
      ++i;
      continue;
    }
    uint32_t end = 0;
    for (size_t j = i; j <= close; ++j)
      end = std::max(end, value.srcEnd[j]);
    out.pushHole(value.srcBegin[i], end);
    any = true;
    i = close + 1;
  }
  if (any)
    value = std::move(out);
}

} // namespace godwit
