// The embedded-document runner: a region of a host file analyzed as its own language, findings
// and offset maps carried back to the host.
#include "analyzers/Embedded.h"

#include "analyzers/ValueFindings.h"
#include "rules/DatasetMatcher.h"
#include "tests/analyzers/LanguageTestSupport.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace godwit {
namespace {

std::vector<DatasetMatcher> profiles() { return test::profileMatchers(); }

TEST(EmbeddedDocument, CopySynthesizeAndAppendKeepTheHostMap) {
  EmbeddedDocument doc;
  doc.copy("abcdef", 2, 4);
  doc.synthesize("\n", 4);
  DecodedString decoded;
  decoded.beginPiece(10, 14, LiteralStyle{});
  decoded.push('"', 10, 12); // `\"`
  decoded.pushHole(12, 14);
  doc.append(decoded, 0, 2);
  EXPECT_EQ(doc.text, "cd\n\" ");
  EXPECT_EQ(doc.srcBegin, (std::vector<uint32_t>{2, 3, 4, 10, 12}));
  EXPECT_EQ(doc.srcEnd, (std::vector<uint32_t>{3, 4, 4, 12, 12}));
  const DecodedString v = doc.value();
  EXPECT_EQ(v.piece[2], DecodedString::kNoPiece); // synthesized: a hole
  EXPECT_EQ(v.piece[4], DecodedString::kNoPiece);
}

TEST(EmbeddedRunner, MapsFindingsAndValueChangesToTheHost) {
  // The host holds the Python line after a 7-byte prefix that is not part of the document.
  const std::string host = "PREFIX\nt = \"acme-prod.core_users.user_profile_v1\"\n";
  EmbeddedDocument doc;
  doc.language = "python";
  doc.copy(host, 7, static_cast<uint32_t>(host.size()));
  const EmbeddedRunner runner;
  const SourceFile file{"x.md", host};
  const LineIndex lines(host);
  const auto matchers = profiles();
  auto result = runner.analyze(file, lines, doc, matchers);
  ASSERT_TRUE(result) << result.error().str();
  ASSERT_EQ(result->findings.size(), 1u);
  const Finding& f = result->findings[0];
  EXPECT_EQ(f.file, "x.md");
  EXPECT_EQ(f.line, 2);
  EXPECT_EQ(f.offset, host.find("acme")); // the reference, inside its literal
  ASSERT_EQ(f.changes.size(), 1u);
  const ValueEdit& c = f.changes[0];
  const size_t v1 = host.find("v1");
  EXPECT_EQ(c.value->srcBegin[c.end - 1], v1 + 1); // `1` is host byte v1 + 1
  EXPECT_EQ(c.value->pieces[0].begin, host.find('"') + 1);
  EXPECT_FALSE(c.value->pieces[0].style.inJsonString);
}

TEST(EmbeddedRunner, SynthesizedBytesAreHolesForTheRewriters) {
  const std::string host = "t = \"acme-prod.core_users.\"";
  EmbeddedDocument doc;
  doc.language = "python";
  doc.inJsonString = true;
  doc.copy(host, 0, static_cast<uint32_t>(host.size() - 1));
  doc.synthesize("user_profile_v1", static_cast<uint32_t>(host.size() - 1));
  doc.copy(host, static_cast<uint32_t>(host.size() - 1), static_cast<uint32_t>(host.size()));
  const EmbeddedRunner runner;
  const auto matchers = profiles();
  auto result = runner.analyze(SourceFile{"a.ipynb", host}, LineIndex(host), doc, matchers);
  ASSERT_TRUE(result);
  ASSERT_EQ(result->findings.size(), 1u);
  const ValueEdit& c = result->findings[0].changes.at(0);
  EXPECT_EQ(c.value->piece[c.end - 1], DecodedString::kNoPiece);
  EXPECT_NE(c.value->piece[0], DecodedString::kNoPiece);
  EXPECT_TRUE(c.value->pieces[0].style.inJsonString);
}

TEST(EmbeddedRunner, UnknownLanguageIsSkippedAndCppIsNotBuilt) {
  const EmbeddedRunner runner;
  EXPECT_EQ(runner.analyzer("cobol"), nullptr);
  EXPECT_EQ(runner.analyzer("cpp"), nullptr); // needs the run's context
  EXPECT_NE(runner.analyzer("sql"), nullptr);
  EmbeddedDocument doc;
  doc.language = "cobol";
  doc.copy("x", 0, 1);
  auto result = runner.analyze(SourceFile{"a.md", "x"}, LineIndex("x"), doc, profiles());
  ASSERT_TRUE(result);
  EXPECT_TRUE(result->skipped);
}

TEST(EmbeddedLiterals, InJsonStringEscapesTheLiteralsEncodingOnceMore) {
  LiteralStyle python;
  python.quote = '"';
  python.inJsonString = true;
  EXPECT_EQ(encodeLiteral(python, "a\"b\\c\td"), std::optional<std::string>(R"(a\\\"b\\\\c\\td)"));
  python.triple = true;
  EXPECT_EQ(encodeLiteral(python, "a\nb"), std::nullopt); // would need a new source line
  LiteralStyle span;
  span.syntax = LiteralSyntax::MarkdownCode;
  EXPECT_EQ(encodeLiteral(span, "p.d.t"), std::optional<std::string>("p.d.t"));
  EXPECT_EQ(encodeLiteral(span, "p`d"), std::nullopt);
}

TEST(EmbeddedFindings, HoldAllMakesRewritesAttention) {
  const std::string text = "see acme-prod.core_users.user_profile_v1";
  const SourceFile file{"a.md", text};
  FindingCollector out(file);
  addTextAttention(out, hostText(text, 0, static_cast<uint32_t>(text.size())), profiles(),
                   "markdown.text", "prose");
  ASSERT_EQ(out.findings().size(), 1u);
  const Finding& f = out.findings()[0];
  EXPECT_EQ(f.action, Action::Attention);
  EXPECT_EQ(f.reason, "prose");
  EXPECT_TRUE(f.changes.empty());
  EXPECT_EQ(f.column, 5);
}

} // namespace
} // namespace godwit
