#include "analyzers/java/Java.h"

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

TEST(JavaTest, DescribesTheLanguage) {
  const TreeSitterLanguage& java = javaLanguage();
  EXPECT_EQ(java.name, "java");
  EXPECT_EQ(java.identifierType, "identifier");
  EXPECT_NE(java.grammar(), nullptr);
  EXPECT_NE(java.constantsQuery.find("@value"), std::string_view::npos);
}

TEST(JavaTest, PlainLiteralMapsEveryByteToItself) {
  Snippet s(javaLanguage(), R"java(class A { String x = "acme-prod.core_users"; })java");
  const auto d = s.decodeAt("\"acme");
  ASSERT_TRUE(d);
  test::expectWellFormed(*d);
  EXPECT_EQ(d->value, "acme-prod.core_users");
  const uint32_t content = static_cast<uint32_t>(s.src().find("acme"));
  for (uint32_t i = 0; i < d->value.size(); ++i) {
    EXPECT_EQ(d->srcBegin[i], content + i);
    EXPECT_EQ(d->srcEnd[i], content + i + 1);
    EXPECT_EQ(d->piece[i], 0);
  }
  ASSERT_EQ(d->pieces.size(), 1u);
  EXPECT_EQ(test::pieceTexts(*d, s.src()), Strings{"acme-prod.core_users"});
  EXPECT_EQ(style(d->pieces[0].style), "\"");
  EXPECT_EQ(encodeLiteral(d->pieces[0].style, d->value), "acme-prod.core_users");
}

TEST(JavaTest, EmptyLiteralHasOneEmptyPiece) {
  Snippet s(javaLanguage(), R"java(class A { String x = ""; })java");
  const auto d = s.decodeAt("\"\"");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->value, "");
  ASSERT_EQ(d->pieces.size(), 1u);
  EXPECT_EQ(d->pieces[0].begin, d->pieces[0].end);
}

TEST(JavaTest, DecodesEscapeSequences) {
  Snippet s(javaLanguage(), R"java(class A { String x = "a\tb\n\\\"\'\s\0\101\377\7x"; })java");
  const auto d = s.decodeAt("\"a");
  ASSERT_TRUE(d);
  test::expectWellFormed(*d);
  EXPECT_EQ(d->value, std::string("a\tb\n\\\"' ") + '\0' + "A\xC3\xBF\x07x");
  EXPECT_EQ(sources(*d, s.src()), (Strings{"a", "\\t", "b", "\\n", "\\\\", "\\\"", "\\'", "\\s",
                                           "\\0", "\\101", "\\377", "\\377", "\\7", "x"}));
}

TEST(JavaTest, DecodesUnicodeEscapes) {
  Snippet s(javaLanguage(),
            R"java(class A { String x = "t\u00e9\uuu0041\\u0041\uD83D\uDE00\u005cn"; })java");
  const auto d = s.decodeAt("\"t");
  ASSERT_TRUE(d);
  test::expectWellFormed(*d);
  EXPECT_EQ(d->value, "t\xC3\xA9"
                      "A\\u0041\xF0\x9F\x98\x80\n");
  EXPECT_EQ(sources(*d, s.src()),
            (Strings{"t", "\\u00e9", "\\u00e9", "\\uuu0041", "\\\\", "u", "0", "0", "4", "1",
                     "\\uD83D\\uDE00", "\\uD83D\\uDE00", "\\uD83D\\uDE00", "\\uD83D\\uDE00",
                     // A Unicode escape for `\` starts an escape sequence (JLS 3.3, 3.10.7).
                     "\\u005cn"}));
}

TEST(JavaTest, LoneSurrogateAndBadEscapeAreHoles) {
  Snippet s(javaLanguage(), R"java(class A { String x = "a\uD800b\qc"; })java");
  const auto d = s.decodeAt("\"a");
  ASSERT_TRUE(d);
  test::expectWellFormed(*d);
  EXPECT_EQ(readable(d->value), "a<?>b<?>c");
  EXPECT_EQ(sources(*d, s.src()), (Strings{"a", "<hole:\\uD800>", "b", "<hole:\\q>", "c"}));
}

TEST(JavaTest, TextBlockStripsIncidentalIndentation) {
  const std::string src = "class A {\n"
                          "  String q = \"\"\"\n"
                          "      SELECT *\n"
                          "        FROM `acme-prod.core_users.t` \\\n"
                          "      WHERE x = \"1\"\\t   \n"
                          "\n"
                          "      \"\"\";\n"
                          "}\n";
  Snippet s(javaLanguage(), src);
  const auto d = s.decodeAt("\"\"\"");
  ASSERT_TRUE(d);
  test::expectWellFormed(*d);
  EXPECT_EQ(d->value, "SELECT *\n  FROM `acme-prod.core_users.t` WHERE x = \"1\"\t\n\n");
  ASSERT_EQ(d->pieces.size(), 1u);
  EXPECT_EQ(style(d->pieces[0].style), "\" triple");
  const size_t open = src.find("\"\"\"");
  const size_t close = src.rfind("\"\"\"");
  EXPECT_EQ(d->pieces[0].begin, open + 3);
  EXPECT_EQ(d->pieces[0].end, close);
  // Kept bytes map to themselves; the escape to its two bytes; newlines to the source newline.
  const Strings from = sources(*d, src);
  const size_t select = d->value.find("SELECT");
  EXPECT_EQ(d->srcBegin[select], src.find("SELECT"));
  const size_t from0 = d->value.find("  FROM");
  EXPECT_EQ(d->srcBegin[from0], src.find("  FROM"));
  EXPECT_EQ(from[d->value.find('\t')], "\\t");
  EXPECT_EQ(from[d->value.find('\n')], "\n");
  EXPECT_EQ(d->srcBegin[d->value.find('W')], src.find("WHERE"));
}

TEST(JavaTest, TextBlockClosingDelimiterSetsIndentation) {
  Snippet s(javaLanguage(), "class A { String a = \"\"\"\n      x\n    \"\"\";\n"
                            "String b = \"\"\"\n    x\n    y\"\"\";\n"
                            "String c = \"\"\"\r\n  x\r\n  \"\"\"; }\n");
  const auto a = s.decodeAt("a = ");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->value, "  x\n");
  const auto b = s.decodeAt("b = ");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->value, "x\ny");
  const auto c = s.decodeAt("c = ");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->value, "x\n");
  EXPECT_EQ(sources(*c, s.src()), (Strings{"x", "\r\n"}));
}

TEST(JavaTest, ConcatenationResolvesConstantsAndHolesTheRest) {
  Snippet s(javaLanguage(), R"java(class A {
  static final String PROJECT = "acme-prod";
  private final static String DATASET = PROJECT + ".core_users";
  String x = DATASET + "." + "t" + n + foo();
  String y = 1 + 2 + "a";
})java");
  s.collectConstants();
  ASSERT_EQ(s.constants().count("DATASET"), 1u);
  EXPECT_EQ(s.constants().at("DATASET").value, "acme-prod.core_users");

  const auto x = s.decodeAt("DATASET + \"");
  ASSERT_TRUE(x);
  test::expectWellFormed(*x);
  EXPECT_EQ(x->value, "acme-prod.core_users.t" + hole() + hole());
  EXPECT_EQ(test::pieceTexts(*x, s.src()), (Strings{"acme-prod", ".core_users", ".", "t"}));
  // The innermost constant names a piece: `acme-prod` is PROJECT's literal, reached via DATASET.
  EXPECT_EQ(x->pieces[0].constant, "PROJECT");
  EXPECT_EQ(x->pieces[1].constant, "DATASET");
  EXPECT_EQ(x->pieces[2].constant, "");
  const Strings from = sources(*x, s.src());
  EXPECT_EQ(from[from.size() - 2], "<hole:n>");
  EXPECT_EQ(from.back(), "<hole:foo()>");

  // `1 + 2` is an int addition before the string concatenation starts.
  const auto y = s.decodeAt("1 + 2");
  ASSERT_TRUE(y);
  EXPECT_EQ(y->value, hole() + "a");
  EXPECT_EQ(sources(*y, s.src())[0], "<hole:1 + 2>");
}

TEST(JavaTest, ParenthesesAndIdentifiers) {
  Snippet s(javaLanguage(), R"java(class A {
  static final String P = "p";
  Object o = ("a" + ("b")) + P;
  Object i = P;
  Object j = Q;
  Object k = a + b;
  Object l = 1 + 2;
  Object m = P + P;
})java");
  s.collectConstants();
  const auto o = s.decodeAt("(\"a\"");
  ASSERT_TRUE(o);
  test::expectWellFormed(*o);
  EXPECT_EQ(o->value, "abp");
  EXPECT_EQ(o->pieces.size(), 3u);

  // The named node spanning the first `length` bytes of `marker`'s first occurrence.
  const auto find = [&](std::string_view marker, size_t length = std::string_view::npos) {
    const auto at = static_cast<uint32_t>(s.src().find(marker));
    const auto size = static_cast<uint32_t>(std::min(length, marker.size()));
    return ts_node_named_descendant_for_byte_range(s.root(), at, at + size);
  };
  const TreeSitterLanguage& java = javaLanguage();
  const TSNode i = find("P;\n  Object j", 1);
  ASSERT_EQ(std::string(ts_node_type(i)), "identifier");
  EXPECT_FALSE(java.isStringExpression(i, s.src()));
  const auto iv = java.decode(i, s.src(), s.resolver());
  ASSERT_TRUE(iv);
  EXPECT_EQ(iv->value, "p");
  EXPECT_EQ(iv->pieces[0].constant, "P");
  EXPECT_FALSE(java.decode(find("Q"), s.src(), s.resolver()));

  const TSNode k = find("a + b");
  EXPECT_FALSE(java.isStringExpression(k, s.src()));
  EXPECT_FALSE(java.decode(k, s.src(), s.resolver()));
  EXPECT_FALSE(java.isStringExpression(find("1 + 2"), s.src()));
  EXPECT_FALSE(java.decode(find("1 + 2"), s.src(), s.resolver()));
  // Both operands are String constants, so this is a concatenation.
  const TSNode m = find("P + P");
  EXPECT_FALSE(java.isStringExpression(m, s.src()));
  const auto mv = java.decode(m, s.src(), s.resolver());
  ASSERT_TRUE(mv);
  EXPECT_EQ(mv->value, "pp");
}

TEST(JavaTest, OutermostConcatenationIsTheStringExpression) {
  Snippet s(javaLanguage(), R"java(class A { Object o = foo("a" + "b", "c"); })java");
  const TSNode node = s.stringAt("\"a\"");
  ASSERT_FALSE(ts_node_is_null(node));
  EXPECT_EQ(s.text(node), "\"a\" + \"b\"");
}

TEST(JavaTest, TemplateArgumentsAreHoles) {
  Snippet s(javaLanguage(), R"java(class A { Object o = STR."x\{a.b()}y"; })java");
  const auto d = s.decodeAt("\"x");
  ASSERT_TRUE(d);
  test::expectWellFormed(*d);
  EXPECT_EQ(readable(d->value), "x<?>y");
  EXPECT_EQ(sources(*d, s.src())[1], "<hole:\\{a.b()}>");
}

TEST(JavaTest, PlainLiteralsRoundTripThroughTheirStyle) {
  Snippet s(javaLanguage(), R"java(class A {
  String a = "acme-prod:core_users.user_profile_v1";
  String b = "gs://acme-bucket/path/{date}/$x";
  String c = "it's";
})java");
  for (const char* marker : {"\"acme", "\"gs:", "\"it"}) {
    const auto d = s.decodeAt(marker);
    ASSERT_TRUE(d);
    ASSERT_EQ(d->pieces.size(), 1u);
    const auto content = test::pieceTexts(*d, s.src())[0];
    EXPECT_EQ(encodeLiteral(d->pieces[0].style, d->value), content);
  }
}

TEST(JavaTest, ConstantsQueryCapturesStaticFinalStrings) {
  Snippet s(javaLanguage(), R"java(
interface Names { String TABLE = "t"; int COUNT = 1; }
class A {
  public static final String PROJECT = "acme-prod";
  @Deprecated final static String LEGACY = "old", OTHER = PROJECT + ".x";
  static String MUTABLE = "m";
  final String INSTANCE = "i";
  static final int N = 3;
  void f() { final String LOCAL = "l"; }
  enum E { X; static final String IN_ENUM = "e"; }
})java");
  ASSERT_FALSE(s.hasErrors());
  std::vector<std::pair<std::string, std::string>> found;
  for (const auto& [name, value] : s.queryConstants())
    found.emplace_back(name, std::string(s.text(value)));
  EXPECT_EQ(found, (std::vector<std::pair<std::string, std::string>>{
                       {"TABLE", "\"t\""},
                       {"PROJECT", "\"acme-prod\""},
                       {"LEGACY", "\"old\""},
                       {"OTHER", "PROJECT + \".x\""},
                       {"IN_ENUM", "\"e\""},
                   }));
}

} // namespace
} // namespace godwit
