#include "analyzers/properties/Properties.h"

#include "tests/analyzers/ConfigTestSupport.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace godwit {
namespace {

using test::sources;
using test::values;
using Strings = std::vector<std::string>;

TEST(PropertiesTest, SeparatorsCommentsAndKeys) {
  const ConfigScan scan = scanProperties("a.b=one\n"
                                         "c: two\n"
                                         "d three\n"
                                         "  playback-events  =  four  \n"
                                         "# comment=playback-events\n"
                                         "! bang=playback-events\n"
                                         "empty=\n"
                                         "key\\=with\\:separators = five\n"
                                         "e==six\n");
  EXPECT_TRUE(scan.problems.empty());
  EXPECT_EQ(values(scan), (Strings{"one", "two", "three", "four  ", "five", "=six"}));
}

TEST(PropertiesTest, EscapesAndContinuationsMapToTheirSource) {
  const std::string src = "k = acme-prod.core_users.\\\n"
                          "      user_profile_v1\\tX\\u0041\\:\\\\\n";
  const ConfigScan scan = scanProperties(src);
  ASSERT_EQ(scan.values.size(), 1u);
  const DecodedString& d = scan.values[0].value;
  test::expectWellFormed(d);
  EXPECT_EQ(d.value, "acme-prod.core_users.user_profile_v1\tXA:\\");
  EXPECT_EQ(d.srcBegin[d.value.find("user")], src.find("user"));
  const Strings src0 = sources(d, src);
  EXPECT_EQ(src0[d.value.find('\t')], "\\t");
  EXPECT_EQ(src0[d.value.find('A', 30)], "\\u0041");
  EXPECT_EQ(src0.back(), "\\\\");
  EXPECT_EQ(d.pieces[0].style.syntax, LiteralSyntax::Properties);
  EXPECT_EQ(scan.values[0].begin, src.find("acme"));
}

TEST(PropertiesTest, CommentLinesNeverContinue) {
  EXPECT_EQ(values(scanProperties("# comment \\\nk=v\n")), (Strings{"v"}));
  // An even number of backslashes is an escaped backslash, not a continuation.
  EXPECT_EQ(values(scanProperties("a=x\\\\\nb=y\n")), (Strings{"x\\", "y"}));
}

TEST(PropertiesTest, CrlfAndBom) {
  const ConfigScan scan = scanProperties("\xEF\xBB\xBFtopic=playback-events\r\nb=c\\\r\n  d\r\n");
  EXPECT_EQ(values(scan), (Strings{"playback-events", "cd"}));
}

TEST(PropertiesTest, PlaceholdersAreHoles) {
  EXPECT_EQ(values(scanProperties("t=${gcp.project}.core_users.user_profile_v1\n")),
            (Strings{"<?>.core_users.user_profile_v1"}));
}

TEST(PropertiesTest, MalformedUnicodeEscapeIsTheSyntaxProblem) {
  const std::string src = "a=ok\ntopic=playback-events\\u00zz\n";
  const ConfigScan scan = scanProperties(src);
  ASSERT_EQ(scan.problems.size(), 1u);
  EXPECT_EQ(scan.problems[0].offset, src.find("\\u00zz"));
  EXPECT_EQ(test::firstProblem(scan), "malformed \\uXXXX escape");
}

} // namespace
} // namespace godwit
