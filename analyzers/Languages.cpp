// The registration table: one row per language. Adding a language is a folder
// analyzers/<lang>/ (decoder + queries), a row here, and fixtures.
#include "analyzers/Analyzer.h"
#include "analyzers/TreeSitterAnalyzer.h"
#include "analyzers/java/Java.h"
#include "analyzers/python/Python.h"
#include "analyzers/scala/Scala.h"

#include <algorithm>

namespace godwit {
namespace {

template <const TreeSitterLanguage& (*Language)()>
Expected<std::unique_ptr<Analyzer>> treeSitter(const std::vector<const Rule*>& rules) {
  return makeTreeSitterAnalyzer(Language(), rules);
}

} // namespace

std::span<const LanguageEntry> languageTable() {
  static const LanguageEntry table[] = {
      {"java", {".java"}, treeSitter<javaLanguage>},
      {"scala", {".scala", ".sc"}, treeSitter<scalaLanguage>},
      {"python", {".py"}, treeSitter<pythonLanguage>},
  };
  return table;
}

const LanguageEntry* languageForPath(std::string_view path) {
  const size_t slash = path.rfind('/');
  const size_t dot = path.rfind('.');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash))
    return nullptr;
  const std::string_view ext = path.substr(dot);
  for (const LanguageEntry& entry : languageTable())
    if (std::find(entry.extensions.begin(), entry.extensions.end(), ext) != entry.extensions.end())
      return &entry;
  return nullptr;
}

} // namespace godwit
