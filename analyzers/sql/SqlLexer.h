#pragma once
// A tolerant lexer for BigQuery (standard and legacy), Spark and Flink SQL. It works on decoded
// values: a kHole byte (an unresolved interpolation) is opaque text, and so are template
// expressions (`{{ … }}`, `${…}`); template statements and comments (`{% … %}`, `{# … #}`) are
// read as whitespace.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace godwit::sql {

/// What a token is.
enum class TokenKind {
  Word,   ///< An unquoted identifier or keyword.
  Quoted, ///< A backtick-quoted identifier or path, backticks included.
  String, ///< A string or bytes literal, prefix and quotes included.
  Number,
  Param, ///< A query parameter or variable: `@name`, `@@name`, `?`.
  Hole,  ///< Text godwit cannot know: a hole or template block, with any name bytes glued to it.
  Punct, ///< An operator or punctuation of one or two bytes.
};

/// One token: value bytes [begin, end).
struct Token {
  TokenKind kind = TokenKind::Punct;
  uint32_t begin = 0;
  uint32_t end = 0;
  bool spaceBefore = true; ///< Whitespace or a comment separates it from the previous token.
};

/// The tokens of a text and the offsets of its lexical errors.
struct Lexed {
  std::vector<Token> tokens;
  /// Offsets of unterminated strings, quoted names and comments, and of unbalanced brackets.
  std::vector<uint32_t> errors;
};

/// Splits `text` into tokens; comments and whitespace are dropped.
Lexed lex(std::string_view text);

/// The name a Word or Quoted token stands for: a word as written, a quoted name without its
/// backticks and with its escapes resolved.
std::string tokenName(std::string_view text, const Token& token);

/// True when the Word `token` is `keyword` (given in upper case), ignoring case.
bool isKeyword(std::string_view text, const Token& token, std::string_view keyword);

/// `s` with ASCII letters in lower case.
std::string lowered(std::string_view s);

} // namespace godwit::sql
