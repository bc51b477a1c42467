// The real godwit-app binary: started on a free loopback port with a SQLite store, sent signed
// and forged deliveries, asked for the status page of a campaign in its store, run as a GitHub
// App whose campaigns and events act through one client, its registry repository reloaded on
// SIGHUP, stopped with SIGTERM; the store read afterwards.
#include "bot/app/WebhookSignature.h"
#include "bot/store/SqliteStore.h"
#include "tests/bot/GitFixture.h"
#include "tests/bot/app/RawHttp.h"
#include "tests/bot/webhook/Examples.h"
#include "tests/support/GitHubContractServer.h"
#include "tests/support/TestKeys.h"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

extern char** environ;

namespace godwit {
namespace {

namespace fs = std::filesystem;
using apptest::RawResponse;
using apptest::request;
using apptest::roundTrip;

const std::string kSecret = "binary-test-secret-7f3a9c";
const std::string kPrevious = "binary-test-previous-55e1";

std::string readAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

class AppBinaryTest : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("godwit-app-binary-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    secretFile_ = write("secret", kSecret + "\n");
    previousFile_ = write("previous", kPrevious + "\n");
  }
  void TearDown() override {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    fs::remove_all(dir_);
  }

  std::string write(const std::string& name, const std::string& content) {
    std::ofstream(dir_ / name, std::ios::binary) << content;
    return (dir_ / name).string();
  }

  /// Starts the binary with `args` and the environment `env` (besides PATH and HOME); stderr
  /// goes to a file.
  void spawn(std::vector<std::string> args, std::vector<std::string> env = {}) {
    args.insert(args.begin(), GODWIT_APP_BINARY);
    std::vector<char*> argv;
    for (auto& arg : args)
      argv.push_back(arg.data());
    argv.push_back(nullptr);
    env.push_back("HOME=" + dir_.string());
    env.push_back("PATH=/usr/bin:/bin");
    std::vector<char*> envp;
    for (auto& entry : env)
      envp.push_back(entry.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, (dir_ / "stderr").c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ASSERT_EQ(posix_spawn(&pid_, GODWIT_APP_BINARY, &actions, nullptr, argv.data(), envp.data()),
              0);
    posix_spawn_file_actions_destroy(&actions);
  }

  /// The port from the `listening on` line; 0 when the process exited or 10 s passed first.
  uint16_t port() {
    const std::string marker = "listening on 127.0.0.1:";
    for (int i = 0; i < 1000; ++i) {
      const std::string err = readAll(dir_ / "stderr");
      if (const size_t at = err.find(marker); at != std::string::npos && err.back() == '\n')
        return static_cast<uint16_t>(std::stoi(err.substr(at + marker.size())));
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = 0;
        return 0;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return 0;
  }

  /// Waits for the process to end; its exit code, or -1 when a signal ended it.
  int exitCode() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = 0;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  std::string stderrText() { return readAll(dir_ / "stderr"); }

  /// A migration folder with `orders-v3`, which moves the table that the remotes of the fleet
  /// tests name (`acme-prod.sales.orders_v2`); returns its path.
  std::string ordersMigrationFolder() {
    fs::create_directories(dir_ / "migrations");
    write("migrations/orders.yaml",
          "apiVersion: godwit/v1\nkind: Migration\nname: orders-v3\ndatasets:\n"
          "  - kind: bigquery-table\n    from: acme-prod.sales.orders_v2\n"
          "    to: acme-prod.sales.orders_v3\n");
    return (dir_ / "migrations").string();
  }

  /// Polls `done` every 20 ms until it holds or `seconds` passed: a guard against a hang, not a
  /// timing assertion.
  static void waitUntil(const std::function<bool()>& done, int seconds = 30) {
    for (int i = 0; i < seconds * 50 && !done(); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }

  /// The log once it contains `text`, or as it is after 20 s.
  std::string logWith(const std::string& text) {
    std::string log;
    waitUntil([&] { return (log = stderrText()).find(text) != std::string::npos; }, 20);
    return log;
  }

  RawResponse post(uint16_t port, const std::string& body, const std::string& signature,
                   const std::string& id = "0b9a2f00-0000-11ee-8000-000000000001",
                   const std::string& event = "push") {
    std::string headers = "X-GitHub-Event: " + event + "\r\nX-GitHub-Delivery: " + id + "\r\n";
    if (!signature.empty())
      headers += "X-Hub-Signature-256: " + signature + "\r\n";
    auto response = roundTrip(port, request("POST", "/webhook", body, headers));
    EXPECT_TRUE(response);
    return response.value_or(RawResponse{});
  }

  fs::path dir_;
  std::string secretFile_;
  std::string previousFile_;
  pid_t pid_ = 0;
};

TEST_F(AppBinaryTest, ServesTheEndpointsAndRejectsForgedDeliveries) {
  // No workers: the deliveries stay queued, for the metrics and the store to show.
  spawn({"--listen", "127.0.0.1:0", "--store", (dir_ / "app.db").string(), "--webhook-secret-file",
         secretFile_, "--webhook-secret-file-previous", previousFile_, "--timeout", "0.5",
         "--workers", "0"});
  const uint16_t port = this->port();
  ASSERT_NE(port, 0) << stderrText();

  std::vector<RawResponse> responses;
  const auto get = [&](const std::string& path) {
    auto response = roundTrip(port, request("GET", path));
    EXPECT_TRUE(response) << path;
    responses.push_back(response.value_or(RawResponse{}));
    return responses.back().status;
  };
  EXPECT_EQ(get("/healthz"), 200);
  EXPECT_EQ(get("/readyz"), 200);

  const std::string body =
      R"({"ref":"refs/heads/main","before":"6113728f27ae82c7b1a177c8d03f9e96e0adf246",)"
      R"("after":"0000000000000000000000000000000000000000","pusher":{"name":"octocat"},)"
      R"("repository":{"id":1296269,"full_name":"octocat/Hello-World"}})";
  std::string tampered = body;
  tampered[8] = 'X';
  responses.push_back(post(port, body, ""));
  responses.push_back(post(port, body, signWebhookBody("another secret", body)));
  responses.push_back(post(port, tampered, signWebhookBody(kSecret, body)));
  for (size_t i = responses.size() - 3; i < responses.size(); ++i)
    EXPECT_EQ(responses[i].status, 401) << i;

  // Queued in the store with either secret; a redelivery is acknowledged and not queued again.
  responses.push_back(post(port, body, signWebhookBody(kSecret, body), "delivery-1"));
  EXPECT_EQ(responses.back().status, 202) << responses.back().body;
  responses.push_back(post(port, body, signWebhookBody(kPrevious, body), "delivery-2"));
  EXPECT_EQ(responses.back().status, 202) << responses.back().body;
  responses.push_back(post(port, body, signWebhookBody(kSecret, body), "delivery-1"));
  EXPECT_EQ(responses.back().status, 200) << responses.back().body;

  EXPECT_EQ(get("/metrics"), 200);
  EXPECT_NE(responses.back().body.find(
                "godwit_app_deliveries_total{event=\"unverified\",outcome=\"rejected\"} 3"),
            std::string::npos)
      << responses.back().body;
  EXPECT_NE(
      responses.back().body.find("godwit_app_queue_deliveries{event=\"push\",state=\"queued\"} 2"),
      std::string::npos)
      << responses.back().body;

  ASSERT_EQ(::kill(pid_, SIGTERM), 0);
  EXPECT_EQ(exitCode(), 0);
  const std::string log = stderrText();
  EXPECT_NE(log.find("godwit-app: stopping on SIGTERM"), std::string::npos) << log;
  EXPECT_NE(log.find("rejected: the X-Hub-Signature-256 signature does not match"),
            std::string::npos)
      << log;
  auto store = SqliteStore::open(dir_ / "app.db");
  ASSERT_TRUE(store) << store.error().str();
  auto queued = (*store)->delivery("delivery-1");
  ASSERT_TRUE(queued && *queued);
  EXPECT_EQ((*queued)->payload, body);
  EXPECT_EQ((*queued)->repositoryId, 1296269);
  auto counts = (*store)->deliveryCounts();
  ASSERT_TRUE(counts);
  ASSERT_EQ(counts->size(), 1u);
  EXPECT_EQ(counts->front().count, 2);

  for (const std::string& secret : {kSecret, kPrevious}) {
    EXPECT_EQ(log.find(secret), std::string::npos) << log;
    for (const RawResponse& response : responses) {
      EXPECT_EQ(response.body.find(secret), std::string::npos) << response.body;
      for (const auto& [name, value] : response.headers)
        EXPECT_EQ(value.find(secret), std::string::npos) << name;
    }
  }
}

TEST_F(AppBinaryTest, DeliveriesAcknowledgedBeforeAKillAreEachProcessedOnceAfterARestart) {
  // Ten repositories the bot knows; a rename of each is a delivery whose effect shows.
  constexpr int kRepos = 10;
  {
    auto store = SqliteStore::open(dir_ / "app.db");
    ASSERT_TRUE(store) << store.error().str();
    for (int i = 1; i <= kRepos; ++i)
      ASSERT_TRUE((*store)->saveRepository({1000 + i, "acme/repo-" + std::to_string(i), "main",
                                            "https://github.com/acme/repo-" + std::to_string(i),
                                            false, {}}));
  }
  const std::vector<std::string> common = {"--listen", "127.0.0.1:0", "--store",
                                           (dir_ / "app.db").string(), "--webhook-secret-file",
                                           secretFile_, "--instance", "kill-test"};
  std::vector<std::string> intakeOnly = common;
  intakeOnly.insert(intakeOnly.end(), {"--workers", "0"});
  spawn(intakeOnly);
  uint16_t port = this->port();
  ASSERT_NE(port, 0) << stderrText();
  std::vector<std::string> ids;
  for (int i = 1; i <= kRepos; ++i) {
    const std::string body =
        R"({"action":"renamed","changes":{"repository":{"name":{"from":"repo-)" +
        std::to_string(i) + R"("}}},"repository":{"id":)" + std::to_string(1000 + i) +
        R"(,"name":"renamed-)" + std::to_string(i) + R"(","full_name":"acme/renamed-)" +
        std::to_string(i) + R"(","default_branch":"main","archived":false},"installation":{"id":7}})";
    ids.push_back("kill-" + std::to_string(i));
    EXPECT_EQ(post(port, body, signWebhookBody(kSecret, body), ids.back(), "repository").status,
              202);
  }
  // Acknowledged means durably queued: nothing of it may depend on the process living on.
  ASSERT_EQ(::kill(pid_, SIGKILL), 0);
  EXPECT_EQ(exitCode(), -1);

  std::vector<std::string> processing = common;
  processing.insert(processing.end(), {"--workers", "2"});
  spawn(processing);
  port = this->port();
  ASSERT_NE(port, 0) << stderrText();
  auto store = SqliteStore::open(dir_ / "app.db");
  ASSERT_TRUE(store) << store.error().str();
  // A guard against a hang, not a timing assertion.
  for (int round = 0; round < 600; ++round) {
    auto counts = (*store)->deliveryCounts();
    ASSERT_TRUE(counts);
    int64_t finished = 0;
    for (const DeliveryCount& c : *counts)
      if (c.state == "done")
        finished += c.count;
    if (finished == kRepos)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(::kill(pid_, SIGTERM), 0);
  EXPECT_EQ(exitCode(), 0);
  const std::string log = stderrText();
  for (int i = 1; i <= kRepos; ++i) {
    auto d = (*store)->delivery(ids[i - 1]);
    ASSERT_TRUE(d && *d);
    EXPECT_EQ((*d)->state, "done") << (*d)->lastError;
    EXPECT_EQ((*d)->attempts, 1) << "processed once";
    auto repo = (*store)->repository(1000 + i);
    ASSERT_TRUE(repo && *repo);
    EXPECT_EQ((*repo)->fullName, "acme/renamed-" + std::to_string(i));
    const std::string line = "delivery " + ids[i - 1] + " (repository.renamed): done";
    const size_t first = log.find(line);
    EXPECT_NE(first, std::string::npos) << log;
    EXPECT_EQ(log.find(line, first + 1), std::string::npos) << "finished once: " << log;
  }
}

TEST_F(AppBinaryTest, TheSecretCanComeFromTheEnvironment) {
  spawn({"--listen", "127.0.0.1:0", "--store", (dir_ / "app.db").string()},
        {"GODWIT_WEBHOOK_SECRET=" + kSecret});
  const uint16_t port = this->port();
  ASSERT_NE(port, 0) << stderrText();
  EXPECT_EQ(post(port, "{}", signWebhookBody("another secret", "{}")).status, 401);
  EXPECT_EQ(post(port, "{}", signWebhookBody(kSecret, "{}")).status, 202);
  ::kill(pid_, SIGINT);
  EXPECT_EQ(exitCode(), 0);
  EXPECT_EQ(stderrText().find(kSecret), std::string::npos);
}

TEST_F(AppBinaryTest, WithAFleetItDrivesTheActiveMigrationsCampaign) {
  bottest::BareRemote remote{dir_ / "remotes" / "acme" / "shop.git"};
  remote.commit("main", {{"etl/load.py", "TABLE = \"acme-prod.sales.orders_v2\"\n"}});
  test::GitHubContractServer server{"ghp_binary_test_token"};
  server.addRepository({"acme/shop", "main", remote.url()});
  const std::string token = write("token", "ghp_binary_test_token\n");
  const std::string migrations = ordersMigrationFolder();
  spawn({"--listen", "127.0.0.1:0", "--store", (dir_ / "app.db").string(), "--webhook-secret-file",
         secretFile_, "--migrations", migrations, "--api-url", server.url(), "--token-file",
         token, "--fleet-org", "acme", "--cache-dir", (dir_ / "cache").string()});
  ASSERT_NE(port(), 0) << stderrText();
  waitUntil([&] { return !server.pulls("acme/shop").empty(); });
  ASSERT_EQ(server.pulls("acme/shop").size(), 1u) << stderrText();
  logWith("campaign orders-v3: ");
  ::kill(pid_, SIGTERM);
  EXPECT_EQ(exitCode(), 0);
  const std::string log = stderrText();
  EXPECT_NE(log.find("campaign orders-v3: "), std::string::npos) << log;
  EXPECT_EQ(log.find("ghp_binary_test_token"), std::string::npos) << "no token in the log";
  auto store = SqliteStore::open(dir_ / "app.db");
  ASSERT_TRUE(store);
  auto rows = (*store)->campaignRepos("orders-v3");
  ASSERT_TRUE(rows);
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().state, "open");
  EXPECT_TRUE(server.violations().empty()) << server.violations().front();
}

TEST_F(AppBinaryTest, AsAnAppItsCampaignsAndItsEventsShareTheInstallationsClient) {
  bottest::BareRemote remote{dir_ / "remotes" / "acme" / "shop.git"};
  remote.commit("main", {{"etl/load.py", "TABLE = \"acme-prod.sales.orders_v2\"\n"}});
  test::GitHubContractServer server;
  const test::TestKeyPair keys = test::makeTestKeyPair();
  server.enableApp("4242", keys.publicPem, "77");
  const int64_t repoId = server.addRepository({"acme/shop", "main", remote.url()});
  const std::string key = write("app.pem", keys.privatePem);
  const std::string migrations = ordersMigrationFolder();
  spawn({"--listen", "127.0.0.1:0", "--store", (dir_ / "app.db").string(), "--webhook-secret-file",
         secretFile_, "--migrations", migrations, "--api-url", server.url(), "--app-id", "4242",
         "--private-key-file", key, "--reconcile-every", "0", "--fleet-installation", "77",
         "--bot-login", "godwit[bot]", "--cache-dir", (dir_ / "cache").string()});
  const uint16_t port = this->port();
  ASSERT_NE(port, 0) << stderrText();
  // The campaign's pass (the fleet) opens the pull request.
  waitUntil([&] { return !server.pulls("acme/shop").empty(); });
  ASSERT_EQ(server.pulls("acme/shop").size(), 1u) << stderrText();
  const int64_t number = server.pulls("acme/shop").front().number;
  logWith("campaign orders-v3: ");

  // An event of the same installation (the event work) answers on it.
  nlohmann::json comment = webhooktest::example("issue_comment", "created");
  comment["repository"]["id"] = repoId;
  comment["repository"]["name"] = "shop";
  comment["repository"]["full_name"] = "acme/shop";
  comment["repository"]["default_branch"] = "main";
  comment["installation"] = {{"id", 77}};
  comment["issue"]["number"] = number;
  comment["issue"]["pull_request"] = {
      {"url", server.url() + "/repos/acme/shop/pulls/" + std::to_string(number)}};
  comment["comment"]["body"] = "/godwit help";
  comment["comment"]["author_association"] = "OWNER";
  comment["comment"]["user"]["login"] = "ada";
  const std::string body = comment.dump();
  EXPECT_EQ(post(port, body, signWebhookBody(kSecret, body), "comment-1", "issue_comment").status,
            202);
  const auto replied = [&] {
    for (const test::ServerComment& c : server.comments("acme/shop", number))
      if (c.body.find("<!-- godwit:reply help -->") != std::string::npos)
        return true;
    return false;
  };
  waitUntil(replied);
  ::kill(pid_, SIGTERM);
  EXPECT_EQ(exitCode(), 0);
  ASSERT_TRUE(replied()) << stderrText();
  // One client per installation: one installation token, one pacing of its writes.
  EXPECT_EQ(server.tokensIssued(), 1) << "the fleet and the events each had a client";
  EXPECT_TRUE(server.violations().empty()) << server.violations().front();
}

TEST_F(AppBinaryTest, ServesTheStatusPageOfTheStoresCampaigns) {
  // A campaign as a runner leaves it, its migration file where the runner was given it.
  const std::string migration =
      write("orders-v3.yaml", "apiVersion: godwit/v1\nkind: Migration\nname: orders-v3\n"
                              "datasets:\n  - kind: literal\n    from: orders_v2\n"
                              "    to: orders_v3\nrollout:\n  deadline: 2027-02-01\n");
  {
    auto store = SqliteStore::open(dir_ / "app.db");
    ASSERT_TRUE(store) << store.error().str();
    CampaignRecord c;
    c.name = "orders-v3";
    c.migrationPath = migration;
    ASSERT_TRUE((*store)->saveCampaign(c));
    CampaignRepoRecord r;
    r.campaign = c.name;
    r.fullName = "acme/shop";
    r.wave = 1;
    r.state = "open";
    ASSERT_TRUE((*store)->saveCampaignRepo(r));
  }
  spawn({"--listen", "127.0.0.1:0", "--store", (dir_ / "app.db").string(), "--webhook-secret-file",
         secretFile_});
  const uint16_t port = this->port();
  ASSERT_NE(port, 0) << stderrText();
  const auto get = [&](const std::string& target) {
    auto response = roundTrip(port, request("GET", target));
    EXPECT_TRUE(response) << target;
    return response.value_or(RawResponse{});
  };
  const RawResponse index = get("/migrations?format=json");
  ASSERT_EQ(index.status, 200) << index.body;
  EXPECT_NE(index.body.find("\"url\": \"/migrations/orders-v3\""), std::string::npos) << index.body;
  const RawResponse page = get("/migrations/orders-v3?format=json");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_NE(page.body.find("\"deadline\": \"2027-02-01\""), std::string::npos)
      << "read from the campaign's migration file: " << page.body;
  EXPECT_NE(page.body.find("\"repository\": \"acme/shop\""), std::string::npos);
  EXPECT_EQ(get("/migrations/orders-v3").headers["content-type"], "text/html; charset=utf-8");
  EXPECT_EQ(get("/migrations/orders-v4").status, 404);
  ::kill(pid_, SIGTERM);
  EXPECT_EQ(exitCode(), 0);
}

TEST_F(AppBinaryTest, BadConfigurationStopsItBeforeItListens) {
  spawn({"--listen", "127.0.0.1:0", "--store", (dir_ / "app.db").string()});
  EXPECT_EQ(exitCode(), 2);
  EXPECT_NE(stderrText().find("error: no webhook secret"), std::string::npos) << stderrText();

  spawn({"--listen", "localhost", "--webhook-secret-file", secretFile_});
  EXPECT_EQ(exitCode(), 2);
  EXPECT_NE(stderrText().find("error: --listen localhost: no address and port"), std::string::npos)
      << stderrText();

  const std::string empty = write("empty", "\n");
  spawn({"--webhook-secret-file", empty});
  EXPECT_EQ(exitCode(), 2);
  EXPECT_NE(stderrText().find(empty + ": error: the --webhook-secret-file file is empty"),
            std::string::npos)
      << stderrText();
}

TEST_F(AppBinaryTest, AnAddressInUseIsAnError) {
  spawn({"--listen", "127.0.0.1:0", "--store", (dir_ / "app.db").string(), "--webhook-secret-file",
         secretFile_});
  const uint16_t port = this->port();
  ASSERT_NE(port, 0) << stderrText();
  const pid_t first = pid_;
  spawn({"--listen", "127.0.0.1:" + std::to_string(port), "--store", (dir_ / "app.db").string(),
         "--webhook-secret-file", secretFile_});
  EXPECT_EQ(exitCode(), 1);
  EXPECT_NE(stderrText().find("error: cannot listen on 127.0.0.1 port " + std::to_string(port)),
            std::string::npos)
      << stderrText();
  pid_ = first;
}

std::string migrationFile(const std::string& name) {
  return "apiVersion: godwit/v1\nkind: Migration\nname: " + name +
         "\ndatasets:\n  - kind: bigquery-table\n    from: acme-prod.core.a\n    to: "
         "acme-prod.core.b\n";
}

TEST_F(AppBinaryTest, SighupReloadsTheMigrationFolder) {
  fs::create_directories(dir_ / "migrations");
  write("migrations/users.yaml", migrationFile("users-v2"));
  spawn({"--listen", "127.0.0.1:0", "--store", (dir_ / "app.db").string(), "--webhook-secret-file",
         secretFile_, "--migrations", (dir_ / "migrations").string()});
  ASSERT_NE(port(), 0) << stderrText();
  EXPECT_NE(stderrText().find("godwit-app: migration added: users-v2\n"), std::string::npos)
      << stderrText();

  write("migrations/orders.yaml", migrationFile("orders-v3"));
  write("migrations/users.yaml", "apiVersion: godwit/v1\nkind: Migration\nname: [users\n");
  ASSERT_EQ(::kill(pid_, SIGHUP), 0);
  const std::string done = "migration registry: 2 active, 1 file(s) with errors\n";
  const std::string log = logWith(done);
  EXPECT_NE(log.find("godwit-app: migration added: orders-v3\n"), std::string::npos) << log;
  EXPECT_NE(log.find("godwit-app: migration kept: users-v2"), std::string::npos) << log;
  EXPECT_NE(log.find("godwit-app: " + (dir_ / "migrations" / "users.yaml").string() +
                     ":4:1: error: invalid YAML"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find(done), std::string::npos) << log;

  // Still serving after the reload; SIGTERM still stops it.
  EXPECT_EQ(post(port(), "{}", signWebhookBody(kSecret, "{}")).status, 202);
  ASSERT_EQ(::kill(pid_, SIGTERM), 0);
  EXPECT_EQ(exitCode(), 0);
}

TEST_F(AppBinaryTest, TheRegistryRepositoryLoadsAtStartAndOnSighup) {
  bottest::BareRemote registry{dir_ / "remotes" / "acme" / "registry.git"};
  registry.commit("main", {{"migrations/users.yaml", migrationFile("users-v2")}});
  test::GitHubContractServer server{"ghp_binary_test_token"};
  server.addRepository({"acme/registry", "main", registry.url()});
  const std::string token = write("token", "ghp_binary_test_token\n");
  spawn({"--listen", "127.0.0.1:0", "--store", (dir_ / "app.db").string(), "--webhook-secret-file",
         secretFile_, "--registry-repo", "acme/registry", "--api-url", server.url(),
         "--token-file", token, "--cache-dir", (dir_ / "cache").string()});
  ASSERT_NE(port(), 0) << stderrText();
  EXPECT_NE(stderrText().find("godwit-app: migration added: users-v2\n"), std::string::npos)
      << stderrText();
  EXPECT_NE(stderrText().find("migration registry: 1 active, 0 file(s) with errors\n"),
            std::string::npos)
      << stderrText();

  registry.commit("main", {{"migrations/users.yaml", migrationFile("users-v2")},
                           {"migrations/orders.yaml", migrationFile("orders-v3")}});
  ASSERT_EQ(::kill(pid_, SIGHUP), 0);
  const std::string done = "migration registry: 2 active, 0 file(s) with errors\n";
  const std::string log = logWith(done);
  EXPECT_NE(log.find("godwit-app: migration added: orders-v3\n"), std::string::npos) << log;
  EXPECT_NE(log.find(done), std::string::npos) << log;
  ASSERT_EQ(::kill(pid_, SIGTERM), 0);
  EXPECT_EQ(exitCode(), 0);
  EXPECT_EQ(stderrText().find("ghp_binary_test_token"), std::string::npos) << "no token in the log";
}

TEST_F(AppBinaryTest, AMissingMigrationFolderStopsItBeforeItListens) {
  spawn({"--listen", "127.0.0.1:0", "--store", (dir_ / "app.db").string(), "--webhook-secret-file",
         secretFile_, "--migrations", (dir_ / "missing").string()});
  EXPECT_EQ(exitCode(), 2);
  EXPECT_NE(stderrText().find((dir_ / "missing").string() +
                              ": error: the migration folder does not exist or is not a folder"),
            std::string::npos)
      << stderrText();
}

} // namespace
} // namespace godwit
