#include "analyzers/json/Json.h"

#include "tests/analyzers/ConfigTestSupport.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace godwit {
namespace {

using test::readable;
using test::Snippet;
using test::sources;
using Strings = std::vector<std::string>;

TEST(JsonTest, DescribesTheLanguage) {
  EXPECT_EQ(jsonLanguage().name, "json");
  EXPECT_NE(jsonLanguage().grammar(), nullptr);
}

TEST(JsonTest, KeysAreNeverValues) {
  Snippet s(jsonLanguage(), "{\"playback-events\": \"playback-events\",\n"
                            " \"topics\": [\"a\", \"b\", 1, true, null],\n"
                            " \"nested\": {\"user_profile_v1\": {\"t\": \"x\"}}}\n");
  ASSERT_FALSE(s.hasErrors());
  EXPECT_EQ(test::stringExpressions(s, jsonLanguage()),
            (Strings{"\"playback-events\"", "\"a\"", "\"b\"", "\"x\""}));
}

TEST(JsonTest, EscapesDecodeWithTheirSourceBytes) {
  const std::string src = "[\"a\\\"b\\\\c\\/d\\n\\u0041\\ud83d\\ude00acme-prod.core_users.t\"]";
  Snippet s(jsonLanguage(), src);
  ASSERT_FALSE(s.hasErrors());
  const auto d = s.decodeAt("\"a");
  ASSERT_TRUE(d);
  test::expectWellFormed(*d);
  EXPECT_EQ(d->value, "a\"b\\c/d\nA\xF0\x9F\x98\x80"
                      "acme-prod.core_users.t");
  const Strings src0 = sources(*d, src);
  EXPECT_EQ(src0[1], "\\\"");
  EXPECT_EQ(src0[8], "\\u0041");
  EXPECT_EQ(src0[9], "\\ud83d\\ude00"); // a surrogate pair is one code point
  EXPECT_EQ(d->srcBegin[d->value.find("acme")], src.find("acme"));
  ASSERT_EQ(d->pieces.size(), 1u);
  EXPECT_EQ(d->pieces[0].style.quote, '"');
  EXPECT_EQ(d->pieces[0].style.syntax, LiteralSyntax::Code);
}

TEST(JsonTest, LoneSurrogateAndPlaceholderAreHoles) {
  const std::string src = "[\"\\ud800x\", \"${env}.core_users.t\"]";
  Snippet s(jsonLanguage(), src);
  const auto a = s.decodeAt("\"\\ud800");
  ASSERT_TRUE(a);
  test::expectWellFormed(*a);
  EXPECT_EQ(readable(a->value), "<?>x");
  const auto b = s.decodeAt("\"${");
  ASSERT_TRUE(b);
  EXPECT_EQ(readable(b->value), "<?>.core_users.t");
}

} // namespace
} // namespace godwit
