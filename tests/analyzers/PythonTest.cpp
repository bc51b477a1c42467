#include "analyzers/python/Python.h"

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

TEST(PythonTest, DescribesTheLanguage) {
  const TreeSitterLanguage& python = pythonLanguage();
  EXPECT_EQ(python.name, "python");
  EXPECT_EQ(python.identifierType, "identifier");
  EXPECT_NE(python.grammar(), nullptr);
  EXPECT_NE(python.constantsQuery.find("@value"), std::string_view::npos);
}

TEST(PythonTest, FStringResolvesKnownNamesAndHolesOthers) {
  const std::string src = "PROJECT = 'acme-prod'\n"
                          "DATASET = \"core_users\"\n"
                          "a = f\"{PROJECT}.{DATASET}.user_profile_v1\"\n"
                          "b = f\"{PROJECT}.{other}.user_profile_v1\"\n";
  Snippet s(pythonLanguage(), src);
  s.collectConstants();
  const auto a = s.decodeAt("f\"{PROJECT}.{D");
  ASSERT_TRUE(a);
  test::expectWellFormed(*a);
  EXPECT_EQ(a->value, "acme-prod.core_users.user_profile_v1");
  EXPECT_EQ(test::pieceTexts(*a, src),
            (Strings{"acme-prod", ".", "core_users", ".user_profile_v1"}));
  EXPECT_EQ(a->pieces[0].constant, "PROJECT");
  EXPECT_EQ(style(a->pieces[0].style), "'");
  EXPECT_EQ(a->pieces[1].constant, "");
  EXPECT_EQ(style(a->pieces[1].style), "\" {");
  EXPECT_EQ(a->pieces[2].constant, "DATASET");
  EXPECT_EQ(a->srcBegin[a->value.find(".user")], src.find(".user"));

  const auto b = s.decodeAt("f\"{PROJECT}.{o");
  ASSERT_TRUE(b);
  test::expectWellFormed(*b);
  EXPECT_EQ(b->value, "acme-prod." + hole() + ".user_profile_v1");
  EXPECT_EQ(sources(*b, src)[10], "<hole:{other}>");
}

TEST(PythonTest, ConversionsAndFormatSpecsAreHoles) {
  Snippet s(pythonLanguage(), "P = 'p'\n"
                              "x = f'{P!r}{P:>10}{P=}{ P }{P!s}{\"lit\"}{P.upper()}'\n");
  s.collectConstants();
  const auto d = s.decodeAt("f'");
  ASSERT_TRUE(d);
  test::expectWellFormed(*d);
  EXPECT_EQ(readable(d->value), "<?><?><?>pplit<?>");
}

TEST(PythonTest, DoubledBracesAreLiteralBraces) {
  Snippet s(pythonLanguage(), "x = f'{{a}}-{b}'\n");
  const auto d = s.decodeAt("f'");
  ASSERT_TRUE(d);
  test::expectWellFormed(*d);
  EXPECT_EQ(d->value, "{a}-" + hole());
  EXPECT_EQ(sources(*d, s.src()), (Strings{"{{", "a", "}}", "-", "<hole:{b}>"}));
  ASSERT_EQ(d->pieces.size(), 1u);
  EXPECT_EQ(style(d->pieces[0].style), "' {");
  EXPECT_EQ(encodeLiteral(d->pieces[0].style, "{a}-"), "{{a}}-");
}

TEST(PythonTest, ImplicitConcatenationIsOneValue) {
  Snippet s(pythonLanguage(), "x = (\"acme-prod.\"  # project\n     'core_users.t')\n");
  const TSNode node = s.stringAt("(");
  ASSERT_FALSE(ts_node_is_null(node));
  EXPECT_EQ(std::string(ts_node_type(node)), "parenthesized_expression");
  const auto d = s.decodeAt("(");
  ASSERT_TRUE(d);
  test::expectWellFormed(*d);
  EXPECT_EQ(d->value, "acme-prod.core_users.t");
  EXPECT_EQ(test::pieceTexts(*d, s.src()), (Strings{"acme-prod.", "core_users.t"}));
  EXPECT_EQ(style(d->pieces[0].style), "\"");
  EXPECT_EQ(style(d->pieces[1].style), "'");
}

TEST(PythonTest, RawAndBytesPrefixes) {
  Snippet s(pythonLanguage(), "a = rb'a\\nb\\''\n"
                              "b = Br\"x\\d\"\n"
                              "c = b'\\x41\\xff\\u00e9'\n"
                              "d = u'\\xe9'\n"
                              "e = R'{x}'\n");
  const auto a = s.decodeAt("a = ");
  ASSERT_TRUE(a);
  test::expectWellFormed(*a);
  EXPECT_EQ(a->value, "a\\nb\\'");
  EXPECT_EQ(style(a->pieces[0].style), "' raw");
  const auto b = s.decodeAt("b = ");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->value, "x\\d");
  EXPECT_EQ(style(b->pieces[0].style), "\" raw");
  // Bytes hold bytes: `\xff` is one byte, and `\u` is no escape there.
  const auto c = s.decodeAt("c = ");
  ASSERT_TRUE(c);
  test::expectWellFormed(*c);
  EXPECT_EQ(c->value, "A\xff\\u00e9");
  EXPECT_EQ(sources(*c, s.src())[1], "\\xff");
  // In str, `\xe9` is the code point U+00E9, two UTF-8 bytes.
  const auto d = s.decodeAt("d = ");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->value, "\xC3\xA9");
  EXPECT_EQ(sources(*d, s.src()), (Strings{"\\xe9", "\\xe9"}));
  const auto e = s.decodeAt("e = ");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->value, "{x}");
  EXPECT_EQ(style(e->pieces[0].style), "' raw");
}

TEST(PythonTest, DecodesEscapes) {
  Snippet s(pythonLanguage(), "x = 'a\\N{BULLET}\\d\\101\\u00e9\\U0001F600\\\n"
                              "b\\'\\t\\x4'\n");
  const auto d = s.decodeAt("'a");
  ASSERT_TRUE(d);
  test::expectWellFormed(*d);
  EXPECT_EQ(readable(d->value), "a<?>\\dA\xC3\xA9\xF0\x9F\x98\x80"
                                "b'\t<?>4");
  EXPECT_EQ(sources(*d, s.src()), (Strings{"a", "<hole:\\N{BULLET}>", "\\", "d", "\\101", "\\u00e9",
                                           "\\u00e9", "\\U0001F600", "\\U0001F600", "\\U0001F600",
                                           "\\U0001F600", "b", "\\'", "\\t", "<hole:\\x>", "4"}));
}

TEST(PythonTest, TripleQuotedStrings) {
  const std::string src = "a = \"\"\"acme-prod.\n'core'\"\"\"\n"
                          "b = '''x\r\ny'''\n";
  Snippet s(pythonLanguage(), src);
  const auto a = s.decodeAt("\"\"\"");
  ASSERT_TRUE(a);
  test::expectWellFormed(*a);
  EXPECT_EQ(a->value, "acme-prod.\n'core'");
  EXPECT_EQ(style(a->pieces[0].style), "\" triple");
  EXPECT_EQ(encodeLiteral(a->pieces[0].style, a->value), "acme-prod.\n'core'");
  const auto b = s.decodeAt("'''");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->value, "x\ny");
  EXPECT_EQ(sources(*b, src), (Strings{"x", "\r\n", "y"}));
  EXPECT_EQ(style(b->pieces[0].style), "' triple");
}

TEST(PythonTest, PlusConcatenationAndParentheses) {
  Snippet s(pythonLanguage(), "DATASET = 'core_users'\n"
                              "x = (\"acme-prod\" + \".\" + DATASET) + '.' + table + str(1)\n"
                              "y = a + b\n"
                              "z = DATASET + DATASET\n");
  s.collectConstants();
  const auto x = s.decodeAt("(\"acme");
  ASSERT_TRUE(x);
  test::expectWellFormed(*x);
  EXPECT_EQ(x->value, "acme-prod.core_users." + hole() + hole());
  EXPECT_EQ(test::pieceTexts(*x, s.src()), (Strings{"acme-prod", ".", "core_users", "."}));
  const Strings from = sources(*x, s.src());
  EXPECT_EQ(from[from.size() - 2], "<hole:table>");
  EXPECT_EQ(from.back(), "<hole:str(1)>");

  const TreeSitterLanguage& python = pythonLanguage();
  const auto at = [&](std::string_view text) {
    const auto begin = static_cast<uint32_t>(s.src().find(text));
    return ts_node_named_descendant_for_byte_range(s.root(), begin,
                                                   begin + static_cast<uint32_t>(text.size()));
  };
  EXPECT_FALSE(python.isStringExpression(at("a + b"), s.src()));
  EXPECT_FALSE(python.decode(at("a + b"), s.src(), s.resolver()));
  const auto z = python.decode(at("DATASET + DATASET"), s.src(), s.resolver());
  ASSERT_TRUE(z);
  EXPECT_EQ(z->value, "core_userscore_users");
}

TEST(PythonTest, PlainLiteralsRoundTripThroughTheirStyle) {
  Snippet s(pythonLanguage(), "a = 'acme-prod:core_users.user_profile_v1'\n"
                              "b = \"it's\"\n"
                              "c = r'gs://bucket/{x}'\n"
                              "d = f'{{x}}/gs://bucket'\n");
  for (const char* marker : {"'acme", "\"it", "r'", "f'"}) {
    const auto d = s.decodeAt(marker);
    ASSERT_TRUE(d);
    ASSERT_EQ(d->pieces.size(), 1u);
    EXPECT_EQ(encodeLiteral(d->pieces[0].style, d->value), test::pieceTexts(*d, s.src())[0])
        << marker;
  }
}

TEST(PythonTest, ConstantsQueryCapturesModuleLevelAssignments) {
  Snippet s(pythonLanguage(), R"py(PROJECT = "acme-prod"
TABLE: str = PROJECT + ".core_users.t"
a, b = "x", "y"
COUNT = 3
x.attr = "no"

def f():
    LOCAL = "l"

class C:
    FIELD = "c"

if True:
    NESTED = "n"
)py");
  ASSERT_FALSE(s.hasErrors());
  std::vector<std::pair<std::string, std::string>> found;
  for (const auto& [name, value] : s.queryConstants())
    found.emplace_back(name, std::string(s.text(value)));
  EXPECT_EQ(found, (std::vector<std::pair<std::string, std::string>>{
                       {"PROJECT", "\"acme-prod\""},
                       {"TABLE", "PROJECT + \".core_users.t\""},
                       {"COUNT", "3"},
                   }));
  s.collectConstants();
  EXPECT_EQ(s.constants().at("TABLE").value, "acme-prod.core_users.t");
  EXPECT_EQ(s.constants().count("COUNT"), 0u);
}

} // namespace
} // namespace godwit
