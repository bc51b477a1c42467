// The event handler over a real SQLite store: GitHub's documented payloads, edited to be about
// the bot's pull request recorded in the store, and what the handler records and hands on.
#include "bot/webhook/EventHandler.h"

#include "Examples.h"
#include "bot/store/SqliteStore.h"
#include "bot/store/StoreTime.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

namespace godwit {
namespace {

using nlohmann::json;
using webhooktest::example;
using webhooktest::pushToDefaultBranch;

constexpr int64_t kRepo = 186853002; // Codertocat/Hello-World in the examples.
constexpr const char* kBot = "godwit[bot]";
constexpr const char* kBotSha = "1111111111111111111111111111111111111111";
constexpr const char* kHumanSha = "2222222222222222222222222222222222222222";

class EventHandlerTest : public ::testing::Test {
protected:
  EventHandlerTest() {
    std::string templ = (std::filesystem::temp_directory_path() / "godwit-events-XXXXXX").string();
    if (!mkdtemp(templ.data()))
      throw std::runtime_error("mkdtemp failed");
    dir = templ;
    auto opened = SqliteStore::open(dir / "godwit.db");
    if (!opened)
      throw std::runtime_error(opened.error().str());
    store = std::move(*opened);
    options.botLogin = kBot;
    if (!store->saveRepository({kRepo, "Codertocat/Hello-World", "master",
                                "https://github.com/Codertocat/Hello-World", false, {}}))
      throw std::runtime_error("cannot save the repository");
    savePr("move-x", 2);
  }
  ~EventHandlerTest() override {
    store.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  void savePr(const std::string& migration, int64_t number,
              std::optional<ExternalState> external = ExternalState::Open,
              bool closedByBot = false) {
    ASSERT_TRUE(store->saveMigration({migration, "", migration + ".yaml", "", ""}));
    PullRequestRecord pr;
    pr.migration = migration;
    pr.repositoryId = kRepo;
    pr.branch = "godwit/" + migration;
    pr.baseBranch = "master";
    pr.number = number;
    pr.headSha = kBotSha;
    pr.publication = PublicationState::Published;
    pr.reconcile = ReconcileState::Completed;
    pr.external = external;
    pr.closedByBot = closedByBot;
    ASSERT_TRUE(store->savePullRequest(pr));
  }

  PullRequestRecord pr(const std::string& migration = "move-x") {
    auto p = store->pullRequest(migration, kRepo);
    if (!p || !*p)
      throw std::runtime_error("no pull request record of " + migration);
    return **p;
  }

  // The example of a pull_request event about the bot's pull request #2 of move-x.
  static json botPullRequest(const std::string& action) {
    json payload = example("pull_request", action);
    payload["pull_request"]["head"]["ref"] = "godwit/move-x";
    return payload;
  }

  HandledEvent handle(const std::string& event, const json& payload) {
    auto e = readWebhookEvent(event, payload.dump());
    if (!e)
      throw std::runtime_error(e.error().str());
    auto handled = handleEvent(*store, *e, options, [this](const EventWork& w) -> Expected<void> {
      work.push_back(w);
      return {};
    });
    if (!handled)
      throw std::runtime_error(handled.error().str());
    return *handled;
  }

  static json prComment(const std::string& body, const std::string& association = "OWNER",
                        int64_t number = 2) {
    json payload = example("issue_comment", "created");
    payload["issue"]["number"] = number;
    payload["issue"]["pull_request"] = {
        {"url", "https://api.github.com/repos/Codertocat/Hello-World/pulls/" +
                    std::to_string(number)}};
    payload["comment"]["body"] = body;
    payload["comment"]["author_association"] = association;
    return payload;
  }

  std::filesystem::path dir;
  std::unique_ptr<SqliteStore> store;
  HandlerOptions options;
  std::vector<EventWork> work;
};

TEST_F(EventHandlerTest, AMergedPullRequestIsRecordedMerged) {
  json payload = botPullRequest("closed");
  payload["pull_request"]["merged"] = true;
  HandledEvent h = handle("pull_request", payload);
  EXPECT_EQ(h.outcome, DeliveryOutcome::Done);
  EXPECT_EQ(pr().external, ExternalState::Merged);
  EXPECT_EQ(pr().display(), DisplayState::Merged);
  ASSERT_EQ(work.size(), 1u) << "the campaign's row follows";
  EXPECT_EQ(work[0].kind, EventWork::Kind::Settled);
  EXPECT_EQ(work[0].migration, "move-x");
  EXPECT_EQ(work[0].pullRequest, 2);
}

TEST_F(EventHandlerTest, APullRequestClosedUnmergedIsRecordedClosedByAPerson) {
  HandledEvent h = handle("pull_request", botPullRequest("closed"));
  EXPECT_EQ(h.outcome, DeliveryOutcome::Done);
  EXPECT_EQ(pr().external, ExternalState::Closed);
  EXPECT_FALSE(pr().closedByBot);
  EXPECT_EQ(pr().display(), DisplayState::Closed);
  ASSERT_EQ(work.size(), 1u);
  EXPECT_EQ(work[0].kind, EventWork::Kind::Settled);
  // Closed by a person: a later push runs nothing for it (it is never re-created).
  work.clear();
  EXPECT_EQ(handle("push", pushToDefaultBranch()).outcome, DeliveryOutcome::Ignored);
  EXPECT_TRUE(work.empty());
}

TEST_F(EventHandlerTest, AReopenedPullRequestIsOpenAgain) {
  savePr("move-x", 2, ExternalState::Closed, true);
  json payload = botPullRequest("reopened");
  EXPECT_EQ(handle("pull_request", payload).outcome, DeliveryOutcome::Done);
  EXPECT_EQ(pr().external, ExternalState::Open);
  EXPECT_FALSE(pr().closedByBot);
  ASSERT_EQ(work.size(), 1u);
  EXPECT_EQ(work[0].kind, EventWork::Kind::Settled);
}

TEST_F(EventHandlerTest, PullRequestsThatAreNotTheBotsAreIgnored) {
  HandledEvent other = handle("pull_request", example("pull_request", "closed"));
  EXPECT_EQ(other.outcome, DeliveryOutcome::Ignored) << "head ref `changes` is not godwit/move-x";
  ASSERT_EQ(other.notes.size(), 1u);
  EXPECT_EQ(other.notes[0], "Codertocat/Hello-World#2 is not a pull request of the bot");
  json elsewhere = botPullRequest("closed");
  elsewhere["pull_request"]["number"] = 3;
  EXPECT_EQ(handle("pull_request", elsewhere).outcome, DeliveryOutcome::Ignored);
  EXPECT_EQ(pr().external, ExternalState::Open);
}

TEST_F(EventHandlerTest, ASynchronizeBySomeoneElseMarksThePullRequestHumanEdited) {
  json payload = botPullRequest("synchronize");
  payload["pull_request"]["head"]["sha"] = kHumanSha;
  EXPECT_EQ(handle("pull_request", payload).outcome, DeliveryOutcome::Done);
  EXPECT_TRUE(pr().humanEdited);
  EXPECT_EQ(pr().headSha, kHumanSha);
}

TEST_F(EventHandlerTest, TheBotsOwnPushesAreNotHumanEdits) {
  json own = botPullRequest("synchronize");
  own["pull_request"]["head"]["sha"] = kBotSha; // The commit the bot recorded.
  EXPECT_EQ(handle("pull_request", own).outcome, DeliveryOutcome::Ignored);
  json bySender = botPullRequest("synchronize");
  bySender["sender"]["login"] = kBot; // Pushed by the bot, not recorded yet.
  EXPECT_EQ(handle("pull_request", bySender).outcome, DeliveryOutcome::Ignored);
  EXPECT_FALSE(pr().humanEdited);
  EXPECT_EQ(pr().headSha, kBotSha);
}

TEST_F(EventHandlerTest, APushToTheDefaultBranchRunsEveryOpenMigrationOfTheRepository) {
  savePr("merged-one", 5, ExternalState::Merged);
  savePr("declined-one", 6, ExternalState::Closed, false);
  savePr("closed-by-bot", 7, ExternalState::Closed, true);
  HandledEvent h = handle("push", pushToDefaultBranch());
  EXPECT_EQ(h.outcome, DeliveryOutcome::Done);
  ASSERT_EQ(work.size(), 2u);
  EXPECT_EQ(work[0].kind, EventWork::Kind::Run);
  EXPECT_EQ(work[0].migration, "closed-by-bot");
  EXPECT_EQ(work[1].migration, "move-x");
  EXPECT_EQ(work[1].repository.id, kRepo);
  EXPECT_EQ(work[1].repository.fullName, "Codertocat/Hello-World");
  EXPECT_EQ(work[1].pullRequest, 2);
}

TEST_F(EventHandlerTest, APushToTheRegistrysDefaultBranchReloadsTheMigrations) {
  options.registryRepository = "codertocat/hello-world";
  json payload = pushToDefaultBranch();
  HandledEvent h = handle("push", payload);
  EXPECT_EQ(h.outcome, DeliveryOutcome::Done);
  ASSERT_EQ(work.size(), 1u) << "and no lifecycle run of the registry itself";
  EXPECT_EQ(work[0].kind, EventWork::Kind::Registry);
  EXPECT_EQ(work[0].repository.fullName, "Codertocat/Hello-World");
  EXPECT_EQ(work[0].headSha, payload["after"].get<std::string>());
  work.clear();
  json feature = pushToDefaultBranch();
  feature["ref"] = "refs/heads/feature";
  EXPECT_EQ(handle("push", feature).outcome, DeliveryOutcome::Ignored);
  EXPECT_TRUE(work.empty());
}

TEST_F(EventHandlerTest, PushesElsewhereRunNothing) {
  json tag = pushToDefaultBranch();
  tag["ref"] = "refs/tags/v1";
  EXPECT_EQ(handle("push", tag).outcome, DeliveryOutcome::Ignored);
  json branch = pushToDefaultBranch();
  branch["ref"] = "refs/heads/feature";
  EXPECT_EQ(handle("push", branch).outcome, DeliveryOutcome::Ignored);
  json deleted = pushToDefaultBranch();
  deleted["deleted"] = true;
  EXPECT_EQ(handle("push", deleted).outcome, DeliveryOutcome::Ignored);
  json otherRepo = pushToDefaultBranch();
  otherRepo["repository"]["id"] = 99;
  otherRepo["repository"]["full_name"] = "Codertocat/Other";
  HandledEvent h = handle("push", otherRepo);
  EXPECT_EQ(h.outcome, DeliveryOutcome::Ignored);
  EXPECT_EQ(h.notes.at(0), "no open pull request of the bot in Codertocat/Other");
  EXPECT_TRUE(work.empty());
}

TEST_F(EventHandlerTest, ACommandOnTheBotsPullRequestIsHandedOn) {
  EXPECT_EQ(handle("issue_comment", prComment("Please:\n/godwit rebase")).outcome,
            DeliveryOutcome::Done);
  ASSERT_EQ(work.size(), 1u);
  EXPECT_EQ(work[0].kind, EventWork::Kind::Command);
  EXPECT_EQ(work[0].command, Command::Rebase);
  EXPECT_EQ(work[0].migration, "move-x");
  EXPECT_EQ(work[0].pullRequest, 2);
  EXPECT_EQ(work[0].repository.fullName, "Codertocat/Hello-World");

  (void)handle("issue_comment", prComment("/godwit skip", "MEMBER"));
  (void)handle("issue_comment", prComment("/godwit frobnicate", "COLLABORATOR"));
  ASSERT_EQ(work.size(), 3u);
  EXPECT_EQ(work[1].command, Command::Skip);
  EXPECT_EQ(work[2].command, Command::Help);
}

TEST_F(EventHandlerTest, CommandsFromOthersOrElsewhereAreIgnored) {
  HandledEvent outsider = handle("issue_comment", prComment("/godwit rebase", "CONTRIBUTOR"));
  EXPECT_EQ(outsider.outcome, DeliveryOutcome::Ignored);
  EXPECT_EQ(outsider.notes.at(0), "Codertocat (CONTRIBUTOR) may not give commands on "
                                  "Codertocat/Hello-World#2: only OWNER, MEMBER or "
                                  "COLLABORATOR may");
  EXPECT_EQ(handle("issue_comment", prComment("LGTM")).outcome, DeliveryOutcome::Ignored);
  EXPECT_EQ(handle("issue_comment", prComment("/godwit rebase", "OWNER", 9)).outcome,
            DeliveryOutcome::Ignored);
  json onIssue = example("issue_comment", "created");
  onIssue["issue"]["number"] = 2;
  onIssue["comment"]["body"] = "/godwit rebase";
  EXPECT_EQ(handle("issue_comment", onIssue).outcome, DeliveryOutcome::Ignored);
  json byBot = prComment("/godwit rebase");
  byBot["comment"]["user"]["login"] = kBot;
  EXPECT_EQ(handle("issue_comment", byBot).outcome, DeliveryOutcome::Ignored);
  EXPECT_TRUE(work.empty());
}

TEST_F(EventHandlerTest, ARenameUpdatesTheRepositoryById) {
  json renamed = example("repository", "renamed");
  renamed["repository"]["id"] = kRepo;
  renamed["repository"]["full_name"] = "Codertocat/Hello-Universe";
  renamed["repository"]["name"] = "Hello-Universe";
  renamed["changes"]["repository"]["name"]["from"] = "Hello-World";
  HandledEvent h = handle("repository", renamed);
  EXPECT_EQ(h.outcome, DeliveryOutcome::Done);
  EXPECT_EQ(h.notes.at(0), "recorded Codertocat/Hello-World as renamed to Codertocat/Hello-Universe");
  auto byId = store->repository(kRepo);
  ASSERT_TRUE(byId && *byId);
  EXPECT_EQ((*byId)->fullName, "Codertocat/Hello-Universe");
  EXPECT_FALSE(*store->repositoryByName("Codertocat/Hello-World"));
  EXPECT_EQ(pr().repositoryId, kRepo) << "the pull request stays with the repository";
}

TEST_F(EventHandlerTest, ArchivingAndDeletingAreRecorded) {
  json archived = example("repository", "publicized");
  archived["action"] = "archived";
  archived["repository"]["archived"] = true;
  EXPECT_EQ(handle("repository", archived).outcome, DeliveryOutcome::Done);
  EXPECT_TRUE((*store->repository(kRepo))->archived);

  json deleted = archived;
  deleted["action"] = "deleted";
  EXPECT_EQ(handle("repository", deleted).outcome, DeliveryOutcome::Done);
  EXPECT_EQ(pr().external, ExternalState::Deleted);

  json unknown = example("repository", "renamed"); // Octocoders/Hello-World: not in the store.
  EXPECT_EQ(handle("repository", unknown).outcome, DeliveryOutcome::Ignored);
  EXPECT_FALSE(*store->repository(186853261));
}

TEST_F(EventHandlerTest, InstallationsHandOnTheirRepositories) {
  (void)handle("installation_repositories", example("installation_repositories", "added"));
  (void)handle("installation_repositories", example("installation_repositories", "removed"));
  ASSERT_EQ(work.size(), 2u);
  EXPECT_EQ(work[0].kind, EventWork::Kind::Scan);
  ASSERT_EQ(work[0].repositories.size(), 1u);
  EXPECT_EQ(work[0].repositories[0].fullName, "Codertocat/Space");
  EXPECT_EQ(work[1].kind, EventWork::Kind::Remove);
  EXPECT_EQ(work[1].repositories.at(0).id, 1296269);
}

TEST_F(EventHandlerTest, CiOnTheBotsPullRequestIsHandedOn) {
  json suite = example("check_suite", "completed");
  suite["check_suite"]["head_sha"] = kBotSha;
  suite["check_suite"]["pull_requests"] = json::array();
  EXPECT_EQ(handle("check_suite", suite).outcome, DeliveryOutcome::Done);
  ASSERT_EQ(work.size(), 1u);
  EXPECT_EQ(work[0].kind, EventWork::Kind::Ci);
  EXPECT_EQ(work[0].headSha, kBotSha);
  EXPECT_EQ(work[0].pullRequest, 2);

  json other = example("status", "", true);
  EXPECT_EQ(handle("status", other).outcome, DeliveryOutcome::Ignored) << "not the bot's head";
  EXPECT_EQ(work.size(), 1u);
}

// processDelivery: claimed deliveries finished as the handler and the work went.
class ProcessDeliveryTest : public EventHandlerTest {
protected:
  const std::chrono::system_clock::time_point now =
      std::chrono::sys_days(std::chrono::year(2026) / 12 / 3) + std::chrono::hours(10);

  DeliveryRecord claim(const std::string& id, const std::string& event, const json& payload,
                       const std::string& raw = {}) {
    DeliveryRecord d;
    d.deliveryId = id;
    d.event = event;
    d.repositoryId = kRepo;
    d.payload = raw.empty() ? payload.dump() : raw;
    d.receivedAt = storeTimestamp(now);
    if (!store->enqueueDelivery(d))
      throw std::runtime_error("cannot queue " + id);
    return next();
  }

  DeliveryRecord next(std::chrono::seconds later = std::chrono::seconds(0)) {
    auto c = store->claimDelivery("app-1", storeTimestamp(now + later),
                                  storeTimestamp(now + later + std::chrono::minutes(5)));
    if (!c || !*c)
      throw std::runtime_error("nothing to claim");
    return **c;
  }
};

TEST_F(ProcessDeliveryTest, HandledAndIgnoredDeliveriesAreFinished) {
  json merged = botPullRequest("closed");
  merged["pull_request"]["merged"] = true;
  auto done = processDelivery(*store, claim("d-1", "pull_request", merged), options, {}, now);
  ASSERT_TRUE(done) << done.error().str();
  EXPECT_EQ(*done, DeliveryOutcome::Done);
  EXPECT_EQ((*store->delivery("d-1"))->state, "done");
  EXPECT_EQ(pr().external, ExternalState::Merged);

  auto ignored = processDelivery(*store, claim("d-2", "star", json{{"action", "created"}}),
                                 options, {}, now);
  ASSERT_TRUE(ignored);
  EXPECT_EQ(*ignored, DeliveryOutcome::Ignored);
  EXPECT_EQ((*store->delivery("d-2"))->state, "ignored");
  EXPECT_EQ((*store->delivery("d-2"))->lastError, "the App does not act on star events");
}

TEST_F(ProcessDeliveryTest, AMalformedPayloadFailsAtOnce) {
  auto failed = processDelivery(*store, claim("bad", "push", {}, "{not json"), options, {}, now);
  ASSERT_TRUE(failed);
  EXPECT_EQ(*failed, DeliveryOutcome::Failed);
  auto d = store->delivery("bad");
  EXPECT_EQ((*d)->state, "failed");
  EXPECT_EQ((*d)->lastError.find("push payload is not JSON"), 0u);
}

TEST_F(ProcessDeliveryTest, FailingWorkIsRetriedWithBackoffThenFails) {
  options.maxAttempts = 3;
  int calls = 0;
  PerformWork failing = [&](const EventWork&) -> Expected<void> {
    ++calls;
    return makeError("the code host answered 502");
  };
  DeliveryRecord first = claim("push-1", "push", pushToDefaultBranch());
  EXPECT_EQ(*processDelivery(*store, first, options, failing, now), DeliveryOutcome::Retry);
  auto queued = store->delivery("push-1");
  EXPECT_EQ((*queued)->state, "queued");
  EXPECT_EQ((*queued)->lastError, "the code host answered 502");
  EXPECT_EQ((*queued)->notBefore, storeTimestamp(now + std::chrono::seconds(30)));

  DeliveryRecord second = next(std::chrono::seconds(30));
  EXPECT_EQ(second.attempts, 2);
  EXPECT_EQ(*processDelivery(*store, second, options, failing, now), DeliveryOutcome::Retry);
  EXPECT_EQ((*store->delivery("push-1"))->notBefore,
            storeTimestamp(now + std::chrono::seconds(60)));

  DeliveryRecord third = next(std::chrono::seconds(60));
  EXPECT_EQ(*processDelivery(*store, third, options, failing, now), DeliveryOutcome::Failed);
  EXPECT_EQ((*store->delivery("push-1"))->state, "failed");
  EXPECT_EQ(calls, 3);
}

TEST(RetryDelayTest, DoublesUpToTheLongest) {
  HandlerOptions o;
  o.firstRetry = std::chrono::seconds(30);
  o.maxRetry = std::chrono::seconds(100);
  EXPECT_EQ(retryDelay(1, o).count(), 30);
  EXPECT_EQ(retryDelay(2, o).count(), 60);
  EXPECT_EQ(retryDelay(3, o).count(), 100);
  EXPECT_EQ(retryDelay(1000, o).count(), 100);
}

} // namespace
} // namespace godwit
