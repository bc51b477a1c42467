// SQL analysis of decoded values: table references in their SQL position, column renames and
// removals resolved through aliases and scopes, wildcard tables and topic patterns.

#include "analyzers/sql/Sql.h"
#include "analyzers/sql/SqlLexer.h"
#include "analyzers/sql/SqlParser.h"

#include <algorithm>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <tuple>

namespace godwit {
namespace {

using namespace sql;

std::vector<std::string> splitDots(std::string_view s) {
  std::vector<std::string> out(1);
  for (char c : s) {
    if (c == '.')
      out.emplace_back();
    else
      out.back() += c;
  }
  return out;
}

/// True when `text` is one of the strings `pattern` stands for; a kHole byte matches any text.
bool globMatch(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == kHole) {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == kHole)
    ++p;
  return p == pattern.size();
}

// Words a renamed column must be quoted as, so the edit cannot change the query's grammar.
const std::set<std::string> kReservedLower = {
    "all",     "and",      "any",       "array",     "as",          "asc",       "at",
    "between", "by",       "case",      "cast",      "collate",     "contains",  "create",
    "cross",   "cube",     "current",   "default",   "define",      "desc",      "distinct",
    "else",    "end",      "enum",      "escape",    "except",      "exclude",   "exists",
    "extract", "false",    "fetch",     "following", "for",         "from",      "full",
    "group",   "grouping", "groups",    "hash",      "having",      "if",        "ignore",
    "in",      "inner",    "intersect", "interval",  "into",        "is",        "join",
    "lateral", "left",     "like",      "limit",     "lookup",      "merge",     "natural",
    "new",     "no",       "not",       "null",      "nulls",       "of",        "on",
    "or",      "order",    "outer",     "over",      "partition",   "preceding", "proto",
    "qualify", "range",    "recursive", "respect",   "right",       "rollup",    "rows",
    "select",  "set",      "some",      "struct",    "tablesample", "then",      "to",
    "treat",   "true",     "unbounded", "union",     "unnest",      "using",     "when",
    "where",   "window",   "with",      "within"};

std::string identifier(const std::string& name) {
  return kReservedLower.count(lowered(name)) ? "`" + name + "`" : name;
}

/// What a dataset's migration changes in SQL text.
struct Changes {
  bool tableKind = false;
  std::vector<std::string> from;
  std::map<std::string, std::string> rename;  ///< Lower-case old name → new name as written.
  std::map<std::string, std::string> removed; ///< Lower-case name → name as written.
  std::string oldAlias; ///< Lower case: the table's implicit alias (its last name part).
  std::string newAlias; ///< The new implicit alias as written; empty when it stays.
  std::string summary;  ///< `country_code → country, legacy_segment removed`.

  bool columns() const { return !rename.empty() || !removed.empty(); }
  bool concerns(const std::string& lowerName) const {
    return rename.count(lowerName) || removed.count(lowerName);
  }
  bool concernsPattern(const std::string& lowerPattern) const {
    for (const auto& [name, to] : rename)
      if (globMatch(lowerPattern, name))
        return true;
    for (const auto& [name, written] : removed)
      if (globMatch(lowerPattern, name))
        return true;
    return false;
  }
};

Changes changesOf(const DatasetSpec& spec) {
  Changes c;
  c.tableKind = spec.kind == DatasetKind::BigQueryTable || spec.kind == DatasetKind::HiveTable;
  if (!c.tableKind)
    return c;
  c.from = splitDots(spec.from);
  const std::vector<std::string> to = splitDots(spec.to);
  c.oldAlias = lowered(c.from.back());
  if (lowered(to.back()) != c.oldAlias)
    c.newAlias = to.back();
  for (const auto& [old, now] : spec.columns.rename) {
    c.rename[lowered(old)] = now;
    c.summary += (c.summary.empty() ? "" : ", ") + old + " → " + now;
  }
  for (const std::string& gone : spec.columns.removed) {
    c.removed[lowered(gone)] = gone;
    c.summary += (c.summary.empty() ? "" : ", ") + gone + " removed";
  }
  return c;
}

std::string_view positionContext(Position p) {
  switch (p) {
  case Position::From:
    return "sql.from";
  case Position::Join:
    return "sql.join";
  case Position::MergeSource:
    return "sql.merge-using";
  case Position::Insert:
    return "sql.insert";
  case Position::Merge:
    return "sql.merge";
  case Position::Update:
    return "sql.update";
  case Position::Delete:
    return "sql.delete";
  case Position::Create:
    return "sql.create";
  case Position::Like:
    return "sql.create-like";
  case Position::Ddl:
    return "sql.ddl";
  case Position::None:
    break;
  }
  return "sql.text";
}

Access positionAccess(Position p) {
  switch (p) {
  case Position::From:
  case Position::Join:
  case Position::MergeSource:
  case Position::Like:
    return Access::Read;
  case Position::Insert:
  case Position::Merge:
  case Position::Update:
  case Position::Delete:
  case Position::Create:
    return Access::Write;
  case Position::Ddl:
  case Position::None:
    break;
  }
  return Access::Unknown;
}

std::string tick(std::string_view s) {
  return "`" + std::string(s) + "`";
}

std::string applyChanges(std::string_view value, std::vector<ValueChange> changes, bool& overlap) {
  std::sort(changes.begin(), changes.end(), [](const ValueChange& a, const ValueChange& b) {
    return std::tie(a.begin, a.end) < std::tie(b.begin, b.end);
  });
  std::string out;
  size_t pos = 0;
  overlap = false;
  for (const ValueChange& c : changes) {
    if (c.begin < pos) {
      overlap = true;
      return {};
    }
    out.append(value.substr(pos, c.begin - pos));
    out += c.text;
    pos = c.end;
  }
  out.append(value.substr(pos));
  return out;
}

enum class Status { None, Certain, Maybe, Ambiguous };

struct Resolved {
  Status status = Status::None;
  std::string why;
};

struct Hit {
  size_t matcher = 0;
  bool certain = false; ///< A table reference godwit rewrites; otherwise one that needs attention.
};

class Emitter {
public:
  Emitter(std::string_view value, std::span<const DatasetMatcher> matchers, ChangeCheck check)
      : v_(value), matchers_(matchers), check_(std::move(check)) {
    matches_.resize(matchers.size());
    forEachCandidate(matchers, value, [&](size_t m) { matches_[m] = matchers[m].find(value); });
    changes_.resize(matchers.size());
    for (size_t m = 0; m < matchers.size(); ++m)
      emitted_.emplace_back(matches_[m].size(), false);
  }

  const Changes& changes(size_t m) const {
    if (!changes_[m])
      changes_[m] = changesOf(matchers_[m].spec());
    return *changes_[m];
  }

  bool anyMatch() const {
    return std::any_of(matches_.begin(), matches_.end(),
                       [](const std::vector<Match>& ms) { return !ms.empty(); });
  }

  /// The tokens of the value; set before the first statement.
  void lexed(const Lexed& lexed) { lexed_ = &lexed; }

  void statement(const Statement& st) {
    st_ = &st;
    const size_t first = out_.size();
    collectHits();
    emitTableMatches();
    emitWildcards();
    emitTopicPatterns();
    for (const Ref& r : st.refs)
      emitRef(r);
    for (const Star& sr : st.stars)
      emitStar(sr);
    for (const HoleUse& h : st.holes)
      emitHole(h);
    for (const NaturalJoin& j : st.naturalJoins)
      emitNaturalJoin(j);
    group(first);
    st_ = nullptr;
  }

  std::vector<ValueReference> finish() {
    for (size_t m = 0; m < matches_.size(); ++m)
      for (size_t x = 0; x < matches_[m].size(); ++x)
        if (!emitted_[m][x]) {
          out_.push_back(fromMatch(m, matches_[m][x]));
          out_.back().context = textContext(matches_[m][x]);
          if (namesAreWords(matchers_[m].spec().kind))
            out_.back().sink = Sink::TakesOther;
        }
    std::stable_sort(
        out_.begin(), out_.end(),
        [](const ValueReference& a, const ValueReference& b) { return a.begin < b.begin; });
    return std::move(out_);
  }

  static ValueReference fromMatch(size_t m, const Match& mt) {
    ValueReference r;
    r.matcher = m;
    r.begin = mt.begin;
    r.end = mt.end;
    if (mt.attention.empty()) {
      r.action = Action::Rewrite;
      r.replacement = mt.replacement;
      r.changes.push_back(ValueChange{mt.begin, mt.end, mt.replacement});
    } else {
      r.action = Action::Attention;
      r.reason = mt.attention;
    }
    return r;
  }

private:
  // ------------------------------------------------------------------------------- sources
  const Source& source(int s, int k) const {
    return st_->scopes[static_cast<size_t>(s)].sources[static_cast<size_t>(k)];
  }

  /// The indices of the matches of matcher `m` that start in [begin, end) (matches are in order).
  std::pair<size_t, size_t> matchesIn(size_t m, size_t begin, size_t end) const {
    const std::vector<Match>& ms = matches_[m];
    auto first = std::lower_bound(ms.begin(), ms.end(), begin,
                                  [](const Match& mt, size_t at) { return mt.begin < at; });
    auto last = std::lower_bound(first, ms.end(), end,
                                 [](const Match& mt, size_t at) { return mt.begin < at; });
    return {static_cast<size_t>(first - ms.begin()), static_cast<size_t>(last - ms.begin())};
  }

  void collectHits() {
    hits_.assign(st_->scopes.size(), {});
    wildcardHits_.clear();
    referenced_.assign(matchers_.size(), false);
    for (size_t s = 0; s < st_->scopes.size(); ++s) {
      const Scope& sc = st_->scopes[s];
      hits_[s].resize(sc.sources.size());
      for (size_t k = 0; k < sc.sources.size(); ++k) {
        const Source& src = sc.sources[k];
        // A subquery's or CTE's output is never the table, even when the table is inside it.
        if (src.kind == Source::Kind::Derived)
          continue;
        for (size_t m = 0; m < matchers_.size(); ++m) {
          const auto [first, last] = matchesIn(m, src.begin, src.end);
          for (size_t x = first; x < last; ++x) {
            const Match& mt = matches_[m][x];
            if (mt.end > src.end)
              continue;
            hits_[s][k].push_back(
                Hit{m, src.kind == Source::Kind::Table && !src.wildcard && mt.attention.empty()});
          }
          if (src.kind == Source::Kind::Table && src.wildcard && wildcardAdmits(src, m)) {
            hits_[s][k].push_back(Hit{m, false});
            wildcardHits_.emplace_back(&src, m);
          }
        }
      }
    }
    for (size_t m = 0; m < matchers_.size(); ++m) {
      const auto [first, last] = matchesIn(m, st_->begin, st_->end);
      referenced_[m] = first < last;
    }
    for (const auto& [src, m] : wildcardHits_)
      referenced_[m] = true;
  }

  bool wildcardAdmits(const Source& src, size_t m) const {
    const DatasetSpec& spec = matchers_[m].spec();
    if (spec.kind != DatasetKind::BigQueryTable)
      return false;
    const std::vector<std::string> from = splitDots(spec.from);
    const std::vector<std::string>& path = src.path;
    if (from.size() != 3 || path.empty() || path.size() > 3)
      return false;
    std::string prefix = path.back();
    if (!prefix.empty() && prefix.back() == '*')
      prefix.pop_back();
    if (!globMatch(prefix + kHole, from[2]))
      return false;
    if (path.size() == 3)
      return globMatch(path[0], from[0]) && globMatch(path[1], from[1]);
    if (path.size() == 2)
      return globMatch(path[0], from[1]);
    return false;
  }

  /// Certain when a source of dataset `m` is a plain table reference godwit rewrites; Maybe when
  /// it needs attention (no project, a hole, a wildcard, a table function around it).
  Status sourceStatus(int s, int k, size_t m) const {
    Status best = Status::None;
    for (const Hit& h : hits_[static_cast<size_t>(s)][static_cast<size_t>(k)]) {
      if (h.matcher != m)
        continue;
      if (h.certain)
        return Status::Certain;
      best = Status::Maybe;
    }
    return best;
  }

  bool scopeHas(int s, size_t m) const {
    const Scope& sc = st_->scopes[static_cast<size_t>(s)];
    for (size_t k = 0; k < sc.sources.size(); ++k)
      if (sourceStatus(s, static_cast<int>(k), m) != Status::None)
        return true;
    return false;
  }

  bool chainHas(int s, size_t m) const {
    for (; s >= 0; s = st_->scopes[static_cast<size_t>(s)].parent)
      if (scopeHas(s, m))
        return true;
    return false;
  }

  struct Qualifier {
    int scope = -1;
    int source = -1;
    bool unknown = false;
  };

  Qualifier resolveQualifier(int s, const std::string& name) const {
    for (; s >= 0; s = st_->scopes[static_cast<size_t>(s)].parent) {
      const Scope& sc = st_->scopes[static_cast<size_t>(s)];
      for (size_t k = 0; k < sc.sources.size(); ++k)
        if (!sc.sources[k].alias.empty() && sc.sources[k].alias == name)
          return Qualifier{s, static_cast<int>(k), false};
      for (const Source& src : sc.sources)
        if (src.aliasHole)
          return Qualifier{-1, -1, true};
    }
    return {};
  }

  Resolved unqualified(int s, size_t m) const {
    for (; s >= 0; s = st_->scopes[static_cast<size_t>(s)].parent) {
      const Scope& sc = st_->scopes[static_cast<size_t>(s)];
      if (sc.opaque)
        return {Status::Ambiguous, sc.opaqueWhy};
      if (sc.sources.empty())
        continue;
      const int parent = sc.parent;
      if (sc.sources.size() == 1) {
        const Status here = sourceStatus(s, 0, m);
        if (here != Status::None)
          return {here, {}};
        if (chainHas(parent, m))
          return {Status::Ambiguous, "it may be a column of the subquery's own table or of the "
                                     "enclosing query's; qualify it"};
        return {};
      }
      if (scopeHas(s, m))
        return {Status::Ambiguous, "the query reads several tables and the name is not "
                                   "qualified; qualify it with the table's alias"};
      if (chainHas(parent, m))
        return {Status::Ambiguous, "it may be a column of the subquery's tables or of the "
                                   "enclosing query's; qualify it"};
      return {};
    }
    return {Status::Ambiguous, "godwit could not tell which table it belongs to"};
  }

  // ------------------------------------------------------------------------------- emitting
  void push(ValueReference r) { out_.push_back(std::move(r)); }

  size_t tokenAt(uint32_t offset) const {
    const auto& t = lexed_->tokens;
    auto it = std::upper_bound(t.begin(), t.end(), offset,
                               [](uint32_t o, const Token& tk) { return o < tk.begin; });
    if (it == t.begin())
      return t.size();
    --it;
    return offset < it->end ? static_cast<size_t>(it - t.begin()) : t.size();
  }

  void emitTableMatches() {
    for (size_t m = 0; m < matchers_.size(); ++m) {
      const auto [first, last] = matchesIn(m, st_->begin, st_->end);
      for (size_t x = first; x < last; ++x) {
        const Match& mt = matches_[m][x];
        if (emitted_[m][x] || mt.end > st_->end)
          continue;
        emitted_[m][x] = true;
        ValueReference r = fromMatch(m, mt);
        r.sink = topicSink(m, mt);
        const Source* where = nullptr;
        for (const Scope& sc : st_->scopes)
          for (const Source& src : sc.sources)
            if (!where && src.kind != Source::Kind::Derived && mt.begin >= src.begin &&
                mt.end <= src.end)
              where = &src;
        if (where) {
          r.context = positionContext(where->position);
          r.access = positionAccess(where->position);
        } else {
          const bool option =
              std::any_of(st_->options.begin(), st_->options.end(),
                          [&](const auto& o) { return mt.begin >= o.first && mt.end <= o.second; });
          r.context = option ? "sql.option" : textContext(mt);
        }
        push(std::move(r));
      }
    }
  }

  /// For a topic: Takes when the match is the whole value (or a list element) of an option
  /// that names topics, TakesOther anywhere else (a table, a column, a string compared with).
  Sink topicSink(size_t m, const Match& mt) const {
    if (!namesAreWords(matchers_[m].spec().kind))
      return Sink::Unknown;
    for (const auto& [b, e] : st_->topicOptions) {
      if (mt.begin < b || mt.end > e)
        continue;
      const std::string_view literal = v_.substr(b, e - b);
      const size_t q = literal.find_first_of("'\"");
      if (q == std::string_view::npos || literal.size() < q + 2)
        break;
      const std::string_view content = literal.substr(q + 1, literal.size() - q - 2);
      const size_t at = b + q + 1;
      if (mt.begin >= at && isWholeName(content, mt.begin - at, mt.end - at, !mt.attention.empty()))
        return Sink::Takes;
      break;
    }
    return Sink::TakesOther;
  }

  /// Where a reference outside any table position sits: a comment, a string, other text.
  std::string textContext(const Match& mt) const {
    const size_t t = tokenAt(static_cast<uint32_t>(mt.begin));
    if (t >= lexed_->tokens.size())
      return "sql.comment";
    if (lexed_->tokens[t].kind == TokenKind::String)
      return "sql.string";
    return "sql.text";
  }

  void emitWildcards() {
    for (const auto& [src, m] : wildcardHits_) {
      const DatasetSpec& spec = matchers_[m].spec();
      ValueReference r;
      r.matcher = m;
      r.begin = src->begin;
      r.end = src->end;
      r.action = Action::Attention;
      r.context = "sql.wildcard-table";
      r.ownContext = true;
      r.access = Access::Read;
      std::string name;
      for (const std::string& p : src->path)
        name += (name.empty() ? "" : ".") + p;
      r.reason = "the wildcard table " + tick(name) + " may include " + spec.from +
                 ", which moves to " + spec.to;
      if (src->path.size() == 2)
        r.reason += " (no project: only if the default project is " + splitDots(spec.from)[0] + ")";
      if (st_->tableSuffix)
        r.reason += "; check the _TABLE_SUFFIX filter";
      push(std::move(r));
    }
  }

  void emitTopicPatterns() {
    for (const auto& range : st_->topicPatterns) {
      // Named copies: clang before 16 cannot capture structured bindings in the lambda below.
      const uint32_t b = range.first;
      const uint32_t e = range.second;
      for (size_t m = 0; m < matchers_.size(); ++m) {
        const DatasetSpec& spec = matchers_[m].spec();
        if (spec.kind != DatasetKind::KafkaTopic)
          continue;
        const bool named =
            std::any_of(matches_[m].begin(), matches_[m].end(),
                        [&](const Match& mt) { return mt.begin >= b && mt.end <= e; });
        if (named)
          continue;
        std::string_view literal = v_.substr(b, e - b);
        const size_t q = literal.find_first_of("'\"");
        if (q == std::string_view::npos || literal.size() < q + 2)
          continue;
        const std::string pattern(literal.substr(q + 1, literal.size() - q - 2));
        if (pattern.find(kHole) != std::string::npos)
          continue;
        bool matches = false;
        try {
          matches = std::regex_match(spec.from, std::regex(pattern));
        } catch (const std::regex_error&) {
          continue;
        }
        if (!matches)
          continue;
        ValueReference r;
        r.matcher = m;
        r.begin = b + q + 1;
        r.end = e - 1;
        r.action = Action::Attention;
        r.context = "sql.option";
        r.ownContext = true;
        r.sink = Sink::Takes;
        r.reason = "the topic pattern " + tick(pattern) + " matches " + spec.from +
                   ", which moves to " + spec.to + "; check whether it should match the new topic";
        push(std::move(r));
      }
    }
  }

  std::string tableName(size_t m) const { return matchers_[m].spec().from; }

  ValueReference columnReference(size_t m, const NamePart& p, Access access) const {
    ValueReference r;
    r.matcher = m;
    r.begin = p.begin;
    r.end = p.end;
    r.context = "sql.column";
    r.ownContext = true;
    r.access = access;
    return r;
  }

  void emitRef(const Ref& r) {
    if (r.parts.empty())
      return;
    const int scope = r.scope;
    Qualifier q;
    size_t col = 0;
    bool forced = false;
    if (r.target >= 0 && r.parts.size() == 1 &&
        (r.clause == Clause::Target || r.clause == Clause::Definition)) {
      forced = true;
    } else if (r.parts.size() >= 2 && !r.parts[0].hole && !r.uncertain) {
      q = resolveQualifier(scope, r.parts[0].name);
      if (q.source >= 0 || q.unknown)
        col = 1;
    }
    if (q.source >= 0)
      renameQualifier(r.parts[0], q);
    if (r.parts.size() >= 3 && q.source < 0)
      fullNameQualifier(r);

    for (size_t m = 0; m < matchers_.size(); ++m) {
      const Changes& ch = changes(m);
      if (!ch.columns())
        continue;
      // A hole in the name: report when it could spell a changed column.
      if (r.parts[0].hole || (col < r.parts.size() && r.parts[col].hole)) {
        const bool could = std::any_of(r.parts.begin(), r.parts.end(), [&](const NamePart& p) {
          return p.hole ? ch.concernsPattern(p.name) : ch.concerns(p.name);
        });
        if (could && referenced_[m] && chainHas(scope, m)) {
          const NamePart& p = r.parts[col < r.parts.size() ? col : 0];
          ValueReference out = columnReference(m, p, Access::Unknown);
          out.action = Action::Attention;
          out.reason = "the name is partly interpolated and may be a column of " + tableName(m) +
                       " that changes (" + ch.summary + ")";
          push(std::move(out));
        }
        continue;
      }
      if (col >= r.parts.size())
        continue;
      const NamePart& p = r.parts[col];
      if (!ch.concerns(p.name))
        continue;
      Resolved res;
      if (r.uncertain) {
        res = {Status::Ambiguous, r.why};
      } else if (forced) {
        res.status = sourceStatus(scope, r.target, m);
        if (r.clause == Clause::Definition && res.status != Status::None)
          res = {Status::Ambiguous, "it defines a column of the migrated table; check the new "
                                    "table's schema"};
      } else if (r.star >= 0) {
        res = starStatus(st_->stars[static_cast<size_t>(r.star)], m);
      } else if (q.unknown) {
        res = {Status::Ambiguous, "its qualifier may be an interpolated alias"};
      } else if (q.source >= 0) {
        res.status = sourceStatus(q.scope, q.source, m);
      } else if (r.clause == Clause::Using) {
        if (scopeHas(scope, m))
          res = {Status::Ambiguous, "USING joins on a column of both tables; rename it on one side "
                                    "by hand (e.g. with ON)"};
      } else if ((r.clause == Clause::GroupBy || r.clause == Clause::OrderBy) &&
                 aliasConflict(scope, p.name)) {
        // Only a name that could also be the table's column is in doubt.
        res = unqualified(scope, m);
        if (res.status != Status::None)
          res = {Status::Ambiguous, "it is also the name of an expression in the SELECT list"};
      } else {
        res = unqualified(scope, m);
      }
      emitColumn(r, p, m, res);
    }
  }

  bool aliasConflict(int s, const std::string& name) const {
    for (const SelectItem& item : st_->scopes[static_cast<size_t>(s)].items)
      if (item.alias == name && !item.sameName)
        return true;
    return false;
  }

  Resolved starStatus(const Star& sr, size_t m) const {
    if (!sr.qualifier.empty()) {
      const Qualifier q = resolveQualifier(sr.scope, sr.qualifier[0].name);
      if (q.unknown)
        return {Status::Ambiguous, "its qualifier may be an interpolated alias"};
      if (q.source < 0 || sr.qualifier.size() != 1)
        return {};
      return {sourceStatus(q.scope, q.source, m), {}};
    }
    const Scope& sc = st_->scopes[static_cast<size_t>(sr.scope)];
    if (sc.opaque)
      return {Status::Ambiguous, sc.opaqueWhy};
    if (sc.sources.size() == 1)
      return {sourceStatus(sr.scope, 0, m), {}};
    if (scopeHas(sr.scope, m))
      return {Status::Ambiguous, "`*` reads several tables"};
    return {};
  }

  void emitColumn(const Ref& r, const NamePart& p, size_t m, const Resolved& res) {
    if (res.status == Status::None)
      return;
    if (res.status == Status::Ambiguous && !referenced_[m])
      return;
    const Changes& ch = changes(m);
    const DatasetSpec& spec = matchers_[m].spec();
    const std::string written(v_.substr(p.begin, p.end - p.begin));
    const Access access = r.clause == Clause::Target && r.star < 0 ? Access::Write
                          : r.clause == Clause::Definition         ? Access::Unknown
                                                                   : Access::Read;
    ValueReference out = columnReference(m, p, access);
    const auto removed = ch.removed.find(p.name);
    if (removed != ch.removed.end()) {
      out.action = Action::Attention;
      switch (res.status) {
      case Status::Certain:
        out.reason = "column " + tick(written) + " of " + spec.from + " is removed: " + spec.to +
                     " has no such column";
        break;
      case Status::Maybe:
        out.reason = "column " + tick(written) + " is removed from " + spec.from +
                     ", and the table reference itself needs attention";
        break;
      default:
        out.reason = tick(written) + " may be the removed column of " + spec.from + ": " + res.why;
      }
      push(std::move(out));
      return;
    }
    const std::string& now = ch.rename.at(p.name);
    if (res.status != Status::Certain) {
      out.action = Action::Attention;
      if (res.status == Status::Maybe)
        out.reason = "column " + tick(written) + " of " + spec.from + " is renamed to " +
                     tick(now) + ", but the table reference itself needs attention";
      else
        out.reason = tick(written) + " may be column " + tick(p.name) + " of " + spec.from +
                     ", renamed to " + tick(now) + ": " + res.why;
      push(std::move(out));
      return;
    }
    const Scope& sc = st_->scopes[static_cast<size_t>(r.scope)];
    const std::string newName = p.quoted ? now : identifier(now);
    out.action = Action::Rewrite;
    // The item's output name is the column's only when no struct field follows it.
    const bool namesOutput = &p == &r.parts.back();
    if (r.clause == Clause::Select && r.bareItem && namesOutput && !sc.valueSelect) {
      // Keep the query's output column: `country_code` becomes `country AS country_code`, with
      // `as` in the case of the block's SELECT.
      const std::string alias = (sc.lowerKeywords ? " as " : " AS ") +
                                (p.quoted ? "`" + written + "`" : identifier(written));
      if (r.aliasAt != 0) {
        out.changes.push_back(ValueChange{p.begin, p.end, newName});
        out.changes.push_back(ValueChange{r.aliasAt, r.aliasAt, alias});
        out.replacement = "(" + newName + ")" + alias;
      } else if (p.quoted) {
        out.changes.push_back(ValueChange{p.begin, p.end, newName});
        out.changes.push_back(ValueChange{p.tokenEnd, p.tokenEnd, alias});
        out.replacement = "`" + newName + "`" + alias;
      } else {
        out.changes.push_back(ValueChange{p.begin, p.end, newName + alias});
        out.replacement = newName + alias;
      }
    } else {
      out.changes.push_back(ValueChange{p.begin, p.end, newName});
      out.replacement = newName;
    }
    push(std::move(out));
  }

  /// `user_profile_v1.col` where `user_profile_v1` is the implicit alias of a migrated table
  /// whose name changes: the qualifier follows the table.
  void renameQualifier(const NamePart& qualifier, const Qualifier& q) {
    const Source& src = source(q.scope, q.source);
    if (src.kind != Source::Kind::Table || src.explicitAlias || qualifier.hole)
      return;
    for (size_t m = 0; m < matchers_.size(); ++m) {
      const Changes& ch = changes(m);
      if (!ch.tableKind || ch.newAlias.empty() || src.alias != ch.oldAlias)
        continue;
      if (sourceStatus(q.scope, q.source, m) != Status::Certain)
        continue;
      ValueReference r;
      r.matcher = m;
      r.begin = qualifier.begin;
      r.end = qualifier.end;
      r.context = "sql.table-alias";
      r.ownContext = true;
      r.access = positionAccess(src.position);
      if (src.legacy) {
        r.action = Action::Attention;
        r.reason = "legacy SQL names the table " + tick(qualifier.name) +
                   " by its name; it changes to " + tick(ch.newAlias) + " with the table";
      } else {
        r.action = Action::Rewrite;
        r.replacement = qualifier.quoted ? ch.newAlias : identifier(ch.newAlias);
        r.changes.push_back(ValueChange{qualifier.begin, qualifier.end, r.replacement});
      }
      push(std::move(r));
    }
  }

  /// `warehouse.user_profiles.col`: a column qualified by the table's whole name, which the
  /// matcher takes for a longer name and leaves alone.
  void fullNameQualifier(const Ref& r) {
    for (size_t m = 0; m < matchers_.size(); ++m) {
      const Changes& ch = changes(m);
      if (!ch.tableKind || !chainHas(r.scope, m))
        continue;
      for (size_t n = ch.from.size() - 1; n <= ch.from.size() && n < r.parts.size(); ++n) {
        bool same = true;
        const size_t skip = ch.from.size() - n;
        for (size_t k = 0; k < n && same; ++k)
          same = r.parts[k].name == lowered(ch.from[skip + k]);
        if (!same || n < 2)
          continue;
        ValueReference out;
        out.matcher = m;
        out.begin = r.parts[0].tokenBegin;
        out.end = r.parts[n - 1].tokenEnd;
        out.action = Action::Attention;
        out.context = "sql.table-alias";
        out.ownContext = true;
        out.reason = "the column is qualified by the table's name, which moves to " +
                     matchers_[m].spec().to + "; change the qualifier by hand";
        push(std::move(out));
        break;
      }
    }
  }

  void emitStar(const Star& sr) {
    if (!sr.qualifier.empty()) {
      const Qualifier q = resolveQualifier(sr.scope, sr.qualifier[0].name);
      if (q.source >= 0 && sr.qualifier.size() == 1)
        renameQualifier(sr.qualifier[0], q);
    }
    for (size_t m = 0; m < matchers_.size(); ++m) {
      const Changes& ch = changes(m);
      if (!ch.columns())
        continue;
      const Resolved res = starStatus(sr, m);
      if (res.status == Status::None || (res.status == Status::Ambiguous && !referenced_[m]))
        continue;
      std::string changed;
      auto note = [&](const std::string& lower, const std::string& text) {
        if (std::find(sr.except.begin(), sr.except.end(), lower) == sr.except.end())
          changed += (changed.empty() ? "" : ", ") + text;
      };
      for (const auto& [old, now] : ch.rename)
        note(old, old + " → " + now);
      for (const auto& [lower, written] : ch.removed)
        note(lower, written + " removed");
      if (changed.empty())
        continue;
      ValueReference r;
      r.matcher = m;
      r.begin = sr.begin;
      r.end = sr.end;
      r.action = Action::Attention;
      r.context = "sql.star";
      r.ownContext = true;
      r.access = Access::Read;
      r.reason = "`*` reads " + matchers_[m].spec().from + ", whose columns change (" + changed +
                 "): the query's output columns change with them; list the columns (e.g. `new "
                 "AS old`) or check what reads the output";
      push(std::move(r));
    }
  }

  void emitHole(const HoleUse& h) {
    if (h.value)
      return;
    for (size_t m = 0; m < matchers_.size(); ++m) {
      const Changes& ch = changes(m);
      if (!ch.columns() || !chainHas(h.scope, m))
        continue;
      ValueReference r;
      r.matcher = m;
      r.begin = h.begin;
      r.end = h.end;
      r.action = Action::Attention;
      r.context = "sql.column";
      r.ownContext = true;
      r.reason = "interpolated text in a query that reads " + matchers_[m].spec().from +
                 " may name a column that changes (" + ch.summary + "); check it by hand";
      push(std::move(r));
    }
  }

  void emitNaturalJoin(const NaturalJoin& j) {
    for (size_t m = 0; m < matchers_.size(); ++m) {
      const Changes& ch = changes(m);
      if (!ch.columns() || !scopeHas(j.scope, m))
        continue;
      ValueReference r;
      r.matcher = m;
      r.begin = j.begin;
      r.end = j.end;
      r.action = Action::Attention;
      r.context = "sql.column";
      r.ownContext = true;
      r.reason = "NATURAL JOIN joins on the columns both sides share; the columns of " +
                 matchers_[m].spec().from + " change (" + ch.summary + ")";
      push(std::move(r));
    }
  }

  void demote(size_t i, const std::string& reason) {
    out_[i].action = Action::Attention;
    out_[i].reason = reason;
    out_[i].replacement.clear();
    out_[i].changes.clear();
  }

  /// Ties SQL's own rewrites (columns, qualifiers) to their table: each lists the table's
  /// changes too, so the engine makes it only together with the table. A change the source
  /// cannot take (`check`) turns the dataset's rewrites in the statement into attention, table
  /// included; so do edits that would break the statement's lexical structure.
  void group(size_t first) {
    using Key = std::tuple<size_t, size_t, std::string>;
    for (size_t m = 0; m < matchers_.size(); ++m) {
      std::vector<ValueChange> table;
      std::set<Key> seen;
      std::string blocked;
      bool own = false;
      // `*` over the table: its output columns change with no name in the query to keep them,
      // so the table does not change alone (CTAS, INSERT … SELECT *, code reading the rows).
      for (size_t i = first; i < out_.size() && blocked.empty(); ++i)
        if (out_[i].matcher == m && out_[i].context == "sql.star")
          blocked = "`*` reads it, so the query's output columns would change";
      for (size_t i = first; i < out_.size(); ++i) {
        const ValueReference& r = out_[i];
        if (r.matcher != m || r.action != Action::Rewrite)
          continue;
        own = own || !blocked.empty();
        for (const ValueChange& c : r.changes) {
          if (!r.ownContext && seen.insert(Key{c.begin, c.end, c.text}).second)
            table.push_back(c);
          if (r.ownContext && blocked.empty() && check_)
            blocked = check_(c.begin, c.end);
        }
        own = own || r.ownContext;
      }
      if (!own)
        continue;
      for (size_t i = first; i < out_.size(); ++i) {
        ValueReference& r = out_[i];
        if (r.matcher != m || r.action != Action::Rewrite)
          continue;
        if (!blocked.empty())
          demote(i, "the table and its columns change together, and " + blocked +
                        "; change them by hand");
        else if (r.ownContext)
          r.changes.insert(r.changes.begin(), table.begin(), table.end());
      }
    }
    std::vector<ValueChange> every;
    std::set<Key> seen;
    for (size_t i = first; i < out_.size(); ++i)
      if (out_[i].action == Action::Rewrite)
        for (const ValueChange& c : out_[i].changes)
          if (seen.insert(Key{c.begin, c.end, c.text}).second)
            every.push_back(c);
    if (every.empty())
      return;
    // Changes lie inside the statement: lex only its text, before and after.
    size_t from = st_->begin, to = st_->end;
    for (const ValueChange& c : every) {
      from = std::min(from, c.begin);
      to = std::max(to, c.end);
    }
    for (ValueChange& c : every) {
      c.begin -= from;
      c.end -= from;
    }
    const std::string_view before = v_.substr(from, to - from);
    bool overlap = false;
    const std::string edited = applyChanges(before, every, overlap);
    std::string reason;
    if (overlap)
      reason = "godwit found overlapping edits in this SQL; change it by hand";
    else if (lex(edited).errors.size() > lex(before).errors.size())
      reason = "the edited SQL would not lex; change it by hand";
    if (reason.empty())
      return;
    for (size_t i = first; i < out_.size(); ++i)
      if (out_[i].action == Action::Rewrite)
        demote(i, reason);
  }

  std::string_view v_;
  const Lexed* lexed_ = nullptr;
  std::span<const DatasetMatcher> matchers_;
  std::vector<std::vector<Match>> matches_;
  // Computed on first use: a value meets few of a large migration's tables.
  mutable std::vector<std::optional<Changes>> changes_;
  std::vector<std::vector<bool>> emitted_;
  std::vector<ValueReference> out_;
  const Statement* st_ = nullptr;
  std::vector<std::vector<std::vector<Hit>>> hits_;
  std::vector<std::pair<const Source*, size_t>> wildcardHits_;
  std::vector<bool> referenced_;
  ChangeCheck check_;
};

// Keywords that start a statement; a value that starts with one (in upper or lower case) is SQL.
const std::set<std::string> kStatementStarts = {
    "select",  "with",    "insert",   "update",  "delete", "merge",  "create",
    "alter",   "drop",    "truncate", "declare", "begin",  "export", "call",
    "execute", "explain", "cache",    "refresh", "values"};

} // namespace

std::vector<ValueReference> plainReferences(std::string_view value,
                                            std::span<const DatasetMatcher> matchers) {
  std::vector<ValueReference> out;
  forEachCandidate(matchers, value, [&](size_t m) {
    for (const Match& mt : matchers[m].find(value))
      out.push_back(Emitter::fromMatch(m, mt));
  });
  return out;
}

std::vector<ValueReference> sqlReferences(std::string_view value,
                                          std::span<const DatasetMatcher> matchers,
                                          const ChangeCheck& check) {
  Emitter emitter(value, matchers, check);
  // Without a reference, only a wildcard table or a topic pattern can concern a dataset.
  if (!emitter.anyMatch() && value.find('*') == std::string_view::npos &&
      value.find(']') == std::string_view::npos &&
      lowered(value).find("pattern") == std::string::npos)
    return {};
  const Lexed lexed = lex(value);
  emitter.lexed(lexed);
  for (const Statement& st : parseStatements(value, lexed.tokens))
    emitter.statement(st);
  return emitter.finish();
}

std::string columnChangesSummary(const DatasetSpec& spec) {
  return changesOf(spec).summary;
}

bool looksLikeSql(std::string_view value) {
  size_t i = 0;
  for (;;) {
    while (i < value.size() && (value[i] == ' ' || value[i] == '\t' || value[i] == '\n' ||
                                value[i] == '\r' || value[i] == '('))
      ++i;
    if (value.substr(i, 2) == "--" || value.substr(i, 1) == "#") {
      while (i < value.size() && value[i] != '\n')
        ++i;
      continue;
    }
    if (value.substr(i, 2) == "/*") {
      const size_t close = value.find("*/", i + 2);
      if (close == std::string_view::npos)
        return false;
      i = close + 2;
      continue;
    }
    break;
  }
  size_t j = i;
  while (j < value.size() &&
         ((value[j] >= 'a' && value[j] <= 'z') || (value[j] >= 'A' && value[j] <= 'Z')))
    ++j;
  const std::string_view word = value.substr(i, j - i);
  if (word.empty() ||
      (j < value.size() && !(value[j] == ' ' || value[j] == '\t' || value[j] == '\n' ||
                             value[j] == '\r' || value[j] == '(')))
    return false;
  const bool upperCase =
      std::all_of(word.begin(), word.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
  const bool lowerCase =
      std::all_of(word.begin(), word.end(), [](char c) { return c >= 'a' && c <= 'z'; });
  if (!(upperCase || lowerCase) || !kStatementStarts.count(lowered(word)))
    return false;
  return lex(value).errors.empty();
}

int sqlSyntaxErrors(std::string_view text) {
  return static_cast<int>(lex(text).errors.size());
}

} // namespace godwit
