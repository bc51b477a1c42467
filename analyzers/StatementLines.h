#pragma once
// Which lines of a file hold one whole simple statement, so the parser can skip the ones that
// have nothing to do with a reference. A skipped line reads as an empty line: its line break is
// parsed, its statement is not, and offsets and line numbers of everything else are unchanged.

#include <tree_sitter/api.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace godwit {

/// The statement syntax of a language, for StatementLines; None means no line is ever blanked.
enum class StatementStyle { None, Java, Scala, Python };

/// The lines of one file, classified by a small lexer (strings, comments, brackets), and the
/// subset that must stay for the analysis.
class StatementLines {
public:
  /// Lexes `text`. If it meets something it does not understand, nothing is blankable.
  StatementLines(StatementStyle style, std::string_view text);

  /// Keeps the line that holds byte `offset` (e.g. a prefilter hit or an edit).
  void keepAt(size_t offset);

  /// Keeps every blankable line that mentions `word` as a whole word, anywhere (code, strings or
  /// comments); true when that kept a line that was not kept before.
  bool keepMentions(std::string_view word);

  /// True when at least one line would be skipped.
  bool blanksAny() const;

  /// The bytes the parser would not read: the skipped lines without their line breaks.
  size_t skippedBytes() const;

  /// What the parser should read (`ts_parser_set_included_ranges`): every line but the blankable
  /// ones that are not kept, of which only the line break is read.
  std::vector<TSRange> includedRanges() const;

  /// Whether line `index` (0-based) holds one whole simple statement (for tests).
  bool blankable(size_t index) const { return index < lines_.size() && lines_[index].blankable; }

private:
  struct Line {
    uint32_t begin = 0, end = 0; ///< Bytes of the line, without its line break.
    bool blankable = false;
    bool kept = false;
  };
  std::string_view text_;
  std::vector<Line> lines_;
};

} // namespace godwit
