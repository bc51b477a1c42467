#include "analyzers/Nesting.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <string>
#include <vector>

namespace godwit {

namespace {

/// C++: where one statement first holds more than `limit` binary operators outside comments and
/// literals. Clang builds a chain of them as a tree as deep as it is long, and recursion over it
/// inside libclang-cpp runs out of an 8 MiB stack at about 40,000 (`a + a + …`).
std::optional<size_t> tooManyOperators(std::string_view text, long limit) {
  long operators = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const char next = i + 1 < text.size() ? text[i + 1] : '\0';
    if (c == '/' && next == '/') {
      i = std::min(text.find('\n', i), text.size());
    } else if (c == '/' && next == '*') {
      i = std::min(text.find("*/", i + 2), text.size()) + 1;
    } else if (c == '"' || c == '\'') {
      for (++i; i < text.size() && text[i] != c && text[i] != '\n'; ++i)
        if (text[i] == '\\')
          ++i;
    } else if (c == ';' || c == '{' || c == '}') {
      operators = 0;
    } else if (c != '\0' && std::strchr("+-*/%&|^<>", c) != nullptr && ++operators > limit) {
      return i;
    }
  }
  return std::nullopt;
}

} // namespace

std::optional<size_t> tooDeeplyNested(std::string_view language, std::string_view text,
                                      int limit) {
  if (language == "cpp")
    if (const auto at = tooManyOperators(text, 10L * limit))
      return at;
  const bool xml = language == "xml";
  const bool indented = language == "python" || language == "yaml";
  // Indented languages nest by indentation too: the widths of the open blocks, as a tokenizer of
  // Python's INDENT/DEDENT keeps them.
  std::vector<size_t> blocks;
  long depth = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (indented && (i == 0 || text[i - 1] == '\n')) {
      size_t width = 0;
      while (i + width < text.size() && (text[i + width] == ' ' || text[i + width] == '\t'))
        ++width;
      if (i + width < text.size() && text[i + width] != '\n' && text[i + width] != '\r') {
        while (!blocks.empty() && blocks.back() > width)
          blocks.pop_back();
        if (width > 0 && (blocks.empty() || blocks.back() < width))
          blocks.push_back(width);
        if (depth + static_cast<long>(blocks.size()) > limit)
          return i + width;
      }
    }
    switch (text[i]) {
    case '(':
    case '[':
    case '{':
      ++depth;
      break;
    case ')':
    case ']':
    case '}':
      depth = std::max(0L, depth - 1);
      break;
    case '<':
      if (xml && i + 1 < text.size()) {
        const auto next = static_cast<unsigned char>(text[i + 1]);
        if (next == '/')
          depth = std::max(0L, depth - 1);
        else if (std::isalpha(next) || next == '_' || next == ':' || next >= 0x80)
          ++depth;
      }
      break;
    case '/':
      if (xml && i + 1 < text.size() && text[i + 1] == '>')
        depth = std::max(0L, depth - 1);
      break;
    default:
      break;
    }
    if (depth + static_cast<long>(blocks.size()) > limit)
      return i;
  }
  return std::nullopt;
}

namespace {

thread_local int decodeDepth = 0;
thread_local DecodeDepthWatch* watch = nullptr;

} // namespace

DecodeDepth::DecodeDepth() { ++decodeDepth; }

DecodeDepth::~DecodeDepth() { --decodeDepth; }

bool DecodeDepth::tooDeep() const {
  if (watch != nullptr && watch->exceeded_)
    return true;
  if (decodeDepth <= kMaxNesting)
    return false;
  if (watch != nullptr)
    watch->exceeded_ = true;
  return true;
}

DecodeDepthWatch::DecodeDepthWatch() : outer_(watch) { watch = this; }

DecodeDepthWatch::~DecodeDepthWatch() { watch = outer_; }

Error nestingNote(std::string_view file, std::string_view text, std::optional<size_t> offset,
                  int limit) {
  std::string where = "an expression of more than " + std::to_string(limit) + " operands";
  if (offset) {
    const std::string_view before = text.substr(0, *offset);
    const size_t line = 1 + static_cast<size_t>(std::count(before.begin(), before.end(), '\n'));
    const size_t nl = before.rfind('\n');
    const size_t lineStart = nl == std::string_view::npos ? 0 : nl + 1;
    where = "first at " + std::to_string(line) + ":" + std::to_string(*offset - lineStart + 1);
  }
  return Error{"not analyzed: skipped: nesting deeper than " + std::to_string(limit) +
                   " levels (" + where + ")",
               std::string(file), 1, 1,
               "a file this deeply nested is generated or pathological; migrate it by hand if it "
               "holds a reference"};
}

} // namespace godwit
