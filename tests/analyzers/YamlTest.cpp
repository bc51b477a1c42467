#include "analyzers/yaml/Yaml.h"

#include "tests/analyzers/ConfigTestSupport.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace godwit {
namespace {

using test::readable;
using test::Snippet;
using test::sources;
using Strings = std::vector<std::string>;

Strings expressions(const std::string& src) {
  Snippet s(yamlLanguage(), src);
  EXPECT_FALSE(s.hasErrors()) << src;
  return test::stringExpressions(s, yamlLanguage());
}

TEST(YamlTest, DescribesTheLanguage) {
  const TreeSitterLanguage& yaml = yamlLanguage();
  EXPECT_EQ(yaml.name, "yaml");
  EXPECT_NE(yaml.grammar(), nullptr);
  Snippet s(yaml, "a: b\n");
  EXPECT_TRUE(s.queryConstants().empty());
}

TEST(YamlTest, KeysAreNeverValues) {
  EXPECT_EQ(
      expressions("playback-events: playback-events\n"
                  "'quoted key': \"v1\"\n"
                  "? explicit key\n"
                  ": v2\n"
                  "flow: {fk: v3, implicit-null-key, \"q\": 'v4'}\n"
                  "pairs: [pk: v5, v6]\n"
                  "nested:\n"
                  "  inner: v7\n"
                  "  list:\n"
                  "    - v8\n"
                  "    - k9: v9\n"),
      (Strings{"playback-events", "\"v1\"", "v2", "v3", "'v4'", "v5", "v6", "v7", "v8", "v9"}));
}

TEST(YamlTest, AnchorsAliasesTagsAndCommentsAreNotValues) {
  const std::string src = "base: &topic playback-events # the live topic\n"
                          "copy: *topic\n"
                          "typed: !!str user_profile_v1\n"
                          "<<: *topic\n";
  EXPECT_EQ(expressions(src), (Strings{"playback-events", "user_profile_v1"}));
  Snippet s(yamlLanguage(), src);
  const auto d = s.decodeAt("playback-events");
  ASSERT_TRUE(d);
  test::expectWellFormed(*d);
  EXPECT_EQ(d->value, "playback-events");
  ASSERT_EQ(d->pieces.size(), 1u);
  EXPECT_EQ(d->pieces[0].begin, src.find("playback-events"));
  EXPECT_EQ(d->pieces[0].style.syntax, LiteralSyntax::YamlPlain);
}

TEST(YamlTest, FlowAndBlockSequencesGiveOneValuePerItem) {
  EXPECT_EQ(expressions("topics: [playback-events, \"playback-events-dlq\", 'x']\n"
                        "tables:\n"
                        "  - acme-prod.core_users.user_profile_v1\n"
                        "  - \"acme-prod:core_users.user_profile_v1\"\n"
                        "csv: playback-events,other-topic\n"),
            (Strings{"playback-events", "\"playback-events-dlq\"", "'x'",
                     "acme-prod.core_users.user_profile_v1",
                     "\"acme-prod:core_users.user_profile_v1\"", "playback-events,other-topic"}));
}

TEST(YamlTest, PlainMultiLineScalarsFold) {
  const std::string src = "q: SELECT *  \n"
                          "  FROM acme-prod.core_users.t\n"
                          "\n"
                          "  WHERE x\n"
                          "next: 1\n";
  Snippet s(yamlLanguage(), src);
  const auto d = s.decodeAt("SELECT");
  ASSERT_TRUE(d);
  test::expectWellFormed(*d);
  EXPECT_EQ(d->value, "SELECT * FROM acme-prod.core_users.t\nWHERE x");
  EXPECT_EQ(d->srcBegin[d->value.find("acme")], src.find("acme"));
  // The folded space stands for the line break; trailing blanks are not part of the value.
  EXPECT_EQ(sources(*d, src)[8], "\n");
}

TEST(YamlTest, SingleQuotedDoublesItsQuote) {
  const std::string src = "a: 'it''s acme-prod:core_users.t'\n";
  Snippet s(yamlLanguage(), src);
  const auto d = s.decodeAt("'it");
  ASSERT_TRUE(d);
  test::expectWellFormed(*d);
  EXPECT_EQ(d->value, "it's acme-prod:core_users.t");
  EXPECT_EQ(sources(*d, src)[2], "''");
  EXPECT_EQ(d->pieces[0].style.quote, '\'');
  EXPECT_EQ(d->pieces[0].style.syntax, LiteralSyntax::YamlSingle);
  EXPECT_EQ(d->pieces[0].begin, src.find("it"));
}

TEST(YamlTest, DoubleQuotedEscapesAndEscapedLineBreaks) {
  const std::string src = "a: \"t\\tx\\x41\\u00e9\\\"\\\\ \\/acme-\\\n"
                          "    prod.core_users.t\n"
                          "  next\"\n";
  Snippet s(yamlLanguage(), src);
  ASSERT_FALSE(s.hasErrors());
  const auto d = s.decodeAt("\"t");
  ASSERT_TRUE(d);
  test::expectWellFormed(*d);
  EXPECT_EQ(d->value, "t\txA\xC3\xA9\"\\ /acme-prod.core_users.t next");
  const Strings src0 = sources(*d, src);
  EXPECT_EQ(src0[1], "\\t");
  EXPECT_EQ(src0[3], "\\x41");
  EXPECT_EQ(src0[4], "\\u00e9");
  EXPECT_EQ(src0[5], "\\u00e9");
  EXPECT_EQ(d->srcBegin[d->value.find("prod")], src.find("prod"));
  EXPECT_EQ(d->pieces[0].style.quote, '"');
  EXPECT_EQ(d->pieces[0].style.syntax, LiteralSyntax::Code);
}

TEST(YamlTest, LiteralBlockScalarKeepsLinesWithoutIndentation) {
  const std::string src = "sql: |\n"
                          "  SELECT a\n"
                          "    FROM acme-prod.core_users.t\n"
                          "\n"
                          "  WHERE b\n"
                          "other: x\n";
  Snippet s(yamlLanguage(), src);
  const auto d = s.decodeAt("|");
  ASSERT_TRUE(d);
  test::expectWellFormed(*d);
  EXPECT_EQ(d->value, "SELECT a\n  FROM acme-prod.core_users.t\n\nWHERE b");
  EXPECT_EQ(d->srcBegin[d->value.find("acme")], src.find("acme"));
  EXPECT_EQ(d->pieces[0].style.syntax, LiteralSyntax::YamlBlock);
  EXPECT_EQ(d->pieces[0].begin, src.find("  SELECT"));
}

TEST(YamlTest, FoldedBlockScalarFoldsNormalLinesOnly) {
  const std::string src = "sql: >-\n"
                          "  one\n"
                          "  two\n"
                          "\n"
                          "  three\n"
                          "    more\n"
                          "  four\n";
  Snippet s(yamlLanguage(), src);
  const auto d = s.decodeAt(">-");
  ASSERT_TRUE(d);
  test::expectWellFormed(*d);
  EXPECT_EQ(d->value, "one two\nthree\n  more\nfour");
}

TEST(YamlTest, BlockScalarHeaderWithIndentationIndicatorAndComment) {
  const std::string src = "list:\n"
                          "  - key: |2+ # keep\n"
                          "        x\n"
                          "      y\n";
  Snippet s(yamlLanguage(), src);
  ASSERT_FALSE(s.hasErrors());
  const auto d = s.decodeAt("|2");
  ASSERT_TRUE(d);
  test::expectWellFormed(*d);
  // The mapping sits at column 4, so its content is indented 4 + 2.
  EXPECT_EQ(d->value, "  x\ny");
}

TEST(YamlTest, CrlfLineBreaks) {
  const std::string src = "a: one\r\n  two\r\nb: |\r\n  x\r\n  y\r\n";
  Snippet s(yamlLanguage(), src);
  ASSERT_FALSE(s.hasErrors());
  const auto a = s.decodeAt("one");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->value, "one two");
  const auto b = s.decodeAt("|");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->value, "x\ny");
  EXPECT_EQ(sources(*b, src)[1], "\r\n");
}

TEST(YamlTest, PlaceholdersAreHoles) {
  const std::string src = "t: ${project}.core_users.user_profile_v1\n";
  Snippet s(yamlLanguage(), src);
  const auto d = s.decodeAt("${");
  ASSERT_TRUE(d);
  test::expectWellFormed(*d);
  EXPECT_EQ(readable(d->value), "<?>.core_users.user_profile_v1");
  EXPECT_EQ(sources(*d, src)[0], "<hole:${project}>");
}

TEST(YamlTest, KeysStillDecodeForRules) {
  // A rule pack may capture a key (the generic analyzer decodes what a split rule captures).
  Snippet s(yamlLanguage(), "user_profile_v1: {}\n");
  TSNode key = s.root();
  for (int depth = 0; depth < 5; ++depth) // document, block_node, mapping, pair, key
    key = ts_node_named_child(key, 0);
  ASSERT_FALSE(ts_node_is_null(key));
  EXPECT_FALSE(yamlLanguage().isStringExpression(ts_node_named_child(key, 0), s.src()));
  const auto d = yamlLanguage().decode(key, s.src(), s.resolver());
  ASSERT_TRUE(d);
  EXPECT_EQ(d->value, "user_profile_v1");
}

TEST(YamlTest, RecognizesGodwitMigrations) {
  EXPECT_TRUE(isGodwitMigration("apiVersion: godwit/v1\nkind: Migration\n"));
  EXPECT_TRUE(isGodwitMigration("# m\nname: x\napiVersion: \"godwit/v1\"\n"));
  EXPECT_FALSE(isGodwitMigration("apiVersion: apps/v1\nkind: Deployment\n"));
  EXPECT_FALSE(isGodwitMigration("spec:\n  apiVersion: godwit/v1\n"));
}

} // namespace
} // namespace godwit
