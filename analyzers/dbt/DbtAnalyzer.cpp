#include "analyzers/dbt/DbtAnalyzer.h"

#include "analyzers/ValueFindings.h"
#include "analyzers/dbt/DbtProject.h"
#include "analyzers/sql/Sql.h"
#include "analyzers/sql/SqlAnalyzer.h"
#include "analyzers/yaml/Yaml.h"

#include <algorithm>

namespace godwit {
namespace {

void sortByOffset(std::vector<Finding>& findings) {
  std::stable_sort(findings.begin(), findings.end(),
                   [](const Finding& a, const Finding& b) { return a.offset < b.offset; });
}

/// `value` with the hole of each stand-in's block replaced by the relation it stands for. The
/// relation's bytes belong to no literal, so no change can land in them; `ranges` receives the
/// value bytes of each stand-in.
DecodedString withStandIns(const DecodedString& value, std::span<const DbtStandIn> standIns,
                           std::vector<std::pair<size_t, size_t>>& ranges) {
  DecodedString out;
  out.pieces = value.pieces;
  size_t next = 0;
  ranges.assign(standIns.size(), {0, 0});
  for (size_t i = 0; i < value.value.size(); ++i) {
    const bool hole = value.value[i] == kHole && value.piece[i] == DecodedString::kNoPiece;
    if (hole && next < standIns.size() && value.srcBegin[i] == standIns[next].begin &&
        value.srcEnd[i] == standIns[next].end) {
      const DbtStandIn& s = standIns[next];
      ranges[next].first = out.value.size();
      for (char c : s.relation) {
        out.value.push_back(c);
        out.srcBegin.push_back(s.begin);
        out.srcEnd.push_back(s.end);
        out.piece.push_back(DecodedString::kNoPiece);
      }
      ranges[next].second = out.value.size();
      ++next;
      continue;
    }
    while (next < standIns.size() && standIns[next].end <= value.srcBegin[i])
      ++next; // a block decodeSqlFile did not mask the same way: it stays a hole
    out.value.push_back(value.value[i]);
    out.srcBegin.push_back(value.srcBegin[i]);
    out.srcEnd.push_back(value.srcEnd[i]);
    out.piece.push_back(value.piece[i]);
  }
  return out;
}

class DbtSqlAnalyzer final : public Analyzer {
public:
  DbtSqlAnalyzer(std::unique_ptr<Analyzer> plain, std::shared_ptr<const DbtProjects> dbt)
      : plain_(std::move(plain)), dbt_(std::move(dbt)) {}

  Expected<std::vector<Finding>> analyze(const SourceFile& file,
                                         std::span<const DatasetMatcher> matchers) const override {
    const DbtFilePlan* plan = dbt_ ? dbt_->file(file.path) : nullptr;
    if (plan == nullptr || file.text.size() >= UINT32_MAX)
      return plain_->analyze(file, matchers);
    std::vector<std::pair<size_t, size_t>> ranges;
    const DecodedString value = withStandIns(decodeSqlFile(file.text), plan->standIns, ranges);
    FindingCollector collector(file);
    const ContextFor noContext = [](uint32_t, uint32_t, Finding&) {};
    addValueFindings(collector, value, 0, static_cast<uint32_t>(file.text.size()), matchers,
                     noContext, {}, ValueSyntax::Sql);
    std::vector<Finding> out;
    for (Finding& f : collector.findings()) {
      if (f.context.empty())
        f.context = "sql.text";
      if (standInAt(*plan, f) == nullptr && tie(*plan, ranges, f))
        out.push_back(std::move(f));
    }
    out.insert(out.end(), plan->findings.begin(), plan->findings.end());
    sortByOffset(out);
    return out;
  }

  int syntaxErrors(std::string_view text) const override { return plain_->syntaxErrors(text); }

  Expected<void> verifyEdits(const SourceFile& file, std::span<const SourceEdit> edits,
                             std::string_view after) const override {
    return plain_->verifyEdits(file, edits, after);
  }

private:
  /// The stand-in whose block holds `f`: SQL's finding of the table itself, which the index
  /// reports at the call instead.
  static const DbtStandIn* standInAt(const DbtFilePlan& plan, const Finding& f) {
    for (const DbtStandIn& s : plan.standIns)
      if (f.offset >= s.begin && f.offset + f.length <= s.end)
        return &s;
    return nullptr;
  }

  /// Moves a finding that changes with a stand-in's table (a column, a qualifier) from the
  /// relation's bytes to the table's own decision; false when it is to be dropped.
  static bool tie(const DbtFilePlan& plan, const std::vector<std::pair<size_t, size_t>>& ranges,
                  Finding& f) {
    const DbtStandIn* with = nullptr;
    std::vector<ValueEdit> kept;
    for (ValueEdit& c : f.changes) {
      const DbtStandIn* in = nullptr;
      for (size_t k = 0; k < ranges.size(); ++k)
        if (c.begin < ranges[k].second && ranges[k].first < c.end)
          in = &plan.standIns[k];
      if (in != nullptr)
        with = in;
      else
        kept.push_back(std::move(c));
    }
    f.changes = std::move(kept);
    if (with == nullptr)
      return true;
    f.suppressed = f.suppressed || with->suppressed;
    if (f.action != Action::Rewrite)
      return true;
    if (with->action == Action::Attention) {
      f.action = Action::Attention;
      f.reason = "`" + f.found + "` becomes `" + f.replacement +
                 "` only with the dbt source table, which needs attention: " + with->reason;
      f.replacement.clear();
      f.changes.clear();
      return true;
    }
    f.changes.insert(f.changes.begin(), with->changes.begin(), with->changes.end());
    return !f.changes.empty() || f.replacement.empty();
  }

  std::unique_ptr<Analyzer> plain_;
  std::shared_ptr<const DbtProjects> dbt_;
};

class DbtYamlAnalyzer final : public Analyzer {
public:
  DbtYamlAnalyzer(std::unique_ptr<Analyzer> plain, std::shared_ptr<const DbtProjects> dbt)
      : plain_(std::move(plain)), dbt_(std::move(dbt)) {}

  Expected<std::vector<Finding>> analyze(const SourceFile& file,
                                         std::span<const DatasetMatcher> matchers) const override {
    AnalysisNotes notes;
    return analyzeFile(file, matchers, notes);
  }

  Expected<std::vector<Finding>> analyzeFile(const SourceFile& file,
                                             std::span<const DatasetMatcher> matchers,
                                             AnalysisNotes& notes) const override {
    auto found = plain_->analyzeFile(file, matchers, notes);
    const DbtFilePlan* plan = dbt_ ? dbt_->file(file.path) : nullptr;
    if (!found || plan == nullptr)
      return found;
    std::vector<Finding> out;
    // A value dbt edits is dbt's: YAML's own finding there would be a second edit of it.
    for (Finding& f : *found) {
      const bool taken =
          std::any_of(plan->findings.begin(), plan->findings.end(), [&](const Finding& d) {
            return f.offset < d.offset + d.length && d.offset < f.offset + f.length;
          });
      if (!taken)
        out.push_back(std::move(f));
    }
    out.insert(out.end(), plan->findings.begin(), plan->findings.end());
    sortByOffset(out);
    return out;
  }

  int syntaxErrors(std::string_view text) const override { return plain_->syntaxErrors(text); }

  Expected<void> verifyEdits(const SourceFile& file, std::span<const SourceEdit> edits,
                             std::string_view after) const override {
    return plain_->verifyEdits(file, edits, after);
  }

private:
  std::unique_ptr<Analyzer> plain_;
  std::shared_ptr<const DbtProjects> dbt_;
};

} // namespace

Expected<std::unique_ptr<Analyzer>> makeDbtSqlAnalyzer(const std::vector<const Rule*>& rules,
                                                       const AnalyzerContext& context) {
  auto plain = makeSqlAnalyzer(rules);
  if (!plain || !context.dbt)
    return plain;
  return std::unique_ptr<Analyzer>(
      std::make_unique<DbtSqlAnalyzer>(std::move(*plain), context.dbt));
}

Expected<std::unique_ptr<Analyzer>> makeDbtYamlAnalyzer(const std::vector<const Rule*>& rules,
                                                        const AnalyzerContext& context) {
  auto plain = makeYamlAnalyzer(rules);
  if (!plain || !context.dbt)
    return plain;
  return std::unique_ptr<Analyzer>(
      std::make_unique<DbtYamlAnalyzer>(std::move(*plain), context.dbt));
}

bool dbtWantsFile(const AnalyzerContext& context, std::string_view path) {
  return context.dbt && context.dbt->file(path) != nullptr;
}

bool dbtMayConcern(std::string_view path) {
  for (const std::string_view ext : {".sql", ".yml", ".yaml", ".py"})
    if (path.ends_with(ext))
      return true;
  return false;
}

} // namespace godwit
