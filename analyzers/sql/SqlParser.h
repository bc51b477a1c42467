#pragma once
// A light query-block parser over SqlLexer tokens: statements, query blocks (scopes) with their
// FROM sources and aliases, and every name that may be a column reference, with the clause it
// sits in. It never fails: what it does not understand becomes `uncertain` names or `opaque`
// scopes, which the caller turns into attention instead of edits.

#include "analyzers/sql/SqlLexer.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace godwit::sql {

/// Where a name sits in its query block.
enum class Clause {
  Select,     ///< An expression of the SELECT list.
  Where,      ///< WHERE, ON, HAVING, QUALIFY, VALUES and other expressions of the block.
  GroupBy,    ///< GROUP BY (may also name SELECT aliases).
  OrderBy,    ///< ORDER BY, QUALIFY, HAVING and window clauses (may name SELECT aliases).
  Using,      ///< `JOIN … USING (name)`: a column of both sides.
  Target,     ///< Names a column of `Ref::target` (INSERT column lists, SET, EXCEPT).
  Definition, ///< DDL that defines or alters columns of `Ref::target`.
};

/// How a table source is used, for the finding's context and access.
enum class Position {
  None,
  From,
  Join,
  MergeSource,
  Insert,
  Merge,
  Update,
  Delete,
  Create,
  Like,
  Ddl
};

/// One part of a dotted name.
struct NamePart {
  uint32_t tokenBegin = 0; ///< The token's bytes (backticks included).
  uint32_t tokenEnd = 0;
  uint32_t begin = 0; ///< The name's bytes (inside backticks).
  uint32_t end = 0;
  std::string name; ///< Lower case, as the name reads; holes kept as kHole.
  bool quoted = false;
  bool hole = false;
};

/// A FROM item (or DML target) of a query block.
struct Source {
  enum class Kind {
    Table,   ///< A table path; `path` holds its parts.
    Derived, ///< A CTE, a subquery, UNNEST: columns godwit does not know, never a migrated table.
    Opaque,  ///< A table function, a hole: unknown, may wrap a migrated table written inside it.
  };
  Kind kind = Kind::Table;
  Position position = Position::From;
  uint32_t begin = 0; ///< Value bytes of the item (the path, brackets or call).
  uint32_t end = 0;
  std::vector<std::string> path; ///< Table: parts as written (no backticks), decorators removed.
  std::string alias;             ///< Lower case: the explicit alias, else the implicit one.
  bool explicitAlias = false;
  bool aliasHole = false; ///< The alias is interpolated text.
  bool legacy = false;    ///< Legacy SQL `[p:d.t]` or a legacy table function.
  bool wildcard = false;  ///< `p.d.prefix*`, TABLE_DATE_RANGE or TABLE_QUERY.
};

/// One SELECT-list item's output name.
struct SelectItem {
  std::string alias;     ///< Lower case; empty when the item has none.
  bool sameName = false; ///< The item is a bare column of the alias's name (`a AS a`, `t.a`).
};

/// A query block (or DML statement): sources, SELECT aliases, and its enclosing block.
struct Scope {
  int parent = -1; ///< The enclosing block a correlated name may refer to, or -1.
  std::vector<Source> sources;
  std::vector<SelectItem> items;
  bool opaque = false; ///< Sources godwit cannot enumerate (PIVOT, LATERAL VIEW, …).
  std::string opaqueWhy;
  bool valueSelect = false;   ///< `SELECT AS VALUE`: items have no output names.
  bool lowerKeywords = false; ///< Its `SELECT` is written in lower case (godwit's `as` follows).
  size_t orderRefsBegin = 0;  ///< The refs of its ORDER BY, [begin, end) in Statement::refs.
  size_t orderRefsEnd = 0;
};

/// A name that may refer to a column.
struct Ref {
  int scope = 0;
  std::vector<NamePart> parts;
  Clause clause = Clause::Where;
  bool bareItem = false; ///< The whole SELECT item, without an alias.
  /// A bare item in parentheses (`DISTINCT(col)`): where its output name is kept (after the
  /// `)`); 0 when the name itself is the item.
  uint32_t aliasAt = 0;
  int target = -1;        ///< Clause::Target/Definition: the source (in `scope`) it names.
  int star = -1;          ///< An EXCEPT name of this star.
  bool uncertain = false; ///< godwit cannot tell whether it is a column; `why` says why.
  std::string why;
};

/// `*` or `q.*` in a SELECT list.
struct Star {
  int scope = 0;
  std::vector<NamePart> qualifier; ///< Empty for a bare `*`.
  uint32_t begin = 0;
  uint32_t end = 0;
  std::vector<std::string> except; ///< Lower case names of `EXCEPT (…)`.
};

/// Interpolated text in an expression.
struct HoleUse {
  int scope = 0;
  uint32_t begin = 0;
  uint32_t end = 0;
  bool value = false; ///< It sits where only a value fits (after `=`, LIMIT, …).
};

/// A NATURAL JOIN, which joins on every column the two sides share.
struct NaturalJoin {
  int scope = 0;
  uint32_t begin = 0;
  uint32_t end = 0;
};

/// One statement (up to a top-level `;`).
struct Statement {
  uint32_t begin = 0; ///< Value bytes of its first token to its last.
  uint32_t end = 0;
  std::vector<Scope> scopes;
  std::vector<Ref> refs;
  std::vector<Star> stars;
  std::vector<HoleUse> holes;
  std::vector<NaturalJoin> naturalJoins;
  std::vector<std::pair<uint32_t, uint32_t>> topicPatterns; ///< String tokens of `'topic-pattern'`.
  std::vector<std::pair<uint32_t, uint32_t>> options; ///< String tokens of DDL `WITH (…)` values.
  /// String tokens of DDL option values that name topics (`'topic' = 'a;b'`, `'subscribe'`).
  std::vector<std::pair<uint32_t, uint32_t>> topicOptions;
  bool tableSuffix = false;                           ///< Mentions `_TABLE_SUFFIX`.
};

/// Parses every statement of `text`, lexed as `tokens`.
std::vector<Statement> parseStatements(std::string_view text, const std::vector<Token>& tokens);

} // namespace godwit::sql
