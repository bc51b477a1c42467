#pragma once
// Config files (YAML, JSON, HOCON, .properties, TOML, XML). Values are matched after decoding;
// keys are never values. A file that does not parse is reported (an analyze() error naming the
// first problem) and left alone. Formats without a tree-sitter grammar are read by a small
// scanner that yields the decoded values.

#include "analyzers/Analyzer.h"
#include "analyzers/DecodedString.h"
#include "analyzers/TreeSitterLanguage.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace godwit {

/// One value of a config file (never a key), decoded with its offset map.
struct ConfigValue {
  DecodedString value;
  uint32_t begin = 0; ///< Source bytes of the whole value, quotes included.
  uint32_t end = 0;
  /// The keys it is the value of, outermost first, as written (`kafka.consumer.topic`; an XML
  /// element and attribute: `consumer/topic`); empty for a value without a key.
  std::string key;
};

/// A place where a config file stops following its format.
struct SyntaxProblem {
  uint32_t offset = 0; ///< Source byte where the problem is found.
  std::string message; ///< What is wrong there, e.g. `unterminated string`.
};

/// What a scanner finds in one file: every value, and the syntax problems (none when it parses).
struct ConfigScan {
  std::vector<ConfigValue> values;
  std::vector<SyntaxProblem> problems;
};

/// A config format read by a scanner.
struct ConfigFormat {
  std::string_view name;    ///< The language name, e.g. `toml`; findings get context `toml.string`.
  std::string_view display; ///< For messages, e.g. `TOML`.
  ConfigScan (*scan)(std::string_view text);
};

/// Appends code point `cp` as UTF-8, produced by source bytes [begin, end); a hole when `cp` is
/// no Unicode scalar value (e.g. a lone surrogate).
void pushCodePoint(DecodedString& out, long cp, uint32_t begin, uint32_t end);

/// The first syntax problem of tree-sitter parse `tree` of `text` (an ERROR or MISSING node, or
/// text after the root), or nullopt when it has none.
std::optional<SyntaxProblem> firstSyntaxProblem(TSTree* tree, std::string_view text);

/// Builds the analyzer of a scanned format. Rule packs are tree-sitter queries, so a rule for a
/// scanned format is an error naming the rule.
Expected<std::unique_ptr<Analyzer>> makeConfigAnalyzer(const ConfigFormat& format,
                                                       const std::vector<const Rule*>& rules);

/// What a strict analyzer tries before it calls a file its grammar does not take invalid.
struct StrictFallbacks {
  /// A second parser's verdict: true when `text` is valid after all. The file is then analyzed
  /// from the grammar's recovered tree, references inside the parts it could not read are
  /// attention, and a note says so.
  bool (*valid)(std::string_view text) = nullptr;
  /// The file may be a template (`{{ … }}`, `{% … %}`, `{# … #}`): it is read again with its
  /// blocks masked (expressions as holes, statements and comments as blanks); a template that
  /// still does not parse is skipped with a note, not an error.
  bool templates = false;
};

/// The generic tree-sitter analyzer for a config format with a grammar, except that a file with
/// ERROR or MISSING nodes is an error naming the first one (no findings) unless `fallbacks` read
/// it, and a file `skip` accepts (e.g. godwit's own migration files) has no findings.
Expected<std::unique_ptr<Analyzer>>
makeStrictTreeSitterAnalyzer(const TreeSitterLanguage& language, std::string_view display,
                             const std::vector<const Rule*>& rules,
                             bool (*skip)(std::string_view text) = nullptr,
                             StrictFallbacks fallbacks = {});

/// `text` with every template block (`{{ … }}`, `{% … %}`, `{# … #}`) masked byte for byte: an
/// expression becomes `${__…}` (a placeholder, so its value bytes are a hole), a statement or
/// comment becomes blanks; line breaks stay. nullopt when `text` holds no block.
std::optional<std::string> maskTemplateBlocks(std::string_view text);

} // namespace godwit
