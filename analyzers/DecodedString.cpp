#include "analyzers/DecodedString.h"

#include "rules/DatasetMatcher.h"

#include <algorithm>
#include <cassert>

namespace godwit {

std::optional<std::string> encodeLiteral(const LiteralStyle& style, std::string_view value) {
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

uint16_t DecodedString::beginPiece(const LiteralPiece& p) {
  assert(pieces.size() < kNoPiece);
  pieces.push_back(p);
  return static_cast<uint16_t>(pieces.size() - 1);
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

bool DecodedString::hasHoles() const {
  return std::find(value.begin(), value.end(), kHole) != value.end();
}

} // namespace godwit
