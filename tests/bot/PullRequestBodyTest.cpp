#include "bot/PullRequestBody.h"

#include <git2.h>

#include <gtest/gtest.h>

namespace godwit {
namespace {

const std::string kBase = "0123456789abcdef0123456789abcdef01234567";

Migration migration() {
  Migration m;
  m.name = "orders-v2";
  m.description = "Orders move to the v2 dataset.\nThe v1 tables are deleted on 2025-01-31.";
  DatasetSpec d;
  d.kind = DatasetKind::BigQueryTable;
  d.from = "proj.sales.orders";
  d.to = "proj.sales_v2.orders";
  m.datasets.push_back(d);
  return m;
}

Repository repo() {
  Repository r;
  r.fullName = "acme/pipelines";
  r.htmlUrl = "https://github.com/acme/pipelines";
  return r;
}

Finding finding(std::string file, int line, Action action, std::string found,
                std::string replacementOrReason = "") {
  Finding f;
  f.file = std::move(file);
  f.line = line;
  f.endLine = line;
  f.action = action;
  f.found = std::move(found);
  f.dataset = "proj.sales.orders";
  if (action == Action::Rewrite)
    f.replacement = std::move(replacementOrReason);
  else
    f.reason = std::move(replacementOrReason);
  return f;
}

RunResult result() {
  RunResult r;
  r.changes = {{"src/Job.scala", "a", "b"}, {"etl/load orders.py", "c", "d"}};
  r.findings = {
      finding("src/Job.scala", 12, Action::Rewrite, "proj.sales.orders", "proj.sales_v2.orders"),
      finding("src/Job.scala", 40, Action::Rewrite, "proj:sales.orders", "proj:sales_v2.orders"),
      finding("etl/load orders.py", 3, Action::Rewrite, "proj.sales.orders",
              "proj.sales_v2.orders"),
      finding("src/Dyn.scala", 7, Action::Attention, "s\"proj.sales.$t\"",
              "table name built at run time"),
      finding("src/Quiet.scala", 9, Action::Attention, "proj.sales.orders", "hidden"),
  };
  r.findings.back().suppressed = true;
  return r;
}

TEST(PullRequestBody, CarriesMarkerDescriptionDocsAndDatasets) {
  PullRequestOptions options = pullRequestOptions(migration());
  options.docs = "https://wiki.example/orders-v2";
  std::string body = renderPullRequestBody(migration(), options, repo(), kBase, result());
  EXPECT_TRUE(body.starts_with("<!-- godwit:pull-request migration=\"orders-v2\" -->\n"));
  EXPECT_TRUE(isBotBody(body, "orders-v2"));
  EXPECT_FALSE(isBotBody(body, "orders-v3"));
  EXPECT_NE(body.find("The v1 tables are deleted on 2025-01-31."), std::string::npos);
  EXPECT_NE(body.find("Documentation: https://wiki.example/orders-v2"), std::string::npos);
  EXPECT_NE(body.find("| bigquery-table | `proj.sales.orders` | `proj.sales_v2.orders` |"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("godwit rewrote 3 references in 2 files; 1 more needs a human"),
            std::string::npos)
      << body;
}

TEST(PullRequestBody, EditsTableLinksToTheLinesAtTheBase) {
  std::string body =
      renderPullRequestBody(migration(), pullRequestOptions(migration()), repo(), kBase, result());
  std::string blob = "https://github.com/acme/pipelines/blob/" + kBase + "/";
  EXPECT_NE(body.find("| [`src/Job.scala`](" + blob + "src/Job.scala) | [12](" + blob +
                      "src/Job.scala#L12), [40](" + blob + "src/Job.scala#L40) |"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("`proj.sales.orders` → `proj.sales_v2.orders`<br>`proj:sales.orders` → "
                      "`proj:sales_v2.orders`"),
            std::string::npos);
  EXPECT_NE(body.find(blob + "etl/load%20orders.py#L3"), std::string::npos) << "paths are encoded";
}

TEST(PullRequestBody, AttentionItemsAreAnUncheckedTaskListWithReasons) {
  std::string body =
      renderPullRequestBody(migration(), pullRequestOptions(migration()), repo(), kBase, result());
  std::string blob = "https://github.com/acme/pipelines/blob/" + kBase + "/";
  EXPECT_NE(body.find("- [ ] [`src/Dyn.scala:7`](" + blob +
                      "src/Dyn.scala#L7) `s\"proj.sales.$t\"` — table name built at run time\n"),
            std::string::npos)
      << body;
  EXPECT_EQ(body.find("Quiet.scala"), std::string::npos) << "suppressed findings stay out";
  EXPECT_EQ(body.find("- [x]"), std::string::npos);
}

TEST(PullRequestBody, AnUpdateKeepsWhatPeopleWroteAroundTheBotsPart) {
  const std::string first =
      renderPullRequestBody(migration(), pullRequestOptions(migration()), repo(), kBase, result());
  EXPECT_TRUE(first.ends_with(std::string(kBodyEndMarker) + "\n"));
  const std::string edited = "Reviewed by the data team.\n\n" + first + "\nMerge after Friday.\n";
  RunResult later = result();
  later.findings.erase(later.findings.begin());
  const std::string next =
      renderPullRequestBody(migration(), pullRequestOptions(migration()), repo(), kBase, later);
  ASSERT_NE(next, first);
  EXPECT_EQ(mergeBody(edited, next, migration().name),
            "Reviewed by the data team.\n\n" + next + "\nMerge after Friday.\n");
  EXPECT_EQ(mergeBody(first, next, migration().name), next) << "an unedited body is replaced";
}

TEST(PullRequestBody, AnUpdateKeepsTheAttentionItemsPeopleTicked) {
  const std::string body =
      renderPullRequestBody(migration(), pullRequestOptions(migration()), repo(), kBase, result());
  std::string ticked = body;
  const size_t item = ticked.find("- [ ] [`src/Dyn.scala:7`]");
  ASSERT_NE(item, std::string::npos);
  ticked[item + 3] = 'x';
  const std::string merged = mergeBody(ticked, body, migration().name);
  EXPECT_NE(merged.find("- [x] [`src/Dyn.scala:7`]"), std::string::npos) << merged;
  EXPECT_EQ(merged.size(), body.size());
}

TEST(PullRequestBody, ABodyAPersonReplacedIsNeverOverwritten) {
  const std::string body =
      renderPullRequestBody(migration(), pullRequestOptions(migration()), repo(), kBase, result());
  EXPECT_EQ(mergeBody("We will migrate this by hand.", body, migration().name),
            "We will migrate this by hand.");
  // A body from before the end marker existed: the bot's part runs to its end.
  const std::string old = "Note.\n" + pullRequestMarker(migration().name) + "\nold text\n";
  EXPECT_EQ(mergeBody(old, body, migration().name), "Note.\n" + body);
  // Too long with the person's text: theirs is kept whole rather than cut.
  const std::string huge = std::string(65000, 'x') + "\n" + body;
  EXPECT_EQ(mergeBody(huge, body + std::string(1000, 'y'), migration().name), huge);
}

TEST(PullRequestBody, RewriteInAnUnchangedFileNeedsAttention) {
  RunResult r = result();
  r.findings.push_back(
      finding("src/Rejected.scala", 5, Action::Rewrite, "proj.sales.orders", "proj.sales_v2.x"));
  std::string body =
      renderPullRequestBody(migration(), pullRequestOptions(migration()), repo(), kBase, r);
  EXPECT_NE(body.find("- [ ] [`src/Rejected.scala:5`]"), std::string::npos) << body;
  EXPECT_EQ(body.find("| [`src/Rejected.scala`]"), std::string::npos);
}

TEST(PullRequestBody, ExplainsHowToControlTheBot) {
  std::string body =
      renderPullRequestBody(migration(), pullRequestOptions(migration()), repo(), kBase, result());
  EXPECT_NE(body.find("/godwit rebase"), std::string::npos);
  EXPECT_NE(body.find("will not reopen"), std::string::npos);
  EXPECT_NE(body.find("godwit:ignore"), std::string::npos);
  EXPECT_NE(body.find("`godwit/orders-v2`"), std::string::npos);
}

TEST(PullRequestBody, MigrationBodyComesFirstAndIsKept) {
  PullRequestOptions options = pullRequestOptions(migration());
  options.body = "Owner: @acme/data-platform. Questions in #orders.";
  std::string body = renderPullRequestBody(migration(), options, repo(), kBase, result());
  size_t custom = body.find(options.body);
  ASSERT_NE(custom, std::string::npos);
  EXPECT_LT(custom, body.find("Orders move to the v2 dataset."));
}

TEST(PullRequestBody, BackticksAndPipesDoNotBreakTheMarkdown) {
  RunResult r;
  r.changes = {{"a|b.scala", "x", "y"}};
  r.findings = {finding("a|b.scala", 1, Action::Rewrite, "x`y|z", "new")};
  std::string body =
      renderPullRequestBody(migration(), pullRequestOptions(migration()), repo(), kBase, r);
  EXPECT_NE(body.find("``x`y\\|z``"), std::string::npos) << body;
  EXPECT_NE(body.find("[`a\\|b.scala`]"), std::string::npos) << body;
  EXPECT_NE(body.find("a%7Cb.scala"), std::string::npos);
}

TEST(PullRequestBody, HugeRunsStayUnderTheLimit) {
  RunResult r;
  for (int i = 0; i < 3000; ++i) {
    std::string path = "src/module" + std::to_string(i) + "/VeryLongFileNameForTesting.scala";
    r.changes.push_back({path, "a", "b"});
    r.findings.push_back(finding(path, i + 1, Action::Rewrite, "proj.sales.orders", "new.t"));
    r.findings.push_back(finding(path, i + 2, Action::Attention, "x", "because"));
  }
  std::string body =
      renderPullRequestBody(migration(), pullRequestOptions(migration()), repo(), kBase, r);
  EXPECT_LE(body.size(), kMaxBodySize);
  EXPECT_NE(body.find("more files: see the commit"), std::string::npos);
  EXPECT_NE(body.find("How to control godwit"), std::string::npos) << "the footer always fits";
}

TEST(PullRequestBody, CommitMessageHasTitleSummaryAndTrailer) {
  Migration m = migration();
  std::string message = renderCommitMessage(m, pullRequestOptions(m), result());
  EXPECT_TRUE(message.starts_with("godwit: Orders move to the v2 dataset.\n\n")) << message;
  EXPECT_NE(message.find("Rewrites 3 dataset references in 2 files."), std::string::npos);
  EXPECT_NE(message.find("1 reference left for a human"), std::string::npos);
  git_libgit2_init();
  git_message_trailer_array trailers{};
  ASSERT_EQ(git_message_trailers(&trailers, message.c_str()), 0);
  ASSERT_EQ(trailers.count, 1u);
  EXPECT_STREQ(trailers.trailers[0].key, "Godwit-Migration");
  EXPECT_STREQ(trailers.trailers[0].value, "orders-v2");
  git_message_trailer_array_free(&trailers);
  git_libgit2_shutdown();
}

TEST(PullRequestBody, Comments) {
  std::string edited =
      renderHumanEditedComment(migration(), "godwit/orders-v2", "Ada", std::string(40, 'f'));
  EXPECT_TRUE(edited.starts_with(kHumanEditedMarker));
  EXPECT_NE(edited.find("(Ada)"), std::string::npos);
  EXPECT_NE(edited.find("/godwit rebase"), std::string::npos);

  RunResult none;
  std::string gone = renderClosingComment(migration(), repo(), kBase, none);
  EXPECT_TRUE(gone.starts_with(kClosedMarker));
  EXPECT_NE(gone.find("no longer references"), std::string::npos);
  RunResult attentionOnly;
  attentionOnly.findings = {finding("x.py", 2, Action::Attention, "t", "dynamic")};
  std::string left = renderClosingComment(migration(), repo(), kBase, attentionOnly);
  EXPECT_NE(left.find("- [ ] [`x.py:2`]"), std::string::npos) << left;
}

TEST(PullRequestOptions, DefaultsFromNameAndDescription) {
  Migration m = migration();
  PullRequestOptions o = pullRequestOptions(m);
  EXPECT_EQ(o.title, "godwit: Orders move to the v2 dataset.");
  EXPECT_EQ(o.labels, (std::vector<std::string>{"godwit", "dataset-migration"}));
  EXPECT_FALSE(o.draft);
  EXPECT_TRUE(o.reviewers.empty());
  m.description.clear();
  EXPECT_EQ(pullRequestOptions(m).title, "godwit: migrate orders-v2");
}

TEST(PullRequestOptions, ReadsThePullRequestSectionOfAMigrationFile) {
  const std::string head = "apiVersion: godwit/v1\nkind: Migration\nname: orders-v2\n"
                           "description: Orders move to the v2 dataset.\n"
                           "docs: https://wiki/x\n"
                           "datasets:\n  - kind: kafka-topic\n    from: orders\n    to: orders-v2\n";
  auto plain = parseMigration(head, "m.yaml");
  ASSERT_TRUE(plain) << plain.error().str();
  EXPECT_EQ(pullRequestOptions(*plain).docs, "https://wiki/x");
  EXPECT_EQ(pullRequestOptions(*plain).labels, defaultLabels());
  EXPECT_EQ(pullRequestOptions(*plain).title, "godwit: Orders move to the v2 dataset.");

  auto full = parseMigration(head + "pullRequest:\n  title: Move orders\n  body: Hello\n"
                                    "  labels: []\n  draft: true\n  reviewers: [ada, acme/data]\n",
                             "m.yaml");
  ASSERT_TRUE(full) << full.error().str();
  const PullRequestOptions o = pullRequestOptions(*full);
  EXPECT_EQ(o.title, "Move orders");
  EXPECT_EQ(o.body, "Hello");
  EXPECT_TRUE(o.labels.empty()) << "an explicit empty list means no labels";
  EXPECT_TRUE(o.draft);
  EXPECT_EQ(o.reviewers, (std::vector<std::string>{"ada", "acme/data"}));

  auto bad = parseMigration(head + "pullRequest:\n  draft: maybe\n", "m.yaml");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().str().rfind("m.yaml:11:10: error: `draft` must be true or false", 0), 0u)
      << bad.error().str();
  auto unknown = parseMigration(head + "pullRequest:\n  labelz: [a]\n", "m.yaml");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().str().find("labelz"), std::string::npos);
}

TEST(BranchName, IsAValidRefName) {
  EXPECT_EQ(branchName("orders-v2"), "godwit/orders-v2");
  EXPECT_EQ(branchName("a b/c..d"), "godwit/a-b-c-.d");
  EXPECT_EQ(branchName("x.lock"), "godwit/x-lock");
  EXPECT_EQ(branchName("x."), "godwit/x.-");
  git_libgit2_init();
  for (const char* name : {"orders-v2", "a b/c..d", "x.lock", "x.", "~^:?*[\\"}) {
    int valid = 0;
    ASSERT_EQ(git_reference_name_is_valid(&valid, ("refs/heads/" + branchName(name)).c_str()), 0);
    EXPECT_TRUE(valid) << name;
  }
  git_libgit2_shutdown();
}

} // namespace
} // namespace godwit
