#include "rules/Glob.h"

#include <gtest/gtest.h>

namespace godwit {
namespace {

bool match(std::string_view glob, std::string_view path) {
  auto g = Glob::compile(glob);
  EXPECT_TRUE(g) << glob << ": " << (g ? "" : g.error().message);
  return g && g->matches(path);
}

TEST(GlobTest, StarsQuestionMarksAndFolders) {
  EXPECT_TRUE(match("*.py", "a/b/c.py")); // no `/`: the file name alone
  EXPECT_FALSE(match("*.py", "a/b/c.pyc"));
  EXPECT_TRUE(match("src/*.py", "src/c.py"));
  EXPECT_FALSE(match("src/*.py", "src/x/c.py"));
  EXPECT_TRUE(match("src/?.py", "src/c.py"));
  EXPECT_FALSE(match("src/?.py", "src//.py"));
  EXPECT_TRUE(match("**/generated/**", "generated/x.py"));
  EXPECT_TRUE(match("**/generated/**", "a/b/generated/c/x.py"));
  EXPECT_FALSE(match("**/generated/**", "a/notgenerated/x.py"));
  EXPECT_TRUE(match("a/**/b", "a/b"));
  EXPECT_TRUE(match("a/**/b", "a/x/y/b"));
  EXPECT_FALSE(match("a/**/b", "a/xb"));
  EXPECT_TRUE(match("a/**", "a/x/y"));
  EXPECT_TRUE(match("src/a**", "src/a/x")); // `**` inside a name spans folders too
  EXPECT_TRUE(match("**/b", "b"));
  EXPECT_FALSE(match("**/b", "ab"));
}

TEST(GlobTest, ClassesAndEscapes) {
  EXPECT_TRUE(match("src/[abc].py", "src/b.py"));
  EXPECT_FALSE(match("src/[abc].py", "src/d.py"));
  EXPECT_TRUE(match("src/[a-c].py", "src/b.py"));
  EXPECT_TRUE(match("src/[!a-c].py", "src/d.py"));
  EXPECT_FALSE(match("src/[!a-c].py", "src/b.py"));
  EXPECT_FALSE(match("src[!a]x", "src/x")); // a class never matches `/`
  EXPECT_TRUE(match("src/[]]", "src/]"));
  EXPECT_TRUE(match("src/\\*", "src/*"));
  EXPECT_FALSE(match("src/\\*", "src/a"));
}

TEST(GlobTest, GlobsThatCannotBeParsedAreErrorsWithAColumn) {
  for (const auto& [glob, column, message] : std::vector<std::tuple<std::string, int, std::string>>{
           {"", 1, "it is empty"},
           {"/abs/**", 1, "it starts with `/`"},
           {"src/[ab", 5, "`[` is never closed"},
           {"src/[]", 5, "`[` is never closed"},
           {"src/[z-a]", 7, "the range `z-a` is reversed"},
           {"src/***", 5, "`***` is not a pattern"},
           {"src\\", 4, "it ends with `\\`"},
           {"a[/]b", 3, "a `[...]` class cannot match `/`"},
       }) {
    auto g = Glob::compile(glob);
    ASSERT_FALSE(g) << glob;
    EXPECT_EQ(g.error().message, "invalid glob `" + glob + "`: " + message);
    EXPECT_EQ(g.error().column, column) << glob;
    EXPECT_FALSE(g.error().hint.empty());
  }
}

TEST(GlobTest, ManyDeepStarsStayLinear) {
  std::string glob, path = "a";
  for (int i = 0; i < 64; ++i)
    glob += "**/a/";
  glob += "**/b";
  for (int i = 0; i < 2000; ++i)
    path += "/a";
  auto g = Glob::compile(glob);
  ASSERT_TRUE(g);
  EXPECT_FALSE(g->matches(path)); // a backtracking matcher never returns from this
  EXPECT_TRUE(g->matches(path + "/b"));
}

} // namespace
} // namespace godwit
