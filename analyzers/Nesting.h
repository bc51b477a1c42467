#pragma once
// The nesting limit: a cheap count over a file's bytes, before any parser or decoder sees it, so
// that no recursion over a syntax tree can run out of stack (docs/cli.md#input-limits).

#include "rules/Expected.h"

#include <cstddef>
#include <optional>
#include <string_view>

namespace godwit {

/// The deepest nesting a file may have. Parsers, decoders and tree walks are safe well beyond it
/// (tests/cli/NestingLimitTest.cpp); real files stay far below it.
inline constexpr int kMaxNesting = 500;

/// Where `text` first nests deeper than `limit`, or nullopt. Every `(`, `[` and `{` opens a level
/// and every `)`, `]` and `}` closes one, in strings and comments too (so the count can only be
/// higher than the syntax's); for `xml`, element tags count as well, and for `python` and `yaml`
/// each open indented block; for `cpp`, a statement of more than 10 × `limit` binary operators
/// (outside comments and literals) is too deep as well. Time linear in the text.
std::optional<size_t> tooDeeplyNested(std::string_view language, std::string_view text,
                                      int limit = kMaxNesting);

/// The note for a file skipped by the limit: `file:1:1: note: … skipped: nesting deeper than N`,
/// naming the line and column where it first goes deeper (nullopt: an expression of more than N
/// operands, which DecodeDepth found).
Error nestingNote(std::string_view file, std::string_view text, std::optional<size_t> offset,
                  int limit = kMaxNesting);

/// One level of a decoder's recursion over nested nodes, counted per thread. Concatenations nest
/// without brackets (`"a" + "b" + …` is a left-deep tree as deep as its operands), so
/// tooDeeplyNested() cannot see them: past kMaxNesting levels the decoder gives up on the node
/// (not a string expression; a hole), which bounds the stack.
class DecodeDepth {
public:
  DecodeDepth();
  ~DecodeDepth();
  DecodeDepth(const DecodeDepth&) = delete;
  DecodeDepth& operator=(const DecodeDepth&) = delete;
  /// True past the limit, and, while a DecodeDepthWatch is alive, ever after the first time.
  bool tooDeep() const;
};

/// While alive, remembers whether this thread's decoders went past the limit; once they have,
/// every later DecodeDepth is too deep at once, so the rest of the file costs little. The engine
/// holds one around each file's analysis and skips a file that went past it.
class DecodeDepthWatch {
public:
  DecodeDepthWatch();
  ~DecodeDepthWatch();
  DecodeDepthWatch(const DecodeDepthWatch&) = delete;
  DecodeDepthWatch& operator=(const DecodeDepthWatch&) = delete;
  bool exceeded() const { return exceeded_; }

private:
  friend class DecodeDepth;
  bool exceeded_ = false;
  DecodeDepthWatch* outer_;
};

} // namespace godwit
