// The App's clients, one per installation, against the REST contract server on loopback acting
// as a GitHub App: one installation asked for twice (or from many threads at once) is one client
// and one installation token; two installations are two clients; a token is one client for all;
// a client that cannot be made is an error that a later call gets past.

#include "bot/app/InstallationClients.h"

#include "tests/support/GitHubContractServer.h"
#include "tests/support/TestKeys.h"

#include <gtest/gtest.h>

#include <latch>
#include <thread>
#include <vector>

namespace godwit {
namespace {

const std::string kToken = "ghp_contract_test_token";

class InstallationClientsTest : public ::testing::Test {
protected:
  test::GitHubContractServer server{kToken};
  test::TestKeyPair keys = test::makeTestKeyPair();

  void SetUp() override {
    server.enableApp("4242", keys.publicPem, "77");
    server.addRepository({"acme/shop", "main", ""});
  }

  void TearDown() override {
    auto violations = server.violations();
    EXPECT_TRUE(violations.empty()) << violations.front();
  }

  // The App's credentials for each installation, as godwit-app configures them.
  InstallationClientsOptions asApp() {
    InstallationClientsOptions o;
    o.config = [this](int64_t installation) -> Expected<CodeHostConfig> {
      if (installation <= 0)
        return makeError("the delivery names no installation of the App");
      CodeHostConfig c;
      c.apiUrl = server.url();
      c.appId = "4242";
      c.privateKeyPem = keys.privatePem;
      c.installationId = std::to_string(installation);
      return c;
    };
    return o;
  }
};

TEST_F(InstallationClientsTest, OneInstallationIsOneClientAndOneToken) {
  InstallationClients clients(asApp());
  auto first = clients.get(77);
  ASSERT_TRUE(first) << first.error().str();
  auto second = clients.get(77);
  ASSERT_TRUE(second) << second.error().str();
  EXPECT_EQ(first->get(), second->get());
  EXPECT_EQ(clients.size(), 1u);

  auto repos = (*first)->installationRepositories();
  ASSERT_TRUE(repos) << repos.error().str();
  auto repo = (*second)->repository("acme/shop");
  ASSERT_TRUE(repo) << repo.error().str();
  EXPECT_EQ(server.tokensIssued(), 1) << "the second user reuses the first one's token";
}

TEST_F(InstallationClientsTest, TwoInstallationsAreTwoClients) {
  InstallationClients clients(asApp());
  auto a = clients.get(77);
  auto b = clients.get(78);
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->get(), b->get());
  EXPECT_EQ(clients.size(), 2u);
  EXPECT_EQ(clients.get(78)->get(), b->get());
}

TEST_F(InstallationClientsTest, ATokenIsOneClientForEveryInstallation) {
  InstallationClientsOptions o;
  o.config = [this](int64_t) -> Expected<CodeHostConfig> {
    CodeHostConfig c;
    c.apiUrl = server.url();
    c.token = kToken;
    return c;
  };
  InstallationClients clients(o);
  auto a = clients.get(77);
  auto b = clients.get(78);
  auto none = clients.get(0);
  ASSERT_TRUE(a && b && none);
  EXPECT_EQ(a->get(), b->get());
  EXPECT_EQ(a->get(), none->get());
  EXPECT_EQ(clients.size(), 1u);
  auto repo = (*b)->repository("acme/shop");
  ASSERT_TRUE(repo) << repo.error().str();
  EXPECT_EQ(server.tokensIssued(), 0);
}

TEST_F(InstallationClientsTest, AClientThatCannotBeMadeIsAnErrorAndNotRemembered) {
  InstallationClients clients(asApp());
  auto none = clients.get(0);
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("names no installation"), std::string::npos);

  // The first attempt fails (the client refuses the configuration); the next one is made anew.
  bool broken = true;
  InstallationClientsOptions o = asApp();
  o.config = [inner = o.config, &broken](int64_t installation) -> Expected<CodeHostConfig> {
    Expected<CodeHostConfig> c = inner(installation);
    if (c && broken)
      c->privateKeyPem = "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n";
    return c;
  };
  InstallationClients flaky(o);
  auto refused = flaky.get(77);
  ASSERT_FALSE(refused);
  EXPECT_EQ(flaky.size(), 0u);
  broken = false;
  auto made = flaky.get(77);
  ASSERT_TRUE(made) << made.error().str();
  EXPECT_EQ(flaky.size(), 1u);
  auto repos = (*made)->installationRepositories();
  EXPECT_TRUE(repos) << repos.error().str();
}

TEST_F(InstallationClientsTest, ThreadsAskingAtOnceGetOneClient) {
  InstallationClients clients(asApp());
  constexpr int kThreads = 8;
  std::latch go(kThreads);
  std::vector<GitHubClient*> got(kThreads, nullptr);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i)
    threads.emplace_back([&, i] {
      go.arrive_and_wait();
      if (auto c = clients.get(77))
        got[i] = c->get();
    });
  for (std::thread& t : threads)
    t.join();
  for (GitHubClient* c : got)
    EXPECT_EQ(c, got.front());
  EXPECT_NE(got.front(), nullptr);
  EXPECT_EQ(clients.size(), 1u);
}

} // namespace
} // namespace godwit
