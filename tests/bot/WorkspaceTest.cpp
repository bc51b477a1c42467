#include "bot/git/Workspace.h"

#include "GitFixture.h"

#include <git2.h>
#include <git2/sys/credential.h>

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace godwit {
namespace {

using bottest::BareRemote;
using bottest::TempDir;

std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const std::string kToken = "ghs_TESTTOKEN0123456789abcdefSECRET";

class WorkspaceTest : public ::testing::Test {
protected:
  TempDir tmp;
  BareRemote remote{tmp.path() / "remote" / "acme" / "pipelines.git"};
  std::string base;

  void SetUp() override {
    base = remote.commit("main", {{"src/Job.scala", "val t = \"old.table\"\n"},
                                  {"README.md", "# pipelines\r\nwindows line\r\n"},
                                  {"run.sh", "#!/bin/sh\necho old.table\n"}});
  }

  Repository repository() const {
    Repository repo;
    repo.id = 42;
    repo.fullName = "acme/pipelines";
    repo.defaultBranch = "main";
    repo.cloneUrl = remote.url();
    return repo;
  }

  WorkspaceOptions options() const {
    WorkspaceOptions opts;
    opts.cacheDir = tmp.path() / "cache";
    opts.token = [] { return Expected<std::string>(kToken); };
    return opts;
  }

  Workspace open() {
    Expected<Workspace> ws = Workspace::open(repository(), options());
    if (!ws)
      throw std::runtime_error(ws.error().str());
    return std::move(ws).value();
  }

  std::vector<FileChange> patch() const {
    return {{"src/Job.scala", "val t = \"old.table\"\n", "val t = \"new.table\"\n"},
            {"run.sh", "#!/bin/sh\necho old.table\n", "#!/bin/sh\necho new.table\n"}};
  }

  // What the lifecycle does for one run: commit the patch on the tip of main and push it.
  std::string commitAndPush(Workspace& ws, const std::string& message = "Migrate\n") {
    std::string tip = **ws.remoteTip("main");
    Expected<std::string> tree = ws.patchedTree(tip, patch());
    EXPECT_TRUE(tree) << tree.error().str();
    Expected<std::string> sha = ws.createCommit(tip, *tree, message);
    EXPECT_TRUE(sha) << sha.error().str();
    Expected<std::optional<std::string>> before = ws.remoteTip("godwit/m");
    Expected<void> pushed = ws.push("godwit/m", *sha, before->value_or(""));
    EXPECT_TRUE(pushed) << pushed.error().str();
    return *sha;
  }
};

TEST(CachePath, HostOwnerNameLayout) {
  auto p = cachePath("/c", "https://github.com/acme/pipelines.git", "acme/pipelines");
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, std::filesystem::path("/c/github.com/acme/pipelines.git"));
  auto ghes = cachePath("/c", "https://git.corp:8443/acme/x.git", "acme/x");
  ASSERT_TRUE(ghes);
  EXPECT_EQ(*ghes, std::filesystem::path("/c/git.corp_8443/acme/x.git"));
  auto local = cachePath("/c", "file:///tmp/r.git", "acme/r");
  ASSERT_TRUE(local);
  EXPECT_EQ(*local, std::filesystem::path("/c/local/acme/r.git"));
  EXPECT_FALSE(cachePath("/c", "https://github.com/x", "../etc"));
  EXPECT_FALSE(cachePath("/c", "https://github.com/x", "acme/.."));
  EXPECT_FALSE(cachePath("/c", "github.com:acme/x", "acme/x"));
}

TEST(CachePath, DefaultFollowsXdgCacheHome) {
  const char* old = std::getenv("XDG_CACHE_HOME");
  std::string saved = old ? old : "";
  setenv("XDG_CACHE_HOME", "/xdg", 1);
  EXPECT_EQ(defaultCacheDir(), std::filesystem::path("/xdg/godwit/repos"));
  unsetenv("XDG_CACHE_HOME");
  setenv("HOME", std::getenv("HOME") ? std::getenv("HOME") : "/home/x", 1);
  EXPECT_EQ(defaultCacheDir(), std::filesystem::path(std::getenv("HOME")) / ".cache/godwit/repos");
  if (old)
    setenv("XDG_CACHE_HOME", saved.c_str(), 1);
}

TEST_F(WorkspaceTest, ClonesOnFirstUseAndFetchesOnReuse) {
  {
    Workspace ws = open();
    EXPECT_EQ(ws.gitDir(), tmp.path() / "cache" / "local" / "acme" / "pipelines.git");
    EXPECT_TRUE(std::filesystem::exists(ws.gitDir() / "HEAD"));
    EXPECT_FALSE(std::filesystem::exists(ws.gitDir() / ".git")) << "the cache is bare";
    EXPECT_EQ(**ws.remoteTip("main"), base);
    EXPECT_FALSE(*ws.remoteTip("godwit/m"));
  }
  std::string next = remote.commit("main", {{"src/Job.scala", "x\n"}});
  remote.setBranch("feature", base);
  Workspace again = open();
  EXPECT_EQ(**again.remoteTip("main"), next);
  EXPECT_EQ(**again.remoteTip("feature"), base);
  remote.setBranch("feature", "");
  ASSERT_TRUE(again.fetch());
  EXPECT_FALSE(*again.remoteTip("feature")) << "deleted branches are pruned";
}

// What a SIGKILL during a first clone by an older build leaves at the cache's name: a folder
// libgit2 cannot open.
TEST_F(WorkspaceTest, ACacheThatIsNotARepositoryIsClonedAgain) {
  const std::filesystem::path cache = tmp.path() / "cache" / "local" / "acme" / "pipelines.git";
  std::filesystem::create_directories(cache / "objects");
  std::ofstream(cache / "description") << "half";
  std::vector<std::string> lines;
  WorkspaceOptions opts = options();
  opts.log = [&lines](const std::string& line) { lines.push_back(line); };
  Expected<Workspace> ws = Workspace::open(repository(), opts);
  ASSERT_TRUE(ws) << ws.error().str();
  EXPECT_EQ(ws->gitDir(), cache);
  EXPECT_EQ(**ws->remoteTip("main"), base);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines.front().find(cache.string() + " is not a repository"), std::string::npos)
      << lines.front();
  EXPECT_NE(lines.front().find("cloning it again"), std::string::npos) << lines.front();
  EXPECT_NE(readFile(cache / "description"), "half")
      << "the damaged folder was removed, not cloned into";
}

// The names in the cache's folder other than the cache itself.
std::vector<std::string> siblings(const std::filesystem::path& cache) {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::directory_iterator(cache.parent_path()))
    if (entry.path() != cache)
      out.push_back(entry.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

// A first clone is made under a partial name and renamed when complete; what a killed clone
// left under such a name is removed, what a live process is writing is not.
TEST_F(WorkspaceTest, PartialClonesOfGoneProcessesAreRemovedOthersStay) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0)
    ::_exit(0);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  const std::filesystem::path owner = tmp.path() / "cache" / "local" / "acme";
  const std::string gone = "pipelines.git.partial-" + std::to_string(child) + "-a1b2c3";
  const std::string live = "pipelines.git.partial-" + std::to_string(::getppid()) + "-d4e5f6";
  const std::string otherRepo = "other.git.partial-" + std::to_string(child) + "-g7h8i9";
  for (const std::string& name : {gone, live, otherRepo}) {
    std::filesystem::create_directories(owner / name / "objects");
    std::ofstream(owner / name / "HEAD") << "ref: refs/heads/main\n";
  }
  std::vector<std::string> lines;
  WorkspaceOptions opts = options();
  opts.log = [&lines](const std::string& line) { lines.push_back(line); };
  Expected<Workspace> ws = Workspace::open(repository(), opts);
  ASSERT_TRUE(ws) << ws.error().str();
  EXPECT_EQ(ws->gitDir(), owner / "pipelines.git");
  EXPECT_EQ(**ws->remoteTip("main"), base);
  EXPECT_EQ(siblings(ws->gitDir()), (std::vector<std::string>{otherRepo, live}))
      << "the gone process's partial is removed, the clone's own partial renamed into place";
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines.front().find(gone), std::string::npos) << lines.front();
}

// A first clone that fails leaves nothing a later run could mistake for a cache.
TEST_F(WorkspaceTest, AFailedFirstCloneLeavesNoCache) {
  Repository repo = repository();
  repo.cloneUrl = "file://" + (tmp.path() / "missing.git").string();
  Expected<Workspace> ws = Workspace::open(repo, options());
  ASSERT_FALSE(ws);
  const std::filesystem::path owner = tmp.path() / "cache" / "local" / "acme";
  ASSERT_TRUE(std::filesystem::exists(owner));
  EXPECT_FALSE(std::filesystem::exists(owner / "pipelines.git"));
  EXPECT_EQ(siblings(owner / "pipelines.git"), std::vector<std::string>{}) << "no partial left";
}

// A run killed while git held a lock in the cache (here, as during a push, on the tracking ref
// of the bot branch) leaves the lock file; the next run that is alone with the cache removes it.
TEST_F(WorkspaceTest, StaleGitLocksInTheCacheAreRemovedWhenNoRunUsesIt) {
  const std::filesystem::path cache = open().gitDir();
  const std::filesystem::path lock = cache / "refs" / "remotes" / "origin" / "godwit" / "m.lock";
  std::filesystem::create_directories(lock.parent_path());
  std::ofstream(lock) << "";
  std::ofstream(cache / "packed-refs.lock") << "";
  {
    Workspace first = open();
    std::filesystem::create_directories(lock.parent_path());
    std::ofstream(lock) << "";
    Workspace second = open();
    EXPECT_TRUE(std::filesystem::exists(lock)) << "another workspace of the cache is open";
  }
  std::vector<std::string> lines;
  WorkspaceOptions opts = options();
  opts.log = [&lines](const std::string& line) { lines.push_back(line); };
  Expected<Workspace> ws = Workspace::open(repository(), opts);
  ASSERT_TRUE(ws) << ws.error().str();
  EXPECT_FALSE(std::filesystem::exists(lock));
  EXPECT_FALSE(std::filesystem::exists(cache / "packed-refs.lock"));
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines.front().find("m.lock"), std::string::npos) << lines.front();
  commitAndPush(*ws);
}

TEST_F(WorkspaceTest, CheckoutWritesBlobBytesAndRemovesItself) {
  // Attributes would turn LF into CRLF on a normal checkout; the engine must see the blob.
  base = remote.commit("main", {{"src/Job.scala", "val t = \"old.table\"\n"},
                                {"README.md", "# pipelines\r\nwindows line\r\n"},
                                {"notes.md", "a\nb\n"},
                                {".gitattributes", "*.md text eol=crlf\n"},
                                {"run.sh", "#!/bin/sh\necho old.table\n"}});
  Workspace ws = open();
  // A user's autocrlf (here in the cache's config) must not change what the engine reads either.
  git_config* config = nullptr;
  ASSERT_EQ(git_config_open_ondisk(&config, (ws.gitDir() / "config").c_str()), 0);
  ASSERT_EQ(git_config_set_string(config, "core.autocrlf", "true"), 0);
  git_config_free(config);
  std::filesystem::path dir;
  {
    Expected<Checkout> co = ws.checkout(base);
    ASSERT_TRUE(co) << co.error().str();
    dir = co->path();
    EXPECT_EQ(readFile(dir / "src/Job.scala"), "val t = \"old.table\"\n");
    EXPECT_EQ(readFile(dir / "README.md"), "# pipelines\r\nwindows line\r\n");
    EXPECT_EQ(readFile(dir / "run.sh"), "#!/bin/sh\necho old.table\n");
    EXPECT_EQ(readFile(dir / "notes.md"), "a\nb\n");
    EXPECT_NE(std::filesystem::status(dir / "run.sh").permissions() &
                  std::filesystem::perms::owner_exec,
              std::filesystem::perms::none);
    EXPECT_FALSE(std::filesystem::exists(dir / ".git"));
  }
  EXPECT_FALSE(std::filesystem::exists(dir));
  EXPECT_FALSE(ws.checkout("0123456789012345678901234567890123456789"));
}

TEST_F(WorkspaceTest, OneBotCommitOnTheBaseHoldsThePatch) {
  Workspace ws = open();
  std::string message = "Migrate old.table\n\nBody line.\n\nGodwit-Migration: m\n";
  std::string sha = commitAndPush(ws, message);
  EXPECT_EQ(remote.tip("godwit/m"), sha);
  EXPECT_EQ(remote.tip("main"), base) << "the default branch is untouched";
  bottest::CommitInfo c = remote.info(sha);
  EXPECT_EQ(c.parents, std::vector<std::string>{base});
  EXPECT_EQ(c.authorName, "godwit[bot]");
  EXPECT_EQ(c.authorEmail, "godwit[bot]@users.noreply.godwit.invalid");
  EXPECT_EQ(c.committerName, "godwit[bot]");
  EXPECT_EQ(c.committerEmail, "godwit[bot]@users.noreply.godwit.invalid");
  EXPECT_EQ(c.message, message);
  git_message_trailer_array trailers{};
  ASSERT_EQ(git_message_trailers(&trailers, c.message.c_str()), 0);
  ASSERT_EQ(trailers.count, 1u);
  EXPECT_STREQ(trailers.trailers[0].key, "Godwit-Migration");
  EXPECT_STREQ(trailers.trailers[0].value, "m");
  git_message_trailer_array_free(&trailers);

  EXPECT_EQ(remote.file(sha, "src/Job.scala"), "val t = \"new.table\"\n");
  EXPECT_EQ(remote.file(sha, "run.sh"), "#!/bin/sh\necho new.table\n");
  EXPECT_EQ(remote.mode(sha, "run.sh"), unsigned(GIT_FILEMODE_BLOB_EXECUTABLE));
  EXPECT_EQ(remote.file(sha, "README.md"), "# pipelines\r\nwindows line\r\n");
  EXPECT_EQ(**ws.remoteTip("godwit/m"), sha);
}

TEST_F(WorkspaceTest, ConfiguredAuthorIsUsed) {
  WorkspaceOptions opts = options();
  opts.identity = {"Data Platform Bot", "dp-bot@corp.example"};
  Expected<Workspace> ws = Workspace::open(repository(), opts);
  ASSERT_TRUE(ws);
  Expected<std::string> tree = ws->patchedTree(base, patch());
  ASSERT_TRUE(tree);
  Expected<std::string> sha = ws->createCommit(base, *tree, "x\n");
  ASSERT_TRUE(sha);
  ASSERT_TRUE(ws->push("godwit/m", *sha, ""));
  bottest::CommitInfo c = remote.info(*sha);
  EXPECT_EQ(c.authorName, "Data Platform Bot");
  EXPECT_EQ(c.committerEmail, "dp-bot@corp.example");
}

TEST_F(WorkspaceTest, PatchMustMatchTheBase) {
  Workspace ws = open();
  auto stale = ws.patchedTree(base, {{"src/Job.scala", "something else\n", "x\n"}});
  ASSERT_FALSE(stale);
  EXPECT_NE(stale.error().message.find("differs from what was analyzed"), std::string::npos);
  EXPECT_FALSE(ws.patchedTree(base, {{"missing.txt", "", "x"}}));
  EXPECT_FALSE(ws.patchedTree(base, {{"../escape", "", "x"}}));
  EXPECT_FALSE(ws.patchedTree(base, {{"/abs", "", "x"}}));
  EXPECT_FALSE(ws.patchedTree(base, {{"src", "", "x"}})) << "a directory is not a file";
  auto twice = patch();
  twice.push_back(twice.front());
  EXPECT_FALSE(ws.patchedTree(base, twice));
}

TEST_F(WorkspaceTest, RerunWithSamePatchOnSameBaseIsCurrent) {
  {
    Workspace ws = open();
    commitAndPush(ws);
  }
  Workspace ws = open();
  auto state = ws.inspectBranch("godwit/m", "main");
  ASSERT_TRUE(state);
  ASSERT_TRUE(*state);
  EXPECT_FALSE((*state)->humanEdited);
  EXPECT_EQ((*state)->commits, 1u);
  Expected<std::string> tree = ws.patchedTree(base, patch());
  ASSERT_TRUE(tree);
  EXPECT_TRUE(branchIsCurrent(**state, base, *tree));
  // A different patch is not current.
  auto other = patch();
  other.pop_back();
  Expected<std::string> otherTree = ws.patchedTree(base, other);
  ASSERT_TRUE(otherTree);
  EXPECT_FALSE(branchIsCurrent(**state, base, *otherTree));
}

TEST_F(WorkspaceTest, BaseChangeRegeneratesOneCommitOnTheNewBase) {
  std::string first;
  {
    Workspace ws = open();
    first = commitAndPush(ws);
  }
  std::string newBase = remote.commit("main", {{"src/Job.scala", "val t = \"old.table\"\n"},
                                               {"README.md", "# pipelines\r\nwindows line\r\n"},
                                               {"run.sh", "#!/bin/sh\necho old.table\n"},
                                               {"NEW.md", "new file\n"}});
  Workspace ws = open();
  auto state = ws.inspectBranch("godwit/m", "main");
  ASSERT_TRUE(state && *state);
  Expected<std::string> tree = ws.patchedTree(newBase, patch());
  ASSERT_TRUE(tree);
  EXPECT_FALSE(branchIsCurrent(**state, newBase, *tree));
  std::string second = commitAndPush(ws);
  EXPECT_NE(second, first);
  EXPECT_EQ(remote.tip("godwit/m"), second);
  bottest::CommitInfo c = remote.info(second);
  EXPECT_EQ(c.parents, std::vector<std::string>{newBase});
  EXPECT_EQ(remote.file(second, "NEW.md"), "new file\n");
  EXPECT_EQ(remote.file(second, "src/Job.scala"), "val t = \"new.table\"\n");
  auto after = ws.inspectBranch("godwit/m", "main");
  ASSERT_TRUE(after && *after);
  EXPECT_TRUE(branchIsCurrent(**after, newBase, *tree));
}

TEST_F(WorkspaceTest, LeaseAbortsWhenTheRemoteBranchMoved) {
  Workspace ws = open();
  std::string mine = commitAndPush(ws);
  // Someone else moves the branch after our fetch.
  std::string theirs = remote.commit("godwit/m", {{"src/Job.scala", "theirs\n"}}, "theirs\n");
  Expected<std::string> tree = ws.patchedTree(base, patch());
  ASSERT_TRUE(tree);
  Expected<std::string> again = ws.createCommit(base, *tree, "regenerated\n");
  ASSERT_TRUE(again);
  Expected<void> pushed = ws.push("godwit/m", *again, mine);
  ASSERT_FALSE(pushed);
  EXPECT_NE(pushed.error().message.find("moved to " + theirs), std::string::npos)
      << pushed.error().str();
  EXPECT_EQ(remote.tip("godwit/m"), theirs) << "their commit survives";

  // Expecting the branch to be absent while it exists also aborts.
  Expected<void> create = ws.push("godwit/m", *again, "");
  ASSERT_FALSE(create);
  EXPECT_EQ(remote.tip("godwit/m"), theirs);
}

TEST_F(WorkspaceTest, LeaseAbortsWhenTheBranchWasDeleted) {
  Workspace ws = open();
  std::string mine = commitAndPush(ws);
  remote.setBranch("godwit/m", "");
  Expected<void> pushed = ws.push("godwit/m", mine, mine);
  ASSERT_FALSE(pushed);
  EXPECT_EQ(remote.tip("godwit/m"), "");
}

TEST_F(WorkspaceTest, HumanCommitsAreDetected) {
  {
    Workspace ws = open();
    commitAndPush(ws);
  }
  std::string human =
      remote.commit("godwit/m", {{"src/Job.scala", "fixed by hand\n"}}, "fix\n", "Ada", "ada@x");
  Workspace ws = open();
  auto state = ws.inspectBranch("godwit/m", "main");
  ASSERT_TRUE(state && *state);
  EXPECT_TRUE((*state)->humanEdited);
  EXPECT_EQ((*state)->humanCommit, human);
  EXPECT_EQ((*state)->humanName, "Ada");
  EXPECT_EQ((*state)->commits, 2u);
  EXPECT_FALSE(branchIsCurrent(**state, base, (*state)->tree));
}

TEST_F(WorkspaceTest, HumanCommitterAloneMakesTheBranchHumanEdited) {
  // E.g. a rebase through the web UI keeps the bot as author but not as committer.
  remote.commit("godwit/m", {{"src/Job.scala", "x\n"}}, "bot\n", "godwit[bot]",
                "godwit[bot]@users.noreply.godwit.invalid", "GitHub", "noreply@github.com");
  Workspace ws = open();
  auto state = ws.inspectBranch("godwit/m", "main");
  ASSERT_TRUE(state && *state);
  EXPECT_TRUE((*state)->humanEdited);
  EXPECT_EQ((*state)->humanName, "GitHub");
}

TEST_F(WorkspaceTest, BotOnlyBranchOnAnOldBaseIsNotHumanEdited) {
  {
    Workspace ws = open();
    commitAndPush(ws);
  }
  remote.commit("main", {{"src/Job.scala", "val t = \"old.table\"\n"}}, "human on main\n", "Ada",
                "ada@x");
  Workspace ws = open();
  auto state = ws.inspectBranch("godwit/m", "main");
  ASSERT_TRUE(state && *state);
  EXPECT_FALSE((*state)->humanEdited) << "commits on the base branch are not edits of the branch";
  EXPECT_EQ((*state)->commits, 1u);
}

TEST_F(WorkspaceTest, TokenNeverLandsInTheCacheOrOutputs) {
  std::string b64 = "eC1hY2Nlc3MtdG9rZW46"; // "x-access-token:" prefix, to show what we look for
  Workspace ws = open();
  std::string sha = commitAndPush(ws);
  ASSERT_FALSE(sha.empty());
  std::string config = readFile(ws.gitDir() / "config");
  // The cache keeps no remote: the clone URL comes from the code host on every run.
  EXPECT_EQ(config.find("[remote"), std::string::npos) << config;
  EXPECT_EQ(config.find(kToken), std::string::npos);
  std::string everything = bottest::slurpTree(ws.gitDir()) + bottest::slurpTree(remote.path());
  EXPECT_EQ(everything.find(kToken), std::string::npos);
  EXPECT_EQ(everything.find("x-access-token"), std::string::npos);
  EXPECT_EQ(everything.find(b64), std::string::npos);
  // Errors name the URL, never the token.
  Expected<void> bad = ws.push("godwit/m", sha, "");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().str().find(kToken), std::string::npos);
}

TEST(Credentials, CallbackGivesTokenOnceAsAccessTokenUser) {
  int calls = 0;
  CredentialState state;
  state.token = [&] {
    ++calls;
    return Expected<std::string>(kToken);
  };
  git_credential* cred = nullptr;
  ASSERT_EQ(acquireCredential(&cred, "https://github.com/acme/x.git", nullptr,
                              GIT_CREDENTIAL_USERPASS_PLAINTEXT | GIT_CREDENTIAL_SSH_KEY, &state),
            0);
  ASSERT_NE(cred, nullptr);
  EXPECT_EQ(cred->credtype, GIT_CREDENTIAL_USERPASS_PLAINTEXT);
  auto* userpass = reinterpret_cast<git_credential_userpass_plaintext*>(cred);
  EXPECT_STREQ(userpass->username, "x-access-token");
  EXPECT_STREQ(userpass->password, kToken.c_str());
  git_credential_free(cred);
  EXPECT_EQ(calls, 1);

  // A second request in the same operation means the token was refused: fail, don't loop.
  git_credential* again = nullptr;
  EXPECT_EQ(acquireCredential(&again, "https://github.com/acme/x.git", nullptr,
                              GIT_CREDENTIAL_USERPASS_PLAINTEXT, &state),
            GIT_EAUTH);
  EXPECT_EQ(again, nullptr);
  EXPECT_EQ(calls, 1);
  const git_error* e = git_error_last();
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(std::string(e->message).find(kToken), std::string::npos);
}

TEST(Credentials, OnlyUserPasswordIsOffered) {
  CredentialState state;
  state.token = [] { return Expected<std::string>(kToken); };
  git_credential* cred = nullptr;
  EXPECT_EQ(acquireCredential(&cred, "ssh://x", nullptr, GIT_CREDENTIAL_SSH_KEY, &state),
            GIT_PASSTHROUGH);
  EXPECT_EQ(cred, nullptr);
  CredentialState none;
  EXPECT_EQ(
      acquireCredential(&cred, "https://x", nullptr, GIT_CREDENTIAL_USERPASS_PLAINTEXT, &none),
      GIT_PASSTHROUGH);
}

TEST(Credentials, TokenErrorFailsWithoutSecret) {
  CredentialState state;
  state.token = [] { return Expected<std::string>(makeError("installation token expired")); };
  git_credential* cred = nullptr;
  EXPECT_EQ(
      acquireCredential(&cred, "https://x", nullptr, GIT_CREDENTIAL_USERPASS_PLAINTEXT, &state),
      GIT_EAUTH);
  EXPECT_NE(std::string(git_error_last()->message).find("installation token expired"),
            std::string::npos);
}

TEST(Credentials, RedactRemovesTokenAndBasicAuthForm) {
  std::string basic = "eC1hY2Nlc3MtdG9rZW46Z2hzX3NlY3JldA=="; // x-access-token:ghs_secret
  std::string text = "auth ghs_secret failed; header Basic " + basic + " ghs_secret";
  std::string out = redactSecret(text, "ghs_secret");
  EXPECT_EQ(out, "auth *** failed; header Basic *** ***");
  EXPECT_EQ(redactSecret("nothing", ""), "nothing");
}

} // namespace
} // namespace godwit
