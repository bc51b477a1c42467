#pragma once
// The pull-request lifecycle of one migration in one repository: what `godwit pr` runs.
// Fetch, analyze the default branch, then open, update, leave alone or close the bot's pull
// request, recording every code-host mutation in the store's event log.

#include "bot/PullRequestBody.h"
#include "bot/git/Workspace.h"
#include "bot/github/CodeHost.h"
#include "bot/store/ChangesetState.h"
#include "bot/store/Store.h"
#include "rewriters/Engine.h"
#include "rules/Migration.h"

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace godwit {

/// When the bot moves its commit onto a new tip of the default branch.
enum class RebasePolicy {
  OnBaseMove, ///< Whenever the default branch moved (`godwit pr`, the runner's sweep).
  /// Only when the change no longer applies as it is: the analysis of the new tip differs, or
  /// the default branch changed a file the commit changes. The App's pushes; no rebase storms.
  WhenNeeded,
  Force, ///< Always onto the new tip, even over commits by others (`/godwit rebase`).
};

/// Runs the engine over a checkout: runMigration itself, or the same run in a worker process
/// (bot/fleet/AnalysisWorker.h).
using Analysis = std::function<Expected<RunResult>(const Migration&, const RunOptions&)>;

/// How a lifecycle run behaves.
struct LifecycleOptions {
  std::filesystem::path cacheDir; ///< Git caches; empty means defaultCacheDir().
  GitIdentity identity;           ///< Author and committer of the bot commit.
  bool dryRun = false;            ///< Report what would be done; push, mutate and record nothing.
  bool retryFailed = false;       ///< Run even when the store marks the pull request failed.
  int maxFailures = 3;            ///< Consecutive failures before the pull request is `failed`.
  RebasePolicy rebase = RebasePolicy::OnBaseMove;
  RunOptions run;                 ///< Engine options; `root` is set to the checkout.
  Analysis analyze;               ///< Runs the engine; empty means runMigration in this process.
  /// Replaces the options from the migration's `pullRequest:` section (e.g. from CLI flags).
  std::optional<PullRequestOptions> pullRequest;
  std::function<void(const std::string&)> progress; ///< Progress lines; may be empty.
  /// Lines worth a log even where progress is not shown (a damaged git cache cloned again),
  /// prefixed with the repository. Empty sends them to `progress`.
  std::function<void(const std::string&)> log;
  /// Called on the checkout before the analysis: may narrow the run (excludes) and change the
  /// pull request (reviewers). False leaves the repository alone (outcome OptedOut); so does an
  /// error, the repository's configuration being invalid (outcome InvalidConfig, the error the
  /// first warning). May be empty; repoConfigHook() (bot/RepoConfig.h) reads `.godwit.yaml`.
  std::function<Expected<bool>(const std::filesystem::path& checkout, RunOptions& run,
                               PullRequestOptions& pullRequest)>
      prepare;
  /// Asked before the bot pushes the branch of a pull request it is about to open (never for one
  /// that is open already). False stops the run with nothing pushed (outcome Deferred); the fleet
  /// runner's limits decide here. Empty means always.
  std::function<Expected<bool>(const Repository& repo)> mayOpen;
};

/// What a run ended with.
enum class LifecycleOutcome {
  Skipped,       ///< The repository is archived.
  NoChanges,     ///< Nothing to rewrite and no pull request open.
  Opened,        ///< A pull request was opened (or an existing one adopted).
  Updated,       ///< The branch was regenerated or the pull request's text updated.
  Unchanged,     ///< The pull request is up to date.
  Merged,        ///< The pull request was merged and nothing is left to rewrite.
  Closed,        ///< Nothing left to rewrite: the bot closed its pull request.
  HumanEdited,   ///< Someone else committed to the branch: the bot leaves it alone.
  ClosedByHuman, ///< A person closed the pull request unmerged: never reopened.
  Failed,        ///< Failed too often; skipped until retried.
  Deferred,      ///< A pull request is due but `mayOpen` said not now; nothing was pushed.
  OptedOut,      ///< `prepare` said to leave the repository alone.
  InvalidConfig, ///< `prepare` found the repository's configuration invalid; left alone.
};

/// The outcome's name as printed and stored (e.g. `closed-by-human`).
std::string_view toString(LifecycleOutcome outcome);

/// The result the CLI prints.
struct LifecycleResult {
  std::string repository; ///< `owner/name`.
  int64_t repositoryId = 0; ///< The code host's id, once looked up.
  LifecycleOutcome outcome = LifecycleOutcome::NoChanges;
  bool dryRun = false;
  std::vector<std::string> actions;  ///< Done in order (with --dry-run: what would be done).
  std::vector<std::string> warnings; ///< Steps that failed without stopping the run.
  std::optional<PullRequest> pullRequest;
  DisplayState state = DisplayState::Unpublished; ///< The pull request's state after the run.
  std::string baseSha;                            ///< The default branch tip that was analyzed.
  std::string headSha;                            ///< The bot branch tip after the run.
  size_t filesChanged = 0;
  size_t rewrites = 0;
  size_t attention = 0;
  std::vector<std::string> attentionItems; ///< `file:line:col: reason` of each attention item.
  std::vector<Error> fileErrors; ///< Per-file engine errors that did not stop the run.
  std::string patch;             ///< With --dry-run: the diff that would be committed.
  std::chrono::nanoseconds gitTime{0};      ///< Spent fetching and checking out.
  std::chrono::nanoseconds analysisTime{0}; ///< Spent in `prepare` and the engine.
};

/// Runs the lifecycle of `migration` for repository `fullName`. An Error means the run stopped
/// (it is recorded as errored, or failed after `maxFailures` in a row, unless --dry-run).
Expected<LifecycleResult> runLifecycle(const Migration& migration, const std::string& fullName,
                                       CodeHost& host, Store& store,
                                       const LifecycleOptions& options);

} // namespace godwit
