// LookML: the `;;` blocks the splitter finds, and what the analyzer does with them.
#include "analyzers/lookml/Lookml.h"

#include "tests/analyzers/LanguageTestSupport.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace godwit {
namespace {

std::string_view part(std::string_view text, uint32_t b, uint32_t e) {
  return text.substr(b, e - b);
}

TEST(LookmlSplit, BlocksKnowTheirKeyAndTheBlockThatHoldsThem) {
  const std::string text = "view: v {\n  sql_table_name: `p.d.t` ;;\n  derived_table: {\n"
                           "    sql: SELECT 1 ;;\n  }\n  dimension: d { sql: ${TABLE}.d ;; }\n}\n";
  const LookmlParts parts = splitLookml(text);
  ASSERT_EQ(parts.blocks.size(), 3u);
  EXPECT_EQ(parts.blocks[0].key, "sql_table_name");
  EXPECT_EQ(parts.blocks[0].parent, "view");
  EXPECT_EQ(part(text, parts.blocks[0].begin, parts.blocks[0].end), " `p.d.t` ");
  EXPECT_EQ(parts.blocks[1].parent, "derived_table");
  EXPECT_EQ(parts.blocks[1].doc.text, " SELECT 1 ");
  EXPECT_EQ(parts.blocks[1].doc.language, "sql");
  EXPECT_EQ(parts.blocks[2].parent, "dimension");
  for (const LookmlBlock& b : parts.blocks)
    EXPECT_TRUE(b.terminated);
}

TEST(LookmlSplit, NestedBracesInsideAndOutsideSqlKeepTheParents) {
  // Braces in SQL (Liquid, substitutions, a STRUCT literal) do not open LookML blocks.
  const std::string text = "explore: e {\n  join: j {\n    sql_on: ${a.id} = ${j.id} "
                           "{% if x %}AND 1{% endif %} ;;\n  }\n  sql_always_where: 1 = 1 ;;\n}\n"
                           "view: w { derived_table: { sql: SELECT '}' AS c ;; } }\n";
  const LookmlParts parts = splitLookml(text);
  ASSERT_EQ(parts.blocks.size(), 3u);
  EXPECT_EQ(parts.blocks[0].parent, "join");
  EXPECT_EQ(parts.blocks[1].key, "sql_always_where");
  EXPECT_EQ(parts.blocks[1].parent, "explore");
  EXPECT_EQ(parts.blocks[2].parent, "derived_table");
}

TEST(LookmlSplit, SemicolonsInOneLineStringsAndQuotedNamesDoNotEndABlock) {
  const std::string text = "view: v { derived_table: { sql: SELECT ';;' AS a, \"x;;\" AS b, "
                           "`p.d;;t` FROM t -- it's here\n ;; } }\n";
  const LookmlParts parts = splitLookml(text);
  ASSERT_EQ(parts.blocks.size(), 1u);
  EXPECT_TRUE(parts.blocks[0].terminated);
  EXPECT_EQ(part(text, parts.blocks[0].end, parts.blocks[0].end + 4), ";; }");
  EXPECT_NE(parts.blocks[0].doc.text.find("-- it's here"), std::string::npos);
}

TEST(LookmlSplit, AnUnterminatedBlockEndsBeforeTheNextKeyAndTheRestIsRead) {
  const std::string text = "view: v {\n  derived_table: {\n    sql: SELECT 1\n  }\n"
                           "  dimension: d {\n    sql: ${TABLE}.d ;;\n  }\n}\n";
  const LookmlParts parts = splitLookml(text);
  ASSERT_EQ(parts.blocks.size(), 2u);
  EXPECT_FALSE(parts.blocks[0].terminated);
  EXPECT_EQ(part(text, parts.blocks[0].begin, parts.blocks[0].end), " SELECT 1\n");
  EXPECT_TRUE(parts.blocks[1].terminated);
  EXPECT_EQ(parts.blocks[1].parent, "dimension");
}

TEST(LookmlSplit, StringsAndCommentsAreTextAndHideKeys) {
  const std::string text = "# sql: not a block ;;\nview: v {\n  label: \"sql: nor this ;;\"\n}\n";
  const LookmlParts parts = splitLookml(text);
  EXPECT_TRUE(parts.blocks.empty());
  ASSERT_EQ(parts.text.size(), 2u);
  EXPECT_EQ(part(text, parts.text[0].first, parts.text[0].second), "# sql: not a block ;;");
  EXPECT_EQ(part(text, parts.text[1].first, parts.text[1].second), "\"sql: nor this ;;\"");
}

TEST(LookmlSplit, FieldNamesInListsAreNotKeys) {
  const std::string text = "explore: e {\n  always_filter: { filters: [sql_flag: \"yes\", "
                           "v.sql_date: \"7 days\"] }\n  sql_always_where: 1 = 1 ;;\n}\n";
  const LookmlParts parts = splitLookml(text);
  ASSERT_EQ(parts.blocks.size(), 1u);
  EXPECT_EQ(parts.blocks[0].key, "sql_always_where");
  EXPECT_EQ(parts.text.size(), 2u); // the two filter values
}

TEST(LookmlSplit, SubstitutionsInFieldExpressionsAreNamesAndConstantsAreHoles) {
  const std::string text = "view: v {\n  sql_table_name: `@{P}.d.t` ;;\n"
                           "  dimension: d { sql: ${TABLE}.d ;; }\n}\n";
  const LookmlParts parts = splitLookml(text);
  ASSERT_EQ(parts.blocks.size(), 2u);
  EXPECT_EQ(parts.blocks[0].doc.text, " `${P}.d.t` "); // read as a template hole
  EXPECT_EQ(parts.blocks[0].doc.srcBegin[2], text.find("@{P}"));
  EXPECT_EQ(parts.blocks[1].doc.text, " lookml_field.d ");
  const size_t table = text.find("${TABLE}");
  EXPECT_EQ(parts.blocks[1].doc.srcBegin[1], table); // put there by godwit: no edit touches it
  EXPECT_EQ(parts.blocks[1].doc.srcEnd[1], table);
}

Expected<std::vector<Finding>> analyze(const std::string& text, AnalysisNotes& notes) {
  auto analyzer = makeLookmlAnalyzer({});
  if (!analyzer)
    return analyzer.error();
  const auto matchers = test::profileMatchers();
  return (*analyzer)->analyzeFile(SourceFile{"v.view.lkml", text}, matchers, notes);
}

TEST(LookmlAnalyzer, AnUnterminatedBlockIsANoteWithItsPlaceAndTheRestIsAnalyzed) {
  const std::string text = "view: v {\n  derived_table: {\n    sql: SELECT user_id FROM "
                           "`acme-prod.core_users.user_profile_v1`\n  }\n}\n"
                           "view: w {\n  sql_table_name: acme-prod.core_users.user_profile_v1 ;;\n}\n";
  AnalysisNotes notes;
  auto found = analyze(text, notes);
  ASSERT_TRUE(found);
  ASSERT_EQ(notes.notes.size(), 1u);
  EXPECT_EQ(notes.notes[0].file, "v.view.lkml");
  EXPECT_EQ(notes.notes[0].line, 3);
  EXPECT_EQ(notes.notes[0].column, 5);
  EXPECT_NE(notes.notes[0].message.find("no closing `;;`"), std::string::npos);
  ASSERT_EQ(found->size(), 2u);
  EXPECT_EQ((*found)[0].action, Action::Attention);
  EXPECT_EQ((*found)[0].line, 3);
  EXPECT_EQ((*found)[1].action, Action::Rewrite);
  EXPECT_EQ((*found)[1].line, 7);
  EXPECT_EQ((*found)[1].context, "lookml.sql_table_name");
}

TEST(LookmlAnalyzer, SyntaxErrorsCountUnterminatedBlocksAndBrokenSql) {
  auto analyzer = makeLookmlAnalyzer({});
  ASSERT_TRUE(analyzer);
  EXPECT_EQ((*analyzer)->syntaxErrors("view: v { sql_table_name: `p.d.t` ;; }\n"), 0);
  EXPECT_GT((*analyzer)->syntaxErrors("view: v { sql_table_name: `p.d.t ;; }\n"), 0);
  EXPECT_GT((*analyzer)->syntaxErrors("view: v { derived_table: { sql: SELECT 1\n}\n"), 0);
}

TEST(LookmlAnalyzer, RulePacksDoNotApply) {
  Rule rule;
  rule.id = "some-rule";
  EXPECT_FALSE(makeLookmlAnalyzer({&rule}));
}

} // namespace
} // namespace godwit
