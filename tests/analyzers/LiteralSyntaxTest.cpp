// encodeLiteral for the config formats' literal syntaxes (LiteralStyle::syntax other than Code).
#include "analyzers/DecodedString.h"

#include "rules/DatasetMatcher.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace godwit {
namespace {

LiteralStyle style(LiteralSyntax syntax, char quote = 0) {
  LiteralStyle s;
  s.quote = quote;
  s.syntax = syntax;
  return s;
}

TEST(LiteralSyntaxTest, DefaultIsCodeAndUnchanged) {
  EXPECT_EQ(LiteralStyle().syntax, LiteralSyntax::Code);
  EXPECT_EQ(encodeLiteral(LiteralStyle(), "a\"b\\c\n"), "a\\\"b\\\\c\\n");
}

TEST(LiteralSyntaxTest, YamlPlainRefusesWhatChangesItsMeaning) {
  const LiteralStyle plain = style(LiteralSyntax::YamlPlain);
  EXPECT_EQ(encodeLiteral(plain, "acme-data:users.user_profile"), "acme-data:users.user_profile");
  EXPECT_EQ(encodeLiteral(plain, "gs://acme-lake/playback/v2/"), "gs://acme-lake/playback/v2/");
  for (const char* bad : {"a b", "a#b", "x:", "a,b", "[t]", "{t}", "'t'", "\"t\"", "&a", "*a", "!t",
                          "|t", ">t", "%t", "@t", "`t`", "a\nb", "a\tb"})
    EXPECT_EQ(encodeLiteral(plain, bad), std::nullopt) << bad;
}

TEST(LiteralSyntaxTest, YamlSingleDoublesQuotes) {
  const LiteralStyle single = style(LiteralSyntax::YamlSingle, '\'');
  EXPECT_EQ(encodeLiteral(single, "it's a:b #c"), "it''s a:b #c");
  EXPECT_EQ(encodeLiteral(single, "a\nb"), std::nullopt);
}

TEST(LiteralSyntaxTest, YamlBlockTakesAnythingButLineBreaks) {
  const LiteralStyle block = style(LiteralSyntax::YamlBlock);
  EXPECT_EQ(encodeLiteral(block, "`p.d.t` # \"x\" \\"), "`p.d.t` # \"x\" \\");
  EXPECT_EQ(encodeLiteral(block, "a\nb"), std::nullopt);
}

TEST(LiteralSyntaxTest, HoconUnquotedRefusesReservedCharacters) {
  const LiteralStyle unquoted = style(LiteralSyntax::HoconUnquoted, '"');
  EXPECT_EQ(encodeLiteral(unquoted, "acme-data.users.user_profile"),
            "acme-data.users.user_profile");
  EXPECT_EQ(encodeLiteral(unquoted, "lake/playback"), "lake/playback");
  for (const char* bad : {"a:b", "a b", "a=b", "a,b", "$x", "a//b", "/a", "a/", "a#b", "a\\b"})
    EXPECT_EQ(encodeLiteral(unquoted, bad), std::nullopt) << bad;
}

TEST(LiteralSyntaxTest, PropertiesEscapesBackslashesAndLeadingBlank) {
  const LiteralStyle props = style(LiteralSyntax::Properties);
  EXPECT_EQ(encodeLiteral(props, "a:b=c#d!e"), "a:b=c#d!e");
  EXPECT_EQ(encodeLiteral(props, "a\\b\tc"), "a\\\\b\\tc");
  EXPECT_EQ(encodeLiteral(props, " x y"), "\\ x y");
  EXPECT_EQ(encodeLiteral(props, "caf\xC3\xA9"), std::nullopt);
}

TEST(LiteralSyntaxTest, XmlUsesEntities) {
  EXPECT_EQ(encodeLiteral(style(LiteralSyntax::Xml), "a&b<c>d\"e'f"), "a&amp;b&lt;c&gt;d\"e'f");
  EXPECT_EQ(encodeLiteral(style(LiteralSyntax::Xml, '"'), "d\"e'f"), "d&quot;e'f");
  EXPECT_EQ(encodeLiteral(style(LiteralSyntax::Xml, '\''), "d\"e'f"), "d\"e&apos;f");
  EXPECT_EQ(encodeLiteral(style(LiteralSyntax::Xml), "a\nb"), std::nullopt);
}

TEST(LiteralSyntaxTest, XmlCDataRefusesItsEnd) {
  const LiteralStyle cdata = style(LiteralSyntax::XmlCData);
  EXPECT_EQ(encodeLiteral(cdata, "a<b&c"), "a<b&c");
  EXPECT_EQ(encodeLiteral(cdata, "a]]>b"), std::nullopt);
}

TEST(LiteralSyntaxTest, HolesAreNeverEncoded) {
  for (LiteralSyntax s : {LiteralSyntax::YamlPlain, LiteralSyntax::YamlSingle,
                          LiteralSyntax::YamlBlock, LiteralSyntax::HoconUnquoted,
                          LiteralSyntax::Properties, LiteralSyntax::Xml, LiteralSyntax::XmlCData})
    EXPECT_EQ(encodeLiteral(style(s), std::string("a") + kHole), std::nullopt);
}

} // namespace
} // namespace godwit
