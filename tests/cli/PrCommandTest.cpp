// `godwit pr` end to end: the real binary against the GitHub REST contract server on 127.0.0.1,
// with a local bare repository as the remote the API's clone_url points at.
#include "tests/bot/GitFixture.h"
#include "tests/support/GitHubContractServer.h"

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace godwit {
namespace {

namespace fs = std::filesystem;
using bottest::BareRemote;
using bottest::TempDir;

const std::string kToken = "ghp_contract_test_token";

struct Ran {
  int status = -1;
  std::string out;
  std::string err;
};

class PrCommandTest : public ::testing::Test {
protected:
  TempDir tmp;
  BareRemote remote{tmp.path() / "remotes" / "acme" / "pipelines.git"};
  test::GitHubContractServer server{kToken};

  void SetUp() override {
    remote.commit("main",
                  {{"src/Job.scala",
                    "object Job {\n  val t = \"acme-prod.core_users.user_profile_v1\"\n}\n"}});
    server.addRepository({"acme/pipelines", "main", remote.url()});
    std::ofstream(tmp.path() / "m.yaml") << "apiVersion: godwit/v1\nkind: Migration\n"
                                            "name: user-profile-v2\n"
                                            "description: Move consumers to user_profile_v2\n"
                                            "datasets:\n  - kind: bigquery-table\n"
                                            "    from: acme-prod.core_users.user_profile_v1\n"
                                            "    to: acme-prod.core_users.user_profile_v2\n"
                                            "pullRequest:\n  labels: [godwit, data-platform]\n";
  }
  void TearDown() override {
    const auto violations = server.violations();
    EXPECT_TRUE(violations.empty()) << violations.front();
  }

  Ran pr(const std::string& extra) {
    const fs::path err = tmp.path() / "stderr";
    const std::string command =
        "GITHUB_TOKEN=" + kToken + " " + GODWIT_BINARY + " pr --migration " +
        (tmp.path() / "m.yaml").string() + " --repo acme/pipelines --api-url " + server.url() +
        " --store " + (tmp.path() / "state.db").string() + " --cache-dir " +
        (tmp.path() / "cache").string() + " " + extra + " 2>" + err.string();
    Ran r;
    FILE* p = ::popen(command.c_str(), "r");
    std::array<char, 4096> buf{};
    size_t n;
    while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0)
      r.out.append(buf.data(), n);
    const int st = ::pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    std::ifstream in(err);
    std::ostringstream s;
    s << in.rdbuf();
    r.err = s.str();
    return r;
  }

  size_t mutatingRequests() {
    size_t n = 0;
    for (const auto& r : server.requests())
      n += r.method != "GET" ? 1 : 0;
    return n;
  }
};

TEST_F(PrCommandTest, DryRunPrintsTheDiffAndTouchesNothing) {
  const Ran r = pr("--dry-run");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("+  val t = \"acme-prod.core_users.user_profile_v2\""), std::string::npos)
      << r.out;
  EXPECT_NE(r.err.find("would "), std::string::npos) << r.err;
  EXPECT_EQ(mutatingRequests(), 0u);
  EXPECT_EQ(remote.tip("godwit/user-profile-v2"), "");
  EXPECT_FALSE(fs::exists(tmp.path() / "state.db"));
  EXPECT_EQ((r.out + r.err).find(kToken), std::string::npos);
}

TEST_F(PrCommandTest, OpensThePullRequestThenLeavesItAlone) {
  const Ran first = pr("");
  ASSERT_EQ(first.status, 0) << first.err;
  EXPECT_NE(first.out.find("opened"), std::string::npos) << first.out;
  const auto pulls = server.pulls("acme/pipelines");
  ASSERT_EQ(pulls.size(), 1u);
  EXPECT_EQ(pulls.front().head, "godwit/user-profile-v2");
  EXPECT_EQ(pulls.front().labels, (std::vector<std::string>{"godwit", "data-platform"}));
  EXPECT_NE(remote.tip("godwit/user-profile-v2"), "");
  EXPECT_TRUE(fs::exists(tmp.path() / "state.db"));
  EXPECT_EQ((first.out + first.err).find(kToken), std::string::npos);

  const size_t before = mutatingRequests();
  const Ran again = pr("");
  ASSERT_EQ(again.status, 0) << again.err;
  EXPECT_NE(again.out.find("unchanged"), std::string::npos) << again.out;
  EXPECT_EQ(mutatingRequests(), before);
}

TEST_F(PrCommandTest, MissingCredentialsIsAClearError) {
  const std::string command = std::string("env -u GITHUB_TOKEN ") + GODWIT_BINARY +
                              " pr --migration " + (tmp.path() / "m.yaml").string() +
                              " --repo acme/pipelines --api-url " + server.url() + " 2>&1";
  FILE* p = ::popen(command.c_str(), "r");
  std::array<char, 4096> buf{};
  std::string out;
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0)
    out.append(buf.data(), n);
  const int st = ::pclose(p);
  EXPECT_EQ(WEXITSTATUS(st), 2);
  EXPECT_NE(out.find("error:"), std::string::npos) << out;
  EXPECT_EQ(mutatingRequests(), 0u);
}

} // namespace
} // namespace godwit
