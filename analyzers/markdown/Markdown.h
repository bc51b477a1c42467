#pragma once
// Markdown (.md, .markdown): fenced code blocks are documents of the language their info string
// names, analyzed through the offset map (analyzers/Embedded.h); an inline code span that is
// exactly a dataset name is edited like a string literal; prose is attention, never edited.

#include "analyzers/Analyzer.h"
#include "analyzers/Embedded.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace godwit {

/// The registration-table language a fence's info string names (its first word: `sql`,
/// `python`, `yaml`, `hcl`, `bash`, …), or nullopt when godwit reads no such language.
std::optional<std::string_view> fenceLanguage(std::string_view info);

/// One fenced code block of a Markdown text.
struct MarkdownFence {
  uint32_t begin = 0;   ///< Host bytes of the whole block, fences included.
  uint32_t end = 0;
  std::string info;     ///< The opening fence's info string, trimmed.
  bool closed = false;  ///< False when the text ends before the closing fence.
  EmbeddedDocument doc; ///< The content, the opening fence's indentation removed from each line.
};

/// One inline code span: the bytes between its backtick runs, with the single blanks CommonMark
/// strips at both ends left out.
struct MarkdownSpan {
  uint32_t begin = 0;
  uint32_t end = 0;
  bool editable = false; ///< On a line that is no blockquote, HTML comment or indented code.
};

/// The parts of a Markdown text godwit reads: fences, code spans and the prose around them.
struct MarkdownParts {
  std::vector<MarkdownFence> fences;
  std::vector<MarkdownSpan> spans;
  std::vector<std::pair<uint32_t, uint32_t>> prose; ///< Host byte ranges outside fences and spans.
};

/// Splits `text` into fences, code spans and prose (a CommonMark subset: fences of ``` or ~~~
/// outside blockquotes, code spans within one line).
MarkdownParts splitMarkdown(std::string_view text);

/// Builds the Markdown analyzer. Rule packs do not apply to Markdown: `rules` must be empty.
Expected<std::unique_ptr<Analyzer>> makeMarkdownAnalyzer(const std::vector<const Rule*>& rules);

} // namespace godwit
