#include "analyzers/toml/Toml.h"

#include "tests/analyzers/ConfigTestSupport.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace godwit {
namespace {

using test::sources;
using test::values;
using Strings = std::vector<std::string>;

TEST(TomlTest, StringValuesInTablesArraysAndInlineTables) {
  const ConfigScan scan = scanToml("# top\n"
                                   "title = \"one\"\n"
                                   "\"playback-events\" = 'two'\n"
                                   "[sink.\"user_profile_v1\"]\n"
                                   "topics = [\n"
                                   "  \"three\", # a comment\n"
                                   "  'four',\n"
                                   "]\n"
                                   "[[jobs]]\n"
                                   "opts = { table = \"five\", n = 3, nested = { x = 'six' } }\n"
                                   "n = 1_000\n"
                                   "f = -1.5e3\n"
                                   "when = 1979-05-27 07:32:00Z\n"
                                   "day = 1979-05-27\n"
                                   "ok = true\n");
  EXPECT_EQ(test::firstProblem(scan), "");
  EXPECT_EQ(values(scan), (Strings{"one", "two", "three", "four", "five", "six"}));
}

TEST(TomlTest, BasicStringEscapesMapToTheirSource) {
  const std::string src = "t = \"acme-prod.core_users.\\u0075ser\\t\\\"x\\\"\"\n";
  const ConfigScan scan = scanToml(src);
  ASSERT_EQ(scan.values.size(), 1u);
  const DecodedString& d = scan.values[0].value;
  test::expectWellFormed(d);
  EXPECT_EQ(d.value, "acme-prod.core_users.user\t\"x\"");
  EXPECT_EQ(sources(d, src)[21], "\\u0075");
  EXPECT_EQ(d.pieces[0].style.quote, '"');
  EXPECT_FALSE(d.pieces[0].style.raw);
  EXPECT_EQ(scan.values[0].begin, src.find('"'));
}

TEST(TomlTest, MultiLineStrings) {
  const std::string src = "a = \"\"\"\n"
                          "SELECT * FROM \\\n"
                          "     acme-prod.core_users.t\"\"\"\"\n"
                          "b = '''\r\n"
                          "raw \\n acme'''\n";
  const ConfigScan scan = scanToml(src);
  EXPECT_EQ(test::firstProblem(scan), "");
  ASSERT_EQ(scan.values.size(), 2u);
  const DecodedString& a = scan.values[0].value;
  test::expectWellFormed(a);
  EXPECT_EQ(a.value, "SELECT * FROM acme-prod.core_users.t\"");
  EXPECT_EQ(a.srcBegin[a.value.find("acme")], src.find("acme"));
  EXPECT_TRUE(a.pieces[0].style.triple);
  const DecodedString& b = scan.values[1].value;
  EXPECT_EQ(b.value, "raw \\n acme");
  EXPECT_TRUE(b.pieces[0].style.raw);
  EXPECT_EQ(b.pieces[0].style.quote, '\'');
}

TEST(TomlTest, SyntaxProblems) {
  EXPECT_EQ(test::firstProblem(scanToml("topic = playback-events\n")),
            "a string value needs quotes");
  EXPECT_EQ(test::firstProblem(scanToml("t = \"open\nu = 1\n")), "unterminated string");
  EXPECT_EQ(test::firstProblem(scanToml("t \"x\"\n")), "expected `=` after the key");
  EXPECT_EQ(test::firstProblem(scanToml("t = \"x\" \"y\"\n")), "expected the end of the line");
  EXPECT_EQ(test::firstProblem(scanToml("t = [\"x\" \"y\"]\n")),
            "expected `,` or `]` in the array");
  EXPECT_EQ(test::firstProblem(scanToml("t = \"\\q\"\n")), "invalid escape");
  EXPECT_EQ(test::firstProblem(scanToml("[table\n")), "expected `]` after the table name");
  const std::string src = "a = 1\nb = '''never closed\n";
  const ConfigScan scan = scanToml(src);
  ASSERT_EQ(scan.problems.size(), 1u);
  EXPECT_EQ(scan.problems[0].offset, src.find("'''"));
  EXPECT_TRUE(scan.values.empty());
}

TEST(TomlTest, PlaceholdersAreHoles) {
  EXPECT_EQ(values(scanToml("t = \"${project}.core_users.t\"\n")), (Strings{"<?>.core_users.t"}));
}

} // namespace
} // namespace godwit
