// The payload reader over GitHub's documented payloads (@octokit/webhooks-examples), and over
// those payloads broken in the ways a bad sender breaks them.
#include "bot/webhook/WebhookEvent.h"

#include "Examples.h"

#include <gtest/gtest.h>

#include <set>
#include <sstream>

namespace godwit {
namespace {

using nlohmann::json;
using webhooktest::example;
using webhooktest::examplesIndex;
using webhooktest::pushToDefaultBranch;

WebhookEvent read(const std::string& event, const json& payload) {
  auto e = readWebhookEvent(event, payload.dump());
  if (!e)
    throw std::runtime_error(e.error().str());
  return *e;
}

Error failure(const std::string& event, const std::string& body) {
  auto e = readWebhookEvent(event, body);
  if (e)
    throw std::runtime_error("read " + event + " without an error");
  return e.error();
}

TEST(WebhookEventTest, EveryDocumentedExampleReads) {
  size_t read = 0, acted = 0;
  for (const json& e : examplesIndex())
    for (const json& payload : e.at("examples")) {
      const std::string name = e.at("name");
      auto event = readWebhookEvent(name, payload.dump());
      ASSERT_TRUE(event) << name << " " << payload.value("action", "") << ": "
                         << event.error().str();
      EXPECT_EQ(event->event, name);
      EXPECT_EQ(event->action, payload.value("action", ""));
      ++read;
      acted += !event->ignored();
    }
  EXPECT_GT(read, 300u);
  EXPECT_GT(acted, 30u);
}

TEST(WebhookEventTest, PullRequestClosed) {
  WebhookEvent e = read("pull_request", example("pull_request", "closed"));
  EXPECT_EQ(e.action, "closed");
  ASSERT_TRUE(e.repository);
  EXPECT_EQ(e.repository->id, 186853002);
  EXPECT_EQ(e.repository->fullName, "Codertocat/Hello-World");
  EXPECT_EQ(e.repository->defaultBranch, "master");
  EXPECT_EQ(e.installationId, 1);
  EXPECT_EQ(e.sender, "Codertocat");
  const auto* pr = std::get_if<PullRequestEvent>(&e.details);
  ASSERT_NE(pr, nullptr);
  EXPECT_EQ(pr->number, 2);
  EXPECT_FALSE(pr->merged);
  EXPECT_EQ(pr->headRef, "changes");
  EXPECT_EQ(pr->headSha, "ec26c3e57ca3a959ca5aad62de7213c562f8c821");
  EXPECT_EQ(pr->baseRef, "master");
  EXPECT_EQ(pr->user, "Codertocat");

  json merged = example("pull_request", "closed");
  merged["pull_request"]["merged"] = true;
  EXPECT_TRUE(std::get<PullRequestEvent>(read("pull_request", merged).details).merged);
}

TEST(WebhookEventTest, PullRequestSynchronizeIsReadAndOpenedIsIgnored) {
  WebhookEvent sync = read("pull_request", example("pull_request", "synchronize"));
  ASSERT_TRUE(std::holds_alternative<PullRequestEvent>(sync.details));
  WebhookEvent opened = read("pull_request", example("pull_request", "opened"));
  ASSERT_TRUE(opened.ignored());
  EXPECT_EQ(std::get<IgnoredEvent>(opened.details).reason, "pull_request opened is not acted on");
  EXPECT_EQ(opened.repository->id, 186853002) << "an ignored event keeps its common fields";
}

TEST(WebhookEventTest, PushToABranch) {
  WebhookEvent e = read("push", pushToDefaultBranch());
  EXPECT_EQ(e.action, "");
  EXPECT_EQ(e.installationId, 1);
  const auto& push = std::get<PushEvent>(e.details);
  EXPECT_EQ(push.ref, "refs/heads/master");
  EXPECT_EQ(push.after, "6113728f27ae82c7b1a177c8d03f9e96e0adf246");
  EXPECT_EQ(push.pusher, "Codertocat");
  EXPECT_FALSE(push.deleted);
}

TEST(WebhookEventTest, IssueCommentOnAnIssueAndOnAPullRequest) {
  json payload = example("issue_comment", "created");
  WebhookEvent onIssue = read("issue_comment", payload);
  const auto& c = std::get<IssueCommentEvent>(onIssue.details);
  EXPECT_EQ(c.issueNumber, 1);
  EXPECT_FALSE(c.onPullRequest);
  EXPECT_EQ(c.authorAssociation, "OWNER");
  EXPECT_EQ(c.user, "Codertocat");
  EXPECT_EQ(c.body, payload["comment"]["body"]);

  // GitHub documents `issue.pull_request` as present exactly when the issue is a pull request.
  payload["issue"]["pull_request"] = {
      {"url", "https://api.github.com/repos/Codertocat/Hello-World/pulls/1"},
      {"html_url", "https://github.com/Codertocat/Hello-World/pull/1"},
      {"diff_url", "https://github.com/Codertocat/Hello-World/pull/1.diff"},
      {"patch_url", "https://github.com/Codertocat/Hello-World/pull/1.patch"}};
  payload["comment"]["body"] = "/godwit rebase";
  WebhookEvent onPull = read("issue_comment", payload);
  const auto& p = std::get<IssueCommentEvent>(onPull.details);
  EXPECT_TRUE(p.onPullRequest);
  EXPECT_EQ(p.body, "/godwit rebase");

  EXPECT_TRUE(read("issue_comment", example("issue_comment", "edited")).ignored());
}

TEST(WebhookEventTest, InstallationsAddAndRemoveRepositories) {
  const WebhookEvent installed = read("installation", example("installation", "created"));
  const auto& created = std::get<InstallationEvent>(installed.details);
  ASSERT_EQ(created.added.size(), 1u);
  EXPECT_EQ(created.added[0].id, 186853002);
  EXPECT_EQ(created.added[0].fullName, "Codertocat/Hello-World");
  EXPECT_TRUE(created.removed.empty());
  const WebhookEvent uninstalled = read("installation", example("installation", "deleted"));
  const auto& deleted = std::get<InstallationEvent>(uninstalled.details);
  ASSERT_EQ(deleted.removed.size(), 1u);
  EXPECT_EQ(deleted.removed[0].fullName, "octocat/Hello-World");
  EXPECT_TRUE(read("installation", example("installation", "suspend")).ignored());

  WebhookEvent added =
      read("installation_repositories", example("installation_repositories", "added"));
  EXPECT_EQ(added.installationId, 957387);
  const auto& a = std::get<InstallationEvent>(added.details);
  ASSERT_EQ(a.added.size(), 1u);
  EXPECT_EQ(a.added[0].id, 186853007);
  EXPECT_EQ(a.added[0].fullName, "Codertocat/Space");
  const WebhookEvent removed =
      read("installation_repositories", example("installation_repositories", "removed"));
  const auto& r = std::get<InstallationEvent>(removed.details);
  ASSERT_EQ(r.removed.size(), 1u);
  EXPECT_EQ(r.removed[0].id, 1296269);
}

TEST(WebhookEventTest, RepositoryRenamedTransferredArchived) {
  json renamed = example("repository", "renamed");
  renamed["changes"]["repository"]["name"]["from"] = "Old-World";
  WebhookEvent e = read("repository", renamed);
  EXPECT_EQ(e.repository->id, 186853261);
  EXPECT_EQ(e.repository->fullName, "Octocoders/Hello-World");
  EXPECT_EQ(std::get<RepositoryEvent>(e.details).previousFullName, "Octocoders/Old-World");

  WebhookEvent moved = read("repository", example("repository", "transferred"));
  EXPECT_EQ(std::get<RepositoryEvent>(moved.details).previousFullName, "octocat/Hello-World");

  json archived = example("repository", "publicized");
  archived["action"] = "archived";
  archived["repository"]["archived"] = true;
  WebhookEvent a = read("repository", archived);
  ASSERT_TRUE(std::holds_alternative<RepositoryEvent>(a.details));
  EXPECT_TRUE(a.repository->archived);
  EXPECT_TRUE(read("repository", example("repository", "publicized")).ignored());
}

TEST(WebhookEventTest, ChecksAndStatuses) {
  WebhookEvent suite = read("check_suite", example("check_suite", "completed"));
  const auto& s = std::get<CiEvent>(suite.details);
  EXPECT_EQ(s.headSha, "ec26c3e57ca3a959ca5aad62de7213c562f8c821");
  EXPECT_EQ(s.state, "success");
  EXPECT_EQ(s.pullRequests, std::vector<int64_t>{2});
  EXPECT_TRUE(read("check_suite", example("check_suite", "requested")).ignored());

  json failed = example("check_run", "completed");
  ASSERT_EQ(failed["check_run"]["conclusion"], "failure");
  const WebhookEvent checkRun = read("check_run", failed);
  const auto& run = std::get<CiEvent>(checkRun.details);
  EXPECT_EQ(run.state, "failure");
  EXPECT_EQ(run.name, "Octocoders-linter");

  const WebhookEvent statusEvent = read("status", example("status", "", true));
  const auto& status = std::get<CiEvent>(statusEvent.details);
  EXPECT_EQ(status.headSha, "6113728f27ae82c7b1a177c8d03f9e96e0adf246");
  EXPECT_EQ(status.state, "success");
  EXPECT_EQ(status.name, "default");
}

TEST(WebhookEventTest, UnknownEventsAreIgnoredValues) {
  WebhookEvent star = read("star", json{{"action", "created"}});
  ASSERT_TRUE(star.ignored());
  EXPECT_EQ(std::get<IgnoredEvent>(star.details).reason, "the App does not act on star events");
  WebhookEvent odd = read("a\x01"
                          "b",
                          json::object());
  EXPECT_EQ(std::get<IgnoredEvent>(odd.details).reason, "the App does not act on a\\x01b events");
  EXPECT_TRUE(read("", json::object()).ignored());
}

TEST(WebhookEventTest, MalformedPayloadsAreErrorsNamingTheFault) {
  Error notJson = failure("push", R"({"ref": "refs/heads/main", )");
  EXPECT_NE(notJson.message.find("push payload is not JSON: syntax error at byte"),
            std::string::npos)
      << notJson.message;
  EXPECT_FALSE(notJson.hint.empty());
  EXPECT_EQ(failure("push", "[1, 2]").message, "push payload is not a JSON object");
  EXPECT_EQ(failure("push", "").message.find("push payload is not JSON"), 0u);
  EXPECT_NE(failure("star", "payload=%7B%7D").message.find("is not JSON"), std::string::npos)
      << "a form-encoded body is refused whatever the event";

  json noNumber = example("pull_request", "closed");
  noNumber["pull_request"].erase("number");
  EXPECT_EQ(failure("pull_request", noNumber.dump()).message,
            "pull_request payload: `pull_request.number` is missing");
  json textNumber = example("pull_request", "closed");
  textNumber["pull_request"]["number"] = "2";
  EXPECT_EQ(failure("pull_request", textNumber.dump()).message,
            "pull_request payload: `pull_request.number` is not an integer");
  json badRepo = pushToDefaultBranch();
  badRepo["repository"] = "Codertocat/Hello-World";
  EXPECT_EQ(failure("push", badRepo.dump()).message, "push payload: `repository` is not an object");
  json badHead = example("pull_request", "synchronize");
  badHead["pull_request"]["head"] = 7;
  EXPECT_EQ(failure("pull_request", badHead.dump()).message,
            "pull_request payload: `pull_request.head` is not an object");
  json badList = example("installation_repositories", "added");
  badList["repositories_added"][0].erase("full_name");
  EXPECT_EQ(failure("installation_repositories", badList.dump()).message,
            "installation_repositories payload: `repositories_added[0].full_name` is missing");
  json badMerged = example("pull_request", "closed");
  badMerged["pull_request"]["merged"] = "yes";
  EXPECT_EQ(failure("pull_request", badMerged.dump()).message,
            "pull_request payload: `pull_request.merged` is not true or false");
}

// docs/app.md tells an owner which events to subscribe the App to: its table's `X-GitHub-Event`
// column, and the events[] of its link, are the events whose documented examples the reader acts
// on (the link leaves out the two GitHub always sends).
TEST(WebhookEventTest, TheEventsDocsAppMdSubscribesToAreTheOnesItActsOn) {
  std::ifstream in(GODWIT_SOURCE_DIR "/docs/app.md");
  std::stringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  const size_t begin = doc.find("## Creating and installing the App");
  ASSERT_NE(begin, std::string::npos);
  const std::string guide = doc.substr(begin, doc.find("\n## ", begin + 1) - begin);
  const size_t tableAt = guide.find("### The events to subscribe to");
  ASSERT_NE(tableAt, std::string::npos);
  std::set<std::string> table;
  std::istringstream lines(guide.substr(tableAt, guide.find("\n### ", tableAt + 1) - tableAt));
  bool inTable = false; // after the header's |---| line
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("|---")) {
      inTable = true;
      continue;
    }
    std::vector<std::string> cells;
    std::istringstream row(line);
    for (std::string cell; std::getline(row, cell, '|');) {
      const size_t first = cell.find_first_not_of(' ');
      cells.push_back(first == std::string::npos
                          ? ""
                          : cell.substr(first, cell.find_last_not_of(' ') - first + 1));
    }
    if (inTable && line.starts_with("|") && cells.size() > 2 && cells[2].size() > 2 &&
        cells[2].front() == '`' && cells[2].back() == '`')
      table.insert(cells[2].substr(1, cells[2].size() - 2));
  }
  std::set<std::string> link;
  for (size_t at = guide.find("events[]="); at != std::string::npos;
       at = guide.find("events[]=", at + 1)) {
    const size_t from = at + 9;
    link.insert(guide.substr(from, guide.find_first_of("&\n", from) - from));
  }

  std::set<std::string> acted;
  for (const json& e : examplesIndex())
    for (const json& payload : e.at("examples")) {
      auto event = readWebhookEvent(e.at("name").get<std::string>(), payload.dump());
      if (event && !event->ignored())
        acted.insert(event->event);
    }
  EXPECT_EQ(table, acted);
  std::set<std::string> subscribed = acted;
  subscribed.erase("installation");
  subscribed.erase("installation_repositories");
  EXPECT_EQ(link, subscribed);
}

} // namespace
} // namespace godwit
