// Crash isolation with real processes: a test worker (TestAnalysisWorker.cpp) that speaks the
// protocol and crashes, aborts, overflows its stack, exits, hangs or answers garbage for the
// repository that asks it to; the runner's own `analysis-worker`, whose results must be the
// in-process ones; discover over bare repositories with one crashing; and the runner binary's
// sweep and discover, the same with and without --no-isolate.
#include "bot/fleet/AnalysisWorker.h"

#include "bot/fleet/Discover.h"
#include "rewriters/RunJson.h"
#include "tests/bot/fleet/FleetFixture.h"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <thread>

namespace godwit {
namespace {

namespace fs = std::filesystem;
using fleettest::Ran;

IsolationSettings testWorker(std::chrono::milliseconds budget = std::chrono::seconds(60)) {
  IsolationSettings s;
  s.program = TEST_ANALYSIS_WORKER;
  s.args = {};
  s.budget = budget;
  return s;
}

IsolationSettings runnerWorker() {
  IsolationSettings s;
  s.program = GODWIT_RUNNER_BINARY;
  return s;
}

class AnalysisWorkerTest : public ::testing::Test {
protected:
  bottest::TempDir tmp;
  Migration migration;

  void SetUp() override {
    auto parsed = parseMigration(fleettest::migrationYaml(""), "m.yaml");
    ASSERT_TRUE(parsed) << parsed.error().str();
    migration = *parsed;
  }
  /// A checkout `name` that refers to the table once; `mode` makes the test worker fail.
  RunOptions checkout(const std::string& name, const std::string& mode = "") {
    const fs::path root = tmp.path() / name;
    fs::create_directories(root / "src");
    std::ofstream(root / "src/Job.scala")
        << "object Job {\n  val t = \"acme-prod.core_users.user_profile_v1\"\n}\n";
    if (!mode.empty())
      std::ofstream(root / ".worker-mode") << mode << "\n";
    RunOptions o;
    o.root = root;
    o.jobs = 1;
    return o;
  }
  /// What runMigration gives in this process, as the wire carries it.
  std::string inProcess(const RunOptions& o) { return encodeRunAnswer(runMigration(migration, o)); }
};

TEST_F(AnalysisWorkerTest, EachFailureFailsOneRepositoryAndTheNextGetsAFreshWorker) {
  AnalysisWorker worker(testWorker(std::chrono::milliseconds(1500)));
  const RunOptions good = checkout("good");
  auto first = worker.run(migration, good);
  ASSERT_TRUE(first) << first.error().str();
  EXPECT_EQ(first->summary.rewrites, 1u);
  EXPECT_EQ(encodeRunAnswer(first), inProcess(good));
  const pid_t pid = worker.pid();
  ASSERT_GT(pid, 0);
  ASSERT_TRUE(worker.run(migration, good));
  EXPECT_EQ(worker.pid(), pid); // reused
  EXPECT_EQ(worker.starts(), 1u);

  const std::pair<const char*, const char*> failures[] = {
      {"segv", "analysis crashed: SIGSEGV; the repository is skipped"},
      {"abort", "analysis crashed: SIGABRT; the repository is skipped"},
      {"stack", "analysis crashed: SIGSEGV; the repository is skipped"},
      {"exit", "analysis exited with status 7; the repository is skipped"},
      {"garbage", "analysis worker answered garbage (unreadable analysis answer: "},
      {"hang", "analysis took longer than 1.5 s and was stopped; the repository is skipped"},
  };
  size_t starts = 1;
  for (const auto& [mode, message] : failures) {
    SCOPED_TRACE(mode);
    const pid_t before = worker.pid();
    auto failed = worker.run(migration, checkout(mode, mode));
    ASSERT_FALSE(failed);
    EXPECT_NE(failed.error().message.find(message), std::string::npos) << failed.error().str();
    EXPECT_NE(failed.error().hint.find("fresh worker"), std::string::npos);
    EXPECT_EQ(worker.pid(), 0);
    EXPECT_NE(::kill(before, 0), 0); // killed and reaped: no such process any more
    // The next repository gets a fresh worker and its true result.
    auto next = worker.run(migration, good);
    ASSERT_TRUE(next) << next.error().str();
    EXPECT_EQ(encodeRunAnswer(next), inProcess(good));
    EXPECT_EQ(worker.starts(), ++starts);
  }
}

TEST_F(AnalysisWorkerTest, AWorkerThatCannotStartIsAnError) {
  IsolationSettings s = testWorker();
  s.program = (tmp.path() / "no-such-worker").string();
  AnalysisWorker worker(s);
  auto r = worker.run(migration, checkout("good"));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("cannot start the analysis worker"), std::string::npos)
      << r.error().str();
}

TEST_F(AnalysisWorkerTest, TheRunnersWorkerGivesTheInProcessResultsAndTheRunsOwnErrors) {
  AnalysisWorker worker(runnerWorker());
  // A real tree: the Scala and Python fixtures, inputs and expected outputs.
  RunOptions fixtures;
  fixtures.root = tmp.path() / "fixtures";
  fixtures.jobs = 1;
  fs::create_directories(fixtures.root);
  for (const char* lang : {"scala", "python"})
    fs::copy(fs::path(GODWIT_SOURCE_DIR) / "fixtures" / lang, fixtures.root / lang,
             fs::copy_options::recursive);
  auto isolated = worker.run(migration, fixtures);
  ASSERT_TRUE(isolated) << isolated.error().str();
  EXPECT_GT(isolated->summary.rewrites, 10u);
  EXPECT_EQ(encodeRunAnswer(isolated), inProcess(fixtures));

  // The run's own error (a bad glob) comes back as it is, and the worker lives on.
  RunOptions bad = checkout("good");
  bad.include = {"src/[a"};
  auto direct = runMigration(migration, bad);
  ASSERT_FALSE(direct);
  auto failed = worker.run(migration, bad);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().str(), direct.error().str());
  ASSERT_TRUE(worker.run(migration, checkout("good")));
  EXPECT_EQ(worker.starts(), 1u);
}

TEST_F(AnalysisWorkerTest, ThreadsShareAtMostOneWorkerEach) {
  IsolatedAnalysis analysis(testWorker());
  const Analysis analyze = analysis.function();
  const RunOptions good = checkout("good");
  const std::string expected = inProcess(good);
  std::atomic<int> right{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 4; ++i)
        right += encodeRunAnswer(analyze(migration, good)) == expected ? 1 : 0;
    });
  for (std::thread& t : threads)
    t.join();
  EXPECT_EQ(right, 12);
  EXPECT_GE(analysis.starts(), 1u);
  EXPECT_LE(analysis.starts(), 3u);
}

class IsolatedFleetTest : public fleettest::FleetTest {
protected:
  void SetUp() override {
    FleetTest::SetUp();
    useMigration("");
  }
  /// A repository `name` that refers to the table and whose analysis the test worker fails as
  /// `mode` says; known to the contract server, not yet in `fleet`.
  FleetRepo failing(const std::string& name, const std::string& mode) {
    auto remote = std::make_unique<bottest::BareRemote>(tmp.path() / "remotes" / (name + ".git"));
    remote->commit("main", {{"src/Job.scala", "object Job {\n  val t = "
                                              "\"acme-prod.core_users.user_profile_v1\"\n}\n"},
                            {".worker-mode", mode + "\n"}});
    server.addRepository({name, "main", remote->url()});
    FleetRepo r;
    r.fullName = name;
    r.owner = "team-0";
    r.cloneUrl = remote->url();
    r.defaultBranch = "main";
    remotes.push_back(std::move(remote));
    return r;
  }
};

TEST_F(IsolatedFleetTest, DiscoverGoesOnPastARepositoryWhoseAnalysisCrashes) {
  makeFleet(6, 2, 4);
  fleet.insert(fleet.begin() + 2, failing("acme/crashes", "segv"));

  IsolatedAnalysis analysis(testWorker());
  DiscoverSettings settings;
  settings.cacheDir = tmp.path() / "cache";
  settings.jobs = 2;
  settings.run.jobs = 1;
  settings.analyze = analysis.function();
  const DiscoverResult isolated = discoverConsumers(migration, fleet, client.get(), settings);
  settings.analyze = nullptr;
  fleet.erase(fleet.begin() + 2);
  const DiscoverResult direct = discoverConsumers(migration, fleet, client.get(), settings);

  ASSERT_EQ(isolated.repos.size(), 7u);
  EXPECT_EQ(isolated.totals.failed, 1u);
  EXPECT_EQ(isolated.totals.consumers, 4u);
  EXPECT_EQ(isolated.totals.notConsumers, 2u);
  for (const DiscoveredRepo& r : isolated.repos) {
    if (r.repo.fullName != "acme/crashes")
      continue;
    EXPECT_EQ(r.outcome, DiscoverOutcome::Failed);
    EXPECT_NE(r.error.find("analysis crashed: SIGSEGV; the repository is skipped"),
              std::string::npos)
        << r.error;
  }
  // Every other repository as without isolation.
  std::vector<std::string> a, b;
  for (const DiscoveredRepo& r : isolated.repos)
    if (r.repo.fullName != "acme/crashes")
      a.push_back(r.repo.fullName + " " + std::string(toString(r.outcome)) + " " +
                  std::to_string(r.rewrites) + " " + std::to_string(r.attention));
  for (const DiscoveredRepo& r : direct.repos)
    b.push_back(r.repo.fullName + " " + std::string(toString(r.outcome)) + " " +
                std::to_string(r.rewrites) + " " + std::to_string(r.attention));
  EXPECT_EQ(a, b);
  // At most one worker per thread (two) plus the restart after the crash; at least the restart.
  EXPECT_GE(analysis.starts(), 2u);
  EXPECT_LE(analysis.starts(), 3u);
}

TEST_F(IsolatedFleetTest, ASweepRecordsTheCrashAsTheRepositorysFailureAndGoesOn) {
  makeFleet(4, 2, 3);
  fleet.push_back(failing("acme/aborts", "abort"));

  IsolatedAnalysis analysis(testWorker());
  const SweepSummary summary = sweep(false, 2, [&](SweepSettings& s) {
    s.lifecycle.analyze = analysis.function();
  });
  EXPECT_EQ(summary.processed, 5u);
  const auto st = states();
  EXPECT_EQ(st.at("acme/repo-0"), "open");
  EXPECT_EQ(st.at("acme/repo-1"), "open");
  EXPECT_EQ(st.at("acme/repo-2"), "open");
  EXPECT_EQ(st.at("acme/repo-3"), "no-changes");
  EXPECT_EQ(st.at("acme/aborts"), "retrying"); // as any failed run: `failed` after three
  bool seen = false;
  const auto repos = store()->campaignRepos(migration.name);
  ASSERT_TRUE(repos);
  for (const CampaignRepoRecord& r : *repos)
    if (r.fullName == "acme/aborts") {
      seen = true;
      EXPECT_NE(r.note.find("analysis crashed: SIGABRT"), std::string::npos) << r.note;
    }
  EXPECT_TRUE(seen);
  EXPECT_TRUE(server.pulls("acme/aborts").empty());
}

/// The runner binary with and without isolation: the same output, and the workers are really
/// started (their pids are children of the runner).
class IsolatedRunnerTest : public fleettest::FleetTest {
protected:
  std::string command(const std::string& sub, const std::string& extra) {
    return "env -u GITHUB_TOKEN -u GODWIT_API_URL " + std::string(GODWIT_RUNNER_BINARY) + " " +
           sub + " --migration " + (tmp.path() / "m.yaml").string() + " " +
           (tmp.path() / "fleet.yaml").string() + " --cache-dir " +
           (tmp.path() / "cache").string() + " --jobs 2 " + extra;
  }
  void makeFleetFile() {
    makeFleet(6, 2, 3);
    std::ofstream(tmp.path() / "m.yaml") << fleettest::migrationYaml("");
    std::ofstream f(tmp.path() / "fleet.yaml");
    f << "apiVersion: godwit/v1\nkind: Fleet\nrepositories:\n";
    for (size_t i = 0; i < fleet.size(); ++i)
      f << "  - repo: " << fleet[i].fullName << "\n    owner: " << fleet[i].owner
        << "\n    cloneUrl: " << remotes[i]->url() << "\n";
  }
};

TEST_F(IsolatedRunnerTest, DiscoverGivesTheSameResultsWithAndWithoutIsolation) {
  makeFleetFile();
  Ran isolated = fleettest::runCommand(command("discover", "--format json 2>/dev/null"));
  Ran direct = fleettest::runCommand(command("discover", "--format json --no-isolate 2>/dev/null"));
  ASSERT_EQ(isolated.status, 0) << isolated.out;
  ASSERT_EQ(direct.status, 0) << direct.out;
  const auto doc = nlohmann::json::parse(isolated.out);
  EXPECT_EQ(doc["totals"]["consumers"], 3);
  EXPECT_EQ(doc["totals"]["rewrites"], 3);
  EXPECT_EQ(isolated.out, direct.out);
}

/// `j` without the times of day (keys ending in `At`), which differ from run to run.
nlohmann::json withoutTimes(nlohmann::json j) {
  if (j.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (auto& [key, value] : j.items())
      if (!key.ends_with("At"))
        out[key] = withoutTimes(value);
    return out;
  }
  if (j.is_array())
    for (auto& e : j)
      e = withoutTimes(e);
  return j;
}

TEST_F(IsolatedRunnerTest, ADryRunSweepGivesTheSameReportWithAndWithoutIsolation) {
  makeFleetFile();
  const auto report = [&](const std::string& store) {
    return "env -u GITHUB_TOKEN " + std::string(GODWIT_RUNNER_BINARY) +
           " report --campaign user-profile-v2 --format json --store " + store;
  };
  const std::string a = (tmp.path() / "a.db").string();
  const std::string b = (tmp.path() / "b.db").string();
  Ran isolated = fleettest::runCommand(command("sweep", "--dry-run --store " + a));
  Ran direct = fleettest::runCommand(command("sweep", "--dry-run --no-isolate --store " + b));
  ASSERT_EQ(isolated.status, 0) << isolated.out;
  ASSERT_EQ(direct.status, 0) << direct.out;
  EXPECT_NE(isolated.out.find("acme/repo-2: open (would open a pull request)"), std::string::npos)
      << isolated.out;
  Ran ra = fleettest::runCommand(report(a));
  Ran rb = fleettest::runCommand(report(b));
  ASSERT_EQ(ra.status, 0) << ra.out;
  EXPECT_NE(ra.out.find("\"acme/repo-5\""), std::string::npos) << ra.out;
  // The burndown's points follow the order in which repositories finished: not compared.
  const auto ja = withoutTimes(nlohmann::json::parse(ra.out));
  const auto jb = withoutTimes(nlohmann::json::parse(rb.out));
  for (const char* key : {"repositories", "owners", "totals", "state", "waves"})
    EXPECT_EQ(ja.at(key), jb.at(key)) << key;
  // The flag's budget is checked.
  Ran zero = fleettest::runCommand(command("sweep", "--dry-run --analysis-timeout 0"));
  EXPECT_EQ(zero.status, 2) << zero.out;
}

} // namespace
} // namespace godwit
