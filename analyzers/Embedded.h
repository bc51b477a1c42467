#pragma once
// Languages written inside other files: a Markdown code fence, a notebook cell. Such a region is
// read as a document of its own language through an offset map, analyzed by that language's
// analyzer, and its findings and value changes are mapped back to the host file's bytes, so that
// the rewriters edit the host as they edit any literal.

#include "analyzers/Analyzer.h"
#include "analyzers/DecodedString.h"
#include "analyzers/Finding.h"
#include "analyzers/ValueFindings.h"
#include "rules/DatasetMatcher.h"
#include "rules/Expected.h"

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace godwit {

/// A region of a host file as its own language reads it, with the host bytes of every byte.
struct EmbeddedDocument {
  std::string language; ///< The language's name in the registration table, e.g. `python`.
  std::string text;     ///< The document's text.
  /// Per text byte: the host bytes [srcBegin, srcEnd) it comes from. A byte godwit put there (a
  /// separator between cells, a stand-in for a magic line) has an empty range.
  std::vector<uint32_t> srcBegin;
  std::vector<uint32_t> srcEnd;
  /// The host writes these bytes as JSON string content (a notebook cell): an edit is escaped
  /// once more (LiteralStyle::inJsonString).
  bool inJsonString = false;
  /// Set by stringDocument(): the literal pieces of the host string the text is the value of, and
  /// per text byte the piece it comes from (DecodedString::kNoPiece for a byte godwit put there).
  std::vector<LiteralPiece> hostPieces;
  std::vector<uint16_t> hostPiece;

  /// Appends host bytes [begin, end) of `host` as they are.
  void copy(std::string_view host, uint32_t begin, uint32_t end);
  /// Appends one byte produced by host bytes [begin, end).
  void push(char c, uint32_t begin, uint32_t end);
  /// Appends bytes that are not in the host, placed at host byte `at`; no edit may touch them.
  void synthesize(std::string_view bytes, uint32_t at);
  /// Appends value bytes [begin, end) of a decoded host string (its offset map is the host's);
  /// a hole is a synthesized blank.
  void append(const DecodedString& decoded, size_t begin, size_t end);
  /// The document as one value in host coordinates, synthesized bytes as holes: for reading it
  /// as plain text.
  DecodedString value() const;
};

/// The value of a host string (shell text in a Python string) as a document of `language`: a
/// hole is a kHole byte, and so is a Jinja expression (`{{ … }}`); a Jinja statement or comment
/// (`{% … %}`, `{# … #}`, which render to no text or to whole lines) is a kHole byte and a line
/// break. Value changes are mapped to the string's own literals: an edit is encoded in the
/// document's literal style and then in the string's, and lands in the host's constants as the
/// host's own values do.
EmbeddedDocument stringDocument(std::string language, const DecodedString& value);

/// What the analysis of one embedded document found, in host coordinates.
struct EmbeddedResult {
  std::vector<Finding> findings;
  int parseErrors = 0;  ///< Errors its parser recovered from (analyze: not edited when > 0).
  bool skipped = false; ///< Not analyzed (nested too deeply, or its parser could not take it).
};

/// Runs the analyzers of embedded documents: each language's analyzer, with its built-in rules,
/// is built on first use and shared by all threads. The host analyzer owns one.
class EmbeddedRunner {
public:
  EmbeddedRunner();
  ~EmbeddedRunner();
  EmbeddedRunner(const EmbeddedRunner&) = delete;
  EmbeddedRunner& operator=(const EmbeddedRunner&) = delete;

  /// The analyzer of `language`; null when the registration table has no such language, or its
  /// analyzer needs the run's context (C++) or cannot be built.
  const Analyzer* analyzer(std::string_view language) const;

  /// The findings of `doc`, a region of `host` (whose line index is `lines`): file, offsets,
  /// positions and the offset maps of their value changes refer to the host. `godwit:ignore`
  /// works in the document's own comments. An error when its analyzer has none for it (e.g.
  /// JSON that does not parse); its findings have no edits when a change would touch bytes
  /// godwit put into the document. In a stringDocument(), a reference made only of another
  /// file's constant is left to that file's analysis.
  Expected<EmbeddedResult> analyze(const SourceFile& host, const LineIndex& lines,
                                   const EmbeddedDocument& doc,
                                   std::span<const DatasetMatcher> matchers) const;

  /// How many syntax errors the document's analyzer finds in it (0 without an analyzer).
  int syntaxErrors(const EmbeddedDocument& doc) const;

private:
  struct Slot;
  std::unique_ptr<Slot[]> slots_;
};

/// Makes every finding of `findings` attention for `reason` (a rewrite, or one that awaits a
/// sink), dropping its changes: for regions godwit reads but never edits.
void holdAll(std::span<Finding> findings, const std::string& reason);

/// Adds findings the runner mapped to the host to `out`, whose `godwit:ignore` lines (the host's
/// comment syntax, e.g. `<!-- godwit:ignore -->` above a fence line) suppress them too.
void addEmbeddedFindings(FindingCollector& out, std::vector<Finding>& found);

/// Host bytes [begin, end) of `text` as a value with the identity offset map.
DecodedString hostText(std::string_view text, uint32_t begin, uint32_t end);

/// True when a prefilter match of `hits` (SourceFile::hits) ends inside host bytes
/// [begin, end], or when there are no hits (analyze everything): a region without one is skipped.
bool hitIn(std::span<const size_t> hits, uint32_t begin, uint32_t end);

/// Adds the references in `text`, a value of the host read as plain text (never SQL), as
/// attention for `reason`, with context `context`: prose, blocks of a language godwit does not
/// read, shell lines.
void addTextAttention(FindingCollector& out, const DecodedString& text,
                      std::span<const DatasetMatcher> matchers, const std::string& context,
                      const std::string& reason);

} // namespace godwit
