// The registration table: one row per language. Adding a language is a folder
// analyzers/<lang>/ (decoder + queries), a row here, and fixtures.
#include "analyzers/Analyzer.h"
#include "analyzers/TreeSitterAnalyzer.h"
#include "analyzers/cpp/Cpp.h"
#include "analyzers/dataform/Dataform.h"
#include "analyzers/dbt/DbtAnalyzer.h"
#include "analyzers/go/Go.h"
#include "analyzers/hcl/Hcl.h"
#include "analyzers/hocon/Hocon.h"
#include "analyzers/java/Java.h"
#include "analyzers/json/Json.h"
#include "analyzers/kotlin/Kotlin.h"
#include "analyzers/lookml/Lookml.h"
#include "analyzers/markdown/Markdown.h"
#include "analyzers/notebook/Notebook.h"
#include "analyzers/properties/Properties.h"
#include "analyzers/python/Python.h"
#include "analyzers/scala/Scala.h"
#include "analyzers/shell/Shell.h"
#include "analyzers/sql/SqlAnalyzer.h"
#include "analyzers/toml/Toml.h"
#include "analyzers/xml/Xml.h"
#include "analyzers/yaml/Yaml.h"

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
      {"hcl", {".tf", ".tfvars", ".hcl"}, treeSitter<hclLanguage>},
      {"shell", {".sh", ".bash"}, treeSitter<shellLanguage>},
      {"go", {".go"}, treeSitter<goLanguage>},
      {"kotlin", {".kt", ".kts"}, treeSitter<kotlinLanguage>},
      {"cpp",
       {".cc", ".cpp", ".cxx", ".c++", ".h", ".hh", ".hpp", ".hxx", ".mm", ".cu", ".cuh"},
       nullptr,
       makeCppAnalyzer},
      {"sql", {".sql"}, makeSqlAnalyzer, makeDbtSqlAnalyzer},
      {"yaml", {".yaml", ".yml"}, makeYamlAnalyzer, makeDbtYamlAnalyzer},
      {"json", {".json"}, makeJsonAnalyzer},
      {"hocon", {".conf", ".hocon"}, makeHoconAnalyzer},
      {"properties", {".properties"}, makePropertiesAnalyzer},
      {"toml", {".toml"}, makeTomlAnalyzer},
      {"xml", {".xml"}, makeXmlAnalyzer},
      {"markdown", {".md", ".markdown"}, makeMarkdownAnalyzer},
      {"notebook", {".ipynb"}, makeNotebookAnalyzer},
      {"lookml", {".lkml"}, makeLookmlAnalyzer},
      {"dataform", {".sqlx"}, nullptr, makeDataformAnalyzer},
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
