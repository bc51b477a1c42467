// The App end to end, one test per event: a campaign swept over a local bare repository (the
// real sweep, the real GitHub client against the REST contract server on loopback, a SQLite
// store), then signed deliveries built from npm @octokit/webhooks-examples sent to the real App
// (server, durable queue, workers) and what they did read back from the remote, the contract
// server and the store.

#include "bot/app/AppRuntime.h"

#include "bot/app/MigrationRegistry.h"
#include "bot/app/WebhookSignature.h"
#include "bot/fleet/Campaign.h"
#include "bot/fleet/Rollback.h"
#include "bot/fleet/Sweep.h"
#include "bot/github/GitHubClient.h"
#include "bot/store/SqliteStore.h"
#include "tests/bot/GitFixture.h"
#include "tests/bot/app/RawHttp.h"
#include "tests/bot/webhook/Examples.h"
#include "tests/support/GitHubContractServer.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <thread>

namespace godwit {
namespace {

using bottest::BareRemote;
using bottest::TempDir;
using json = nlohmann::json;
using webhooktest::example;

const std::string kToken = "ghp_contract_test_token";
const std::string kSecret = "app-events-secret-5f2b9c";
const std::string kRepo = "acme/pipelines";
const std::string kBranch = "godwit/user-profile-v2";
const std::string kOld = "acme-prod.core_users.user_profile_v1";
const std::string kNew = "acme-prod.core_users.user_profile_v2";
constexpr int64_t kInstallation = 42;

const char* kMigrationYaml = R"(apiVersion: godwit/v1
kind: Migration
name: user-profile-v2
description: Move consumers to user_profile_v2
datasets:
  - kind: bigquery-table
    from: acme-prod.core_users.user_profile_v1
    to:   acme-prod.core_users.user_profile_v2
)";

std::string job(const std::string& table) {
  return "object Job {\n  val table = \"" + table + "\"\n}\n";
}

class AppEventsTest : public ::testing::Test {
protected:
  TempDir tmp;
  BareRemote remote{tmp.path() / "remotes" / "acme" / "pipelines.git"};
  test::GitHubContractServer server{kToken};
  int64_t repoId = 0;
  Migration migration;
  std::string digest = migrationDigest(kMigrationYaml);
  std::shared_ptr<CodeHost> client;
  std::unique_ptr<AppRuntime> app;
  std::unique_ptr<MigrationRegistry> registry; ///< When set, the App's migrations come from it.
  std::vector<std::string> logs;
  std::mutex logMutex;
  int deliveries = 0;

  void SetUp() override {
    remote.commit("main", {{"src/Job.scala", job(kOld)}, {"README.md", "# pipelines\n"}});
    repoId = server.addRepository({kRepo, "main", remote.url()});
    CodeHostConfig config;
    config.apiUrl = server.url();
    config.token = kToken;
    auto created = GitHubClient::create(config);
    ASSERT_TRUE(created) << created.error().str();
    client = std::move(*created);
    auto parsed = parseMigration(kMigrationYaml, "user-profile-v2.yaml");
    ASSERT_TRUE(parsed) << parsed.error().str();
    migration = *parsed;
    sweep();
    ASSERT_EQ(server.pulls(kRepo).size(), 1u) << "the campaign's sweep opened the pull request";
    startApp();
  }

  void TearDown() override {
    if (app)
      app->stop();
    std::vector<std::string> violations = server.violations();
    EXPECT_TRUE(violations.empty()) << violations.front();
  }

  std::function<Expected<std::unique_ptr<Store>>()> opener() {
    return [path = tmp.path() / "godwit.db"]() -> Expected<std::unique_ptr<Store>> {
      auto s = SqliteStore::open(path);
      if (!s)
        return s.error();
      return std::unique_ptr<Store>(std::move(*s));
    };
  }

  void sweep() {
    FleetRepo repo;
    repo.fullName = kRepo;
    repo.owner = "team-data";
    SweepSettings settings;
    settings.lifecycle.cacheDir = tmp.path() / "cache";
    settings.lifecycle.run.jobs = 1;
    settings.migrationDigest = digest;
    settings.openStore = opener();
    auto swept = sweepCampaign(migration, {repo}, *client, settings);
    ASSERT_TRUE(swept) << swept.error().str();
  }

  void startApp() {
    AppRuntimeOptions o;
    o.openStore = opener();
    o.server.http.port = 0;
    o.server.webhookSecrets = {kSecret};
    o.workers.workers = 1;
    o.workers.instance = "app-events-test";
    o.workers.poll = std::chrono::milliseconds(50);
    o.workers.handler.botLogin = "godwit[bot]";
    o.workers.log = [this](const std::string& line) {
      std::lock_guard lock(logMutex);
      logs.push_back(line);
    };
    o.work.migrations = [this] {
      if (!registry)
        return std::vector<ActiveMigration>{{migration, digest}};
      std::vector<ActiveMigration> active;
      for (const auto& [name, entry] : registry->snapshot()->migrations)
        active.push_back({entry.migration, entry.digest});
      return active;
    };
    if (registry) {
      o.workers.handler.registryRepository = "acme/registry";
      o.work.reloadRegistry = [this](CodeHost& host, const RepositoryRecord&,
                                     const std::string& sha) -> Expected<void> {
        auto loaded = loadRegistryRepository(*registry, {"acme/registry", "migrations"}, host,
                                             tmp.path() / "cache", sha);
        if (!loaded)
          return loaded.error();
        return {};
      };
    }
    o.work.host = [this](int64_t installation) -> Expected<std::shared_ptr<CodeHost>> {
      EXPECT_EQ(installation, kInstallation);
      return client;
    };
    o.work.lifecycle.cacheDir = tmp.path() / "cache";
    o.work.lifecycle.run.jobs = 1;
    app = std::make_unique<AppRuntime>(std::move(o));
    auto started = app->start();
    ASSERT_TRUE(started) << started.error().str();
  }

  // `payload` about the test's repository, from the test's installation.
  json aboutRepo(json payload) {
    payload["repository"]["id"] = repoId;
    payload["repository"]["name"] = "pipelines";
    payload["repository"]["full_name"] = kRepo;
    payload["repository"]["default_branch"] = "main";
    payload["repository"]["html_url"] = "https://github.com/" + kRepo;
    payload["repository"]["archived"] = false;
    payload["installation"] = {{"id", kInstallation}};
    return payload;
  }

  // Sends a signed delivery and waits until the App finished it; returns its record.
  DeliveryRecord deliver(const std::string& event, const json& payload) {
    const std::string id = "app-events-" + std::to_string(++deliveries);
    const std::string body = payload.dump();
    std::string headers = "Content-Type: application/json\r\nX-GitHub-Event: " + event +
                          "\r\nX-GitHub-Delivery: " + id +
                          "\r\nX-Hub-Signature-256: " + signWebhookBody(kSecret, body) + "\r\n";
    auto response =
        apptest::roundTrip(app->port(), apptest::request("POST", "/webhook", body, headers));
    EXPECT_TRUE(response && response->status == 202) << (response ? response->body : "no reply");
    // A guard against a hang, not a timing assertion.
    for (int i = 0; i < 600; ++i) {
      auto d = app->withStore([&](Store& s) { return s.delivery(id); });
      if (d && *d && ((*d)->state == "done" || (*d)->state == "ignored" ||
                      (*d)->state == "failed" || ((*d)->state == "queued" && (*d)->attempts > 0)))
        return **d;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ADD_FAILURE() << "delivery " << id << " was not processed";
    return {};
  }

  int64_t prNumber() { return server.pulls(kRepo).front().number; }

  json pushToMain() {
    json payload = aboutRepo(webhooktest::pushToDefaultBranch());
    payload["ref"] = "refs/heads/main";
    payload["after"] = remote.tip("main");
    payload["deleted"] = false;
    return payload;
  }

  json comment(const std::string& body, const std::string& association = "OWNER") {
    json payload = aboutRepo(example("issue_comment", "created"));
    payload["issue"]["number"] = prNumber();
    payload["issue"]["pull_request"] = {
        {"url", server.url() + "/repos/" + kRepo + "/pulls/" + std::to_string(prNumber())}};
    payload["comment"]["body"] = body;
    payload["comment"]["author_association"] = association;
    payload["comment"]["user"]["login"] = "ada";
    return payload;
  }

  json pullRequestEvent(const std::string& action) {
    json payload = aboutRepo(example("pull_request", action));
    payload["action"] = action;
    payload["number"] = prNumber();
    payload["pull_request"]["number"] = prNumber();
    payload["pull_request"]["head"]["ref"] = kBranch;
    payload["pull_request"]["head"]["sha"] = remote.tip(kBranch);
    payload["sender"]["login"] = "ada";
    return payload;
  }

  CampaignRepoRecord row() {
    auto rows = app->withStore([&](Store& s) { return s.campaignRepos(migration.name); });
    EXPECT_TRUE(rows && rows->size() == 1u);
    return rows && !rows->empty() ? rows->front() : CampaignRepoRecord{};
  }

  std::vector<test::ServerComment> replies(Command command) {
    std::vector<test::ServerComment> out;
    for (const test::ServerComment& c : server.comments(kRepo, prNumber()))
      if (c.body.find(commandReplyMarker(command)) != std::string::npos)
        out.push_back(c);
    return out;
  }
};

TEST_F(AppEventsTest, APushThatLeavesTheChangeApplyingDoesNotRebase) {
  const std::string head = remote.tip(kBranch);
  remote.commit("main",
                {{"src/Job.scala", job(kOld)}, {"README.md", "# pipelines\n"}, {"NEW.md", "x\n"}});
  DeliveryRecord d = deliver("push", pushToMain());
  EXPECT_EQ(d.state, "done") << d.lastError;
  EXPECT_EQ(remote.tip(kBranch), head) << "no rebase, so CI does not run again";
  EXPECT_EQ(row().state, "open");
  EXPECT_EQ(row().analyzedBase, remote.tip("main"));
}

TEST_F(AppEventsTest, APushThatTouchesTheChangedFileRegeneratesTheCommit) {
  const std::string head = remote.tip(kBranch);
  remote.commit("main", {{"src/Job.scala", "// moved\n" + job(kOld)}, {"README.md", "x\n"}});
  DeliveryRecord d = deliver("push", pushToMain());
  EXPECT_EQ(d.state, "done") << d.lastError;
  EXPECT_NE(remote.tip(kBranch), head);
  EXPECT_EQ(remote.file(remote.tip(kBranch), "src/Job.scala"), "// moved\n" + job(kNew));
  EXPECT_EQ(remote.info(remote.tip(kBranch)).parents,
            std::vector<std::string>{remote.tip("main")});
}

TEST_F(AppEventsTest, APushThatMigratedTheCodeByHandClosesThePullRequest) {
  remote.commit("main", {{"src/Job.scala", job(kNew)}, {"README.md", "# pipelines\n"}});
  DeliveryRecord d = deliver("push", pushToMain());
  EXPECT_EQ(d.state, "done") << d.lastError;
  EXPECT_EQ(server.pulls(kRepo).front().state, "closed");
  EXPECT_EQ(row().state, "closed");
}

TEST_F(AppEventsTest, AfterARollbackPushesAndCommandsRunNothing) {
  RollbackSettings settings;
  settings.cacheDir = tmp.path() / "cache";
  auto rolled = app->withStore(
      [&](Store& s) { return rollbackCampaign(migration, *client, s, settings); });
  ASSERT_TRUE(rolled) << rolled.error().str();
  ASSERT_EQ(row().state, "rolled-back");
  const size_t pulls = server.pulls(kRepo).size();
  remote.commit("main", {{"src/Job.scala", "// moved\n" + job(kOld)}, {"README.md", "x\n"}});
  EXPECT_EQ(deliver("push", pushToMain()).state, "done");
  EXPECT_EQ(row().state, "rolled-back") << "the push left the rolled-back row alone";
  EXPECT_EQ(server.pulls(kRepo).size(), pulls);
  EXPECT_EQ(deliver("issue_comment", comment("/godwit retry")).state, "done");
  ASSERT_EQ(replies(Command::Retry).size(), 1u);
  EXPECT_NE(replies(Command::Retry).front().body.find("rolled back"), std::string::npos);
  EXPECT_EQ(row().state, "rolled-back");
}

TEST_F(AppEventsTest, RebaseRegeneratesOverAHumanCommitAndReplies) {
  remote.commit(kBranch, {{"src/Job.scala", job(kNew) + "// tweak\n"}}, "tweak\n", "Ada",
                "ada@example.com");
  EXPECT_EQ(deliver("pull_request", pullRequestEvent("synchronize")).state, "done");
  auto pr = app->withStore([&](Store& s) { return s.pullRequest(migration.name, repoId); });
  ASSERT_TRUE(pr && *pr);
  EXPECT_TRUE((*pr)->humanEdited);

  DeliveryRecord d = deliver("issue_comment", comment("/godwit rebase"));
  EXPECT_EQ(d.state, "done") << d.lastError;
  EXPECT_EQ(remote.file(remote.tip(kBranch), "src/Job.scala"), job(kNew));
  ASSERT_EQ(replies(Command::Rebase).size(), 1u);
  EXPECT_NE(replies(Command::Rebase).front().body.find("updated"), std::string::npos);
}

TEST_F(AppEventsTest, ExplainListsTheRewritesAndTheAttentionItems) {
  remote.commit("main", {{"src/Job.scala", job(kOld)},
                         {"src/Env.scala", "object Env {\n  def t(ds: String) = "
                                           "s\"acme-prod.$ds.user_profile_v1\"\n}\n"}});
  DeliveryRecord d = deliver("issue_comment", comment("/godwit explain"));
  EXPECT_EQ(d.state, "done") << d.lastError;
  auto r = replies(Command::Explain);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_NE(r.front().body.find("rewrites 1 reference in 1 file"), std::string::npos)
      << r.front().body;
  EXPECT_NE(r.front().body.find("src/Env.scala:2:"), std::string::npos) << r.front().body;
  EXPECT_EQ(server.pulls(kRepo).front().headSha, remote.tip(kBranch)) << "explain pushes nothing";
}

TEST_F(AppEventsTest, SkipClosesThePullRequestForGood) {
  DeliveryRecord d = deliver("issue_comment", comment("/godwit skip"));
  EXPECT_EQ(d.state, "done") << d.lastError;
  EXPECT_EQ(server.pulls(kRepo).front().state, "closed");
  EXPECT_EQ(row().state, "opted-out");
  EXPECT_EQ(replies(Command::Skip).size(), 1u);
  // A later sweep leaves it alone.
  sweep();
  EXPECT_EQ(server.pulls(kRepo).size(), 1u);
  EXPECT_EQ(server.pulls(kRepo).front().state, "closed");
}

TEST_F(AppEventsTest, OtherCommandsGetOneHelpReplyAndOutsidersNone) {
  EXPECT_EQ(deliver("issue_comment", comment("/godwit please")).state, "done");
  EXPECT_EQ(deliver("issue_comment", comment("/godwit rebase now")).state, "done");
  EXPECT_EQ(replies(Command::Help).size(), 1u);
  DeliveryRecord outsider = deliver("issue_comment", comment("/godwit skip", "CONTRIBUTOR"));
  EXPECT_EQ(outsider.state, "ignored");
  EXPECT_EQ(server.pulls(kRepo).front().state, "open");
  EXPECT_TRUE(replies(Command::Skip).empty());
}

TEST_F(AppEventsTest, AMergeMarksTheCampaignRowMerged) {
  server.mergePull(kRepo, prNumber());
  json payload = pullRequestEvent("closed");
  payload["pull_request"]["merged"] = true;
  EXPECT_EQ(deliver("pull_request", payload).state, "done");
  EXPECT_EQ(row().state, "merged");
}

TEST_F(AppEventsTest, AFinishedCheckSuiteGivesTheGateItsCiState) {
  const std::string head = remote.tip(kBranch);
  server.addStatus(kRepo, head, "ci/build", "success");
  json payload = aboutRepo(example("check_suite", "completed"));
  payload["check_suite"]["head_sha"] = head;
  payload["check_suite"]["conclusion"] = "success";
  payload["check_suite"]["pull_requests"] = json::array({{{"number", prNumber()}}});
  EXPECT_EQ(deliver("check_suite", payload).state, "done");
  EXPECT_EQ(row().ci, "success");
}

TEST_F(AppEventsTest, AFinishedCheckRunAndAStatusGiveTheGateItsCiState) {
  const std::string head = remote.tip(kBranch);
  server.addStatus(kRepo, head, "ci/build", "pending");
  json run = aboutRepo(example("check_run", "completed"));
  run["check_run"]["head_sha"] = head;
  run["check_run"]["pull_requests"] = json::array({{{"number", prNumber()}}});
  EXPECT_EQ(deliver("check_run", run).state, "done");
  EXPECT_EQ(row().ci, "pending");

  server.addStatus(kRepo, head, "ci/build", "failure");
  json status = aboutRepo(webhooktest::examplesOf("status").at(0));
  status["sha"] = head;
  status["state"] = "failure";
  EXPECT_EQ(deliver("status", status).state, "done");
  EXPECT_EQ(row().ci, "failure");
}

TEST_F(AppEventsTest, ANewInstallationsRepositoriesJoinTheCampaign) {
  json created = example("installation", "created");
  created["installation"]["id"] = kInstallation;
  created["repositories"] = json::array(
      {{{"id", 9002}, {"name", "new-one"}, {"full_name", "acme/new-one"}, {"private", false}}});
  EXPECT_EQ(deliver("installation", created).state, "done");
  auto rows = app->withStore([&](Store& s) { return s.campaignRepos(migration.name); });
  ASSERT_TRUE(rows);
  EXPECT_TRUE(std::any_of(rows->begin(), rows->end(), [](const CampaignRepoRecord& r) {
    return r.fullName == "acme/new-one" && r.state == "pending";
  }));
}

TEST_F(AppEventsTest, AReopenedPullRequestIsOpenAgainAndArchivingIsRecorded) {
  json closed = pullRequestEvent("closed");
  closed["pull_request"]["merged"] = false;
  EXPECT_EQ(deliver("pull_request", closed).state, "done");
  EXPECT_EQ(row().state, "closed");
  EXPECT_EQ(deliver("pull_request", pullRequestEvent("reopened")).state, "done");
  auto pr = app->withStore([&](Store& s) { return s.pullRequest(migration.name, repoId); });
  ASSERT_TRUE(pr && *pr);
  EXPECT_EQ((*pr)->external, ExternalState::Open);
  EXPECT_EQ(row().state, "open");

  // The examples have no `archived` action: the `edited` one, as GitHub sends an archive.
  json archived = aboutRepo(example("repository", "edited"));
  archived["action"] = "archived";
  archived["repository"]["archived"] = true;
  EXPECT_EQ(deliver("repository", archived).state, "done");
  auto repo = app->withStore([&](Store& s) { return s.repository(repoId); });
  ASSERT_TRUE(repo && *repo);
  EXPECT_TRUE((*repo)->archived);
}

TEST_F(AppEventsTest, InstalledRepositoriesJoinTheCampaignAndRemovedOnesLeaveIt) {
  json added = example("installation_repositories", "added");
  added["installation"] = {{"id", kInstallation}};
  added["repositories_added"] = json::array(
      {{{"id", 9001}, {"name", "fresh"}, {"full_name", "acme/fresh"}, {"private", false}}});
  EXPECT_EQ(deliver("installation_repositories", added).state, "done");
  auto rows = app->withStore([&](Store& s) { return s.campaignRepos(migration.name); });
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 2u);
  auto fresh = std::find_if(rows->begin(), rows->end(),
                            [](const CampaignRepoRecord& r) { return r.fullName == "acme/fresh"; });
  ASSERT_NE(fresh, rows->end());
  EXPECT_EQ(fresh->state, "pending") << "the campaign's next sweep scans it";

  json removed = example("installation_repositories", "removed");
  removed["installation"] = {{"id", kInstallation}};
  removed["repositories_removed"] = json::array(
      {{{"id", repoId}, {"name", "pipelines"}, {"full_name", kRepo}, {"private", false}}});
  EXPECT_EQ(deliver("installation_repositories", removed).state, "done");
  auto after = app->withStore([&](Store& s) { return s.campaignRepos(migration.name); });
  ASSERT_TRUE(after);
  for (const CampaignRepoRecord& r : *after)
    if (r.fullName == kRepo) {
      EXPECT_EQ(r.state, "skipped");
      EXPECT_NE(r.note.find("out of scope"), std::string::npos);
    }
}

TEST_F(AppEventsTest, ARenameIsRecordedByRepositoryId) {
  json payload = aboutRepo(example("repository", "renamed"));
  payload["repository"]["full_name"] = "acme/pipelines-v2";
  EXPECT_EQ(deliver("repository", payload).state, "done");
  auto repo = app->withStore([&](Store& s) { return s.repository(repoId); });
  ASSERT_TRUE(repo && *repo);
  EXPECT_EQ((*repo)->fullName, "acme/pipelines-v2");
}

TEST_F(AppEventsTest, APushToTheRegistryRepositoryActivatesItsMigrations) {
  BareRemote registryRemote{tmp.path() / "remotes" / "acme" / "registry.git"};
  registryRemote.commit("main", {{"README.md", "# migrations\n"}});
  const int64_t registryId = server.addRepository({"acme/registry", "main", registryRemote.url()});
  app.reset();
  registry = std::make_unique<MigrationRegistry>("");
  startApp();
  remote.commit("main", {{"src/Job.scala", "// moved\n" + job(kOld)}, {"README.md", "x\n"}});
  const std::string head = remote.tip(kBranch);
  EXPECT_EQ(deliver("push", pushToMain()).state, "done");
  EXPECT_EQ(remote.tip(kBranch), head) << "no active migration yet: nothing runs";

  // A data team merges the migration file into the registry.
  const std::string merged = registryRemote.commit(
      "main", {{"README.md", "# migrations\n"}, {"migrations/user-profile-v2.yaml", kMigrationYaml}});
  json push = webhooktest::pushToDefaultBranch();
  push["ref"] = "refs/heads/main";
  push["after"] = merged;
  push["deleted"] = false;
  push["repository"]["id"] = registryId;
  push["repository"]["name"] = "registry";
  push["repository"]["full_name"] = "acme/registry";
  push["repository"]["default_branch"] = "main";
  push["installation"] = {{"id", kInstallation}};
  DeliveryRecord reload = deliver("push", push);
  EXPECT_EQ(reload.state, "done") << reload.lastError;
  ASSERT_NE(registry->snapshot()->find("user-profile-v2"), nullptr);

  EXPECT_EQ(deliver("push", pushToMain()).state, "done");
  EXPECT_NE(remote.tip(kBranch), head) << "the migration is active: the push regenerated it";
  app->stop();
}

TEST_F(AppEventsTest, ARestartedAppTakesUpWhatItLeftRunning) {
  app->stop();
  // What a kill -9 leaves: a delivery claimed by this instance's worker, never finished.
  const std::string body = pushToMain().dump();
  auto claimed = app->withStore([&](Store& s) -> Expected<std::optional<DeliveryRecord>> {
    DeliveryRecord d;
    d.deliveryId = "left-running";
    d.event = "push";
    d.repositoryId = repoId;
    d.installationId = kInstallation;
    d.payload = body;
    if (auto q = s.enqueueDelivery(d); !q)
      return q.error();
    return s.claimDelivery("app-events-test/0", "2999-01-01T00:00:00.000Z",
                           "2999-01-01T01:00:00.000Z");
  });
  ASSERT_TRUE(claimed && *claimed);
  app.reset();
  startApp();
  EXPECT_EQ(app->requeued(), 1);
  for (int i = 0; i < 600; ++i) {
    auto d = app->withStore([&](Store& s) { return s.delivery("left-running"); });
    if (d && *d && (*d)->state == "done")
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  auto d = app->withStore([&](Store& s) { return s.delivery("left-running"); });
  ASSERT_TRUE(d && *d);
  EXPECT_EQ((*d)->state, "done") << (*d)->lastError;
  EXPECT_EQ((*d)->attempts, 2);
}

} // namespace
} // namespace godwit
