#pragma once
// Bytes shown to a human: control characters and bytes that are not UTF-8 are escaped, so that
// text from a migration file or a file name cannot drive the terminal or garble a message.

#include <string>
#include <string_view>

namespace godwit {

/// The length of the valid UTF-8 sequence starting at `s[at]`, or 0 when it is not one.
size_t utf8SequenceLength(std::string_view s, size_t at);

/// True when all of `s` is valid UTF-8.
bool isValidUtf8(std::string_view s);

/// `s` with each control character written `\t`, `\n`, `\r`, `\e` or `\xNN`, a C1 control
/// `\u0085`, and each byte that is not part of valid UTF-8 `\xNN`; everything else kept.
std::string printable(std::string_view s);

/// `s` with ASCII letters in lower case; other bytes (UTF-8 among them) unchanged, whatever the
/// locale.
std::string lower(std::string_view s);

/// What a byte that has no business in a name is, for messages: `the control character U+0001`,
/// `a NUL byte`, `the byte 0xE9, which is not UTF-8`.
std::string describeByte(unsigned char byte);

} // namespace godwit
