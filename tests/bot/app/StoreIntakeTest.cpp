// The intake of the real server: every example payload, signed, through AppServer into a SQLite
// store's delivery queue, read back from the store.
#include "bot/app/StoreIntake.h"

#include "bot/app/AppServer.h"
#include "bot/app/WebhookSignature.h"
#include "bot/store/SqliteStore.h"
#include "tests/bot/app/RawHttp.h"
#include "tests/bot/fleet/MetricsText.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <mutex>

namespace godwit {
namespace {

namespace fs = std::filesystem;
using apptest::request;
using apptest::roundTrip;

const std::string kSecret = "store-intake-test-secret";

nlohmann::json exampleIndex() {
  std::ifstream in(GODWIT_SOURCE_DIR "/third_party/octokit/node_modules/@octokit/"
                                     "webhooks-examples/api.github.com/index.json");
  return in ? nlohmann::json::parse(in) : nlohmann::json::array();
}

TEST(StoreIntakeTest, TheRecordCarriesWhatTheWorkersClaimBy) {
  nlohmann::json closed;
  for (const auto& event : exampleIndex())
    if (event.at("name") == "pull_request")
      for (const auto& example : event.at("examples"))
        if (example.value("action", "") == "closed" && example.contains("installation"))
          closed = example;
  ASSERT_TRUE(closed.is_object()) << "no closed pull_request example with an installation";
  const std::string body = closed.dump();
  const DeliveryRecord record = deliveryRecord({"d-1", "pull_request", body});
  EXPECT_EQ(record.deliveryId, "d-1");
  EXPECT_EQ(record.event, "pull_request");
  EXPECT_EQ(record.action, "closed");
  EXPECT_EQ(record.payload, body);
  EXPECT_EQ(record.repositoryId, closed["repository"]["id"].get<int64_t>());
  EXPECT_EQ(record.installationId, closed["installation"]["id"].get<int64_t>());
  EXPECT_NE(record.repositoryId, 0);

  // Not JSON: queued as received, for the worker to fail with the reader's error.
  const DeliveryRecord unread = deliveryRecord({"d-2", "push", "not json"});
  EXPECT_EQ(unread.payload, "not json");
  EXPECT_EQ(unread.repositoryId, 0);
  EXPECT_TRUE(unread.action.empty());
}

TEST(StoreIntakeTest, EveryExamplePayloadIsQueuedInTheStoreOnce) {
  const fs::path file =
      fs::temp_directory_path() / ("godwit-store-intake-" + std::to_string(::getpid()) + ".db");
  fs::remove(file);
  auto opened = SqliteStore::open(file);
  ASSERT_TRUE(opened) << opened.error().str();
  std::unique_ptr<SqliteStore> store = std::move(*opened);
  std::mutex mutex;

  AppServerOptions options;
  options.webhookSecrets = {kSecret};
  options.intake = [&](const WebhookDelivery& delivery) {
    std::lock_guard lock(mutex);
    return queueDelivery(*store, delivery);
  };
  options.queue = [&] {
    std::lock_guard lock(mutex);
    return store->deliveryCounts();
  };
  AppServer server(std::move(options));
  ASSERT_TRUE(server.start());

  struct Sent {
    std::string id, event, body, action;
    int64_t repositoryId = 0;
  };
  std::vector<Sent> sent;
  for (const auto& event : exampleIndex())
    for (const auto& example : event.at("examples")) {
      Sent s{"example-" + std::to_string(sent.size()), event.at("name").get<std::string>(),
             example.dump(), example.value("action", ""), 0};
      if (example.contains("repository") && example["repository"].is_object())
        s.repositoryId = example["repository"].value("id", int64_t{0});
      sent.push_back(s);
    }
  ASSERT_GT(sent.size(), 300u) << "run scripts/install-deps for @octokit/webhooks-examples";

  const auto post = [&](const Sent& s) {
    const std::string headers = "X-GitHub-Event: " + s.event + "\r\nX-GitHub-Delivery: " + s.id +
                                "\r\nX-Hub-Signature-256: " + signWebhookBody(kSecret, s.body) +
                                "\r\n";
    auto response = roundTrip(server.port(), request("POST", "/webhook", s.body, headers));
    return response ? response->status : 0;
  };
  for (const Sent& s : sent)
    ASSERT_EQ(post(s), 202) << s.event;
  EXPECT_EQ(post(sent.front()), 200) << "a redelivery";

  for (const Sent& s : sent) {
    auto got = store->delivery(s.id);
    ASSERT_TRUE(got && *got) << s.id;
    EXPECT_EQ((*got)->event, s.event);
    EXPECT_EQ((*got)->payload, s.body);
    EXPECT_EQ((*got)->state, "queued");
    EXPECT_EQ((*got)->action, s.action) << s.event;
    EXPECT_EQ((*got)->repositoryId, s.repositoryId) << s.event;
  }

  auto metrics = roundTrip(server.port(), request("GET", "/metrics"));
  ASSERT_TRUE(metrics);
  auto text = fleettest::MetricsText::parse(metrics->body);
  ASSERT_TRUE(text) << metrics->body;
  EXPECT_EQ(text->sum("godwit_app_queue_deliveries"), static_cast<double>(sent.size()));
  EXPECT_EQ(text->value("godwit_app_queue_deliveries", {{"event", "ping"}, {"state", "queued"}}),
            4);
  server.stop();
  store.reset();
  fs::remove(file);
  fs::remove(file.string() + "-wal");
  fs::remove(file.string() + "-shm");
}

} // namespace
} // namespace godwit
