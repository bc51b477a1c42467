#include "rewriters/Rewrite.h"

#include "rules/DatasetMatcher.h"

#include <gtest/gtest.h>

#include <memory>

namespace godwit {
namespace {

void appendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

// Decodes source bytes [begin, end) (a literal's content) into `out` as a new piece, the way the
// analyzers do: `\uXXXX`, two-byte escapes, line continuations, and (for `$` styles) holes.
void decodeInto(DecodedString& out, std::string_view src, size_t begin, size_t end,
                const LiteralStyle& style, std::string constant = {}, int uses = 0) {
  LiteralPiece piece;
  piece.begin = static_cast<uint32_t>(begin);
  piece.end = static_cast<uint32_t>(end);
  piece.style = style;
  piece.constant = std::move(constant);
  piece.constantUses = uses;
  out.beginPiece(piece);
  size_t i = begin;
  auto u32 = [](size_t v) { return static_cast<uint32_t>(v); };
  while (i < end) {
    const char c = src[i];
    if (style.holeIntro == '$' && c == '$') {
      if (src[i + 1] == '$') {
        out.push('$', u32(i), u32(i + 2));
        i += 2;
        continue;
      }
      size_t j = i + 1;
      if (src[j] == '{') {
        j = src.find('}', j) + 1;
      } else {
        while (j < end && (std::isalnum(static_cast<unsigned char>(src[j])) || src[j] == '_'))
          ++j;
      }
      out.pushHole(u32(i), u32(j));
      i = j;
      continue;
    }
    if (c == '\\' && !style.raw) {
      const char e = src[i + 1];
      if (e == 'u') {
        std::string bytes;
        appendUtf8(bytes,
                   static_cast<uint32_t>(std::stoul(std::string(src.substr(i + 2, 4)), 0, 16)));
        out.pushAll(bytes, u32(i), u32(i + 6));
        i += 6;
      } else if (e == '\n') {
        i += 2;
      } else {
        out.push(e == 'n' ? '\n' : e == 't' ? '\t' : e, u32(i), u32(i + 2));
        i += 2;
      }
      continue;
    }
    out.push(c, u32(i), u32(i + 1));
    ++i;
  }
}

// The one double-quoted literal of `src` (after `from`), decoded.
std::shared_ptr<DecodedString> literal(std::string_view src, LiteralStyle style = {},
                                       size_t from = 0) {
  const size_t open = src.find(style.quote, from);
  size_t close = open + 1;
  while (src[close] != style.quote)
    close += src[close] == '\\' && !style.raw ? 2 : 1;
  auto d = std::make_shared<DecodedString>();
  decodeInto(*d, src, open + 1, close, style);
  return d;
}

Finding findingOf(std::shared_ptr<const DecodedString> value, size_t begin, size_t end,
                  std::string text) {
  Finding f;
  f.file = "src/Job.scala";
  f.line = 3;
  f.column = 9;
  f.changes.push_back(ValueEdit{std::move(value), begin, end, std::move(text)});
  return f;
}

// Replaces the whole decoded value.
Finding wholeValue(std::shared_ptr<const DecodedString> value, std::string text) {
  const size_t n = value->value.size();
  return findingOf(std::move(value), 0, n, std::move(text));
}

std::string applied(std::string_view src, const std::vector<Edit>& edits) {
  EditSet set;
  for (const Edit& e : edits)
    EXPECT_TRUE(set.add(e));
  return set.apply(src);
}

TEST(Rewrite, TrimsToTheLastNameComponent) {
  const std::string src = R"(val t = "acme-prod.core_users.user_profile_v1")";
  auto edits = editsForFinding(wholeValue(literal(src), "acme-prod.core_users.user_profile_v2"));
  ASSERT_TRUE(edits) << edits.error().str();
  ASSERT_EQ(edits->size(), 1u);
  const Edit& e = edits->front();
  EXPECT_EQ(e.file, "src/Job.scala");
  EXPECT_EQ(e.origin, "src/Job.scala:3:9");
  EXPECT_EQ(src.substr(e.offset, e.length), "user_profile_v1");
  EXPECT_EQ(e.replacement, "user_profile_v2");
  EXPECT_EQ(applied(src, *edits), R"(val t = "acme-prod.core_users.user_profile_v2")");
}

TEST(Rewrite, TrimsInsideBackticks) {
  const std::string src = "q = \"`p`.`d`.`t`\"";
  auto edits = editsForFinding(wholeValue(literal(src), "`p`.`d`.`t2`"));
  ASSERT_TRUE(edits) << edits.error().str();
  ASSERT_EQ(edits->size(), 1u);
  EXPECT_EQ(src.substr(edits->front().offset, edits->front().length), "t");
  EXPECT_EQ(edits->front().replacement, "t2");
  EXPECT_EQ(applied(src, *edits), "q = \"`p`.`d`.`t2`\"");
}

TEST(Rewrite, DashAndUnderscoreDoNotSeparateComponents) {
  const std::string src = R"(topic = "playback-events")";
  auto edits = editsForFinding(wholeValue(literal(src), "playback-events-v2"));
  ASSERT_TRUE(edits) << edits.error().str();
  ASSERT_EQ(edits->size(), 1u);
  EXPECT_EQ(src.substr(edits->front().offset, edits->front().length), "playback-events");
  EXPECT_EQ(edits->front().replacement, "playback-events-v2");
}

TEST(Rewrite, TrimsCommonPrefixAndSuffixAtSeparators) {
  const std::string src = R"(path = "gs://acme-raw/events/playback/")";
  auto edits = editsForFinding(wholeValue(literal(src), "gs://acme-lake/playback/v2/"));
  ASSERT_TRUE(edits) << edits.error().str();
  ASSERT_EQ(edits->size(), 1u);
  EXPECT_EQ(src.substr(edits->front().offset, edits->front().length), "acme-raw/events/playback");
  EXPECT_EQ(edits->front().replacement, "acme-lake/playback/v2");
  EXPECT_EQ(applied(src, *edits), R"(path = "gs://acme-lake/playback/v2/")");
}

TEST(Rewrite, ChangesOnlyTheReferenceInsideALargerValue) {
  const std::string src = R"(sql = "SELECT a.x FROM `p.d.t` a WHERE a.t = 1")";
  auto value = literal(src);
  const size_t at = value->value.find("`p.d.t`");
  auto edits = editsForFinding(findingOf(value, at, at + 7, "`p.d.t_v2`"));
  ASSERT_TRUE(edits) << edits.error().str();
  EXPECT_EQ(applied(src, *edits), R"(sql = "SELECT a.x FROM `p.d.t_v2` a WHERE a.t = 1")");
}

TEST(Rewrite, ChangeThatKeepsTheValueMakesNoEdit) {
  const std::string src = R"(t = "p.d.t")";
  auto edits = editsForFinding(wholeValue(literal(src), "p.d.t"));
  ASSERT_TRUE(edits) << edits.error().str();
  EXPECT_TRUE(edits->empty());
}

TEST(Rewrite, KeepsEscapesOutsideTheChange) {
  const std::string src = R"(t = "p\u002ed\u002etable_v1")";
  auto value = literal(src);
  ASSERT_EQ(value->value, "p.d.table_v1");
  auto edits = editsForFinding(wholeValue(value, "p.d.table_v2"));
  ASSERT_TRUE(edits) << edits.error().str();
  EXPECT_EQ(applied(src, *edits), R"(t = "p\u002ed\u002etable_v2")");
}

TEST(Rewrite, ReencodesEscapesInsideTheChange) {
  const std::string src = R"(t = "p.d.us\u0065rs")";
  auto edits = editsForFinding(wholeValue(literal(src), "p.d.users2"));
  ASSERT_TRUE(edits) << edits.error().str();
  EXPECT_EQ(applied(src, *edits), R"(t = "p.d.users2")");
}

TEST(Rewrite, EscapesTheNewTextForItsLiteral) {
  const std::string src = R"(t = 'p.d.t')";
  LiteralStyle single;
  single.quote = '\'';
  auto edits = editsForFinding(wholeValue(literal(src, single), "p.d.it's"));
  ASSERT_TRUE(edits) << edits.error().str();
  EXPECT_EQ(applied(src, *edits), R"(t = 'p.d.it\'s')");
}

TEST(Rewrite, NeverCutsThroughOneEscapedCharacter) {
  // é is one escape but two value bytes; è shares its first byte.
  const std::string src = R"(t = "caf\u00e9.t")";
  auto value = literal(src);
  ASSERT_EQ(value->value, "caf\xc3\xa9.t");
  auto edits = editsForFinding(wholeValue(value, "caf\xc3\xa8.t"));
  ASSERT_TRUE(edits) << edits.error().str();
  ASSERT_EQ(edits->size(), 1u);
  EXPECT_EQ(src.substr(edits->front().offset, edits->front().length), R"(\u00e9)");
  EXPECT_EQ(applied(src, *edits), "t = \"caf\xc3\xa8.t\"");
}

TEST(Rewrite, InsertionAtTheEndGoesAfterTheLastByte) {
  const std::string src = R"(t = "p.d.t" + x)";
  auto value = literal(src);
  auto edits = editsForFinding(findingOf(value, 5, 5, "_v2"));
  ASSERT_TRUE(edits) << edits.error().str();
  ASSERT_EQ(edits->size(), 1u);
  EXPECT_EQ(edits->front().length, 0u);
  EXPECT_EQ(applied(src, *edits), R"(t = "p.d.t_v2" + x)");
}

TEST(Rewrite, InsertionAtTheStartGoesBeforeTheFirstByte) {
  const std::string src = R"(t = "d.t")";
  auto edits = editsForFinding(findingOf(literal(src), 0, 0, "p."));
  ASSERT_TRUE(edits) << edits.error().str();
  EXPECT_EQ(applied(src, *edits), R"(t = "p.d.t")");
}

TEST(Rewrite, InsertionAfterAnEscapeKeepsTheEscape) {
  const std::string src = R"(t = "p.d\u002e")";
  auto edits = editsForFinding(findingOf(literal(src), 4, 4, "t"));
  ASSERT_TRUE(edits) << edits.error().str();
  EXPECT_EQ(applied(src, *edits), R"(t = "p.d\u002et")");
}

TEST(Rewrite, ChangeInOneOfSeveralPiecesIsFine) {
  const std::string src = R"(t = "acme-prod.core_users." + "user_profile_v1")";
  auto value = literal(src);
  value->append(*literal(src, {}, src.find('+')));
  ASSERT_EQ(value->value, "acme-prod.core_users.user_profile_v1");
  auto edits = editsForFinding(wholeValue(value, "acme-prod.core_users.user_profile_v2"));
  ASSERT_TRUE(edits) << edits.error().str();
  EXPECT_EQ(applied(src, *edits), R"(t = "acme-prod.core_users." + "user_profile_v2")");
}

TEST(Rewrite, ChangeAcrossPiecesIsRefused) {
  const std::string src = R"(t = "p.d.ta" + "ble")";
  auto value = literal(src);
  value->append(*literal(src, {}, src.find('+')));
  ASSERT_EQ(value->value, "p.d.table");
  auto edits = editsForFinding(wholeValue(value, "p.d.table2"));
  ASSERT_FALSE(edits);
  EXPECT_EQ(edits.error().message.rfind("the reference is split across several literals or "
                                        "interpolations (",
                                        0),
            0u)
      << edits.error().message;
  EXPECT_EQ(edits.error().file, "src/Job.scala");
  EXPECT_EQ(edits.error().line, 3);
  EXPECT_EQ(edits.error().column, 9);
  EXPECT_EQ(edits.error().str().rfind("src/Job.scala:3:9: error: the reference is split", 0), 0u);
}

TEST(Rewrite, ChangeNextToAHoleIsFine) {
  LiteralStyle scala;
  scala.holeIntro = '$';
  const std::string src = R"(t = s"${project}.core_users.users")";
  auto value = literal(src, scala);
  ASSERT_EQ(value->value, std::string(1, kHole) + ".core_users.users");
  auto edits = editsForFinding(wholeValue(value, std::string(1, kHole) + ".core_users.users_v2"));
  ASSERT_TRUE(edits) << edits.error().str();
  EXPECT_EQ(applied(src, *edits), R"(t = s"${project}.core_users.users_v2")");
}

TEST(Rewrite, ChangeThatIncludesAHoleIsRefused) {
  LiteralStyle scala;
  scala.holeIntro = '$';
  const std::string src = R"(t = s"gs://b/$env/x")";
  auto value = literal(src, scala);
  const std::string hole(1, kHole);
  auto edits = editsForFinding(wholeValue(value, "gs://c/" + hole + "/y"));
  ASSERT_FALSE(edits);
  EXPECT_NE(edits.error().message.find("split across several literals or interpolations"),
            std::string::npos);
}

TEST(Rewrite, InsertionBetweenHolesIsRefused) {
  LiteralStyle scala;
  scala.holeIntro = '$';
  const std::string src = R"(t = s"${a}${b}")";
  auto edits = editsForFinding(findingOf(literal(src, scala), 1, 1, "."));
  ASSERT_FALSE(edits);
  EXPECT_NE(edits.error().message.find("split across"), std::string::npos);
}

TEST(Rewrite, NameByteAfterABareScalaHoleIsRefused) {
  LiteralStyle scala;
  scala.holeIntro = '$';
  const std::string src = R"(t = s"$env.events")";
  auto value = literal(src, scala);
  const std::string hole(1, kHole);
  // `$env_events` would interpolate a different name.
  EXPECT_FALSE(editsForFinding(wholeValue(value, hole + "_events")));
  // A separator keeps the hole's name apart.
  auto edits = editsForFinding(wholeValue(value, hole + ".events_v2"));
  ASSERT_TRUE(edits) << edits.error().str();
  EXPECT_EQ(applied(src, *edits), R"(t = s"$env.events_v2")");
}

TEST(Rewrite, EncodesDollarInAScalaInterpolation) {
  LiteralStyle scala;
  scala.holeIntro = '$';
  const std::string src = R"(t = s"p.d.${x}.t")";
  auto value = literal(src, scala);
  const std::string hole(1, kHole);
  auto edits = editsForFinding(wholeValue(value, "p.d." + hole + ".t$1"));
  ASSERT_TRUE(edits) << edits.error().str();
  EXPECT_EQ(applied(src, *edits), R"(t = s"p.d.${x}.t$$1")");
}

TEST(Rewrite, ConstantUsedOnceIsEditedAtItsLiteral) {
  const std::string src = "val Users = \"core_users.users\"\nval t = \"acme-prod.\" + Users\n";
  auto constant = literal(src);
  auto value = literal(src, {}, src.find("val t"));
  value->append(*constant, "Users", 1);
  ASSERT_EQ(value->value, "acme-prod.core_users.users");
  auto edits = editsForFinding(wholeValue(value, "acme-prod.core_users.users_v2"));
  ASSERT_TRUE(edits) << edits.error().str();
  EXPECT_EQ(applied(src, *edits),
            "val Users = \"core_users.users_v2\"\nval t = \"acme-prod.\" + Users\n");
}

TEST(Rewrite, ConstantUsedSeveralTimesIsRefused) {
  const std::string src = "val Users = \"core_users.users\"\nval t = \"acme-prod.\" + Users\n";
  auto constant = literal(src);
  auto value = literal(src, {}, src.find("val t"));
  value->append(*constant, "Users", 3);
  auto edits = editsForFinding(wholeValue(value, "acme-prod.core_users.users_v2"));
  ASSERT_FALSE(edits);
  EXPECT_EQ(edits.error().message,
            "the change lands in constant Users, which is used 3 times in this file; change it by "
            "hand");
  // A change outside the constant is fine.
  auto other = editsForFinding(wholeValue(value, "acme-dev.core_users.users"));
  ASSERT_TRUE(other) << other.error().str();
  EXPECT_EQ(applied(src, *other),
            "val Users = \"core_users.users\"\nval t = \"acme-dev.\" + Users\n");
}

TEST(Rewrite, TextTheLiteralCannotHoldIsRefused) {
  LiteralStyle raw;
  raw.raw = true;
  const std::string src = R"(t = r"p.d.t")";
  auto edits = editsForFinding(wholeValue(literal(src, raw), "p.d.\"t\""));
  ASSERT_FALSE(edits);
  EXPECT_EQ(edits.error().message.rfind("the new name cannot be written in this literal without "
                                        "changing its quoting",
                                        0),
            0u)
      << edits.error().message;
}

TEST(Rewrite, ChangeAcrossALineContinuationIsRefused) {
  const std::string src = "t = \"p.d.ta\\\nble\"";
  auto value = literal(src);
  ASSERT_EQ(value->value, "p.d.table");
  EXPECT_FALSE(editsForFinding(wholeValue(value, "p.d.table2")));
  // Changes beside it are fine.
  auto edits = editsForFinding(wholeValue(value, "q.d.table"));
  ASSERT_TRUE(edits) << edits.error().str();
  EXPECT_EQ(applied(src, *edits), "t = \"q.d.ta\\\nble\"");
}

TEST(Rewrite, SplitReferenceMakesOneEditPerChange) {
  const std::string src = R"(read("acme-prod", "core_users", "users"))";
  auto project = literal(src);
  auto dataset = literal(src, {}, src.find(',') + 1);
  auto table = literal(src, {}, src.rfind(',') + 1);
  Finding f = findingOf(dataset, 0, dataset->value.size(), "core_users_v2");
  f.changes.push_back(ValueEdit{table, 0, table->value.size(), "users_v2"});
  f.changes.push_back(ValueEdit{project, 0, project->value.size(), "acme-prod"});
  auto edits = editsForFinding(f);
  ASSERT_TRUE(edits) << edits.error().str();
  EXPECT_EQ(edits->size(), 2u);
  EXPECT_EQ(applied(src, *edits), R"(read("acme-prod", "core_users_v2", "users_v2"))");
}

TEST(Rewrite, BadChangeRangeIsAnError) {
  auto value = literal(R"(t = "abc")");
  EXPECT_FALSE(editsForFinding(findingOf(value, 2, 9, "x")));
  EXPECT_FALSE(editsForFinding(findingOf(value, 2, 1, "x")));
  EXPECT_FALSE(editsForFinding(findingOf(nullptr, 0, 0, "x")));
}

TEST(Rewrite, AttentionFindingMakesNoEdit) {
  Finding f = wholeValue(literal(R"(t = "p.d.t")"), "p.d.t2");
  f.action = Action::Attention;
  f.reason = "dynamic table name";
  auto edits = editsForFinding(f);
  ASSERT_FALSE(edits);
  EXPECT_NE(edits.error().message.find("dynamic table name"), std::string::npos);
}

TEST(Rewrite, OffsetMapOutsideItsLiteralIsAnError) {
  auto value = literal(R"(t = "p.d.t")");
  value->pieces[0].end = value->pieces[0].begin + 2;
  EXPECT_FALSE(editsForFinding(wholeValue(value, "p.d.t2")));
  EXPECT_FALSE(editsForFinding(findingOf(value, 5, 5, "2")));
  EXPECT_TRUE(editsForFinding(wholeValue(value, "q.d.t")));
}

} // namespace
} // namespace godwit
