#pragma once
// An analyzer finds dataset references in the files of one language. Languages are listed in one
// registration table (analyzers/Languages.cpp).

#include "analyzers/Finding.h"
#include "rules/DatasetMatcher.h"
#include "rules/Expected.h"
#include "rules/RulePack.h"

#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace godwit {

class RepoConstants;
struct FileConstant;

/// One file to analyze.
struct SourceFile {
  std::string path;      ///< Relative to the scanned root, `/`-separated.
  std::string_view text; ///< The file's bytes.
  /// Where the prefilter's matches end (byte offsets, sorted). When set, an analyzer may leave
  /// code that has nothing to do with these places unparsed; empty means analyze everything.
  std::span<const size_t> hits = {};
  /// The repository's constants that this file refers to (analyzers/RepoConstants.h); null
  /// before the run has built them, or when it has none.
  const RepoConstants* constants = nullptr;
};

/// How the analysis of one file went, beyond its findings; the engine counts and reports it.
struct AnalysisNotes {
  bool skipped = false;     ///< No parser could take the file (e.g. Objective-C++); not analyzed.
  int parseErrors = 0;      ///< Errors the parser recovered from; the findings come from the rest.
  std::vector<Error> notes; ///< What a human should know about the file (not failures).
  /// Names of constants the analysis looked up and did not find (`NAME`, `Owner.NAME`), when it
  /// has an attention finding: another file may define them (RepoConstants).
  std::vector<std::string> unresolved;
};

/// One replacement of source bytes, as the engine is about to apply it.
struct SourceEdit {
  size_t offset = 0;
  size_t length = 0;
  std::string_view text;
};

/// Finds references in files of one language; one instance serves many threads.
class Analyzer {
public:
  virtual ~Analyzer() = default;

  /// Every reference to any of `matchers`' datasets in `file`.
  virtual Expected<std::vector<Finding>> analyze(const SourceFile& file,
                                                 std::span<const DatasetMatcher> matchers) const = 0;

  /// analyze() that also says how the analysis went; the engine calls this one. The default
  /// calls analyze() and has nothing to say.
  virtual Expected<std::vector<Finding>> analyzeFile(const SourceFile& file,
                                                     std::span<const DatasetMatcher> matchers,
                                                     AnalysisNotes& notes) const;

  /// How many ERROR and MISSING nodes a parse of `text` has (the verify stage compares counts).
  virtual int syntaxErrors(std::string_view text) const = 0;

  /// The verify stage: accepts `after`, which is `file` with `edits` (sorted, not overlapping)
  /// applied, or says why not. The default compares syntaxErrors() of both texts; an analyzer
  /// whose parse depends on the file (C++: its compile command) checks with that.
  virtual Expected<void> verifyEdits(const SourceFile& file, std::span<const SourceEdit> edits,
                                     std::string_view after) const;

  /// The file-level string constants `file` defines, for other files that refer to them;
  /// nullopt when the language has none or the file does not parse.
  virtual std::optional<std::vector<FileConstant>> fileConstants(const SourceFile& file) const;
};

class DbtProjects;

/// What an analyzer may need to know about the run besides its rules.
struct AnalyzerContext {
  std::filesystem::path root; ///< The scanned root, absolute.
  /// C++: the compilation database given with `--compile-commands` (a file or a folder holding
  /// compile_commands.json); empty: look in the root and in `build/`.
  std::filesystem::path compileCommands;
  /// SQL and YAML: the run's dbt projects (analyzers/dbt/DbtProject.h); null when there are none.
  std::shared_ptr<const DbtProjects> dbt = nullptr;
};

/// A row of the registration table.
struct LanguageEntry {
  std::string_view name;                    ///< e.g. `scala`; rule packs name it.
  std::vector<std::string_view> extensions; ///< e.g. `.scala`, `.sc`.
  /// Builds the analyzer with the rules for this language; errors name the rule's pack entry.
  Expected<std::unique_ptr<Analyzer>> (*create)(const std::vector<const Rule*>& rules);
  /// Used instead of `create` when set: for analyzers that need the run's context (C++).
  Expected<std::unique_ptr<Analyzer>> (*createInContext)(const std::vector<const Rule*>& rules,
                                                         const AnalyzerContext& context) = nullptr;
};

/// Every supported language.
std::span<const LanguageEntry> languageTable();

/// The language of a file by its extension, or nullptr.
const LanguageEntry* languageForPath(std::string_view path);

} // namespace godwit
