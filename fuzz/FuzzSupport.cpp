#include "fuzz/FuzzSupport.h"

#include "analyzers/Nesting.h"
#include "rewriters/Edit.h"
#include "rewriters/Rewrite.h"
#include "rules/RulePack.h"

#include <map>
#include <memory>
#include <string>

namespace godwit::fuzz {

namespace {

const LanguageEntry& entryFor(std::string_view name) {
  for (const LanguageEntry& entry : languageTable())
    if (entry.name == name)
      return entry;
  std::fprintf(stderr, "fuzz: no language `%.*s`\n", static_cast<int>(name.size()), name.data());
  std::abort();
}

} // namespace

const Analyzer& analyzerFor(std::string_view name) {
  static std::map<std::string, std::unique_ptr<Analyzer>, std::less<>> built;
  if (auto at = built.find(name); at != built.end())
    return *at->second;
  const LanguageEntry& entry = entryFor(name);
  std::vector<const Rule*> rules;
  for (const Rule& r : builtinRules())
    if (r.language == entry.name)
      rules.push_back(&r);
  auto made = entry.createInContext ? entry.createInContext(rules, AnalyzerContext{})
                                    : entry.create(rules);
  check(static_cast<bool>(made), "the analyzer cannot be built");
  return *built.emplace(std::string(name), std::move(*made)).first->second;
}

void analyzeLikeTheEngine(std::string_view name, std::string_view text) {
  if (tooDeeplyNested(name, text))
    return; // the engine skips the file with a note
  const Analyzer& analyzer = analyzerFor(name);
  const std::string path = "fuzz" + std::string(entryFor(name).extensions.front());
  const SourceFile file{path, text};
  AnalysisNotes notes;
  auto findings = analyzer.analyzeFile(file, matchers(), notes);
  analyzer.syntaxErrors(text);
  if (!findings)
    return;
  EditSet edits;
  for (const Finding& f : *findings) {
    check(f.offset + f.length <= text.size(), "a finding's range is outside the file");
    check(f.line >= 1 && f.column >= 1 && f.endLine >= f.line, "a finding's position is wrong");
    if (f.action != Action::Rewrite || f.suppressed)
      continue;
    auto made = editsForFinding(f);
    if (!made)
      continue;
    for (Edit& e : *made) {
      check(e.offset + e.length <= text.size(), "an edit's range is outside the file");
      (void)edits.add(std::move(e));
    }
  }
  if (edits.empty())
    return;
  const std::string after = edits.apply(text);
  std::vector<SourceEdit> source;
  for (const Edit& e : edits.edits())
    source.push_back(SourceEdit{e.offset, e.length, e.replacement});
  (void)analyzer.verifyEdits(file, source, after);
}

} // namespace godwit::fuzz
