// A consumer repository's .godwit.yaml: what it may say, how a mistake in it is reported, and
// what the prepare hook does with it on a checkout.
#include "bot/RepoConfig.h"

#include "tests/bot/GitFixture.h"

#include <gtest/gtest.h>

#include <fstream>

namespace godwit {
namespace {

Error errorOf(const std::string& yaml) {
  auto parsed = parseRepoConfig(yaml, ".godwit.yaml");
  EXPECT_FALSE(parsed) << yaml;
  return parsed ? Error{} : parsed.error();
}

TEST(RepoConfigTest, ReadsEveryKey) {
  auto c = parseRepoConfig("optOut: false\nskip: [user-profile-v2, events-v3]\n"
                           "exclude: [\"legacy/**\", \"*.sql\"]\nreviewers: [octocat, acme/data]\n",
                           ".godwit.yaml");
  ASSERT_TRUE(c) << c.error().str();
  EXPECT_FALSE(c->optOut);
  EXPECT_EQ(c->skip, (std::vector<std::string>{"user-profile-v2", "events-v3"}));
  EXPECT_EQ(c->exclude, (std::vector<std::string>{"legacy/**", "*.sql"}));
  EXPECT_EQ(c->reviewers, (std::vector<std::string>{"octocat", "acme/data"}));
  EXPECT_FALSE(optOutReason(*c, "other"));
  EXPECT_EQ(optOutReason(*c, "events-v3").value_or(""), ".godwit.yaml skips events-v3");

  auto empty = parseRepoConfig("# nothing to say\n", ".godwit.yaml");
  ASSERT_TRUE(empty) << empty.error().str();
  EXPECT_FALSE(optOutReason(*empty, "m"));
  auto out = parseRepoConfig("optOut: true\n", ".godwit.yaml");
  ASSERT_TRUE(out);
  EXPECT_TRUE(optOutReason(*out, "anything"));
}

TEST(RepoConfigTest, MistakesAreReportedAtTheirPositionWithAHint) {
  Error e = errorOf("optOut: true\nreviewer: [octocat]\n");
  EXPECT_EQ(e.str(), ".godwit.yaml:2:1: error: unknown key `reviewer` in .godwit.yaml\n"
                     "  hint: did you mean `reviewers`? valid keys: optOut, skip, exclude, "
                     "reviewers");
  e = errorOf("optOut: yes please\n");
  EXPECT_EQ(e.line, 1);
  EXPECT_EQ(e.column, 9);
  EXPECT_EQ(e.message, "`optOut` must be true or false");
  e = errorOf("exclude:\n  - \"ok/**\"\n  - \"[unclosed\"\n");
  EXPECT_EQ(e.line, 3);
  EXPECT_EQ(e.column, 5);
  EXPECT_FALSE(e.hint.empty());
  e = errorOf("reviewers: [octocat, \"-bad\"]\n");
  EXPECT_EQ(e.str().substr(0, 45), ".godwit.yaml:1:22: error: invalid reviewer `-");
  e = errorOf("skip: user-profile-v2\n");
  EXPECT_EQ(e.message, "`skip` must be a list");
  EXPECT_EQ(e.hint, "e.g. `skip: [user-profile-v2]`");
  e = errorOf("- optOut\n");
  EXPECT_EQ(e.message, ".godwit.yaml must be a mapping of keys");
  e = errorOf("optOut: true\noptOut: false\n");
  EXPECT_EQ(e.line, 2);
  e = errorOf("a: &x [1]\nskip: *x\n");
  EXPECT_EQ(e.str().substr(0, 59), ".godwit.yaml:2:7: error: YAML aliases (`*name`) are not sup");
  e = errorOf("skip: [\"unclosed]\n");
  EXPECT_EQ(e.line, 2);
}

class RepoConfigHookTest : public ::testing::Test {
protected:
  bottest::TempDir tmp;
  void write(const std::string& text) {
    std::ofstream(tmp.path() / ".godwit.yaml", std::ios::binary) << text;
  }
  Expected<bool> prepare(RunOptions& run, PullRequestOptions& pr) {
    return repoConfigHook("user-profile-v2")(tmp.path(), run, pr);
  }
};

TEST_F(RepoConfigHookTest, NarrowsTheRunOrLeavesTheRepositoryAlone) {
  RunOptions run;
  run.exclude = {"vendor/**"};
  PullRequestOptions pr;
  pr.reviewers = {"octocat"};
  auto go = prepare(run, pr); // no .godwit.yaml
  ASSERT_TRUE(go);
  EXPECT_TRUE(*go);
  EXPECT_EQ(run.exclude, (std::vector<std::string>{"vendor/**"}));

  write("exclude: [\"legacy/**\", \"vendor/**\"]\nreviewers: [acme/data, octocat]\n");
  go = prepare(run, pr);
  ASSERT_TRUE(go) << go.error().str();
  EXPECT_TRUE(*go);
  EXPECT_EQ(run.exclude, (std::vector<std::string>{"vendor/**", "legacy/**"}));
  EXPECT_EQ(pr.reviewers, (std::vector<std::string>{"octocat", "acme/data"}));

  write("skip: [user-profile-v2]\n");
  go = prepare(run, pr);
  ASSERT_TRUE(go);
  EXPECT_FALSE(*go);
  write("skip: [another-migration]\n");
  go = prepare(run, pr);
  ASSERT_TRUE(go);
  EXPECT_TRUE(*go);
  write("optOut: true\n");
  go = prepare(run, pr);
  ASSERT_TRUE(go);
  EXPECT_FALSE(*go);

  write("optOut: maybe\n");
  go = prepare(run, pr);
  ASSERT_FALSE(go);
  EXPECT_EQ(go.error().str().substr(0, 22), ".godwit.yaml:1:9: erro");
}

TEST_F(RepoConfigHookTest, ALinkOrAFolderIsRefused) {
  std::filesystem::create_symlink("/etc/hostname", tmp.path() / ".godwit.yaml");
  RunOptions run;
  PullRequestOptions pr;
  auto go = prepare(run, pr);
  ASSERT_FALSE(go);
  EXPECT_NE(go.error().message.find("not a regular file"), std::string::npos);
  std::filesystem::remove(tmp.path() / ".godwit.yaml");
  std::filesystem::create_directory(tmp.path() / ".godwit.yaml");
  EXPECT_FALSE(prepare(run, pr));
  std::filesystem::remove(tmp.path() / ".godwit.yaml");
  write(std::string(70 * 1024, '#'));
  go = prepare(run, pr);
  ASSERT_FALSE(go);
  EXPECT_NE(go.error().message.find("larger than 64 KiB"), std::string::npos);
}

} // namespace
} // namespace godwit
