#include "analyzers/kotlin/Kotlin.h"

#include "tests/analyzers/LanguageTestSupport.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace godwit {
namespace {

using test::readable;
using test::Snippet;

TEST(KotlinTest, DescribesTheLanguage) {
  const TreeSitterLanguage& kotlin = kotlinLanguage();
  EXPECT_EQ(kotlin.name, "kotlin");
  ASSERT_NE(kotlin.grammar(), nullptr);
  // Debian's runtime loads ABI 14 only: the pinned grammar must be that.
  EXPECT_EQ(ts_language_version(kotlin.grammar()), 14u);
}

TEST(KotlinTest, StringsDecodeTheirEscapesThroughTheMap) {
  const std::string src = "val a = \"x\\u0041\\t\\\"\\$y\\q\"\n";
  Snippet s(kotlinLanguage(), src);
  const auto d = s.decodeAt("\"x");
  ASSERT_TRUE(d);
  test::expectWellFormed(*d);
  EXPECT_EQ(readable(d->value), "xA\t\"$y<?>");
  const size_t a = d->value.find('A');
  EXPECT_EQ(src.substr(d->srcBegin[a], d->srcEnd[a] - d->srcBegin[a]), "\\u0041");
  EXPECT_EQ(d->pieces.front().style.syntax, LiteralSyntax::Kotlin);
  EXPECT_FALSE(d->pieces.front().style.raw);
}

TEST(KotlinTest, RawStringsHaveNoEscapesAndDollarIsACharacterTemplate) {
  const std::string src = "val q = \"\"\"a\\n ${'$'}{day}\"\"\"\n";
  Snippet s(kotlinLanguage(), src);
  ASSERT_FALSE(s.hasErrors());
  const auto d = s.decodeAt("\"\"\"a");
  ASSERT_TRUE(d);
  test::expectWellFormed(*d);
  EXPECT_EQ(d->value, "a\\n ${day}");
  EXPECT_TRUE(d->pieces.front().style.raw);
  EXPECT_TRUE(d->pieces.front().style.triple);
}

TEST(KotlinTest, TemplatesResolveConstantsAndAreHolesOtherwise) {
  const std::string src = "const val PROJECT = \"acme-prod\"\n"
                          "object Tables {\n  const val USERS = \"users\"\n}\n"
                          "fun f(day: String) = listOf(\"$PROJECT.d.${Tables.USERS}\", "
                          "\"gs://b/$day/x\", \"${day.trim()}!\")\n";
  Snippet s(kotlinLanguage(), src);
  ASSERT_FALSE(s.hasErrors());
  s.collectConstants();
  const auto both = s.decodeAt("\"$PROJECT");
  ASSERT_TRUE(both);
  // A member of an object is followed only across files (RepoConstants), not yet in its own.
  EXPECT_EQ(readable(both->value), "acme-prod.d.<?>");
  const auto path = s.decodeAt("\"gs://");
  ASSERT_TRUE(path);
  test::expectWellFormed(*path);
  EXPECT_EQ(readable(path->value), "gs://b/<?>/x");
  const auto call = s.decodeAt("\"${day");
  ASSERT_TRUE(call);
  EXPECT_EQ(readable(call->value), "<?>!");
}

TEST(KotlinTest, ConstantsAreValsOfTheFileAndItsObjects) {
  const std::string src = "const val A = \"a\"\n"
                          "val B: String = \"b\"\n"
                          "var C = \"c\"\n"
                          "object O {\n  val D = \"d\"\n}\n"
                          "class K {\n  val E = \"e\"\n  companion object {\n    const val F = \"f\"\n  }\n}\n"
                          "fun f() {\n  val G = \"g\"\n}\n";
  Snippet s(kotlinLanguage(), src);
  ASSERT_FALSE(s.hasErrors());
  std::vector<std::string> names;
  for (const auto& [name, value] : s.queryConstants())
    names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"A", "B", "D", "F"}));
}

TEST(KotlinTest, ImportsAndPackagesAreNoValues) {
  const std::string src = "package a.b\nimport c.d\nval x = \"a\" + (\"b\")\n";
  Snippet s(kotlinLanguage(), src);
  ASSERT_FALSE(s.hasErrors());
  const auto d = s.decodeAt("\"a\" +");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->value, "ab");
}

TEST(KotlinTest, ANewDollarIsEscapedAndRefusedInRawStrings) {
  LiteralStyle plain{'"', false, false, 0, LiteralSyntax::Kotlin};
  EXPECT_EQ(encodeLiteral(plain, "a$b\"c"), std::optional<std::string>("a\\$b\\\"c"));
  LiteralStyle raw{'"', true, true, 0, LiteralSyntax::Kotlin};
  EXPECT_EQ(encodeLiteral(raw, "a$b"), std::nullopt);
  EXPECT_EQ(encodeLiteral(raw, "ab"), std::optional<std::string>("ab"));
}

} // namespace
} // namespace godwit
