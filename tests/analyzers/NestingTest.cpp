// The nesting limit's count over bytes, and the decoders' depth (analyzers/Nesting.h).
#include "analyzers/Nesting.h"
#include "analyzers/java/Java.h"
#include "tests/analyzers/LanguageTestSupport.h"

#include <gtest/gtest.h>

#include <string>

namespace godwit {
namespace {

std::string repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i)
    out += s;
  return out;
}

TEST(NestingTest, BracketsCountInEveryLanguageAndTheOffsetIsWhereTheLimitIsPassed) {
  EXPECT_EQ(tooDeeplyNested("json", repeat("[", 3) + repeat("]", 3), 3), std::nullopt);
  EXPECT_EQ(tooDeeplyNested("json", repeat("[", 4) + repeat("]", 4), 3), 3u);
  EXPECT_EQ(tooDeeplyNested("java", "x = ({[(1)]});", 3), 7u);
  // Closing brackets close whatever is open, and never below zero.
  EXPECT_EQ(tooDeeplyNested("java", repeat(")", 10) + repeat("(]", 10) + "((", 3), std::nullopt);
}

TEST(NestingTest, XmlElementsAndIndentedBlocksCount) {
  EXPECT_EQ(tooDeeplyNested("xml", "<a><b/><c></c><!-- x --><?p?></a>", 2), std::nullopt);
  EXPECT_EQ(tooDeeplyNested("xml", "<a><b><c/></b></a>", 1), 3u);
  EXPECT_EQ(tooDeeplyNested("json", "<a><b><c/></b></a>", 1), std::nullopt);
  const std::string blocks = "if a:\n  if b:\n    if c:\n      pass\nx = 1\n";
  EXPECT_EQ(tooDeeplyNested("python", blocks, 3), std::nullopt);
  EXPECT_EQ(tooDeeplyNested("python", blocks, 2), blocks.find("pass"));
  EXPECT_EQ(tooDeeplyNested("yaml", "a:\n  b:\n   c: [1]\n", 2), 14u); // 2 blocks + `[`
  EXPECT_EQ(tooDeeplyNested("java", blocks, 2), std::nullopt);
}

TEST(NestingTest, CppCountsOperatorsPerStatementOutsideCommentsAndLiterals) {
  EXPECT_EQ(tooDeeplyNested("cpp", "int y = a" + repeat(" + a", 30) + ";", 3), std::nullopt);
  EXPECT_EQ(tooDeeplyNested("cpp", "int y = a" + repeat(" + a", 31) + ";", 3), 130u);
  EXPECT_EQ(tooDeeplyNested("cpp", repeat("int y = a + a;\n", 100), 3), std::nullopt);
  EXPECT_EQ(tooDeeplyNested("cpp",
                            "/*" + repeat("*", 100) + "*/ // " + repeat("-", 100) + "\nauto s = \"" +
                                repeat("+", 100) + "\\\"+\"; char c = '+';",
                            3),
            std::nullopt);
  const std::string nul = "int y = 1;" + std::string(100, '\0');
  EXPECT_EQ(tooDeeplyNested("cpp", nul, 3), std::nullopt);
}

TEST(NestingTest, NotesNameTheLimitAndWhere) {
  EXPECT_EQ(nestingNote("f.json", "{\n [[", 4, 1).str(),
            "f.json:1:1: error: not analyzed: skipped: nesting deeper than 1 levels (first at "
            "2:3)\n  hint: a file this deeply nested is generated or pathological; migrate it by "
            "hand if it holds a reference");
  EXPECT_NE(nestingNote("A.java", "", std::nullopt).message.find(
                "(an expression of more than 500 operands)"),
            std::string::npos);
}

TEST(NestingTest, DecodersStopAtTheLimitAndTheWatchSaysSo) {
  const std::string t = "\"acme-prod.core_users.user_profile_v1\"";
  const test::Snippet under(javaLanguage(), "class A { String y = " + t +
                                                repeat(" + \", \"", kMaxNesting - 10) + "; }");
  const test::Snippet over(javaLanguage(), "class A { String y = " + t +
                                               repeat(" + \", \"", 20000) + "; }");
  {
    const DecodeDepthWatch watch;
    const auto value = under.decodeAt(t);
    ASSERT_TRUE(value);
    EXPECT_EQ(value->value.find("acme-prod"), 0u);
    EXPECT_FALSE(watch.exceeded());
  }
  const DecodeDepthWatch watch;
  const auto value = over.decodeAt(t); // 20,000 levels: the stack would run out
  ASSERT_TRUE(value);
  EXPECT_EQ(value->value.find("acme-prod"), std::string::npos); // a hole, not a guess
  EXPECT_TRUE(watch.exceeded());
}

} // namespace
} // namespace godwit
