#pragma once
// C++ string literals as text, without Clang: the parts of one literal token, its value with the
// offset map, and the replacement fields of fmt / std::format strings. Clang says where the
// tokens are; this says what they mean.

#include "analyzers/DecodedString.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

namespace godwit::cpp {

/// The character type a literal's encoding prefix selects.
enum class CharKind { Narrow, Utf8, Wide, Utf16, Utf32 };

/// The parts of one string-literal token as written (offsets into the source).
struct LiteralToken {
  CharKind kind = CharKind::Narrow;
  bool raw = false;           ///< `R"delim( … )delim"`.
  uint32_t contentBegin = 0;  ///< First byte of the content (after `"` or `R"delim(`).
  uint32_t contentEnd = 0;    ///< One past its last byte.
  std::string_view delimiter; ///< A raw string's delimiter, e.g. `sql`.
  std::string_view suffix;    ///< A user-defined suffix such as `s` or `sv`; empty if none.
};

/// Splits the token at src[begin, end); nullopt when it is not a whole string literal (a
/// character literal, an unterminated literal, a line splice inside the prefix or delimiter).
std::optional<LiteralToken> parseLiteralToken(std::string_view src, uint32_t begin, uint32_t end);

/// The style encodeLiteral() needs to write new text into `token`'s content.
LiteralStyle literalStyle(const LiteralToken& token);

/// Appends the value of the string-literal token at src[begin, end) to `out` as a new piece.
/// Escapes are decoded (universal character names and every wide character as UTF-8), line
/// splices produce nothing, and an escape whose value cannot be stated is a hole. After a `\x`
/// escape or an octal escape of fewer than three digits, the next character shares the escape's
/// source bytes, so an edit that starts there rewrites the escape too and can never extend it.
/// False, with `out` unchanged, when the token is not a string literal.
bool appendLiteral(DecodedString& out, std::string_view src, uint32_t begin, uint32_t end);

/// The decoded argument for a format string's field `index`, or nullptr when it is unknown or
/// not a string.
using FormatArgument = std::function<const DecodedString*(size_t index)>;

/// The value of `format(fmt, args...)` (fmt and std::format syntax): literal text with `{{` and
/// `}}` unescaped; `{}`, `{n}` and `{:s}` replaced by their argument's value; any other field (a
/// format spec, a named argument, an unknown argument) a hole over its source bytes. Pieces of
/// the format string get holeIntro `{`, so new text doubles its braces. nullopt when `fmt` is not
/// a valid format string (an unmatched brace, a nested field).
std::optional<DecodedString> applyFormat(const DecodedString& fmt, const FormatArgument& argument);

} // namespace godwit::cpp
