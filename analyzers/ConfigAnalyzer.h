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

/// The value of `count` hex digits at `src[at]`, or -1 when they are not all hex digits or run
/// past `end`.
long hexDigits(std::string_view src, size_t at, size_t end, size_t count);

/// Appends code point `cp` as UTF-8, produced by source bytes [begin, end); a hole when `cp` is
/// no Unicode scalar value (e.g. a lone surrogate).
void pushCodePoint(DecodedString& out, long cp, uint32_t begin, uint32_t end);

/// Builds the analyzer of a scanned format. Rule packs are tree-sitter queries, so a rule for a
/// scanned format is an error naming the rule.
Expected<std::unique_ptr<Analyzer>> makeConfigAnalyzer(const ConfigFormat& format,
                                                       const std::vector<const Rule*>& rules);

/// The generic tree-sitter analyzer for a config format with a grammar, except that a file with
/// ERROR or MISSING nodes is an error naming the first one (no findings), and a file `skip`
/// accepts (e.g. godwit's own migration files) has no findings.
Expected<std::unique_ptr<Analyzer>>
makeStrictTreeSitterAnalyzer(const TreeSitterLanguage& language, std::string_view display,
                             const std::vector<const Rule*>& rules,
                             bool (*skip)(std::string_view text) = nullptr);

} // namespace godwit
