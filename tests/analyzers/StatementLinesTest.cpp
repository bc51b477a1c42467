#include "analyzers/StatementLines.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace godwit {
namespace {

/// The 0-based lines of `text` that StatementLines may skip.
std::vector<size_t> blankable(StatementStyle style, const std::string& text) {
  StatementLines lines(style, text);
  std::vector<size_t> out;
  size_t count = 1;
  for (char c : text)
    count += c == '\n';
  for (size_t i = 0; i < count; ++i)
    if (lines.blankable(i))
      out.push_back(i);
  return out;
}

using Lines = std::vector<size_t>;

TEST(StatementLines, JavaSkipsWholeStatementsOnly) {
  const std::string java = R"(package a;                                   // 0
class Job {                                                  // 1
  static final String T = "acme-prod.core_users.t";          // 2
  void run() {                                               // 3
    int n = 1;                                               // 4
    String q = "a" +                                         // 5
        "b";                                                 // 6
    if (n > 0)                                               // 7
      log(q);                                                // 8
    pipeline.apply(read(                                     // 9
        "x"));                                               // 10
    foo(() -> {                                              // 11
      bar();                                                 // 12
    });                                                      // 13
    String s = "a;b"; /* ; */ char c = ';';                  // 14
    return;                                                  // 15
  }
}
)";
  // 2 is a field, 4 a statement, 12 a statement in a lambda's block, 14 two statements on one
  // line; 6 and 8 continue the lines above, 10 is inside parentheses, 15 starts with a keyword.
  EXPECT_EQ(blankable(StatementStyle::Java, java), (Lines{2, 4, 12, 14}));
}

TEST(StatementLines, JavaTextBlocksAndCommentsAreNotCode) {
  const std::string java = "class A {\n"
                           "  String q = \"\"\"\n"
                           "      x = 1;\n"
                           "      \"\"\";\n"
                           "  /* y = 2;\n"
                           "     z = 3; */\n"
                           "  int w = 4;\n"
                           "  int v = 5;\n"
                           "}\n";
  // Only 7: 1–5 are inside the text block or the comment, and 6 follows the comment's last line,
  // which is not known to end a statement.
  EXPECT_EQ(blankable(StatementStyle::Java, java), (Lines{7}));
}

TEST(StatementLines, ScalaNeedsNeighboursThatCannotContinueTheStatement) {
  const std::string scala = R"(object Job {
  val a = 1
  val b = sc.textFile("in")
    .map(_.trim)
  val c = x +
    y
  if (a > 0)
    println(a)
  val d = s"${a} and $b"
  val e = """multi
    line"""
  foo { x =>
    bar(x)
  }
  val f = 2
}
)";
  // 1 and 14 stand alone; 2 is continued by `.map`, 4 ends with `+`, 7 is the body of `if`,
  // 8 holds an interpolation and stands alone; 12 follows `=>`.
  EXPECT_EQ(blankable(StatementStyle::Scala, scala), (Lines{1, 8, 14}));
}

TEST(StatementLines, PythonSkipsSimpleLogicalLines) {
  const std::string python = R"(import os
PROJECT = "acme-prod"
TABLE = (PROJECT +
         ".t")
x = 1 + \
    2
def f():
    y = f"{PROJECT}"
    return y
s = '''a
b'''
print(x)  # done
)";
  // 1, 7 and 11 are simple statements; 0 and 8 start with keywords, 2 opens a parenthesis, 4
  // continues with a backslash, 9 opens a string.
  EXPECT_EQ(blankable(StatementStyle::Python, python), (Lines{1, 7, 11}));
}

TEST(StatementLines, LinesWithEscapesAreParsed) {
  // `\u005f` is `_`: the line may name a dataset the prefilter did not see.
  const std::string java = "class A {\n"
                           "  String a = \"acme-prod.core_users.user\\u005fprofile_v1\";\n"
                           "  String b = \"plain\";\n"
                           "}\n";
  EXPECT_EQ(blankable(StatementStyle::Java, java), (Lines{2}));
}

TEST(StatementLines, UnderstandsNothingOfAnUnterminatedString) {
  EXPECT_EQ(blankable(StatementStyle::Java, "class A {\n  int a = 1;\n  String s = \"open;\n}\n"),
            Lines{});
  EXPECT_EQ(blankable(StatementStyle::None, "int a = 1;\n"), Lines{});
}

TEST(StatementLines, KeepsHitsAndMentions) {
  const std::string scala = "object T {\n"
                            "  val Project = \"acme-prod\"\n"
                            "  val Other = \"o\"\n"
                            "  val Table = s\"$Project.core_users.t\"\n"
                            "  val Uses = s\"$Project$$x\"\n"
                            "}\n";
  StatementLines lines(StatementStyle::Scala, scala);
  lines.keepAt(scala.find("core_users"));
  EXPECT_TRUE(lines.blanksAny());
  EXPECT_TRUE(lines.keepMentions("Project"));  // lines 1 and 4
  EXPECT_FALSE(lines.keepMentions("Project")); // nothing new
  EXPECT_FALSE(lines.keepMentions("Proj"));    // not a whole word
  EXPECT_TRUE(lines.blanksAny());              // `Other` is still skipped
  EXPECT_EQ(lines.skippedBytes(), std::string_view("  val Other = \"o\"").size());

  // The parser reads every line but `Other`, of which only the line break.
  const std::vector<TSRange> ranges = lines.includedRanges();
  ASSERT_EQ(ranges.size(), 2u);
  const uint32_t other = static_cast<uint32_t>(scala.find("  val Other"));
  const uint32_t otherBreak = static_cast<uint32_t>(scala.find('\n', other));
  EXPECT_EQ(ranges[0].start_byte, 0u);
  EXPECT_EQ(ranges[0].end_byte, other);
  EXPECT_EQ(ranges[1].start_byte, otherBreak);
  EXPECT_EQ(ranges[1].start_point.row, 2u);
  EXPECT_EQ(ranges[1].start_point.column, otherBreak - other);
  EXPECT_EQ(ranges[1].end_byte, scala.size());

  EXPECT_TRUE(lines.keepMentions("Other"));
  EXPECT_FALSE(lines.blanksAny());
  EXPECT_EQ(lines.skippedBytes(), 0u);
}

TEST(StatementLines, CrlfKeepsTheWholeLineBreak) {
  const std::string java = "class A {\r\n  int a = 1;\r\n  int b = 2;\r\n}\r\n";
  StatementLines lines(StatementStyle::Java, java);
  lines.keepAt(java.find("int b"));
  const std::vector<TSRange> ranges = lines.includedRanges();
  ASSERT_EQ(ranges.size(), 2u);
  EXPECT_EQ(java.substr(ranges[0].start_byte, ranges[0].end_byte - ranges[0].start_byte),
            "class A {\r\n");
  EXPECT_EQ(java.substr(ranges[1].start_byte, ranges[1].end_byte - ranges[1].start_byte),
            "\r\n  int b = 2;\r\n}\r\n");
}

} // namespace
} // namespace godwit
