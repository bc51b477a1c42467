#include "bot/webhook/WebhookEvent.h"

#include "rules/Text.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace godwit {
namespace {

using json = nlohmann::json;

// Reads fields by dotted path and keeps the first problem, so that a reader reads on with
// defaults and the caller reports one error naming the field.
class Fields {
public:
  explicit Fields(std::string event) : event_(std::move(event)) {}

  /// The value at `path` under `from`; nullptr when it or an object on the way is missing or
  /// null. `where` is `from`'s own path, for messages.
  const json* find(const json& from, std::string_view path, const std::string& where = {}) {
    const json* at = &from;
    std::string walked = where;
    size_t begin = 0;
    while (begin <= path.size()) {
      size_t end = std::min(path.find('.', begin), path.size());
      std::string key(path.substr(begin, end - begin));
      if (!at->is_object()) {
        fail(walked, "is not an object");
        return nullptr;
      }
      auto it = at->find(key);
      walked += (walked.empty() ? "" : ".") + key;
      if (it == at->end() || it->is_null())
        return nullptr;
      at = &*it;
      begin = end + 1;
    }
    return at;
  }

  std::string text(const json& from, std::string_view path, bool required,
                   const std::string& where = {}) {
    return value<std::string>(from, path, required, where, &json::is_string, "is not a string");
  }

  int64_t integer(const json& from, std::string_view path, bool required,
                  const std::string& where = {}) {
    return value<int64_t>(from, path, required, where, &json::is_number_integer,
                          "is not an integer");
  }

  bool flag(const json& from, std::string_view path, bool required,
            const std::string& where = {}) {
    return value<bool>(from, path, required, where, &json::is_boolean, "is not true or false");
  }

  /// The array at `path`; empty (and an error when required) when it is missing.
  const json& array(const json& from, std::string_view path, bool required) {
    static const json kEmpty = json::array();
    const json* v = find(from, path);
    if (!v) {
      if (required)
        fail(std::string(path), "is missing");
      return kEmpty;
    }
    if (!v->is_array()) {
      fail(std::string(path), "is not an array");
      return kEmpty;
    }
    return *v;
  }

  void fail(const std::string& path, const std::string& what) {
    if (!error_)
      error_ = makeError(event_ + " payload: `" + path + "` " + what,
                         "GitHub sends this field; check that the delivery comes from GitHub with "
                         "`Content-Type: application/json`");
  }

  const std::optional<Error>& error() const { return error_; }

private:
  // The value at `path` if `is` says it has type T; else T{} (and an error when it is required
  // or of another type).
  template <class T>
  T value(const json& from, std::string_view path, bool required, const std::string& where,
          bool (json::*is)() const noexcept, const char* wrongType) {
    const json* v = find(from, path, where);
    if (!v) {
      if (required)
        fail(join(where, path), "is missing");
      return T{};
    }
    if (!(v->*is)()) {
      fail(join(where, path), wrongType);
      return T{};
    }
    return v->get<T>();
  }

  static std::string join(const std::string& where, std::string_view path) {
    return where.empty() ? std::string(path) : where + "." + std::string(path);
  }

  std::string event_;
  std::optional<Error> error_;
};

bool oneOf(std::string_view action, std::initializer_list<std::string_view> actions) {
  return std::find(actions.begin(), actions.end(), action) != actions.end();
}

Repository readRepository(Fields& f, const json& r, const std::string& where) {
  Repository repo;
  repo.id = f.integer(r, "id", true, where);
  repo.fullName = f.text(r, "full_name", true, where);
  repo.defaultBranch = f.text(r, "default_branch", false, where);
  repo.cloneUrl = f.text(r, "clone_url", false, where);
  repo.htmlUrl = f.text(r, "html_url", false, where);
  repo.archived = f.flag(r, "archived", false, where);
  return repo;
}

std::vector<Repository> readRepositories(Fields& f, const json& body, std::string_view path,
                                         bool required) {
  std::vector<Repository> out;
  const json& list = f.array(body, path, required);
  for (size_t i = 0; i < list.size(); ++i)
    out.push_back(readRepository(f, list[i], std::string(path) + "[" + std::to_string(i) + "]"));
  return out;
}

PullRequestEvent readPullRequest(Fields& f, const json& body) {
  PullRequestEvent pr;
  pr.number = f.integer(body, "pull_request.number", true);
  pr.merged = f.flag(body, "pull_request.merged", false);
  pr.headRef = f.text(body, "pull_request.head.ref", true);
  pr.headSha = f.text(body, "pull_request.head.sha", true);
  pr.baseRef = f.text(body, "pull_request.base.ref", true);
  pr.user = f.text(body, "pull_request.user.login", true);
  return pr;
}

PushEvent readPush(Fields& f, const json& body) {
  PushEvent push;
  push.ref = f.text(body, "ref", true);
  push.before = f.text(body, "before", true);
  push.after = f.text(body, "after", true);
  push.pusher = f.text(body, "pusher.name", true);
  push.deleted = f.flag(body, "deleted", false);
  return push;
}

IssueCommentEvent readIssueComment(Fields& f, const json& body) {
  IssueCommentEvent c;
  c.issueNumber = f.integer(body, "issue.number", true);
  c.onPullRequest = f.find(body, "issue.pull_request") != nullptr;
  c.body = f.text(body, "comment.body", false);
  c.authorAssociation = f.text(body, "comment.author_association", true);
  c.user = f.text(body, "comment.user.login", true);
  return c;
}

RepositoryEvent readRepositoryChange(Fields& f, const json& body, const std::string& action) {
  RepositoryEvent r;
  const std::string fullName = f.text(body, "repository.full_name", true);
  const size_t slash = fullName.find('/');
  const std::string owner = fullName.substr(0, slash);
  const std::string name = slash == std::string::npos ? "" : fullName.substr(slash + 1);
  if (action == "renamed") {
    r.previousFullName = owner + "/" + f.text(body, "changes.repository.name.from", true);
  } else if (action == "transferred") {
    // The previous owner is a user or an organization.
    std::string from = f.text(body, "changes.owner.from.user.login", false);
    if (from.empty())
      from = f.text(body, "changes.owner.from.organization.login", false);
    if (from.empty())
      f.fail("changes.owner.from", "names no user or organization");
    r.previousFullName = from + "/" + name;
  }
  return r;
}

CiEvent readCheck(Fields& f, const json& body, const std::string& object) {
  CiEvent ci;
  ci.headSha = f.text(body, object + ".head_sha", true);
  ci.state = f.text(body, object + ".conclusion", false);
  if (object == "check_run")
    ci.name = f.text(body, "check_run.name", true);
  const json& prs = f.array(body, object + ".pull_requests", false);
  for (size_t i = 0; i < prs.size(); ++i)
    ci.pullRequests.push_back(
        f.integer(prs[i], "number", true, object + ".pull_requests[" + std::to_string(i) + "]"));
  return ci;
}

CiEvent readStatus(Fields& f, const json& body) {
  CiEvent ci;
  ci.headSha = f.text(body, "sha", true);
  ci.state = f.text(body, "state", true);
  ci.name = f.text(body, "context", false);
  return ci;
}

} // namespace

Expected<WebhookEvent> readWebhookEvent(std::string_view event, std::string_view body) {
  WebhookEvent out;
  out.event = std::string(event);
  // The name comes from a request header: messages show it escaped.
  const std::string shown = printable(event);
  json root;
  try {
    root = json::parse(body);
  } catch (const json::parse_error& e) {
    // The parser's own text quotes the payload; the byte offset is enough to find the fault.
    return makeError(shown + " payload is not JSON: syntax error at byte " +
                         std::to_string(e.byte),
                     "GitHub sends JSON; set the webhook's content type to application/json");
  }
  if (!root.is_object())
    return makeError(shown + " payload is not a JSON object",
                     "GitHub sends JSON; set the webhook's content type to application/json");

  Fields f(shown);
  out.action = f.text(root, "action", false);
  if (f.find(root, "repository"))
    out.repository = readRepository(f, root["repository"], "repository");
  out.installationId = f.integer(root, "installation.id", false);
  out.sender = f.text(root, "sender.login", false);

  const std::string& a = out.action;
  const auto ignore = [&](const std::string& why) { out.details = IgnoredEvent{why}; };
  if (event == "pull_request") {
    if (oneOf(a, {"closed", "reopened", "synchronize"}))
      out.details = readPullRequest(f, root);
    else
      ignore("pull_request " + printable(a) + " is not acted on");
  } else if (event == "push") {
    out.details = readPush(f, root);
  } else if (event == "issue_comment") {
    if (a == "created")
      out.details = readIssueComment(f, root);
    else
      ignore("issue_comment " + printable(a) + " is not acted on");
  } else if (event == "installation") {
    InstallationEvent inst;
    if (a == "created")
      inst.added = readRepositories(f, root, "repositories", false);
    else if (a == "deleted")
      inst.removed = readRepositories(f, root, "repositories", false);
    if (a == "created" || a == "deleted")
      out.details = std::move(inst);
    else
      ignore("installation " + printable(a) + " is not acted on");
  } else if (event == "installation_repositories") {
    if (a == "added" || a == "removed")
      out.details = InstallationEvent{readRepositories(f, root, "repositories_added", true),
                                      readRepositories(f, root, "repositories_removed", true)};
    else
      ignore("installation_repositories " + printable(a) + " is not acted on");
  } else if (event == "repository") {
    if (oneOf(a, {"renamed", "transferred", "archived", "unarchived", "edited", "deleted"})) {
      if (!out.repository)
        f.fail("repository", "is missing");
      out.details = readRepositoryChange(f, root, a);
    } else {
      ignore("repository " + printable(a) + " is not acted on");
    }
  } else if (event == "check_suite" || event == "check_run") {
    if (a == "completed")
      out.details = readCheck(f, root, out.event);
    else
      ignore(shown + " " + printable(a) + " is not acted on");
  } else if (event == "status") {
    out.details = readStatus(f, root);
  } else {
    ignore("the App does not act on " + (shown.empty() ? "unnamed" : shown) + " events");
  }
  if (f.error())
    return *f.error();
  return out;
}

} // namespace godwit
