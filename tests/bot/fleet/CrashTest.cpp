// The crash test: the real godwit-runner binary sweeps 30 local bare repositories (file://
// remotes) against the GitHub contract server in this process, and is killed with SIGKILL at 20
// points drawn from fixed seeds (GODWIT_CRASH_SEED moves them), half after the Nth request the
// server received (inside the server, before it acts on that request, so the runner never sees
// the answer) and half after a delay. After each kill a second sweep runs to completion; the
// requests the server recorded must show one pull request per repository that needs one, none
// opened twice.
#include "bot/fleet/RepoState.h"
#include "bot/store/SqliteStore.h"
#include "tests/bot/GitFixture.h"
#include "tests/support/GitHubContractServer.h"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <thread>

extern char** environ;

namespace godwit {
namespace {

using bottest::BareRemote;
using bottest::TempDir;

const std::string kToken = "ghp_crash_test_token";
constexpr size_t kRepos = 30;
constexpr int kKills = 20;
const std::string kBranch = "godwit/user-profile-v2";

/// What repository `i` holds: every third refers to nothing, repo-1 opts out, the rest are
/// consumers that need a pull request.
enum class Kind { Consumer, Unrelated, OptedOut };
Kind kindOf(size_t i) {
  if (i == 1)
    return Kind::OptedOut;
  return i % 3 == 0 ? Kind::Unrelated : Kind::Consumer;
}
std::string nameOf(size_t i) {
  return "acme/repo-" + std::to_string(i);
}

/// One world: remotes, the contract server, the fleet and migration files, store and caches.
struct World {
  TempDir tmp;
  test::GitHubContractServer server{kToken};
  std::vector<std::unique_ptr<BareRemote>> remotes;

  World() {
    server.setCiScript([](const std::string&, const std::string&) { return "success"; });
    std::ostringstream fleet;
    fleet << "apiVersion: godwit/v1\nkind: Fleet\nrepositories:\n";
    for (size_t i = 0; i < kRepos; ++i) {
      auto remote = std::make_unique<BareRemote>(tmp.path() / "remotes" / (nameOf(i) + ".git"));
      const std::string table =
          kindOf(i) == Kind::Unrelated ? "other" : "acme-prod.core_users.user_profile_v1";
      std::map<std::string, std::string> files{
          {"src/Job.scala", "object Job {\n  val t = \"" + table + "\"\n}\n"}};
      if (kindOf(i) == Kind::OptedOut)
        files[".godwit.yaml"] = "optOut: true\n";
      remote->commit("main", files);
      server.addRepository({nameOf(i), "main", remote->url()});
      remotes.push_back(std::move(remote));
      fleet << "  - repo: " << nameOf(i) << "\n    owner: team-" << i % 4 << "\n    tier: "
            << i % 2 << "\n";
    }
    std::ofstream(tmp.path() / "fleet.yaml") << fleet.str();
    std::ofstream(tmp.path() / "m.yaml")
        << "apiVersion: godwit/v1\nkind: Migration\nname: user-profile-v2\n"
           "datasets:\n  - kind: bigquery-table\n"
           "    from: acme-prod.core_users.user_profile_v1\n"
           "    to: acme-prod.core_users.user_profile_v2\n"
           "pullRequest:\n  labels: [godwit]\n"
           "rollout:\n  waves: [3, 10, 100%]\n  gate: {maxFailureRatio: 0}\n";
  }

  std::vector<std::string> sweepArgs() const {
    const auto p = [&](const char* name) { return (tmp.path() / name).string(); };
    return {GODWIT_RUNNER_BINARY, "sweep",       "--migration", p("m.yaml"), p("fleet.yaml"),
            "--api-url",          server.url(),  "--store",     p("state.db"), "--cache-dir",
            p("cache"),           "--jobs",      "2"};
  }

  /// Starts a sweep writing its output to `log`; returns its pid.
  pid_t spawnSweep(const std::filesystem::path& log) {
    std::vector<std::string> env{"GITHUB_TOKEN=" + kToken, "GODWIT_RUNNER_WRITE_SPACING_MS=0"};
    for (char** e = environ; *e; ++e)
      if (!std::string_view(*e).starts_with("GITHUB_TOKEN=") &&
          !std::string_view(*e).starts_with("GODWIT_"))
        env.emplace_back(*e);
    std::vector<std::string> args = sweepArgs();
    std::vector<char*> argv, envp;
    for (std::string& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    for (std::string& e : env)
      envp.push_back(e.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                     0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    pid_t pid = 0;
    const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    EXPECT_EQ(rc, 0) << "cannot start " << argv[0];
    return rc == 0 ? pid : -1;
  }

  static int wait(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return status;
  }

  static std::string read(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  /// Removes the `*.lock` files a killed push left in the remotes.
  void removeStaleLocks() {
    for (const auto& remote : remotes)
    {
      std::vector<std::filesystem::path> locks;
      for (const auto& entry : std::filesystem::recursive_directory_iterator(remote->path()))
        if (entry.is_regular_file() && entry.path().extension() == ".lock")
          locks.push_back(entry.path());
      for (const auto& lock : locks)
        std::filesystem::remove(lock);
    }
  }

  /// Pull-request creations the server received, by repository.
  std::map<std::string, size_t> creations() {
    std::map<std::string, size_t> out;
    for (const auto& r : server.requests("POST", "/pulls"))
      if (r.path.ends_with("/pulls"))
        ++out[r.path.substr(7, r.path.size() - 7 - 6)];
    return out;
  }
};

/// The seed of the first kill point, the next ones counting up: 1000, or GODWIT_CRASH_SEED to
/// try other points.
unsigned seedBase() {
  const char* seed = std::getenv("GODWIT_CRASH_SEED");
  return seed && *seed ? static_cast<unsigned>(std::strtoul(seed, nullptr, 10)) : 1000u;
}

struct Outcome {
  size_t requests = 0;
  std::chrono::milliseconds duration{0};
};

/// Checks the end state of a world whose last sweep ran to completion; `context` names the run.
void expectCompleted(World& w, const std::string& context) {
  SCOPED_TRACE(context);
  auto store = SqliteStore::open(w.tmp.path() / "state.db");
  ASSERT_TRUE(store) << store.error().str();
  auto campaign = (*store)->campaign("user-profile-v2");
  ASSERT_TRUE(campaign && *campaign);
  EXPECT_EQ((*campaign)->state, "done");
  auto rows = (*store)->campaignRepos("user-profile-v2");
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), kRepos);
  std::map<std::string, size_t> expected;
  for (const auto& row : *rows) {
    const size_t i = std::stoul(row.fullName.substr(row.fullName.find('-') + 1));
    auto state = parseRepoState(row.state);
    ASSERT_TRUE(state) << row.fullName << ": " << row.state;
    EXPECT_TRUE(isFinal(*state)) << row.fullName << ": " << row.state;
    const auto pulls = w.server.pulls(row.fullName);
    switch (kindOf(i)) {
    case Kind::Consumer:
      expected[row.fullName] = 1;
      EXPECT_EQ(row.state, "open") << row.fullName << ": " << row.note;
      ASSERT_EQ(pulls.size(), 1u) << row.fullName;
      EXPECT_EQ(pulls.front().state, "open") << row.fullName;
      EXPECT_EQ(row.pullRequest, pulls.front().number) << row.fullName;
      EXPECT_EQ(pulls.front().labels, std::vector<std::string>{"godwit"}) << row.fullName;
      EXPECT_EQ(w.remotes[i]->tip(kBranch), pulls.front().headSha) << row.fullName;
      break;
    case Kind::Unrelated:
      EXPECT_EQ(row.state, "no-changes") << row.fullName;
      EXPECT_TRUE(pulls.empty()) << row.fullName;
      EXPECT_EQ(w.remotes[i]->tip(kBranch), "") << row.fullName;
      break;
    case Kind::OptedOut:
      EXPECT_EQ(row.state, "opted-out") << row.fullName;
      EXPECT_TRUE(pulls.empty()) << row.fullName;
      EXPECT_EQ(w.remotes[i]->tip(kBranch), "") << row.fullName;
      break;
    }
  }
  // Counted from what the server received across the killed sweep and the one after it.
  EXPECT_EQ(w.creations(), expected);
  const auto violations = w.server.violations();
  EXPECT_TRUE(violations.empty()) << violations.front();
}

TEST(CrashTest, KilledAtTwentyPointsTheNextSweepFinishesWithOnePullRequestEach) {
  // An uninterrupted sweep gives the number of requests and the time a whole sweep takes.
  Outcome whole;
  {
    World w;
    const auto began = std::chrono::steady_clock::now();
    const int status = World::wait(w.spawnSweep(w.tmp.path() / "sweep.log"));
    whole.duration = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - began);
    const std::string out = World::read(w.tmp.path() / "sweep.log");
    if (out.find("no inventory source can be read by this build yet") != std::string::npos)
      GTEST_SKIP() << "this build's godwit-runner reads no fleet file yet";
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << out;
    whole.requests = w.server.requests().size();
    expectCompleted(w, "the uninterrupted sweep");
  }
  ASSERT_GT(whole.requests, 60u);

  for (int k = 0; k < kKills; ++k) {
    std::mt19937 rng(seedBase() + static_cast<unsigned>(k));
    std::unique_ptr<World> world;
    std::filesystem::path log;
    std::atomic<pid_t> pid{0};
    std::string point;
    int status = 0;
    // A timed kill can come after a sweep faster than the uninterrupted one (the machine's load
    // varies): the point is then moved to half the time, in a new world, up to three times.
    long divisor = 1;
    for (int attempt = 0; attempt < 4; ++attempt, divisor *= 2) {
      world = std::make_unique<World>();
      World& w = *world;
      log = w.tmp.path() / "sweep.log";
      pid = 0;
      if (k % 2 == 0) {
        // Spread over the whole sweep: the kth twentieth of its requests, at a random one.
        const size_t lo = 1 + whole.requests * static_cast<size_t>(k) / kKills;
        const size_t hi = whole.requests * static_cast<size_t>(k + 2) / kKills;
        const size_t n = std::uniform_int_distribution<size_t>(lo, std::max(lo, hi))(rng);
        point = "at request " + std::to_string(n) + " of " + std::to_string(whole.requests);
        w.server.onRequest([&pid, n](const test::RecordedRequest&, size_t count) {
          if (count == n)
            while (pid.load() <= 0 || ::kill(pid.load(), SIGKILL) != 0)
              std::this_thread::yield();
        });
        pid = w.spawnSweep(log);
      } else {
        const auto delay = std::chrono::milliseconds(std::uniform_int_distribution<long>(
            whole.duration.count() / 20, whole.duration.count() * 3 / 5)(rng) / divisor);
        point = "after " + std::to_string(delay.count()) + " ms of " +
                std::to_string(whole.duration.count());
        pid = w.spawnSweep(log);
        std::this_thread::sleep_for(delay);
        ::kill(pid.load(), SIGKILL);
      }
      status = World::wait(pid.load());
      w.server.onRequest(nullptr);
      if (WIFSIGNALED(status) || k % 2 == 0)
        break;
    }
    World& w = *world;
    const std::string context = "kill " + std::to_string(k + 1) + " (seed " +
                                std::to_string(seedBase() + static_cast<unsigned>(k)) + ") " +
                                point;
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << context << ": the sweep ended before the kill\n"
        << World::read(log);

    // A kill in the middle of a push to a file:// remote can leave git's lock files in it; a
    // real code host would not (its server-side git outlives the client), so they are removed
    // here, in the harness, not by the runner.
    w.removeStaleLocks();
    std::ofstream(log, std::ios::app) << "--- killed " << point << "; the next sweep:\n";
    const int again = World::wait(w.spawnSweep(log));
    ASSERT_TRUE(WIFEXITED(again) && WEXITSTATUS(again) == 0) << context << "\n" << World::read(log);
    expectCompleted(w, context + "\n" + World::read(log));
    if (::testing::Test::HasFailure())
      break;
  }
}

} // namespace
} // namespace godwit
