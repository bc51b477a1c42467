// End-to-end tests of the pull-request lifecycle: the real engine, the real GitHub client against
// the GitHub REST contract server on 127.0.0.1, local bare repositories as remotes (file://), and
// a SQLite store in a temp dir.

#include "bot/Lifecycle.h"

#include "bot/PullRequestBody.h"
#include "bot/github/GitHubClient.h"
#include "bot/store/SqliteStore.h"
#include "tests/support/FakeClock.h"
#include "tests/support/GitHubContractServer.h"

#include "GitFixture.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace godwit {
namespace {

using bottest::BareRemote;
using bottest::TempDir;

const std::string kToken = "ghp_contract_test_token";
const std::string kRepo = "acme/pipelines";
const std::string kBranch = "godwit/user-profile-v2";
const std::string kOld = "acme-prod.core_users.user_profile_v1";
const std::string kNew = "acme-prod.core_users.user_profile_v2";

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

class LifecycleTest : public ::testing::Test {
protected:
  TempDir tmp;
  BareRemote remote{tmp.path() / "remotes" / "acme" / "pipelines.git"};
  test::GitHubContractServer server{kToken};
  std::shared_ptr<test::FakeClock> clock = std::make_shared<test::FakeClock>();
  std::unique_ptr<GitHubClient> client;
  std::unique_ptr<SqliteStore> store;
  Migration migration;
  std::vector<std::string> progress;

  void SetUp() override {
    remote.commit("main", {{"src/Job.scala", job(kOld)}, {"README.md", "# pipelines\n"}});
    server.addRepository({kRepo, "main", remote.url()});
    CodeHostConfig config;
    config.apiUrl = server.url();
    config.token = kToken;
    GitHubClientOptions clientOptions;
    clientOptions.clock = clock;
    auto created = GitHubClient::create(config, clientOptions);
    ASSERT_TRUE(created) << created.error().str();
    client = std::move(created).value();
    openStore();
    auto parsed = parseMigration(kMigrationYaml, "m.yaml");
    ASSERT_TRUE(parsed) << parsed.error().str();
    migration = *parsed;
  }

  void TearDown() override {
    std::vector<std::string> violations = server.violations();
    EXPECT_TRUE(violations.empty()) << violations.front();
  }

  void openStore() {
    store.reset();
    auto opened = SqliteStore::open(tmp.path() / "state" / "godwit.db");
    ASSERT_TRUE(opened) << opened.error().str();
    store = std::move(opened).value();
  }

  LifecycleOptions options(bool dryRun = false) {
    LifecycleOptions o;
    o.cacheDir = tmp.path() / "cache";
    o.dryRun = dryRun;
    o.run.jobs = 1;
    o.progress = [this](const std::string& line) { progress.push_back(line); };
    return o;
  }

  Expected<LifecycleResult> run(bool dryRun = false) {
    return runLifecycle(migration, kRepo, *client, *store, options(dryRun));
  }

  LifecycleResult runOk(bool dryRun = false) {
    Expected<LifecycleResult> r = run(dryRun);
    EXPECT_TRUE(r) << r.error().str();
    return r ? *r : LifecycleResult{};
  }

  std::vector<std::string> eventKinds() {
    std::vector<std::string> kinds;
    Expected<std::vector<EventRecord>> events = store->events(migration.name);
    EXPECT_TRUE(events);
    for (const EventRecord& e : *events)
      kinds.push_back(e.kind);
    return kinds;
  }

  size_t mutatingRequests() {
    size_t n = 0;
    for (const auto& r : server.requests())
      if (r.method != "GET")
        ++n;
    return n;
  }

  PullRequestRecord record() {
    auto repo = store->repositoryByName(kRepo);
    EXPECT_TRUE(repo && *repo);
    auto pr = store->pullRequest(migration.name, (*repo)->id);
    EXPECT_TRUE(pr && *pr);
    return pr && *pr ? **pr : PullRequestRecord{};
  }
};

TEST_F(LifecycleTest, FirstRunOpensAPullRequest) {
  LifecycleResult r = runOk();
  EXPECT_EQ(r.outcome, LifecycleOutcome::Opened);
  EXPECT_EQ(r.filesChanged, 1u);
  EXPECT_EQ(r.rewrites, 1u);
  EXPECT_EQ(r.state, DisplayState::Open);
  ASSERT_TRUE(r.pullRequest);

  // One bot commit on the tip of main with the rewrite.
  std::string head = remote.tip(kBranch);
  ASSERT_FALSE(head.empty());
  EXPECT_EQ(r.headSha, head);
  bottest::CommitInfo c = remote.info(head);
  EXPECT_EQ(c.parents, std::vector<std::string>{remote.tip("main")});
  EXPECT_EQ(c.authorName, "godwit[bot]");
  EXPECT_NE(c.message.find("\nGodwit-Migration: user-profile-v2\n"), std::string::npos);
  EXPECT_EQ(remote.file(head, "src/Job.scala"), job(kNew));

  std::vector<test::ServerPull> pulls = server.pulls(kRepo);
  ASSERT_EQ(pulls.size(), 1u);
  const test::ServerPull& pr = pulls.front();
  EXPECT_EQ(pr.number, r.pullRequest->number);
  EXPECT_EQ(pr.head, kBranch);
  EXPECT_EQ(pr.base, "main");
  EXPECT_EQ(pr.state, "open");
  EXPECT_EQ(pr.title, "godwit: Move consumers to user_profile_v2");
  EXPECT_TRUE(isBotBody(pr.body, migration.name));
  EXPECT_NE(pr.body.find("/blob/" + remote.tip("main") + "/src/Job.scala#L2"), std::string::npos)
      << pr.body;
  std::vector<std::string> labels = pr.labels;
  std::sort(labels.begin(), labels.end());
  EXPECT_EQ(labels, (std::vector<std::string>{"dataset-migration", "godwit"}));

  PullRequestRecord rec = record();
  EXPECT_EQ(rec.number, pr.number);
  EXPECT_EQ(rec.headSha, head);
  EXPECT_EQ(rec.publication, PublicationState::Published);
  EXPECT_EQ(rec.reconcile, ReconcileState::Completed);
  EXPECT_EQ(rec.external, ExternalState::Open);
  EXPECT_EQ(eventKinds(), (std::vector<std::string>{"push", "pull_request.create", "labels.add"}));
  auto runs = store->runs(migration.name);
  ASSERT_EQ(runs->size(), 1u);
  EXPECT_EQ(runs->front().outcome, "opened");
}

TEST_F(LifecycleTest, RerunWithoutChangeDoesNothing) {
  runOk();
  std::string head = remote.tip(kBranch);
  size_t events = eventKinds().size();
  server.clearRequests();
  LifecycleResult r = runOk();
  EXPECT_EQ(r.outcome, LifecycleOutcome::Unchanged);
  EXPECT_EQ(remote.tip(kBranch), head);
  EXPECT_EQ(mutatingRequests(), 0u);
  EXPECT_EQ(eventKinds().size(), events);
  EXPECT_EQ(server.pulls(kRepo).size(), 1u);
}

TEST_F(LifecycleTest, BaseChangeRegeneratesTheCommitAndBody) {
  LifecycleResult first = runOk();
  std::string newBase = remote.commit(
      "main", {{"src/Job.scala", job(kOld)}, {"README.md", "# pipelines\n"}, {"NEW.md", "x\n"}});
  LifecycleResult r = runOk();
  EXPECT_EQ(r.outcome, LifecycleOutcome::Updated);
  std::string head = remote.tip(kBranch);
  EXPECT_NE(head, first.headSha);
  bottest::CommitInfo c = remote.info(head);
  EXPECT_EQ(c.parents, std::vector<std::string>{newBase}) << "still exactly one commit";
  EXPECT_EQ(remote.file(head, "NEW.md"), "x\n");
  EXPECT_EQ(remote.file(head, "src/Job.scala"), job(kNew));
  ASSERT_EQ(server.pulls(kRepo).size(), 1u);
  EXPECT_NE(server.pulls(kRepo).front().body.find(newBase.substr(0, 12)), std::string::npos);
  EXPECT_EQ(eventKinds(), (std::vector<std::string>{"push", "pull_request.create", "labels.add",
                                                    "push", "pull_request.update"}));
  EXPECT_EQ(record().baseSha, newBase);
}

TEST_F(LifecycleTest, AnUpdateKeepsWhatAPersonWroteInTheBody) {
  runOk();
  test::ServerPull pull = server.pulls(kRepo).front();
  // A person edits the body through the API, as the web page does.
  auto edited = client->updatePullRequest(kRepo, pull.number, pull.title,
                                          "Owner's note: ship after the freeze.\n\n" + pull.body);
  ASSERT_TRUE(edited) << edited.error().str();
  std::string newBase = remote.commit(
      "main", {{"src/Job.scala", job(kOld)}, {"README.md", "# pipelines\n"}, {"NEW.md", "x\n"}});
  EXPECT_EQ(runOk().outcome, LifecycleOutcome::Updated);
  const std::string body = server.pulls(kRepo).front().body;
  EXPECT_TRUE(body.starts_with("Owner's note: ship after the freeze.\n\n")) << body;
  EXPECT_NE(body.find(newBase.substr(0, 12)), std::string::npos) << "the bot's part is new";
}

TEST_F(LifecycleTest, WhenNeededLeavesACommitThatStillAppliesOnItsBase) {
  LifecycleResult first = runOk();
  std::string oldBase = first.baseSha;
  remote.commit("main",
                {{"src/Job.scala", job(kOld)}, {"README.md", "# pipelines\n"}, {"NEW.md", "x\n"}});
  server.clearRequests();
  LifecycleOptions o = options();
  o.rebase = RebasePolicy::WhenNeeded;
  Expected<LifecycleResult> r = runLifecycle(migration, kRepo, *client, *store, o);
  ASSERT_TRUE(r) << r.error().str();
  EXPECT_EQ(r->outcome, LifecycleOutcome::Unchanged);
  EXPECT_EQ(remote.tip(kBranch), first.headSha) << "no rebase: nothing for CI to run again";
  EXPECT_EQ(mutatingRequests(), 0u) << "the body still names the commit's own base";
  EXPECT_EQ(record().baseSha, oldBase);
  EXPECT_NE(std::find_if(progress.begin(), progress.end(),
                         [](const std::string& l) {
                           return l.find("still applies") != std::string::npos;
                         }),
            progress.end());
}

TEST_F(LifecycleTest, WhenNeededRebasesWhenTheDefaultBranchChangedAFileTheCommitChanges) {
  LifecycleResult first = runOk();
  std::string newBase = remote.commit(
      "main", {{"src/Job.scala", "// header\n" + job(kOld)}, {"README.md", "# pipelines\n"}});
  LifecycleOptions o = options();
  o.rebase = RebasePolicy::WhenNeeded;
  Expected<LifecycleResult> r = runLifecycle(migration, kRepo, *client, *store, o);
  ASSERT_TRUE(r) << r.error().str();
  EXPECT_EQ(r->outcome, LifecycleOutcome::Updated);
  std::string head = remote.tip(kBranch);
  EXPECT_NE(head, first.headSha);
  EXPECT_EQ(remote.info(head).parents, std::vector<std::string>{newBase});
  EXPECT_EQ(remote.file(head, "src/Job.scala"), "// header\n" + job(kNew));
  EXPECT_EQ(record().baseSha, newBase);
}

TEST_F(LifecycleTest, ForceRegeneratesOverACommitBySomeoneElse) {
  runOk();
  remote.commit(kBranch, {{"src/Job.scala", job(kNew) + "// tweak\n"}}, "tweak\n", "Ada",
                "ada@example.com");
  ASSERT_EQ(runOk().outcome, LifecycleOutcome::HumanEdited);
  LifecycleOptions o = options();
  o.rebase = RebasePolicy::Force;
  Expected<LifecycleResult> r = runLifecycle(migration, kRepo, *client, *store, o);
  ASSERT_TRUE(r) << r.error().str();
  EXPECT_EQ(r->outcome, LifecycleOutcome::Updated);
  std::string head = remote.tip(kBranch);
  EXPECT_EQ(remote.file(head, "src/Job.scala"), job(kNew)) << "the bot's commit again";
  EXPECT_EQ(remote.info(head).parents, std::vector<std::string>{remote.tip("main")});
  EXPECT_FALSE(record().humanEdited);
}

TEST_F(LifecycleTest, HumanCommitStopsPushesWithOneComment) {
  runOk();
  std::string human = remote.commit(kBranch, {{"src/Job.scala", job(kNew) + "// tweak\n"}},
                                    "tweak\n", "Ada", "ada@example.com");
  remote.commit("main", {{"src/Job.scala", job(kOld)}, {"OTHER.md", "y\n"}});
  LifecycleResult r = runOk();
  EXPECT_EQ(r.outcome, LifecycleOutcome::HumanEdited);
  EXPECT_EQ(remote.tip(kBranch), human) << "never pushes over a human commit";
  int64_t number = server.pulls(kRepo).front().number;
  auto comments = server.comments(kRepo, number);
  ASSERT_EQ(comments.size(), 1u);
  EXPECT_NE(comments.front().body.find(kHumanEditedMarker), std::string::npos);
  EXPECT_NE(comments.front().body.find("Ada"), std::string::npos);
  EXPECT_TRUE(record().humanEdited);

  server.clearRequests();
  LifecycleResult again = runOk();
  EXPECT_EQ(again.outcome, LifecycleOutcome::HumanEdited);
  EXPECT_EQ(mutatingRequests(), 0u) << "the comment is left once";
  EXPECT_EQ(server.comments(kRepo, number).size(), 1u);
  EXPECT_EQ(remote.tip(kBranch), human);
}

TEST_F(LifecycleTest, HandMigratedRepositoryClosesThePullRequest) {
  LifecycleResult first = runOk();
  remote.commit("main", {{"src/Job.scala", job(kNew)}, {"README.md", "# pipelines\n"}},
                "migrated by hand\n");
  LifecycleResult r = runOk();
  EXPECT_EQ(r.outcome, LifecycleOutcome::Closed);
  EXPECT_EQ(r.state, DisplayState::Closed);
  test::ServerPull pr = *server.pull(kRepo, first.pullRequest->number);
  EXPECT_EQ(pr.state, "closed");
  EXPECT_FALSE(pr.merged);
  auto comments = server.comments(kRepo, pr.number);
  ASSERT_EQ(comments.size(), 1u);
  EXPECT_NE(comments.front().body.find(kClosedMarker), std::string::npos);
  EXPECT_EQ(remote.tip(kBranch), "") << "the bot branch is deleted";
  PullRequestRecord rec = record();
  EXPECT_TRUE(rec.closedByBot);
  EXPECT_EQ(rec.external, ExternalState::Closed);
  EXPECT_EQ(eventKinds(),
            (std::vector<std::string>{"push", "pull_request.create", "labels.add", "comment",
                                      "pull_request.close", "branch.delete"}));
  // Nothing more to do afterwards.
  server.clearRequests();
  EXPECT_EQ(runOk().outcome, LifecycleOutcome::NoChanges);
  EXPECT_EQ(mutatingRequests(), 0u);
}

TEST_F(LifecycleTest, PullRequestClosedByAHumanIsNeverReopened) {
  LifecycleResult first = runOk();
  ASSERT_TRUE(client->closePullRequest(kRepo, first.pullRequest->number));
  remote.commit("main", {{"src/Job.scala", job(kOld)}, {"NEW.md", "z\n"}});
  server.clearRequests();
  LifecycleResult r = runOk();
  EXPECT_EQ(r.outcome, LifecycleOutcome::ClosedByHuman);
  EXPECT_EQ(r.state, DisplayState::Closed);
  EXPECT_EQ(mutatingRequests(), 0u);
  EXPECT_EQ(remote.tip(kBranch), first.headSha) << "no push either";
  ASSERT_EQ(server.pulls(kRepo).size(), 1u);
  EXPECT_EQ(server.pulls(kRepo).front().state, "closed");
}

TEST_F(LifecycleTest, MergedPullRequestWithNothingLeftIsRecordedMerged) {
  LifecycleResult first = runOk();
  // The change landed on main (as a merge does) and GitHub reports the pull request merged.
  remote.commit("main", {{"src/Job.scala", job(kNew)}, {"README.md", "# pipelines\n"}}, "merge\n");
  test::ServerPull merged;
  merged.title = "merged";
  merged.head = kBranch;
  merged.base = "main";
  merged.headSha = first.headSha;
  merged.state = "closed";
  merged.merged = true;
  server.addPull(kRepo, merged);
  server.clearRequests();
  LifecycleResult r = runOk();
  EXPECT_EQ(r.outcome, LifecycleOutcome::Merged);
  EXPECT_EQ(r.state, DisplayState::Merged);
  EXPECT_EQ(mutatingRequests(), 0u);
  EXPECT_EQ(record().external, ExternalState::Merged);
}

TEST_F(LifecycleTest, NewReferencesAfterAMergeOpenANewPullRequest) {
  // An earlier pull request of the migration was merged and its branch deleted on merge.
  test::ServerPull merged;
  merged.title = "merged";
  merged.head = kBranch;
  merged.base = "main";
  merged.headSha = remote.tip("main");
  merged.state = "closed";
  merged.merged = true;
  int64_t mergedNumber = server.addPull(kRepo, merged);
  std::string newBase = remote.commit(
      "main", {{"src/Job.scala", job(kNew)}, {"src/Late.scala", job(kOld)}}, "late user\n");
  LifecycleResult r = runOk();
  EXPECT_EQ(r.outcome, LifecycleOutcome::Opened);
  ASSERT_TRUE(r.pullRequest);
  EXPECT_GT(r.pullRequest->number, mergedNumber);
  EXPECT_EQ(remote.info(remote.tip(kBranch)).parents, std::vector<std::string>{newBase});
  EXPECT_EQ(remote.file(remote.tip(kBranch), "src/Late.scala"), job(kNew));
}

TEST_F(LifecycleTest, CrashBetweenPushAndPullRequestCreationIsAdopted) {
  // The pull request cannot be created (the server keeps failing): the push happened.
  for (int i = 0; i < 6; ++i)
    server.failNext({502, {}, R"({"message":"Bad Gateway"})", "POST", "/pulls"});
  Expected<LifecycleResult> failed = run();
  ASSERT_FALSE(failed);
  std::string head = remote.tip(kBranch);
  ASSERT_FALSE(head.empty());
  EXPECT_TRUE(server.pulls(kRepo).empty());
  PullRequestRecord rec = record();
  EXPECT_EQ(rec.reconcile, ReconcileState::Errored);
  EXPECT_EQ(rec.display(), DisplayState::Retrying);
  EXPECT_EQ(rec.numFailures, 1);

  LifecycleResult r = runOk();
  EXPECT_EQ(r.outcome, LifecycleOutcome::Opened);
  EXPECT_EQ(remote.tip(kBranch), head) << "the pushed commit is reused";
  ASSERT_EQ(server.pulls(kRepo).size(), 1u);
  EXPECT_EQ(record().numFailures, 0);
  std::vector<std::string> kinds = eventKinds();
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "push"), 1);
}

TEST_F(LifecycleTest, PullRequestOpenedButNotRecordedIsAdoptedByHead) {
  LifecycleResult first = runOk();
  // The store is lost (or the process died before recording): the code host is the truth.
  std::filesystem::remove_all(tmp.path() / "state");
  openStore();
  server.clearRequests();
  LifecycleResult r = runOk();
  EXPECT_EQ(r.outcome, LifecycleOutcome::Opened);
  EXPECT_EQ(r.pullRequest->number, first.pullRequest->number);
  EXPECT_TRUE(server.requests("POST", "/pulls").empty()) << "no second pull request";
  EXPECT_EQ(server.pulls(kRepo).size(), 1u);
  EXPECT_EQ(record().number, first.pullRequest->number);
}

TEST_F(LifecycleTest, UnprocessableCreateIsAdopted) {
  LifecycleResult first = runOk();
  std::filesystem::remove_all(tmp.path() / "state");
  openStore();
  // The search misses the pull request (GitHub's lists lag behind writes); creating it then
  // answers 422 "already exists" and the client adopts the open one.
  server.failNext({200, {}, "[]", "GET", "/pulls"});
  server.clearRequests();
  LifecycleResult r = runOk();
  EXPECT_EQ(r.outcome, LifecycleOutcome::Opened);
  ASSERT_TRUE(r.pullRequest);
  EXPECT_EQ(r.pullRequest->number, first.pullRequest->number);
  EXPECT_EQ(server.requests("POST", "/pulls").size(), 1u);
  EXPECT_EQ(server.pulls(kRepo).size(), 1u);
}

TEST_F(LifecycleTest, SecondaryRateLimitRetryAfterIsHonoured) {
  server.failNext({403,
                   {{"retry-after", "7"}},
                   R"({"message":"You have exceeded a secondary rate limit. Please wait."})",
                   "POST",
                   "/pulls"});
  LifecycleResult r = runOk();
  EXPECT_EQ(r.outcome, LifecycleOutcome::Opened);
  std::vector<Millis> sleeps = clock->sleeps();
  EXPECT_NE(std::find_if(sleeps.begin(), sleeps.end(),
                         [](Millis m) { return m >= Millis(7000) && m < Millis(8000); }),
            sleeps.end());
  EXPECT_EQ(server.requests("POST", "/pulls").size(), 2u);
  EXPECT_EQ(server.pulls(kRepo).size(), 1u);
}

TEST_F(LifecycleTest, DryRunTouchesNothing) {
  LifecycleResult r = runOk(/*dryRun=*/true);
  EXPECT_TRUE(r.dryRun);
  EXPECT_EQ(r.outcome, LifecycleOutcome::Opened);
  EXPECT_EQ(remote.tip(kBranch), "") << "no push";
  EXPECT_EQ(mutatingRequests(), 0u) << "no API mutation";
  EXPECT_TRUE(server.pulls(kRepo).empty());
  EXPECT_TRUE(store->events("")->empty()) << "no store write";
  EXPECT_TRUE(store->runs("")->empty());
  EXPECT_FALSE(*store->repositoryByName(kRepo));
  ASSERT_GE(r.actions.size(), 3u);
  for (const std::string& action : r.actions)
    EXPECT_TRUE(action.starts_with("would ")) << action;
  EXPECT_NE(r.actions[0].find("push " + kBranch), std::string::npos);
  EXPECT_NE(r.patch.find("+  val table = \"" + kNew + "\""), std::string::npos) << r.patch;

  // A dry run over an existing pull request plans the update and changes nothing either.
  runOk();
  remote.commit("main", {{"src/Job.scala", job(kOld)}, {"NEW.md", "x\n"}});
  std::string head = remote.tip(kBranch);
  size_t events = eventKinds().size();
  server.clearRequests();
  LifecycleResult planned = runOk(true);
  EXPECT_EQ(planned.outcome, LifecycleOutcome::Updated);
  EXPECT_EQ(remote.tip(kBranch), head);
  EXPECT_EQ(mutatingRequests(), 0u);
  EXPECT_EQ(eventKinds().size(), events);
}

TEST_F(LifecycleTest, ArchivedRepositoryIsSkippedAndRecorded) {
  server.addRepository({"acme/old", "main", remote.url(), /*archived=*/true});
  Expected<LifecycleResult> r = runLifecycle(migration, "acme/old", *client, *store, options());
  ASSERT_TRUE(r) << r.error().str();
  EXPECT_EQ(r->outcome, LifecycleOutcome::Skipped);
  EXPECT_EQ(mutatingRequests(), 0u);
  EXPECT_FALSE(std::filesystem::exists(tmp.path() / "cache")) << "not even cloned";
  auto repo = store->repositoryByName("acme/old");
  ASSERT_TRUE(repo && *repo);
  EXPECT_TRUE((*repo)->archived);
  EXPECT_EQ(store->runs(migration.name)->back().outcome, "skipped");
}

TEST_F(LifecycleTest, RepeatedFailuresEndInFailedUntilRetried) {
  server.addRepository({"acme/broken", "main", "file://" + (tmp.path() / "nowhere.git").string()});
  LifecycleOptions o = options();
  o.maxFailures = 2;
  for (int i = 1; i <= 2; ++i) {
    Expected<LifecycleResult> r = runLifecycle(migration, "acme/broken", *client, *store, o);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("cannot fetch"), std::string::npos) << r.error().str();
  }
  int64_t id = (*store->repositoryByName("acme/broken"))->id;
  PullRequestRecord rec = **store->pullRequest(migration.name, id);
  EXPECT_EQ(rec.numFailures, 2);
  EXPECT_EQ(rec.reconcile, ReconcileState::Failed);
  EXPECT_EQ(rec.display(), DisplayState::Failed);

  Expected<LifecycleResult> skipped = runLifecycle(migration, "acme/broken", *client, *store, o);
  ASSERT_TRUE(skipped);
  EXPECT_EQ(skipped->outcome, LifecycleOutcome::Failed);
  ASSERT_EQ(skipped->warnings.size(), 1u);
  EXPECT_NE(skipped->warnings[0].find("--retry"), std::string::npos);

  o.retryFailed = true;
  EXPECT_FALSE(runLifecycle(migration, "acme/broken", *client, *store, o));
  EXPECT_EQ((**store->pullRequest(migration.name, id)).numFailures, 3);
}

TEST_F(LifecycleTest, DefaultLabelsAreCreatedAndNoReviewersRequested) {
  LifecycleResult r = runOk();
  ASSERT_TRUE(r.pullRequest);
  EXPECT_FALSE(server.pulls(kRepo).front().draft);
  EXPECT_TRUE(server.requests("POST", "/requested_reviewers").empty());
  std::vector<test::ServerLabel> labels = server.labels(kRepo);
  EXPECT_EQ(labels.size(), 2u) << "the labels are created in the repository";
}

TEST_F(LifecycleTest, DraftCustomLabelsAndReviewersFromOptions) {
  LifecycleOptions o = options();
  PullRequestOptions pr = pullRequestOptions(migration);
  pr.title = "Move to user_profile_v2";
  pr.draft = true;
  pr.labels = {"data-platform"};
  pr.reviewers = {"ada", "acme/data-eng"};
  o.pullRequest = pr;
  Expected<LifecycleResult> r = runLifecycle(migration, kRepo, *client, *store, o);
  ASSERT_TRUE(r) << r.error().str();
  EXPECT_EQ(r->outcome, LifecycleOutcome::Opened);
  EXPECT_EQ(r->state, DisplayState::Draft);
  ASSERT_EQ(server.pulls(kRepo).size(), 1u);
  test::ServerPull created = server.pulls(kRepo).front();
  EXPECT_TRUE(created.draft);
  EXPECT_EQ(created.title, "Move to user_profile_v2");
  EXPECT_EQ(created.labels, std::vector<std::string>{"data-platform"});
  EXPECT_EQ(created.requestedReviewers, std::vector<std::string>{"ada"});
  EXPECT_EQ(created.requestedTeams, std::vector<std::string>{"data-eng"});
  EXPECT_EQ(record().publication, PublicationState::Draft);
  std::vector<std::string> kinds = eventKinds();
  EXPECT_EQ(kinds, (std::vector<std::string>{"push", "pull_request.create", "labels.add",
                                             "reviewers.request"}));
}

TEST_F(LifecycleTest, TokenStaysOutOfCacheStoreAndOutputs) {
  LifecycleResult r = runOk();
  remote.commit("main", {{"src/Job.scala", job(kNew)}});
  runOk();
  std::string everything =
      bottest::slurpTree(tmp.path() / "cache") + bottest::slurpTree(tmp.path() / "state");
  for (const std::string& line : progress)
    everything += line;
  for (const std::string& line : r.actions)
    everything += line;
  EXPECT_EQ(everything.find(kToken), std::string::npos);
  EXPECT_EQ(everything.find("x-access-token"), std::string::npos);
}

} // namespace
} // namespace godwit
