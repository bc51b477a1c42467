// `godwit-runner` as a user calls it: every command has --help, --store and the code-host flags
// of `godwit pr`; a bad invocation exits 2.
#include "bot/store/PostgresStore.h"
#include "tests/support/PostgresServer.h"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace godwit {
namespace {

struct Ran {
  int status = -1;
  std::string out;
};

Ran run(const std::string& args) {
  const std::string command = std::string(GODWIT_RUNNER_BINARY) + " " + args + " 2>&1";
  Ran r;
  FILE* p = ::popen(command.c_str(), "r");
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0)
    r.out.append(buf.data(), n);
  const int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

class RunnerCommandHelp : public ::testing::TestWithParam<const char*> {};

TEST_P(RunnerCommandHelp, HasTheStoreAndCodeHostFlags) {
  const Ran r = run(std::string(GetParam()) + " --help");
  ASSERT_EQ(r.status, 0) << r.out;
  for (const char* flag : {"--store", "--store-password-file", "--cache-dir", "--api-url",
                           "--token-file", "--app-id", "--private-key", "--installation-id"})
    EXPECT_NE(r.out.find(flag), std::string::npos) << GetParam() << " lacks " << flag;
}

INSTANTIATE_TEST_SUITE_P(EveryCommand, RunnerCommandHelp,
                         ::testing::Values("discover", "plan", "sweep", "status", "pause", "resume",
                                           "rollback", "report"));

TEST(RunnerCliTest, ACommandIsRequired) {
  const Ran r = run("");
  EXPECT_EQ(r.status, 2) << r.out;
  const Ran unknown = run("launch");
  EXPECT_EQ(unknown.status, 2) << unknown.out;
}

TEST(RunnerCliTest, APostgresStoreIsCreatedOnFirstUse) {
  test::PostgresServer& server = test::PostgresServer::shared();
  const std::string db = server.createDatabase();
  const Ran r = run("status --campaign m --store " + server.url(db));
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("sweep it first"), std::string::npos) << "no campaign m yet: " << r.out;
  EXPECT_EQ(server.scalar(db, "SELECT version FROM schema_version"),
            std::to_string(PostgresStore::schemaMigrations().size()));
  server.dropDatabase(db);
}

TEST(RunnerCliTest, AStoreThatCannotBeOpenedExits2WithoutItsPassword) {
  test::PostgresServer& server = test::PostgresServer::shared();
  const std::string db = server.createDatabase();
  const std::string secret = "cli-secret-93q";
  const std::string port = std::to_string(server.port());
  for (const std::string& url :
       {server.url(db, secret),                                       // a wrong password
        "postgres://postgres:" + secret + "@127.0.0.1:1/x",           // nothing listens there
        "postgres://postgres:" + secret + "@127.0.0.1:notaport/x"}) { // not a URL libpq takes
    const Ran r = run("status --campaign m --store '" + url + "'");
    EXPECT_EQ(r.status, 2) << r.out;
    EXPECT_NE(r.out.find("error: store postgres://postgres@127.0.0.1:"), std::string::npos)
        << r.out;
    EXPECT_EQ(r.out.find(secret), std::string::npos) << r.out;
  }
  server.dropDatabase(db);
}

TEST(RunnerCliTest, StatusNeedsACampaign) {
  const Ran r = run("status");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("--migration or --campaign"), std::string::npos) << r.out;
}

/// A temporary folder with a migration of three waves and the fleet file `yaml`.
struct FleetDir {
  std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("godwit-runner-cli-" + std::to_string(::getpid()));
  explicit FleetDir(const std::string& yaml) {
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "m.yaml") << "apiVersion: godwit/v1\nkind: Migration\nname: m\n"
                                     "datasets:\n  - kind: kafka-topic\n    from: a-topic\n"
                                     "    to: b-topic\nrollout:\n  waves: [1, 2, 100%]\n";
    std::ofstream(dir / "fleet.yaml") << yaml;
  }
  ~FleetDir() { std::filesystem::remove_all(dir); }
  std::string args(const std::string& command) const {
    return command + " --migration " + (dir / "m.yaml").string() + " " +
           (dir / "fleet.yaml").string();
  }
};

TEST(RunnerCliTest, PlansTheWavesOfAFleetFile) {
  const FleetDir fleet("apiVersion: godwit/v1\nkind: Fleet\nrepositories:\n"
                       "  - {repo: acme/low, tier: 0}\n  - {repo: acme/mid, tier: 1}\n"
                       "  - {repo: acme/high, tier: 2}\n  - {repo: acme/top, tier: 3}\n");
  const Ran r = run(fleet.args("plan"));
  ASSERT_EQ(r.status, 0) << r.out;
  const size_t wave1 = r.out.find("wave 1 (1 repositories)");
  const size_t low = r.out.find("acme/low");
  const size_t wave2 = r.out.find("wave 2 (1 repositories)");
  const size_t wave3 = r.out.find("wave 3 (2 repositories)");
  ASSERT_NE(wave1, std::string::npos) << r.out;
  EXPECT_LT(wave1, low) << "the lowest tier goes first:\n" << r.out;
  EXPECT_LT(low, wave2) << r.out;
  EXPECT_LT(r.out.find("acme/mid"), wave3) << r.out;
  EXPECT_GT(r.out.find("acme/top"), wave3) << r.out;
}

TEST(RunnerCliTest, ABadFleetFileIsAnErrorWithItsPlace) {
  const FleetDir fleet("apiVersion: godwit/v1\nkind: Fleet\nrepositories:\n"
                       "  - repo: acme/a\n    tier: high\n");
  const Ran r = run(fleet.args("plan"));
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("fleet.yaml:5:11: error: `tier` must be a whole number"), std::string::npos)
      << r.out;
}

} // namespace
} // namespace godwit
