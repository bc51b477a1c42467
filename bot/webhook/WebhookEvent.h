#pragma once
// The payload reader of the GitHub App: a delivery's event name (X-GitHub-Event) and raw JSON
// body become a typed event holding what the event handler needs (docs/app.md). Events and
// actions the App does not act on are a value (IgnoredEvent); a body that is not the JSON GitHub
// sends is an Error naming the field at fault.

#include "bot/github/CodeHost.h"
#include "rules/Expected.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace godwit {

/// `pull_request` closed, reopened or synchronize.
struct PullRequestEvent {
  int64_t number = 0;
  bool merged = false;
  std::string headRef;
  std::string headSha;
  std::string baseRef;
  std::string user; ///< Who opened it.
};

/// `push`: a branch or tag moved, was created or was deleted.
struct PushEvent {
  std::string ref; ///< `refs/heads/main`, `refs/tags/v1`.
  std::string before;
  std::string after;  ///< All zeros when the ref was deleted.
  std::string pusher; ///< The pusher's name (their login on github.com).
  bool deleted = false;
};

/// `issue_comment` created, on an issue or a pull request.
struct IssueCommentEvent {
  int64_t issueNumber = 0;
  bool onPullRequest = false; ///< The issue has `pull_request`: the comment is on a pull request.
  std::string body;
  std::string authorAssociation; ///< `OWNER`, `MEMBER`, `COLLABORATOR`, `CONTRIBUTOR`, `NONE`, …
  std::string user;
};

/// `installation` created or deleted, `installation_repositories` added or removed.
struct InstallationEvent {
  std::vector<Repository> added;   ///< Only id and full name are known.
  std::vector<Repository> removed; ///< Only id and full name are known.
};

/// `repository` renamed, transferred, archived, unarchived, edited (default branch) or deleted.
struct RepositoryEvent {
  std::string previousFullName; ///< For renamed and transferred: the name before; else empty.
};

/// `check_suite` and `check_run` completed, and `status`: the CI state of a commit.
struct CiEvent {
  std::string headSha;
  std::string state; ///< The conclusion (`success`, `failure`, …) or the status state.
  std::string name;  ///< The check run's name or the status context; empty for a suite.
  std::vector<int64_t> pullRequests; ///< Pull request numbers the check names; none for status.
};

/// An event or action the App does not act on (acknowledged, counted, not processed).
struct IgnoredEvent {
  std::string reason;
};

/// One delivery as read. The common fields are filled whatever the event, when the payload has
/// them.
struct WebhookEvent {
  std::string event;  ///< X-GitHub-Event.
  std::string action; ///< The payload's `action`; empty when it has none (push, status).
  std::optional<Repository> repository; ///< `repository`, when the payload has one.
  int64_t installationId = 0;           ///< `installation.id`; 0 when none.
  std::string sender;                   ///< `sender.login`.
  std::variant<IgnoredEvent, PullRequestEvent, PushEvent, IssueCommentEvent, InstallationEvent,
               RepositoryEvent, CiEvent>
      details;

  /// Whether the App does not act on it.
  bool ignored() const { return std::holds_alternative<IgnoredEvent>(details); }
};

/// Reads the body of a delivery of `event`. An Error when the body is not a JSON object or a
/// field the event needs is missing or of the wrong type; the message names the field.
Expected<WebhookEvent> readWebhookEvent(std::string_view event, std::string_view body);

} // namespace godwit
