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

/// A Python "…" literal whose content is host bytes [begin, end) of `host`, byte for byte.
DecodedString pythonString(std::string_view host, uint32_t begin, uint32_t end) {
  DecodedString v;
  LiteralStyle python;
  python.quote = '"';
  v.beginPiece(begin, end, python);
  for (uint32_t i = begin; i < end; ++i)
    v.push(host[i], i, i + 1);
  return v;
}

TEST(StringDocument, HolesAndJinjaBlocksAreHolesAndStatementsEndALine) {
  const std::string host = "x = f\"bq {cmd} {{ ds }}{% if a %}t\"";
  DecodedString v;
  LiteralStyle fstring;
  fstring.holeIntro = '{';
  v.beginPiece(6, 34, fstring);
  for (uint32_t i = 6; i < 9; ++i) // `bq `
    v.push(host[i], i, i + 1);
  v.pushHole(9, 14); // `{cmd}`
  v.push(' ', 14, 15);
  for (const char c : std::string_view("{{ ds }}{% if a %}t")) // as the f-string decodes
    v.push(c, 15, 16);
  const EmbeddedDocument doc = stringDocument("shell", v);
  EXPECT_EQ(doc.language, "shell");
  EXPECT_EQ(test::readable(doc.text), "bq <?> <?><?>\nt");
  ASSERT_EQ(doc.hostPiece.size(), doc.text.size());
  EXPECT_EQ(doc.hostPiece[0], 0);
  for (const size_t synthesized : {3u, 5u, 6u, 7u}) {
    EXPECT_EQ(doc.hostPiece[synthesized], DecodedString::kNoPiece) << synthesized;
    EXPECT_EQ(doc.srcBegin[synthesized], doc.srcEnd[synthesized]) << synthesized;
  }
  EXPECT_EQ(doc.srcBegin[3], 9u); // where the hole is
  EXPECT_EQ(doc.hostPieces.size(), 1u);
}

TEST(StringDocument, ChangesAreEncodedInBothLiteralsAndKeepTheHostsConstant) {
  const std::string host = "T = \"bq show 'acme-prod:core_users.user_profile_v1'\"";
  DecodedString v;
  v.append(pythonString(host, 5, static_cast<uint32_t>(host.size() - 1)), "T", 1);
  v.markUse("T", 60);
  const EmbeddedDocument doc = stringDocument("shell", v);
  const EmbeddedRunner runner;
  const auto matchers = profiles();
  auto result = runner.analyze(SourceFile{"dag.py", host}, LineIndex(host), doc, matchers);
  ASSERT_TRUE(result) << result.error().str();
  ASSERT_EQ(result->findings.size(), 1u);
  const Finding& f = result->findings[0];
  EXPECT_EQ(f.offset, host.find("acme"));
  EXPECT_EQ(f.length, std::string_view("acme-prod:core_users.user_profile_v1").size());
  EXPECT_EQ(f.context, "shell.bq-read");
  ASSERT_EQ(f.changes.size(), 1u);
  const DecodedString& changed = *f.changes[0].value;
  const size_t one = f.changes[0].end - 1;
  EXPECT_EQ(changed.srcBegin[one], host.find("v1") + 1);
  ASSERT_NE(changed.piece[one], DecodedString::kNoPiece);
  const LiteralPiece& p = changed.pieces[changed.piece[one]];
  EXPECT_EQ(p.style.syntax, LiteralSyntax::Shell); // the shell's '…' …
  EXPECT_EQ(p.style.quote, '\'');
  ASSERT_TRUE(p.style.outer); // … inside Python's "…"
  EXPECT_EQ(p.style.outer->quote, '"');
  EXPECT_EQ(p.style.outer->syntax, LiteralSyntax::Code);
  EXPECT_EQ(p.constant, "T");
  EXPECT_EQ(p.constantUses, 1);
  EXPECT_EQ(p.useAt, 60u);
  EXPECT_LE(p.begin, host.find("acme"));
  EXPECT_GE(p.end, host.find("v1") + 2);
  EXPECT_EQ(encodeLiteral(p.style, "it's"), std::nullopt); // a quote ends the shell's '…'
}

TEST(StringDocument, AReferenceOnlyInAnotherFilesConstantIsLeftToThatFile) {
  const std::string host = "c = f\"bq show {TABLE} acme-prod:core_users.user_profile_v1\"";
  const std::string other = "acme-prod:core_users.user_profile_v1";
  DecodedString v = pythonString(host, 6, 14); // `bq show `
  DecodedString elsewhere;
  elsewhere.beginPiece(100, 100 + static_cast<uint32_t>(other.size()), LiteralStyle{});
  for (uint32_t i = 0; i < other.size(); ++i)
    elsewhere.push(other[i], 100 + i, 101 + i);
  elsewhere.pieces[0].file = "config.py";
  v.append(elsewhere, "config.TABLE", 1);
  const auto tail = static_cast<uint32_t>(host.find('}') + 1);
  v.append(pythonString(host, tail, static_cast<uint32_t>(host.size() - 1)));
  const EmbeddedRunner runner;
  const auto matchers = profiles();
  auto result = runner.analyze(SourceFile{"dag.py", host}, LineIndex(host),
                               stringDocument("shell", v), matchers);
  ASSERT_TRUE(result) << result.error().str();
  ASSERT_EQ(result->findings.size(), 1u); // the one written here
  EXPECT_EQ(result->findings[0].offset, host.find("acme"));
  EXPECT_EQ(result->findings[0].action, Action::Rewrite);
}

TEST(ShellRules, AnAirflowBashCommandIsReadByTheShellAnalyzer) {
  const std::string host =
      "a = BashOperator(task_id=\"a\", bash_command=\"bq show acme-prod:core_users.user_profile_v1\")\n"
      "b = BashOperator(task_id=\"b\", bash_command=\"echo 'done: acme-prod.core_users.user_profile_v1'\")\n"
      "c = BashOperator(task_id=\"c\", bash_command=\"bq show 'acme-prod:core_users.user_profile_v1\")\n"
      "d = BashOperator(task_id=\"d\", bash_command=\"bq show acme-prod:core_users.user_profile_{{ params.v }}\")\n";
  EmbeddedDocument doc;
  doc.language = "python";
  doc.copy(host, 0, static_cast<uint32_t>(host.size()));
  const EmbeddedRunner runner;
  const auto matchers = profiles();
  auto result = runner.analyze(SourceFile{"dag.py", host}, LineIndex(host), doc, matchers);
  ASSERT_TRUE(result) << result.error().str();
  ASSERT_EQ(result->findings.size(), 4u);
  const auto& f = result->findings;
  EXPECT_EQ(f[0].action, Action::Rewrite);
  EXPECT_EQ(f[0].ruleId, "airflow-bash-operator-command");
  EXPECT_EQ(f[0].context, "shell.bq-read");
  EXPECT_EQ(f[0].offset, host.find("acme"));
  EXPECT_EQ(f[1].action, Action::Attention); // a message echo prints
  EXPECT_EQ(f[1].context, "shell.printed-text");
  EXPECT_EQ(f[2].action, Action::Attention);
  EXPECT_NE(f[2].reason.find("does not parse"), std::string::npos) << f[2].reason;
  EXPECT_EQ(f[3].action, Action::Attention); // the table's name is built by the template
  EXPECT_EQ(f[3].ruleId, "airflow-bash-operator-command");
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
