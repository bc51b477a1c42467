// Two real `godwit-runner sweep` processes over one campaign in the real PostgreSQL of the tests
// and the contract server, as two pods of an Indexed Job; then `status` with the runners alive
// and their leases; and a runner stopped with SIGSTOP past its lease, continued with SIGCONT
// once another runner has taken its repositories over.
#include "bot/fleet/Campaign.h"
#include "bot/store/WorkQueue.h"
#include "tests/bot/fleet/FleetFixture.h"
#include "tests/support/PostgresServer.h"

#include <nlohmann/json.hpp>

#include <fstream>
#include <thread>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

extern char** environ;

namespace godwit {
namespace {

using fleettest::Ran;
using test::PostgresServer;

class SharedRunnerBinaryTest : public fleettest::FleetTest {
protected:
  PostgresServer& pg = PostgresServer::shared();
  std::string database = pg.createDatabase();
  ~SharedRunnerBinaryTest() override { pg.dropDatabase(database); }

  std::unique_ptr<PostgresStore> openShared() {
    auto s = PostgresStore::open(pg.url(database));
    EXPECT_TRUE(s) << s.error().str();
    return std::move(*s);
  }
  /// The runner's command line: the store's password from a file, never on the command line.
  std::string runner(const std::string& args) {
    const auto passwordFile = tmp.path() / "pgpassword";
    std::ofstream(passwordFile) << PostgresServer::kPassword << "\n";
    return "GITHUB_TOKEN=" + fleettest::kToken + " GODWIT_RUNNER_WRITE_SPACING_MS=0 " +
           GODWIT_RUNNER_BINARY + " " + args + " --store " + pg.url(database, "") +
           " --store-password-file " + passwordFile.string();
  }
  /// `sweep` as runner `index-N` (its output in `out-N`), with `extra` flags.
  std::string sweepCommand(int index, const std::string& extra = " --jobs 2") {
    const std::string i = std::to_string(index);
    return "JOB_COMPLETION_INDEX=" + i + " " +
           runner("sweep --migration " + (tmp.path() / "m.yaml").string() + " --api-url " +
                  server.url() + " --cache-dir " + (tmp.path() / ("cache-" + i)).string() +
                  " " + (tmp.path() / "fleet.yaml").string() + extra) +
           " > " + (tmp.path() / ("out-" + i)).string() + " 2>&1";
  }
  /// Starts `command` (a shell line that ends in the runner) as a child whose pid is the
  /// runner's, to stop and continue with signals.
  static pid_t spawn(const std::string& command) {
    const std::string line = "exec env " + command;
    const char* argv[] = {"/bin/sh", "-c", line.c_str(), nullptr};
    pid_t pid = -1;
    if (posix_spawn(&pid, "/bin/sh", nullptr, nullptr, const_cast<char**>(argv), environ) != 0)
      return -1;
    return pid;
  }
  static int waitFor(pid_t pid) {
    int status = 0;
    if (waitpid(pid, &status, 0) != pid)
      return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  /// The `repo.state` events by repository: which runner wrote each.
  std::map<std::string, std::vector<std::string>> stateWriters() {
    std::map<std::string, std::vector<std::string>> out;
    auto store = openShared();
    auto events = store->events(migration.name);
    for (const EventRecord& e : *events)
      if (e.kind == "repo.state")
        out[e.repository].push_back(nlohmann::json::parse(e.details).value("runner", ""));
    return out;
  }
  /// The first query row as text; empty while the runner has not made the schema yet.
  std::string tryScalar(const std::string& query) {
    try {
      return pg.scalar(database, query);
    } catch (const std::exception&) {
      return "";
    }
  }
  std::string read(const std::string& name) {
    std::ifstream in(tmp.path() / name);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
};

TEST_F(SharedRunnerBinaryTest, TwoRunnerProcessesShareTheCampaignAndStatusShowsTheirLeases) {
  makeFleet(10, 2, 6);
  useMigration("");
  std::ofstream(tmp.path() / "m.yaml") << fleettest::migrationYaml("");
  writeFleetFile();
  auto sweep = [&](int index) {
    const std::string i = std::to_string(index);
    return "(" + sweepCommand(index) + "; echo $? > " + (tmp.path() / ("rc-" + i)).string() + ")";
  };
  Ran both = fleettest::runCommand(sweep(0) + " & " + sweep(1) + " & wait");
  ASSERT_EQ(both.status, 0) << both.out;
  const std::string out0 = read("out-0"), out1 = read("out-1");
  EXPECT_EQ(read("rc-0"), "0\n") << out0;
  EXPECT_EQ(read("rc-1"), "0\n") << out1;
  EXPECT_NE(out0.find("[index-0] user-profile-v2: "), std::string::npos) << out0;
  EXPECT_NE(out1.find("[index-1] user-profile-v2: "), std::string::npos) << out1;
  for (const std::string& out : {out0, out1})
    EXPECT_EQ(out.find(PostgresServer::kPassword), std::string::npos) << out;

  const auto created = createdPulls();
  EXPECT_EQ(created.size(), 6u);
  for (const auto& [repo, count] : created)
    EXPECT_EQ(count, 1u) << repo;
  const auto writers = stateWriters();
  ASSERT_EQ(writers.size(), 10u);
  for (const auto& [repo, who] : writers) {
    ASSERT_EQ(who.size(), 1u) << repo << ": one final state, written once";
    EXPECT_TRUE(who[0] == "index-0" || who[0] == "index-1") << who[0];
  }

  Ran status = fleettest::runCommand(runner("status --campaign user-profile-v2"));
  EXPECT_EQ(status.status, 0) << status.out;
  auto store = openShared();
  EXPECT_NE(status.out.find("user-profile-v2: done"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("runners alive: 0"), std::string::npos) << status.out;

  // Two runners at work (leases as the queue makes them) and one that stopped renewing.
  WorkQueue zero(*store, "index-0"), one(*store, "index-1");
  ASSERT_EQ(*zero.enqueue(migration.name, {"acme/a", "acme/b", "acme/c"}), 3);
  ASSERT_EQ(zero.claim(migration.name, 2)->size(), 2u);
  ASSERT_EQ(one.claim(migration.name, 1)->size(), 1u);
  ASSERT_TRUE(pg.exec(database, "UPDATE work_jobs SET lease_until = now() - interval '7 s' "
                                "WHERE locked_by = 'index-1'"));
  status = fleettest::runCommand(runner("status --campaign user-profile-v2"));
  EXPECT_EQ(status.status, 0) << status.out;
  EXPECT_NE(status.out.find("runners alive: 1\n    index-0: 2 claims\n      acme/a  renewed "),
            std::string::npos)
      << status.out;
  EXPECT_NE(status.out.find(" ago, lease ends in 8"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("expired leases (requeued by the next runner that looks): 1\n"
                            "    acme/c  held by index-1, lease ended 7 s ago"),
            std::string::npos)
      << status.out;
  EXPECT_EQ(status.out.find(PostgresServer::kPassword), std::string::npos) << status.out;
}

TEST_F(SharedRunnerBinaryTest, ARunnerStoppedPastItsLeaseHasItsResultDroppedWhenContinued) {
  makeFleet(6, 1, 6);
  useMigration("");
  std::ofstream(tmp.path() / "m.yaml") << fleettest::migrationYaml("");
  writeFleetFile();
  const pid_t a = spawn(sweepCommand(0, " --jobs 1 --lease 2"));
  ASSERT_GT(a, 0);
  // Stop A while it holds a repository and is in no transaction (a row lock it held would keep
  // B from requeuing the job until A continues).
  const std::string inTransaction =
      "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND "
      "pid <> pg_backend_pid() AND xact_start IS NOT NULL";
  std::string held;
  for (int i = 0; i < 3000 && held.empty(); ++i) {
    const std::string holding = tryScalar("SELECT full_name FROM work_jobs WHERE "
                                          "locked_by = 'index-0' AND state = 'running'");
    if (!holding.empty()) {
      kill(a, SIGSTOP);
      if (tryScalar("SELECT count(*) FROM work_jobs WHERE locked_by = 'index-0' AND "
                    "state = 'running' AND full_name = '" + holding + "'") == "1" &&
          tryScalar(inTransaction) == "0")
        held = holding;
      else
        kill(a, SIGCONT);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (held.empty()) {
    kill(a, SIGKILL);
    waitFor(a);
    FAIL() << "A never held a repository: " << read("out-0");
  }
  // B does the rest and, once A's lease has ended, A's repositories too.
  const int b = waitFor(spawn(sweepCommand(1)));
  const std::string jobOfHeld =
      tryScalar("SELECT state || ' by ' || version FROM work_jobs WHERE full_name = '" + held +
                "' ORDER BY id DESC LIMIT 1");
  kill(a, SIGCONT);
  EXPECT_EQ(waitFor(a), 0) << read("out-0");
  EXPECT_EQ(b, 0) << read("out-1");
  EXPECT_EQ(jobOfHeld.rfind("done", 0), 0u) << "B finished " << held << " while A was stopped";

  const std::string outA = read("out-0");
  // A held a batch of two: the one it was working on is lost; the other, which B finished,
  // A finds final and leaves.
  EXPECT_NE(outA.find("godwit-runner: [index-0] acme/repo-"), std::string::npos) << outA;
  EXPECT_NE(outA.find(": lost its claim (the lease ended and another runner took it)"),
            std::string::npos)
      << outA;
  EXPECT_NE(outA.find("lost to other runners mid-step"), std::string::npos) << outA;
  const auto created = createdPulls();
  EXPECT_EQ(created.size(), 6u);
  for (const auto& [repo, count] : created)
    EXPECT_EQ(count, 1u) << repo;
  const auto writers = stateWriters();
  EXPECT_EQ(writers.at(held), std::vector<std::string>{"index-1"}) << "A's result was dropped";
  for (const auto& [repo, who] : writers)
    EXPECT_EQ(who.size(), 1u) << repo;
  auto rows = openShared()->campaignRepos(migration.name);
  for (const auto& r : *rows)
    EXPECT_EQ(r.state, "open") << r.fullName;
}

} // namespace
} // namespace godwit
