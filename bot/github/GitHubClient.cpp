#include "bot/github/GitHubClient.h"
#include "rules/Text.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

namespace godwit {

namespace {

using nlohmann::json;

constexpr const char* kApiVersion = "2022-11-28";
constexpr int kMaxPages = 1000;

std::string trim(std::string s) {
  auto notSpace = [](unsigned char c) { return !std::isspace(c); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), notSpace));
  s.erase(std::find_if(s.rbegin(), s.rend(), notSpace).base(), s.end());
  return s;
}

bool startsWith(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

std::optional<std::string> readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::string stringField(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int64_t intField(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
}

bool boolField(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_boolean() && it->get<bool>();
}

PullRequest parsePull(const json& j) {
  PullRequest pr;
  pr.number = intField(j, "number");
  pr.id = intField(j, "id");
  pr.state = stringField(j, "state");
  // The list endpoint omits `merged`; `merged_at` is set exactly when the pull was merged.
  pr.merged = boolField(j, "merged") || (j.contains("merged_at") && j["merged_at"].is_string());
  pr.draft = boolField(j, "draft");
  if (j.contains("head") && j["head"].is_object()) {
    pr.headRef = stringField(j["head"], "ref");
    pr.headSha = stringField(j["head"], "sha");
  }
  if (j.contains("base") && j["base"].is_object())
    pr.baseRef = stringField(j["base"], "ref");
  pr.title = stringField(j, "title");
  pr.body = stringField(j, "body");
  pr.htmlUrl = stringField(j, "html_url");
  return pr;
}

// The `message` of each entry of a 422's `errors` array (or `resource.field code`).
std::vector<std::string> errorDetails(const json& body) {
  std::vector<std::string> out;
  if (!body.is_object() || !body.contains("errors") || !body["errors"].is_array())
    return out;
  for (const json& e : body["errors"]) {
    if (e.is_string()) {
      out.push_back(e.get<std::string>());
    } else if (e.is_object()) {
      std::string message = stringField(e, "message");
      if (message.empty()) {
        message = stringField(e, "resource");
        if (!stringField(e, "field").empty())
          message += "." + stringField(e, "field");
        if (!stringField(e, "code").empty())
          message += " " + stringField(e, "code");
      }
      out.push_back(trim(message));
    }
  }
  return out;
}

bool anyDetailContains(const json& body, const std::string& needle) {
  std::string lowered = lower(needle);
  for (const std::string& detail : errorDetails(body))
    if (lower(detail).find(lowered) != std::string::npos)
      return true;
  return body.is_object() && lower(stringField(body, "message")).find(lowered) != std::string::npos;
}

bool anyErrorCode(const json& body, const std::string& code) {
  if (!body.is_object() || !body.contains("errors") || !body["errors"].is_array())
    return false;
  for (const json& e : body["errors"])
    if (e.is_object() && stringField(e, "code") == code)
      return true;
  return false;
}

std::string hintFor(long status) {
  switch (status) {
  case 401:
    return "the credentials were rejected: check GITHUB_TOKEN or --token-file, or the App's "
           "--app-id, --private-key and --installation-id";
  case 403:
    return "the token lacks a permission this operation needs (for an App, check the App's "
           "permissions and the installation's repositories)";
  case 404:
    return "the resource does not exist, or the token cannot see it";
  case 409:
  case 422:
    return "GitHub rejected the request's content; the message above says which field";
  default:
    if (status >= 500)
      return "GitHub had a server error; try again later";
    return {};
  }
}

} // namespace

std::optional<std::string> processEnv(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (!value)
    return std::nullopt;
  return std::string(value);
}

bool codeHostConfigured(const CodeHostFlags& flags, const EnvLookup& env) {
  const auto set = [&](const char* name) {
    auto value = env(name);
    return value && !trim(*value).empty();
  };
  return !flags.apiUrl.empty() || !flags.tokenFile.empty() || !flags.appId.empty() ||
         !flags.privateKeyFile.empty() || !flags.installationId.empty() || set("GITHUB_TOKEN") ||
         set("GODWIT_API_URL");
}

Expected<CodeHostConfig> resolveCodeHostConfig(const CodeHostFlags& flags, const EnvLookup& env) {
  CodeHostConfig config;
  if (!flags.apiUrl.empty()) {
    config.apiUrl = flags.apiUrl;
  } else if (auto fromEnv = env("GODWIT_API_URL"); fromEnv && !trim(*fromEnv).empty()) {
    config.apiUrl = trim(*fromEnv);
  }
  while (config.apiUrl.size() > 1 && config.apiUrl.back() == '/')
    config.apiUrl.pop_back();

  bool anyApp =
      !flags.appId.empty() || !flags.privateKeyFile.empty() || !flags.installationId.empty();
  if (anyApp) {
    if (!flags.tokenFile.empty())
      return makeError("--token-file cannot be combined with --app-id, --private-key or "
                       "--installation-id",
                       "authenticate either with a token or as a GitHub App, not both");
    std::vector<std::string> missing;
    if (flags.appId.empty())
      missing.push_back("--app-id");
    if (flags.privateKeyFile.empty())
      missing.push_back("--private-key");
    if (flags.installationId.empty())
      missing.push_back("--installation-id");
    if (!missing.empty()) {
      std::string list;
      for (const auto& m : missing)
        list += (list.empty() ? "" : ", ") + m;
      return makeError("a GitHub App needs --app-id, --private-key and --installation-id; "
                       "missing: " +
                           list,
                       "pass all three, or use a token (GITHUB_TOKEN or --token-file) instead");
    }
    if (!std::all_of(flags.installationId.begin(), flags.installationId.end(),
                     [](unsigned char c) { return std::isdigit(c) != 0; }))
      return makeError("--installation-id must be a number, got '" + flags.installationId + "'",
                       "use the id shown in the installation's settings URL");
    auto pem = readFile(flags.privateKeyFile);
    if (!pem)
      return Error{"cannot read the GitHub App private key", flags.privateKeyFile, 0, 0,
                   "pass the path of the .pem file GitHub generated for the App"};
    config.appId = flags.appId;
    config.privateKeyPem = std::move(*pem);
    config.privateKeyFile = flags.privateKeyFile;
    config.installationId = flags.installationId;
    return config;
  }

  if (!flags.tokenFile.empty()) {
    auto token = readFile(flags.tokenFile);
    if (!token)
      return Error{"cannot read the token file", flags.tokenFile, 0, 0,
                   "pass a readable file that holds only the token"};
    config.token = trim(*token);
    if (config.token.empty())
      return Error{"the token file is empty", flags.tokenFile, 0, 0,
                   "write the token into the file, or set GITHUB_TOKEN instead"};
    return config;
  }
  if (auto token = env("GITHUB_TOKEN"); token && !trim(*token).empty()) {
    config.token = trim(*token);
    return config;
  }
  return makeError("no GitHub credentials",
                   "set GITHUB_TOKEN, pass --token-file FILE, or pass --app-id, --private-key "
                   "and --installation-id");
}

GitHubClient::GitHubClient(CodeHostConfig config, GitHubClientOptions options)
    : config_(std::move(config)), options_(std::move(options)),
      http_(HttpOptions{std::chrono::milliseconds(15000),
                        std::chrono::duration_cast<std::chrono::milliseconds>(config_.timeout),
                        3}) {
  size_t schemeEnd = config_.apiUrl.find("://");
  size_t pathStart = config_.apiUrl.find('/', schemeEnd + 3);
  origin_ = config_.apiUrl.substr(0, pathStart);
  if (!config_.token.empty())
    secrets_.push_back(config_.token);
}

GitHubClient::~GitHubClient() = default;

Expected<std::unique_ptr<GitHubClient>> GitHubClient::create(CodeHostConfig config,
                                                             GitHubClientOptions options) {
  while (config.apiUrl.size() > 1 && config.apiUrl.back() == '/')
    config.apiUrl.pop_back();
  if (!startsWith(config.apiUrl, "https://") && !startsWith(config.apiUrl, "http://"))
    return makeError("invalid API URL '" + config.apiUrl + "'",
                     "use https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise "
                     "Server (--api-url / GODWIT_API_URL)");
  if (config.apiUrl.size() <= config.apiUrl.find("://") + 3)
    return makeError("invalid API URL '" + config.apiUrl + "': no host",
                     "use https://api.github.com or https://HOST/api/v3");
  bool app =
      !config.appId.empty() || !config.installationId.empty() || !config.privateKeyPem.empty();
  if (app) {
    if (config.appId.empty() || (config.installationId.empty() && !config.appOnly) ||
        config.privateKeyPem.empty())
      return makeError("a GitHub App needs an app id, a private key and an installation id",
                       "pass --app-id, --private-key and --installation-id");
    if (!config.token.empty())
      return makeError("both a token and a GitHub App are configured",
                       "authenticate either with a token or as a GitHub App, not both");
    // Fail at start-up, not at the first request, when the key is unusable.
    auto probe = makeAppJwt(config.appId, config.privateKeyPem, WallClock::now());
    if (!probe) {
      Error error = probe.error();
      error.file = config.privateKeyFile;
      return error;
    }
  } else if (config.token.empty()) {
    return makeError("no GitHub credentials",
                     "set GITHUB_TOKEN, pass --token-file FILE, or pass --app-id, --private-key "
                     "and --installation-id");
  }
  if (!options.clock)
    options.clock = systemClock();
  return std::unique_ptr<GitHubClient>(new GitHubClient(std::move(config), std::move(options)));
}

Expected<std::unique_ptr<CodeHost>> makeGitHubClient(const CodeHostConfig& config,
                                                     GitHubClientOptions options) {
  auto client = GitHubClient::create(config, std::move(options));
  if (!client)
    return client.error();
  return std::unique_ptr<CodeHost>(std::move(*client));
}

void GitHubClient::log(const std::string& line) const {
  if (!options_.log)
    return;
  std::lock_guard lock(secretsMutex_);
  options_.log(redact(redact(line, secrets_), recentJwts_));
}

Error GitHubClient::redacted(Error error) const {
  std::lock_guard lock(secretsMutex_);
  for (const auto* list : {&secrets_, &recentJwts_}) {
    error.message = redact(std::move(error.message), *list);
    error.hint = redact(std::move(error.hint), *list);
    error.file = redact(std::move(error.file), *list);
  }
  return error;
}

std::string GitHubClient::urlFor(const std::string& pathOrUrl) const {
  if (startsWith(pathOrUrl, "http://") || startsWith(pathOrUrl, "https://"))
    return pathOrUrl;
  if (!pathOrUrl.empty() && pathOrUrl[0] != '/')
    return config_.apiUrl + "/" + pathOrUrl;
  return config_.apiUrl + pathOrUrl;
}

std::string GitHubClient::repoPath(const std::string& fullName) const {
  size_t slash = fullName.find('/');
  return "/repos/" + urlEncode(fullName.substr(0, slash)) + "/" +
         urlEncode(slash == std::string::npos ? std::string() : fullName.substr(slash + 1));
}

std::string GitHubClient::withPageSize(std::string path) const {
  if (options_.pageSize <= 0)
    return path;
  path += path.find('?') == std::string::npos ? '?' : '&';
  return path + "per_page=" + std::to_string(options_.pageSize);
}

Error GitHubClient::apiError(const std::string& method, const std::string& url,
                             const ApiResponse& response) const {
  std::string message =
      "GitHub API " + method + " " + url + ": HTTP " + std::to_string(response.status);
  std::string text = response.body.is_object()   ? stringField(response.body, "message")
                     : response.body.is_string() ? response.body.get<std::string>()
                                                 : std::string();
  if (text.empty() && !response.body.is_null() && !response.body.is_string())
    text = response.body.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > 300)
    text = text.substr(0, 300) + "…";
  if (!text.empty())
    message += " " + text;
  auto details = errorDetails(response.body);
  for (size_t i = 0; i < details.size(); ++i)
    message += (i == 0 ? " (" : "; ") + details[i] + (i + 1 == details.size() ? ")" : "");
  return redacted(makeError(message, hintFor(response.status)));
}

Expected<std::string> GitHubClient::currentToken(bool forceRenew) {
  if (!isApp())
    return config_.token;
  if (config_.installationId.empty())
    return makeError("this GitHub client acts as the App itself, not for an installation",
                     "give the installation to act for");
  std::lock_guard lock(tokenMutex_);
  if (!forceRenew && !needsRenewal(installationToken_, options_.clock->now()))
    return installationToken_.token;
  std::string url =
      config_.apiUrl + "/app/installations/" + urlEncode(config_.installationId) + "/access_tokens";
  auto response = execute("POST", url, std::nullopt, false, AuthMode::AppJwt);
  if (!response)
    return response.error();
  if (response->status < 200 || response->status > 299) {
    Error error = apiError("POST", url, *response);
    error.message = "could not get an installation token for GitHub App " + config_.appId + ": " +
                    error.message;
    if (response->status == 401 || response->status == 404)
      error.hint = "check --app-id, --private-key and --installation-id (the App must be "
                   "installed, and the key must belong to it)";
    return error;
  }
  auto token = parseInstallationToken(response->body.dump());
  if (!token)
    return redacted(token.error());
  {
    std::lock_guard secretsLock(secretsMutex_);
    secrets_.push_back(token->token);
  }
  installationToken_ = std::move(*token);
  return installationToken_.token;
}

Expected<ApiResponse> GitHubClient::execute(const std::string& method, const std::string& url,
                                            const std::optional<json>& body, bool conditional,
                                            AuthMode mode) {
  if (!startsWith(url, origin_ + "/") && url != origin_)
    return makeError("refusing to send credentials to " + url + ": it is not on the API's origin " +
                         origin_,
                     "a pagination link pointed elsewhere; check --api-url");
  Clock& clock = *options_.clock;
  const RetryPolicy& policy = options_.retry;
  bool spaced = mode == AuthMode::Installation && isContentCreating(method);
  std::unique_lock writeLock(writeMutex_, std::defer_lock);
  if (spaced)
    writeLock.lock();
  std::optional<std::string> payload;
  if (body)
    payload = body->dump(-1, ' ', false, json::error_handler_t::replace);
  bool renewed = false;

  for (int attempt = 1;; ++attempt) {
    auto now = clock.now();
    Millis wait{0};
    {
      std::lock_guard lock(stateMutex_);
      if (notBefore_ > now)
        wait = std::chrono::duration_cast<Millis>(notBefore_ - now);
    }
    if (wait.count() > 0) {
      log("rate limit: waiting " + std::to_string(wait.count() / 1000) +
          " s for the budget to reset before " + method + " " + url);
      if (options_.observer.rateLimitWait)
        options_.observer.rateLimitWait(LimitKind::Primary, wait);
    }
    if (spaced)
      wait = std::max(wait, writeSpacingWait(lastWrite_, now, policy.writeSpacing));
    if (wait.count() > 0) {
      clock.sleepFor(wait);
      now = clock.now();
    }

    std::string credential;
    if (mode == AuthMode::AppJwt) {
      auto jwt = makeAppJwt(config_.appId, config_.privateKeyPem, now);
      if (!jwt)
        return jwt.error();
      credential = std::move(*jwt);
      std::lock_guard lock(secretsMutex_);
      // JWTs live ten minutes; the recent ones are enough for redaction.
      recentJwts_.push_back(credential);
      if (recentJwts_.size() > 16)
        recentJwts_.erase(recentJwts_.begin());
    } else {
      auto token = currentToken(false);
      if (!token)
        return token.error();
      credential = std::move(*token);
    }

    HttpRequest request;
    request.method = method;
    request.url = url;
    request.headers = {
        {"Accept", "application/vnd.github+json"},
        {"User-Agent", std::string("godwit/") + GODWIT_VERSION},
        {"X-GitHub-Api-Version", kApiVersion},
        {"Authorization", "Bearer " + credential},
    };
    if (payload) {
      request.headers.emplace_back("Content-Type", "application/json; charset=utf-8");
      request.body = payload;
    }
    if (conditional) {
      std::lock_guard lock(stateMutex_);
      auto cached = etagCache_.find(url);
      if (cached != etagCache_.end())
        request.headers.emplace_back("If-None-Match", cached->second.etag);
    }

    auto result = http_.send(request);
    if (spaced)
      lastWrite_ = clock.now();
    if (options_.observer.response)
      options_.observer.response(result ? result->status : 0);
    if (!result) {
      RetryDecision decision = decideRetry(policy, std::nullopt, {}, {}, attempt, now);
      if (decision.action == RetryAction::Retry) {
        log(result.error().message + "; " + decision.reason);
        clock.sleepFor(decision.wait);
        continue;
      }
      Error error = result.error();
      error.message += " (" + decision.reason + ")";
      return redacted(std::move(error));
    }
    HttpResponse& raw = *result;
    if (Millis hold = primaryBudgetWait(raw.headers, clock.now()); hold.count() > 0) {
      std::lock_guard lock(stateMutex_);
      notBefore_ = std::max(notBefore_, clock.now() + hold);
    }

    if (raw.status == 401 && mode == AuthMode::Installation && isApp() && !renewed) {
      renewed = true;
      log("GitHub answered 401 to " + method + " " + url + "; renewing the installation token");
      auto fresh = currentToken(true);
      if (!fresh)
        return fresh.error();
      continue;
    }

    RetryDecision decision = decideRetry(policy, raw.status, raw.headers, raw.body, attempt, now);
    ApiResponse response;
    response.status = raw.status;
    response.headers = std::move(raw.headers);
    if (!raw.body.empty()) {
      response.body = json::parse(raw.body, nullptr, false);
      if (response.body.is_discarded())
        response.body = raw.body;
    }
    if (decision.action == RetryAction::Retry) {
      log("GitHub answered " + std::to_string(raw.status) + " to " + method + " " + url + ": " +
          decision.reason);
      if (decision.limit != LimitKind::None && options_.observer.rateLimitWait)
        options_.observer.rateLimitWait(decision.limit, decision.wait);
      clock.sleepFor(decision.wait);
      continue;
    }
    if (decision.action == RetryAction::GiveUp) {
      Error error = apiError(method, url, response);
      error.message += " (" + decision.reason + ")";
      return error;
    }

    if (conditional) {
      std::lock_guard lock(stateMutex_);
      if (response.status == 304) {
        auto cached = etagCache_.find(url);
        if (cached != etagCache_.end()) {
          ApiResponse hit = cached->second.response;
          hit.fromCache = true;
          return hit;
        }
        // Another thread cleared the cache in between: ask again, unconditionally.
        conditional = false;
        continue;
      } else if (response.status == 200) {
        auto etag = response.headers.find("etag");
        if (etag != response.headers.end()) {
          // Polled URLs are few (one per open pull request); a full clear bounds memory.
          if (etagCache_.size() >= 512)
            etagCache_.clear();
          etagCache_[url] = CachedResponse{etag->second, response};
        }
      }
    }
    return response;
  }
}

Expected<ApiResponse> GitHubClient::send(const std::string& method, const std::string& pathOrUrl,
                                         const std::optional<json>& body, bool conditional) {
  return execute(method, urlFor(pathOrUrl), body, conditional && method == "GET",
                 AuthMode::Installation);
}

Expected<ApiResponse> GitHubClient::call(const std::string& method, const std::string& pathOrUrl,
                                         const std::optional<json>& body, bool conditional) {
  std::string url = urlFor(pathOrUrl);
  auto response =
      execute(method, url, body, conditional && method == "GET", AuthMode::Installation);
  if (!response)
    return response.error();
  if (response->status < 200 || response->status > 299)
    return apiError(method, url, *response);
  return response;
}

Expected<std::vector<json>> GitHubClient::listAll(const std::string& pathOrUrl,
                                                  const std::string& itemsKey, bool conditional) {
  std::vector<json> items;
  std::string next = pathOrUrl;
  for (int page = 0; page < kMaxPages; ++page) {
    auto response = call("GET", next, std::nullopt, conditional);
    if (!response)
      return response.error();
    const json* list = &response->body;
    if (!itemsKey.empty())
      list = response->body.is_object() && response->body.contains(itemsKey)
                 ? &response->body[itemsKey]
                 : nullptr;
    if (!list || !list->is_array())
      return makeError("GitHub API GET " + urlFor(next) + ": expected a list" +
                           (itemsKey.empty() ? std::string() : " under '" + itemsKey + "'"),
                       "check that --api-url points at the GitHub REST API");
    items.insert(items.end(), list->begin(), list->end());
    auto link = response->headers.find("link");
    if (link == response->headers.end())
      return items;
    auto target = linkNext(link->second);
    if (!target)
      return items;
    next = *target;
  }
  return makeError("GitHub API GET " + urlFor(pathOrUrl) + ": more than " +
                   std::to_string(kMaxPages) + " pages");
}

Expected<std::vector<HookDelivery>> GitHubClient::appHookDeliveries(const std::string& since) {
  if (!isApp())
    return makeError("listing the App's webhook deliveries needs the App's credentials",
                     "give the App's id and private key");
  std::vector<HookDelivery> out;
  std::string next = urlFor("/app/hook/deliveries?per_page=100");
  for (int page = 0; page < kMaxPages; ++page) {
    auto response = execute("GET", next, std::nullopt, false, AuthMode::AppJwt);
    if (!response)
      return response.error();
    if (response->status < 200 || response->status > 299)
      return apiError("GET", next, *response);
    if (!response->body.is_array())
      return makeError("GitHub API GET " + next + ": expected a list",
                       "check that --api-url points at the GitHub REST API");
    bool reached = false;
    for (const json& d : response->body) {
      HookDelivery h;
      h.id = d.value("id", int64_t{0});
      h.guid = d.value("guid", "");
      h.deliveredAt = d.value("delivered_at", "");
      h.redelivery = d.value("redelivery", false);
      h.statusCode = d.value("status_code", 0);
      h.event = d.value("event", "");
      if (d.contains("action") && d["action"].is_string())
        h.action = d["action"].get<std::string>();
      // ISO 8601 UTC strings of one form compare as times.
      reached = reached || (!h.deliveredAt.empty() && h.deliveredAt < since);
      out.push_back(std::move(h));
    }
    auto link = response->headers.find("link");
    std::optional<std::string> target =
        link == response->headers.end() ? std::nullopt : linkNext(link->second);
    if (reached || !target)
      return out;
    next = *target;
  }
  return out;
}

Expected<void> GitHubClient::redeliverAppHookDelivery(int64_t id) {
  const std::string url = urlFor("/app/hook/deliveries/" + std::to_string(id) + "/attempts");
  auto response = execute("POST", url, std::nullopt, false, AuthMode::AppJwt);
  if (!response)
    return response.error();
  if (response->status < 200 || response->status > 299)
    return apiError("POST", url, *response);
  return {};
}

namespace {

Repository parseRepository(const json& j) {
  Repository repo;
  repo.id = intField(j, "id");
  repo.fullName = stringField(j, "full_name");
  repo.defaultBranch = stringField(j, "default_branch");
  repo.cloneUrl = stringField(j, "clone_url");
  repo.htmlUrl = stringField(j, "html_url");
  repo.archived = boolField(j, "archived");
  return repo;
}

Expected<void> checkFullName(const std::string& fullName) {
  size_t slash = fullName.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == fullName.size() ||
      fullName.find('/', slash + 1) != std::string::npos)
    return makeError("invalid repository '" + fullName + "'", "write it as owner/name");
  return {};
}

} // namespace

Expected<Repository> GitHubClient::repository(const std::string& fullName) {
  if (auto ok = checkFullName(fullName); !ok)
    return ok.error();
  std::string path = repoPath(fullName);
  auto response = send("GET", path);
  if (!response)
    return response.error();
  if (response->status == 404)
    return makeError("no access to " + fullName + " (the token cannot see it)",
                     "check the repository name, and that the token (or the App installation) "
                     "has access to it");
  if (response->status != 200)
    return apiError("GET", urlFor(path), *response);
  return parseRepository(response->body);
}

Expected<std::vector<Repository>> GitHubClient::organizationRepositories(const std::string& org) {
  if (org.empty() || org.find_first_of("/?#& ") != std::string::npos)
    return makeError("invalid organization '" + org + "'", "give the organization's login");
  auto items = listAll(withPageSize("/orgs/" + urlEncode(org) + "/repos?type=all"));
  if (!items)
    return items.error();
  std::vector<Repository> out;
  for (const json& j : *items)
    out.push_back(parseRepository(j));
  return out;
}

Expected<std::vector<Repository>> GitHubClient::installationRepositories() {
  if (!isApp())
    return makeError("--github-installation lists a GitHub App installation's repositories",
                     "give --app-id, --private-key and --installation-id (a token cannot list "
                     "an installation)");
  auto items = listAll(withPageSize("/installation/repositories"), "repositories");
  if (!items)
    return items.error();
  std::vector<Repository> out;
  for (const json& j : *items)
    out.push_back(parseRepository(j));
  return out;
}

Expected<std::optional<PullRequest>> GitHubClient::findPull(const std::string& fullName,
                                                            const std::string& head,
                                                            const std::string& state,
                                                            bool conditional) {
  if (auto ok = checkFullName(fullName); !ok)
    return ok.error();
  std::string owner = fullName.substr(0, fullName.find('/'));
  auto pulls =
      listAll(withPageSize(repoPath(fullName) + "/pulls?head=" + urlEncode(owner + ":" + head) +
                           "&state=" + state),
              {}, conditional);
  if (!pulls)
    return pulls.error();
  std::optional<PullRequest> newest;
  for (const json& j : *pulls) {
    PullRequest pr = parsePull(j);
    // GitHub filters by head already; the check guards against a server that ignores the filter.
    if (pr.headRef != head)
      continue;
    if (!newest || pr.number > newest->number)
      newest = std::move(pr);
  }
  return newest;
}

Expected<std::optional<PullRequest>> GitHubClient::findPullRequest(const std::string& fullName,
                                                                   const std::string& head) {
  return findPull(fullName, head, "all", true);
}

Expected<PullRequest> GitHubClient::createPullRequest(const std::string& fullName,
                                                      const PullRequestSpec& spec) {
  if (auto ok = checkFullName(fullName); !ok)
    return ok.error();
  std::string path = repoPath(fullName) + "/pulls";
  json body = {
      {"title", spec.title}, {"head", spec.head}, {"base", spec.base}, {"body", spec.body}};
  if (spec.draft)
    body["draft"] = true;
  auto response = send("POST", path, body);
  if (!response)
    return response.error();
  if (response->status == 422 && spec.draft &&
      anyDetailContains(response->body, "Draft pull requests are not supported")) {
    log("draft pull requests are not available in " + fullName + "; opening a ready one");
    body.erase("draft");
    response = send("POST", path, body);
    if (!response)
      return response.error();
  }
  if (response->status == 422 &&
      anyDetailContains(response->body, "A pull request already exists")) {
    auto existing = findPull(fullName, spec.head, "open", false);
    if (!existing)
      return existing.error();
    if (*existing)
      return **existing;
    return makeError("GitHub says a pull request for " + fullName + ":" + spec.head +
                         " already exists, but no open one was found",
                     "look at the repository's pull requests for the branch " + spec.head);
  }
  if (response->status != 201 && response->status != 200)
    return apiError("POST", urlFor(path), *response);
  return parsePull(response->body);
}

Expected<PullRequest> GitHubClient::updatePullRequest(const std::string& fullName, int64_t number,
                                                      const std::string& title,
                                                      const std::string& body) {
  if (auto ok = checkFullName(fullName); !ok)
    return ok.error();
  auto response = call("PATCH", repoPath(fullName) + "/pulls/" + std::to_string(number),
                       json{{"title", title}, {"body", body}});
  if (!response)
    return response.error();
  return parsePull(response->body);
}

Expected<void> GitHubClient::closePullRequest(const std::string& fullName, int64_t number) {
  if (auto ok = checkFullName(fullName); !ok)
    return ok.error();
  auto response = call("PATCH", repoPath(fullName) + "/pulls/" + std::to_string(number),
                       json{{"state", "closed"}});
  if (!response)
    return response.error();
  return {};
}

Expected<void> GitHubClient::ensureLabels(const std::string& fullName,
                                          const std::vector<LabelSpec>& labels) {
  if (auto ok = checkFullName(fullName); !ok)
    return ok.error();
  if (labels.empty())
    return {};
  auto existing = listAll(withPageSize(repoPath(fullName) + "/labels"));
  if (!existing)
    return existing.error();
  // GitHub compares label names case-insensitively.
  std::set<std::string> have;
  for (const json& label : *existing)
    have.insert(lower(stringField(label, "name")));
  for (const LabelSpec& spec : labels) {
    if (!have.insert(lower(spec.name)).second)
      continue;
    json body = {{"name", spec.name}};
    if (!spec.color.empty())
      body["color"] = spec.color;
    if (!spec.description.empty())
      body["description"] = spec.description;
    std::string path = repoPath(fullName) + "/labels";
    auto response = send("POST", path, body);
    if (!response)
      return response.error();
    // Someone else created it between the list and the create: that is what we wanted.
    if (response->status == 422 && anyErrorCode(response->body, "already_exists"))
      continue;
    if (response->status != 201 && response->status != 200)
      return apiError("POST", urlFor(path), *response);
  }
  return {};
}

Expected<void> GitHubClient::addLabels(const std::string& fullName, int64_t number,
                                       const std::vector<std::string>& names) {
  if (auto ok = checkFullName(fullName); !ok)
    return ok.error();
  if (names.empty())
    return {};
  auto response = call("POST", repoPath(fullName) + "/issues/" + std::to_string(number) + "/labels",
                       json{{"labels", names}});
  if (!response)
    return response.error();
  return {};
}

Expected<void> GitHubClient::requestReviewers(const std::string& fullName, int64_t number,
                                              const std::vector<std::string>& reviewers) {
  if (auto ok = checkFullName(fullName); !ok)
    return ok.error();
  json users = json::array();
  json teams = json::array();
  for (const std::string& reviewer : reviewers) {
    std::string name = trim(reviewer);
    if (!name.empty() && name[0] == '@')
      name.erase(0, 1);
    if (name.empty())
      continue;
    size_t slash = name.find('/');
    if (slash == std::string::npos)
      users.push_back(name);
    else
      teams.push_back(name.substr(slash + 1));
  }
  if (users.empty() && teams.empty())
    return {};
  json body = json::object();
  if (!users.empty())
    body["reviewers"] = users;
  if (!teams.empty())
    body["team_reviewers"] = teams;
  auto response =
      call("POST", repoPath(fullName) + "/pulls/" + std::to_string(number) + "/requested_reviewers",
           body);
  if (!response)
    return response.error();
  return {};
}

Expected<void> GitHubClient::upsertComment(const std::string& fullName, int64_t number,
                                           const std::string& marker, const std::string& body) {
  if (auto ok = checkFullName(fullName); !ok)
    return ok.error();
  if (marker.empty())
    return makeError("upsertComment needs a non-empty marker");
  std::string text = body.find(marker) == std::string::npos ? marker + "\n" + body : body;
  auto comments =
      listAll(withPageSize(repoPath(fullName) + "/issues/" + std::to_string(number) + "/comments"));
  if (!comments)
    return comments.error();
  for (const json& comment : *comments) {
    if (stringField(comment, "body").find(marker) == std::string::npos)
      continue;
    if (stringField(comment, "body") == text)
      return {};
    auto response = call(
        "PATCH", repoPath(fullName) + "/issues/comments/" + std::to_string(intField(comment, "id")),
        json{{"body", text}});
    if (!response)
      return response.error();
    return {};
  }
  auto response =
      call("POST", repoPath(fullName) + "/issues/" + std::to_string(number) + "/comments",
           json{{"body", text}});
  if (!response)
    return response.error();
  return {};
}

Expected<void> GitHubClient::deleteBranch(const std::string& fullName, const std::string& branch) {
  if (auto ok = checkFullName(fullName); !ok)
    return ok.error();
  if (branch.empty())
    return makeError("deleteBranch needs a branch name");
  std::string path = repoPath(fullName) + "/git/refs/heads/" + urlEncode(branch, true);
  auto response = send("DELETE", path);
  if (!response)
    return response.error();
  // Deleting a branch that is already gone leaves the repository as wanted.
  if (response->status == 422 && anyDetailContains(response->body, "Reference does not exist"))
    return {};
  if (response->status != 204 && response->status != 200)
    return apiError("DELETE", urlFor(path), *response);
  return {};
}

Expected<RefStatus> GitHubClient::refStatus(const std::string& fullName, const std::string& ref) {
  if (auto ok = checkFullName(fullName); !ok)
    return ok.error();
  std::string base = repoPath(fullName) + "/commits/" + urlEncode(ref, true);
  auto combined = call("GET", withPageSize(base + "/status"), std::nullopt, true);
  if (!combined)
    return combined.error();
  auto runs = listAll(withPageSize(base + "/check-runs"), "check_runs", true);
  if (!runs)
    return runs.error();

  RefStatus status;
  int statusFailures = 0;
  int statusErrors = 0;
  const json& statuses = combined->body.is_object() && combined->body.contains("statuses")
                             ? combined->body["statuses"]
                             : json::array();
  for (const json& s : statuses) {
    std::string state = stringField(s, "state");
    ++status.checksTotal;
    if (state == "failure")
      ++statusFailures;
    else if (state == "error")
      ++statusErrors;
    else if (state == "pending")
      ++status.checksPending;
  }
  for (const json& run : *runs) {
    ++status.checksTotal;
    std::string conclusion = stringField(run, "conclusion");
    if (stringField(run, "status") != "completed")
      ++status.checksPending;
    else if (conclusion == "failure" || conclusion == "timed_out" || conclusion == "cancelled" ||
             conclusion == "action_required" || conclusion == "startup_failure")
      ++status.checksFailed;
  }
  status.checksFailed += statusFailures + statusErrors;
  // Like GitHub's combined status, a ref that nothing has reported on yet is pending.
  if (status.checksFailed > statusErrors)
    status.state = "failure";
  else if (statusErrors > 0)
    status.state = "error";
  else if (status.checksPending > 0 || status.checksTotal == 0)
    status.state = "pending";
  else
    status.state = "success";
  return status;
}

Expected<std::string> GitHubClient::gitToken() {
  return currentToken(false);
}

} // namespace godwit
