// The GitHub client against recorded GitHub traffic: @octokit/fixtures-server replays responses
// recorded from the real api.github.com, and answers 404 to any request that differs from the
// recorded one in method, path, query or JSON body.
//
// The recordings were made with `Accept: application/vnd.github.v3+json` and
// `Authorization: token …`; godwit sends the equivalent `application/vnd.github+json` and
// `Bearer …` (GitHub documents both forms as interchangeable). The test rewrites exactly those two
// expected request headers in a copy of each scenario; everything else must match as recorded.

#include "bot/github/GitHubClient.h"
#include "tests/support/FakeClock.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

extern char** environ;

namespace godwit {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
namespace fs = std::filesystem;

constexpr const char* kRecordedToken = "0000000000000000000000000000000000000001";
const fs::path kModules = GODWIT_OCTOKIT_MODULES;

int freeLoopbackPort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t length = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length);
  close(fd);
  return ntohs(addr.sin_port);
}

class RecordedTrafficTest : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("godwit-fixtures-" + std::to_string(getpid()));
    fs::create_directories(dir_);
    for (const char* scenario : {"get-repository", "labels", "add-labels-to-issue",
                                 "paginate-issues", "errors", "git-refs"}) {
      std::ifstream in(kModules / "@octokit/fixtures/scenarios/api.github.com" / scenario /
                       "normalized-fixture.json");
      ASSERT_TRUE(in) << "run scripts/install-deps: @octokit/fixtures is missing";
      json fixture = json::parse(in);
      for (json& exchange : fixture) {
        exchange["reqheaders"]["accept"] = "application/vnd.github+json";
        exchange["reqheaders"]["authorization"] = std::string("Bearer ") + kRecordedToken;
      }
      std::ofstream(dir_ / (std::string(scenario) + ".json")) << fixture.dump();
    }

    port_ = freeLoopbackPort();
    std::string base = "http://127.0.0.1:" + std::to_string(port_);
    std::string script = (kModules / "@octokit/fixtures-server/bin/server.js").string();
    std::vector<std::string> args = {
        GODWIT_NODE, script,        "--port", std::to_string(port_), "--fixtures-url",
        base,        "--log-level", "error",  "--fixtures",          (dir_ / "*.json").string()};
    std::vector<char*> argv;
    for (std::string& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    // The server announces its URL on stdout; keep the test output clean (errors go to stderr).
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    int spawned = posix_spawn(&pid_, GODWIT_NODE, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ASSERT_EQ(spawned, 0);

    // Bounded wait for the server to answer /ping on the loopback port.
    HttpClient http(
        HttpOptions{std::chrono::milliseconds(500), std::chrono::milliseconds(2000), 0});
    for (int i = 0; i < 300; ++i) {
      auto ping = http.send({"GET", base + "/ping", {}, std::nullopt});
      if (ping && ping->status == 200) {
        base_ = base;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    FAIL() << "the fixtures server did not start on " << base;
  }

  static void TearDownTestSuite() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
      pid_ = 0;
    }
    fs::remove_all(dir_);
  }

  void SetUp() override { ASSERT_FALSE(base_.empty()) << "the fixtures server is not running"; }

  /// Loads a scenario and returns a client whose API URL is the scenario's replay URL.
  std::unique_ptr<GitHubClient> clientFor(const std::string& scenario) {
    HttpClient http;
    auto loaded = http.send({"POST",
                             base_ + "/fixtures",
                             {{"Content-Type", "application/json"}},
                             json{{"scenario", scenario}}.dump()});
    EXPECT_TRUE(loaded.hasValue());
    if (!loaded)
      return nullptr;
    EXPECT_EQ(loaded->status, 201) << loaded->body;
    std::string url = json::parse(loaded->body)["url"].get<std::string>();
    CodeHostConfig config;
    config.apiUrl = url;
    config.token = kRecordedToken;
    GitHubClientOptions options;
    options.clock = clock_;
    options.pageSize = 0; // the recordings use GitHub's default page size
    auto client = GitHubClient::create(config, options);
    EXPECT_TRUE(client.hasValue());
    return client ? std::move(*client) : nullptr;
  }

  std::shared_ptr<test::FakeClock> clock_ = std::make_shared<test::FakeClock>();
  static inline fs::path dir_;
  static inline pid_t pid_ = 0;
  static inline int port_ = 0;
  static inline std::string base_;
};

TEST_F(RecordedTrafficTest, GetRepository) {
  auto client = clientFor("get-repository");
  ASSERT_TRUE(client);
  auto repo = client->repository("octokit-fixture-org/hello-world");
  ASSERT_TRUE(repo.hasValue()) << repo.error().str();
  EXPECT_EQ(repo->fullName, "octokit-fixture-org/hello-world");
  EXPECT_EQ(repo->defaultBranch, "master");
  EXPECT_FALSE(repo->archived);
  EXPECT_THAT(repo->cloneUrl, HasSubstr("octokit-fixture-org/hello-world.git"));
  EXPECT_GT(repo->id, 0);
}

TEST_F(RecordedTrafficTest, LabelsListCreateThenManage) {
  auto client = clientFor("labels");
  ASSERT_TRUE(client);
  const std::string repo = "/repos/octokit-fixture-org/labels";
  // ensureLabels: the recorded list lacks test-label, so it is created exactly as recorded.
  auto ensured = client->ensureLabels("octokit-fixture-org/labels", {{"test-label", "663399", ""}});
  ASSERT_TRUE(ensured.hasValue()) << ensured.error().str();
  // The rest of the recording (get, rename, delete) through the client's request path.
  auto got = client->call("GET", repo + "/labels/test-label");
  ASSERT_TRUE(got.hasValue()) << got.error().str();
  EXPECT_EQ(got->body["color"], "663399");
  auto renamed = client->call("PATCH", repo + "/labels/test-label",
                              json{{"new_name", "test-label-updated"}, {"color", "BADA55"}});
  ASSERT_TRUE(renamed.hasValue()) << renamed.error().str();
  EXPECT_EQ(renamed->body["name"], "test-label-updated");
  auto deleted = client->call("DELETE", repo + "/labels/test-label-updated");
  ASSERT_TRUE(deleted.hasValue()) << deleted.error().str();
  EXPECT_EQ(deleted->status, 204);
}

TEST_F(RecordedTrafficTest, EnsureLabelsCreatesNothingWhenTheLabelExists) {
  auto client = clientFor("labels");
  ASSERT_TRUE(client);
  // "Bug" matches the recorded "bug" (GitHub compares names case-insensitively): no POST is
  // sent, so the recording's next exchange (the POST) stays pending and nothing fails.
  auto ensured = client->ensureLabels("octokit-fixture-org/labels", {{"Bug", "d73a4a", ""}});
  ASSERT_TRUE(ensured.hasValue()) << ensured.error().str();
}

TEST_F(RecordedTrafficTest, AddLabelsToIssue) {
  auto client = clientFor("add-labels-to-issue");
  ASSERT_TRUE(client);
  auto issue = client->call("POST", "/repos/octokit-fixture-org/add-labels-to-issue/issues",
                            json{{"title", "Issue without a label"}});
  ASSERT_TRUE(issue.hasValue()) << issue.error().str();
  int64_t number = issue->body["number"].get<int64_t>();
  auto added =
      client->addLabels("octokit-fixture-org/add-labels-to-issue", number, {"Foo", "bAr", "baZ"});
  ASSERT_TRUE(added.hasValue()) << added.error().str();
}

TEST_F(RecordedTrafficTest, PaginateIssuesFollowsRecordedLinkHeaders) {
  auto client = clientFor("paginate-issues");
  ASSERT_TRUE(client);
  auto issues = client->listAll("/repos/octokit-fixture-org/paginate-issues/issues?per_page=3");
  ASSERT_TRUE(issues.hasValue()) << issues.error().str();
  ASSERT_EQ(issues->size(), 13u);
  std::set<int64_t> numbers;
  for (const json& issue : *issues)
    numbers.insert(issue["number"].get<int64_t>());
  EXPECT_EQ(numbers.size(), 13u);
}

TEST_F(RecordedTrafficTest, ValidationErrorIsReportedAndNotRetried) {
  auto client = clientFor("errors");
  ASSERT_TRUE(client);
  auto created = client->call("POST", "/repos/octokit-fixture-org/errors/labels",
                              json{{"name", "foo"}, {"color", "invalid"}});
  ASSERT_FALSE(created.hasValue());
  EXPECT_THAT(created.error().message,
              HasSubstr("HTTP 422 Validation Failed (Label.color invalid)"));
  EXPECT_THAT(created.error().str(), ::testing::Not(HasSubstr(kRecordedToken)));
  EXPECT_THAT(clock_->sleeps(), IsEmpty());
}

TEST_F(RecordedTrafficTest, GitRefsEndingWithDeleteBranch) {
  auto client = clientFor("git-refs");
  ASSERT_TRUE(client);
  const std::string repo = "/repos/octokit-fixture-org/git-refs";
  ASSERT_TRUE(client->call("GET", repo + "/git/refs/").hasValue());
  auto created = client->call(
      "POST", repo + "/git/refs",
      json{{"ref", "refs/heads/test"}, {"sha", "0000000000000000000000000000000000000002"}});
  ASSERT_TRUE(created.hasValue()) << created.error().str();
  EXPECT_EQ(created->status, 201);
  ASSERT_TRUE(client
                  ->call("PATCH", repo + "/git/refs/heads/test",
                         json{{"sha", "0000000000000000000000000000000000000001"}})
                  .hasValue());
  auto refs = client->call("GET", repo + "/git/refs/");
  ASSERT_TRUE(refs.hasValue());
  ASSERT_TRUE(refs->body.is_array());
  auto deleted = client->deleteBranch("octokit-fixture-org/git-refs", "test");
  ASSERT_TRUE(deleted.hasValue()) << deleted.error().str();
}

} // namespace
} // namespace godwit
