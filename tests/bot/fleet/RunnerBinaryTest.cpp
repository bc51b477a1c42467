// The campaign commands of the real godwit-runner binary over a store and the contract server:
// pause, status, resume and rollback, as a person runs them; a dry-run sweep with no code host
// at all, over a fleet file's clone URLs; and the metrics textfile of sweep and rollback.
#include "bot/fleet/RepoState.h"
#include "tests/bot/fleet/FleetFixture.h"
#include "tests/bot/fleet/MetricsText.h"

#include <fstream>

namespace godwit {
namespace {

using fleettest::Ran;

class RunnerBinaryTest : public fleettest::FleetTest {
protected:
  Ran run(const std::string& args) {
    return fleettest::runCommand("GITHUB_TOKEN=" + fleettest::kToken +
                                 " GODWIT_RUNNER_WRITE_SPACING_MS=0 " + GODWIT_RUNNER_BINARY +
                                 " " + args + " --store " + (tmp.path() / "state.db").string());
  }
  /// The metrics file at `path`, parsed; a test fails when it breaks the project's rules.
  fleettest::MetricsText metricsAt(const std::filesystem::path& path) {
    std::ifstream in(path);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto parsed = fleettest::MetricsText::parse(text);
    EXPECT_TRUE(parsed) << parsed.error().str() << "\n" << text;
    if (!parsed)
      return {};
    EXPECT_TRUE(parsed->problems().empty()) << parsed->problems().front() << "\n" << text;
    return *parsed;
  }
  /// Repositories by state in `m`, without the states that have none.
  static std::map<std::string, std::string> statesIn(const fleettest::MetricsText& m) {
    std::map<std::string, std::string> out;
    for (const auto& s : m.samples())
      if (s.name == "godwit_repositories" && s.value > 0)
        out[s.labels.at("state")] = std::to_string(static_cast<int>(s.value));
    return out;
  }
  std::map<std::string, std::string> storeStates() {
    std::map<std::string, std::string> out;
    std::map<std::string, int> n;
    for (const auto& [repo, state] : states())
      ++n[state];
    for (const auto& [state, count] : n)
      out[state] = std::to_string(count);
    return out;
  }
  size_t writes() {
    size_t n = 0;
    for (const auto& r : server.requests())
      n += r.method != "GET" ? 1 : 0;
    return n;
  }
};

TEST_F(RunnerBinaryTest, PauseHoldsAcrossRunsUntilResume) {
  makeFleet(3, 1, 3);
  useMigration("");
  ASSERT_TRUE(ensureCampaign(*store(), migration, "d1", fleet, false, clock->now()));

  Ran r = run("pause --campaign user-profile-v2 --reason 'change freeze'");
  ASSERT_EQ(r.status, 0) << r.out;
  r = run("status --campaign user-profile-v2");
  EXPECT_EQ(r.status, 4) << r.out;
  EXPECT_NE(r.out.find("user-profile-v2: paused (change freeze)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("acme/repo-0  wave 1  pending"), std::string::npos) << r.out;

  // A sweep of a paused campaign takes nothing up.
  SweepSummary s = sweep();
  EXPECT_EQ(s.campaignState, "paused");
  EXPECT_EQ(s.processed, 0u);
  EXPECT_EQ(writes(), 0u);

  r = run("resume --campaign user-profile-v2");
  ASSERT_EQ(r.status, 0) << r.out;
  r = run("status --campaign user-profile-v2");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("user-profile-v2: running"), std::string::npos) << r.out;
  EXPECT_EQ(sweep().campaignState, "done");

  r = run("status --campaign nope");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("no campaign nope"), std::string::npos) << r.out;
}

TEST_F(RunnerBinaryTest, RollbackClosesThePullRequestsAndIsIdempotent) {
  makeFleet(2, 1, 2);
  useMigration("");
  ASSERT_EQ(sweep().campaignState, "done");
  std::ofstream(tmp.path() / "m.yaml") << fleettest::migrationYaml("");
  const std::string args = "rollback --migration " + (tmp.path() / "m.yaml").string() +
                           " --api-url " + server.url() + " --cache-dir " +
                           (tmp.path() / "cache").string();
  Ran r = run(args + " --dry-run");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("would close acme/repo-0#1"), std::string::npos) << r.out;
  const size_t before = writes();
  r = run(args);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("2 rolled-back"), std::string::npos) << r.out;
  for (const char* repo : {"acme/repo-0", "acme/repo-1"})
    EXPECT_EQ(server.pulls(repo).front().state, "closed") << repo;
  EXPECT_GT(writes(), before);
  const size_t after = writes();
  r = run(args);
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(writes(), after);
  EXPECT_EQ(r.out.find(fleettest::kToken), std::string::npos);
}

TEST_F(RunnerBinaryTest, ReportWritesEachFormatToAFileOrSaysWhyNot) {
  makeFleet(2, 1, 1);
  useMigration("");
  ASSERT_EQ(sweep().campaignState, "done");
  Ran r = run("report --campaign user-profile-v2 --format md");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("| open | 1 |"), std::string::npos) << r.out;
  const auto html = tmp.path() / "out" / "report.html";
  std::filesystem::create_directories(html.parent_path());
  r = run("report --campaign user-profile-v2 --format html -o " + html.string());
  ASSERT_EQ(r.status, 0) << r.out;
  std::ifstream in(html);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("<svg id=\"burndown\""), std::string::npos);
  EXPECT_TRUE(text.ends_with("</html>\n"));
  // Nothing but the report is left in the folder: the temporary file was renamed over it.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(html.parent_path()),
                          std::filesystem::directory_iterator()),
            1);
  r = run("report --campaign user-profile-v2 --format json -o " +
          (tmp.path() / "missing" / "r.json").string());
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("r.json: error: cannot create a temporary file"), std::string::npos)
      << r.out;
  EXPECT_FALSE(std::filesystem::exists(tmp.path() / "missing"));
}

TEST_F(RunnerBinaryTest, ADryRunSweepWithoutACodeHostReadsTheFleetsCloneUrls) {
  makeFleet(4, 2, 2); // repo-0 and repo-1 refer to the table
  std::ofstream(tmp.path() / "m.yaml")
      << fleettest::migrationYaml("rollout:\n  waves: [50%, 100%]\n");
  {
    std::ofstream f(tmp.path() / "fleet.yaml");
    f << "apiVersion: godwit/v1\nkind: Fleet\nrepositories:\n";
    for (size_t i = 0; i < fleet.size(); ++i)
      f << "  - repo: " << fleet[i].fullName << "\n    owner: " << fleet[i].owner
        << "\n    cloneUrl: " << remotes[i]->url() << "\n";
  }
  const std::string args = " --migration " + (tmp.path() / "m.yaml").string() + " " +
                           (tmp.path() / "fleet.yaml").string();
  auto command = [&](const std::string& sub, const std::string& rest) {
    return "env -u GITHUB_TOKEN -u GODWIT_API_URL " + std::string(GODWIT_RUNNER_BINARY) + " " +
           sub + rest + " --store " + (tmp.path() / "state.db").string() + " --cache-dir " +
           (tmp.path() / "cache").string();
  };

  const auto metricsFile = tmp.path() / "godwit.prom";
  Ran r = fleettest::runCommand(
      command("sweep", " --dry-run --metrics-file " + metricsFile.string() + args));
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("no code host configured"), std::string::npos) << r.out;
  // The metrics: the states the dry run recorded; no pull request and no request counted.
  fleettest::MetricsText m = metricsAt(metricsFile);
  EXPECT_EQ(statesIn(m), (std::map<std::string, std::string>{{"no-changes", "2"}, {"open", "2"}}));
  EXPECT_EQ(m.sum("godwit_pull_requests_total"), 0);
  EXPECT_EQ(m.count("godwit_code_host_requests_total"), 0u);
  EXPECT_EQ(m.value("godwit_repository_duration_seconds_count", {}), 4);
  EXPECT_NE(r.out.find("acme/repo-0: open (would open a pull request)"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("acme/repo-1: open (would open a pull request)"), std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("acme/repo-2: open"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(dry run): done"), std::string::npos) << r.out;
  EXPECT_TRUE(server.requests().empty()); // nothing asked the code host
  for (const auto& remote : remotes)      // and nothing was pushed
    EXPECT_EQ(remote->tip("godwit/user-profile-v2"), "") << remote->url();

  r = fleettest::runCommand(command("report", " --campaign user-profile-v2 --format json"));
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("\"acme/repo-3\""), std::string::npos) << r.out;

  // For real, it needs the code host, and says so.
  r = fleettest::runCommand(command("sweep", args));
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("no GitHub credentials"), std::string::npos) << r.out;

  // An entry the dry run cannot read without a code host is named.
  std::ofstream(tmp.path() / "fleet.yaml", std::ios::app) << "  - repo: acme/no-url\n";
  r = fleettest::runCommand(command("sweep", " --dry-run" + args));
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("no code host to look up acme/no-url"), std::string::npos) << r.out;
}

TEST_F(RunnerBinaryTest, SweepAndRollbackWriteTheirMetricsFile) {
  makeFleet(4, 2, 2); // repo-0 and repo-1 refer to the table
  useMigration("");
  std::ofstream(tmp.path() / "m.yaml") << fleettest::migrationYaml("");
  writeFleetFile();
  const auto folder = tmp.path() / "textfiles";
  std::filesystem::create_directories(folder);
  const auto metricsFile = folder / "godwit.prom";
  const std::string common = " --migration " + (tmp.path() / "m.yaml").string() + " --api-url " +
                             server.url() + " --cache-dir " + (tmp.path() / "cache").string() +
                             " --metrics-file " + metricsFile.string();

  Ran r = run("sweep" + common + " " + (tmp.path() / "fleet.yaml").string() + " --jobs 2");
  ASSERT_EQ(r.status, 0) << r.out;
  fleettest::MetricsText m = metricsAt(metricsFile);
  // Repositories by state: as the store has them after the run.
  EXPECT_EQ(statesIn(m), storeStates());
  EXPECT_EQ(statesIn(m), (std::map<std::string, std::string>{{"no-changes", "2"}, {"open", "2"}}));
  EXPECT_EQ(m.value("godwit_repositories", {{"campaign", "user-profile-v2"}, {"state", "failed"}}),
            0);
  // Pull requests: as the contract server saw them created.
  EXPECT_EQ(createdPulls().size(), 2u);
  EXPECT_EQ(m.value("godwit_pull_requests_total", {{"action", "opened"}}), 2);
  EXPECT_EQ(m.value("godwit_pull_requests_total", {{"action", "closed"}}), 0);
  // Every request the server received was counted, by the status it answered.
  const size_t requests = server.requests().size();
  EXPECT_EQ(m.sum("godwit_code_host_requests_total"), static_cast<double>(requests));
  // Each created pull request answered 201; everything else here succeeded with 200.
  EXPECT_GE(m.value("godwit_code_host_requests_total", {{"status", "201"}}), 2);
  EXPECT_EQ(m.value("godwit_code_host_requests_total", {{"status", "200"}}) +
                m.value("godwit_code_host_requests_total", {{"status", "201"}}),
            static_cast<double>(requests));
  EXPECT_EQ(m.sum("godwit_rate_limit_waits_total"), 0);
  EXPECT_EQ(m.value("godwit_repository_duration_seconds_count", {}), 4);
  // Only the file itself is left in the folder the collector reads.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(folder),
                          std::filesystem::directory_iterator()),
            1);

  server.clearRequests();
  r = run("rollback" + common);
  ASSERT_EQ(r.status, 0) << r.out;
  m = metricsAt(metricsFile);
  EXPECT_EQ(statesIn(m), storeStates());
  EXPECT_EQ(statesIn(m),
            (std::map<std::string, std::string>{{"no-changes", "2"}, {"rolled-back", "2"}}));
  EXPECT_EQ(m.value("godwit_pull_requests_total", {{"action", "closed"}}), 2);
  EXPECT_EQ(m.value("godwit_pull_requests_total", {{"action", "opened"}}), 0);
  EXPECT_EQ(m.sum("godwit_code_host_requests_total"),
            static_cast<double>(server.requests().size()));
  EXPECT_EQ(m.value("godwit_repository_duration_seconds_count", {}), 4);
}

TEST_F(RunnerBinaryTest, AMetricsFileThatCannotBeWrittenStopsTheCommandBeforeAnyWork) {
  makeFleet(2, 1, 2);
  std::ofstream(tmp.path() / "m.yaml") << fleettest::migrationYaml("");
  std::ofstream(tmp.path() / "fleet.yaml")
      << "apiVersion: godwit/v1\nkind: Fleet\nrepositories:\n  - repo: acme/repo-0\n";
  const std::string unwritable = (tmp.path() / "missing" / "godwit.prom").string();
  const std::string common = " --migration " + (tmp.path() / "m.yaml").string() + " --api-url " +
                             server.url() + " --cache-dir " + (tmp.path() / "cache").string() +
                             " --metrics-file ";
  const std::string fleetFile = " " + (tmp.path() / "fleet.yaml").string();
  for (const std::string& command :
       {"sweep" + common + unwritable + fleetFile, "sweep --dry-run" + common + unwritable + fleetFile,
        "discover" + common + unwritable + fleetFile, "rollback" + common + unwritable}) {
    Ran r = run(command);
    EXPECT_EQ(r.status, 2) << command << "\n" << r.out;
    EXPECT_NE(r.out.find("godwit.prom: error: cannot write the metrics file beside it"),
              std::string::npos)
        << r.out;
  }
  Ran r = run("sweep" + common + tmp.path().string() + fleetFile);
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_NE(r.out.find("error: the metrics file is a folder"), std::string::npos) << r.out;
  // Nothing was asked, cloned or recorded.
  EXPECT_TRUE(server.requests().empty());
  EXPECT_FALSE(std::filesystem::exists(tmp.path() / "cache"));
  EXPECT_FALSE(std::filesystem::exists(tmp.path() / "state.db"));
  EXPECT_FALSE(std::filesystem::exists(tmp.path() / "missing"));
}

} // namespace
} // namespace godwit
