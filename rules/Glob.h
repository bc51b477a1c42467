#pragma once
// Path globs (`--include`, `--exclude`, a migration's `exclude`), matched in time linear in the
// path: a glob compiles to a small automaton that is simulated over the path once.

#include "rules/Expected.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace godwit {

/// A compiled glob. `**` spans folders (`**/` also matches no folder), `*` and `?` stay within
/// one, `[abc]`, `[a-z]` and `[!a]` match one byte, `\` quotes the next character. A glob
/// without `/` is matched against the file name alone.
class Glob {
public:
  /// Compiles `text`; a glob that cannot be parsed (an unclosed `[`, `***`, a leading `/`, …) is
  /// an error whose column (1-based) points into `text`.
  static Expected<Glob> compile(std::string_view text);

  /// True when `path` (relative, `/`-separated) matches. Time O(|glob| · |path|).
  bool matches(std::string_view path) const;

  const std::string& text() const { return text_; }

private:
  enum class Op : uint8_t { Byte, AnyByte, Class, Star, DeepStar };
  struct Token {
    Op op = Op::Byte;
    unsigned char byte = 0;  ///< Op::Byte
    bool skipsSlash = false; ///< Op::DeepStar of `**/`: may also skip the `/` after it.
    uint32_t set = 0;        ///< Op::Class: index into sets_
  };

  bool matchesLong(std::string_view path) const;
  void buildMasks();

  std::string text_;
  bool wholePath_ = false;
  std::vector<Token> tokens_;
  std::vector<std::vector<bool>> sets_; ///< 256 flags per class
  /// For globs of fewer than 62 tokens, the automaton as bit masks over its states, per byte:
  /// the states that move on (advance_) and that stay (stay_); stars_ may be skipped, and
  /// deepDirs_ (`**/`) may also skip their `/`.
  bool short_ = false;
  std::vector<uint64_t> advance_, stay_;
  uint64_t stars_ = 0, deepDirs_ = 0;
};

} // namespace godwit
