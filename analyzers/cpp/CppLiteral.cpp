#include "analyzers/cpp/CppLiteral.h"

#include "analyzers/DecodedString.h"
#include "rules/DatasetMatcher.h"

#include <algorithm>
#include <string>
#include <vector>

namespace godwit::cpp {
namespace {

bool isIdentByte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

int hexDigit(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

bool isOctal(char c) {
  return c >= '0' && c <= '7';
}

/// UTF-8 for a code point (godwit::appendUtf8); false for surrogates and values past U+10FFFF.
bool appendValidUtf8(std::string& out, uint32_t cp) {
  if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
    return false;
  godwit::appendUtf8(out, cp);
  return true;
}

/// The character a one-letter escape `\c` stands for, or -1.
int simpleEscape(char c) {
  switch (c) {
  case '\'':
  case '"':
  case '?':
  case '\\':
    return c;
  case 'a':
    return '\a';
  case 'b':
    return '\b';
  case 'f':
    return '\f';
  case 'n':
    return '\n';
  case 'r':
    return '\r';
  case 't':
    return '\t';
  case 'v':
    return '\v';
  default:
    return -1;
  }
}

/// One source character of a literal's content after line splices are removed (phase 2).
struct Unit {
  char c;
  uint32_t begin;
  uint32_t end;
};

std::vector<Unit> spliceFree(std::string_view src, uint32_t begin, uint32_t end) {
  std::vector<Unit> units;
  units.reserve(end - begin);
  for (uint32_t i = begin; i < end;) {
    if (src[i] == '\\') {
      // Clang also takes a backslash followed by spaces and a line break as a splice.
      uint32_t j = i + 1;
      while (j < end && (src[j] == ' ' || src[j] == '\t'))
        ++j;
      if (j < end && (src[j] == '\n' || src[j] == '\r')) {
        i = j + (src[j] == '\r' && j + 1 < end && src[j + 1] == '\n' ? 2 : 1);
        continue;
      }
    }
    units.push_back(Unit{src[i], i, i + 1});
    ++i;
  }
  return units;
}

} // namespace

std::optional<LiteralToken> parseLiteralToken(std::string_view src, uint32_t begin, uint32_t end) {
  if (end > src.size() || begin >= end)
    return std::nullopt;
  const std::string_view text = src.substr(begin, end - begin);
  LiteralToken t;
  size_t i = 0;
  if (text.starts_with("u8")) {
    t.kind = CharKind::Utf8;
    i = 2;
  } else if (text.starts_with('u')) {
    t.kind = CharKind::Utf16;
    i = 1;
  } else if (text.starts_with('U')) {
    t.kind = CharKind::Utf32;
    i = 1;
  } else if (text.starts_with('L')) {
    t.kind = CharKind::Wide;
    i = 1;
  }
  if (i < text.size() && text[i] == 'R') {
    t.raw = true;
    ++i;
  }
  if (i >= text.size() || text[i] != '"')
    return std::nullopt;
  const size_t open = i;
  const size_t close = text.rfind('"');
  if (close == std::string_view::npos || close <= open)
    return std::nullopt;
  t.suffix = text.substr(close + 1);
  for (char c : t.suffix)
    if (!isIdentByte(c))
      return std::nullopt;
  if (t.raw) {
    const size_t paren = text.find('(', open + 1);
    if (paren == std::string_view::npos || paren - open - 1 > 16)
      return std::nullopt;
    t.delimiter = text.substr(open + 1, paren - open - 1);
    for (char c : t.delimiter)
      if (c == ' ' || c == ')' || c == '\\' || c == '\t' || c == '\v' || c == '\f' || c == '\n' ||
          c == '\r')
        return std::nullopt;
    if (close < paren + 1 + t.delimiter.size() + 1)
      return std::nullopt;
    const size_t contentEnd = close - t.delimiter.size() - 1;
    if (text[contentEnd] != ')' || text.substr(contentEnd + 1, t.delimiter.size()) != t.delimiter)
      return std::nullopt;
    t.contentBegin = begin + static_cast<uint32_t>(paren + 1);
    t.contentEnd = begin + static_cast<uint32_t>(contentEnd);
  } else {
    t.contentBegin = begin + static_cast<uint32_t>(open + 1);
    t.contentEnd = begin + static_cast<uint32_t>(close);
  }
  return t;
}

LiteralStyle literalStyle(const LiteralToken& token) {
  LiteralStyle style;
  style.quote = '"';
  // A raw string holds line breaks as they are; encodeLiteral still refuses quotes and
  // backslashes there, which keeps `)delim"` from ever appearing in new text.
  style.triple = token.raw;
  style.raw = token.raw;
  return style;
}

bool appendLiteral(DecodedString& out, std::string_view src, uint32_t begin, uint32_t end) {
  const std::optional<LiteralToken> token = parseLiteralToken(src, begin, end);
  if (!token)
    return false;
  LiteralPiece piece;
  piece.begin = token->contentBegin;
  piece.end = token->contentEnd;
  piece.style = literalStyle(*token);
  out.beginPiece(piece);
  if (token->raw) {
    for (uint32_t i = token->contentBegin; i < token->contentEnd; ++i)
      out.push(src[i], i, i + 1);
    return true;
  }

  const bool narrow = token->kind == CharKind::Narrow || token->kind == CharKind::Utf8;
  const std::vector<Unit> units = spliceFree(src, token->contentBegin, token->contentEnd);
  for (size_t k = 0; k < units.size();) {
    const Unit& u = units[k];
    if (u.c != '\\' || k + 1 == units.size()) {
      out.push(u.c, u.begin, u.end);
      ++k;
      continue;
    }
    const char letter = units[k + 1].c;
    if (const int simple = simpleEscape(letter); simple >= 0) {
      out.push(static_cast<char>(simple), u.begin, units[k + 1].end);
      k += 2;
      continue;
    }
    // A numeric or universal escape: its digits, its value and whether it could swallow the next
    // character if that became a digit.
    size_t next = k + 1;
    uint32_t value = 0;
    bool valid = true;
    bool greedy = false; // `\x…` and short octal escapes take any following digit
    bool codePoint = !narrow;
    if (isOctal(letter)) {
      while (next < units.size() && next < k + 4 && isOctal(units[next].c))
        value = value * 8 + static_cast<uint32_t>(units[next++].c - '0');
      greedy = next < k + 4;
    } else if (letter == 'x') {
      ++next;
      const size_t first = next;
      while (next < units.size() && hexDigit(units[next].c) >= 0) {
        value = std::min<uint32_t>(value * 16 + static_cast<uint32_t>(hexDigit(units[next].c)),
                                   0x7FFFFFFF);
        ++next;
      }
      valid = next > first;
      greedy = true;
    } else if (letter == 'u' || letter == 'U') {
      ++next;
      const size_t digits = letter == 'u' ? 4 : 8;
      const size_t first = next;
      while (next < units.size() && next < first + digits && hexDigit(units[next].c) >= 0)
        value = value * 16 + static_cast<uint32_t>(hexDigit(units[next++].c));
      valid = next == first + digits;
      codePoint = true;
    } else {
      // An unknown escape: compilers differ on its value.
      out.pushHole(u.begin, units[k + 1].end);
      k += 2;
      continue;
    }
    std::string bytes;
    if (valid && !codePoint)
      valid = value <= 0xFF;
    if (valid && !codePoint)
      bytes += static_cast<char>(value);
    else if (valid)
      valid = appendValidUtf8(bytes, value);
    uint32_t groupEnd = units[next - 1].end;
    size_t after = next;
    if (valid && greedy && next < units.size() && units[next].c != '\\') {
      groupEnd = units[next].end;
      bytes += units[next].c;
      after = next + 1;
    }
    if (!valid)
      out.pushHole(u.begin, groupEnd);
    else
      out.pushAll(bytes, u.begin, groupEnd);
    k = after;
  }
  return true;
}

std::optional<DecodedString> applyFormat(const DecodedString& fmt, const FormatArgument& argument) {
  DecodedString r;
  r.pieces = fmt.pieces;
  for (LiteralPiece& p : r.pieces)
    p.style.holeIntro = '{';
  auto pushFrom = [&](char c, size_t first, size_t last) {
    r.value.push_back(c);
    r.srcBegin.push_back(fmt.srcBegin[first]);
    r.srcEnd.push_back(fmt.srcEnd[last]);
    r.piece.push_back(fmt.piece[first]);
  };
  const std::string& v = fmt.value;
  size_t nextIndex = 0;
  for (size_t i = 0; i < v.size();) {
    const char c = v[i];
    if ((c == '{' || c == '}') && i + 1 < v.size() && v[i + 1] == c) {
      // An escaped brace is one value byte from two source characters of one literal.
      if (fmt.piece[i] != fmt.piece[i + 1] || fmt.piece[i] == DecodedString::kNoPiece)
        return std::nullopt;
      pushFrom(c, i, i + 1);
      i += 2;
      continue;
    }
    if (c == '}')
      return std::nullopt;
    if (c != '{') {
      pushFrom(c, i, i);
      ++i;
      continue;
    }
    const size_t close = v.find('}', i + 1);
    if (close == std::string::npos)
      return std::nullopt;
    const std::string_view field = std::string_view(v).substr(i + 1, close - i - 1);
    if (field.find('{') != std::string_view::npos || field.find(kHole) != std::string_view::npos)
      return std::nullopt;
    const size_t colon = field.find(':');
    const std::string_view id = field.substr(0, colon);
    const std::string_view spec =
        colon == std::string_view::npos ? std::string_view() : field.substr(colon + 1);
    std::optional<size_t> index;
    if (id.empty()) {
      index = nextIndex++;
    } else if (id.find_first_not_of("0123456789") == std::string_view::npos && id.size() < 6) {
      index = static_cast<size_t>(std::stoul(std::string(id)));
    }
    const DecodedString* arg = index && (spec.empty() || spec == "s") ? argument(*index) : nullptr;
    if (arg)
      r.append(*arg);
    else
      r.pushHole(fmt.srcBegin[i], fmt.srcEnd[close]);
    i = close + 1;
  }
  return r;
}

} // namespace godwit::cpp
