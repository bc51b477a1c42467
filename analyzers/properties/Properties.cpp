#include "analyzers/properties/Properties.h"

#include <optional>

namespace godwit {
namespace {

bool isBlank(char c) {
  return c == ' ' || c == '\t' || c == '\f';
}

bool isBreak(char c) {
  return c == '\n' || c == '\r';
}

/// One natural line: bytes [begin, end), its line break after.
struct NaturalLine {
  uint32_t begin = 0;
  uint32_t end = 0;
};

std::vector<NaturalLine> naturalLines(std::string_view text, uint32_t from) {
  std::vector<NaturalLine> lines;
  uint32_t i = from;
  const auto n = static_cast<uint32_t>(text.size());
  while (i < n) {
    uint32_t e = i;
    while (e < n && !isBreak(text[e]))
      ++e;
    lines.push_back({i, e});
    if (e == n)
      break;
    i = e + (text[e] == '\r' && e + 1 < n && text[e + 1] == '\n' ? 2 : 1);
  }
  return lines;
}

class Scanner {
public:
  explicit Scanner(std::string_view text) : text_(text) {}

  ConfigScan run() {
    const uint32_t from = text_.starts_with("\xEF\xBB\xBF") ? 3 : 0;
    const std::vector<NaturalLine> lines = naturalLines(text_, from);
    for (size_t l = 0; l < lines.size() && scan_.problems.empty();) {
      uint32_t i = lines[l].begin;
      while (i < lines[l].end && isBlank(text_[i]))
        ++i;
      if (i == lines[l].end || text_[i] == '#' || text_[i] == '!') {
        ++l; // blank or comment lines never continue
        continue;
      }
      // The logical line: natural lines joined where one ends in an odd number of backslashes;
      // the backslash and the next line's leading blanks are not part of it.
      std::vector<uint32_t> pos;
      for (;;) {
        for (uint32_t k = i; k < lines[l].end; ++k)
          pos.push_back(k);
        uint32_t slashes = 0;
        for (uint32_t k = lines[l].end; k > lines[l].begin && text_[k - 1] == '\\'; --k)
          ++slashes;
        ++l;
        if (slashes % 2 == 0)
          break;
        pos.pop_back();
        if (l == lines.size())
          break;
        i = lines[l].begin;
        while (i < lines[l].end && isBlank(text_[i]))
          ++i;
      }
      logicalLine(pos);
    }
    return std::move(scan_);
  }

private:
  /// Splits a logical line into key and value; decodes the value.
  void logicalLine(const std::vector<uint32_t>& pos) {
    size_t k = 0;
    bool separator = false;
    while (k < pos.size()) {
      const char c = text_[pos[k]];
      if (c == '\\') {
        const std::optional<size_t> length = escapeLength(pos, k);
        if (!length)
          return;
        k += *length;
        continue;
      }
      if (c == '=' || c == ':') {
        separator = true;
        ++k;
        break;
      }
      if (isBlank(c))
        break;
      ++k;
    }
    while (k < pos.size() && isBlank(text_[pos[k]]))
      ++k;
    if (!separator && k < pos.size() && (text_[pos[k]] == '=' || text_[pos[k]] == ':')) {
      ++k;
      while (k < pos.size() && isBlank(text_[pos[k]]))
        ++k;
    }
    if (k == pos.size())
      return;

    ConfigValue value;
    for (size_t q = 0; q < pos.size() && !isBlank(text_[pos[q]]) && text_[pos[q]] != '=' &&
                       text_[pos[q]] != ':';
         ++q)
      value.key += text_[pos[q]];
    value.begin = pos[k];
    value.end = pos.back() + 1;
    LiteralPiece piece;
    piece.begin = value.begin;
    piece.end = value.end;
    piece.style.quote = 0;
    piece.style.syntax = LiteralSyntax::Properties;
    DecodedString& out = value.value;
    out.beginPiece(piece);
    while (k < pos.size()) {
      const char c = text_[pos[k]];
      if (c != '\\') {
        out.push(c, pos[k], pos[k] + 1);
        ++k;
        continue;
      }
      const std::optional<size_t> length = escapeLength(pos, k);
      if (!length)
        return;
      if (*length == 1) { // a backslash at the very end of the file
        ++k;
        continue;
      }
      const uint32_t begin = pos[k];
      const uint32_t end = pos[k + *length - 1] + 1;
      const char next = text_[pos[k + 1]];
      switch (next) {
      case 't':
        out.push('\t', begin, end);
        break;
      case 'n':
        out.push('\n', begin, end);
        break;
      case 'r':
        out.push('\r', begin, end);
        break;
      case 'f':
        out.push('\f', begin, end);
        break;
      case 'u':
        pushCodePoint(out, unicodeEscape(pos, k), begin, end);
        break;
      default: // `\:`, `\=`, `\ `, `\\`, `\#`: the character itself
        out.push(next, begin, end);
      }
      k += *length;
    }
    markPlaceholders(out);
    scan_.values.push_back(std::move(value));
  }

  long unicodeEscape(const std::vector<uint32_t>& pos, size_t k) const {
    std::string digits;
    for (size_t d = k + 2; d < k + 6 && d < pos.size(); ++d)
      digits += text_[pos[d]];
    return digits.size() == 4 ? hexDigits(digits, 0, 4, 4) : -1;
  }

  /// The number of logical-line bytes of the escape at `k`; nullopt (and a problem) when it is a
  /// malformed `\uXXXX`, which java.util.Properties refuses.
  std::optional<size_t> escapeLength(const std::vector<uint32_t>& pos, size_t k) {
    if (k + 1 >= pos.size())
      return 1;
    if (text_[pos[k + 1]] != 'u')
      return 2;
    if (unicodeEscape(pos, k) < 0) {
      scan_.problems.push_back({pos[k], "malformed \\uXXXX escape"});
      return std::nullopt;
    }
    return 6;
  }

  std::string_view text_;
  ConfigScan scan_;
};

} // namespace

ConfigScan scanProperties(std::string_view text) {
  return Scanner(text).run();
}

Expected<std::unique_ptr<Analyzer>> makePropertiesAnalyzer(const std::vector<const Rule*>& rules) {
  static const ConfigFormat format{"properties", "Java properties", scanProperties};
  return makeConfigAnalyzer(format, rules);
}

} // namespace godwit
