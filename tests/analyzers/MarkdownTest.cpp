// Markdown: fences, code spans and prose, and which of them godwit edits.
#include "analyzers/markdown/Markdown.h"

#include "rules/DatasetMatcher.h"
#include "tests/analyzers/LanguageTestSupport.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace godwit {
namespace {

std::string_view part(std::string_view text, uint32_t b, uint32_t e) {
  return text.substr(b, e - b);
}

TEST(MarkdownFences, InfoStringFirstWordNamesTheLanguage) {
  EXPECT_EQ(fenceLanguage("sql"), std::optional<std::string_view>("sql"));
  EXPECT_EQ(fenceLanguage(" Python title=\"x.py\""), std::optional<std::string_view>("python"));
  EXPECT_EQ(fenceLanguage("{.yaml}"), std::optional<std::string_view>("yaml"));
  EXPECT_EQ(fenceLanguage("terraform"), std::optional<std::string_view>("hcl"));
  EXPECT_EQ(fenceLanguage("bash"), std::optional<std::string_view>("shell"));
  EXPECT_EQ(fenceLanguage("text"), std::nullopt);
  EXPECT_EQ(fenceLanguage(""), std::nullopt);
}

TEST(MarkdownSplit, FencesWithBackticksAndTildesIndentedOrNotClosed) {
  const std::string text = "a\n```sql\nSELECT 1\n```\n  ~~~~ yaml\n  k: v\n ~~~~\n```\nopen\n";
  const MarkdownParts parts = splitMarkdown(text);
  ASSERT_EQ(parts.fences.size(), 3u);
  EXPECT_EQ(parts.fences[0].info, "sql");
  EXPECT_EQ(parts.fences[0].doc.text, "SELECT 1\n");
  EXPECT_EQ(parts.fences[0].doc.language, "sql");
  EXPECT_TRUE(parts.fences[0].closed);
  EXPECT_EQ(parts.fences[1].doc.text, "k: v\n"); // the opener's indentation removed
  EXPECT_EQ(parts.fences[1].doc.srcBegin[0], text.find("k: v"));
  EXPECT_FALSE(parts.fences[2].closed);
  EXPECT_EQ(parts.fences[2].doc.text, "open\n");
}

TEST(MarkdownSplit, BacktickInfoWithABacktickIsAnInlineSpan) {
  const MarkdownParts parts = splitMarkdown("```a`b``` text\n");
  EXPECT_TRUE(parts.fences.empty());
  EXPECT_EQ(parts.spans.size(), 1u);
}

TEST(MarkdownSplit, CodeSpansAndWhereTheyAreEditable) {
  const std::string text = "x `a.b` and `` c`d `` e `unclosed\n> `q`\n    `code`\n    - `item`\n"
                           "<!-- `c`\n`d` -->\n`e`\n";
  const MarkdownParts parts = splitMarkdown(text);
  std::vector<std::string> spans;
  std::vector<bool> editable;
  for (const MarkdownSpan& s : parts.spans) {
    spans.emplace_back(part(text, s.begin, s.end));
    editable.push_back(s.editable);
  }
  EXPECT_EQ(spans, (std::vector<std::string>{"a.b", "c`d", "q", "code", "item", "c", "d", "e"}));
  EXPECT_EQ(editable, (std::vector<bool>{true, true, false, false, true, false, false, true}));
}

std::vector<DatasetMatcher> profiles() { return test::profileMatchers(); }

std::vector<Finding> analyze(const std::string& path, const std::string& text) {
  auto analyzer = makeMarkdownAnalyzer({});
  EXPECT_TRUE(analyzer);
  auto found = (*analyzer)->analyze(SourceFile{path, text}, profiles());
  EXPECT_TRUE(found) << (found ? "" : found.error().str());
  return found ? *found : std::vector<Finding>();
}

TEST(MarkdownAnalyzer, SpanThatIsTheNameIsARewriteProseIsAttention) {
  const auto found = analyze("README.md", "`acme-prod.core_users.user_profile_v1` is "
                                          "acme-prod.core_users.user_profile_v1\n");
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].action, Action::Rewrite);
  EXPECT_EQ(found[0].context, "markdown.code-span");
  EXPECT_EQ(found[1].action, Action::Attention);
  EXPECT_EQ(found[1].context, "markdown.text");
}

TEST(MarkdownAnalyzer, SpanWithMoreThanTheNameOrBesideTheNewNameIsAttention) {
  const auto found = analyze("README.md",
                             "`SELECT * FROM acme-prod.core_users.user_profile_v1`\n"
                             "`acme-prod.core_users.user_profile_v1` → "
                             "`acme-prod.core_users.user_profile_v2`\n");
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].action, Action::Attention);
  EXPECT_EQ(found[1].action, Action::Attention);
  EXPECT_NE(found[1].reason.find("new dataset"), std::string::npos);
}

TEST(MarkdownAnalyzer, FenceThatDoesNotParseAndChangelogsAreAttention) {
  const auto snippet = analyze("a.md", "```python\nt = \"acme-prod.core_users.user_profile_v1\"\n"
                                       "def (\n```\n");
  ASSERT_EQ(snippet.size(), 1u);
  EXPECT_EQ(snippet[0].action, Action::Attention);
  const auto changelog = analyze("docs/CHANGELOG.md", "`acme-prod.core_users.user_profile_v1`\n");
  ASSERT_EQ(changelog.size(), 1u);
  EXPECT_EQ(changelog[0].action, Action::Attention);
}

TEST(MarkdownAnalyzer, SyntaxErrorsCountOnlyFencesItReads) {
  auto analyzer = makeMarkdownAnalyzer({});
  ASSERT_TRUE(analyzer);
  EXPECT_EQ((*analyzer)->syntaxErrors("```text\ndef (\n```\n"), 0);
  EXPECT_GT((*analyzer)->syntaxErrors("```python\ndef (\n```\n"), 0);
}

} // namespace
} // namespace godwit
