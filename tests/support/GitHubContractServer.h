#pragma once
// A GitHub REST contract server for tests: in-memory repositories, pull requests, labels,
// comments, refs and statuses on 127.0.0.1 (random free port), behaving as GitHub documents
// (pagination with Link, ETags, 422s, rate-limit headers), with scriptable failures. Every
// request is checked against GitHub's OpenAPI description; violations are collected.

#include "tests/support/OpenApiChecker.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace httplib {
class Server;
struct Request;
struct Response;
} // namespace httplib

namespace godwit::test {

/// A request as the server received it.
struct RecordedRequest {
  std::string method;
  std::string path;                           ///< Decoded path, without the query.
  QueryParams query;                          ///< Decoded query parameters.
  std::map<std::string, std::string> headers; ///< Lower-cased names.
  std::string body;
  std::chrono::steady_clock::time_point at;
};

/// A response the server gives instead of handling a matching request (once per entry).
struct ScriptedResponse {
  int status = 500;
  std::map<std::string, std::string> headers;
  std::string body = R"({"message":"Server Error"})";
  std::string method;       ///< Only requests with this method ("" = any).
  std::string pathContains; ///< Only requests whose path contains this ("" = any).
};

/// A repository the server knows.
struct RepoSeed {
  std::string fullName;
  std::string defaultBranch = "main";
  std::string cloneUrl; ///< Served as `clone_url`; a file:// URL makes refs come from that repo.
  bool archived = false;
  bool visible = true; ///< False: the token cannot see it (404, as GitHub answers).
};

/// A pull request as the server holds it.
struct ServerPull {
  int64_t number = 0;
  int64_t id = 0;
  std::string title, body, head, base, headSha;
  std::string state = "open";
  bool draft = false;
  bool merged = false;
  std::string author;
  std::vector<std::string> labels;
  std::vector<std::string> requestedReviewers;
  std::vector<std::string> requestedTeams;
};

/// An issue comment as the server holds it.
struct ServerComment {
  int64_t id = 0;
  int64_t issue = 0;
  std::string body;
  std::string author;
};

/// A label as the server holds it.
struct ServerLabel {
  std::string name, color, description;
};

/// A check run on a commit.
struct ServerCheckRun {
  std::string name;
  std::string status = "completed"; ///< queued, in_progress, completed.
  std::string conclusion;           ///< success, failure, … when completed.
};

/// One attempt of GitHub to deliver a webhook of the App (`GET /app/hook/deliveries`).
struct ServerHookDelivery {
  int64_t id = 0; ///< Assigned when 0.
  std::string guid;
  std::string deliveredAt; ///< ISO 8601; now when empty.
  bool redelivery = false;
  int statusCode = 202;
  std::string status = "OK";
  std::string event = "push";
  std::string action;
  int64_t installationId = 0;
  int64_t repositoryId = 0;
};

/// The contract server. Starts listening in the constructor; stops in the destructor.
class GitHubContractServer {
public:
  /// Serves requests authenticated with `token` (and installation tokens it issues).
  explicit GitHubContractServer(std::string token = "ghp_contract_test_token");
  ~GitHubContractServer();
  GitHubContractServer(const GitHubContractServer&) = delete;
  GitHubContractServer& operator=(const GitHubContractServer&) = delete;

  /// `http://127.0.0.1:PORT`, the API URL to configure the client with.
  std::string url() const;
  /// The login the token belongs to (the author of what the client creates).
  std::string login() const { return "godwit-bot"; }

  // --- state
  /// Adds a repository; it is listed by `GET /orgs/{owner}/repos` and, unless
  /// setInstallationRepositories() narrows it, by `GET /installation/repositories`. Returns its id.
  int64_t addRepository(const RepoSeed& seed);
  /// Renames `from` to `to` (same id). Requests for the old name answer 301 to the new one, as
  /// GitHub redirects a renamed repository.
  void renameRepository(const std::string& from, const std::string& to);
  /// The repositories the App installation can access (default: every repository).
  void setInstallationRepositories(std::vector<std::string> fullNames);
  /// Sets a branch of a repository (in memory; takes precedence over a file:// clone URL).
  void setBranch(const std::string& fullName, const std::string& branch, const std::string& sha);
  bool hasBranch(const std::string& fullName, const std::string& branch);
  /// Adds a pull request as if someone had opened it; returns its number.
  int64_t addPull(const std::string& fullName, ServerPull pull);
  std::optional<ServerPull> pull(const std::string& fullName, int64_t number);
  std::vector<ServerPull> pulls(const std::string& fullName);
  void addLabel(const std::string& fullName, const ServerLabel& label);
  std::vector<ServerLabel> labels(const std::string& fullName);
  int64_t addComment(const std::string& fullName, int64_t issue, const std::string& body,
                     const std::string& author = "someone");
  std::vector<ServerComment> comments(const std::string& fullName, int64_t issue);
  /// Adds a commit status (context, state) to `ref`.
  void addStatus(const std::string& fullName, const std::string& ref, const std::string& context,
                 const std::string& state);
  void addCheckRun(const std::string& fullName, const std::string& ref, ServerCheckRun run);
  /// Scripts CI: for a commit nobody added a status or check run to, `script(fullName, sha)` is
  /// asked on every status request; a non-empty answer (`success`, `failure`, `pending`) is served
  /// as the commit status `ci/test`.
  void setCiScript(std::function<std::string(const std::string&, const std::string&)> script);
  /// Merges pull request `number` as a person would: closed and merged.
  void mergePull(const std::string& fullName, int64_t number);
  /// Caps `per_page` (GitHub caps at 100) to force pagination in tests.
  void setMaxPageSize(int size);

  // --- GitHub App
  /// Accepts App JWTs for `appId` signed by the key whose public half is `publicKeyPem`, and
  /// issues installation tokens for `installationId` that live `tokenLifetime`.
  void enableApp(const std::string& appId, const std::string& publicKeyPem,
                 const std::string& installationId,
                 std::chrono::seconds tokenLifetime = std::chrono::hours(1));
  /// Lists `delivery` among the App's webhook deliveries (newest last added); returns its id.
  int64_t addHookDelivery(ServerHookDelivery delivery);
  /// The ids of the deliveries the App asked GitHub to redeliver, in order. Each request also
  /// lists a new attempt (`redelivery`), answered `redeliveryStatus`.
  std::vector<int64_t> hookRedeliveries();
  /// The status code the attempts made by a redelivery get (default 202).
  void setRedeliveryStatus(int statusCode);
  /// Installation tokens issued so far.
  int tokensIssued();
  /// Makes every issued installation token invalid (the next use answers 401).
  void revokeInstallationTokens();
  /// Sets `expires_at` of tokens issued from now on, relative to the wall clock.
  void setTokenLifetime(std::chrono::seconds lifetime);

  // --- scripting and observation
  /// Queues a response for the next request that matches its filter.
  void failNext(ScriptedResponse response);
  /// Answers `x-ratelimit-remaining: remaining` and `x-ratelimit-reset: reset` from now on.
  void setRateLimit(int remaining, int64_t resetEpochSeconds);
  std::vector<RecordedRequest> requests();
  /// Requests whose method is `method` and whose path contains `pathContains`.
  std::vector<RecordedRequest> requests(const std::string& method, const std::string& pathContains);
  void clearRequests();
  /// Calls `observer` with each request as it arrives (its 1-based count so far), before the
  /// server acts on it; e.g. a crash test kills the client there. Runs under the server's lock.
  void onRequest(std::function<void(const RecordedRequest&, size_t count)> observer);
  /// How many GETs were answered 304 Not Modified.
  int notModifiedCount();
  /// Requests the OpenAPI description (or GitHub's header rules) do not allow.
  std::vector<std::string> violations();

private:
  struct Repo {
    RepoSeed seed;
    int64_t id = 0;
    std::map<std::string, std::string> branches;
    std::map<int64_t, ServerPull> pulls;
    std::vector<ServerLabel> labels;
    std::vector<ServerComment> comments;
    std::map<std::string, std::vector<std::pair<std::string, std::string>>> statuses;
    std::map<std::string, std::vector<ServerCheckRun>> checkRuns;
    int64_t nextNumber = 1;
  };

  void handle(const httplib::Request& req, httplib::Response& res);
  void route(const RecordedRequest& rr, const httplib::Request& req, httplib::Response& res);
  bool authorize(const RecordedRequest& rr, httplib::Response& res);
  bool verifyJwt(const std::string& jwt, std::string& why);
  Repo* findRepo(const std::string& owner, const std::string& name);
  std::optional<std::string> resolveBranch(Repo& repo, const std::string& branch);
  bool removeBranch(Repo& repo, const std::string& branch);
  struct Page {
    size_t begin = 0, end = 0;
    std::string link; ///< The `Link` header ("" when everything fits one page).
  };
  Page paginate(const RecordedRequest& rr, size_t count);
  std::string pullJson(const Repo& repo, const ServerPull& pull) const;
  nlohmann::json repoJson(const Repo& repo) const;
  /// GET /orgs/{org}/repos and GET /installation/repositories.
  void listRepositories(const RecordedRequest& rr, httplib::Response& res);
  void listHookDeliveries(const RecordedRequest& rr, httplib::Response& res);

  std::mutex mutex_;
  std::string token_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  std::shared_ptr<const OpenApiChecker> checker_;

  std::map<std::string, Repo> repos_; ///< By lower-cased full name.
  std::map<std::string, std::string> renamed_; ///< Lower-cased old name -> current full name.
  std::optional<std::set<std::string>> installationRepos_; ///< Lower-cased full names.
  int64_t nextRepoId_ = 1000;
  int64_t nextId_ = 5000;
  int maxPageSize_ = 100;
  std::function<std::string(const std::string&, const std::string&)> ciScript_;
  std::deque<ScriptedResponse> scripted_;
  std::optional<std::pair<int, int64_t>> rateLimit_;
  std::vector<RecordedRequest> requests_;
  std::function<void(const RecordedRequest&, size_t)> observer_;
  std::vector<std::string> violations_;
  int notModified_ = 0;

  std::string appId_, appPublicKey_, installationId_;
  std::chrono::seconds tokenLifetime_{3600};
  std::set<std::string> installationTokens_;
  int tokensIssued_ = 0;
  std::vector<ServerHookDelivery> hookDeliveries_; ///< In the order added.
  std::vector<int64_t> hookRedeliveries_;
  int redeliveryStatus_ = 202;
};

} // namespace godwit::test
