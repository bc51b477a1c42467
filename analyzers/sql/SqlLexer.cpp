#include "analyzers/sql/SqlLexer.h"

#include "rules/DatasetMatcher.h"

#include <algorithm>

namespace godwit::sql {
namespace {

bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool isDigit(char c) {
  return c >= '0' && c <= '9';
}
bool isWordByte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isDigit(c) || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// Two-byte operators; everything else is one byte.
constexpr std::string_view kPairs[] = {"<=", ">=", "<>", "!=", "||", "->", "=>", "::", "==", "|>"};

class Lexer {
public:
  explicit Lexer(std::string_view s) : s_(s) {}

  Lexed run() {
    while (i_ < s_.size()) {
      const char c = s_[i_];
      const char next = i_ + 1 < s_.size() ? s_[i_ + 1] : '\0';
      if (isSpace(c)) {
        ++i_;
        space_ = true;
      } else if ((c == '-' && next == '-') || c == '#') {
        while (i_ < s_.size() && s_[i_] != '\n')
          ++i_;
        space_ = true;
      } else if (c == '/' && next == '*') {
        const size_t close = s_.find("*/", i_ + 2);
        if (close == std::string_view::npos) {
          error(i_);
          i_ = s_.size();
        } else {
          i_ = close + 2;
        }
        space_ = true;
      } else if (c == '{' && next == '{') {
        const size_t close = s_.find("}}", i_ + 2);
        if (close == std::string_view::npos) {
          error(i_);
          push(TokenKind::Hole, i_, s_.size());
        } else {
          push(TokenKind::Hole, i_, close + 2);
        }
      } else if (c == '{' && (next == '%' || next == '#')) {
        // Template statements and comments print nothing: the SQL around them is read as
        // written (both branches of an `{% if %}`).
        const size_t close = s_.find(std::string{next, '}'}, i_ + 2);
        if (close == std::string_view::npos)
          error(i_);
        i_ = close == std::string_view::npos ? s_.size() : close + 2;
        space_ = true;
      } else if (c == '$' && next == '{') {
        const size_t close = s_.find('}', i_ + 2);
        if (close == std::string_view::npos) {
          error(i_);
          push(TokenKind::Hole, i_, s_.size());
        } else {
          push(TokenKind::Hole, i_, close + 1);
        }
      } else if (c == '`') {
        quoted();
      } else if (c == '\'' || c == '"') {
        string(i_, i_, false);
      } else if (isWordByte(c) || c == kHole) {
        word();
      } else if (c == '.' && isDigit(next) && !previousEndsOperand()) {
        number(i_);
      } else if (c == '@') {
        size_t j = i_ + 1;
        if (j < s_.size() && s_[j] == '@')
          ++j;
        while (j < s_.size() && (isWordByte(s_[j]) || s_[j] == kHole))
          ++j;
        push(TokenKind::Param, i_, j);
      } else if (c == '?') {
        push(TokenKind::Param, i_, i_ + 1);
      } else {
        punct();
      }
    }
    for (uint32_t open : open_)
      r_.errors.push_back(open);
    std::sort(r_.errors.begin(), r_.errors.end());
    return std::move(r_);
  }

private:
  void push(TokenKind kind, size_t begin, size_t end) {
    r_.tokens.push_back(
        Token{kind, static_cast<uint32_t>(begin), static_cast<uint32_t>(end), space_});
    space_ = false;
    i_ = end;
  }
  void error(size_t at) { r_.errors.push_back(static_cast<uint32_t>(at)); }

  bool previousEndsOperand() const {
    if (r_.tokens.empty() || space_)
      return false;
    const Token& t = r_.tokens.back();
    if (t.kind == TokenKind::Punct)
      return s_[t.begin] == ')' || s_[t.begin] == ']';
    return true;
  }

  void quoted() {
    size_t j = i_ + 1;
    while (j < s_.size()) {
      if (s_[j] == '\\' && j + 1 < s_.size()) {
        j += 2;
      } else if (s_[j] == '`') {
        if (j + 1 < s_.size() && s_[j + 1] == '`') { // Spark doubles a backtick inside one
          j += 2;
          continue;
        }
        break;
      } else {
        ++j;
      }
    }
    if (j >= s_.size()) {
      error(i_);
      push(TokenKind::Quoted, i_, s_.size());
    } else {
      push(TokenKind::Quoted, i_, j + 1);
    }
  }

  // A string starting at `begin` (its prefix, if any) whose quote is at `quote`.
  void string(size_t begin, size_t quote, bool raw) {
    const char q = s_[quote];
    const bool triple = quote + 2 < s_.size() && s_[quote + 1] == q && s_[quote + 2] == q;
    size_t j = quote + (triple ? 3 : 1);
    while (j < s_.size()) {
      if (s_[j] == '\\' && !raw && j + 1 < s_.size()) {
        j += 2;
      } else if (s_[j] == q &&
                 (!triple || (j + 2 < s_.size() && s_[j + 1] == q && s_[j + 2] == q))) {
        push(TokenKind::String, begin, j + (triple ? 3 : 1));
        return;
      } else {
        // A raw string still cannot end on an escaped quote (`r'\''` is `\'`).
        j += (raw && s_[j] == '\\' && j + 1 < s_.size()) ? 2 : 1;
      }
    }
    error(begin);
    push(TokenKind::String, begin, s_.size());
  }

  void number(size_t begin) {
    size_t j = begin;
    while (j < s_.size() && isDigit(s_[j]))
      ++j;
    if (j + 1 < s_.size() && s_[j] == '.' && isDigit(s_[j + 1])) {
      ++j;
      while (j < s_.size() && isDigit(s_[j]))
        ++j;
    } else if (j < s_.size() && s_[j] == '.' && j > begin) {
      ++j; // `1.` is a number
    }
    if (j < s_.size() && (s_[j] == 'e' || s_[j] == 'E')) {
      size_t k = j + 1;
      if (k < s_.size() && (s_[k] == '+' || s_[k] == '-'))
        ++k;
      if (k < s_.size() && isDigit(s_[k])) {
        while (k < s_.size() && isDigit(s_[k]))
          ++k;
        j = k;
      }
    }
    push(TokenKind::Number, begin, j);
  }

  void word() {
    size_t j = i_;
    bool hole = false;
    while (j < s_.size() && (isWordByte(s_[j]) || s_[j] == kHole)) {
      hole = hole || s_[j] == kHole;
      ++j;
    }
    const std::string prefix = lowered(s_.substr(i_, j - i_));
    if (j < s_.size() && (s_[j] == '\'' || s_[j] == '"') &&
        (prefix == "r" || prefix == "b" || prefix == "rb" || prefix == "br")) {
      string(i_, j, prefix.find('r') != std::string::npos);
      return;
    }
    if (isDigit(s_[i_])) {
      // A number unless name bytes follow it (`2024_01`, `1st`).
      size_t k = i_;
      while (k < j && isDigit(s_[k]))
        ++k;
      if (k == j) {
        number(i_);
        return;
      }
      if ((s_[k] == 'e' || s_[k] == 'E') && k + 1 < s_.size()) {
        const size_t save = i_;
        const bool space = space_;
        number(i_);
        if (i_ >= j)
          return;
        // Not an exponent after all: undo and take the whole run as a word.
        r_.tokens.pop_back();
        i_ = save;
        space_ = space;
      }
    }
    push(hole ? TokenKind::Hole : TokenKind::Word, i_, j);
  }

  void punct() {
    const char c = s_[i_];
    if (c == '(' || c == '[') {
      open_.push_back(static_cast<uint32_t>(i_));
      openChar_.push_back(c);
    } else if (c == ')' || c == ']') {
      const char want = c == ')' ? '(' : '[';
      if (!openChar_.empty() && openChar_.back() == want) {
        open_.pop_back();
        openChar_.pop_back();
      } else {
        error(i_);
      }
    }
    if (i_ + 1 < s_.size()) {
      const std::string_view two = s_.substr(i_, 2);
      for (std::string_view p : kPairs) {
        if (two == p) {
          push(TokenKind::Punct, i_, i_ + 2);
          return;
        }
      }
    }
    push(TokenKind::Punct, i_, i_ + 1);
  }

  std::string_view s_;
  size_t i_ = 0;
  bool space_ = true;
  Lexed r_;
  std::vector<uint32_t> open_;
  std::vector<char> openChar_;
};

} // namespace

Lexed lex(std::string_view text) {
  return Lexer(text).run();
}

std::string lowered(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string tokenName(std::string_view text, const Token& token) {
  const std::string_view raw = text.substr(token.begin, token.end - token.begin);
  if (token.kind != TokenKind::Quoted)
    return std::string(raw);
  std::string out;
  const size_t last = raw.size() >= 2 && raw.back() == '`' ? raw.size() - 1 : raw.size();
  for (size_t i = 1; i < last; ++i) {
    if (raw[i] == '\\' && i + 1 < last) {
      out += raw[++i];
    } else if (raw[i] == '`' && i + 1 < last && raw[i + 1] == '`') {
      out += '`';
      ++i;
    } else {
      out += raw[i];
    }
  }
  return out;
}

bool isKeyword(std::string_view text, const Token& token, std::string_view keyword) {
  if (token.kind != TokenKind::Word || token.end - token.begin != keyword.size())
    return false;
  for (size_t i = 0; i < keyword.size(); ++i) {
    char c = text[token.begin + i];
    if (c >= 'a' && c <= 'z')
      c = static_cast<char>(c - 'a' + 'A');
    if (c != keyword[i])
      return false;
  }
  return true;
}

} // namespace godwit::sql
