// The campaign notifier against a real webhook receiver on loopback: the body, one retry after a
// 5xx, a receiver that never answers, a secret in the URL that no warning shows, and each notice
// sent once per campaign however often it is asked for.
#include "bot/fleet/Notifier.h"

#include "tests/bot/fleet/FleetFixture.h"
#include "tests/support/WebhookReceiver.h"

#include <nlohmann/json.hpp>

namespace godwit {
namespace {

using fleettest::at;

// What Slack and Teams hooks look like: the secret in the path, or in the query, or both.
const std::string kSecretPath = "/services/T0ACME/B0GODWIT/s3cr3tP4th";
const std::string kSecretQuery = "?sig=s3cr3tQu3ry";

class NotifierTest : public fleettest::FleetTest {
protected:
  test::WebhookReceiver receiver;
  std::vector<std::string> warnings;

  NotifierOptions options() {
    NotifierOptions o;
    o.timeout = std::chrono::milliseconds(300);
    o.retryDelay = std::chrono::milliseconds(0);
    o.clock = clientClock;
    o.warn = [this](const std::string& w) { warnings.push_back(w); };
    return o;
  }
  std::string hookUrl() const { return receiver.url() + kSecretPath + kSecretQuery; }
  void expectNoSecret() {
    for (const std::string& w : warnings) {
      EXPECT_EQ(w.find("s3cr3t"), std::string::npos) << w;
      EXPECT_EQ(w.find("/services"), std::string::npos) << w;
    }
    auto events = store()->events(migration.name);
    ASSERT_TRUE(events);
    for (const EventRecord& e : *events)
      EXPECT_EQ(e.details.find("s3cr3t"), std::string::npos) << e.kind << " " << e.details;
  }
};

TEST(UrlOriginTest, KeepsOnlySchemeHostAndPort) {
  EXPECT_EQ(urlOrigin("https://hooks.slack.com/services/T0/B0/XXXX"), "https://hooks.slack.com");
  EXPECT_EQ(urlOrigin("https://user:pw@example.com:8443/hook?token=abc#f"),
            "https://example.com:8443");
  EXPECT_EQ(urlOrigin("http://example.com?token=abc"), "http://example.com");
  EXPECT_EQ(urlOrigin("http://example.com"), "http://example.com");
}

TEST_F(NotifierTest, PostsTheNoticeAsJsonWithTheCampaignsCounts) {
  makeFleet(3, 1, 3);
  useMigration("rollout:\n  waves: [1, 100%]\n");
  ASSERT_TRUE(ensureCampaign(*store(), migration, "d1", fleet, false, clock->now()));
  Notifier notifier(hookUrl(), options());
  ASSERT_TRUE(notifier.notify(*store(), migration.name, {"wave-started", "wave-started/1", 1, ""},
                              at("2026-12-07T10:00:00Z")));
  auto posts = receiver.posts();
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_EQ(posts[0].target, kSecretPath + kSecretQuery);
  EXPECT_EQ(posts[0].contentType, "application/json");
  const nlohmann::json& body = posts[0].json;
  ASSERT_TRUE(body.is_object()) << posts[0].body;
  EXPECT_EQ(body["event"], "wave-started");
  EXPECT_EQ(body["campaign"], "user-profile-v2");
  EXPECT_EQ(body["wave"], 1);
  EXPECT_EQ(body["waves"], 2);
  EXPECT_EQ(body["reason"], "");
  EXPECT_EQ(body["counts"], (nlohmann::json{{"pending", 3}}));
  EXPECT_EQ(body["time"], "2026-12-07T10:00:00.000Z");
  EXPECT_EQ(body["text"], "user-profile-v2: wave 1 of 2 started (3 pending)");
  EXPECT_TRUE(warnings.empty()) << warnings.front();
}

TEST_F(NotifierTest, RetriesOnceAfterA500) {
  receiver.answer({500});
  Notifier notifier(hookUrl(), options());
  Delivery d = notifier.post(R"({"event":"wave-started"})");
  EXPECT_TRUE(d.delivered) << d.detail;
  EXPECT_EQ(receiver.posts().size(), 2u);
  EXPECT_TRUE(warnings.empty());
}

TEST_F(NotifierTest, GivesUpAfterTwo5xxAndWarnsWithoutTheSecret) {
  receiver.answer({500, 503, 500});
  Notifier notifier(hookUrl(), options());
  Delivery d = notifier.post(R"({"event":"wave-started"})");
  EXPECT_FALSE(d.delivered);
  EXPECT_EQ(receiver.posts().size(), 2u) << "one retry, no more";
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find(receiver.url()), std::string::npos) << warnings[0];
  EXPECT_NE(warnings[0].find("HTTP 503"), std::string::npos) << warnings[0];
  expectNoSecret();
}

TEST_F(NotifierTest, AClientErrorIsNotRetried) {
  receiver.answer({404});
  Notifier notifier(hookUrl(), options());
  EXPECT_FALSE(notifier.post("{}").delivered);
  EXPECT_EQ(receiver.posts().size(), 1u);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("HTTP 404"), std::string::npos) << warnings[0];
  expectNoSecret();
}

TEST_F(NotifierTest, AReceiverThatNeverAnswersTimesOutTwice) {
  receiver.hang();
  Notifier notifier(hookUrl(), options());
  Delivery d = notifier.post("{}");
  EXPECT_FALSE(d.delivered);
  EXPECT_EQ(receiver.posts().size(), 2u);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("no answer"), std::string::npos) << warnings[0];
  expectNoSecret();
}

TEST_F(NotifierTest, AnUnreachableWebhookIsAWarningWithoutTheSecret) {
  makeFleet(1, 1, 1);
  useMigration("");
  ASSERT_TRUE(ensureCampaign(*store(), migration, "d1", fleet, false, clock->now()));
  // A port nothing listens on, and user information in the URL.
  std::string url;
  {
    test::WebhookReceiver gone;
    url = gone.url();
  }
  url.insert(url.find("//") + 2, "hook:s3cr3tUs3r@");
  Notifier notifier(url + kSecretPath + kSecretQuery, options());
  EXPECT_EQ(notifier.origin().find("s3cr3t"), std::string::npos);
  ASSERT_TRUE(notifier.notify(*store(), migration.name,
                              {"campaign-finished", "campaign-finished", 1, ""}, clock->now()))
      << "a failed notice is no error";
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("campaign-finished"), std::string::npos) << warnings[0];
  expectNoSecret();
  // The outcome is in the event log.
  auto events = store()->events(migration.name);
  ASSERT_TRUE(events);
  ASSERT_GE(events->size(), 2u);
  EXPECT_EQ(events->back().kind, "notify");
  EXPECT_NE(events->back().details.find("\"delivered\":false"), std::string::npos)
      << events->back().details;
}

TEST_F(NotifierTest, EachNoticeIsSentOncePerCampaign) {
  makeFleet(2, 1, 2);
  useMigration("rollout:\n  waves: [1, 100%]\n");
  ASSERT_TRUE(ensureCampaign(*store(), migration, "d1", fleet, false, clock->now()));
  Notifier notifier(hookUrl(), options());
  // A second notifier stands for a re-run: it reads the same store.
  Notifier rerun(hookUrl(), options());
  const CampaignNotice first{"wave-started", "wave-started/1", 1, ""};
  ASSERT_TRUE(notifier.notify(*store(), migration.name, first, clock->now()));
  ASSERT_TRUE(rerun.notify(*store(), migration.name, first, clock->now()));
  ASSERT_TRUE(rerun.notify(*store(), migration.name, {"wave-started", "wave-started/2", 2, ""},
                           clock->now()));
  ASSERT_TRUE(rerun.notify(*store(), migration.name, {"wave-started", "wave-started/2", 2, ""},
                           clock->now()));
  // A notice without a key is sent every time.
  ASSERT_TRUE(rerun.notify(*store(), migration.name, {"rollback-finished", "", 0, "stopped"},
                           clock->now()));
  ASSERT_TRUE(rerun.notify(*store(), migration.name, {"rollback-finished", "", 0, "stopped"},
                           clock->now()));
  EXPECT_EQ(receiver.events(),
            (std::vector<std::string>{"wave-started", "wave-started", "rollback-finished",
                                      "rollback-finished"}));
  auto posts = receiver.posts();
  EXPECT_EQ(posts[1].json["wave"], 2);
}

} // namespace
} // namespace godwit
