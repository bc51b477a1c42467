#pragma once
// The bot's git side (libgit2): a bare cache per repository, a checkout of the default branch for
// the analysis, and the one bot commit on `godwit/<migration>` pushed with a lease.

#include "bot/github/CodeHost.h"
#include "rewriters/Patch.h"
#include "rules/Expected.h"

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

struct git_credential;
struct git_repository;

namespace godwit {

/// Who the bot's commits are by; a commit by anyone else makes a branch human-edited.
struct GitIdentity {
  std::string name = "godwit[bot]";
  std::string email = "godwit[bot]@users.noreply.godwit.invalid";
};

/// Returns the token git sends as the password of `x-access-token`; asked lazily, never logged.
using TokenProvider = std::function<Expected<std::string>()>;

/// Where the caches live and who commits.
struct WorkspaceOptions {
  std::filesystem::path cacheDir; ///< Empty means defaultCacheDir().
  GitIdentity identity;
  TokenProvider token; ///< Empty means no credentials are offered.
  /// Told what was done to the cache beyond a fetch (a damaged cache cloned again, the partial
  /// clone of a killed run removed). May be empty.
  std::function<void(const std::string&)> log;
};

/// `$XDG_CACHE_HOME/godwit/repos`, else `~/.cache/godwit/repos`.
std::filesystem::path defaultCacheDir();

/// The bare cache of a repository: `<cacheDir>/<host>/<owner>/<name>.git` (`local` for file://).
Expected<std::filesystem::path> cachePath(const std::filesystem::path& cacheDir,
                                          const std::string& cloneUrl, const std::string& fullName);

/// What the credentials callback needs: the token source and how often it was asked.
struct CredentialState {
  TokenProvider token;
  int attempts = 0;
  std::string issued; ///< The token handed out, kept only to redact it from error messages.
};

/// The libgit2 credentials callback (`payload` is a CredentialState): user `x-access-token` and
/// the token, once per operation, so a rejected token fails instead of looping.
int acquireCredential(git_credential** out, const char* url, const char* usernameFromUrl,
                      unsigned int allowedTypes, void* payload);

/// `text` with `secret` and the base64 of `x-access-token:<secret>` replaced by `***`.
std::string redactSecret(std::string text, const std::string& secret);

/// A bot branch as the remote has it (after the last fetch).
struct BranchState {
  std::string tip;                  ///< Commit id (hex).
  std::string tree;                 ///< The tip's tree id.
  std::vector<std::string> parents; ///< The tip's parents.
  size_t commits = 0;               ///< Commits on the branch that the base branch lacks.
  bool humanEdited = false;         ///< One of those commits is not by the bot.
  std::string humanCommit;          ///< The first such commit, when humanEdited.
  std::string humanName;            ///< Its author (or committer) that is not the bot.
};

/// True when `branch` is exactly the bot commit of `tree` on top of `baseSha` (a re-run with the
/// same patch on the same base has nothing to push).
bool branchIsCurrent(const BranchState& branch, const std::string& baseSha,
                     const std::string& tree);

/// The tip of `branch` on the remote at `url`, asked without fetching anything (what
/// `git ls-remote` prints); nullopt when the branch does not exist. The sweep uses it to see
/// that a repository has not changed since its last analysis.
Expected<std::optional<std::string>> remoteBranchTip(const std::string& url,
                                                     const std::string& branch,
                                                     const TokenProvider& token);

/// The branch the remote at `url` names as its HEAD (its default branch), asked without
/// fetching; empty when the remote does not say (an empty repository).
Expected<std::string> remoteDefaultBranch(const std::string& url, const TokenProvider& token);

/// A checked-out tree in a temporary directory, removed on destruction.
class Checkout {
public:
  explicit Checkout(std::filesystem::path dir) : dir_(std::move(dir)) {}
  Checkout(Checkout&& other) noexcept : dir_(std::move(other.dir_)) { other.dir_.clear(); }
  Checkout& operator=(Checkout&&) = delete;
  Checkout(const Checkout&) = delete;
  ~Checkout();

  /// The directory holding the files.
  const std::filesystem::path& path() const { return dir_; }

private:
  std::filesystem::path dir_;
};

/// The bare cache of one repository with `origin` pointing at its clone URL (never a token).
/// While open it holds a shared claim on the cache (an flock on `<cache>/godwit-in-use`), so
/// that a run can tell it is alone with the cache before removing what a killed run left.
class Workspace {
public:
  /// Opens the cache of `repo` and fetches all branches. A first clone is made under a partial
  /// name next to the cache and renamed when complete; a cache folder that is not a repository
  /// is cloned again; git lock files in the cache are removed when no other workspace (in any
  /// process) has it open.
  static Expected<Workspace> open(const Repository& repo, const WorkspaceOptions& options);

  Workspace(Workspace&& other) noexcept;
  Workspace& operator=(Workspace&&) = delete;
  Workspace(const Workspace&) = delete;
  ~Workspace();

  /// The bare repository's directory.
  const std::filesystem::path& gitDir() const { return gitDir_; }

  /// Fetches all branches of `origin` (pruning deleted ones).
  Expected<void> fetch();

  /// The branch the remote's HEAD names (its default branch) as of the last fetch; empty when
  /// the remote did not say.
  const std::string& remoteHead() const { return remoteHead_; }

  /// The tip of `branch` on the remote as of the last fetch or push; nullopt when absent.
  Expected<std::optional<std::string>> remoteTip(const std::string& branch) const;

  /// Writes the tree of commit `sha` to a fresh temporary directory, byte for byte (no filters).
  Expected<Checkout> checkout(const std::string& sha) const;

  /// The remote `branch` and whether anyone but the bot committed to it since `baseBranch`.
  Expected<std::optional<BranchState>> inspectBranch(const std::string& branch,
                                                     const std::string& baseBranch) const;

  /// The tree of commit `baseSha` with `changes` applied; each change's `before` must match.
  Expected<std::string> patchedTree(const std::string& baseSha,
                                    const std::vector<FileChange>& changes) const;

  /// The tree of `ontoSha` with the change of commit `commitSha` (against its first parent)
  /// undone, by a three-way merge; nullopt when that conflicts (a person must revert it).
  Expected<std::optional<std::string>> revertedTree(const std::string& commitSha,
                                                    const std::string& ontoSha) const;
  /// Creates (without moving any ref) the bot commit of `tree` on top of `baseSha`.
  Expected<std::string> createCommit(const std::string& baseSha, const std::string& tree,
                                     const std::string& message) const;

  /// Force-pushes `sha` to `branch` only if the remote branch is still at `expected` (empty: must
  /// not exist); fails when the remote moved or rejected the update.
  Expected<void> push(const std::string& branch, const std::string& sha,
                      const std::string& expected);

private:
  Workspace(git_repository* repo, std::filesystem::path gitDir, std::string cloneUrl,
            WorkspaceOptions options);
  Error gitError(const std::string& what) const;

  git_repository* repo_ = nullptr;
  std::filesystem::path gitDir_;
  WorkspaceOptions options_;
  std::string remoteHead_;
  std::string cloneUrl_; ///< Fetched from and pushed to; the cache keeps no remote of its own.
  int claim_ = -1; ///< The flock held on the cache; -1 for none.
};

} // namespace godwit
