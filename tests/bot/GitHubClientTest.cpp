// The GitHub client against the contract server: every request it sends is checked against
// GitHub's OpenAPI description, and each test ends by asserting there was no violation.

#include "bot/github/GitHubClient.h"
#include "tests/support/FakeClock.h"
#include "tests/support/GitHubContractServer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdlib>
#include <filesystem>
#include <thread>

namespace godwit {
namespace {

using nlohmann::json;
using test::FakeClock;
using test::GitHubContractServer;
using test::RepoSeed;
using test::ScriptedResponse;
using test::ServerPull;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
namespace fs = std::filesystem;

constexpr const char* kToken = "ghp_contractTOKENvalue0123456789";
constexpr const char* kRepo = "acme/widgets";
constexpr const char* kSha = "0123456789abcdef0123456789abcdef01234567";

/// A scripted answer for the next request matching `method` and `path` ("" = any).
ScriptedResponse respond(int status, std::map<std::string, std::string> headers = {},
                         std::string body = R"({"message":"Server Error"})",
                         std::string method = "", std::string path = "") {
  ScriptedResponse r;
  r.status = status;
  r.headers = std::move(headers);
  r.body = std::move(body);
  r.method = std::move(method);
  r.pathContains = std::move(path);
  return r;
}

class GitHubClientTest : public ::testing::Test {
protected:
  void SetUp() override {
    server_ = std::make_unique<GitHubContractServer>(kToken);
    server_->addRepository({kRepo, "main", "file:///nowhere/widgets.git"});
    server_->setBranch(kRepo, "main", kSha);
    server_->setBranch(kRepo, "godwit/migrate-1", kSha);
    clock_ = std::make_shared<FakeClock>();
    client_ = makeClient(server_->url());
  }

  void TearDown() override {
    EXPECT_THAT(server_->violations(), IsEmpty());
    for (const std::string& line : logLines_)
      EXPECT_THAT(line, Not(HasSubstr(kToken)));
  }

  std::unique_ptr<GitHubClient> makeClient(const std::string& url, RetryPolicy policy = {},
                                           ClientObserver observer = {}) {
    CodeHostConfig config;
    config.apiUrl = url;
    config.token = kToken;
    config.timeout = std::chrono::seconds(10);
    GitHubClientOptions options;
    options.clock = clock_;
    options.retry = policy;
    options.observer = std::move(observer);
    options.log = [this](const std::string& line) { logLines_.push_back(line); };
    auto client = GitHubClient::create(config, options);
    EXPECT_TRUE(client.hasValue()) << client.error().str();
    return std::move(*client);
  }

  std::unique_ptr<GitHubContractServer> server_;
  std::shared_ptr<FakeClock> clock_;
  std::unique_ptr<GitHubClient> client_;
  std::vector<std::string> logLines_;
};

// --- operations

TEST_F(GitHubClientTest, RepositoryReportsDefaultBranchArchivedAndCloneUrl) {
  server_->addRepository({"acme/old", "trunk", "file:///srv/old.git", true});
  auto repo = client_->repository("acme/old");
  ASSERT_TRUE(repo.hasValue()) << repo.error().str();
  EXPECT_EQ(repo->fullName, "acme/old");
  EXPECT_EQ(repo->defaultBranch, "trunk");
  EXPECT_TRUE(repo->archived);
  EXPECT_EQ(repo->cloneUrl, "file:///srv/old.git");
  EXPECT_GT(repo->id, 0);
}

TEST_F(GitHubClientTest, InvisibleRepositoryIsNoAccessAndNotRetried) {
  server_->addRepository({"acme/secret", "main", "", false, /*visible=*/false});
  auto repo = client_->repository("acme/secret");
  ASSERT_FALSE(repo.hasValue());
  EXPECT_EQ(repo.error().message, "no access to acme/secret (the token cannot see it)");
  EXPECT_EQ(server_->requests("GET", "/repos/acme/secret").size(), 1u);
  EXPECT_THAT(clock_->sleeps(), IsEmpty());
}

TEST_F(GitHubClientTest, MalformedRepositoryNameIsRefusedWithoutARequest) {
  EXPECT_FALSE(client_->repository("widgets").hasValue());
  EXPECT_FALSE(client_->repository("a/b/c").hasValue());
  EXPECT_THAT(server_->requests(), IsEmpty());
}

TEST_F(GitHubClientTest, CreatePullRequestOpensADraft) {
  PullRequestSpec spec{"Migrate dataset", "Body text", "godwit/migrate-1", "main", true};
  auto pr = client_->createPullRequest(kRepo, spec);
  ASSERT_TRUE(pr.hasValue()) << pr.error().str();
  EXPECT_EQ(pr->number, 1);
  EXPECT_TRUE(pr->draft);
  EXPECT_EQ(pr->state, "open");
  EXPECT_EQ(pr->headRef, "godwit/migrate-1");
  EXPECT_EQ(pr->headSha, kSha);
  EXPECT_EQ(pr->baseRef, "main");
  auto stored = server_->pull(kRepo, 1);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->title, "Migrate dataset");
  EXPECT_EQ(stored->body, "Body text");
  EXPECT_TRUE(stored->draft);
}

TEST_F(GitHubClientTest, CreatePullRequestFallsBackToReadyWhenDraftsAreUnavailable) {
  server_->failNext(respond(
      422, {},
      R"({"message":"Validation Failed","errors":[{"resource":"PullRequest","code":"custom","message":"Draft pull requests are not supported in this repository."}]})",
      "POST", "/pulls"));
  auto pr = client_->createPullRequest(kRepo, {"t", "b", "godwit/migrate-1", "main", true});
  ASSERT_TRUE(pr.hasValue()) << pr.error().str();
  EXPECT_FALSE(pr->draft);
  auto posts = server_->requests("POST", "/pulls");
  ASSERT_EQ(posts.size(), 2u);
  EXPECT_EQ(json::parse(posts[0].body)["draft"], true);
  EXPECT_FALSE(json::parse(posts[1].body).contains("draft"));
}

TEST_F(GitHubClientTest, CreatePullRequestAdoptsTheExistingOpenOne) {
  ServerPull existing;
  existing.title = "Earlier run";
  existing.head = "godwit/migrate-1";
  existing.base = "main";
  existing.headSha = kSha;
  existing.author = "godwit-bot";
  int64_t number = server_->addPull(kRepo, existing);

  auto pr = client_->createPullRequest(kRepo, {"Migrate", "b", "godwit/migrate-1", "main", false});
  ASSERT_TRUE(pr.hasValue()) << pr.error().str();
  EXPECT_EQ(pr->number, number);
  EXPECT_EQ(pr->title, "Earlier run");
  EXPECT_EQ(server_->pulls(kRepo).size(), 1u);
  auto lookups = server_->requests("GET", "/pulls");
  ASSERT_EQ(lookups.size(), 1u);
  EXPECT_EQ(lookups[0].query.find("state")->second, "open");
  EXPECT_EQ(lookups[0].query.find("head")->second, "acme:godwit/migrate-1");
}

TEST_F(GitHubClientTest, CreatePullRequestForAMissingBranchFailsWithGitHubsReason) {
  auto pr = client_->createPullRequest(kRepo, {"t", "b", "no-such-branch", "main", false});
  ASSERT_FALSE(pr.hasValue());
  EXPECT_THAT(pr.error().message, HasSubstr("422"));
  EXPECT_THAT(pr.error().message, HasSubstr("PullRequest.head invalid"));
  EXPECT_FALSE(pr.error().hint.empty());
  EXPECT_EQ(server_->requests("POST", "/pulls").size(), 1u);
}

TEST_F(GitHubClientTest, FindPullRequestReturnsTheNewestForTheHeadInAnyState) {
  ServerPull closed;
  closed.head = "godwit/migrate-1";
  closed.base = "main";
  closed.state = "closed";
  closed.title = "first";
  server_->addPull(kRepo, closed);
  ServerPull open = closed;
  open.state = "open";
  open.title = "second";
  int64_t newest = server_->addPull(kRepo, open);
  ServerPull other = open;
  other.head = "feature";
  server_->addPull(kRepo, other);

  auto found = client_->findPullRequest(kRepo, "godwit/migrate-1");
  ASSERT_TRUE(found.hasValue()) << found.error().str();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->number, newest);
  EXPECT_EQ((*found)->title, "second");

  auto none = client_->findPullRequest(kRepo, "godwit/nothing");
  ASSERT_TRUE(none.hasValue());
  EXPECT_FALSE(none->has_value());
}

TEST_F(GitHubClientTest, FindPullRequestPollsWithETags) {
  ServerPull p;
  p.head = "godwit/migrate-1";
  p.base = "main";
  p.title = "v1";
  int64_t number = server_->addPull(kRepo, p);

  ASSERT_EQ((*client_->findPullRequest(kRepo, "godwit/migrate-1"))->title, "v1");
  auto again = client_->findPullRequest(kRepo, "godwit/migrate-1");
  ASSERT_TRUE(again.hasValue());
  EXPECT_EQ((*again)->title, "v1");
  EXPECT_EQ(server_->notModifiedCount(), 1);
  auto polls = server_->requests("GET", "/pulls");
  ASSERT_EQ(polls.size(), 2u);
  EXPECT_EQ(polls[0].headers.count("if-none-match"), 0u);
  EXPECT_EQ(polls[1].headers.count("if-none-match"), 1u);

  // A change on the server invalidates the ETag: the client sees the new state.
  ASSERT_TRUE(client_->updatePullRequest(kRepo, number, "v2", "b").hasValue());
  EXPECT_EQ((*client_->findPullRequest(kRepo, "godwit/migrate-1"))->title, "v2");
  EXPECT_EQ(server_->notModifiedCount(), 1);
}

TEST_F(GitHubClientTest, UpdateAndCloseAPullRequest) {
  ServerPull p;
  p.head = "godwit/migrate-1";
  p.base = "main";
  int64_t number = server_->addPull(kRepo, p);
  auto updated = client_->updatePullRequest(kRepo, number, "New title", "New body");
  ASSERT_TRUE(updated.hasValue()) << updated.error().str();
  EXPECT_EQ(updated->title, "New title");
  EXPECT_EQ(server_->pull(kRepo, number)->body, "New body");
  ASSERT_TRUE(client_->closePullRequest(kRepo, number).hasValue());
  EXPECT_EQ(server_->pull(kRepo, number)->state, "closed");
  EXPECT_FALSE(client_->closePullRequest(kRepo, 999).hasValue());
}

TEST_F(GitHubClientTest, EnsureLabelsPaginatesAndCreatesOnlyTheMissingOnes) {
  server_->setMaxPageSize(2);
  for (const char* name : {"bug", "docs", "Godwit", "help", "question"})
    server_->addLabel(kRepo, {name, "ededed", ""});
  ASSERT_TRUE(client_
                  ->ensureLabels(kRepo, {{"godwit", "5319e7", "Opened by godwit"},
                                         {"godwit:attention", "d93f0b", ""},
                                         {"godwit:attention", "d93f0b", ""}})
                  .hasValue());
  EXPECT_EQ(server_->requests("GET", "/labels").size(), 3u);
  auto created = server_->requests("POST", "/labels");
  ASSERT_EQ(created.size(), 1u);
  EXPECT_EQ(json::parse(created[0].body),
            json({{"name", "godwit:attention"}, {"color", "d93f0b"}}));
  EXPECT_EQ(server_->labels(kRepo).size(), 6u);
}

TEST_F(GitHubClientTest, EnsureLabelsTreatsAConcurrentCreateAsDone) {
  server_->failNext(respond(
      422, {},
      R"({"message":"Validation Failed","errors":[{"resource":"Label","code":"already_exists","field":"name"}]})",
      "POST", "/labels"));
  EXPECT_TRUE(client_->ensureLabels(kRepo, {{"godwit", "5319e7", ""}}).hasValue());
}

TEST_F(GitHubClientTest, AddLabelsAndRequestReviewersFromUsersAndTeams) {
  ServerPull p;
  p.head = "godwit/migrate-1";
  p.base = "main";
  p.author = "godwit-bot";
  int64_t number = server_->addPull(kRepo, p);
  ASSERT_TRUE(client_->addLabels(kRepo, number, {"godwit", "data-migration"}).hasValue());
  EXPECT_THAT(server_->pull(kRepo, number)->labels, ElementsAre("godwit", "data-migration"));

  auto requested = client_->requestReviewers(kRepo, number, {"alice", "acme/platform", "@bob"});
  ASSERT_TRUE(requested.hasValue()) << requested.error().str();
  auto stored = server_->pull(kRepo, number);
  EXPECT_THAT(stored->requestedReviewers, ElementsAre("alice", "bob"));
  EXPECT_THAT(stored->requestedTeams, ElementsAre("platform"));

  auto self = client_->requestReviewers(kRepo, number, {"godwit-bot"});
  ASSERT_FALSE(self.hasValue());
  EXPECT_THAT(self.error().message, HasSubstr("pull request author"));
  server_->clearRequests();
  EXPECT_TRUE(client_->requestReviewers(kRepo, number, {}).hasValue());
  EXPECT_TRUE(client_->addLabels(kRepo, number, {}).hasValue());
  EXPECT_THAT(server_->requests(), IsEmpty());
}

TEST_F(GitHubClientTest, UpsertCommentCreatesOnceThenUpdatesTheMarkedComment) {
  ServerPull p;
  p.head = "godwit/migrate-1";
  p.base = "main";
  int64_t number = server_->addPull(kRepo, p);
  server_->setMaxPageSize(2);
  for (int i = 0; i < 3; ++i)
    server_->addComment(kRepo, number, "human comment " + std::to_string(i));
  const std::string marker = "<!-- godwit:status -->";

  ASSERT_TRUE(client_->upsertComment(kRepo, number, marker, marker + "\nfirst").hasValue());
  ASSERT_EQ(server_->comments(kRepo, number).size(), 4u);
  EXPECT_EQ(server_->comments(kRepo, number).back().body, marker + "\nfirst");

  ASSERT_TRUE(client_->upsertComment(kRepo, number, marker, "second").hasValue());
  auto comments = server_->comments(kRepo, number);
  ASSERT_EQ(comments.size(), 4u);
  EXPECT_EQ(comments.back().body, marker + "\nsecond");
  EXPECT_EQ(server_->requests("POST", "/comments").size(), 1u);
  EXPECT_EQ(server_->requests("PATCH", "/issues/comments/").size(), 1u);

  // The same text again changes nothing and sends no write.
  ASSERT_TRUE(client_->upsertComment(kRepo, number, marker, "second").hasValue());
  EXPECT_EQ(server_->requests("PATCH", "/issues/comments/").size(), 1u);
}

TEST_F(GitHubClientTest, DeleteBranchIsIdempotent) {
  ASSERT_TRUE(client_->deleteBranch(kRepo, "godwit/migrate-1").hasValue());
  EXPECT_FALSE(server_->hasBranch(kRepo, "godwit/migrate-1"));
  auto deletes = server_->requests("DELETE", "/git/refs/heads/");
  ASSERT_EQ(deletes.size(), 1u);
  EXPECT_EQ(deletes[0].path, "/repos/acme/widgets/git/refs/heads/godwit/migrate-1");
  EXPECT_TRUE(client_->deleteBranch(kRepo, "godwit/migrate-1").hasValue());
}

TEST_F(GitHubClientTest, PullRequestsAndBranchesOfALocalBareRepository) {
  fs::path dir = fs::temp_directory_path() /
                 ("godwit-gh-" + std::to_string(std::hash<std::string>{}(server_->url())));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string bare = (dir / "widgets.git").string();
  std::string work = (dir / "work").string();
  std::string script = "set -e; git init -q --bare '" + bare + "'; git init -q '" + work +
                       "'; cd '" + work +
                       "'; git -c user.name=t -c user.email=t@e commit -q --allow-empty -m one;"
                       " git push -q '" +
                       bare + "' HEAD:refs/heads/main HEAD:refs/heads/godwit/x";
  ASSERT_EQ(std::system(("sh -c \"" + script + "\" >/dev/null 2>&1").c_str()), 0);
  server_->addRepository({"acme/local", "main", "file://" + bare});

  auto repo = client_->repository("acme/local");
  ASSERT_TRUE(repo.hasValue());
  EXPECT_EQ(repo->cloneUrl, "file://" + bare);
  auto pr = client_->createPullRequest("acme/local", {"t", "b", "godwit/x", "main", false});
  ASSERT_TRUE(pr.hasValue()) << pr.error().str();
  EXPECT_EQ(pr->headSha.size(), 40u);
  ASSERT_TRUE(client_->deleteBranch("acme/local", "godwit/x").hasValue());
  EXPECT_NE(std::system(("git --git-dir='" + bare +
                         "' rev-parse --verify -q refs/heads/godwit/x >/dev/null 2>&1")
                            .c_str()),
            0);
  fs::remove_all(dir);
}

TEST_F(GitHubClientTest, RefStatusCombinesStatusesAndPaginatedCheckRuns) {
  auto empty = client_->refStatus(kRepo, kSha);
  ASSERT_TRUE(empty.hasValue()) << empty.error().str();
  EXPECT_EQ(empty->state, "pending");
  EXPECT_EQ(empty->checksTotal, 0);

  server_->setMaxPageSize(2);
  server_->addStatus(kRepo, kSha, "ci/legacy", "success");
  server_->addCheckRun(kRepo, kSha, {"build", "completed", "success"});
  server_->addCheckRun(kRepo, kSha, {"lint", "completed", "neutral"});
  server_->addCheckRun(kRepo, kSha, {"test", "in_progress", ""});
  auto pending = client_->refStatus(kRepo, kSha);
  ASSERT_TRUE(pending.hasValue()) << pending.error().str();
  EXPECT_EQ(pending->state, "pending");
  EXPECT_EQ(pending->checksTotal, 4);
  EXPECT_EQ(pending->checksPending, 1);
  EXPECT_EQ(pending->checksFailed, 0);

  server_->addCheckRun(kRepo, kSha, {"deploy", "completed", "timed_out"});
  auto failed = client_->refStatus(kRepo, kSha);
  ASSERT_TRUE(failed.hasValue());
  EXPECT_EQ(failed->state, "failure");
  EXPECT_EQ(failed->checksFailed, 1);
  EXPECT_EQ(failed->checksTotal, 5);
}

TEST_F(GitHubClientTest, RefStatusSucceedsWhenEverythingPassedAndUsesETags) {
  server_->addStatus(kRepo, kSha, "ci/legacy", "success");
  server_->addCheckRun(kRepo, kSha, {"build", "completed", "success"});
  auto first = client_->refStatus(kRepo, kSha);
  ASSERT_TRUE(first.hasValue());
  EXPECT_EQ(first->state, "success");
  auto second = client_->refStatus(kRepo, kSha);
  ASSERT_TRUE(second.hasValue());
  EXPECT_EQ(second->state, "success");
  EXPECT_EQ(second->checksTotal, 2);
  EXPECT_EQ(server_->notModifiedCount(), 2); // the combined status and the check runs
}

// --- pagination

TEST_F(GitHubClientTest, PaginationFollowsTheNextLinkExactly) {
  ServerPull p;
  p.head = "godwit/migrate-1";
  p.base = "main";
  int64_t number = server_->addPull(kRepo, p);
  server_->setMaxPageSize(2);
  for (int i = 0; i < 5; ++i)
    server_->addComment(kRepo, number, "c" + std::to_string(i));
  auto all = client_->listAll("/repos/acme/widgets/issues/" + std::to_string(number) +
                              "/comments?per_page=100");
  ASSERT_TRUE(all.hasValue()) << all.error().str();
  ASSERT_EQ(all->size(), 5u);
  EXPECT_EQ((*all)[4]["body"], "c4");
  auto pages = server_->requests("GET", "/comments");
  ASSERT_EQ(pages.size(), 3u);
  EXPECT_EQ(pages[0].query.count("page"), 0u);
  EXPECT_EQ(pages[1].query.find("page")->second, "2");
  EXPECT_EQ(pages[2].query.find("page")->second, "3");
}

TEST_F(GitHubClientTest, LinkHeaderParsing) {
  EXPECT_EQ(linkNext(R"(<https://a/x?page=2>; rel="next", <https://a/x?page=5>; rel="last")"),
            "https://a/x?page=2");
  EXPECT_EQ(linkNext(R"(<https://a/x?page=1>; rel="prev", <https://a/x?page=3>; rel="next")"),
            "https://a/x?page=3");
  EXPECT_EQ(linkNext(R"(<https://a/x?a=1,2>; rel="last next")"), "https://a/x?a=1,2");
  EXPECT_EQ(linkNext(R"(<https://a/x?page=1>; rel="prev", <https://a/x?page=1>; rel="first")"),
            std::nullopt);
  EXPECT_EQ(linkNext(""), std::nullopt);
}

TEST_F(GitHubClientTest, APaginationLinkToAnotherOriginIsRefused) {
  server_->failNext(respond(200, {{"Link", "<http://127.0.0.2:9/steal?page=2>; rel=\"next\""}},
                            "[]", "GET", "/labels"));
  auto labels = client_->ensureLabels(kRepo, {{"godwit", "5319e7", ""}});
  ASSERT_FALSE(labels.hasValue());
  EXPECT_THAT(labels.error().message, HasSubstr("refusing to send credentials"));
}

// --- limits and retries

TEST_F(GitHubClientTest, SecondaryLimitRetryAfterIsHonoured) {
  server_->failNext(respond(
      403, {{"retry-after", "2"}},
      R"({"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again."})",
      "POST", "/labels"));
  ServerPull p;
  p.head = "godwit/migrate-1";
  p.base = "main";
  int64_t number = server_->addPull(kRepo, p);
  ASSERT_TRUE(client_->addLabels(kRepo, number, {"godwit"}).hasValue());
  EXPECT_THAT(clock_->sleeps(), ElementsAre(Millis(2000)));
  EXPECT_EQ(server_->requests("POST", "/labels").size(), 2u);
  EXPECT_THAT(server_->pull(kRepo, number)->labels, ElementsAre("godwit"));
}

TEST_F(GitHubClientTest, SecondaryLimitWithoutRetryAfterWaitsAtLeastAMinute) {
  server_->failNext(respond(429, {}, R"({"message":"You have exceeded a secondary rate limit."})"));
  ASSERT_TRUE(client_->repository(kRepo).hasValue());
  ASSERT_EQ(clock_->sleeps().size(), 1u);
  EXPECT_GE(clock_->sleeps()[0], Millis(60000));
}

TEST_F(GitHubClientTest, PrimaryLimitWaitsUntilTheReset) {
  auto reset = std::chrono::duration_cast<std::chrono::seconds>(
                   (clock_->now() + std::chrono::seconds(30)).time_since_epoch())
                   .count();
  server_->failNext(
      respond(403, {{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset", std::to_string(reset)}},
              R"({"message":"API rate limit exceeded for user ID 1."})"));
  ASSERT_TRUE(client_->repository(kRepo).hasValue());
  ASSERT_EQ(clock_->sleeps().size(), 1u);
  EXPECT_GE(clock_->sleeps()[0], Millis(30000));
  EXPECT_LE(clock_->sleeps()[0], Millis(32000));
}

TEST_F(GitHubClientTest, AnExhaustedBudgetHoldsTheNextRequest) {
  auto reset = std::chrono::duration_cast<std::chrono::seconds>(
                   (clock_->now() + std::chrono::seconds(100)).time_since_epoch())
                   .count();
  server_->setRateLimit(0, reset);
  ASSERT_TRUE(client_->repository(kRepo).hasValue());
  EXPECT_THAT(clock_->sleeps(), IsEmpty());
  ASSERT_TRUE(client_->repository(kRepo).hasValue());
  ASSERT_EQ(clock_->sleeps().size(), 1u);
  EXPECT_GE(clock_->sleeps()[0], Millis(100000));
  EXPECT_LE(clock_->sleeps()[0], Millis(102000));
}

TEST_F(GitHubClientTest, ServerErrorsAreRetriedWithBackoff) {
  server_->failNext(respond(500));
  server_->failNext(respond(502, {}, "<html>Bad gateway</html>"));
  auto repo = client_->repository(kRepo);
  ASSERT_TRUE(repo.hasValue()) << repo.error().str();
  EXPECT_THAT(clock_->sleeps(), ElementsAre(Millis(1000), Millis(2000)));
  EXPECT_EQ(server_->requests("GET", "/repos/acme/widgets").size(), 3u);
}

TEST_F(GitHubClientTest, TheObserverSeesEveryResponseAndEveryRateLimitWait) {
  std::vector<long> statuses;
  std::vector<std::pair<LimitKind, Millis>> waits;
  ClientObserver observer;
  observer.response = [&](long status) { statuses.push_back(status); };
  observer.rateLimitWait = [&](LimitKind kind, Millis wait) { waits.emplace_back(kind, wait); };
  client_ = makeClient(server_->url(), {}, observer);
  server_->failNext(respond(500));
  server_->failNext(respond(429, {{"retry-after", "3"}}, R"({"message":"secondary rate limit"})"));
  ASSERT_TRUE(client_->repository(kRepo).hasValue());
  EXPECT_THAT(statuses, ElementsAre(500, 429, 200));
  // The server error's backoff is no rate-limit wait; the 429's is.
  EXPECT_THAT(waits, ElementsAre(std::pair(LimitKind::Secondary, Millis(3000))));

  auto reset = std::chrono::duration_cast<std::chrono::seconds>(
                   (clock_->now() + std::chrono::seconds(100)).time_since_epoch())
                   .count();
  server_->setRateLimit(0, reset);
  ASSERT_TRUE(client_->repository(kRepo).hasValue());
  ASSERT_TRUE(client_->repository(kRepo).hasValue()); // held until the reset
  ASSERT_EQ(waits.size(), 2u);
  EXPECT_EQ(waits[1].first, LimitKind::Primary);
  EXPECT_GE(waits[1].second, Millis(100000));
  EXPECT_EQ(statuses.size(), 5u);
}

TEST_F(GitHubClientTest, ServerErrorsGiveUpAfterMaxAttempts) {
  RetryPolicy policy;
  policy.maxAttempts = 3;
  client_ = makeClient(server_->url(), policy);
  for (int i = 0; i < 3; ++i)
    server_->failNext(respond(503));
  auto repo = client_->repository(kRepo);
  ASSERT_FALSE(repo.hasValue());
  EXPECT_THAT(repo.error().message, HasSubstr("HTTP 503"));
  EXPECT_THAT(repo.error().message, HasSubstr("gave up after 3 attempts"));
  EXPECT_EQ(server_->requests().size(), 3u);
}

TEST_F(GitHubClientTest, OtherClientErrorsAreNotRetried) {
  auto labels = client_->ensureLabels(kRepo, {{"godwit", "not-a-colour", ""}});
  ASSERT_FALSE(labels.hasValue());
  EXPECT_THAT(labels.error().message, HasSubstr("422"));
  EXPECT_THAT(labels.error().message, HasSubstr("Label.color invalid"));
  EXPECT_EQ(server_->requests("POST", "/labels").size(), 1u);
  EXPECT_THAT(clock_->sleeps(), IsEmpty());
}

TEST_F(GitHubClientTest, NetworkErrorsAreRetriedThenReportedWithoutTheToken) {
  RetryPolicy policy;
  policy.maxAttempts = 3;
  // A port that was just free: nothing listens there.
  std::string deadUrl;
  {
    GitHubContractServer gone(kToken);
    deadUrl = gone.url();
  }
  auto client = makeClient(deadUrl, policy);
  auto repo = client->repository(kRepo);
  ASSERT_FALSE(repo.hasValue());
  EXPECT_THAT(repo.error().message, HasSubstr("no response"));
  EXPECT_THAT(repo.error().str(), Not(HasSubstr(kToken)));
  EXPECT_THAT(clock_->sleeps(), ElementsAre(Millis(1000), Millis(2000)));
}

TEST_F(GitHubClientTest, ContentCreatingRequestsAreAtLeastOneSecondApart) {
  ServerPull p;
  p.head = "godwit/migrate-1";
  p.base = "main";
  int64_t number = server_->addPull(kRepo, p);
  ASSERT_TRUE(client_->addLabels(kRepo, number, {"a"}).hasValue());
  ASSERT_TRUE(client_->addLabels(kRepo, number, {"b"}).hasValue());
  clock_->advance(Millis(400));
  ASSERT_TRUE(client_->updatePullRequest(kRepo, number, "t", "b").hasValue());
  clock_->advance(Millis(5000));
  ASSERT_TRUE(client_->closePullRequest(kRepo, number).hasValue());
  // Reads are not paced.
  ASSERT_TRUE(client_->repository(kRepo).hasValue());
  EXPECT_THAT(clock_->sleeps(), ElementsAre(Millis(1000), Millis(600)));
}

TEST_F(GitHubClientTest, ConcurrentWritesGoOneAtATime) {
  ServerPull p;
  p.head = "godwit/migrate-1";
  p.base = "main";
  int64_t number = server_->addPull(kRepo, p);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&, i] {
      EXPECT_TRUE(client_->addLabels(kRepo, number, {"l" + std::to_string(i)}).hasValue());
    });
  for (auto& t : threads)
    t.join();
  // Every write after the first waited its full second: none overlapped another.
  EXPECT_THAT(clock_->sleeps(), ElementsAre(Millis(1000), Millis(1000), Millis(1000)));
  EXPECT_EQ(server_->pull(kRepo, number)->labels.size(), 4u);
}

// --- credentials

TEST_F(GitHubClientTest, RequestsCarryGitHubsRequiredHeaders) {
  ASSERT_TRUE(client_->repository(kRepo).hasValue());
  auto sent = server_->requests();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].headers["authorization"], std::string("Bearer ") + kToken);
  EXPECT_EQ(sent[0].headers["accept"], "application/vnd.github+json");
  EXPECT_EQ(sent[0].headers["x-github-api-version"], "2022-11-28");
  EXPECT_EQ(sent[0].headers["user-agent"], std::string("godwit/") + GODWIT_VERSION);
}

TEST_F(GitHubClientTest, RejectedTokenIsNotRetriedAndTheHintSaysWhatToCheck) {
  CodeHostConfig config;
  config.apiUrl = server_->url();
  config.token = "ghp_wrongTOKEN42";
  GitHubClientOptions options;
  options.clock = clock_;
  auto client = GitHubClient::create(config, options);
  ASSERT_TRUE(client.hasValue());
  auto repo = (*client)->repository(kRepo);
  ASSERT_FALSE(repo.hasValue());
  EXPECT_THAT(repo.error().message, HasSubstr("401"));
  EXPECT_THAT(repo.error().hint, HasSubstr("GITHUB_TOKEN"));
  EXPECT_THAT(repo.error().str(), Not(HasSubstr("ghp_wrongTOKEN42")));
  EXPECT_EQ(server_->requests().size(), 1u);
}

TEST_F(GitHubClientTest, TokenNeverAppearsInErrorTextOrLogs) {
  RetryPolicy policy;
  policy.maxAttempts = 2;
  client_ = makeClient(server_->url(), policy);
  std::string echo =
      std::string(R"({"message":"proxy rejected Authorization: Bearer )") + kToken + R"("})";
  server_->failNext(respond(500, {}, echo));
  server_->failNext(respond(500, {}, echo));
  auto repo = client_->repository(kRepo);
  ASSERT_FALSE(repo.hasValue());
  EXPECT_THAT(repo.error().str(), Not(HasSubstr(kToken)));
  EXPECT_THAT(repo.error().str(), HasSubstr("Bearer ***"));
  ASSERT_FALSE(logLines_.empty());
  // TearDown checks every log line for the token.
}

// --- GitHub App

class GitHubAppTest : public GitHubClientTest {
protected:
  void SetUp() override {
    GitHubClientTest::SetUp();
    EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048));
    ASSERT_NE(key, nullptr);
    BIO* priv = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey_traditional(priv, key, nullptr, nullptr, 0, nullptr, nullptr);
    char* data = nullptr;
    long n = BIO_get_mem_data(priv, &data);
    privatePem_.assign(data, static_cast<size_t>(n));
    BIO_free(priv);
    BIO* pub = BIO_new(BIO_s_mem());
    PEM_write_bio_PUBKEY(pub, key);
    n = BIO_get_mem_data(pub, &data);
    std::string publicPem(data, static_cast<size_t>(n));
    BIO_free(pub);
    EVP_PKEY_free(key);
    server_->enableApp("4242", publicPem, "77");

    CodeHostConfig config;
    config.apiUrl = server_->url();
    config.appId = "4242";
    config.privateKeyPem = privatePem_;
    config.installationId = "77";
    GitHubClientOptions options;
    options.clock = clock_;
    options.log = [this](const std::string& line) { logLines_.push_back(line); };
    auto client = GitHubClient::create(config, options);
    ASSERT_TRUE(client.hasValue()) << client.error().str();
    client_ = std::move(*client);
  }
  std::string privatePem_;
};

TEST_F(GitHubAppTest, ExchangesAJwtForAnInstallationTokenAndCachesIt) {
  ASSERT_TRUE(client_->repository(kRepo).hasValue());
  ASSERT_TRUE(client_->repository(kRepo).hasValue());
  EXPECT_EQ(server_->tokensIssued(), 1);
  auto exchanges = server_->requests("POST", "/app/installations/77/access_tokens");
  ASSERT_EQ(exchanges.size(), 1u);
  auto token = client_->gitToken();
  ASSERT_TRUE(token.hasValue());
  EXPECT_EQ(token->rfind("ghs_", 0), 0u);
  EXPECT_EQ(server_->requests("GET", "/repos/")[0].headers["authorization"], "Bearer " + *token);
}

TEST_F(GitHubAppTest, RenewsTheTokenFiveMinutesBeforeItExpires) {
  server_->setTokenLifetime(std::chrono::minutes(10));
  ASSERT_TRUE(client_->repository(kRepo).hasValue());
  clock_->advance(std::chrono::minutes(4));
  ASSERT_TRUE(client_->repository(kRepo).hasValue());
  EXPECT_EQ(server_->tokensIssued(), 1);
  // The server stamps the expiry with the real clock, after the fake clock started (seconds
  // later on a loaded machine), so the step past the five-minute mark leaves a wide margin.
  clock_->advance(std::chrono::seconds(90));
  ASSERT_TRUE(client_->repository(kRepo).hasValue());
  EXPECT_EQ(server_->tokensIssued(), 2);
}

TEST_F(GitHubAppTest, A401RenewsTheTokenOnceThenFails) {
  ASSERT_TRUE(client_->repository(kRepo).hasValue());
  server_->revokeInstallationTokens();
  ASSERT_TRUE(client_->repository(kRepo).hasValue());
  EXPECT_EQ(server_->tokensIssued(), 2);

  server_->failNext(respond(401, {}, R"({"message":"Bad credentials"})", "GET", "/repos/"));
  server_->failNext(respond(401, {}, R"({"message":"Bad credentials"})", "GET", "/repos/"));
  auto repo = client_->repository(kRepo);
  ASSERT_FALSE(repo.hasValue());
  EXPECT_THAT(repo.error().message, HasSubstr("401"));
  EXPECT_EQ(server_->tokensIssued(), 3);
  EXPECT_THAT(repo.error().str(), Not(HasSubstr(*client_->gitToken())));
}

TEST_F(GitHubAppTest, AnUnknownInstallationFailsWithAHint) {
  CodeHostConfig config;
  config.apiUrl = server_->url();
  config.appId = "4242";
  config.privateKeyPem = privatePem_;
  config.installationId = "78";
  GitHubClientOptions options;
  options.clock = clock_;
  auto client = GitHubClient::create(config, options);
  ASSERT_TRUE(client.hasValue());
  auto repo = (*client)->repository(kRepo);
  ASSERT_FALSE(repo.hasValue());
  EXPECT_THAT(repo.error().message, HasSubstr("installation token"));
  EXPECT_THAT(repo.error().hint, HasSubstr("--installation-id"));
}

} // namespace
} // namespace godwit
