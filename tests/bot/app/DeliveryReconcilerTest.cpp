// The reconciliation of missed deliveries: which attempts are asked again, and a run through the
// real GitHub client, as the App with a JWT, against the REST contract server (its requests
// checked against @octokit/openapi), paged.

#include "bot/app/DeliveryReconciler.h"

#include "tests/support/GitHubContractServer.h"
#include "tests/support/TestKeys.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>

namespace godwit {
namespace {

HookDelivery attempt(int64_t id, const std::string& guid, int status, const std::string& at,
                     bool redelivery = false) {
  HookDelivery h;
  h.id = id;
  h.guid = guid;
  h.statusCode = status;
  h.deliveredAt = at;
  h.redelivery = redelivery;
  h.event = "push";
  return h;
}

test::ServerHookDelivery logged(const std::string& guid, const std::string& at, int status) {
  test::ServerHookDelivery d;
  d.guid = guid;
  d.deliveredAt = at;
  d.statusCode = status;
  d.status = status >= 200 && status <= 299 ? "OK" : "failed";
  return d;
}

ReconcileOptions withQueued(std::set<std::string> queued) {
  ReconcileOptions o;
  o.queued = [queued](const std::string& guid) -> Expected<bool> { return queued.count(guid) > 0; };
  return o;
}

TEST(AttemptsToRedeliverTest, OnlyEventsNeverDeliveredNorQueuedTheirNewestAttempt) {
  std::vector<HookDelivery> attempts = {
      attempt(1, "delivered", 202, "2026-12-03T10:00:00Z"),
      attempt(2, "missed", 503, "2026-12-03T10:01:00Z"),
      attempt(3, "missed", 0, "2026-12-03T10:05:00Z", true),
      attempt(4, "late-ack", 0, "2026-12-03T10:02:00Z"), // timed out, yet queued
      attempt(5, "retried-ok", 502, "2026-12-03T10:03:00Z"),
      attempt(6, "retried-ok", 200, "2026-12-03T10:04:00Z", true),
  };
  ReconcileReport report;
  auto ids = attemptsToRedeliver(attempts, withQueued({"late-ack"}), report);
  ASSERT_TRUE(ids) << ids.error().str();
  EXPECT_EQ(*ids, std::vector<int64_t>{3});
  EXPECT_EQ(report.events, 4u);
  EXPECT_EQ(report.missed, 1u);
  EXPECT_EQ(report.gaveUp, 0u);
}

TEST(AttemptsToRedeliverTest, AnEventIsGivenUpAfterItsRedeliveriesFailed) {
  std::vector<HookDelivery> attempts = {attempt(1, "down", 503, "2026-12-03T10:00:00Z")};
  for (int i = 0; i < 3; ++i)
    attempts.push_back(attempt(10 + i, "down", 503, "2026-12-03T11:0" + std::to_string(i) + ":00Z",
                               true));
  std::vector<std::string> logs;
  ReconcileOptions o = withQueued({});
  o.log = [&](const std::string& line) { logs.push_back(line); };
  ReconcileReport report;
  auto ids = attemptsToRedeliver(attempts, o, report);
  ASSERT_TRUE(ids);
  EXPECT_TRUE(ids->empty());
  EXPECT_EQ(report.gaveUp, 1u);
  ASSERT_EQ(logs.size(), 1u);
  EXPECT_NE(logs.front().find("down"), std::string::npos);
}

TEST(AttemptsToRedeliverTest, AStoreThatCannotAnswerIsAnError) {
  ReconcileOptions o;
  o.queued = [](const std::string&) -> Expected<bool> { return makeError("database is locked"); };
  ReconcileReport report;
  EXPECT_FALSE(attemptsToRedeliver({attempt(1, "x", 503, "2026-12-03T10:00:00Z")}, o, report));
}

class DeliveryReconcilerTest : public ::testing::Test {
protected:
  test::GitHubContractServer server;
  std::unique_ptr<GitHubClient> app;

  void SetUp() override {
    const test::TestKeyPair keys = test::makeTestKeyPair();
    const std::string& privatePem = keys.privatePem;
    const std::string& publicPem = keys.publicPem;
    server.enableApp("4242", publicPem, "77");
    CodeHostConfig config;
    config.apiUrl = server.url();
    config.appId = "4242";
    config.privateKeyPem = privatePem;
    config.appOnly = true;
    auto client = GitHubClient::create(config);
    ASSERT_TRUE(client) << client.error().str();
    app = std::move(*client);
  }

  void TearDown() override {
    auto violations = server.violations();
    EXPECT_TRUE(violations.empty()) << violations.front();
  }

  ReconcileOptions options(std::set<std::string> queued) {
    ReconcileOptions o = withQueued(std::move(queued));
    o.list = [this](const std::string& since) { return app->appHookDeliveries(since); };
    o.redeliver = [this](int64_t id) { return app->redeliverAppHookDelivery(id); };
    return o;
  }
};

TEST_F(DeliveryReconcilerTest, AsksGitHubAgainForWhatTheAppMissedAcrossPages) {
  server.setMaxPageSize(2);
  server.addHookDelivery(logged("ok-1", "2026-12-03T10:00:00Z", 202));
  const int64_t missed =
      server.addHookDelivery(logged("missed", "2026-12-03T10:01:00Z", 503));
  server.addHookDelivery(logged("queued-late", "2026-12-03T10:02:00Z", 0));
  server.addHookDelivery(logged("ok-2", "2026-12-03T10:03:00Z", 202));
  server.addHookDelivery(logged("ok-3", "2026-12-03T10:04:00Z", 202));

  auto report = reconcileDeliveries(options({"queued-late"}), "2026-12-03T09:00:00Z");
  ASSERT_TRUE(report) << report.error().str();
  EXPECT_EQ(report->events, 5u) << "every page was read";
  EXPECT_EQ(report->missed, 1u);
  EXPECT_EQ(report->redelivered, 1u);
  EXPECT_EQ(server.hookRedeliveries(), std::vector<int64_t>{missed});
  EXPECT_FALSE(server.requests("GET", "/app/hook/deliveries").empty());

  // The redelivery was answered (202 by default): the next run asks nothing.
  auto again = reconcileDeliveries(options({"queued-late"}), "2026-12-03T09:00:00Z");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->redelivered, 0u);
  EXPECT_EQ(server.hookRedeliveries().size(), 1u);
}

TEST_F(DeliveryReconcilerTest, AttemptsBeforeTheWindowAreNotAsked) {
  server.addHookDelivery(logged("old", "2026-12-01T10:00:00Z", 503));
  auto report = reconcileDeliveries(options({}), "2026-12-03T00:00:00Z");
  ASSERT_TRUE(report);
  EXPECT_EQ(report->events, 0u);
  EXPECT_TRUE(server.hookRedeliveries().empty());
}

TEST_F(DeliveryReconcilerTest, TheThreadRunsAtOnceThenEveryPeriod) {
  server.addHookDelivery(logged("missed", "", 502));
  ReconcileOptions o = options({});
  o.every = std::chrono::seconds(3600);
  DeliveryReconciler reconciler(o);
  reconciler.start();
  for (int i = 0; i < 500 && reconciler.runs() == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  reconciler.stop();
  EXPECT_EQ(reconciler.runs(), 1);
  EXPECT_EQ(server.hookRedeliveries().size(), 1u);
}

TEST_F(DeliveryReconcilerTest, ATokenCannotReadTheDeliveryLog) {
  CodeHostConfig config;
  config.apiUrl = server.url();
  config.token = "ghp_contract_test_token";
  auto client = GitHubClient::create(config);
  ASSERT_TRUE(client);
  auto listed = (*client)->appHookDeliveries("2026-12-03T00:00:00Z");
  ASSERT_FALSE(listed);
  EXPECT_NE(listed.error().message.find("App"), std::string::npos);
}

} // namespace
} // namespace godwit
