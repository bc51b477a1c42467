#include "analyzers/shell/Shell.h"

#include "tests/analyzers/LanguageTestSupport.h"

#include <gtest/gtest.h>

#include <span>
#include <string>
#include <vector>

namespace godwit {
namespace {

using test::readable;
using test::Snippet;

std::string_view sourceOf(const DecodedString& d, std::string_view src, size_t i) {
  return src.substr(d.srcBegin[i], d.srcEnd[i] - d.srcBegin[i]);
}

TEST(ShellTest, DescribesTheLanguage) {
  const TreeSitterLanguage& shell = shellLanguage();
  EXPECT_EQ(shell.name, "shell");
  ASSERT_NE(shell.grammar(), nullptr);
  // Debian's runtime loads ABI 14 only: the pinned grammar must be that.
  EXPECT_EQ(ts_language_version(shell.grammar()), 14u);
}

TEST(ShellTest, DoubleQuotedStringsReadTheirEscapesAndHoles) {
  const std::string src = "bq query \"SELECT \\`a\\` \\$x \\d $(date) ${W:-d} $1 \\\"q\\\"\"\n";
  Snippet s(shellLanguage(), src);
  ASSERT_FALSE(s.hasErrors());
  const auto d = s.decodeAt("\"SELECT");
  ASSERT_TRUE(d);
  test::expectWellFormed(*d);
  EXPECT_EQ(readable(d->value), "SELECT `a` $x \\d <?> <?> <?> \"q\"");
  const size_t tick = d->value.find('`');
  EXPECT_EQ(sourceOf(*d, src, tick), "\\`");
  EXPECT_EQ(d->pieces.front().style.quote, '"');
  EXPECT_EQ(d->pieces.front().style.holeIntro, '$');
}

TEST(ShellTest, SingleQuotedAndAnsiCStrings) {
  const std::string src = "a='x\\ny $z'\nb=$'it\\'s\\x41\\101\\u00e9\\cA'\n";
  Snippet s(shellLanguage(), src);
  ASSERT_FALSE(s.hasErrors());
  const auto a = s.decodeAt("'x");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->value, "x\\ny $z");
  EXPECT_TRUE(a->pieces.front().style.raw);
  const auto b = s.decodeAt("$'it");
  ASSERT_TRUE(b);
  test::expectWellFormed(*b);
  EXPECT_EQ(readable(b->value), "it'sAA\xc3\xa9<?>");
  EXPECT_FALSE(b->pieces.front().style.raw);
}

TEST(ShellTest, WordsDropTheirBackslashes) {
  const std::string src = "bq show acme-prod:core_users.user\\_profile\\_v1\n";
  Snippet s(shellLanguage(), src);
  ASSERT_FALSE(s.hasErrors());
  const auto d = s.decodeAt("acme");
  ASSERT_TRUE(d);
  test::expectWellFormed(*d);
  EXPECT_EQ(d->value, "acme-prod:core_users.user_profile_v1");
  EXPECT_EQ(sourceOf(*d, src, d->value.rfind('_')), "\\_");
}

TEST(ShellTest, AnOptionWordIsItsValue) {
  const std::string src = "kafka-console-producer --topic=playback-events --x -v=1 a=b\n";
  Snippet s(shellLanguage(), src);
  ASSERT_FALSE(s.hasErrors());
  const auto topic = s.decodeAt("--topic");
  ASSERT_TRUE(topic);
  EXPECT_EQ(topic->value, "playback-events");
  EXPECT_EQ(topic->srcBegin.front(), src.find("playback"));
  EXPECT_EQ(s.decodeAt("--x")->value, "--x");
  EXPECT_EQ(s.decodeAt("-v=")->value, "1");
  EXPECT_EQ(s.decodeAt("a=b")->value, "a=b"); // not an option
}

TEST(ShellTest, HeredocsAreLiteralOrTemplatesByTheirDelimiter) {
  const std::string src = "bq query <<EOF\nSELECT \\`a\\` FROM $T WHERE x = '\\$y'\nEOF\n"
                          "cat <<'SQL'\nSELECT $z \\`b\\`\nSQL\n";
  Snippet s(shellLanguage(), src);
  ASSERT_FALSE(s.hasErrors());
  const auto open = s.decodeAt("SELECT \\`a");
  ASSERT_TRUE(open);
  test::expectWellFormed(*open);
  EXPECT_EQ(readable(open->value), "SELECT `a` FROM <?> WHERE x = '$y'\n");
  EXPECT_TRUE(open->pieces.front().style.triple);
  const auto quoted = s.decodeAt("SELECT $z");
  ASSERT_TRUE(quoted);
  EXPECT_EQ(quoted->value, "SELECT $z \\`b\\`\n");
  EXPECT_TRUE(quoted->pieces.front().style.raw);
}

TEST(ShellTest, AssignmentsAreConstantsAndOtherDefinitionsHaveNoValue) {
  const std::string src = "readonly PROJECT=acme-prod\n"
                          "TABLE=\"${PROJECT}:core_users.user_profile_v1\"\n"
                          "for T in a b; do :; done\n"
                          "read -r R\n"
                          "bq show \"$TABLE\" \"$T\" \"$R\"\n";
  Snippet s(shellLanguage(), src);
  ASSERT_FALSE(s.hasErrors());
  std::vector<std::string> names;
  for (const auto& [name, value] : s.queryConstants())
    names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"PROJECT", "TABLE", "T", "-r", "R"}));
  s.collectConstants();
  EXPECT_EQ(s.constants().count("T"), 0u); // a loop variable never decodes
  EXPECT_EQ(s.constants().count("R"), 0u);
  const auto table = s.decodeAt("\"$TABLE\"");
  ASSERT_TRUE(table);
  EXPECT_EQ(table->value, "acme-prod:core_users.user_profile_v1");
  EXPECT_EQ(readable(s.decodeAt("\"$T\"")->value), "<?>");
}

TEST(ShellTest, AnExpansionDefaultIsAValueOfItsOwn) {
  const std::string src = "T=\"${PROFILE_TABLE:-acme-prod.core_users.user_profile_v1}\"\n";
  Snippet s(shellLanguage(), src);
  ASSERT_FALSE(s.hasErrors());
  EXPECT_EQ(readable(s.decodeAt("\"${")->value), "<?>");
  const auto inner = s.decodeAt("acme");
  ASSERT_TRUE(inner);
  EXPECT_EQ(inner->value, "acme-prod.core_users.user_profile_v1");
}

TEST(ShellTest, CommandNamesAreNoValues) {
  const std::string src = "bq show x\n";
  Snippet s(shellLanguage(), src);
  ASSERT_FALSE(s.hasErrors());
  const TSNode command = ts_node_named_child(s.root(), 0);
  const TSNode name = ts_node_named_child(command, 0);
  ASSERT_STREQ(ts_node_type(name), "command_name");
  const TSNode word = ts_node_named_child(name, 0);
  const std::vector<TSNode> ancestors{s.root(), command, name};
  EXPECT_FALSE(shellLanguage().isStringExpressionAt(word, std::span<const TSNode>(ancestors),
                                                    s.src()));
  const TSNode argument = ts_node_named_child(command, 1);
  const std::vector<TSNode> up{s.root(), command};
  EXPECT_TRUE(
      shellLanguage().isStringExpressionAt(argument, std::span<const TSNode>(up), s.src()));
}

LiteralStyle shellStyle(char quote, bool raw = false, bool triple = false) {
  LiteralStyle style;
  style.syntax = LiteralSyntax::Shell;
  style.quote = quote;
  style.raw = raw;
  style.triple = triple;
  return style;
}

TEST(ShellTest, EncodingKeepsEachQuotingsSyntax) {
  EXPECT_EQ(encodeLiteral(shellStyle('\0'), "acme-prod:core_users.t_v2"),
            "acme-prod:core_users.t_v2");
  EXPECT_EQ(encodeLiteral(shellStyle('\0'), "a b"), std::nullopt);
  EXPECT_EQ(encodeLiteral(shellStyle('\0'), "gs://x/*"), std::nullopt);
  EXPECT_EQ(encodeLiteral(shellStyle('"'), "`a` $b \"c\" d\\"), "\\`a\\` \\$b \\\"c\\\" d\\\\");
  EXPECT_EQ(encodeLiteral(shellStyle('"'), "a!"), std::nullopt);
  EXPECT_EQ(encodeLiteral(shellStyle('\'', true), "`a` $b"), "`a` $b");
  EXPECT_EQ(encodeLiteral(shellStyle('\'', true), "it's"), std::nullopt);
  EXPECT_EQ(encodeLiteral(shellStyle('\''), "it's"), "it\\'s");
  EXPECT_EQ(encodeLiteral(shellStyle('\0', false, true), "`a` \"b\""), "\\`a\\` \"b\"");
  EXPECT_EQ(encodeLiteral(shellStyle('"'), "a\nb"), std::nullopt);
}

} // namespace
} // namespace godwit
