#include "analyzers/scala/Scala.h"

#include "tests/analyzers/LanguageTestSupport.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace godwit {
namespace {

using test::readable;
using test::Snippet;
using test::sources;
using test::style;
using Strings = std::vector<std::string>;

std::string hole() {
  return std::string(1, kHole);
}

TEST(ScalaTest, DescribesTheLanguage) {
  const TreeSitterLanguage& scala = scalaLanguage();
  EXPECT_EQ(scala.name, "scala");
  EXPECT_EQ(scala.identifierType, "identifier");
  EXPECT_NE(scala.grammar(), nullptr);
  EXPECT_NE(scala.constantsQuery.find("@value"), std::string_view::npos);
}

TEST(ScalaTest, PlainStringDecodesEscapes) {
  Snippet s(scalaLanguage(), R"scala(object O { val x = "a\tb\u00e9\\\"c" })scala");
  const auto d = s.decodeAt("\"a");
  ASSERT_TRUE(d);
  test::expectWellFormed(*d);
  EXPECT_EQ(d->value, "a\tb\xC3\xA9\\\"c");
  EXPECT_EQ(sources(*d, s.src()),
            (Strings{"a", "\\t", "b", "\\u00e9", "\\u00e9", "\\\\", "\\\"", "c"}));
  ASSERT_EQ(d->pieces.size(), 1u);
  EXPECT_EQ(style(d->pieces[0].style), "\"");
  EXPECT_EQ(test::pieceTexts(*d, s.src()), Strings{"a\\tb\\u00e9\\\\\\\"c"});
}

TEST(ScalaTest, TripleQuotedStringIsRaw) {
  Snippet s(scalaLanguage(), R"scala(object O { val x = """a\nb "q" $c""" })scala");
  const auto d = s.decodeAt("\"\"\"");
  ASSERT_TRUE(d);
  test::expectWellFormed(*d);
  EXPECT_EQ(d->value, R"(a\nb "q" $c)");
  ASSERT_EQ(d->pieces.size(), 1u);
  EXPECT_EQ(style(d->pieces[0].style), "\" triple raw");
}

TEST(ScalaTest, UnicodeEscapeInRawTextIsAHole) {
  // Scala 2 translates it, Scala 3 keeps it: the value is not known.
  Snippet s(scalaLanguage(), R"scala(object O { val x = """a\u0041\user""" })scala");
  const auto d = s.decodeAt("\"\"\"");
  ASSERT_TRUE(d);
  EXPECT_EQ(readable(d->value), "a<?>\\user");
}

TEST(ScalaTest, DollarDollarIsADollarBeforeAHole) {
  Snippet s(scalaLanguage(),
            R"scala(object O { val t = s"acme-prod:core_users.user_profile_v1$$$day" })scala");
  const auto d = s.decodeAt("s\"");
  ASSERT_TRUE(d);
  test::expectWellFormed(*d);
  EXPECT_EQ(d->value, "acme-prod:core_users.user_profile_v1$" + hole());
  const Strings from = sources(*d, s.src());
  EXPECT_EQ(from[from.size() - 2], "$$");
  EXPECT_EQ(from.back(), "<hole:$day>");
  ASSERT_EQ(d->pieces.size(), 1u);
  EXPECT_EQ(test::pieceTexts(*d, s.src()), Strings{"acme-prod:core_users.user_profile_v1$$"});
  EXPECT_EQ(style(d->pieces[0].style), "\" $");
  EXPECT_EQ(encodeLiteral(d->pieces[0].style, "acme-prod:core_users.user_profile_v1$"),
            "acme-prod:core_users.user_profile_v1$$");
}

TEST(ScalaTest, DollarQuoteIsAQuote) {
  Snippet s(scalaLanguage(), R"scala(object O { val t = s"a$"b" })scala");
  const auto d = s.decodeAt("s\"");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->value, "a\"b");
  EXPECT_EQ(sources(*d, s.src()), (Strings{"a", "$\"", "b"}));
}

TEST(ScalaTest, InterpolationResolvesConstants) {
  Snippet s(scalaLanguage(), R"scala(object O {
  val PROJECT = "acme-prod"
  val a = s"${PROJECT}.core_users"
  val b = s"$PROJECT.core_users.${table}"
  val c = s"${PROJECT.toLowerCase}.x"
  val d = s"a\tb$$"
  val e = s""
})scala");
  s.collectConstants();
  const auto a = s.decodeAt("s\"${PROJECT}");
  ASSERT_TRUE(a);
  test::expectWellFormed(*a);
  EXPECT_EQ(a->value, "acme-prod.core_users");
  EXPECT_EQ(test::pieceTexts(*a, s.src()), (Strings{"acme-prod", ".core_users"}));
  EXPECT_EQ(a->pieces[0].constant, "PROJECT");
  EXPECT_EQ(a->pieces[1].constant, "");
  EXPECT_EQ(style(a->pieces[1].style), "\" $");

  const auto b = s.decodeAt("s\"$PROJECT");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->value, "acme-prod.core_users." + hole());
  EXPECT_EQ(sources(*b, s.src()).back(), "<hole:${table}>");

  const auto c = s.decodeAt("s\"${PROJECT.");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->value, hole() + ".x");

  const auto d = s.decodeAt("s\"a");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->value, "a\tb$");
  EXPECT_EQ(sources(*d, s.src()), (Strings{"a", "\\t", "b", "$$"}));

  const auto e = s.decodeAt("s\"\"");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->value, "");
  EXPECT_EQ(e->pieces.size(), 1u);
}

TEST(ScalaTest, RawInterpolatorKeepsBackslashes) {
  Snippet s(scalaLanguage(), R"scala(object O { val r = raw"a\nb$x\d" })scala");
  const auto d = s.decodeAt("raw");
  ASSERT_TRUE(d);
  test::expectWellFormed(*d);
  EXPECT_EQ(d->value, "a\\nb" + hole() + "\\d");
  ASSERT_EQ(d->pieces.size(), 2u);
  EXPECT_EQ(style(d->pieces[0].style), "\" raw $");
  EXPECT_EQ(test::pieceTexts(*d, s.src()), (Strings{"a\\nb", "\\d"}));
}

TEST(ScalaTest, FormatInterpolatorHolesFormattedArguments) {
  Snippet s(scalaLanguage(), R"scala(object O {
  val P = "acme"
  val f1 = f"$x%2d-${P}%s-$P-100%%%n"
})scala");
  s.collectConstants();
  const auto d = s.decodeAt("f\"");
  ASSERT_TRUE(d);
  test::expectWellFormed(*d);
  EXPECT_EQ(d->value, hole() + "-acme-acme-100%\n");
  const Strings from = sources(*d, s.src());
  EXPECT_EQ(from[0], "<hole:$x%2d>");
  EXPECT_EQ(from[from.size() - 2], "%%");
  EXPECT_EQ(from.back(), "%n");
}

TEST(ScalaTest, UnknownInterpolatorIsOneHole) {
  Snippet s(scalaLanguage(), R"scala(object O { val q = sql"SELECT * FROM t" })scala");
  const auto d = s.decodeAt("sql");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->value, hole());
  EXPECT_TRUE(d->pieces.empty());
  EXPECT_EQ(sources(*d, s.src())[0], "<hole:sql\"SELECT * FROM t\">");
}

TEST(ScalaTest, StripMarginDropsMarginsFromTheValue) {
  const std::string src = "object O {\n"
                          "  val q = \"\"\"SELECT *\n"
                          "           |FROM `acme-prod.core_users.t`\n"
                          "    no margin here\n"
                          "           |WHERE 1\"\"\".stripMargin\n"
                          "}\n";
  Snippet s(scalaLanguage(), src);
  const TSNode node = s.stringAt("\"\"\"");
  ASSERT_FALSE(ts_node_is_null(node));
  EXPECT_EQ(std::string(ts_node_type(node)), "field_expression");
  const auto d = s.decodeAt("\"\"\"");
  ASSERT_TRUE(d);
  test::expectWellFormed(*d);
  EXPECT_EQ(d->value, "SELECT *\nFROM `acme-prod.core_users.t`\n    no margin here\nWHERE 1");
  EXPECT_EQ(d->srcBegin[d->value.find("FROM")], src.find("FROM"));
  EXPECT_EQ(d->srcBegin[d->value.find("WHERE")], src.find("WHERE"));
  EXPECT_EQ(d->srcBegin[d->value.find("    no")], src.find("    no"));
  ASSERT_EQ(d->pieces.size(), 1u);
  EXPECT_EQ(style(d->pieces[0].style), "\" triple raw");
}

TEST(ScalaTest, StripMarginWithCharacterAndInterpolation) {
  Snippet s(scalaLanguage(), "object O {\n"
                             "  val T = \"t\"\n"
                             "  val q = s\"\"\"a\\tb\n"
                             "    #c $T $x\"\"\".stripMargin('#')\n"
                             "  val r = \"\"\"x\n  |y\"\"\".stripMargin('\\t')\n"
                             "}\n");
  s.collectConstants();
  const auto q = s.decodeAt("s\"\"\"");
  ASSERT_TRUE(q);
  test::expectWellFormed(*q);
  EXPECT_EQ(q->value, "a\tb\nc t " + hole());
  EXPECT_EQ(style(q->pieces[0].style), "\" triple $");
  // A margin character this decoder does not read makes the value unknown.
  const auto r = s.decodeAt("\"\"\"x");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->value, hole());
}

TEST(ScalaTest, ConcatenationAndParentheses) {
  Snippet s(scalaLanguage(), R"scala(object O {
  val PROJECT = "acme-prod"
  val c = "a\tb" + PROJECT + ("x") + 1 + s"$y"
  val n = 1 + 2 + "z"
  val u = a + b
})scala");
  s.collectConstants();
  const auto c = s.decodeAt("\"a\\t");
  ASSERT_TRUE(c);
  test::expectWellFormed(*c);
  EXPECT_EQ(c->value, "a\tbacme-prodx" + hole() + hole());
  EXPECT_EQ(test::pieceTexts(*c, s.src()), (Strings{"a\\tb", "acme-prod", "x"}));
  const auto n = s.decodeAt("1 + 2");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->value, hole() + "z");
  const TSNode u = s.stringAt("a + b");
  EXPECT_TRUE(ts_node_is_null(u) || ts_node_start_byte(u) > s.src().find("a + b"));
}

TEST(ScalaTest, PlainLiteralsRoundTripThroughTheirStyle) {
  Snippet s(scalaLanguage(), R"scala(object O {
  val a = "acme-prod:core_users.user_profile_v1"
  val b = """gs://acme/path/{date}/$x"""
  val c = s"x$$y"
  val d = raw"a/d$$"
})scala");
  for (const char* marker : {"\"acme", "\"\"\"gs", "s\"x", "raw"}) {
    const auto d = s.decodeAt(marker);
    ASSERT_TRUE(d);
    ASSERT_EQ(d->pieces.size(), 1u);
    EXPECT_EQ(encodeLiteral(d->pieces[0].style, d->value), test::pieceTexts(*d, s.src())[0])
        << marker;
  }
}

TEST(ScalaTest, ConstantsQueryCapturesObjectAndTopLevelVals) {
  Snippet s(scalaLanguage(), R"scala(package com.acme

object Tables {
  val PROJECT = "acme-prod"
  private final val Dataset: String = PROJECT + ".core_users"
  def notAVal = "d"
  var mutable = "m"
  def f() = { val local = "l"; local }
}

class Job {
  val instance = "i"
}

val topLevel = "t"
)scala");
  ASSERT_FALSE(s.hasErrors());
  std::vector<std::pair<std::string, std::string>> found;
  for (const auto& [name, value] : s.queryConstants())
    found.emplace_back(name, std::string(s.text(value)));
  EXPECT_EQ(found, (std::vector<std::pair<std::string, std::string>>{
                       {"PROJECT", "\"acme-prod\""},
                       {"Dataset", "PROJECT + \".core_users\""},
                       {"topLevel", "\"t\""},
                   }));
  s.collectConstants();
  EXPECT_EQ(s.constants().at("Dataset").value, "acme-prod.core_users");
}

TEST(ScalaTest, ConstantsQueryCapturesPackageObjectAndScala3Vals) {
  Snippet s(scalaLanguage(), R"scala(package object jobs {
  val Bucket = "gs://acme"
}

object Colon:
  val Indented = "i"

package nested:
  val InPackage = "p"
)scala");
  ASSERT_FALSE(s.hasErrors());
  std::vector<std::string> names;
  for (const auto& [name, value] : s.queryConstants())
    names.push_back(name);
  EXPECT_EQ(names, (Strings{"Bucket", "Indented", "InPackage"}));
}

} // namespace
} // namespace godwit
