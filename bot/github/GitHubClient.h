#pragma once
// The GitHub REST client (github.com, or GitHub Enterprise Server by its API URL): the CodeHost
// operations, authentication (token or GitHub App), pagination, conditional GETs, rate limits.

#include "bot/github/Auth.h"
#include "bot/github/CodeHost.h"
#include "bot/github/Http.h"
#include "bot/github/RateLimit.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace godwit {

/// How to reach and authenticate to the code host. Exactly one of `token` or the App triple
/// (`appId`, `privateKeyPem`, `installationId`) is set.
struct CodeHostConfig {
  std::string apiUrl = "https://api.github.com"; ///< GHES: `https://HOST/api/v3`.
  std::string token;                             ///< A personal, Actions or installation token.
  std::string appId;                             ///< GitHub App id (or client id).
  std::string privateKeyPem;                     ///< The App's RSA private key, PEM text.
  std::string privateKeyFile;                    ///< Where the key came from (for messages).
  std::string installationId;                    ///< The App installation to act as.
  /// The App acting as itself, for its own endpoints (`/app/…`) only: no installation id.
  bool appOnly = false;
  std::chrono::seconds timeout{120};             ///< Per HTTP request.
};

/// Code-host settings given on the command line; empty means "not given".
struct CodeHostFlags {
  std::string apiUrl;         ///< --api-url
  std::string tokenFile;      ///< --token-file
  std::string appId;          ///< --app-id
  std::string privateKeyFile; ///< --private-key
  std::string installationId; ///< --installation-id
};

/// Looks up an environment variable; empty optional when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

/// The process environment (std::getenv).
std::optional<std::string> processEnv(const std::string& name);

/// Resolves flags and the environment into a config: the API URL from --api-url, else
/// GODWIT_API_URL, else github.com; an App when any App flag is given (all three required), else
/// a token from --token-file, else GITHUB_TOKEN. Reads the token and key files.
Expected<CodeHostConfig> resolveCodeHostConfig(const CodeHostFlags& flags,
                                               const EnvLookup& env = processEnv);

/// True when the flags or the environment (GITHUB_TOKEN, GODWIT_API_URL) say anything about a
/// code host; false means none was meant, which a dry run over clone URLs can do without.
bool codeHostConfigured(const CodeHostFlags& flags, const EnvLookup& env = processEnv);

/// Hooks through which a caller counts what the client does (e.g. for metrics), without the
/// client knowing how. Each may be empty; each is called on the thread that sent the request.
struct ClientObserver {
  /// Every HTTP response received, retried attempts included; 0 when no response arrived.
  std::function<void(long status)> response;
  /// Before each wait that a rate limit imposes (an exhausted primary budget, or a 403/429 that
  /// a limit refused): which limit, and how long. Write spacing and 5xx backoffs are not these.
  std::function<void(LimitKind limit, Millis wait)> rateLimitWait;
};

/// Tuning and test hooks of the client.
struct GitHubClientOptions {
  std::shared_ptr<Clock> clock = systemClock(); ///< Time source and sleeper.
  RetryPolicy retry;                            ///< Retry and pacing limits.
  int pageSize = 100; ///< `per_page` of list requests; 0 leaves GitHub's default.
  std::function<void(const std::string&)> log; ///< Progress lines (waits, retries); redacted.
  ClientObserver observer;                     ///< Counts responses and rate-limit waits.
};

/// A REST response with its JSON body (null when the body is empty).
struct ApiResponse {
  long status = 0;
  HttpHeaders headers;
  nlohmann::json body;
  bool fromCache = false; ///< Served from the ETag cache after a 304.
};

/// One attempt of GitHub to deliver a webhook of the App (`GET /app/hook/deliveries`).
struct HookDelivery {
  int64_t id = 0;          ///< The attempt; what a redelivery names.
  std::string guid;        ///< `X-GitHub-Delivery`, shared by an event's attempts.
  std::string deliveredAt; ///< ISO 8601 UTC.
  bool redelivery = false;
  int statusCode = 0; ///< What the App answered; 0 when it could not be reached.
  std::string event;
  std::string action; ///< Empty when none.
};

/// The GitHub implementation of CodeHost. Thread-safe; content-creating requests are serialized.
class GitHubClient final : public CodeHost {
public:
  /// Validates the config (URL scheme, key) and builds a client; no request is sent yet.
  static Expected<std::unique_ptr<GitHubClient>> create(CodeHostConfig config,
                                                        GitHubClientOptions options = {});
  ~GitHubClient() override;

  Expected<Repository> repository(const std::string& fullName) override;
  Expected<std::optional<PullRequest>> findPullRequest(const std::string& fullName,
                                                       const std::string& head) override;
  Expected<PullRequest> createPullRequest(const std::string& fullName,
                                          const PullRequestSpec& spec) override;
  Expected<PullRequest> updatePullRequest(const std::string& fullName, int64_t number,
                                          const std::string& title,
                                          const std::string& body) override;
  Expected<void> closePullRequest(const std::string& fullName, int64_t number) override;
  Expected<void> ensureLabels(const std::string& fullName,
                              const std::vector<LabelSpec>& labels) override;
  Expected<void> addLabels(const std::string& fullName, int64_t number,
                           const std::vector<std::string>& names) override;
  Expected<void> requestReviewers(const std::string& fullName, int64_t number,
                                  const std::vector<std::string>& reviewers) override;
  Expected<void> upsertComment(const std::string& fullName, int64_t number,
                               const std::string& marker, const std::string& body) override;
  Expected<void> deleteBranch(const std::string& fullName, const std::string& branch) override;
  Expected<RefStatus> refStatus(const std::string& fullName, const std::string& ref) override;
  Expected<std::string> gitToken() override;

  /// Every repository of organization `org` (archived ones included, flagged), every page.
  Expected<std::vector<Repository>> organizationRepositories(const std::string& org);
  /// Every repository the App installation can access, every page; needs App authentication.
  Expected<std::vector<Repository>> installationRepositories();

  /// The App's webhook delivery attempts, newest first, back to `since` (ISO 8601 UTC; the
  /// page that reaches it is the last one read). Needs App authentication.
  Expected<std::vector<HookDelivery>> appHookDeliveries(const std::string& since);
  /// Asks GitHub to deliver attempt `id` again. Needs App authentication.
  Expected<void> redeliverAppHookDelivery(int64_t id);

  /// Sends one REST request (a path below the API URL, or an absolute URL on the API's origin)
  /// with authentication, pacing and retries, and returns the final response whatever its status.
  /// `conditional` GETs send `If-None-Match` and serve a 304 from the ETag cache.
  Expected<ApiResponse> send(const std::string& method, const std::string& pathOrUrl,
                             const std::optional<nlohmann::json>& body = std::nullopt,
                             bool conditional = false);
  /// Like send, but a status outside 2xx becomes an Error that says what, where and how to fix.
  Expected<ApiResponse> call(const std::string& method, const std::string& pathOrUrl,
                             const std::optional<nlohmann::json>& body = std::nullopt,
                             bool conditional = false);
  /// GETs every page of a list, following `Link: rel="next"` only. With `itemsKey` the items are
  /// the array under that key of each page (e.g. `check_runs`), else each page is an array.
  Expected<std::vector<nlohmann::json>>
  listAll(const std::string& pathOrUrl, const std::string& itemsKey = {}, bool conditional = false);

private:
  GitHubClient(CodeHostConfig config, GitHubClientOptions options);

  enum class AuthMode { Installation, AppJwt };
  Expected<ApiResponse> execute(const std::string& method, const std::string& url,
                                const std::optional<nlohmann::json>& body, bool conditional,
                                AuthMode mode);
  Expected<std::string> currentToken(bool forceRenew);
  Error apiError(const std::string& method, const std::string& url,
                 const ApiResponse& response) const;
  Error redacted(Error error) const;
  void log(const std::string& line) const;
  std::string urlFor(const std::string& pathOrUrl) const;
  std::string repoPath(const std::string& fullName) const;
  std::string withPageSize(std::string path) const;
  Expected<std::optional<PullRequest>> findPull(const std::string& fullName,
                                                const std::string& head, const std::string& state,
                                                bool conditional);
  bool isApp() const { return !config_.appId.empty(); }

  CodeHostConfig config_;
  GitHubClientOptions options_;
  std::string origin_; ///< scheme://host[:port] of the API URL.
  HttpClient http_;

  mutable std::mutex secretsMutex_;
  std::vector<std::string> secrets_;    ///< The token and every installation token, for redaction.
  std::vector<std::string> recentJwts_; ///< The latest App JWTs, for redaction.

  std::mutex tokenMutex_;
  InstallationToken installationToken_;

  std::mutex writeMutex_; ///< Held for the whole of one content-creating request.
  std::optional<WallClock::time_point> lastWrite_;

  std::mutex stateMutex_;
  WallClock::time_point notBefore_{}; ///< Primary budget exhausted until then.
  struct CachedResponse {
    std::string etag;
    ApiResponse response;
  };
  std::map<std::string, CachedResponse> etagCache_;
};

/// Builds the GitHub client for `config` (see GitHubClient::create).
Expected<std::unique_ptr<CodeHost>> makeGitHubClient(const CodeHostConfig& config,
                                                     GitHubClientOptions options = {});

} // namespace godwit
