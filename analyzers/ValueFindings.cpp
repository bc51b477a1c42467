#include "analyzers/ValueFindings.h"

#include "analyzers/sql/Sql.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>

namespace godwit {

LineIndex::LineIndex(std::string_view text) {
  starts_.push_back(0);
  for (size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n')
      starts_.push_back(static_cast<uint32_t>(i + 1));
}

std::pair<int, int> LineIndex::position(size_t offset) const {
  auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
  const size_t line = static_cast<size_t>(it - starts_.begin());
  return {static_cast<int>(line), static_cast<int>(offset - starts_[line - 1] + 1)};
}

std::string_view LineIndex::line(std::string_view text, int line) const {
  if (line < 1 || static_cast<size_t>(line) > starts_.size())
    return {};
  const size_t b = starts_[line - 1];
  const size_t e = static_cast<size_t>(line) < starts_.size() ? starts_[line] : text.size();
  return text.substr(b, e - b);
}

std::string_view nameBefore(std::string_view text, size_t offset) {
  const auto word = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  };
  size_t i = std::min(offset, text.size());
  const size_t stop = i > 256 ? i - 256 : 0;
  while (i > stop) {
    const char c = text[i - 1];
    if (c == '"') { // skip a whole earlier literal
      size_t j = i - 1;
      while (j > stop && !(text[j - 1] == '"' && (j < 2 || text[j - 2] != '\\')))
        --j;
      if (j == stop)
        return {};
      i = j - 1;
    } else if (std::strchr(" \t\r\n=({,", c) != nullptr) {
      --i;
    } else {
      break;
    }
  }
  size_t b = i;
  while (b > stop && word(text[b - 1]))
    --b;
  return text.substr(b, i - b);
}

FindingCollector::FindingCollector(const SourceFile& file) : file_(file), lines_(file.text) {}

void FindingCollector::add(Finding f, size_t begin, size_t end) {
  f.file = file_.path;
  f.offset = begin;
  f.length = end - begin;
  std::tie(f.line, f.column) = lines_.position(begin);
  std::tie(f.endLine, f.endColumn) = lines_.position(end);
  for (int l : {f.line, f.line - 1}) {
    if (ignoredLine(l))
      f.suppressed = true;
  }
  findings_.push_back(std::move(f));
}

void FindingCollector::holdBack(uint32_t lo, uint32_t hi, std::string reason) {
  held_.push_back(Held{lo, hi, std::move(reason)});
}

void FindingCollector::holdBytes(uint32_t lo, uint32_t hi, std::string reason) {
  held_.push_back(Held{lo, hi, std::move(reason), false});
}

void FindingCollector::demoteHeldBack() {
  if (held_.empty())
    return;
  for (Finding& f : findings_) {
    if (f.action != Action::Rewrite)
      continue;
    for (const ValueEdit& c : f.changes) {
      const DecodedString& v = *c.value;
      if (c.end > v.value.size() || c.begin >= c.end)
        continue;
      const uint32_t lo = v.srcBegin[c.begin], hi = v.srcEnd[c.end - 1];
      const auto held = std::find_if(held_.begin(), held_.end(),
                                     [&](const Held& h) { return lo < h.hi && h.lo < hi; });
      if (held == held_.end())
        continue;
      f.action = Action::Attention;
      f.reason = held->withTable ? "`" + f.found +
                                       "` changes only with its table, which is left alone: " +
                                       held->reason
                                 : held->reason;
      f.replacement.clear();
      f.changes.clear();
      break;
    }
  }
}

bool FindingCollector::ignoredLine(int line) {
  if (line < 1)
    return false;
  if (static_cast<size_t>(line) > ignored_.size())
    ignored_.resize(static_cast<size_t>(line), -1);
  signed char& known = ignored_[static_cast<size_t>(line - 1)];
  if (known < 0)
    known = lines_.line(file_.text, line).find("godwit:ignore") != std::string_view::npos;
  return known == 1;
}

namespace {

std::string display(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == kHole)
      out += "${…}";
    else
      out += c;
  }
  return out;
}

/// Why value bytes [begin, end) of `v` cannot be changed in the source, or empty: the
/// rewriter's own conditions (one literal, no interpolation, a constant used once), checked
/// before anything is made so that changes made together are known to be makeable.
std::string whyNotEditable(const DecodedString& v, size_t begin, size_t end) {
  if (end > v.value.size() || begin > end)
    return "a change does not fit the value";
  auto hole = [&](size_t i) {
    return v.piece[i] == DecodedString::kNoPiece || v.value[i] == kHole;
  };
  size_t at = begin;
  if (begin == end) {
    if (begin > 0 && !hole(begin - 1))
      at = begin - 1;
    else if (begin >= v.value.size() || hole(begin))
      return "a change would be inserted next to an interpolated expression";
  }
  for (size_t i = begin; i < end; ++i) {
    if (hole(i))
      return "a column name includes an interpolated expression";
    if (v.piece[i] != v.piece[begin])
      return "a column name comes from more than one literal";
    const bool sameBytes =
        i > begin && v.srcBegin[i - 1] == v.srcBegin[i] && v.srcEnd[i - 1] == v.srcEnd[i];
    if (i > begin && !sameBytes && v.srcEnd[i - 1] != v.srcBegin[i])
      return "a column name spans source text that is not part of its value";
  }
  if (v.piece[at] >= v.pieces.size())
    return "a change does not fit the value";
  const LiteralPiece& p = v.pieces[v.piece[at]];
  if (p.constantUses < 0)
    return "a column is written in " + p.constant;
  if (!p.file.empty())
    return "a column is written in constant " + p.constant + " of " + p.file;
  if (!p.constant.empty() && p.constantUses != 1)
    return "a column is written in constant " + p.constant + ", which is used " +
           std::to_string(p.constantUses) + " times in this file";
  return {};
}

} // namespace

void holdWithReason(Finding& f, std::string reason) {
  f.action = Action::Attention;
  f.reason = std::move(reason);
  f.changes.clear();
}

void holdForRule(const Rule& rule, Finding& f) {
  if (!rule.attention.empty() && f.action == Action::Rewrite)
    holdWithReason(f, rule.attention);
}

bool holdBackWithoutColumns(Finding& f, const DatasetSpec& spec) {
  if (f.action != Action::Rewrite)
    return false;
  const std::string changed = columnChangesSummary(spec);
  if (changed.empty())
    return false;
  f.action = Action::Attention;
  f.reason = "the columns of " + spec.from + " change (" + changed +
             "), and the code that uses them here cannot change with the table (it is named "
             "outside SQL godwit analyzes, or in a constant several uses share): change the table "
             "and the column names together by hand";
  f.replacement.clear();
  f.changes.clear();
  return true;
}

void addValueFindings(FindingCollector& out, const DecodedString& given, uint32_t eb, uint32_t ee,
                      std::span<const DatasetMatcher> matchers, const ContextFor& context,
                      const ReportedElsewhere& reportedElsewhere, ValueSyntax syntax,
                      const ColumnsFollow& columnsFollow) {
  // Templates are holes: `{{ … }}` in any value (Airflow fields, Jinja in code strings), and
  // `${…}` too in SQL (Hive and Spark variables).
  std::optional<DecodedString> templated;
  const auto mark = [&](TemplateBlocks blocks) {
    const std::string_view v = templated ? templated->value : given.value;
    if (v.find("{{") == v.npos && v.find("{%") == v.npos && v.find("{#") == v.npos &&
        (blocks == TemplateBlocks::Jinja || v.find("${") == v.npos))
      return;
    if (!templated)
      templated = given;
    markPlaceholders(*templated, blocks);
  };
  mark(TemplateBlocks::Jinja);
  const bool sql =
      syntax == ValueSyntax::Sql ||
      (syntax == ValueSyntax::Detect && looksLikeSql((templated ? *templated : given).value));
  if (sql)
    mark(TemplateBlocks::All);
  const DecodedString& decoded = templated ? *templated : given;
  std::shared_ptr<const DecodedString> value;
  const size_t first = out.findings().size();
  const ChangeCheck editable = [&](size_t b, size_t e) { return whyNotEditable(decoded, b, e); };
  for (const ValueReference& m : sql ? sqlReferences(decoded.value, matchers, editable)
                                     : plainReferences(decoded.value, matchers)) {
    const DatasetMatcher& matcher = matchers[m.matcher];
    uint32_t lo = UINT32_MAX, hi = 0;
    bool inside = false;
    // Only interpolated text (SQL reports a hole that may name a column): where the hole is.
    const bool onlyHoles = std::all_of(decoded.piece.begin() + static_cast<std::ptrdiff_t>(m.begin),
                                       decoded.piece.begin() + static_cast<std::ptrdiff_t>(m.end),
                                       [](uint16_t p) { return p == DecodedString::kNoPiece; });
    // Bytes of another file's constant have offsets in that file: they say nothing about where
    // the reference is here. Made only of one such constant, it is reported where it is defined.
    const LiteralPiece* elsewhere = nullptr;
    bool local = false, several = false;
    for (size_t i = m.begin; i < m.end; ++i) {
      if (decoded.piece[i] == DecodedString::kNoPiece && !onlyHoles)
        continue;
      if (decoded.piece[i] != DecodedString::kNoPiece &&
          !decoded.pieces[decoded.piece[i]].file.empty()) {
        const LiteralPiece& p = decoded.pieces[decoded.piece[i]];
        several = several || (elsewhere && (elsewhere->file != p.file ||
                                            elsewhere->constant != p.constant));
        elsewhere = &p;
        continue;
      }
      local = true;
      lo = std::min(lo, decoded.srcBegin[i]);
      hi = std::max(hi, decoded.srcEnd[i]);
      inside = inside || (decoded.srcBegin[i] >= eb && decoded.srcBegin[i] < ee);
    }
    if (elsewhere && !local && !several && !m.ownContext)
      continue;
    // SQL's own findings (columns) exist only in the whole value: never reported elsewhere.
    if (!inside && lo < hi && reportedElsewhere && !m.ownContext && reportedElsewhere(lo, hi))
      continue;
    if (!value)
      value = std::make_shared<const DecodedString>(decoded);
    Finding f;
    f.kind = matcher.spec().kind;
    f.dataset = matcher.spec().from;
    f.found = display(std::string_view(decoded.value).substr(m.begin, m.end - m.begin));
    context(eb, ee, f);
    std::string held = f.action == Action::Attention ? std::move(f.reason) : std::string();
    if (!m.context.empty() && (m.ownContext || f.context.empty()))
      f.context = m.context;
    if (f.access == Access::Unknown)
      f.access = m.access;
    f.action = m.action;
    if (m.action == Action::Rewrite) {
      f.replacement = m.replacement;
      for (const ValueChange& c : m.changes)
        f.changes.push_back(ValueEdit{value, c.begin, c.end, c.text});
    } else {
      f.reason = m.reason;
    }
    if (!held.empty() && f.action == Action::Rewrite)
      holdWithReason(f, std::move(held));
    // A name that is an ordinary word is a reference only where the code takes it as one: the
    // whole value (or a list element) at a sink. SQL knows where topics are; elsewhere the
    // context rules say, and a whole value no sink was seen to take waits for one as attention.
    if (namesAreWords(f.kind)) {
      if (m.sink != Sink::Unknown)
        f.sink = m.sink;
      if (f.sink == Sink::TakesOther ||
          (m.sink == Sink::Unknown &&
           !isWholeName(decoded.value, m.begin, m.end, m.action == Action::Attention)))
        continue;
      if (f.sink == Sink::Unknown && f.action == Action::Rewrite) {
        f.action = Action::Attention;
        f.reason = "`" + f.found + "` names " + std::string(kindName(f.kind)) + " " + f.dataset +
                   " only where it reaches a topic sink, and godwit saw no Kafka client, "
                   "connector or topic setting take this value";
      }
    }
    if (!sql && !(columnsFollow && lo < hi && columnsFollow(lo, hi, m.matcher)) &&
        holdBackWithoutColumns(f, matcher.spec()) && lo < hi)
      out.holdBack(lo, hi, f.reason);
    const bool narrow = inside && lo >= eb && hi <= ee;
    out.add(std::move(f), narrow ? lo : eb, narrow ? hi : ee);
  }
  // Rewrites that share a change are made together or not at all: `godwit:ignore` on one of
  // them (e.g. the table) holds back the others (the columns renamed with it).
  if (!sql)
    return;
  std::vector<Finding>& all = out.findings();
  using Key = std::tuple<size_t, size_t, std::string>;
  std::map<Key, std::vector<size_t>> sharing;
  for (size_t i = first; i < all.size(); ++i)
    for (const ValueEdit& c : all[i].changes)
      sharing[Key{c.begin, c.end, c.text}].push_back(i);
  std::vector<size_t> todo;
  for (size_t i = first; i < all.size(); ++i)
    if (all[i].suppressed && !all[i].changes.empty())
      todo.push_back(i);
  while (!todo.empty()) {
    const size_t i = todo.back();
    todo.pop_back();
    for (const ValueEdit& c : all[i].changes) {
      for (size_t j : sharing[Key{c.begin, c.end, c.text}]) {
        if (!all[j].suppressed) {
          all[j].suppressed = true;
          todo.push_back(j);
        }
      }
    }
  }
}

} // namespace godwit
