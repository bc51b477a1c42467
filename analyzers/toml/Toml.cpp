#include "analyzers/toml/Toml.h"

#include <cctype>

namespace godwit {
namespace {

bool isBareKeyByte(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

/// Bytes of numbers, booleans, dates and times.
bool isScalarByte(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '+' ||
         c == '.' || c == ':';
}

bool isDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-')
    return false;
  for (size_t k : {0, 1, 2, 3, 5, 6, 8, 9})
    if (!std::isdigit(static_cast<unsigned char>(s[k])))
      return false;
  return true;
}

class Scanner {
public:
  explicit Scanner(std::string_view text) : t_(text), n_(static_cast<uint32_t>(text.size())) {}

  ConfigScan run() {
    i_ = t_.starts_with("\xEF\xBB\xBF") ? 3 : 0;
    while (ok() && i_ < n_) {
      skipBlanks();
      if (i_ < n_ && t_[i_] != '#' && !atBreak()) {
        if (t_.compare(i_, 2, "[[") == 0) {
          i_ += 2;
          skipBlanks();
          table_ = key();
          skipBlanks();
          expect("]]", "expected `]]` after the array-of-tables name");
        } else if (t_[i_] == '[') {
          ++i_;
          skipBlanks();
          table_ = key();
          skipBlanks();
          expect("]", "expected `]` after the table name");
        } else {
          const std::string name = key();
          path_ = table_.empty() ? name : table_ + "." + name;
          skipBlanks();
          expect("=", "expected `=` after the key");
          skipBlanks();
          value();
        }
      }
      if (ok())
        endOfLine();
    }
    return std::move(scan_);
  }

private:
  bool ok() const { return scan_.problems.empty(); }

  void fail(uint32_t at, std::string message) {
    if (ok())
      scan_.problems.push_back({at, std::move(message)});
  }

  bool atBreak() const {
    return i_ < n_ && (t_[i_] == '\n' || (t_[i_] == '\r' && i_ + 1 < n_ && t_[i_ + 1] == '\n'));
  }

  uint32_t breakLength(uint32_t at) const {
    if (at < n_ && t_[at] == '\n')
      return 1;
    if (at + 1 < n_ && t_[at] == '\r' && t_[at + 1] == '\n')
      return 2;
    return 0;
  }

  void skipBlanks() {
    while (i_ < n_ && (t_[i_] == ' ' || t_[i_] == '\t'))
      ++i_;
  }

  void skipComment() {
    if (i_ < n_ && t_[i_] == '#')
      while (i_ < n_ && !atBreak())
        ++i_;
  }

  /// Blanks, comments and line breaks (inside arrays and inline tables).
  void skipSpace() {
    for (;;) {
      skipBlanks();
      skipComment();
      if (!atBreak())
        return;
      i_ += breakLength(i_);
    }
  }

  void endOfLine() {
    skipBlanks();
    skipComment();
    if (i_ >= n_)
      return;
    if (!atBreak())
      return fail(i_, "expected the end of the line");
    i_ += breakLength(i_);
  }

  void expect(std::string_view token, const char* message) {
    if (!ok())
      return;
    if (t_.compare(i_, token.size(), token) != 0)
      return fail(i_, message);
    i_ += static_cast<uint32_t>(token.size());
  }

  /// A dotted key; its parts are never values. Returns it as written.
  std::string key() {
    const uint32_t start = i_;
    keyParts();
    return std::string(t_.substr(start, std::min(i_, n_) - start));
  }

  void keyParts() {
    while (ok()) {
      if (i_ < n_ && t_[i_] == '"' && t_.compare(i_, 3, "\"\"\"") != 0) {
        basicString(false);
      } else if (i_ < n_ && t_[i_] == '\'' && t_.compare(i_, 3, "'''") != 0) {
        literalString(false);
      } else if (i_ < n_ && isBareKeyByte(t_[i_])) {
        while (i_ < n_ && isBareKeyByte(t_[i_]))
          ++i_;
      } else {
        return fail(i_, "expected a key");
      }
      skipBlanks();
      if (i_ >= n_ || t_[i_] != '.')
        return;
      ++i_;
      skipBlanks();
    }
  }

  void value() {
    if (i_ >= n_)
      return fail(i_, "expected a value");
    if (t_.compare(i_, 3, "\"\"\"") == 0)
      return multiLineString('"');
    if (t_.compare(i_, 3, "'''") == 0)
      return multiLineString('\'');
    switch (t_[i_]) {
    case '"':
      return basicString(true);
    case '\'':
      return literalString(true);
    case '[':
      return array();
    case '{':
      return inlineTable();
    default:
      return scalar();
    }
  }

  void array() {
    ++i_;
    for (;;) {
      skipSpace();
      if (i_ < n_ && t_[i_] == ']') {
        ++i_;
        return;
      }
      value();
      if (!ok())
        return;
      skipSpace();
      if (i_ < n_ && t_[i_] == ',') {
        ++i_;
        continue;
      }
      if (i_ < n_ && t_[i_] == ']') {
        ++i_;
        return;
      }
      return fail(i_, "expected `,` or `]` in the array");
    }
  }

  void inlineTable() {
    ++i_;
    skipSpace();
    while (ok()) {
      if (i_ < n_ && t_[i_] == '}') {
        ++i_;
        return;
      }
      const std::string outer = path_;
      path_ += "." + key();
      skipBlanks();
      expect("=", "expected `=` after the key");
      skipBlanks();
      value();
      path_ = outer;
      if (!ok())
        return;
      skipSpace();
      if (i_ < n_ && t_[i_] == ',') {
        ++i_;
        skipSpace();
      } else if (i_ >= n_ || t_[i_] != '}') {
        return fail(i_, "expected `,` or `}` in the inline table");
      }
    }
  }

  void scalar() {
    const uint32_t start = i_;
    while (i_ < n_ && isScalarByte(t_[i_]))
      ++i_;
    // `1979-05-27 07:32:00`: a space may separate a date from its time.
    if (isDate(t_.substr(start, i_ - start)) && i_ + 1 < n_ && t_[i_] == ' ' &&
        std::isdigit(static_cast<unsigned char>(t_[i_ + 1]))) {
      ++i_;
      while (i_ < n_ && isScalarByte(t_[i_]))
        ++i_;
    }
    const std::string_view token = t_.substr(start, i_ - start);
    if (token.empty())
      return fail(start, "expected a value");
    const char first = token.front();
    if (!(token == "true" || token == "false" || token == "inf" || token == "nan" ||
          std::isdigit(static_cast<unsigned char>(first)) || first == '+' || first == '-'))
      fail(start, "a string value needs quotes");
  }

  static LiteralPiece piece(uint32_t begin, uint32_t end, char quote, bool triple, bool raw) {
    LiteralPiece p;
    p.begin = begin;
    p.end = end;
    p.style.quote = quote;
    p.style.triple = triple;
    p.style.raw = raw;
    return p;
  }

  void emit(DecodedString value, uint32_t begin, uint32_t end) {
    markPlaceholders(value);
    scan_.values.push_back(ConfigValue{std::move(value), begin, end, path_});
  }

  /// Decodes basic-string content [begin, end) with its escapes into `out`.
  void unescape(DecodedString& out, uint32_t begin, uint32_t end, bool multiLine) {
    for (uint32_t i = begin; i < end && ok();) {
      const char c = t_[i];
      if (c == '\r' && breakLength(i) == 2) {
        out.push('\n', i, i + 2);
        i += 2;
        continue;
      }
      if (c != '\\') {
        out.push(c, i, i + 1);
        ++i;
        continue;
      }
      const char next = i + 1 < end ? t_[i + 1] : '\0';
      static constexpr std::string_view kLetters = "btnfre\"\\";
      static constexpr std::string_view kValues = "\b\t\n\f\r\x1b\"\\";
      if (const size_t at = kLetters.find(next); next != '\0' && at != std::string_view::npos) {
        out.push(kValues[at], i, i + 2);
        i += 2;
      } else if (next == 'u' || next == 'U' || next == 'x') {
        const uint32_t digits = next == 'u' ? 4 : next == 'U' ? 8 : 2;
        const long cp = hexDigits(t_, i + 2, end, digits);
        if (cp < 0)
          return fail(i, "malformed \\" + std::string(1, next) + " escape");
        pushCodePoint(out, cp, i, i + 2 + digits);
        i += 2 + digits;
      } else if (multiLine) {
        // A line-ending backslash removes the break and all whitespace after it.
        uint32_t j = i + 1;
        while (j < end && (t_[j] == ' ' || t_[j] == '\t'))
          ++j;
        if (breakLength(j) == 0)
          return fail(i, "invalid escape");
        while (j < end && (t_[j] == ' ' || t_[j] == '\t' || t_[j] == '\n' || t_[j] == '\r'))
          ++j;
        i = j;
      } else {
        return fail(i, "invalid escape");
      }
    }
  }

  void basicString(bool isValue) {
    const uint32_t open = i_;
    uint32_t j = open + 1;
    while (j < n_ && t_[j] != '"' && t_[j] != '\n' && t_[j] != '\r')
      j += t_[j] == '\\' && j + 1 < n_ && t_[j + 1] != '\n' ? 2 : 1;
    if (j >= n_ || t_[j] != '"')
      return fail(open, "unterminated string");
    DecodedString out;
    out.beginPiece(piece(open + 1, j, '"', false, false));
    unescape(out, open + 1, j, false);
    i_ = j + 1;
    if (isValue && ok())
      emit(std::move(out), open, i_);
  }

  void literalString(bool isValue) {
    const uint32_t open = i_;
    uint32_t j = open + 1;
    while (j < n_ && t_[j] != '\'' && t_[j] != '\n' && t_[j] != '\r')
      ++j;
    if (j >= n_ || t_[j] != '\'')
      return fail(open, "unterminated string");
    i_ = j + 1;
    if (!isValue)
      return;
    DecodedString out;
    out.beginPiece(piece(open + 1, j, '\'', false, true));
    for (uint32_t k = open + 1; k < j; ++k)
      out.push(t_[k], k, k + 1);
    emit(std::move(out), open, i_);
  }

  void multiLineString(char quote) {
    const uint32_t open = i_;
    uint32_t begin = open + 3;
    begin += breakLength(begin); // a break right after the opening quotes is not content
    const std::string closing(3, quote);
    uint32_t close = begin;
    while (close < n_ && t_.compare(close, 3, closing) != 0)
      close += quote == '"' && t_[close] == '\\' ? 2 : 1;
    if (close >= n_)
      return fail(open, "unterminated multi-line string");
    // Up to two quotes right before the closing ones are content.
    for (int extra = 0; extra < 2 && close + 3 < n_ && t_[close + 3] == quote; ++extra)
      ++close;
    DecodedString out;
    out.beginPiece(piece(begin, close, quote, true, quote == '\''));
    if (quote == '"') {
      unescape(out, begin, close, true);
    } else {
      for (uint32_t k = begin; k < close;) {
        const uint32_t br = breakLength(k) == 2 ? 2 : 1;
        out.push(br == 2 ? '\n' : t_[k], k, k + br);
        k += br;
      }
    }
    i_ = close + 3;
    if (ok())
      emit(std::move(out), open, i_);
  }

  std::string_view t_;
  uint32_t n_;
  uint32_t i_ = 0;
  std::string table_; ///< The current `[table]` name, as written.
  std::string path_;  ///< The keys of the value being read.
  ConfigScan scan_;
};

} // namespace

ConfigScan scanToml(std::string_view text) {
  return Scanner(text).run();
}

Expected<std::unique_ptr<Analyzer>> makeTomlAnalyzer(const std::vector<const Rule*>& rules) {
  static const ConfigFormat format{"toml", "TOML", scanToml};
  return makeConfigAnalyzer(format, rules);
}

} // namespace godwit
