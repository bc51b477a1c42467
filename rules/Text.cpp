#include "rules/Text.h"

#include <cstdio>

namespace godwit {
namespace {

std::string hexByte(const char* prefix, unsigned value, int digits) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%s%0*X", prefix, digits, value);
  return buf;
}

} // namespace

size_t utf8SequenceLength(std::string_view s, size_t at) {
  const auto b = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char c = b(at);
  if (c < 0x80)
    return 1;
  size_t n = 0;
  unsigned lo = 0x80, hi = 0xBF; // the allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF)
    n = 2;
  else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    lo = c == 0xE0 ? 0xA0 : 0x80; // no overlong forms
    hi = c == 0xED ? 0x9F : 0xBF; // no surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    lo = c == 0xF0 ? 0x90 : 0x80;
    hi = c == 0xF4 ? 0x8F : 0xBF;
  } else {
    return 0;
  }
  if (at + n > s.size() || b(at + 1) < lo || b(at + 1) > hi)
    return 0;
  for (size_t i = 2; i < n; ++i)
    if ((b(at + i) & 0xC0) != 0x80)
      return 0;
  return n;
}

bool isValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t n = utf8SequenceLength(s, i);
    if (n == 0)
      return false;
    i += n;
  }
  return true;
}

std::string printable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const size_t n = utf8SequenceLength(s, i);
    if (n == 0) {
      out += hexByte("\\x", c, 2);
      ++i;
      continue;
    }
    if (n == 2 && c == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0) {
      out += hexByte("\\u", static_cast<unsigned char>(s[i + 1]), 4); // C1 control
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == 0x1B) {
      out += "\\e";
    } else if (c < 0x20 || c == 0x7F) {
      out += hexByte("\\x", c, 2);
    } else {
      out.append(s.substr(i, n));
    }
    i += n;
  }
  return out;
}

std::string describeByte(unsigned char byte) {
  if (byte == 0)
    return "a NUL byte";
  if (byte < 0x20 || byte == 0x7F)
    return "the control character " + hexByte("U+", byte, 4);
  if (byte >= 0x80)
    return "the byte " + hexByte("0x", byte, 2) + ", which is not UTF-8 here";
  return "the character `" + std::string(1, static_cast<char>(byte)) + "`";
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  return out;
}

} // namespace godwit
