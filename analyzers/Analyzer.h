#pragma once
// An analyzer finds dataset references in the files of one language. Languages are listed in one
// registration table (analyzers/Languages.cpp).

#include "analyzers/Finding.h"
#include "rules/DatasetMatcher.h"
#include "rules/Expected.h"
#include "rules/RulePack.h"

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace godwit {

/// One file to analyze.
struct SourceFile {
  std::string path;      ///< Relative to the scanned root, `/`-separated.
  std::string_view text; ///< The file's bytes.
};

/// Finds references in files of one language; one instance serves many threads.
class Analyzer {
public:
  virtual ~Analyzer() = default;

  /// Every reference to any of `matchers`' datasets in `file`.
  virtual Expected<std::vector<Finding>> analyze(const SourceFile& file,
                                                 std::span<const DatasetMatcher> matchers) const = 0;

  /// How many ERROR and MISSING nodes a parse of `text` has (the verify stage compares counts).
  virtual int syntaxErrors(std::string_view text) const = 0;
};

/// A row of the registration table.
struct LanguageEntry {
  std::string_view name;                    ///< e.g. `scala`; rule packs name it.
  std::vector<std::string_view> extensions; ///< e.g. `.scala`, `.sc`.
  /// Builds the analyzer with the rules for this language; errors name the rule's pack entry.
  Expected<std::unique_ptr<Analyzer>> (*create)(const std::vector<const Rule*>& rules);
};

/// Every supported language.
std::span<const LanguageEntry> languageTable();

/// The language of a file by its extension, or nullptr.
const LanguageEntry* languageForPath(std::string_view path);

} // namespace godwit
