#include "analyzers/Analyzer.h"

#include "analyzers/RepoConstants.h"

namespace godwit {

Expected<std::vector<Finding>> Analyzer::analyzeFile(const SourceFile& file,
                                                     std::span<const DatasetMatcher> matchers,
                                                     AnalysisNotes&) const {
  return analyze(file, matchers);
}

Expected<void> Analyzer::verifyEdits(const SourceFile& file, std::span<const SourceEdit>,
                                     std::string_view after) const {
  // Most edited files parse cleanly: then the original need not be parsed again.
  const int now = syntaxErrors(after);
  const int before = now == 0 ? 0 : syntaxErrors(file.text);
  if (now > before)
    return makeError("the edited file would have " + std::to_string(now) +
                         " syntax errors instead of " + std::to_string(before),
                     {});
  return {};
}

std::optional<std::vector<FileConstant>> Analyzer::fileConstants(const SourceFile&) const {
  return std::nullopt;
}

} // namespace godwit
