#include "bot/app/AppServer.h"

#include "bot/app/WebhookSignature.h"
#include "tests/bot/app/RawHttp.h"
#include "tests/bot/fleet/MetricsText.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <mutex>
#include <set>

namespace godwit {
namespace {

using apptest::Connection;
using apptest::RawResponse;
using apptest::request;

const std::string kSecret = "test-secret-d41d8cd98f00b204e980";
const std::string kPrevious = "previous-secret-9800998ecf8427e";

/// One example payload of npm @octokit/webhooks-examples (pinned in third_party/octokit).
struct Example {
  std::string event;
  std::string body;
};

std::vector<Example> examples() {
  std::ifstream in(GODWIT_SOURCE_DIR "/third_party/octokit/node_modules/@octokit/"
                                     "webhooks-examples/api.github.com/index.json");
  std::vector<Example> out;
  if (!in)
    return out;
  for (const auto& event : nlohmann::json::parse(in))
    for (const auto& example : event.at("examples"))
      out.push_back({event.at("name").get<std::string>(), example.dump()});
  return out;
}

/// The webhooks of npm @octokit/openapi-webhooks (pinned in third_party/octokit): GitHub's own
/// description of every delivery, its headers included.
const nlohmann::json& webhookSpec() {
  static const nlohmann::json spec = [] {
    std::ifstream in(GODWIT_SOURCE_DIR "/third_party/octokit/node_modules/@octokit/"
                                       "openapi-webhooks/generated/api.github.com.json");
    return in ? nlohmann::json::parse(in) : nlohmann::json::object();
  }();
  return spec;
}

/// The header lines of a delivery of `event` as @octokit/openapi-webhooks declares them (names
/// spelled as declared, e.g. `X-Github-Event`), with the declared examples for the values the
/// test does not set. An empty event, id or signature leaves that header out.
std::string deliveryHeaders(const std::string& event, const std::string& id,
                            const std::string& signature) {
  std::string out = "Content-Type: application/json\r\n";
  const nlohmann::json& push = webhookSpec()["webhooks"]["push"]["post"];
  for (const nlohmann::json& p : push.value("parameters", nlohmann::json::array())) {
    if (p.value("in", "") != "header")
      continue;
    const std::string name = p.at("name").get<std::string>();
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    const nlohmann::json& example = p.at("example");
    std::string value = example.is_string() ? example.get<std::string>() : example.dump();
    if (lower == "x-github-event")
      value = event;
    else if (lower == "x-github-delivery")
      value = id;
    else if (lower == "x-hub-signature-256")
      value = signature;
    if (!value.empty())
      out += name + ": " + value + "\r\n";
  }
  return out;
}

/// An AppServer on a free loopback port whose intake records deliveries (and dedupes by id, as
/// the store's queue does), with switches for a failing intake and an unready store.
class AppServerTest : public ::testing::Test {
protected:
  void SetUp() override {
    AppServerOptions options;
    options.webhookSecrets = {kSecret, kPrevious};
    options.intake = [this](const WebhookDelivery& delivery) -> Expected<IntakeResult> {
      std::lock_guard lock(mutex_);
      if (failIntake_)
        return makeError("the store is locked");
      if (!ids_.insert(delivery.id).second)
        return IntakeResult::Duplicate;
      queued_.push_back(delivery);
      return IntakeResult::Queued;
    };
    options.ready = [this]() -> Expected<void> {
      if (!ready_)
        return makeError("cannot open the store");
      return {};
    };
    options.log = [this](const std::string& line) {
      std::lock_guard lock(mutex_);
      logs_.push_back(line);
    };
    server_ = std::make_unique<AppServer>(std::move(options));
    ASSERT_TRUE(server_->start());
  }

  void TearDown() override {
    server_.reset();
    // No secret in any response or log line, whatever the test did.
    for (const std::string& text : seen_) {
      EXPECT_EQ(text.find(kSecret), std::string::npos) << text;
      EXPECT_EQ(text.find(kPrevious), std::string::npos) << text;
    }
    for (const std::string& line : logs_) {
      EXPECT_EQ(line.find(kSecret), std::string::npos) << line;
      EXPECT_EQ(line.find(kPrevious), std::string::npos) << line;
    }
  }

  RawResponse send(const std::string& raw) {
    auto response = apptest::roundTrip(server_->port(), raw);
    EXPECT_TRUE(response) << raw.substr(0, 200);
    if (!response)
      return {};
    std::string all = std::to_string(response->status) + "\n" + response->body;
    for (const auto& [name, value] : response->headers)
      all += "\n" + name + ": " + value;
    seen_.push_back(all);
    return *response;
  }

  RawResponse post(const std::string& event, const std::string& id, const std::string& body,
                   const std::string& signature) {
    return send(request("POST", "/webhook", body, deliveryHeaders(event, id, signature)));
  }

  RawResponse deliver(const Example& example, const std::string& id,
                      const std::string& secret = kSecret) {
    return post(example.event, id, example.body, signWebhookBody(secret, example.body));
  }

  std::vector<WebhookDelivery> queued() {
    std::lock_guard lock(mutex_);
    return queued_;
  }

  fleettest::MetricsText metrics() {
    RawResponse response = send(request("GET", "/metrics"));
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(response.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
    auto parsed = fleettest::MetricsText::parse(response.body);
    EXPECT_TRUE(parsed) << response.body;
    return parsed ? *parsed : fleettest::MetricsText{};
  }

  std::unique_ptr<AppServer> server_;
  std::mutex mutex_;
  std::set<std::string> ids_;
  std::vector<WebhookDelivery> queued_;
  std::vector<std::string> logs_;
  std::vector<std::string> seen_;
  bool failIntake_ = false;
  std::atomic<bool> ready_{true};
};

TEST_F(AppServerTest, EveryExamplePayloadSignedIsQueuedByteForByte) {
  const std::vector<Example> all = examples();
  ASSERT_GT(all.size(), 300u) << "run scripts/install-deps for @octokit/webhooks-examples";
  for (size_t i = 0; i < all.size(); ++i) {
    RawResponse response = deliver(all[i], "delivery-" + std::to_string(i));
    ASSERT_EQ(response.status, 202) << all[i].event << ": " << response.body;
  }
  const std::vector<WebhookDelivery> got = queued();
  ASSERT_EQ(got.size(), all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(got[i].id, "delivery-" + std::to_string(i));
    EXPECT_EQ(got[i].event, all[i].event);
    EXPECT_EQ(got[i].body, all[i].body);
  }
}

TEST(DeliveryHeadersTest, EveryHeaderTheAppNeedsIsOneGitHubDeclaresRequired) {
  const nlohmann::json& hooks = webhookSpec()["webhooks"];
  ASSERT_GT(hooks.size(), 200u) << "run scripts/install-deps for @octokit/openapi-webhooks";
  size_t appHooks = 0;
  for (const auto& [name, hook] : hooks.items()) {
    const nlohmann::json& post = hook.at("post");
    const auto types = post["x-github"].value("supported-webhook-types", nlohmann::json::array());
    if (std::find(types.begin(), types.end(), "app") == types.end())
      continue;
    ++appHooks;
    std::set<std::string> required;
    for (const nlohmann::json& p : post.value("parameters", nlohmann::json::array()))
      if (p.value("in", "") == "header" && p.value("required", false)) {
        std::string lower = p.at("name").get<std::string>();
        std::transform(lower.begin(), lower.end(), lower.begin(),
                       [](unsigned char c) { return std::tolower(c); });
        required.insert(lower);
      }
    for (const char* needed : {"x-github-event", "x-github-delivery", "x-hub-signature-256"})
      EXPECT_TRUE(required.count(needed)) << name << " does not declare " << needed;
  }
  EXPECT_GT(appHooks, 100u);
}

TEST_F(AppServerTest, ARedeliveryIsAcknowledgedAndNotQueuedAgain) {
  const Example push = {"push", R"({"ref":"refs/heads/main"})"};
  EXPECT_EQ(deliver(push, "72d3162e-cc78-11e3-81ab-4c9367dc0958").status, 202);
  RawResponse again = deliver(push, "72d3162e-cc78-11e3-81ab-4c9367dc0958");
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(queued().size(), 1u);
}

TEST_F(AppServerTest, ForgedDeliveriesGet401AndQueueNothing) {
  const std::vector<Example> all = examples();
  ASSERT_FALSE(all.empty());
  const Example& example = all.front();
  const std::string good = signWebhookBody(kSecret, example.body);
  std::string tampered = example.body;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'a' ? 'b' : 'a';

  EXPECT_EQ(post(example.event, "unsigned", example.body, "").status, 401);
  EXPECT_EQ(deliver(example, "other-secret", "another secret").status, 401);
  EXPECT_EQ(post(example.event, "tampered", tampered, good).status, 401);
  EXPECT_EQ(post(example.event, "sha1", example.body, "sha1=" + good.substr(7, 40)).status, 401);
  // A signature replayed from another delivery over this body.
  EXPECT_EQ(post(example.event, "replayed", example.body, signWebhookBody(kSecret, "{}")).status,
            401);
  RawResponse headerOnly = send(request("POST", "/webhook", example.body));
  EXPECT_EQ(headerOnly.status, 401);
  EXPECT_NE(headerOnly.body.find("no X-Hub-Signature-256"), std::string::npos);
  EXPECT_TRUE(queued().empty());

  fleettest::MetricsText text = metrics();
  EXPECT_EQ(
      text.value("godwit_app_deliveries_total", {{"event", "unverified"}, {"outcome", "rejected"}}),
      6);
}

TEST_F(AppServerTest, TheRotatedOutSecretIsStillAccepted) {
  const Example ping = {"ping", R"({"zen":"Design for failure."})"};
  EXPECT_EQ(deliver(ping, "signed-with-previous", kPrevious).status, 202);
  EXPECT_EQ(queued().size(), 1u);
}

TEST_F(AppServerTest, ASignedDeliveryWithoutItsHeadersIsInvalid) {
  const std::string body = R"({"zen":"Keep it logically awesome."})";
  const std::string signature = signWebhookBody(kSecret, body);
  EXPECT_EQ(post("", "no-event", body, signature).status, 400);
  EXPECT_EQ(post("ping", "", body, signature).status, 400);
  EXPECT_EQ(post("ping", "spaces in id", body, signature).status, 400);
  EXPECT_TRUE(queued().empty());
  EXPECT_EQ(metrics().value("godwit_app_deliveries_total",
                            {{"event", "unverified"}, {"outcome", "invalid"}}),
            3);
}

TEST_F(AppServerTest, ADeliveryTheIntakeCannotTakeGets503AndIsLogged) {
  failIntake_ = true;
  RawResponse response = deliver({"push", "{}"}, "not-queued");
  EXPECT_EQ(response.status, 503);
  EXPECT_EQ(response.headers["retry-after"], "10");
  EXPECT_EQ(response.body.find("locked"), std::string::npos) << "store errors stay in the log";
  std::lock_guard lock(mutex_);
  ASSERT_EQ(logs_.size(), 1u);
  EXPECT_EQ(logs_[0], "delivery not-queued (push): not queued: the store is locked");
}

TEST_F(AppServerTest, HealthAndReadiness) {
  EXPECT_EQ(send(request("GET", "/healthz")).status, 200);
  EXPECT_EQ(send(request("GET", "/readyz")).status, 200);
  ready_ = false;
  EXPECT_EQ(send(request("GET", "/readyz")).status, 503);
  EXPECT_EQ(send(request("GET", "/readyz")).status, 503);
  EXPECT_EQ(send(request("GET", "/healthz")).status, 200) << "liveness does not need the store";
  ready_ = true;
  EXPECT_EQ(send(request("GET", "/readyz")).status, 200);
  EXPECT_EQ(send(request("POST", "/healthz")).status, 405);
  std::lock_guard lock(mutex_);
  EXPECT_EQ(logs_,
            (std::vector<std::string>{"ready", "not ready: cannot open the store", "ready"}));
}

TEST_F(AppServerTest, MetricsCountDeliveriesByEventAndOutcomeAndResponsesByPath) {
  deliver({"push", "{}"}, "one");
  deliver({"push", "{}"}, "one");
  deliver({"issue_comment", "{}"}, "two");
  deliver({"push", "{}"}, "three", "wrong");
  send(request("GET", "/healthz"));
  send(request("GET", "/no/such/path"));
  send(request("GET", "/other"));

  fleettest::MetricsText text = metrics();
  const std::string deliveries = "godwit_app_deliveries_total";
  EXPECT_EQ(text.type(deliveries), "counter");
  EXPECT_EQ(text.value(deliveries, {{"event", "push"}, {"outcome", "queued"}}), 1);
  EXPECT_EQ(text.value(deliveries, {{"event", "push"}, {"outcome", "duplicate"}}), 1);
  EXPECT_EQ(text.value(deliveries, {{"event", "issue_comment"}, {"outcome", "queued"}}), 1);
  EXPECT_EQ(text.value(deliveries, {{"event", "unverified"}, {"outcome", "rejected"}}), 1);
  const std::string responses = "godwit_app_http_responses_total";
  EXPECT_EQ(text.value(responses, {{"path", "/webhook"}, {"status", "202"}}), 2);
  EXPECT_EQ(text.value(responses, {{"path", "/webhook"}, {"status", "200"}}), 1);
  EXPECT_EQ(text.value(responses, {{"path", "/webhook"}, {"status", "401"}}), 1);
  EXPECT_EQ(text.value(responses, {{"path", "/healthz"}, {"status", "200"}}), 1);
  EXPECT_EQ(text.value(responses, {{"path", "other"}, {"status", "404"}}), 2);
}

} // namespace
} // namespace godwit
