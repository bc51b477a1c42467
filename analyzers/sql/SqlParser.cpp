#include "analyzers/sql/SqlParser.h"

#include "rules/DatasetMatcher.h"

#include <algorithm>
#include <initializer_list>
#include <unordered_set>

namespace godwit::sql {
namespace {

using Words = std::unordered_set<std::string_view>;

// BigQuery's reserved keywords, plus operators of Spark and legacy SQL: never a column name.
const Words kReserved = {
    "ALL",
    "AND",
    "ANY",
    "ARRAY",
    "AS",
    "ASC",
    "ASSERT_ROWS_MODIFIED",
    "AT",
    "BETWEEN",
    "BY",
    "CASE",
    "CAST",
    "COLLATE",
    "CONTAINS",
    "CREATE",
    "CROSS",
    "CUBE",
    "CURRENT",
    "DEFAULT",
    "DEFINE",
    "DESC",
    "DISTINCT",
    "ELSE",
    "END",
    "ENUM",
    "ESCAPE",
    "EXCEPT",
    "EXCLUDE",
    "EXISTS",
    "EXTRACT",
    "FALSE",
    "FETCH",
    "FOLLOWING",
    "FOR",
    "FROM",
    "FULL",
    "GROUP",
    "GROUPING",
    "GROUPS",
    "HASH",
    "HAVING",
    "IF",
    "IGNORE",
    "IN",
    "INNER",
    "INTERSECT",
    "INTERVAL",
    "INTO",
    "IS",
    "JOIN",
    "LATERAL",
    "LEFT",
    "LIKE",
    "LIMIT",
    "LOOKUP",
    "MERGE",
    "NATURAL",
    "NEW",
    "NO",
    "NOT",
    "NULL",
    "NULLS",
    "OF",
    "ON",
    "OR",
    "ORDER",
    "OUTER",
    "OVER",
    "PARTITION",
    "PRECEDING",
    "PROTO",
    "QUALIFY",
    "RANGE",
    "RECURSIVE",
    "RESPECT",
    "RIGHT",
    "ROLLUP",
    "ROWS",
    "SELECT",
    "SET",
    "SOME",
    "STRUCT",
    "TABLESAMPLE",
    "THEN",
    "TO",
    "TREAT",
    "TRUE",
    "UNBOUNDED",
    "UNION",
    "UNNEST",
    "USING",
    "WHEN",
    "WHERE",
    "WINDOW",
    "WITH",
    "WITHIN",
    "RLIKE",
    "REGEXP",
    "ILIKE",
    "DIV",
    "MINUS",
    "EACH",
    "OMIT",
};

// Words that are keywords in some positions (date parts, type names, window frames): a column
// of that name is never renamed, only reported.
const Words kMaybeKeyword = {
    "MICROSECOND", "MILLISECOND", "SECOND",   "MINUTE",      "HOUR",       "DAY",       "DAYOFWEEK",
    "DAYOFYEAR",   "WEEK",        "ISOWEEK",  "MONTH",       "QUARTER",    "YEAR",      "ISOYEAR",
    "DATE",        "TIME",        "DATETIME", "TIMESTAMP",   "SUNDAY",     "MONDAY",    "TUESDAY",
    "WEDNESDAY",   "THURSDAY",    "FRIDAY",   "SATURDAY",    "ROW",        "FIRST",     "LAST",
    "RECORD",      "VALUE",       "KEY",      "ZONE",        "STRING",     "INT64",     "FLOAT64",
    "BOOL",        "BOOLEAN",     "BYTES",    "NUMERIC",     "BIGNUMERIC", "GEOGRAPHY", "JSON",
    "INT",         "INTEGER",     "BIGINT",   "DOUBLE",      "FLOAT",      "DECIMAL",   "VARCHAR",
    "CHAR",        "OFFSET",      "ORDINAL",  "SYSTEM_TIME", "DESCRIPTOR", "TABLE",     "MODEL",
};

// Words that cannot be an implicit alias after a FROM item or DML target.
const Words kAliasStop = {
    "CLUSTER",  "DISTRIBUTE",    "SORT",    "PIVOT", "UNPIVOT", "MATCH_RECOGNIZE", "OPTIONS",
    "VALUES",   "RETURNING",     "OFFSET",  "SEMI",  "ANTI",    "PARTITIONED",     "STORED",
    "LOCATION", "TBLPROPERTIES", "COMMENT", "ROW",   "USING",   "WATERMARK",       "LIKE",
    "COPY",     "CLONE",         "DEFAULT", "BY",    "NAME",
};

// Literal type prefixes: `DATE '2024-01-01'`.
const Words kLiteralTypes = {"DATE",       "DATETIME", "TIME",       "TIMESTAMP", "NUMERIC",
                             "BIGNUMERIC", "DECIMAL",  "BIGDECIMAL", "JSON",      "RANGE"};

// Stop words that are also function names: `LEFT(s, 2)` is a call, not a join.
const Words kCallable = {"LEFT", "RIGHT", "OFFSET", "REPLACE", "IF", "FORMAT"};

const Words kSelectListStops = {"FROM",       "WHERE",     "GROUP",  "HAVING", "QUALIFY",
                                "WINDOW",     "ORDER",     "LIMIT",  "OFFSET", "FETCH",
                                "UNION",      "INTERSECT", "EXCEPT", "MINUS",  "CLUSTER",
                                "DISTRIBUTE", "SORT",      "OMIT",   "INTO",   "LATERAL"};
const Words kClauseStops = {"GROUP",   "HAVING",     "QUALIFY", "WINDOW",    "ORDER",  "LIMIT",
                            "OFFSET",  "FETCH",      "UNION",   "INTERSECT", "EXCEPT", "MINUS",
                            "CLUSTER", "DISTRIBUTE", "SORT",    "WHEN",      "WHERE",  "OMIT"};
const Words kOnStops = {
    "JOIN",    "INNER",      "LEFT",   "RIGHT", "FULL",    "CROSS", "NATURAL",   "WHERE",  "GROUP",
    "HAVING",  "QUALIFY",    "WINDOW", "ORDER", "LIMIT",   "UNION", "INTERSECT", "EXCEPT", "MINUS",
    "CLUSTER", "DISTRIBUTE", "SORT",   "WHEN",  "LATERAL", "PIVOT", "UNPIVOT",   "OFFSET", "FETCH"};
const Words kSetStops = {"FROM", "WHERE", "WHEN", "OPTIONS"};
const Words kWhenStops = {"WHEN"};
const Words kNoStops = {};
const Words kCreateStops = {"OPTIONS",   "AS",          "CLUSTER",  "WITH",
                            "PARTITION", "PARTITIONED", "LOCATION", "TBLPROPERTIES",
                            "STORED",    "COMMENT",     "USING"};

constexpr int kMaxDepth = 200;

class Parser {
public:
  Parser(std::string_view s, const std::vector<Token>& t) : s_(s), t_(t), n_(t.size()) {
    up_.resize(n_);
    match_.assign(n_, n_);
    enclosing_.assign(n_, n_);
    std::vector<size_t> open;
    for (size_t i = 0; i < n_; ++i) {
      if (t_[i].kind == TokenKind::Word)
        up_[i] = upper(text(i));
      enclosing_[i] = open.empty() ? n_ : open.back();
      if (isPunct(i, "(") || isPunct(i, "[")) {
        open.push_back(i);
      } else if ((isPunct(i, ")") || isPunct(i, "]")) && !open.empty() &&
                 s_[t_[open.back()].begin] == (s_[t_[i].begin] == ')' ? '(' : '[')) {
        match_[open.back()] = i;
        open.pop_back();
      }
    }
  }

  std::vector<Statement> run() {
    std::vector<Statement> out;
    size_t i = 0;
    while (i < n_) {
      size_t e = i;
      while (e < n_ && !isPunct(e, ";"))
        e = isOpen(e) ? std::min(match_[e], n_ - 1) + 1 : e + 1;
      e = std::min(e, n_);
      if (e > i) {
        Statement st;
        st.begin = t_[i].begin;
        st.end = t_[e - 1].end;
        st_ = &st;
        depth_ = 0;
        statement(i, e);
        for (size_t k = i; k < e; ++k)
          if (up_[k] == "_TABLE_SUFFIX")
            st.tableSuffix = true;
        st_ = nullptr;
        out.push_back(std::move(st));
      }
      i = e + 1;
    }
    return out;
  }

private:
  // ------------------------------------------------------------------------------- tokens
  static std::string upper(std::string_view w) {
    std::string out(w);
    for (char& c : out)
      if (c >= 'a' && c <= 'z')
        c = static_cast<char>(c - 'a' + 'A');
    return out;
  }
  std::string_view text(size_t i) const { return s_.substr(t_[i].begin, t_[i].end - t_[i].begin); }
  bool isPunct(size_t i, std::string_view p) const {
    return i < n_ && t_[i].kind == TokenKind::Punct && text(i) == p;
  }
  bool isOpen(size_t i) const { return isPunct(i, "(") || isPunct(i, "["); }
  bool kw(size_t i, std::string_view k) const { return i < n_ && up_[i] == k; }
  bool kwAny(size_t i, std::initializer_list<std::string_view> ks) const {
    return i < n_ && std::find(ks.begin(), ks.end(), std::string_view(up_[i])) != ks.end();
  }
  bool reserved(size_t i) const { return i < n_ && kReserved.count(up_[i]) > 0; }
  /// A token that can be a name: a non-reserved word or a quoted name.
  bool isName(size_t i) const {
    return i < n_ &&
           ((t_[i].kind == TokenKind::Word && !reserved(i)) || t_[i].kind == TokenKind::Quoted);
  }
  /// A token that can continue a dotted name after `.`: any word, a quoted name, a hole.
  bool isPathPart(size_t i) const {
    return i < n_ && (t_[i].kind == TokenKind::Word || t_[i].kind == TokenKind::Quoted ||
                      t_[i].kind == TokenKind::Hole);
  }
  bool glued(size_t i) const { return i < n_ && !t_[i].spaceBefore; }
  /// The index of the bracket closing the one at `i`, at most `end`.
  size_t closeOf(size_t i, size_t end) const { return std::min(match_[i], end); }
  size_t after(size_t i, size_t end) const { return isOpen(i) ? closeOf(i, end) + 1 : i + 1; }
  uint32_t endOf(size_t lastIndex, size_t fallback) const {
    return lastIndex < n_ ? t_[lastIndex].end : t_[fallback].end;
  }

  /// True when `(` at `i` opens a query: `(SELECT`, `(WITH`, `((SELECT`.
  bool startsQuery(size_t i) const {
    while (isPunct(i, "("))
      ++i;
    return kw(i, "SELECT") || kw(i, "WITH");
  }

  /// The first token in [i, end) at bracket depth 0 (and outside CASE … END) that is a word of
  /// `stops`, or `;`, or `,` when `commaStops`; `end` if none.
  size_t findStop(size_t i, size_t end, const Words& stops, bool commaStops = false) const {
    int caseDepth = 0;
    while (i < end) {
      if (isOpen(i)) {
        i = closeOf(i, end) + 1;
        continue;
      }
      if (isPunct(i, ";") || (commaStops && isPunct(i, ",")))
        return i;
      if (t_[i].kind == TokenKind::Word && !(i > 0 && isPunct(i - 1, "."))) {
        const std::string& u = up_[i];
        if (u == "CASE") {
          ++caseDepth;
        } else if (u == "END" && caseDepth > 0) {
          --caseDepth;
        } else if (caseDepth == 0 && stops.count(u)) {
          const bool call = kCallable.count(u) && isPunct(i + 1, "(");
          const bool starModifier =
              (u == "EXCEPT" || u == "REPLACE") && i > 0 && isPunct(i - 1, "*");
          if (!call && !starModifier)
            return i;
        }
      }
      ++i;
    }
    return end;
  }

  NamePart part(size_t i) const {
    NamePart p;
    const Token& tk = t_[i];
    p.tokenBegin = tk.begin;
    p.tokenEnd = tk.end;
    p.quoted = tk.kind == TokenKind::Quoted;
    p.begin = p.quoted ? tk.begin + 1 : tk.begin;
    p.end = p.quoted && tk.end > tk.begin + 1 && s_[tk.end - 1] == '`' ? tk.end - 1 : tk.end;
    p.name = lowered(tokenName(s_, tk));
    p.hole = tk.kind == TokenKind::Hole || p.name.find(kHole) != std::string::npos;
    return p;
  }

  // ------------------------------------------------------------------------------- model
  int newScope(int parent) {
    st_->scopes.push_back(Scope{});
    st_->scopes.back().parent = parent;
    return static_cast<int>(st_->scopes.size()) - 1;
  }
  Scope& scope(int s) { return st_->scopes[static_cast<size_t>(s)]; }

  int addSource(int s, Source src) {
    if (!src.explicitAlias && src.alias.empty() && src.kind == Source::Kind::Table &&
        !src.path.empty())
      src.alias = lowered(withoutDecorator(src.path.back()));
    scope(s).sources.push_back(std::move(src));
    return static_cast<int>(scope(s).sources.size()) - 1;
  }

  static std::string withoutDecorator(std::string_view name) {
    const size_t at = name.find_first_of("$@");
    return std::string(at == std::string_view::npos ? name : name.substr(0, at));
  }

  void addRef(Ref r) {
    if (!r.parts.empty())
      st_->refs.push_back(std::move(r));
  }

  // ------------------------------------------------------------------------------- statements
  void statement(size_t i, size_t end) {
    while (i < end && kwAny(i, {"BEGIN", "EXPLAIN"})) {
      ++i;
      if (kw(i, "TRANSACTION"))
        ++i;
    }
    if (i >= end)
      return;
    if (kw(i, "WITH") || kw(i, "SELECT") || (isPunct(i, "(") && startsQuery(i))) {
      const size_t j = query(i, end, -1);
      if (j < end)
        generic(j, end, -1, "godwit does not analyze what follows the query");
      return;
    }
    if (kw(i, "INSERT"))
      return insert(i, end);
    if (kw(i, "UPDATE"))
      return update(i, end);
    if (kw(i, "DELETE"))
      return remove(i, end);
    if (kw(i, "MERGE"))
      return merge(i, end);
    if (kw(i, "CREATE"))
      return create(i, end);
    generic(i, end, -1, "godwit does not analyze this kind of statement");
  }

  /// Names in a statement godwit does not model: every one is uncertain; nested queries and
  /// `TABLE name` are still recognized.
  void generic(size_t i, size_t end, int parent, const std::string& why) {
    const int s = newScope(parent);
    while (i < end) {
      if ((kw(i, "SELECT") || kw(i, "WITH")) && !(i > 0 && isPunct(i - 1, "."))) {
        const size_t j = query(i, end, -1);
        i = std::max(j, i + 1);
        continue;
      }
      if (kwAny(i, {"INSERT", "UPDATE", "DELETE", "MERGE", "CREATE"}) && i > 0 &&
          kwAny(i - 1, {"THEN", "ELSE", "DO", "LOOP", "BEGIN"})) {
        statement(i, end);
        return;
      }
      if (kw(i, "TABLE") && i + 1 < end && t_[i + 1].kind != TokenKind::Punct) {
        size_t j = i + 1;
        if (kw(j, "IF") && kw(j + 1, "EXISTS"))
          j += 2;
        else if (kw(j, "IF") && kw(j + 1, "NOT") && kw(j + 2, "EXISTS"))
          j += 3;
        Source src;
        src.position = Position::Ddl;
        src.begin = j < n_ ? t_[j].begin : 0;
        const size_t k = tablePath(j, end, src);
        if (k > j) {
          src.end = t_[k - 1].end;
          addSource(s, std::move(src));
          i = k;
          continue;
        }
      }
      if (isPunct(i, "(") && startsQuery(i)) {
        const size_t c = closeOf(i, end);
        subquery(i + 1, c, -1);
        i = c + 1;
        continue;
      }
      if (t_[i].kind == TokenKind::Hole) {
        st_->holes.push_back(HoleUse{s, t_[i].begin, t_[i].end, holeIsValue(i)});
        ++i;
        continue;
      }
      if (isName(i) && !(i > 0 && isPunct(i - 1, "."))) {
        Ref r;
        r.scope = s;
        r.uncertain = true;
        r.why = why;
        size_t j = i;
        r.parts.push_back(part(j++));
        while (isPunct(j, ".") && isPathPart(j + 1) && j + 1 < end) {
          r.parts.push_back(part(j + 1));
          j += 2;
        }
        addRef(std::move(r));
        i = j;
        continue;
      }
      ++i;
    }
  }

  void subquery(size_t b, size_t e, int parent) {
    const size_t j = query(b, e, parent);
    if (j < e)
      generic(j, e, parent, "godwit could not parse this part of the query");
  }

  // ------------------------------------------------------------------------------- queries
  /// Every name in [i, end) as an uncertain reference, without looking into the structure
  /// (and so without recursion).
  void flat(size_t i, size_t end, int parent, const std::string& why) {
    const int s = newScope(parent);
    scope(s).opaque = true;
    scope(s).opaqueWhy = why;
    for (; i < end; ++i) {
      if (isPunct(i, "*")) {
        Star sr;
        sr.scope = s;
        sr.begin = t_[i].begin;
        sr.end = t_[i].end;
        st_->stars.push_back(std::move(sr));
      } else if (t_[i].kind == TokenKind::Hole) {
        st_->holes.push_back(HoleUse{s, t_[i].begin, t_[i].end, false});
      } else if (isName(i)) {
        Ref r;
        r.scope = s;
        r.uncertain = true;
        r.why = why;
        r.parts.push_back(part(i));
        addRef(std::move(r));
      }
    }
  }

  /// Counts nesting while parsing one construct; past kMaxDepth the caller falls back to flat().
  struct Nesting {
    explicit Nesting(int& depth) : count(depth) { ++count; }
    ~Nesting() { --count; }
    bool tooDeep() const { return count > kMaxDepth; }
    int& count;
  };

  size_t query(size_t i, size_t end, int parent) {
    const Nesting nesting(depth_);
    if (nesting.tooDeep()) {
      flat(i, end, parent, "the query is nested too deeply");
      return end;
    }
    bool pushed = false;
    if (kw(i, "WITH")) {
      ++i;
      if (kw(i, "RECURSIVE"))
        ++i;
      ctes_.emplace_back();
      pushed = true;
      while (i < end && isName(i)) {
        ctes_.back().push_back(lowered(tokenName(s_, t_[i])));
        ++i;
        if (isPunct(i, "("))
          i = after(i, end);
        if (!kw(i, "AS"))
          break;
        ++i;
        if (kw(i, "NOT"))
          ++i;
        if (kw(i, "MATERIALIZED"))
          ++i;
        if (!isPunct(i, "("))
          break;
        const size_t c = closeOf(i, end);
        subquery(i + 1, c, -1);
        i = c + 1;
        if (!isPunct(i, ","))
          break;
        ++i;
      }
    }
    i = setExpression(i, end, parent);
    if (pushed)
      ctes_.pop_back();
    return i;
  }

  size_t setExpression(size_t i, size_t end, int parent) {
    int count = 0;
    int last = -1;
    for (;;) {
      int s = -1;
      const size_t j = primary(i, end, parent, s);
      if (j == i)
        break;
      ++count;
      last = s;
      i = j;
      if (kwAny(i, {"UNION", "INTERSECT", "EXCEPT", "MINUS"})) {
        ++i;
        while (kwAny(i, {"ALL", "DISTINCT"}))
          ++i;
        if (kw(i, "CORRESPONDING")) {
          ++i;
          if (kw(i, "BY"))
            i = after(i + 1, end);
        }
        continue;
      }
      break;
    }
    // ORDER BY after a set operation names the result's columns, which keep their names.
    if (count > 1 && last >= 0) {
      Scope& sc = scope(last);
      if (sc.orderRefsBegin < sc.orderRefsEnd) {
        st_->refs.erase(st_->refs.begin() + static_cast<std::ptrdiff_t>(sc.orderRefsBegin),
                        st_->refs.begin() + static_cast<std::ptrdiff_t>(sc.orderRefsEnd));
        sc.orderRefsBegin = sc.orderRefsEnd = 0;
      }
    }
    if (count > 0 && kwAny(i, {"ORDER", "LIMIT", "OFFSET", "FETCH"}))
      i = findStop(i + 1, end, kNoStops);
    return i;
  }

  size_t primary(size_t i, size_t end, int parent, int& scopeOut) {
    if (i >= end)
      return i;
    if (isPunct(i, "(") && startsQuery(i)) {
      const size_t c = closeOf(i, end);
      subquery(i + 1, c, parent);
      return c + 1;
    }
    if (kw(i, "SELECT"))
      return select(i, end, parent, scopeOut);
    if (kw(i, "VALUES")) {
      const int s = newScope(parent);
      const size_t e = findStop(i + 1, end, {"UNION", "INTERSECT", "EXCEPT", "ORDER", "LIMIT"});
      expr(i + 1, e, s, Clause::Where);
      return e;
    }
    if (kw(i, "TABLE") && isPathPart(i + 1)) {
      scopeOut = newScope(parent);
      return fromItem(i + 1, end, scopeOut, Position::From);
    }
    if (kw(i, "FROM")) {
      generic(i, end, parent, "godwit does not analyze FROM-first queries (pipe syntax)");
      return end;
    }
    return i;
  }

  size_t select(size_t i, size_t end, int parent, int& scopeOut) {
    const int s = newScope(parent);
    scopeOut = s;
    const std::string_view keyword = text(i);
    scope(s).lowerKeywords =
        std::none_of(keyword.begin(), keyword.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
    ++i;
    if (kw(i, "AS") && kwAny(i + 1, {"STRUCT", "VALUE"})) {
      scope(s).valueSelect = kw(i + 1, "VALUE");
      i += 2;
    }
    while (kwAny(i, {"ALL", "DISTINCT"}))
      ++i;
    const size_t listEnd = findStop(i, end, kSelectListStops);
    selectList(i, listEnd, s);
    i = listEnd;
    while (i < end) {
      if (kw(i, "FROM")) {
        i = from(i + 1, end, s, Position::From);
      } else if (kw(i, "WHERE")) {
        const size_t e = findStop(i + 1, end, kClauseStops);
        expr(i + 1, e, s, Clause::Where);
        i = e;
      } else if (kw(i, "OMIT")) { // legacy `OMIT RECORD IF cond`
        size_t j = i + 1;
        while (j < end && kwAny(j, {"RECORD", "IF"}))
          ++j;
        const size_t e = findStop(j, end, kClauseStops);
        expr(j, e, s, Clause::Where);
        i = e;
      } else if (kw(i, "GROUP")) {
        size_t j = i + 1;
        if (kw(j, "EACH"))
          ++j;
        if (kw(j, "BY"))
          ++j;
        if (kw(j, "ALL"))
          ++j;
        const size_t e = findStop(j, end, kClauseStops);
        expr(j, e, s, Clause::GroupBy);
        i = e;
      } else if (kwAny(i, {"HAVING", "QUALIFY"})) {
        const size_t e = findStop(i + 1, end, kClauseStops);
        expr(i + 1, e, s, Clause::OrderBy);
        i = e;
      } else if (kw(i, "WINDOW")) {
        const size_t e = findStop(i + 1, end, kClauseStops);
        windows(i + 1, e, s);
        i = e;
      } else if (kwAny(i, {"ORDER", "CLUSTER", "DISTRIBUTE", "SORT"}) && kw(i + 1, "BY")) {
        const size_t e = findStop(i + 2, end, kClauseStops);
        const size_t before = st_->refs.size();
        expr(i + 2, e, s, Clause::OrderBy);
        if (kw(i, "ORDER")) {
          scope(s).orderRefsBegin = before;
          scope(s).orderRefsEnd = st_->refs.size();
        }
        i = e;
      } else if (kwAny(i, {"LIMIT", "OFFSET", "FETCH"})) {
        const size_t e = findStop(i + 1, end, kClauseStops);
        expr(i + 1, e, s, Clause::Where);
        i = e;
      } else {
        break;
      }
    }
    return i;
  }

  void selectList(size_t i, size_t end, int s) {
    while (i < end) {
      size_t e = i;
      while (e < end && !isPunct(e, ","))
        e = after(e, end);
      e = std::min(e, end);
      if (e > i)
        selectItem(i, e, s);
      i = e + 1;
    }
  }

  void selectItem(size_t b, size_t e, int s) {
    if (star(b, e, s))
      return;
    SelectItem item;
    size_t exprEnd = e;
    bool aliased = false;
    if (e - b >= 2 && kw(e - 2, "AS") && isName(e - 1)) {
      item.alias = lowered(tokenName(s_, t_[e - 1]));
      exprEnd = e - 2;
      aliased = true;
    } else if (e - b >= 2 && isName(e - 1) && !kAliasStop.count(up_[e - 1]) && endsOperand(e - 2) &&
               !isPunct(e - 2, ".")) {
      item.alias = lowered(tokenName(s_, t_[e - 1]));
      exprEnd = e - 1;
      aliased = true;
    }
    // `DISTINCT(col)` reads as `DISTINCT col` and is named after the column.
    const bool parenthesized = !aliased && exprEnd - b >= 3 && isPunct(b, "(") &&
                               closeOf(b, exprEnd) == exprEnd - 1 && singlePath(b + 1, exprEnd - 1);
    const size_t pathBegin = parenthesized ? b + 1 : b;
    const size_t pathEnd = parenthesized ? exprEnd - 1 : exprEnd;
    const bool single = singlePath(pathBegin, pathEnd);
    if (single && (item.alias.empty() || item.alias == lowered(tokenName(s_, t_[pathEnd - 1]))))
      item.sameName = true;
    if (!aliased && single)
      item.alias = lowered(tokenName(s_, t_[pathEnd - 1]));
    scope(s).items.push_back(item);
    // Interpolated text in an item may be its alias, an operator, anything.
    bool hole = false;
    for (size_t k = b; k < exprEnd; k = after(k, exprEnd))
      hole = hole || t_[k].kind == TokenKind::Hole;
    const size_t refs = st_->refs.size();
    expr(pathBegin, pathEnd, s, Clause::Select, single && !aliased, hole,
         "the SELECT item holds interpolated text");
    if (parenthesized)
      for (size_t k = refs; k < st_->refs.size(); ++k)
        if (st_->refs[k].bareItem)
          st_->refs[k].aliasAt = t_[exprEnd - 1].end;
  }

  /// `*`, `q.*`, with EXCEPT (…) and REPLACE (…); false when the item is not a star.
  bool star(size_t b, size_t e, int s) {
    Star sr;
    sr.scope = s;
    size_t j = b;
    while (isPathPart(j) && isPunct(j + 1, ".") && j + 2 < e) {
      sr.qualifier.push_back(part(j));
      j += 2;
    }
    if (!isPunct(j, "*"))
      return false;
    sr.begin = t_[b].begin;
    sr.end = t_[j].end;
    ++j;
    const int index = static_cast<int>(st_->stars.size());
    while (j < e) {
      if (kw(j, "EXCEPT") && isPunct(j + 1, "(")) {
        const size_t c = closeOf(j + 1, e);
        for (size_t k = j + 2; k < c; ++k) {
          if (!isName(k) && t_[k].kind != TokenKind::Hole)
            continue;
          Ref r;
          r.scope = s;
          r.clause = Clause::Target;
          r.star = index;
          r.parts.push_back(part(k));
          sr.except.push_back(r.parts.back().name);
          addRef(std::move(r));
        }
        j = c + 1;
      } else if (kw(j, "REPLACE") && isPunct(j + 1, "(")) {
        const size_t c = closeOf(j + 1, e);
        expr(j + 2, c, s, Clause::Select, false, true,
             "REPLACE in `SELECT *` names a column of the star");
        j = c + 1;
      } else {
        expr(j, e, s, Clause::Select);
        break;
      }
    }
    st_->stars.push_back(std::move(sr));
    return true;
  }

  bool endsOperand(size_t i) const {
    if (i >= n_)
      return false;
    switch (t_[i].kind) {
    case TokenKind::Word:
      return !reserved(i) || kwAny(i, {"END", "NULL", "TRUE", "FALSE"});
    case TokenKind::Punct:
      return isPunct(i, ")") || isPunct(i, "]");
    default:
      return true;
    }
  }

  /// [b, e) is exactly one dotted name: `a`, `t.a`, `` `t`.a ``.
  bool singlePath(size_t b, size_t e) const {
    if (b >= e || !isName(b) || kMaybeKeyword.count(up_[b]))
      return false;
    size_t j = b + 1;
    while (j + 1 < e && isPunct(j, ".") && isPathPart(j + 1) && t_[j + 1].kind != TokenKind::Hole)
      j += 2;
    return j == e;
  }

  void windows(size_t i, size_t end, int s) {
    while (i < end) {
      if (isPunct(i, "(")) {
        const size_t c = closeOf(i, end);
        expr(i + 1, c, s, Clause::OrderBy);
        i = c + 1;
      } else {
        ++i;
      }
    }
  }

  // ------------------------------------------------------------------------------- FROM
  size_t from(size_t i, size_t end, int s, Position first) {
    i = fromItem(i, end, s, first);
    while (i < end) {
      if (isPunct(i, ",")) {
        i = fromItem(i + 1, end, s, Position::Join);
        continue;
      }
      size_t j = i;
      const bool natural = kw(j, "NATURAL");
      if (natural)
        ++j;
      while (kwAny(j, {"INNER", "CROSS", "FULL", "LEFT", "RIGHT", "OUTER", "SEMI", "ANTI", "EACH",
                       "ANY", "ASOF"}) &&
             !isPunct(j + 1, "("))
        ++j;
      if (kw(j, "JOIN")) {
        const uint32_t joinBegin = t_[i].begin;
        ++j;
        if (kw(j, "EACH"))
          ++j;
        if (natural)
          st_->naturalJoins.push_back(NaturalJoin{s, joinBegin, t_[j - 1].end});
        i = fromItem(j, end, s, Position::Join);
        if (kw(i, "ON")) {
          const size_t e = findStop(i + 1, end, kOnStops, true);
          expr(i + 1, e, s, Clause::Where);
          i = e;
        } else if (kw(i, "USING") && isPunct(i + 1, "(")) {
          const size_t c = closeOf(i + 1, end);
          names(i + 2, c, s, Clause::Using, -1);
          i = c + 1;
        }
        continue;
      }
      if (j != i)
        break;
      if (kw(i, "LATERAL") && kw(i + 1, "VIEW")) {
        i = lateralView(i + 2, end, s);
        continue;
      }
      if (kwAny(i, {"PIVOT", "UNPIVOT", "MATCH_RECOGNIZE"})) {
        scope(s).opaque = true;
        scope(s).opaqueWhy = "the query's " + up_[i] + " changes the columns of its input";
        size_t k = i + 1;
        while (k < end && !isPunct(k, "(") && k < i + 4)
          ++k;
        if (isPunct(k, "(")) {
          const size_t c = closeOf(k, end);
          expr(k + 1, c, s, Clause::Where);
          k = c + 1;
        }
        Source ignored;
        i = alias(k, end, s, ignored);
        continue;
      }
      if (kw(i, "TABLESAMPLE")) {
        ++i;
        while (i < end && !isPunct(i, "(") && t_[i].kind == TokenKind::Word)
          ++i;
        if (isPunct(i, "("))
          i = closeOf(i, end) + 1;
        continue;
      }
      break;
    }
    return i;
  }

  size_t lateralView(size_t i, size_t end, int s) {
    if (kw(i, "OUTER"))
      ++i;
    Source src;
    src.kind = Source::Kind::Derived;
    src.begin = i < n_ ? t_[i].begin : 0;
    while (i < end && !isPunct(i, "(") && isPathPart(i))
      i = isPunct(i + 1, ".") ? i + 2 : i + 1;
    if (isPunct(i, "(")) {
      const size_t c = closeOf(i, end);
      expr(i + 1, c, s, Clause::Where);
      i = c + 1;
    }
    i = alias(i, end, s, src);
    if (kw(i, "AS")) {
      ++i;
      while (i < end && isName(i)) {
        ++i;
        if (!isPunct(i, ","))
          break;
        if (!isName(i + 1))
          break;
        ++i;
      }
    }
    src.end = i > 0 ? t_[i - 1].end : 0;
    addSource(s, std::move(src));
    return i;
  }

  /// Collects a table path at `i` into `src.path` (and `src.wildcard`); the index after it.
  size_t tablePath(size_t i, size_t end, Source& src) {
    std::string cur;
    size_t j = i;
    bool any = false;
    while (j < end) {
      const Token& tk = t_[j];
      if (tk.kind == TokenKind::Quoted) {
        const std::string content = tokenName(s_, tk);
        for (char c : content) {
          if (c == '.' || c == ':') {
            src.path.push_back(cur);
            cur.clear();
          } else {
            cur += c;
          }
        }
      } else if (tk.kind == TokenKind::Word || tk.kind == TokenKind::Number ||
                 tk.kind == TokenKind::Hole) {
        cur += text(j);
      } else {
        break;
      }
      any = true;
      ++j;
      const bool nextName =
          j + 1 < end && t_[j + 1].kind != TokenKind::Punct && t_[j + 1].kind != TokenKind::String;
      if (isPunct(j, ".") && nextName) {
        src.path.push_back(cur);
        cur.clear();
        ++j;
        continue;
      }
      if ((isPunct(j, ":") || isPunct(j, "-")) && glued(j) && nextName && glued(j + 1)) {
        if (isPunct(j, ":")) {
          src.path.push_back(cur);
          cur.clear();
        } else {
          cur += '-';
        }
        ++j;
        continue;
      }
      if (isPunct(j, "*") && glued(j)) {
        cur += '*';
        ++j;
      }
      break;
    }
    if (!any)
      return i;
    src.path.push_back(cur);
    const std::string& last = src.path.back();
    src.wildcard = !last.empty() && last.back() == '*';
    return j;
  }

  /// A legacy `[p:d.t]` between brackets [b, e).
  std::vector<std::string> legacyPath(size_t b, size_t e) const {
    std::vector<std::string> parts(1);
    for (size_t k = b; k < e; ++k) {
      const std::string_view w =
          t_[k].kind == TokenKind::Quoted
              ? std::string_view(s_).substr(t_[k].begin + 1, t_[k].end - t_[k].begin - 2)
              : text(k);
      for (char c : w) {
        if (c == '.' || c == ':')
          parts.emplace_back();
        else
          parts.back() += c;
      }
    }
    return parts;
  }

  bool isCte(const std::string& name) const {
    for (const auto& frame : ctes_)
      if (std::find(frame.begin(), frame.end(), name) != frame.end())
        return true;
    return false;
  }

  /// An optional alias at `i` (`AS a`, `a`); the index after it.
  size_t alias(size_t i, size_t end, int s, Source& src) {
    if (i >= end)
      return i;
    if (kw(i, "AS")) {
      if (isName(i + 1) && i + 1 < end) {
        src.alias = lowered(tokenName(s_, t_[i + 1]));
        src.explicitAlias = true;
        return i + 2;
      }
      if (i + 1 < end && t_[i + 1].kind == TokenKind::Hole) {
        src.aliasHole = true;
        return i + 2;
      }
      return i + 1;
    }
    if (t_[i].kind == TokenKind::Hole) {
      // Interpolated text after a FROM item: an alias, a join, a filter — unknown.
      src.aliasHole = true;
      scope(s).opaque = true;
      scope(s).opaqueWhy = "interpolated text follows a table in FROM";
      return i + 1;
    }
    if (isName(i) && !kAliasStop.count(up_[i]) && !isPunct(i + 1, "(")) {
      src.alias = lowered(tokenName(s_, t_[i]));
      src.explicitAlias = true;
      return i + 1;
    }
    return i;
  }

  size_t fromItem(size_t i, size_t end, int s, Position pos) {
    if (i >= end)
      return i;
    bool lateral = false;
    if (kw(i, "LATERAL")) {
      lateral = true;
      ++i;
      if (i >= end)
        return i;
    }
    Source src;
    src.position = pos;
    src.begin = t_[i].begin;
    if (isPunct(i, "(")) {
      const size_t c = closeOf(i, end);
      if (!startsQuery(i)) {
        const Nesting nesting(depth_);
        if (nesting.tooDeep()) {
          flat(i + 1, c, s, "the FROM clause is nested too deeply");
          scope(s).opaque = true;
          scope(s).opaqueWhy = "the FROM clause is nested too deeply";
          return c + 1;
        }
        const size_t j = from(i + 1, c, s, pos);
        if (j < c)
          generic(j, c, s, "godwit could not parse this part of FROM");
        Source ignored;
        return alias(c + 1, end, s, ignored);
      }
      subquery(i + 1, c, lateral ? s : scope(s).parent);
      src.kind = Source::Kind::Derived;
      src.end = endOf(c, i);
      const size_t j = alias(c + 1, end, s, src);
      addSource(s, std::move(src));
      return j;
    }
    if (kw(i, "UNNEST") && isPunct(i + 1, "(")) {
      const size_t c = closeOf(i + 1, end);
      expr(i + 2, c, s, Clause::Where);
      src.kind = Source::Kind::Derived;
      if (singlePath(i + 2, c))
        src.alias = lowered(tokenName(s_, t_[c - 1]));
      src.end = endOf(c, i);
      size_t j = alias(c + 1, end, s, src);
      addSource(s, std::move(src));
      if (kw(j, "WITH") && kw(j + 1, "OFFSET")) {
        Source offset;
        offset.kind = Source::Kind::Derived;
        offset.begin = t_[j].begin;
        offset.end = t_[j + 1].end;
        j = alias(j + 2, end, s, offset);
        if (offset.alias.empty())
          offset.alias = "offset";
        addSource(s, std::move(offset));
      }
      return j;
    }
    if (isPunct(i, "[")) {
      const size_t c = closeOf(i, end);
      src.kind = Source::Kind::Table;
      src.legacy = true;
      src.path = legacyPath(i + 1, c);
      src.end = endOf(c, i);
      const size_t j = alias(c + 1, end, s, src);
      addSource(s, std::move(src));
      return j;
    }
    if (t_[i].kind == TokenKind::Word || t_[i].kind == TokenKind::Quoted ||
        t_[i].kind == TokenKind::Number || t_[i].kind == TokenKind::Hole) {
      size_t j = tablePath(i, end, src);
      if (j == i)
        return i + 1;
      if (isPunct(j, "(")) {
        const size_t c = closeOf(j, end);
        const std::string fn = up_[j - 1];
        src.end = endOf(c, j);
        if (fn == "TABLE_DATE_RANGE" || fn == "TABLE_DATE_RANGE_STRICT" || fn == "TABLE_QUERY") {
          src.kind = Source::Kind::Table;
          src.legacy = true;
          src.wildcard = true;
          src.path.clear();
          size_t a = j + 1;
          if (isPunct(a, "[")) {
            src.path = legacyPath(a + 1, closeOf(a, c));
          } else {
            Source inner;
            tablePath(a, c, inner);
            src.path = inner.path;
          }
          if (fn == "TABLE_QUERY")
            src.path.emplace_back(); // every table of the dataset may match
          src.path.back() += '*';
        } else {
          src.kind = Source::Kind::Opaque;
          src.path.clear();
          expr(j + 1, c, s, Clause::Where, false, true, "it is an argument of a table function");
        }
        const size_t k = alias(c + 1, end, s, src);
        addSource(s, std::move(src));
        return k;
      }
      src.end = t_[j - 1].end;
      if (src.path.size() == 1 && !src.wildcard && isCte(lowered(src.path[0]))) {
        src.kind = Source::Kind::Derived;
        src.alias = lowered(src.path[0]);
      } else if (j == i + 1 && t_[i].kind == TokenKind::Hole) {
        src.kind = Source::Kind::Opaque;
        src.path.clear();
      }
      if (kw(j, "FOR") && kw(j + 1, "SYSTEM_TIME") && kw(j + 2, "AS") && kw(j + 3, "OF")) {
        size_t e = j + 4;
        while (e < end) {
          if (isOpen(e)) {
            e = closeOf(e, end) + 1;
            continue;
          }
          if ((kw(e, "AS") || isPunct(e, ",") || kOnStops.count(up_[e]) || kw(e, "ON") ||
               kw(e, "USING")))
            break;
          ++e;
        }
        expr(j + 4, e, s, Clause::Where);
        j = e;
      }
      const size_t k = alias(j, end, s, src);
      addSource(s, std::move(src));
      return k;
    }
    // Something else: unknown until the next comma, join or clause.
    size_t e = findStop(i, end, kOnStops, true);
    if (e == i)
      e = i + 1;
    src.kind = Source::Kind::Opaque;
    src.end = t_[e - 1].end;
    addSource(s, std::move(src));
    return e;
  }

  // ------------------------------------------------------------------------------- expressions
  /// True when interpolated text at `i` can only be a value: after a comparison or arithmetic
  /// operator, LIKE, LIMIT, INTERVAL, or as an element of an `IN (…)` list.
  bool holeIsValue(size_t i) const {
    if (i == 0)
      return false;
    const size_t p = i - 1;
    if (t_[p].kind == TokenKind::Punct) {
      const std::string_view op = text(p);
      static const Words ops = {
          "=", "<", ">", "<=", ">=", "<>", "!=", "==", "+", "-", "/", "%", "||"};
      if (ops.count(op))
        return true;
      if (op == "(" || op == ",") {
        const size_t open = op == "(" ? p : enclosing_[i];
        return open < n_ && open > 0 && kw(open - 1, "IN");
      }
      return false;
    }
    return kwAny(p, {"LIKE", "LIMIT", "OFFSET", "INTERVAL", "BETWEEN", "THEN", "ELSE"});
  }

  /// Skips `.name` field accesses at `i`.
  size_t fields(size_t i, size_t end) const {
    while (i + 1 < end && isPunct(i, ".") && isPathPart(i + 1))
      i += 2;
    return i;
  }

  /// Skips a type's `<…>` at `i`.
  size_t angle(size_t i, size_t end) const {
    int depth = 0;
    while (i < end) {
      if (isPunct(i, "<"))
        ++depth;
      else if (isPunct(i, ">"))
        --depth;
      else if (isPunct(i, "(") || isPunct(i, "["))
        i = closeOf(i, end);
      ++i;
      if (depth <= 0)
        break;
    }
    return i;
  }

  void expr(size_t i, size_t end, int s, Clause clause, bool bare = false, bool uncertain = false,
            const std::string& why = {}) {
    const Nesting nesting(depth_);
    if (nesting.tooDeep())
      return flat(i, end, s, "the expression is nested too deeply");
    const size_t start = i;
    bool lambda = false;
    while (i < end) {
      const Token& tk = t_[i];
      if (tk.kind == TokenKind::Punct) {
        if (isPunct(i, "(")) {
          const size_t c = closeOf(i, end);
          if (startsQuery(i))
            subquery(i + 1, c, s);
          else
            expr(i + 1, c, s, clause, false, uncertain || lambda,
                 lambda ? "it is inside a lambda" : why);
          i = fields(c + 1, end);
        } else if (isPunct(i, "[")) {
          const size_t c = closeOf(i, end);
          expr(i + 1, c, s, clause, false, uncertain || lambda, why);
          i = fields(c + 1, end);
        } else if (isPunct(i, ".")) {
          i = fields(i, end);
          if (isPunct(i, "."))
            ++i;
        } else if (isPunct(i, "<") && i > 0 && kwAny(i - 1, {"ARRAY", "STRUCT", "RANGE", "MAP"})) {
          i = angle(i, end);
        } else {
          if (isPunct(i, "->"))
            lambda = true;
          ++i;
        }
        continue;
      }
      if (tk.kind == TokenKind::Hole) {
        st_->holes.push_back(HoleUse{s, tk.begin, tk.end, holeIsValue(i)});
        if (isPunct(i + 1, ".") && isPathPart(i + 2)) {
          Ref r;
          r.scope = s;
          r.clause = clause;
          r.uncertain = true;
          r.why = "the name is qualified by interpolated text";
          size_t j = i;
          r.parts.push_back(part(j++));
          while (j + 1 < end && isPunct(j, ".") && isPathPart(j + 1)) {
            r.parts.push_back(part(j + 1));
            j += 2;
          }
          addRef(std::move(r));
          i = j;
          continue;
        }
        ++i;
        continue;
      }
      if (tk.kind == TokenKind::String && i + 1 < end && isPunct(i + 1, ".")) {
        i = fields(i + 1, end);
        continue;
      }
      if (tk.kind != TokenKind::Word && tk.kind != TokenKind::Quoted) {
        ++i;
        continue;
      }
      if (tk.kind == TokenKind::Word) {
        const std::string& u = up_[i];
        if (u == "AS") { // an alias or a type follows
          i += 2;
          if (kwAny(i - 1, {"ARRAY", "STRUCT", "RANGE", "MAP"}) && isPunct(i, "<"))
            i = angle(i, end);
          continue;
        }
        if (u == "OVER" && isName(i + 1)) { // a named window
          i += 2;
          continue;
        }
        if (u == "INTERVAL") {
          i = interval(i + 1, end, s, clause);
          continue;
        }
        if (kLiteralTypes.count(u) && i + 1 < end && t_[i + 1].kind == TokenKind::String) {
          i += 2;
          continue;
        }
        if (isPunct(i + 1, "=>")) { // a named argument
          i += 2;
          continue;
        }
        if (isPunct(i + 1, "->")) { // a lambda parameter
          lambda = true;
          i += 2;
          continue;
        }
        if (reserved(i)) {
          ++i;
          continue;
        }
      }
      Ref r;
      r.scope = s;
      r.clause = clause;
      size_t j = i;
      r.parts.push_back(part(j++));
      while (j + 1 < end && isPunct(j, ".") && isPathPart(j + 1)) {
        r.parts.push_back(part(j + 1));
        j += 2;
      }
      if (isPunct(j, "(") && j < end) { // a function: `f(`, `SAFE.f(`, `dataset.udf(`
        i = j;
        continue;
      }
      if (j + 1 < end && isPunct(j, ".") && isPunct(j + 1, "*")) { // `COUNT(t.*)`
        i = j + 2;
        continue;
      }
      r.bareItem = bare && i == start && j == end;
      if (uncertain || lambda) {
        r.uncertain = true;
        r.why = lambda ? "it is inside a lambda" : why;
      } else if (r.parts.size() == 1 && !r.parts[0].quoted && kMaybeKeyword.count(upperAt(i))) {
        r.uncertain = true;
        r.why = "`" + std::string(text(i)) + "` may be a keyword here";
      }
      addRef(std::move(r));
      i = j;
    }
  }

  std::string upperAt(size_t i) const { return i < n_ ? up_[i] : std::string(); }

  size_t interval(size_t i, size_t end, int s, Clause clause) {
    if (i >= end)
      return i;
    if (isOpen(i)) {
      const size_t c = closeOf(i, end);
      expr(i + 1, c, s, clause);
      i = c + 1;
    } else if (isName(i)) {
      expr(i, i + 1, s, clause);
      ++i;
    } else {
      ++i;
    }
    if (i < end && t_[i].kind == TokenKind::Word && kMaybeKeyword.count(up_[i]))
      ++i;
    if (kw(i, "TO") && i + 1 < end)
      i += 2;
    return i;
  }

  /// Names separated by commas in [b, e): USING lists, INSERT column lists.
  void names(size_t b, size_t e, int s, Clause clause, int target) {
    for (size_t k = b; k < e; k = after(k, e)) {
      if (!isName(k) && t_[k].kind != TokenKind::Hole)
        continue;
      Ref r;
      r.scope = s;
      r.clause = clause;
      r.target = target;
      r.parts.push_back(part(k));
      if (r.parts.back().hole) {
        r.uncertain = true;
        r.why = "the column list holds interpolated text";
      }
      addRef(std::move(r));
    }
  }

  /// `a = expr, t.b = expr` of SET.
  void assignments(size_t i, size_t end, int s, int target) {
    while (i < end) {
      size_t e = i;
      while (e < end && !isPunct(e, ","))
        e = after(e, end);
      e = std::min(e, end);
      size_t eq = i;
      while (eq < e && !isPunct(eq, "="))
        eq = after(eq, e);
      if (eq < e) {
        Ref r;
        r.scope = s;
        r.clause = Clause::Target;
        r.target = target;
        for (size_t k = i; k < eq; ++k)
          if (isPathPart(k))
            r.parts.push_back(part(k));
        if (eq != i + 2 * r.parts.size() - 1 || r.parts.empty()) {
          r.uncertain = true;
          r.why = "godwit could not parse the assignment";
        }
        addRef(std::move(r));
        expr(eq + 1, e, s, Clause::Where);
      } else {
        expr(i, e, s, Clause::Where);
      }
      i = e + 1;
    }
  }

  // ------------------------------------------------------------------------------- DML, DDL
  /// A DML target: table path and alias. Returns the index after it; the source is added.
  size_t target(size_t i, size_t end, int s, Position pos) {
    Source src;
    src.position = pos;
    src.begin = i < n_ ? t_[i].begin : 0;
    const size_t j = tablePath(i, end, src);
    if (j == i) {
      generic(i, end, s, "godwit could not find the statement's table");
      return end;
    }
    src.end = t_[j - 1].end;
    if (j == i + 1 && t_[i].kind == TokenKind::Hole) {
      src.kind = Source::Kind::Opaque;
      src.path.clear();
    }
    const size_t k = alias(j, end, s, src);
    addSource(s, std::move(src));
    return k;
  }

  void insert(size_t i, size_t end) {
    const int s = newScope(-1);
    ++i;
    if (kwAny(i, {"INTO", "OVERWRITE"}))
      ++i;
    if (kw(i, "TABLE"))
      ++i;
    if (kwAny(i, {"DIRECTORY", "LOCAL"})) {
      generic(i, end, -1, "godwit does not analyze this kind of statement");
      return;
    }
    Source src;
    src.position = Position::Insert;
    src.begin = i < n_ ? t_[i].begin : 0;
    size_t j = tablePath(i, end, src);
    if (j == i) {
      generic(i, end, -1, "godwit could not find the statement's table");
      return;
    }
    src.end = t_[j - 1].end;
    addSource(s, std::move(src));
    i = j;
    if (kw(i, "PARTITION") && isPunct(i + 1, "(")) {
      const size_t c = closeOf(i + 1, end);
      assignments(i + 2, c, s, 0);
      i = c + 1;
    }
    if (kw(i, "IF") && kw(i + 1, "NOT") && kw(i + 2, "EXISTS"))
      i += 3;
    if (isPunct(i, "(") && !startsQuery(i)) {
      const size_t c = closeOf(i, end);
      names(i + 1, c, s, Clause::Target, 0);
      i = c + 1;
    }
    if (kw(i, "BY") && kw(i + 1, "NAME"))
      i += 2;
    if (kw(i, "VALUES")) {
      expr(i + 1, end, newScope(-1), Clause::Where);
      return;
    }
    if (kw(i, "SELECT") || kw(i, "WITH") || (isPunct(i, "(") && startsQuery(i))) {
      const size_t k = query(i, end, -1);
      if (k < end)
        generic(k, end, -1, "godwit does not analyze what follows the query");
      return;
    }
    if (i < end)
      generic(i, end, s, "godwit could not parse the INSERT statement");
  }

  void update(size_t i, size_t end) {
    const int s = newScope(-1);
    i = target(i + 1, end, s, Position::Update);
    if (kw(i, "SET")) {
      const size_t e = findStop(i + 1, end, kSetStops);
      assignments(i + 1, e, s, 0);
      i = e;
    }
    if (kw(i, "FROM"))
      i = from(i + 1, end, s, Position::From);
    if (kw(i, "WHERE")) {
      const size_t e = findStop(i + 1, end, kNoStops);
      expr(i + 1, e, s, Clause::Where);
      i = e;
    }
    if (i < end)
      generic(i, end, s, "godwit could not parse the UPDATE statement");
  }

  void remove(size_t i, size_t end) {
    const int s = newScope(-1);
    ++i;
    if (kw(i, "FROM"))
      ++i;
    i = target(i, end, s, Position::Delete);
    if (kw(i, "WHERE")) {
      const size_t e = findStop(i + 1, end, kNoStops);
      expr(i + 1, e, s, Clause::Where);
      i = e;
    }
    if (i < end)
      generic(i, end, s, "godwit could not parse the DELETE statement");
  }

  void merge(size_t i, size_t end) {
    const int s = newScope(-1);
    ++i;
    if (kw(i, "INTO"))
      ++i;
    i = target(i, end, s, Position::Merge);
    if (kw(i, "USING"))
      i = fromItem(i + 1, end, s, Position::MergeSource);
    if (kw(i, "ON")) {
      const size_t e = findStop(i + 1, end, kWhenStops);
      expr(i + 1, e, s, Clause::Where);
      i = e;
    }
    while (kw(i, "WHEN")) {
      const size_t e = findStop(i + 1, end, kWhenStops);
      size_t then = i + 1;
      while (then < e && !kw(then, "THEN"))
        then = after(then, e);
      size_t andAt = i + 1;
      while (andAt < then && !kw(andAt, "AND"))
        ++andAt;
      if (andAt < then)
        expr(andAt + 1, then, s, Clause::Where);
      size_t k = then + 1;
      if (kw(k, "UPDATE") && kw(k + 1, "SET")) {
        assignments(k + 2, e, s, 0);
      } else if (kw(k, "INSERT")) {
        ++k;
        if (isPunct(k, "(")) {
          const size_t c = closeOf(k, e);
          names(k + 1, c, s, Clause::Target, 0);
          k = c + 1;
        }
        if (kw(k, "VALUES"))
          expr(k + 1, e, s, Clause::Where);
      }
      i = e;
    }
    if (i < end)
      generic(i, end, s, "godwit could not parse the MERGE statement");
  }

  void create(size_t i, size_t end) {
    ++i;
    if (kw(i, "OR") && kw(i + 1, "REPLACE"))
      i += 2;
    while (kwAny(i, {"TEMP", "TEMPORARY", "EXTERNAL", "MATERIALIZED", "SNAPSHOT", "GLOBAL", "LOCAL",
                     "UNLOGGED", "TRANSIENT"}))
      ++i;
    if (!kwAny(i, {"TABLE", "VIEW"})) {
      generic(i, end, -1, "godwit does not analyze this kind of statement");
      return;
    }
    ++i;
    if (kw(i, "IF") && kw(i + 1, "NOT") && kw(i + 2, "EXISTS"))
      i += 3;
    const int s = newScope(-1);
    Source src;
    src.position = Position::Create;
    src.begin = i < n_ ? t_[i].begin : 0;
    const size_t j = tablePath(i, end, src);
    if (j == i) {
      generic(i, end, -1, "godwit could not find the statement's table");
      return;
    }
    src.end = t_[j - 1].end;
    addSource(s, std::move(src));
    i = j;
    while (i < end) {
      if (isPunct(i, "(") && !startsQuery(i)) {
        const size_t c = closeOf(i, end);
        definitions(i + 1, c, s);
        i = c + 1;
      } else if (kwAny(i, {"LIKE", "COPY", "CLONE"})) {
        Source like;
        like.position = Position::Like;
        like.begin = i + 1 < n_ ? t_[i + 1].begin : 0;
        const size_t k = tablePath(i + 1, end, like);
        if (k > i + 1) {
          like.end = t_[k - 1].end;
          addSource(s, std::move(like));
        }
        i = std::max(k, i + 1);
      } else if (kw(i, "AS") && (kwAny(i + 1, {"SELECT", "WITH"}) || startsQuery(i + 1))) {
        const size_t k = query(i + 1, end, -1);
        if (k < end)
          generic(k, end, -1, "godwit does not analyze what follows the query");
        return;
      } else if (kw(i, "WITH") && isPunct(i + 1, "(")) {
        const size_t c = closeOf(i + 1, end);
        options(i + 2, c);
        i = c + 1;
      } else if (kwAny(i, {"PARTITION", "CLUSTER", "PARTITIONED", "CLUSTERED"}) &&
                 kw(i + 1, "BY")) {
        const size_t e = findStop(i + 2, end, kCreateStops);
        for (size_t k = i + 2; k < e; k = after(k, e)) {
          if (isOpen(k)) {
            names(k + 1, closeOf(k, e), s, Clause::Definition, 0);
          } else if (isName(k) && !isPunct(k + 1, "(")) {
            names(k, k + 1, s, Clause::Definition, 0);
          }
        }
        i = e;
      } else if (kwAny(i, {"OPTIONS", "TBLPROPERTIES"}) && isPunct(i + 1, "(")) {
        i = closeOf(i + 1, end) + 1;
      } else {
        ++i;
      }
    }
  }

  /// Column definitions of CREATE TABLE: the first name of every item.
  void definitions(size_t b, size_t e, int s) {
    size_t i = b;
    while (i < e) {
      size_t itemEnd = i;
      while (itemEnd < e && !isPunct(itemEnd, ","))
        itemEnd = after(itemEnd, e);
      itemEnd = std::min(itemEnd, e);
      if (kwAny(i, {"WATERMARK", "PRIMARY", "CONSTRAINT", "FOREIGN", "UNIQUE", "PERIOD"})) {
        for (size_t k = i + 1; k < itemEnd; k = after(k, itemEnd))
          if (isName(k) && !kMaybeKeyword.count(up_[k]))
            names(k, k + 1, s, Clause::Definition, 0);
      } else if (isName(i) || t_[i].kind == TokenKind::Hole) {
        names(i, i + 1, s, Clause::Definition, 0);
      }
      i = itemEnd + 1;
    }
  }

  /// `'key' = 'value', …` of a DDL WITH clause (Flink connectors).
  void options(size_t b, size_t e) {
    for (size_t k = b; k < e; ++k) {
      if (t_[k].kind != TokenKind::String || !isPunct(k + 1, "=") || k + 2 >= e ||
          t_[k + 2].kind != TokenKind::String)
        continue;
      const std::string key = lowered(stringContent(k));
      const auto value = std::make_pair(t_[k + 2].begin, t_[k + 2].end);
      st_->options.push_back(value);
      if (key == "topic-pattern" || key == "subscribepattern")
        st_->topicPatterns.push_back(value);
      else if (key.find("topic") != std::string::npos || key == "subscribe")
        st_->topicOptions.push_back(value);
      k += 2;
    }
  }

  std::string stringContent(size_t i) const {
    std::string_view w = text(i);
    while (!w.empty() && w.front() != '\'' && w.front() != '"')
      w.remove_prefix(1);
    if (w.size() >= 6 && (w.substr(0, 3) == "'''" || w.substr(0, 3) == "\"\"\""))
      return std::string(w.substr(3, w.size() - 6));
    if (w.size() >= 2)
      return std::string(w.substr(1, w.size() - 2));
    return std::string(w);
  }

  std::string_view s_;
  const std::vector<Token>& t_;
  size_t n_;
  std::vector<std::string> up_;   ///< Upper-case text of Word tokens; empty for others.
  std::vector<size_t> match_;     ///< The closing bracket of an opening one; n_ when none.
  std::vector<size_t> enclosing_; ///< The innermost open bracket around a token; n_ if none.
  std::vector<std::vector<std::string>> ctes_; ///< CTE names in scope, innermost WITH last.
  Statement* st_ = nullptr;
  int depth_ = 0;
};

} // namespace

std::vector<Statement> parseStatements(std::string_view text, const std::vector<Token>& tokens) {
  return Parser(text, tokens).run();
}

} // namespace godwit::sql
