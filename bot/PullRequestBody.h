#pragma once
// What the bot writes: the pull request's title, labels and Markdown body, the commit message and
// the comments, each with a hidden marker so the bot recognizes its own text.

#include "bot/github/CodeHost.h"
#include "rewriters/Engine.h"
#include "rules/Migration.h"

#include <optional>
#include <string>
#include <vector>

namespace godwit {

/// How the bot opens its pull request (the migration's optional `pullRequest:` section).
struct PullRequestOptions {
  std::string title;                  ///< Never empty once resolved.
  std::string body;                   ///< Markdown from the migration, shown first; may be empty.
  std::vector<std::string> labels;    ///< Added to the pull request (created when missing).
  bool draft = false;                 ///< Open as a draft.
  std::vector<std::string> reviewers; ///< Logins, or `org/team` for teams.
  std::string docs;                   ///< URL of the migration's documentation; may be empty.
};

/// The labels when the migration names none.
inline const std::vector<std::string>& defaultLabels() {
  static const std::vector<std::string> labels = {"godwit", "dataset-migration"};
  return labels;
}

/// The default title: `godwit: <first line of the description>`, else `godwit: migrate <name>`.
std::string defaultTitle(const Migration& migration);

/// The pull-request options of a migration: its `pullRequest:` section over the defaults.
PullRequestOptions pullRequestOptions(const Migration& migration);

/// The bot's branch: `godwit/<name>` with characters git or URLs dislike replaced by `-`.
std::string branchName(const std::string& migrationName);

/// The hidden marker that starts every bot pull request body of `migrationName`.
std::string pullRequestMarker(const std::string& migrationName);

/// Whether `body` carries the marker of `migrationName`.
bool isBotBody(const std::string& body, const std::string& migrationName);

/// The hidden marker that ends the bot's part of a pull request body: what people write before
/// the start marker or after this one is theirs, kept by every update.
inline constexpr const char* kBodyEndMarker = "<!-- godwit:end -->";

/// The body to write over `current` (the pull request's body now) when the bot's part is now
/// `generated`: people's text around the bot's part is kept, and so are the attention items they
/// ticked. When `current` no longer holds the bot's start marker (a person replaced the body),
/// or the result would be too long, `current` itself: a person's edit is never overwritten.
std::string mergeBody(const std::string& current, const std::string& generated,
                      const std::string& migrationName);

/// The marker of the one comment saying the branch was edited by someone else.
inline constexpr const char* kHumanEditedMarker = "<!-- godwit:human-edited -->";
/// The marker of the comment the bot leaves when it closes its pull request.
inline constexpr const char* kClosedMarker = "<!-- godwit:closed -->";

/// The most a body may hold (GitHub refuses more than 65536 characters).
inline constexpr size_t kMaxBodySize = 60000;

/// Rewrites the patch holds: unsuppressed rewrite findings in changed files.
size_t countRewrites(const RunResult& result);

/// References a human must look at: unsuppressed attention findings, and rewrites whose file the
/// engine left unchanged.
size_t countAttention(const RunResult& result);

/// The pull request body: what changed and why, the datasets, a table of edits per file with
/// links to the lines at `baseSha`, the attention items as a task list, how to control the bot.
std::string renderPullRequestBody(const Migration& migration, const PullRequestOptions& options,
                                  const Repository& repo, const std::string& baseSha,
                                  const RunResult& result);

/// The commit message: the title, a short summary, and the `Godwit-Migration: <name>` trailer.
std::string renderCommitMessage(const Migration& migration, const PullRequestOptions& options,
                                const RunResult& result);

/// The comment left once when someone else committed to the bot's branch.
std::string renderHumanEditedComment(const Migration& migration, const std::string& branch,
                                     const std::string& who, const std::string& commit);

/// The comment left when the bot closes its pull request because nothing is left to rewrite;
/// lists the references that still need a human, if any.
std::string renderClosingComment(const Migration& migration, const Repository& repo,
                                 const std::string& baseSha, const RunResult& result);

} // namespace godwit
