#include "analyzers/DecodedString.h"

#include "rules/DatasetMatcher.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

namespace godwit {
namespace {

LiteralStyle style(char quote, bool triple = false, bool raw = false, char holeIntro = 0) {
  LiteralStyle s;
  s.quote = quote;
  s.triple = triple;
  s.raw = raw;
  s.holeIntro = holeIntro;
  return s;
}

std::optional<std::string> encode(const LiteralStyle& s, std::string_view value) {
  return encodeLiteral(s, value);
}

TEST(EncodeLiteral, PlainTextIsKept) {
  EXPECT_EQ(encode(style('"'), "acme-prod.core_users.users"), "acme-prod.core_users.users");
  EXPECT_EQ(encode(style('"'), ""), "");
  EXPECT_EQ(encode(style('"'), "`p.d.t` gs://b/x?y=1#z"), "`p.d.t` gs://b/x?y=1#z");
}

TEST(EncodeLiteral, EscapesTheQuoteAndBackslash) {
  EXPECT_EQ(encode(style('"'), "a\"b\\c"), "a\\\"b\\\\c");
  EXPECT_EQ(encode(style('"'), "it's"), "it's");
  EXPECT_EQ(encode(style('\''), "it's \"x\""), "it\\'s \"x\"");
}

TEST(EncodeLiteral, EscapesNewlineAndTabOutsideTripleQuotes) {
  EXPECT_EQ(encode(style('"'), "a\nb\tc"), "a\\nb\\tc");
  EXPECT_EQ(encode(style('"', true), "a\nb\tc"), "a\nb\\tc");
}

TEST(EncodeLiteral, RefusesOtherControlBytes) {
  EXPECT_EQ(encode(style('"'), "a\rb"), std::nullopt);
  EXPECT_EQ(encode(style('"'), std::string("a\0b", 3)), std::nullopt);
  EXPECT_EQ(encode(style('"', true), "a\x1b"), std::nullopt);
}

TEST(EncodeLiteral, KeepsNonAsciiBytes) {
  EXPECT_EQ(encode(style('"'), "caf\xc3\xa9.t"), "caf\xc3\xa9.t");
  EXPECT_EQ(encode(style('"', false, true), "caf\xc3\xa9.t"), "caf\xc3\xa9.t");
}

TEST(EncodeLiteral, RefusesHoles) {
  EXPECT_EQ(encode(style('"'), std::string("a") + kHole), std::nullopt);
  EXPECT_EQ(encode(style('"', false, false, '$'), std::string(1, kHole)), std::nullopt);
}

TEST(EncodeLiteral, DoublesTheHoleIntroduction) {
  EXPECT_EQ(encode(style('"', false, false, '$'), "a$b"), "a$$b");
  EXPECT_EQ(encode(style('"', false, true, '$'), "a$b"), "a$$b");
  EXPECT_EQ(encode(style('\'', false, false, '{'), "a{b}c"), "a{{b}}c");
  EXPECT_EQ(encode(style('"'), "a$b{c}"), "a$b{c}");
}

TEST(EncodeLiteral, AnOuterLiteralEncodesTheEncodingOnceMore) {
  // A shell "…" string inside a Python "…" string: `$` is `\$` for the shell, and that
  // backslash is `\\` for Python.
  LiteralStyle shell;
  shell.syntax = LiteralSyntax::Shell;
  shell.quote = '"';
  shell.holeIntro = '$';
  shell.outer = std::make_shared<const LiteralStyle>(style('"'));
  EXPECT_EQ(encode(shell, "a$b\"c"), R"(a\\$b\\\"c)");
  // In an f-string, braces double; in a raw string, the shell's backslash cannot be written.
  shell.outer = std::make_shared<const LiteralStyle>(style('"', false, false, '{'));
  EXPECT_EQ(encode(shell, "gs://b/{x}"), "gs://b/{{x}}");
  shell.outer = std::make_shared<const LiteralStyle>(style('"', false, true));
  EXPECT_EQ(encode(shell, "p.d.t"), "p.d.t");
  EXPECT_EQ(encode(shell, "a$b"), std::nullopt);
  // An unquoted shell word refuses what the shell would read, whatever the outer literal.
  LiteralStyle word;
  word.syntax = LiteralSyntax::Shell;
  word.quote = '\0';
  word.outer = std::make_shared<const LiteralStyle>(style('\''));
  EXPECT_EQ(encode(word, "p:d.t"), "p:d.t");
  EXPECT_EQ(encode(word, "a b"), std::nullopt);
  // JSON string content (a notebook cell) comes last.
  shell.outer = std::make_shared<const LiteralStyle>(style('"'));
  shell.inJsonString = true;
  EXPECT_EQ(encode(shell, "a$b"), R"(a\\\\$b)");
}

TEST(EncodeLiteral, RawLiteralsKeepTheirBytes) {
  EXPECT_EQ(encode(style('"', false, true), "p.d.t"), "p.d.t");
  EXPECT_EQ(encode(style('"', true, true), "a\nb"), "a\nb");
  EXPECT_EQ(encode(style('"', false, true), "a\tb"), "a\tb");
}

TEST(EncodeLiteral, RawLiteralsRefuseWhatWouldEndThem) {
  EXPECT_EQ(encode(style('"', false, true), "a\"b"), std::nullopt);
  EXPECT_EQ(encode(style('"', false, true), "a\nb"), std::nullopt);
  EXPECT_EQ(encode(style('"', true, true), "a\"\"\"b"), std::nullopt);
}

// The encoded text goes between other bytes of the literal, so a quote that is harmless alone can
// join a quote next to it (`""` + `"`) and close a triple-quoted literal early.
TEST(EncodeLiteral, RawTripleQuotedRefusesAnyQuote) {
  EXPECT_EQ(encode(style('"', true, true), "a\"b"), std::nullopt);
  EXPECT_EQ(encode(style('"', true, true), "\"\""), std::nullopt);
  EXPECT_EQ(encode(style('\'', true, true), "it's"), std::nullopt);
  EXPECT_EQ(encode(style('\'', true, true), "say \"x\""), "say \"x\"");
}

// In a raw literal a backslash still escapes a following quote (Python `r"\""`), so a value
// ending in one would swallow the closing quote.
TEST(EncodeLiteral, RawLiteralsRefuseBackslashes) {
  EXPECT_EQ(encode(style('"', false, true), "a\\"), std::nullopt);
  EXPECT_EQ(encode(style('"', true, true), "a\\b"), std::nullopt);
}

TEST(EncodeLiteral, RawLiteralsRefuseCarriageReturns) {
  EXPECT_EQ(encode(style('"', true, true), "a\rb"), std::nullopt);
}

// Before Scala 2.13.6 `\"` ends a single-line interpolated string (scala/bug#6476).
TEST(EncodeLiteral, SingleLineScalaInterpolationRefusesQuotes) {
  EXPECT_EQ(encode(style('"', false, false, '$'), "a\"b"), std::nullopt);
  EXPECT_EQ(encode(style('"', true, false, '$'), "a\"b"), "a\\\"b");
  EXPECT_EQ(encode(style('"', false, false, '{'), "a\"b"), "a\\\"b");
}

TEST(DecodedString, PushRecordsTheSourceOfEveryByte) {
  DecodedString d;
  LiteralPiece p;
  p.begin = 10;
  p.end = 20;
  EXPECT_EQ(d.beginPiece(p), 0);
  d.push('a', 10, 11);
  d.pushAll("\xc3\xa9", 11, 17);
  d.push('b', 17, 18);
  EXPECT_EQ(d.value, "a\xc3\xa9"
                     "b");
  EXPECT_EQ(d.srcBegin, (std::vector<uint32_t>{10, 11, 11, 17}));
  EXPECT_EQ(d.srcEnd, (std::vector<uint32_t>{11, 17, 17, 18}));
  EXPECT_EQ(d.piece, (std::vector<uint16_t>{0, 0, 0, 0}));
  EXPECT_FALSE(d.hasHoles());
}

TEST(DecodedString, PiecesAndHoles) {
  DecodedString d;
  LiteralPiece p;
  p.begin = 2;
  p.end = 4;
  EXPECT_EQ(d.beginPiece(p), 0);
  d.push('x', 2, 3);
  d.pushHole(3, 9);
  p.begin = 9;
  p.end = 12;
  EXPECT_EQ(d.beginPiece(p), 1);
  d.push('y', 9, 10);
  EXPECT_EQ(d.value, std::string("x") + kHole + "y");
  EXPECT_EQ(d.piece, (std::vector<uint16_t>{0, DecodedString::kNoPiece, 1}));
  EXPECT_EQ(d.srcBegin[1], 3u);
  EXPECT_EQ(d.srcEnd[1], 9u);
  EXPECT_TRUE(d.hasHoles());
  EXPECT_EQ(d.pieces.size(), 2u);
  EXPECT_EQ(d.pieces[1].begin, 9u);
}

TEST(DecodedString, AppendRenumbersPiecesAndKeepsOffsets) {
  DecodedString a;
  LiteralPiece p;
  a.beginPiece(p);
  a.push('a', 0, 1);

  DecodedString b;
  b.beginPiece(p);
  b.push('b', 50, 51);
  b.pushHole(51, 55);
  b.beginPiece(p);
  b.push('c', 60, 62);

  a.append(b);
  EXPECT_EQ(a.value, std::string("ab") + kHole + "c");
  EXPECT_EQ(a.piece, (std::vector<uint16_t>{0, 1, DecodedString::kNoPiece, 2}));
  EXPECT_EQ(a.srcBegin, (std::vector<uint32_t>{0, 50, 51, 60}));
  EXPECT_EQ(a.srcEnd, (std::vector<uint32_t>{1, 51, 55, 62}));
  EXPECT_EQ(a.pieces.size(), 3u);
  EXPECT_TRUE(a.pieces[1].constant.empty());
  // Pushing after an append continues the last piece.
  a.push('d', 62, 63);
  EXPECT_EQ(a.piece.back(), 2);
}

TEST(DecodedString, AppendThroughAConstantMarksItsPieces) {
  DecodedString inner;
  LiteralPiece p;
  inner.beginPiece(p);
  inner.push('i', 0, 1);

  DecodedString constant;
  constant.beginPiece(p);
  constant.push('c', 10, 11);
  constant.append(inner, "Inner", 2);

  DecodedString use;
  use.beginPiece(p);
  use.push('u', 20, 21);
  use.append(constant, "Outer", 1);

  ASSERT_EQ(use.pieces.size(), 3u);
  EXPECT_EQ(use.pieces[0].constant, "");
  EXPECT_EQ(use.pieces[1].constant, "Outer");
  EXPECT_EQ(use.pieces[1].constantUses, 1);
  // A piece already reached through a constant keeps that constant: it is the one to change.
  EXPECT_EQ(use.pieces[2].constant, "Inner");
  EXPECT_EQ(use.pieces[2].constantUses, 2);
  EXPECT_EQ(use.value, "uci");
}

/// `text` as one literal piece whose bytes come from source bytes 100, 101, ….
DecodedString literal(std::string_view text) {
  DecodedString d;
  d.beginPiece(100, 100 + static_cast<uint32_t>(text.size()), style('"'));
  for (size_t i = 0; i < text.size(); ++i)
    d.push(text[i], 100 + static_cast<uint32_t>(i), 101 + static_cast<uint32_t>(i));
  return d;
}

/// The value with holes written as `#`.
std::string shown(const DecodedString& d) {
  std::string out = d.value;
  std::replace(out.begin(), out.end(), kHole, '#');
  return out;
}

TEST(MarkPlaceholders, TemplateBlocksBecomeOneHoleEach) {
  DecodedString d = literal("{{ vars.project }}.core_users.t_{% if x %}a{% endif %}{# c #}");
  markPlaceholders(d, TemplateBlocks::Jinja);
  EXPECT_EQ(shown(d), "#.core_users.t_#a##");
  // The hole covers the block's source bytes; the text after it keeps its own.
  EXPECT_EQ(d.piece[0], DecodedString::kNoPiece);
  EXPECT_EQ(d.srcBegin[0], 100u);
  EXPECT_EQ(d.srcEnd[0], 118u);
  EXPECT_EQ(d.srcBegin[1], 118u);
  EXPECT_EQ(d.piece[1], 0);
}

TEST(MarkPlaceholders, DollarBlocksOnlyWithAll) {
  DecodedString jinja = literal("${env}-{{ x }}-events");
  markPlaceholders(jinja, TemplateBlocks::Jinja);
  EXPECT_EQ(shown(jinja), "${env}-#-events");
  DecodedString all = literal("${env:${fallback}}-{{ x }}-events");
  markPlaceholders(all);
  EXPECT_EQ(shown(all), "#-#-events");
}

TEST(MarkPlaceholders, UnclosedBlocksAndSingleBracesStayText) {
  for (const std::string_view text :
       {"{{ never closed", "${open", "{\"json\": {\"a\": 1}}", "{0}.format", "{% no end"}) {
    DecodedString d = literal(text);
    markPlaceholders(d);
    EXPECT_EQ(shown(d), text);
    EXPECT_FALSE(d.hasHoles());
  }
}

} // namespace
} // namespace godwit
