// Two real `godwit-runner sweep` processes over one campaign in the real PostgreSQL of the tests
// and the contract server, as two pods of an Indexed Job; then `status` with the runners alive
// and their leases.
#include "bot/fleet/Campaign.h"
#include "bot/store/WorkQueue.h"
#include "tests/bot/fleet/FleetFixture.h"
#include "tests/support/PostgresServer.h"

#include <nlohmann/json.hpp>

#include <fstream>

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
    return "(JOB_COMPLETION_INDEX=" + i + " " +
           runner("sweep --migration " + (tmp.path() / "m.yaml").string() + " --api-url " +
                  server.url() + " --cache-dir " + (tmp.path() / ("cache-" + i)).string() +
                  " --jobs 2 " + (tmp.path() / "fleet.yaml").string()) +
           " > " + (tmp.path() / ("out-" + i)).string() + " 2>&1; echo $? > " +
           (tmp.path() / ("rc-" + i)).string() + ")";
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
  auto store = openShared();
  std::map<std::string, std::vector<std::string>> writers;
  auto events = store->events(migration.name);
  for (const EventRecord& e : *events)
    if (e.kind == "repo.state")
      writers[e.repository].push_back(nlohmann::json::parse(e.details).value("runner", ""));
  ASSERT_EQ(writers.size(), 10u);
  for (const auto& [repo, who] : writers) {
    ASSERT_EQ(who.size(), 1u) << repo << ": one final state, written once";
    EXPECT_TRUE(who[0] == "index-0" || who[0] == "index-1") << who[0];
  }

  Ran status = fleettest::runCommand(runner("status --campaign user-profile-v2"));
  EXPECT_EQ(status.status, 0) << status.out;
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

} // namespace
} // namespace godwit
