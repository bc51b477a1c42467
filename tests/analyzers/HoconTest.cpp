#include "analyzers/hocon/Hocon.h"

#include "tests/analyzers/ConfigTestSupport.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace godwit {
namespace {

using test::sources;
using test::values;
using Strings = std::vector<std::string>;

TEST(HoconTest, FieldsObjectsArraysAndKeys) {
  const ConfigScan scan = scanHocon("include \"base.conf\"\n"
                                    "# comment: playback-events\n"
                                    "a.b.c = one // another comment\n"
                                    "\"playback-events\" : \"two\"\n"
                                    "obj {\n"
                                    "  user_profile_v1 = three, x = 4\n"
                                    "  inner { y = \"\"\"five\"\"\" }\n"
                                    "}\n"
                                    "list = [six, \"seven\"\n"
                                    "  eight\n"
                                    "]\n"
                                    "more += nine\n");
  EXPECT_EQ(test::firstProblem(scan), "");
  EXPECT_EQ(values(scan),
            (Strings{"one", "two", "three", "4", "five", "six", "seven", "eight", "nine"}));
}

TEST(HoconTest, RootBracesAndConcatenation) {
  const std::string src = "{\n"
                          "  sql = SELECT \"*\" FROM   acme-prod.core_users.t  # trailing\n"
                          "  t = ${project}\".core_users.user_profile_v1\"\n"
                          "  opt = ${?OVERRIDE}\n"
                          "}\n";
  const ConfigScan scan = scanHocon(src);
  EXPECT_EQ(test::firstProblem(scan), "");
  EXPECT_EQ(values(scan), (Strings{"SELECT * FROM   acme-prod.core_users.t",
                                   "<?>.core_users.user_profile_v1", "<?>"}));
  const DecodedString& sql = scan.values[0].value;
  test::expectWellFormed(sql);
  EXPECT_EQ(sql.srcBegin[sql.value.find("acme")], src.find("acme"));
  // Unquoted words, the blanks between them and each quoted string are separate pieces.
  EXPECT_EQ(test::pieceTexts(sql, src),
            (Strings{"SELECT", " ", "*", " ", "FROM", "   ", "acme-prod.core_users.t"}));
  EXPECT_EQ(sql.pieces[0].style.syntax, LiteralSyntax::HoconUnquoted);
  EXPECT_EQ(sql.pieces[2].style.syntax, LiteralSyntax::Code);
  EXPECT_EQ(scan.values[0].begin, src.find("SELECT"));
  EXPECT_EQ(scan.values[0].end, src.find(".t ") + 2);
}

TEST(HoconTest, SubstitutionsOfStringsDefinedOnceAreResolved) {
  const std::string src = "bq { project = \"acme-prod\" }\n"
                          "d = core_users\n"
                          "twice = a\n"
                          "twice = b\n"
                          "obj { x = 1 }\n"
                          "t = ${bq.project}.${d}\".user_profile_v1\"\n"
                          "u = ${twice}-${obj}-${?ENV}-${missing}\n";
  const ConfigScan scan = scanHocon(src);
  EXPECT_EQ(test::firstProblem(scan), "");
  const std::string hole = "<?>"; // how values() shows a hole
  EXPECT_EQ(values(scan), (Strings{"acme-prod", "core_users", "a", "b", "1",
                                   "acme-prod.core_users.user_profile_v1",
                                   hole + "-" + hole + "-" + hole + "-" + hole}));
  // The substituted bytes are the definition's, marked as written elsewhere.
  const DecodedString& t = scan.values[5].value;
  EXPECT_EQ(t.srcBegin[0], src.find("acme-prod"));
  const LiteralPiece& project = t.pieces[t.piece[0]];
  EXPECT_EQ(project.constant, "the value of `bq.project`");
  EXPECT_LT(project.constantUses, 0);
  EXPECT_TRUE(t.pieces[t.piece[t.value.size() - 1]].constant.empty());
}

TEST(HoconTest, QuotedEscapesAndTripleQuotes) {
  const std::string src = "a = \"x\\ty\\u0041\\\"\"\nb = \"\"\"raw \\n \"q\" \"\"\"\"\n";
  const ConfigScan scan = scanHocon(src);
  ASSERT_EQ(scan.values.size(), 2u);
  EXPECT_EQ(scan.values[0].value.value, "x\tyA\"");
  EXPECT_EQ(sources(scan.values[0].value, src)[3], "\\u0041");
  EXPECT_EQ(scan.values[1].value.value, "raw \\n \"q\" \"");
  EXPECT_TRUE(scan.values[1].value.pieces[0].style.raw);
  EXPECT_TRUE(scan.values[1].value.pieces[0].style.triple);
}

TEST(HoconTest, SyntaxProblems) {
  EXPECT_EQ(test::firstProblem(scanHocon("url = gs://acme-raw/events\n")),
            "reserved character `:` outside quotes (quote the value)");
  EXPECT_EQ(test::firstProblem(scanHocon("a {\n  b = 1\n")), "`{` is not closed");
  EXPECT_EQ(test::firstProblem(scanHocon("a = \"open\n")), "unterminated string");
  EXPECT_EQ(test::firstProblem(scanHocon("a b\n")), "expected `=`, `:` or `{` after the key");
  EXPECT_EQ(test::firstProblem(scanHocon("a = 1 }\n")),
            "expected a new line or `,` after the field");
  EXPECT_EQ(test::firstProblem(scanHocon("a = [1, 2\n")), "`[` is not closed");
  EXPECT_EQ(test::firstProblem(scanHocon("a = ${x\n")), "unterminated substitution `${`");
  EXPECT_TRUE(scanHocon("url = \"gs://acme-raw/events\"\n").problems.empty());
}

} // namespace
} // namespace godwit
