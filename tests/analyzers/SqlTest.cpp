#include "analyzers/sql/Sql.h"
#include "analyzers/sql/SqlAnalyzer.h"
#include "analyzers/sql/SqlLexer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace godwit {
namespace {

constexpr char H = kHole;

DatasetSpec usersTable() {
  DatasetSpec d;
  d.kind = DatasetKind::BigQueryTable;
  d.from = "acme-prod.core_users.user_profile_v1";
  d.to = "acme-prod.core_users.user_profile_v2";
  d.columns.rename = {{"country_code", "country"}, {"signup_ts", "signed_up_at"}};
  d.columns.removed = {"legacy_segment"};
  return d;
}

std::vector<DatasetMatcher> matchers(std::vector<DatasetSpec> specs = {usersTable()}) {
  std::vector<DatasetMatcher> out;
  for (const DatasetSpec& s : specs)
    out.emplace_back(s);
  return out;
}

/// `sql` with every rewrite's changes applied (each change once).
std::string migrated(const std::string& sql, const std::vector<DatasetMatcher>& ms = matchers()) {
  std::vector<ValueChange> all;
  for (const ValueReference& r : sqlReferences(sql, ms)) {
    if (r.action != Action::Rewrite)
      continue;
    for (const ValueChange& c : r.changes)
      if (std::none_of(all.begin(), all.end(), [&](const ValueChange& o) {
            return o.begin == c.begin && o.end == c.end && o.text == c.text;
          }))
        all.push_back(c);
  }
  std::sort(all.begin(), all.end(),
            [](const ValueChange& a, const ValueChange& b) { return a.begin < b.begin; });
  std::string out;
  size_t pos = 0;
  for (const ValueChange& c : all) {
    EXPECT_GE(c.begin, pos) << "overlapping changes in " << sql;
    out += sql.substr(pos, c.begin - pos) + c.text;
    pos = c.end;
  }
  return out + sql.substr(pos);
}

struct Flag {
  std::string found;
  std::string reason;
};

/// The attention references: the text they cover and why.
std::vector<Flag> attention(const std::string& sql,
                            const std::vector<DatasetMatcher>& ms = matchers()) {
  std::vector<Flag> out;
  for (const ValueReference& r : sqlReferences(sql, ms))
    if (r.action == Action::Attention)
      out.push_back({sql.substr(r.begin, r.end - r.begin), r.reason});
  return out;
}

bool flagged(const std::vector<Flag>& flags, const std::string& found, const std::string& why) {
  return std::any_of(flags.begin(), flags.end(), [&](const Flag& f) {
    return f.found == found && f.reason.find(why) != std::string::npos;
  });
}

const std::string kTable = "`acme-prod.core_users.user_profile_v1`";
const std::string kNewTable = "`acme-prod.core_users.user_profile_v2`";

// ---------------------------------------------------------------- lexer

TEST(SqlLexer, TokensOfEverySpelling) {
  const std::string sql = "SELECT `a-b`.c, r'x\\'y', '''t'''--c\n/* d */ 1.5e3, @p, {{ j }} " +
                          std::string(1, H) + "x FROM [p:d.t]";
  const sql::Lexed lexed = sql::lex(sql);
  EXPECT_TRUE(lexed.errors.empty());
  std::vector<std::string> texts;
  std::vector<sql::TokenKind> kinds;
  for (const sql::Token& t : lexed.tokens) {
    texts.push_back(sql.substr(t.begin, t.end - t.begin));
    kinds.push_back(t.kind);
  }
  const std::vector<std::string> want = {
      "SELECT",  "`a-b`", ".", "c",  ",", "r'x\\'y'", ",",
      "'''t'''", "1.5e3", ",", "@p", ",", "{{ j }}",  std::string(1, H) + "x",
      "FROM",    "[",     "p", ":",  "d", ".",        "t",
      "]"};
  EXPECT_EQ(texts, want);
  EXPECT_EQ(kinds[1], sql::TokenKind::Quoted);
  EXPECT_EQ(kinds[5], sql::TokenKind::String);
  EXPECT_EQ(kinds[8], sql::TokenKind::Number);
  EXPECT_EQ(kinds[10], sql::TokenKind::Param);
  EXPECT_EQ(kinds[12], sql::TokenKind::Hole);
  EXPECT_EQ(kinds[13], sql::TokenKind::Hole);
  EXPECT_EQ(sql::tokenName(sql, lexed.tokens[1]), "a-b");
}

TEST(SqlLexer, CountsLexicalErrors) {
  EXPECT_EQ(sqlSyntaxErrors("SELECT 'a' FROM t"), 0);
  EXPECT_EQ(sqlSyntaxErrors("SELECT 'a FROM t"), 1);
  EXPECT_EQ(sqlSyntaxErrors("SELECT `a FROM t"), 1);
  EXPECT_EQ(sqlSyntaxErrors("SELECT 1 /* never closed"), 1);
  EXPECT_EQ(sqlSyntaxErrors("SELECT (1 FROM t"), 1);
  EXPECT_EQ(sqlSyntaxErrors("SELECT 1) FROM t"), 1);
  EXPECT_EQ(sqlSyntaxErrors("SELECT a[1 FROM t)"), 2);
  EXPECT_EQ(sqlSyntaxErrors("SELECT 'it''s' -- ' not a string\nFROM t"), 0);
}

TEST(SqlLexer, LooksLikeSql) {
  EXPECT_TRUE(looksLikeSql("SELECT 1"));
  EXPECT_TRUE(looksLikeSql("\n  -- daily\n  (select 1)"));
  EXPECT_TRUE(looksLikeSql("/* x */ WITH a AS (SELECT 1) SELECT * FROM a"));
  EXPECT_TRUE(looksLikeSql("MERGE t USING s ON true WHEN MATCHED THEN DELETE"));
  EXPECT_TRUE(looksLikeSql("create table x (a int)"));
  EXPECT_FALSE(looksLikeSql("Select the rows you need")); // mixed case: prose
  EXPECT_FALSE(looksLikeSql("SELECT what isn't closed")); // an unterminated string
  EXPECT_FALSE(looksLikeSql("acme-prod.core_users.user_profile_v1"));
  EXPECT_FALSE(looksLikeSql("SELECTED rows"));
  EXPECT_FALSE(looksLikeSql(""));
}

// ---------------------------------------------------------------- the aliasing rule

TEST(SqlColumns, BareSelectItemKeepsTheOutputName) {
  EXPECT_EQ(migrated("SELECT country_code, user_id FROM " + kTable),
            "SELECT country AS country_code, user_id FROM " + kNewTable);
  EXPECT_EQ(migrated("SELECT p.country_code FROM " + kTable + " AS p"),
            "SELECT p.country AS country_code FROM " + kNewTable + " AS p");
  EXPECT_EQ(migrated("SELECT DISTINCT Country_Code FROM " + kTable),
            "SELECT DISTINCT country AS Country_Code FROM " + kNewTable);
  EXPECT_EQ(migrated("SELECT `country_code` FROM " + kTable),
            "SELECT `country` AS `country_code` FROM " + kNewTable);
  // A struct field names the output: nothing to keep.
  EXPECT_EQ(migrated("SELECT p.country_code.iso FROM " + kTable + " p"),
            "SELECT p.country.iso FROM " + kNewTable + " p");
}

TEST(SqlColumns, ParenthesizedBareItemKeepsTheOutputName) {
  // `DISTINCT(col)` is `DISTINCT col`, named after the column: the alias goes after the `)`.
  EXPECT_EQ(migrated("SELECT DISTINCT(country_code) FROM " + kTable),
            "SELECT DISTINCT(country) AS country_code FROM " + kNewTable);
  EXPECT_EQ(migrated("SELECT DISTINCT (p.country_code), user_id FROM " + kTable + " p"),
            "SELECT DISTINCT (p.country) AS country_code, user_id FROM " + kNewTable + " p");
  // An alias of its own, or a call around it: renamed plainly.
  EXPECT_EQ(migrated("SELECT DISTINCT(country_code) AS cc FROM " + kTable),
            "SELECT DISTINCT(country) AS cc FROM " + kNewTable);
  EXPECT_EQ(migrated("SELECT COUNT(DISTINCT(country_code)) AS n FROM " + kTable),
            "SELECT COUNT(DISTINCT(country)) AS n FROM " + kNewTable);
}

TEST(SqlColumns, InsertedKeywordFollowsTheSelectKeywordsCase) {
  EXPECT_EQ(migrated("select country_code from " + kTable),
            "select country as country_code from " + kNewTable);
  EXPECT_EQ(migrated("select distinct(country_code) from " + kTable),
            "select distinct(country) as country_code from " + kNewTable);
  // Mixed case is not lower case: `AS`, as the block's `Select` is not written in lower case.
  EXPECT_EQ(migrated("Select country_code From " + kTable),
            "Select country AS country_code From " + kNewTable);
  // Each query block follows its own SELECT.
  EXPECT_EQ(migrated("SELECT c FROM (select country_code AS c, signup_ts from " + kTable + ")"),
            "SELECT c FROM (select country AS c, signed_up_at as signup_ts from " + kNewTable +
                ")");
}

TEST(SqlColumns, AliasedItemsKeepTheirAlias) {
  EXPECT_EQ(migrated("SELECT lower(country_code) AS country_code FROM " + kTable),
            "SELECT lower(country) AS country_code FROM " + kNewTable);
  EXPECT_EQ(migrated("SELECT country_code AS cc, signup_ts ts FROM " + kTable),
            "SELECT country AS cc, signed_up_at ts FROM " + kNewTable);
  EXPECT_EQ(migrated("SELECT country_code AS country_code FROM " + kTable),
            "SELECT country AS country_code FROM " + kNewTable);
  // An expression without alias has a generated name: renamed inside, nothing added.
  EXPECT_EQ(migrated("SELECT upper(country_code) FROM " + kTable),
            "SELECT upper(country) FROM " + kNewTable);
  // SELECT AS VALUE has no column names to keep.
  EXPECT_EQ(migrated("SELECT AS VALUE country_code FROM " + kTable),
            "SELECT AS VALUE country FROM " + kNewTable);
}

TEST(SqlColumns, OtherClausesAreRenamedPlainly) {
  EXPECT_EQ(migrated("SELECT n FROM " + kTable +
                     " p JOIN d.o ON o.cc = p.country_code WHERE country_code > '' "
                     "GROUP BY p.country_code HAVING MAX(p.signup_ts) > 0 ORDER BY p.country_code"),
            "SELECT n FROM " + kNewTable +
                " p JOIN d.o ON o.cc = p.country WHERE country_code > '' "
                "GROUP BY p.country HAVING MAX(p.signed_up_at) > 0 ORDER BY p.country");
  EXPECT_EQ(migrated("SELECT ROW_NUMBER() OVER (PARTITION BY country_code ORDER BY signup_ts) r, "
                     "CAST(signup_ts AS DATE) d, EXTRACT(DAY FROM signup_ts) e FROM " +
                     kTable + " WHERE signup_ts > TIMESTAMP '2024-01-01' QUALIFY r = 1"),
            "SELECT ROW_NUMBER() OVER (PARTITION BY country ORDER BY signed_up_at) r, "
            "CAST(signed_up_at AS DATE) d, EXTRACT(DAY FROM signed_up_at) e FROM " +
                kNewTable + " WHERE signed_up_at > TIMESTAMP '2024-01-01' QUALIFY r = 1");
}

TEST(SqlColumns, GroupByNameOfAnExpressionAliasNeedsAttention) {
  const std::string sql =
      "SELECT lower(signup_ts) AS signup_ts FROM " + kTable + " GROUP BY signup_ts";
  EXPECT_TRUE(flagged(attention(sql), "signup_ts", "also the name of an expression"));
  EXPECT_EQ(migrated(sql),
            "SELECT lower(signed_up_at) AS signup_ts FROM " + kNewTable + " GROUP BY signup_ts");
}

TEST(SqlColumns, GroupByAliasIsNoColumnWhereTheTableIsNoSource) {
  // The outer blocks read a CTE, a subquery and another table: their GROUP BY names the alias.
  const std::string sql =
      "WITH p AS (SELECT user_id, country_code FROM " + kTable +
      ") SELECT IFNULL(p.country_code, 'x') AS country_code FROM p GROUP BY country_code;\n"
      "SELECT upper(x.country_code) AS country_code FROM (SELECT country_code FROM " +
      kTable +
      ") x GROUP BY country_code ORDER BY country_code;\n"
      "SELECT upper(o.country_code) AS country_code FROM `acme-prod.sales.orders` o WHERE "
      "o.user_id IN (SELECT user_id FROM " +
      kTable + ") GROUP BY country_code";
  EXPECT_TRUE(attention(sql).empty());
}

// ---------------------------------------------------------------- alias resolution

TEST(SqlAliases, QualifiedNamesFollowTheirAlias) {
  const std::string sql = "SELECT p.country_code AS a, o.country_code AS b FROM " + kTable +
                          " AS p JOIN `acme-prod.sales.orders` o ON o.user_id = p.user_id";
  EXPECT_EQ(migrated(sql), "SELECT p.country AS a, o.country_code AS b FROM " + kNewTable +
                               " AS p JOIN `acme-prod.sales.orders` o ON o.user_id = p.user_id");
  EXPECT_TRUE(attention(sql).empty());
}

TEST(SqlAliases, AnotherTablesColumnIsNeverRenamed) {
  EXPECT_EQ(migrated("SELECT country_code FROM `acme-prod.sales.orders`"),
            "SELECT country_code FROM `acme-prod.sales.orders`");
  const std::string both =
      "SELECT country_code FROM `acme-prod.sales.orders`; SELECT user_id FROM " + kTable;
  EXPECT_EQ(migrated(both),
            "SELECT country_code FROM `acme-prod.sales.orders`; SELECT user_id FROM " + kNewTable);
  EXPECT_TRUE(attention(both).empty());
}

TEST(SqlAliases, UnqualifiedNameInAJoinNeedsAttention) {
  const std::string sql =
      "SELECT country_code FROM " + kTable + " p JOIN `acme-prod.sales.orders` o USING (user_id)";
  EXPECT_TRUE(flagged(attention(sql), "country_code", "reads several tables"));
  EXPECT_EQ(migrated(sql), "SELECT country_code FROM " + kNewTable +
                               " p JOIN `acme-prod.sales.orders` o USING (user_id)");
}

TEST(SqlAliases, CteAndSubqueryOutputsAreNotTheTable) {
  const std::string cte = "WITH base AS (SELECT country_code FROM " + kTable +
                          ") SELECT b.country_code, country_code FROM base b";
  EXPECT_EQ(migrated(cte), "WITH base AS (SELECT country AS country_code FROM " + kNewTable +
                               ") SELECT b.country_code, country_code FROM base b");
  EXPECT_TRUE(attention(cte).empty());
  const std::string sub = "SELECT x.country_code FROM (SELECT country_code FROM " + kTable + ") x";
  EXPECT_EQ(migrated(sub),
            "SELECT x.country_code FROM (SELECT country AS country_code FROM " + kNewTable + ") x");
  // A CTE named like the table's last part hides the table.
  EXPECT_EQ(migrated("WITH user_profile_v1 AS (SELECT 1 AS country_code) "
                     "SELECT country_code FROM user_profile_v1"),
            "WITH user_profile_v1 AS (SELECT 1 AS country_code) "
            "SELECT country_code FROM user_profile_v1");
}

TEST(SqlAliases, CorrelatedSubqueries) {
  const std::string sql = "SELECT user_id FROM " + kTable +
                          " p WHERE EXISTS (SELECT 1 FROM d.o WHERE o.cc = p.country_code "
                          "AND signup_ts > 0)";
  EXPECT_EQ(migrated(sql), "SELECT user_id FROM " + kNewTable +
                               " p WHERE EXISTS (SELECT 1 FROM d.o WHERE o.cc = p.country "
                               "AND signup_ts > 0)");
  EXPECT_TRUE(flagged(attention(sql), "signup_ts", "enclosing query"));
}

TEST(SqlAliases, ImplicitAliasFollowsTheTable) {
  EXPECT_EQ(migrated("SELECT user_profile_v1.country_code, user_profile_v1.* EXCEPT (country_code, "
                     "signup_ts, legacy_segment) FROM " +
                     kTable),
            "SELECT user_profile_v2.country AS country_code, user_profile_v2.* EXCEPT (country, "
            "signed_up_at, legacy_segment) FROM " +
                kNewTable);
  // With its own alias, the table's name is not a qualifier.
  EXPECT_EQ(migrated("SELECT p.user_id FROM " + kTable + " p"),
            "SELECT p.user_id FROM " + kNewTable + " p");
  // Without column changes, the qualifier still follows the table.
  DatasetSpec plain = usersTable();
  plain.columns = {};
  EXPECT_EQ(migrated("SELECT user_profile_v1.country_code FROM " + kTable, matchers({plain})),
            "SELECT user_profile_v2.country_code FROM " + kNewTable);
}

// ---------------------------------------------------------------- attention

TEST(SqlAttention, RemovedColumnsAreReportedWherever) {
  const std::string sql = "SELECT legacy_segment, p.legacy_segment FROM " + kTable +
                          " p WHERE legacy_segment IS NOT NULL";
  const std::vector<Flag> flags = attention(sql);
  EXPECT_EQ(std::count_if(flags.begin(), flags.end(),
                          [](const Flag& f) { return f.found == "legacy_segment"; }),
            3);
  EXPECT_TRUE(flagged(flags, "legacy_segment", "is removed"));
  EXPECT_EQ(migrated(sql), "SELECT legacy_segment, p.legacy_segment FROM " + kNewTable +
                               " p WHERE legacy_segment IS NOT NULL");
}

TEST(SqlAttention, StarOverTheTable) {
  EXPECT_TRUE(flagged(attention("SELECT * FROM " + kTable), "*", "output columns change"));
  const std::string excepted =
      "SELECT * EXCEPT (country_code, signup_ts, legacy_segment) FROM " + kTable;
  const std::vector<Flag> flags = attention(excepted);
  EXPECT_FALSE(flagged(flags, "*", "output columns change"));
  EXPECT_TRUE(flagged(flags, "legacy_segment", "is removed"));
  EXPECT_EQ(migrated(excepted),
            "SELECT * EXCEPT (country, signed_up_at, legacy_segment) FROM " + kNewTable);
  EXPECT_TRUE(attention("SELECT * FROM `acme-prod.sales.orders`").empty());
}

TEST(SqlAttention, StarHoldsBackItsTable) {
  // The output columns change with nothing in the query to keep them: the table does not
  // change alone, in a query, in CTAS, or in INSERT … SELECT.
  for (const std::string& sql :
       {"SELECT * FROM " + kTable, "SELECT p.*, country_code FROM " + kTable + " p",
        "CREATE OR REPLACE TABLE `acme-prod.reports.snapshot` AS SELECT * FROM " + kTable,
        "INSERT INTO `acme-prod.reports.snapshot` SELECT * FROM " + kTable,
        "WITH base AS (SELECT * FROM " + kTable + ") SELECT user_id FROM base"}) {
    EXPECT_EQ(migrated(sql), sql);
    EXPECT_TRUE(flagged(attention(sql), kTable.substr(1, kTable.size() - 2), "`*` reads it"))
        << sql;
  }
  // Without column changes, `*` is no concern.
  DatasetSpec plain = usersTable();
  plain.columns = {};
  EXPECT_EQ(migrated("SELECT * FROM " + kTable, matchers({plain})), "SELECT * FROM " + kNewTable);
}

TEST(SqlAttention, WildcardTables) {
  DatasetSpec plain = usersTable();
  plain.columns = {};
  const auto ms = matchers({plain});
  EXPECT_TRUE(flagged(attention("SELECT 1 FROM `acme-prod.core_users.user_profile_*` WHERE "
                                "_TABLE_SUFFIX = 'v1'",
                                ms),
                      "`acme-prod.core_users.user_profile_*`", "_TABLE_SUFFIX"));
  EXPECT_TRUE(flagged(attention("SELECT 1 FROM `acme-prod.core_users.*`", ms),
                      "`acme-prod.core_users.*`", "may include"));
  EXPECT_TRUE(flagged(attention("SELECT 1 FROM TABLE_DATE_RANGE([acme-prod:core_users.user_], "
                                "TIMESTAMP('2024-01-01'), CURRENT_TIMESTAMP())",
                                ms),
                      "TABLE_DATE_RANGE([acme-prod:core_users.user_], TIMESTAMP('2024-01-01'), "
                      "CURRENT_TIMESTAMP())",
                      "may include"));
  EXPECT_TRUE(attention("SELECT 1 FROM `acme-prod.core_users.sessions_*`", ms).empty());
  EXPECT_TRUE(attention("SELECT 1 FROM `other-proj.core_users.user_profile_*`", ms).empty());
}

TEST(SqlAttention, HolesNeverGuessed) {
  // A hole where a column may be: attention; where only a value fits: nothing.
  const std::string sql = "SELECT " + std::string(1, H) + ", country_code FROM " + kTable +
                          " WHERE dt = " + std::string(1, H);
  const std::vector<Flag> flags = attention(sql);
  EXPECT_EQ(flags.size(), 1u);
  EXPECT_TRUE(flagged(flags, std::string(1, H), "interpolated text"));
  EXPECT_EQ(migrated(sql), "SELECT " + std::string(1, H) + ", country AS country_code FROM " +
                               kNewTable + " WHERE dt = " + std::string(1, H));
  // Interpolated text after the table may be a join: unqualified names are not resolved.
  const std::string joined = "SELECT country_code FROM " + kTable + " " + std::string(1, H);
  EXPECT_TRUE(flagged(attention(joined), "country_code", "interpolated text follows"));
  // A name partly interpolated.
  EXPECT_TRUE(flagged(attention("SELECT country_" + std::string(1, H) + " FROM " + kTable),
                      "country_" + std::string(1, H), "may name a column that changes"));
  EXPECT_TRUE(flagged(attention("SELECT `country_" + std::string(1, H) + "` FROM " + kTable),
                      "country_" + std::string(1, H), "partly interpolated"));
}

TEST(SqlAttention, TableThatNeedsAttentionHoldsItsColumns) {
  const std::string sql = "SELECT country_code FROM core_users.user_profile_v1";
  EXPECT_TRUE(flagged(attention(sql), "country_code", "table reference itself needs attention"));
  EXPECT_EQ(migrated(sql), sql);
}

// ---------------------------------------------------------------- statements

TEST(SqlStatements, DmlTargetsAndColumnLists) {
  EXPECT_EQ(migrated("INSERT INTO " + kTable + " (user_id, country_code) SELECT id, cc FROM s.t"),
            "INSERT INTO " + kNewTable + " (user_id, country) SELECT id, cc FROM s.t");
  EXPECT_EQ(migrated("UPDATE " + kTable + " SET country_code = 'US' WHERE signup_ts IS NULL"),
            "UPDATE " + kNewTable + " SET country = 'US' WHERE signed_up_at IS NULL");
  EXPECT_EQ(migrated("MERGE " + kTable +
                     " T USING s.u S ON T.user_id = S.user_id WHEN MATCHED THEN UPDATE SET "
                     "country_code = S.country_code"),
            "MERGE " + kNewTable +
                " T USING s.u S ON T.user_id = S.user_id WHEN MATCHED THEN UPDATE SET "
                "country = S.country_code");
  for (const ValueReference& r : sqlReferences("INSERT INTO " + kTable + " SELECT 1", matchers()))
    EXPECT_EQ(r.access, Access::Write);
}

bool hasChange(const ValueReference& r, const ValueChange& c) {
  return std::any_of(r.changes.begin(), r.changes.end(), [&](const ValueChange& o) {
    return o.begin == c.begin && o.end == c.end && o.text == c.text;
  });
}

TEST(SqlStatements, ColumnsAreMadeOnlyWithTheirTable) {
  const std::string sql =
      "SELECT country_code FROM " + kTable + "; SELECT signup_ts FROM " + kTable;
  const std::vector<ValueReference> refs = sqlReferences(sql, matchers());
  ASSERT_EQ(refs.size(), 4u);
  ASSERT_EQ(refs[1].changes.size(), 1u); // the first table
  ASSERT_EQ(refs[3].changes.size(), 1u); // the second table
  EXPECT_EQ(refs[0].changes.size(), 2u); // its column, with its own statement's table
  EXPECT_TRUE(hasChange(refs[0], refs[1].changes[0]));
  EXPECT_FALSE(hasChange(refs[0], refs[3].changes[0]));
  EXPECT_TRUE(hasChange(refs[2], refs[3].changes[0]));
}

TEST(SqlStatements, AColumnThatCannotBeEditedHoldsBackItsTable) {
  const std::string sql = "SELECT country_code FROM " + kTable + "; SELECT user_id FROM " + kTable;
  const size_t column = sql.find("country_code");
  const ChangeCheck check = [&](size_t begin, size_t) -> std::string {
    return begin == column ? "it sits in a shared constant" : "";
  };
  const std::vector<ValueReference> refs = sqlReferences(sql, matchers(), check);
  ASSERT_EQ(refs.size(), 3u);
  EXPECT_EQ(refs[0].action, Action::Attention);
  EXPECT_EQ(refs[1].action, Action::Attention); // the first statement's table
  EXPECT_NE(refs[1].reason.find("it sits in a shared constant"), std::string::npos);
  EXPECT_EQ(refs[2].action, Action::Rewrite); // the second statement has no column to hold it
}

TEST(SqlStatements, FlinkTopicOptions) {
  DatasetSpec topic;
  topic.kind = DatasetKind::KafkaTopic;
  topic.from = "playback-events";
  topic.to = "playback-events-v2";
  const auto ms = matchers({topic});
  EXPECT_EQ(migrated("CREATE TABLE p (a STRING) WITH ('connector' = 'kafka', 'topic' = "
                     "'playback-events;audit')",
                     ms),
            "CREATE TABLE p (a STRING) WITH ('connector' = 'kafka', 'topic' = "
            "'playback-events-v2;audit')");
  EXPECT_TRUE(
      flagged(attention("CREATE TABLE p (a STRING) WITH ('topic-pattern' = 'playback-.*')", ms),
              "playback-.*", "topic pattern"));
  EXPECT_TRUE(
      attention("CREATE TABLE p (a STRING) WITH ('topic-pattern' = 'clicks-.*')", ms).empty());
}

// ---------------------------------------------------------------- .sql files

TEST(SqlFile, TemplateExpressionsAreHolesStatementsBlanks) {
  const std::string text = "\xEF\xBB\xBFSELECT {{ col }} FROM {% if x %}t{% endif %} ${v}";
  const DecodedString d = decodeSqlFile(text);
  EXPECT_EQ(d.value, "SELECT " + std::string(1, H) + " FROM  t  " + std::string(1, H));
  EXPECT_EQ(text.substr(d.srcBegin[14], d.srcEnd[14] - d.srcBegin[14]), "{% if x %}");
  ASSERT_EQ(d.pieces.size(), 1u);
  EXPECT_EQ(d.pieces[0].begin, 3u);
  EXPECT_EQ(text.substr(d.srcBegin[7], d.srcEnd[7] - d.srcBegin[7]), "{{ col }}");
  EXPECT_EQ(d.srcBegin[0], 3u);
  EXPECT_EQ(encodeLiteral(d.pieces[0].style, "country AS country_code"),
            std::optional<std::string>("country AS country_code"));
}

TEST(SqlFile, AnalyzerFindsColumnsAndCountsLexicalErrors) {
  auto analyzer = makeSqlAnalyzer({});
  ASSERT_TRUE(analyzer);
  const std::string text = "-- report\nSELECT country_code FROM " + kTable + "\n";
  const auto ms = matchers();
  auto findings = (*analyzer)->analyze(SourceFile{"models/report.sql", text}, ms);
  ASSERT_TRUE(findings);
  ASSERT_EQ(findings->size(), 2u);
  EXPECT_EQ((*findings)[0].context, "sql.column");
  EXPECT_EQ((*findings)[0].line, 2);
  EXPECT_EQ((*findings)[0].column, 8);
  EXPECT_EQ((*findings)[0].replacement, "country AS country_code");
  EXPECT_EQ((*findings)[1].context, "sql.from");
  EXPECT_EQ((*findings)[1].access, Access::Read);
  EXPECT_EQ((*analyzer)->syntaxErrors("SELECT 'x"), 1);
}

} // namespace
} // namespace godwit
