// Markdown and notebook edits end to end: the real analyzer's findings through editsForFinding,
// applied to the host text. The offset map crosses JSON escapes and fence indentation, and the
// replacement is encoded for both the literal and its host.
#include "analyzers/Analyzer.h"
#include "rewriters/Rewrite.h"
#include "rules/DatasetMatcher.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace godwit {
namespace {

DatasetSpec table(std::string from, std::string to) {
  DatasetSpec spec;
  spec.kind = DatasetKind::BigQueryTable;
  spec.from = std::move(from);
  spec.to = std::move(to);
  return spec;
}

struct Outcome {
  std::string text;                 ///< The host after every edit.
  std::vector<std::string> refused; ///< Why editsForFinding refused a rewrite.
  std::vector<Finding> findings;
};

Outcome migrate(const std::string& path, const std::string& text,
                std::vector<DatasetSpec> specs = {table("acme-prod.core_users.user_profile_v1",
                                                        "acme-data.users.user_profile")}) {
  std::vector<DatasetMatcher> matchers;
  for (const DatasetSpec& s : specs)
    matchers.emplace_back(s);
  const LanguageEntry* language = languageForPath(path);
  EXPECT_NE(language, nullptr) << path;
  Outcome out;
  out.text = text;
  if (!language)
    return out;
  auto analyzer = language->create({});
  EXPECT_TRUE(analyzer) << (analyzer ? "" : analyzer.error().str());
  if (!analyzer)
    return out;
  auto found = (*analyzer)->analyze(SourceFile{path, text}, matchers);
  EXPECT_TRUE(found) << (found ? "" : found.error().str());
  if (!found)
    return out;
  std::vector<Edit> edits;
  for (const Finding& f : *found) {
    if (f.action != Action::Rewrite || f.suppressed)
      continue;
    auto made = editsForFinding(f);
    if (!made) {
      out.refused.push_back(made.error().message);
      continue;
    }
    edits.insert(edits.end(), made->begin(), made->end());
  }
  std::sort(edits.begin(), edits.end(),
            [](const Edit& a, const Edit& b) { return a.offset > b.offset; });
  for (const Edit& e : edits)
    out.text.replace(e.offset, e.length, e.replacement);
  out.findings = std::move(*found);
  return out;
}

TEST(NotebookEdits, CrossTheJsonEscapesOfACellAndStayByteMinimal) {
  const std::string before = R"nb({
 "cells": [
  {
   "cell_type": "code",
   "execution_count": 1,
   "metadata": {},
   "outputs": [],
   "source": [
    "q = \"SELECT * FROM \\\"acme-prod.core_users.user_profile_v1\\\"\"\n",
    "t = client.get_table('acme-prod:core_users.user_profile_v1')"
   ]
  }
 ],
 "metadata": {},
 "nbformat": 4,
 "nbformat_minor": 5
}
)nb";
  std::string after = before;
  for (const auto& [from, to] : {std::pair{std::string("acme-prod.core_users.user_profile_v1"),
                                           std::string("acme-data.users.user_profile")},
                                 std::pair{std::string("acme-prod:core_users.user_profile_v1"),
                                           std::string("acme-data:users.user_profile")}})
    after.replace(after.find(from), from.size(), to);
  const Outcome out = migrate("nb/a.ipynb", before);
  EXPECT_TRUE(out.refused.empty()) << out.refused.front();
  EXPECT_EQ(out.text, after);
}

TEST(NotebookEdits, ReplacementIsEscapedAsJsonStringContent) {
  // The new name holds a quote only to show the second escaping; real names never do.
  const std::string before =
      R"nb({"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "source": ["x = 'acme-prod.core_users.user_profile_v1'"]}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
)nb";
  const Outcome out = migrate("a.ipynb", before,
                              {table("acme-prod.core_users.user_profile_v1",
                                     "acme-prod.core_users.user_\\profile")});
  // Python escapes the backslash once, JSON escapes both backslashes again.
  EXPECT_NE(out.text.find(R"(core_users.user_\\\\profile')"), std::string::npos) << out.text;
}

TEST(NotebookEdits, AChangeAcrossTwoSourceLinesIsRefused) {
  // A backslash continuation inside the string: the name's bytes come from two array elements.
  const std::string before =
      R"nb({"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "source": ["x = 'acme-prod.core_users.user_\\\n", "profile_v1'"]}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
)nb";
  const Outcome out = migrate("a.ipynb", before,
                              {table("acme-prod.core_users.user_profile_v1",
                                     "acme-prod.core_users.user_profile_v2")});
  EXPECT_EQ(out.text, before);
  ASSERT_EQ(out.refused.size(), 1u);
}

TEST(MarkdownEdits, FenceInAListItemIsEditedThroughItsIndentation) {
  const std::string before = "1. Run:\n\n   ```sql\n   SELECT 1\n   FROM "
                             "`acme-prod.core_users.user_profile_v1`\n   ```\n";
  std::string after = before;
  after.replace(after.find("acme-prod.core_users.user_profile_v1"),
                std::string("acme-prod.core_users.user_profile_v1").size(),
                "acme-data.users.user_profile");
  const Outcome out = migrate("docs/run.md", before);
  EXPECT_TRUE(out.refused.empty());
  EXPECT_EQ(out.text, after);
}

TEST(MarkdownEdits, CodeSpanKeepsItsSpellingAndProseStays) {
  const std::string before =
      "Reads `acme-prod:core_users.user_profile_v1`; acme-prod.core_users.user_profile_v1 too.\n";
  const Outcome out = migrate("README.md", before);
  EXPECT_EQ(out.text, "Reads `acme-data:users.user_profile`; acme-prod.core_users.user_profile_v1 "
                      "too.\n");
  ASSERT_EQ(out.findings.size(), 2u);
  EXPECT_EQ(out.findings[1].action, Action::Attention);
  EXPECT_EQ(out.findings[1].context, "markdown.text");
}

} // namespace
} // namespace godwit
