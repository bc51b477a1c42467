#include "analyzers/StatementLines.h"

#include <algorithm>
#include <array>

namespace godwit {
namespace {

bool isWordByte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '$';
}

bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

template <size_t N> bool among(std::string_view w, const std::array<std::string_view, N>& set) {
  return std::find(set.begin(), set.end(), w) != set.end();
}

// Words that may not open a blankable line: control flow, declarations with bodies, and anything
// whose statement can continue on the next line.
constexpr std::array<std::string_view, 45> kJavaKeywords{
    "abstract",     "assert",   "break",   "case",       "catch",     "class",      "const",
    "continue",     "default",  "do",      "else",       "enum",      "extends",    "finally",
    "for",          "goto",     "if",      "implements", "import",    "instanceof", "interface",
    "native",       "new",      "package", "return",     "strictfp",  "super",      "switch",
    "synchronized", "this",     "throw",   "throws",     "transient", "try",        "void",
    "volatile",     "while",    "yield",   "record",     "sealed",    "permits",    "module",
    "open",         "requires", "exports"};
constexpr std::array<std::string_view, 38> kScalaKeywords{
    "abstract", "case",    "catch",  "class",   "def",    "do",       "else",  "extends",
    "false",    "finally", "for",    "forSome", "if",     "import",   "macro", "match",
    "new",      "null",    "object", "package", "return", "sealed",   "super", "this",
    "throw",    "trait",   "try",    "true",    "type",   "while",    "with",  "yield",
    "given",    "enum",    "export", "then",    "end",    "extension"};
constexpr std::array<std::string_view, 10> kScalaContinuations{
    "else", "catch", "finally", "with", "extends", "match", "yield", "then", "do", "case"};
constexpr std::array<std::string_view, 35> kPythonKeywords{
    "False", "None",     "True",  "and",    "as",   "assert", "async",  "await",    "break",
    "class", "continue", "def",   "del",    "elif", "else",   "except", "finally",  "for",
    "from",  "global",   "if",    "import", "in",   "is",     "lambda", "nonlocal", "not",
    "or",    "pass",     "raise", "return", "try",  "while",  "with",   "yield"};

/// What the lexer learned about one line.
struct LexLine {
  uint32_t begin = 0, end = 0;
  bool startsInCode = false;     ///< Not inside a string, comment or interpolation.
  bool atStatementLevel = false; ///< No bracket open since the innermost `{` (Python: none open).
  bool balanced = false;         ///< Brackets close where they opened, and the line ends in code.
  bool hasCode = false;
  uint32_t firstCode = 0;  ///< Offset of the first code byte.
  char lastCode = 0;       ///< Last code byte; a string counts as its closing quote.
  bool closersOnly = true; ///< Code is only `}`, `)` and `;`, with at least one `}`.
  bool closesBrace = false;
};

class Lexer {
public:
  Lexer(StatementStyle style, std::string_view text) : style_(style), t_(text) {}

  /// False when the text is not understood (e.g. an unterminated string).
  bool run(std::vector<LexLine>& lines);

private:
  struct StringState {
    char quote = '"';
    bool triple = false;
    bool escapes = true;
    bool interpolated = false;
  };
  enum class Mode { Code, LineComment, BlockComment, String };

  void codeByte(LexLine& line, uint32_t at, char c);
  bool openString(uint32_t& i, LexLine& line);
  bool charLiteral(uint32_t& i, LexLine& line);

  StatementStyle style_;
  std::string_view t_;
  Mode mode_ = Mode::Code;
  int commentDepth_ = 0;
  StringState str_;
  int paren_ = 0;
  std::vector<int> parenAtBrace_{0};
  std::vector<std::pair<size_t, StringState>> interpolations_;
  // The line being lexed: where its brackets started, and whether they fell below that.
  size_t startBraces_ = 0;
  int startParen_ = 0;
  bool dropped_ = false;
};

void Lexer::codeByte(LexLine& line, uint32_t at, char c) {
  if (isSpace(c))
    return;
  if (!line.hasCode)
    line.firstCode = at;
  line.hasCode = true;
  line.lastCode = c;
  if (c != '}' && c != ')' && c != ';')
    line.closersOnly = false;
  line.closesBrace = line.closesBrace || c == '}';
}

bool Lexer::openString(uint32_t& i, LexLine& line) {
  const char q = t_[i];
  StringState s;
  s.quote = q;
  s.triple = i + 2 < t_.size() && t_[i + 1] == q && t_[i + 2] == q;
  if (style_ == StatementStyle::Scala) {
    s.escapes = !s.triple;
    s.interpolated = i > 0 && isWordByte(t_[i - 1]);
  }
  codeByte(line, i, q);
  str_ = s;
  mode_ = Mode::String;
  i += s.triple ? 3 : 1;
  return true;
}

bool Lexer::charLiteral(uint32_t& i, LexLine& line) {
  // Java and Scala: 'x' or an escape such as '\n' or '\u0041'; Scala also has symbols ('name).
  codeByte(line, i, '\'');
  if (i + 1 < t_.size() && t_[i + 1] == '\\') {
    for (uint32_t j = i + 2; j < t_.size() && j < i + 10 && t_[j] != '\n'; ++j)
      if (t_[j] == '\'') {
        i = j + 1;
        return true;
      }
    return false;
  }
  if (i + 2 < t_.size() && t_[i + 2] == '\'' && t_[i + 1] != '\n') {
    i += 3;
    return true;
  }
  if (style_ == StatementStyle::Java)
    return false;
  ++i; // a Scala symbol or quote: code
  return true;
}

bool Lexer::run(std::vector<LexLine>& lines) {
  const bool python = style_ == StatementStyle::Python;
  LexLine line;
  auto startLine = [&](uint32_t at) {
    line = LexLine{};
    line.begin = at;
    line.startsInCode = mode_ == Mode::Code && interpolations_.empty();
    line.atStatementLevel = paren_ == parenAtBrace_.back();
    startBraces_ = parenAtBrace_.size();
    startParen_ = paren_;
    dropped_ = false;
  };
  auto endLine = [&](uint32_t at) {
    line.end = at;
    const bool inCode =
        (mode_ == Mode::Code || mode_ == Mode::LineComment) && interpolations_.empty();
    line.balanced =
        inCode && !dropped_ && parenAtBrace_.size() == startBraces_ && paren_ == startParen_;
    line.closersOnly = line.closersOnly && line.closesBrace;
    lines.push_back(line);
  };
  startLine(0);
  uint32_t i = 0;
  const uint32_t n = static_cast<uint32_t>(t_.size());
  while (i < n) {
    const char c = t_[i];
    if (c == '\n') {
      if (mode_ == Mode::String && !str_.triple)
        return false; // a one-line string that does not end on its line
      endLine(i);
      if (mode_ == Mode::LineComment)
        mode_ = Mode::Code;
      ++i;
      startLine(i);
      continue;
    }
    switch (mode_) {
    case Mode::LineComment:
      ++i;
      break;
    case Mode::BlockComment:
      if (c == '*' && i + 1 < n && t_[i + 1] == '/') {
        i += 2;
        if (--commentDepth_ == 0)
          mode_ = Mode::Code;
      } else if (style_ == StatementStyle::Scala && c == '/' && i + 1 < n && t_[i + 1] == '*') {
        i += 2;
        ++commentDepth_;
      } else {
        ++i;
      }
      break;
    case Mode::String:
      if (c == '\\' && str_.escapes) {
        i += (i + 1 < n && t_[i + 1] != '\n') ? 2 : 1;
      } else if (str_.interpolated && c == '$' && i + 1 < n && t_[i + 1] == '$') {
        i += 2;
      } else if (str_.interpolated && c == '$' && i + 1 < n && t_[i + 1] == '{') {
        interpolations_.emplace_back(parenAtBrace_.size() + 1, str_);
        parenAtBrace_.push_back(paren_);
        mode_ = Mode::Code;
        i += 2;
      } else if (c == str_.quote &&
                 (!str_.triple || (i + 2 < n && t_[i + 1] == c && t_[i + 2] == c))) {
        i += str_.triple ? 3 : 1;
        // Scala: a triple-quoted string ends at its last run of quotes (`""""` ends with a quote).
        while (str_.triple && style_ == StatementStyle::Scala && i < n && t_[i] == c)
          ++i;
        mode_ = Mode::Code;
        if (interpolations_.empty())
          line.lastCode = c;
      } else {
        ++i;
      }
      break;
    case Mode::Code:
      if (!python && c == '/' && i + 1 < n && t_[i + 1] == '/') {
        mode_ = Mode::LineComment;
        i += 2;
      } else if (!python && c == '/' && i + 1 < n && t_[i + 1] == '*') {
        mode_ = Mode::BlockComment;
        commentDepth_ = 1;
        i += 2;
      } else if (python && c == '#') {
        mode_ = Mode::LineComment;
        ++i;
      } else if (c == '"' || (python && c == '\'')) {
        openString(i, line);
      } else if (c == '\'') {
        if (!charLiteral(i, line))
          return false;
      } else {
        codeByte(line, i, c);
        if (c == '(' || c == '[' || (python && c == '{')) {
          ++paren_;
        } else if (c == ')' || c == ']' || (python && c == '}')) {
          if (--paren_ < parenAtBrace_.back())
            return false;
          if (parenAtBrace_.size() == startBraces_ && paren_ < startParen_)
            dropped_ = true;
        } else if (c == '{') {
          parenAtBrace_.push_back(paren_);
        } else if (c == '}') {
          if (!interpolations_.empty() && interpolations_.back().first == parenAtBrace_.size()) {
            str_ = interpolations_.back().second;
            interpolations_.pop_back();
            parenAtBrace_.pop_back();
            mode_ = Mode::String;
            ++i;
            break;
          }
          if (parenAtBrace_.size() == 1 || paren_ != parenAtBrace_.back())
            return false;
          parenAtBrace_.pop_back();
          if (parenAtBrace_.size() < startBraces_)
            dropped_ = true;
        }
        ++i;
      }
      break;
    }
  }
  endLine(n);
  return mode_ != Mode::String && mode_ != Mode::BlockComment && interpolations_.empty() &&
         parenAtBrace_.size() == 1 && paren_ == 0;
}

std::string_view wordAt(std::string_view text, uint32_t at) {
  uint32_t e = at;
  while (e < text.size() && isWordByte(text[e]))
    ++e;
  return text.substr(at, e - at);
}

bool startsWord(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

/// A line that is one whole simple statement by itself, whatever its neighbours.
bool simpleStatement(StatementStyle style, std::string_view text, const LexLine& l) {
  if (!l.startsInCode || !l.atStatementLevel || !l.balanced || !l.hasCode)
    return false;
  // An escape may spell a name whose bytes the prefilter never saw: such a line is parsed.
  if (text.substr(l.begin, l.end - l.begin).find('\\') != std::string_view::npos)
    return false;
  const char first = text[l.firstCode];
  if (!startsWord(first) && !(style != StatementStyle::Python && first == '$'))
    return false;
  const std::string_view word = wordAt(text, l.firstCode);
  switch (style) {
  case StatementStyle::Java:
    return !among(word, kJavaKeywords) && l.lastCode == ';';
  case StatementStyle::Scala: {
    const char e = l.lastCode;
    return !among(word, kScalaKeywords) && (isWordByte(e) || e == ')' || e == ']' || e == '}' ||
                                            e == '"' || e == '\'' || e == ';' || e == '`');
  }
  case StatementStyle::Python:
    return !among(word, kPythonKeywords) && l.lastCode != ':' && l.lastCode != '\\';
  case StatementStyle::None:
    break;
  }
  return false;
}

/// Scala: whether the next code line could continue the statement before it.
bool continuesScala(std::string_view text, const LexLine& next) {
  if (!next.startsInCode)
    return true;
  const char c = text[next.firstCode];
  if (std::string_view(".,)]([{+-*/%&|^!<>=:~?#@").find(c) != std::string_view::npos)
    return true;
  return among(wordAt(text, next.firstCode), kScalaContinuations);
}

} // namespace

StatementLines::StatementLines(StatementStyle style, std::string_view text) : text_(text) {
  if (style == StatementStyle::None || text.size() >= UINT32_MAX)
    return;
  std::vector<LexLine> lexed;
  Lexer lexer(style, text);
  const bool understood = lexer.run(lexed);
  lines_.reserve(lexed.size());
  std::vector<bool> simple(lexed.size());
  for (size_t i = 0; i < lexed.size(); ++i)
    simple[i] = understood && simpleStatement(style, text, lexed[i]);
  // Code lines around each line, skipping blank and comment-only ones.
  std::vector<long> prevCode(lexed.size(), -1), nextCode(lexed.size(), -1);
  for (long i = 0, last = -1; i < static_cast<long>(lexed.size()); ++i) {
    prevCode[static_cast<size_t>(i)] = last;
    if (lexed[static_cast<size_t>(i)].hasCode || !lexed[static_cast<size_t>(i)].startsInCode)
      last = i;
  }
  for (long i = static_cast<long>(lexed.size()) - 1, last = -1; i >= 0; --i) {
    nextCode[static_cast<size_t>(i)] = last;
    if (lexed[static_cast<size_t>(i)].hasCode || !lexed[static_cast<size_t>(i)].startsInCode)
      last = i;
  }
  for (size_t i = 0; i < lexed.size(); ++i) {
    const LexLine& l = lexed[i];
    bool ok = simple[i];
    const LexLine* prev = prevCode[i] < 0 ? nullptr : &lexed[static_cast<size_t>(prevCode[i])];
    const LexLine* next = nextCode[i] < 0 ? nullptr : &lexed[static_cast<size_t>(nextCode[i])];
    if (ok && prev) {
      switch (style) {
      case StatementStyle::Java:
        ok = prev->lastCode == ';' || prev->lastCode == '{' || prev->lastCode == '}';
        break;
      case StatementStyle::Scala:
        ok = prev->lastCode == '{' || prev->lastCode == ';' || prev->closersOnly ||
             simple[static_cast<size_t>(prevCode[i])];
        break;
      case StatementStyle::Python:
        ok = prev->lastCode != '\\';
        break;
      case StatementStyle::None:
        ok = false;
      }
    }
    if (ok && next && style == StatementStyle::Scala)
      ok = !continuesScala(text, *next);
    lines_.push_back(Line{l.begin, l.end, ok, false});
  }
}

void StatementLines::keepAt(size_t offset) {
  auto it = std::upper_bound(lines_.begin(), lines_.end(), offset,
                             [](size_t at, const Line& l) { return at < l.begin; });
  if (it != lines_.begin())
    std::prev(it)->kept = true;
}

bool StatementLines::keepMentions(std::string_view word) {
  if (word.empty())
    return false;
  bool more = false;
  for (Line& l : lines_) {
    if (!l.blankable || l.kept)
      continue;
    const std::string_view s = text_.substr(l.begin, l.end - l.begin);
    for (size_t at = s.find(word); at != std::string_view::npos; at = s.find(word, at + 1)) {
      // `$` is no boundary of an identifier, but it is one of `$name` in an interpolation.
      const auto inWord = [](char c) { return c != '$' && isWordByte(c); };
      const bool before = at > 0 && inWord(s[at - 1]);
      const bool after = at + word.size() < s.size() && inWord(s[at + word.size()]);
      if (!before && !after) {
        l.kept = more = true;
        break;
      }
    }
  }
  return more;
}

bool StatementLines::blanksAny() const {
  return std::any_of(lines_.begin(), lines_.end(),
                     [](const Line& l) { return l.blankable && !l.kept; });
}

size_t StatementLines::skippedBytes() const {
  size_t n = 0;
  for (const Line& l : lines_)
    if (l.blankable && !l.kept)
      n += l.end - l.begin;
  return n;
}

std::vector<TSRange> StatementLines::includedRanges() const {
  std::vector<TSRange> ranges;
  for (uint32_t row = 0; row < lines_.size(); ++row) {
    const Line& l = lines_[row];
    const bool skip = l.blankable && !l.kept;
    // The line break: `\n`, with the `\r` before it; the last line may have none.
    uint32_t from = l.begin;
    if (skip) {
      from = l.end;
      if (from > l.begin && text_[from - 1] == '\r')
        --from;
    }
    const uint32_t to = row + 1 < lines_.size() ? lines_[row + 1].begin : l.end;
    if (from == to)
      continue;
    const TSPoint start{row, from - l.begin};
    const TSPoint end = row + 1 < lines_.size() ? TSPoint{row + 1, 0} : TSPoint{row, to - l.begin};
    if (!ranges.empty() && ranges.back().end_byte == from) {
      ranges.back().end_byte = to;
      ranges.back().end_point = end;
    } else {
      ranges.push_back(TSRange{start, end, from, to});
    }
  }
  return ranges;
}

} // namespace godwit
