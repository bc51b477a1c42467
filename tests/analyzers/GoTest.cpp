#include "analyzers/go/Go.h"

#include "tests/analyzers/LanguageTestSupport.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace godwit {
namespace {

using test::readable;
using test::Snippet;

TEST(GoTest, DescribesTheLanguage) {
  const TreeSitterLanguage& go = goLanguage();
  EXPECT_EQ(go.name, "go");
  ASSERT_NE(go.grammar(), nullptr);
  // Debian's runtime loads ABI 14 only: the pinned grammar must be that.
  EXPECT_EQ(ts_language_version(go.grammar()), 14u);
}

TEST(GoTest, InterpretedStringsDecodeTheirEscapesThroughTheMap) {
  const std::string src =
      "package p\nvar a = \"x\\x41\\101\\u00e9\\U0001F600\\t\\\"\\q\"\n";
  Snippet s(goLanguage(), src);
  const auto d = s.decodeAt("\"x");
  ASSERT_TRUE(d);
  test::expectWellFormed(*d);
  EXPECT_EQ(readable(d->value), "xAA\xc3\xa9\xf0\x9f\x98\x80\t\"<?>");
  const size_t a = d->value.find('A');
  EXPECT_EQ(src.substr(d->srcBegin[a], d->srcEnd[a] - d->srcBegin[a]), "\\x41");
  EXPECT_EQ(d->pieces.front().style.quote, '"');
}

TEST(GoTest, RawStringsAreAsWrittenWithoutCarriageReturns) {
  const std::string src = "package p\nvar a = `SELECT \\n\r\nFROM t`\n";
  Snippet s(goLanguage(), src);
  ASSERT_FALSE(s.hasErrors());
  const auto d = s.decodeAt("`SELECT");
  ASSERT_TRUE(d);
  test::expectWellFormed(*d);
  EXPECT_EQ(d->value, "SELECT \\n\nFROM t");
  EXPECT_TRUE(d->pieces.front().style.raw);
  EXPECT_EQ(d->pieces.front().style.quote, '`');
}

TEST(GoTest, PackageConstantsWithOneNameAndOneValue) {
  const std::string src = "package p\n"
                          "const (\n\tProject = \"acme-prod\"\n\tTable string = Project + \".core_users.t\"\n"
                          "\tA, B = \"a\", \"b\"\n)\n"
                          "func f() { const local = \"x\"; _ = Table }\n";
  Snippet s(goLanguage(), src);
  ASSERT_FALSE(s.hasErrors());
  std::vector<std::string> names;
  for (const auto& [name, value] : s.queryConstants())
    names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"Project", "Table"}));
  s.collectConstants();
  const auto use = s.decodeAt("Project + ");
  ASSERT_TRUE(use);
  EXPECT_EQ(use->value, "acme-prod.core_users.t");
}

} // namespace
} // namespace godwit
