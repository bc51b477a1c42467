#include "analyzers/sql/SqlAnalyzer.h"

#include "analyzers/ValueFindings.h"
#include "analyzers/sql/Sql.h"

#include <algorithm>

namespace godwit {
namespace {

class SqlFileAnalyzer final : public Analyzer {
public:
  Expected<std::vector<Finding>> analyze(const SourceFile& file,
                                         std::span<const DatasetMatcher> matchers) const override {
    if (file.text.size() >= UINT32_MAX)
      return Error{"the file is too large to analyze", file.path, 1, 1,
                   "exclude it with --exclude"};
    const DecodedString value = decodeSqlFile(file.text);
    FindingCollector collector(file);
    // The SQL position (`sql.from`, `sql.column`, …) is the context; a file has no other.
    const ContextFor noContext = [](uint32_t, uint32_t, Finding&) {};
    addValueFindings(collector, value, 0, static_cast<uint32_t>(file.text.size()), matchers,
                     noContext, {}, ValueSyntax::Sql);
    std::vector<Finding>& findings = collector.findings();
    for (Finding& f : findings)
      if (f.context.empty())
        f.context = "sql.text";
    std::stable_sort(findings.begin(), findings.end(),
                     [](const Finding& a, const Finding& b) { return a.offset < b.offset; });
    return std::move(findings);
  }

  int syntaxErrors(std::string_view text) const override { return sqlSyntaxErrors(text); }
};

} // namespace

std::string_view templateCloser(std::string_view text, size_t at) {
  if (at + 1 >= text.size())
    return {};
  const char c = text[at], next = text[at + 1];
  if (c == '{' && next == '{')
    return "}}";
  if (c == '{' && next == '%')
    return "%}";
  if (c == '{' && next == '#')
    return "#}";
  if (c == '$' && next == '{')
    return "}";
  return {};
}

DecodedString decodeSqlFile(std::string_view text) {
  DecodedString d;
  // Not a literal: no quote, no escapes, any line break; only names and ` AS ` are ever written.
  LiteralStyle verbatim;
  verbatim.quote = '\0';
  verbatim.triple = true;
  verbatim.raw = true;
  const uint32_t start = text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
  d.beginPiece(LiteralPiece{start, static_cast<uint32_t>(text.size()), verbatim, {}, 0});
  for (uint32_t i = start; i < text.size();) {
    const char c = text[i];
    const std::string_view closer = templateCloser(text, i);
    if (closer.empty()) {
      d.push(c, i, i + 1);
      ++i;
      continue;
    }
    const size_t close = text.find(closer, i + 2);
    const uint32_t end = close == std::string_view::npos
                             ? static_cast<uint32_t>(text.size())
                             : static_cast<uint32_t>(close + closer.size());
    // An expression prints unknown text; a statement or comment prints nothing, so the SQL
    // around it reads on (one blank keeps the words apart; no edit ever touches it).
    if (closer == "%}" || closer == "#}")
      d.push(' ', i, end);
    else
      d.pushHole(i, end);
    i = end;
  }
  return d;
}

Expected<std::unique_ptr<Analyzer>> makeSqlAnalyzer(const std::vector<const Rule*>& rules) {
  if (!rules.empty())
    return Error{"rule " + rules.front()->id + " names language `sql`, which has no rules",
                 rules.front()->file, rules.front()->line, 0,
                 "SQL files need no rule: every reference in them is analyzed; give the rule the "
                 "language of the code that calls the SQL"};
  return std::unique_ptr<Analyzer>(std::make_unique<SqlFileAnalyzer>());
}

} // namespace godwit
