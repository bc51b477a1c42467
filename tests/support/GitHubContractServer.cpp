#include "tests/support/GitHubContractServer.h"

#include <httplib.h>
#include <nlohmann/json.hpp>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <random>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace godwit::test {

namespace {

using nlohmann::json;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::vector<std::string> split(const std::string& path) {
  std::vector<std::string> out;
  std::stringstream in(path);
  std::string part;
  while (std::getline(in, part, '/'))
    if (!part.empty())
      out.push_back(part);
  return out;
}

std::string join(const std::vector<std::string>& parts, size_t from, size_t to) {
  std::string out;
  for (size_t i = from; i < to && i < parts.size(); ++i)
    out += (i == from ? "" : "/") + parts[i];
  return out;
}

// The number in query parameter `name`, `fallback` when absent or not a number.
long queryNumber(const RecordedRequest& rr, const char* name, long fallback) {
  auto it = rr.query.find(name);
  if (it == rr.query.end())
    return fallback;
  try {
    return std::stol(it->second);
  } catch (...) {
    return fallback;
  }
}

std::string isoTime(std::chrono::system_clock::time_point at) {
  std::time_t t = std::chrono::system_clock::to_time_t(at);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

std::string queryEncode(const std::string& text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == ':' || c == '/')
      out += static_cast<char>(c);
    else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// Base64url decoding written independently of bot/Auth so a shared bug cannot hide.
std::optional<std::string> decodeBase64Url(std::string text) {
  std::replace(text.begin(), text.end(), '-', '+');
  std::replace(text.begin(), text.end(), '_', '/');
  size_t padding = (4 - text.size() % 4) % 4;
  if (padding == 3)
    return std::nullopt;
  text.append(padding, '=');
  std::string out(text.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0)
    return std::nullopt;
  out.resize(static_cast<size_t>(n) - padding);
  return out;
}

std::optional<std::string> runGit(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>("git"));
  for (const std::string& a : args)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  int fds[2];
  if (pipe(fds) != 0)
    return std::nullopt;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", 0, 0);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, "git", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  std::string out;
  if (rc == 0) {
    char buffer[4096];
    ssize_t n;
    while ((n = read(fds[0], buffer, sizeof buffer)) > 0)
      out.append(buffer, static_cast<size_t>(n));
  }
  close(fds[0]);
  if (rc != 0)
    return std::nullopt;
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return std::nullopt;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r'))
    out.pop_back();
  return out;
}

std::string notFound() {
  return R"({"message":"Not Found","documentation_url":"https://docs.github.com/rest"})";
}

std::string validationFailed(const json& errors) {
  return json{{"message", "Validation Failed"},
              {"errors", errors},
              {"documentation_url", "https://docs.github.com/rest"}}
      .dump();
}

bool isHexColor(const std::string& color) {
  return color.size() == 6 && std::all_of(color.begin(), color.end(),
                                          [](unsigned char c) { return std::isxdigit(c) != 0; });
}

} // namespace

GitHubContractServer::GitHubContractServer(std::string token)
    : token_(std::move(token)), server_(std::make_unique<httplib::Server>()),
      checker_(OpenApiChecker::github()) {
  auto handler = [this](const httplib::Request& req, httplib::Response& res) { handle(req, res); };
  server_->Get(".*", handler);
  server_->Post(".*", handler);
  server_->Patch(".*", handler);
  server_->Put(".*", handler);
  server_->Delete(".*", handler);
  // cpp-httplib writes a response's headers and body separately; with Nagle on, the body waits
  // for the client's delayed ACK (~40 ms on Linux), which made every request look slow.
  server_->set_tcp_nodelay(true);
  // GitHub keeps a connection for many requests; cpp-httplib's default closes it after five.
  server_->set_keep_alive_max_count(1000);
  port_ = server_->bind_to_any_port("127.0.0.1");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  while (!server_->is_running())
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

GitHubContractServer::~GitHubContractServer() {
  server_->stop();
  if (thread_.joinable())
    thread_.join();
}

std::string GitHubContractServer::url() const {
  return "http://127.0.0.1:" + std::to_string(port_);
}

int64_t GitHubContractServer::addRepository(const RepoSeed& seed) {
  std::lock_guard lock(mutex_);
  Repo repo;
  repo.seed = seed;
  repo.id = nextRepoId_++;
  const int64_t id = repo.id;
  repos_[lower(seed.fullName)] = std::move(repo);
  return id;
}

void GitHubContractServer::renameRepository(const std::string& from, const std::string& to) {
  std::lock_guard lock(mutex_);
  auto node = repos_.extract(lower(from));
  if (node.empty())
    throw std::runtime_error("no repository " + from);
  node.mapped().seed.fullName = to;
  node.key() = lower(to);
  repos_.insert(std::move(node));
  renamed_[lower(from)] = to;
  if (installationRepos_ && installationRepos_->erase(lower(from)))
    installationRepos_->insert(lower(to));
}

void GitHubContractServer::setInstallationRepositories(std::vector<std::string> fullNames) {
  std::lock_guard lock(mutex_);
  installationRepos_.emplace();
  for (const std::string& name : fullNames)
    installationRepos_->insert(lower(name));
}

void GitHubContractServer::setBranch(const std::string& fullName, const std::string& branch,
                                     const std::string& sha) {
  std::lock_guard lock(mutex_);
  repos_.at(lower(fullName)).branches[branch] = sha;
}

bool GitHubContractServer::hasBranch(const std::string& fullName, const std::string& branch) {
  std::lock_guard lock(mutex_);
  return resolveBranch(repos_.at(lower(fullName)), branch).has_value();
}

int64_t GitHubContractServer::addPull(const std::string& fullName, ServerPull pull) {
  std::lock_guard lock(mutex_);
  Repo& repo = repos_.at(lower(fullName));
  pull.number = repo.nextNumber++;
  pull.id = nextId_++;
  if (pull.author.empty())
    pull.author = "someone";
  repo.pulls[pull.number] = pull;
  return pull.number;
}

std::optional<ServerPull> GitHubContractServer::pull(const std::string& fullName, int64_t number) {
  std::lock_guard lock(mutex_);
  Repo& repo = repos_.at(lower(fullName));
  auto it = repo.pulls.find(number);
  if (it == repo.pulls.end())
    return std::nullopt;
  return it->second;
}

std::vector<ServerPull> GitHubContractServer::pulls(const std::string& fullName) {
  std::lock_guard lock(mutex_);
  std::vector<ServerPull> out;
  for (const auto& [n, p] : repos_.at(lower(fullName)).pulls)
    out.push_back(p);
  return out;
}

void GitHubContractServer::addLabel(const std::string& fullName, const ServerLabel& label) {
  std::lock_guard lock(mutex_);
  repos_.at(lower(fullName)).labels.push_back(label);
}

std::vector<ServerLabel> GitHubContractServer::labels(const std::string& fullName) {
  std::lock_guard lock(mutex_);
  return repos_.at(lower(fullName)).labels;
}

int64_t GitHubContractServer::addComment(const std::string& fullName, int64_t issue,
                                         const std::string& body, const std::string& author) {
  std::lock_guard lock(mutex_);
  ServerComment c{nextId_++, issue, body, author};
  repos_.at(lower(fullName)).comments.push_back(c);
  return c.id;
}

std::vector<ServerComment> GitHubContractServer::comments(const std::string& fullName,
                                                          int64_t issue) {
  std::lock_guard lock(mutex_);
  std::vector<ServerComment> out;
  for (const ServerComment& c : repos_.at(lower(fullName)).comments)
    if (c.issue == issue)
      out.push_back(c);
  return out;
}

void GitHubContractServer::addStatus(const std::string& fullName, const std::string& ref,
                                     const std::string& context, const std::string& state) {
  std::lock_guard lock(mutex_);
  repos_.at(lower(fullName)).statuses[ref].emplace_back(context, state);
}

void GitHubContractServer::addCheckRun(const std::string& fullName, const std::string& ref,
                                       ServerCheckRun run) {
  std::lock_guard lock(mutex_);
  repos_.at(lower(fullName)).checkRuns[ref].push_back(std::move(run));
}

void GitHubContractServer::setCiScript(
    std::function<std::string(const std::string&, const std::string&)> script) {
  std::lock_guard lock(mutex_);
  ciScript_ = std::move(script);
}

void GitHubContractServer::mergePull(const std::string& fullName, int64_t number) {
  std::lock_guard lock(mutex_);
  auto it = repos_.find(lower(fullName));
  if (it == repos_.end() || !it->second.pulls.count(number))
    throw std::runtime_error("no pull request " + fullName + "#" + std::to_string(number));
  ServerPull& p = it->second.pulls[number];
  p.state = "closed";
  p.merged = true;
}

void GitHubContractServer::setMaxPageSize(int size) {
  std::lock_guard lock(mutex_);
  maxPageSize_ = std::max(1, size);
}

void GitHubContractServer::enableApp(const std::string& appId, const std::string& publicKeyPem,
                                     const std::string& installationId,
                                     std::chrono::seconds tokenLifetime) {
  std::lock_guard lock(mutex_);
  appId_ = appId;
  appPublicKey_ = publicKeyPem;
  installationId_ = installationId;
  tokenLifetime_ = tokenLifetime;
}

int GitHubContractServer::tokensIssued() {
  std::lock_guard lock(mutex_);
  return tokensIssued_;
}

void GitHubContractServer::revokeInstallationTokens() {
  std::lock_guard lock(mutex_);
  installationTokens_.clear();
}

void GitHubContractServer::setTokenLifetime(std::chrono::seconds lifetime) {
  std::lock_guard lock(mutex_);
  tokenLifetime_ = lifetime;
}

void GitHubContractServer::failNext(ScriptedResponse response) {
  std::lock_guard lock(mutex_);
  scripted_.push_back(std::move(response));
}

void GitHubContractServer::setRateLimit(int remaining, int64_t resetEpochSeconds) {
  std::lock_guard lock(mutex_);
  rateLimit_ = std::make_pair(remaining, resetEpochSeconds);
}

std::vector<RecordedRequest> GitHubContractServer::requests() {
  std::lock_guard lock(mutex_);
  return requests_;
}

std::vector<RecordedRequest> GitHubContractServer::requests(const std::string& method,
                                                            const std::string& pathContains) {
  std::lock_guard lock(mutex_);
  std::vector<RecordedRequest> out;
  for (const RecordedRequest& r : requests_)
    if (r.method == method && r.path.find(pathContains) != std::string::npos)
      out.push_back(r);
  return out;
}

void GitHubContractServer::clearRequests() {
  std::lock_guard lock(mutex_);
  requests_.clear();
}

void GitHubContractServer::onRequest(
    std::function<void(const RecordedRequest&, size_t count)> observer) {
  std::lock_guard lock(mutex_);
  observer_ = std::move(observer);
}

int GitHubContractServer::notModifiedCount() {
  std::lock_guard lock(mutex_);
  return notModified_;
}

std::vector<std::string> GitHubContractServer::violations() {
  std::lock_guard lock(mutex_);
  return violations_;
}

GitHubContractServer::Repo* GitHubContractServer::findRepo(const std::string& owner,
                                                           const std::string& name) {
  auto it = repos_.find(lower(owner + "/" + name));
  if (it == repos_.end() || !it->second.seed.visible)
    return nullptr;
  return &it->second;
}

std::optional<std::string> GitHubContractServer::resolveBranch(Repo& repo,
                                                               const std::string& branch) {
  auto it = repo.branches.find(branch);
  if (it != repo.branches.end())
    return it->second;
  const std::string& clone = repo.seed.cloneUrl;
  if (clone.rfind("file://", 0) == 0)
    return runGit({"--git-dir=" + clone.substr(7), "rev-parse", "--verify", "--quiet",
                   "refs/heads/" + branch + "^{commit}"});
  return std::nullopt;
}

bool GitHubContractServer::removeBranch(Repo& repo, const std::string& branch) {
  bool removed = repo.branches.erase(branch) > 0;
  const std::string& clone = repo.seed.cloneUrl;
  if (clone.rfind("file://", 0) == 0) {
    std::string dir = "--git-dir=" + clone.substr(7);
    if (runGit({dir, "rev-parse", "--verify", "--quiet", "refs/heads/" + branch}))
      removed = runGit({dir, "update-ref", "-d", "refs/heads/" + branch}).has_value() || removed;
  }
  return removed;
}

GitHubContractServer::Page GitHubContractServer::paginate(const RecordedRequest& rr, size_t count) {
  long perPage = std::clamp(queryNumber(rr, "per_page", 30), 1L, static_cast<long>(maxPageSize_));
  long page = std::max(1L, queryNumber(rr, "page", 1));
  size_t pages = std::max<size_t>(1, (count + perPage - 1) / perPage);
  Page result;
  result.begin = std::min(count, static_cast<size_t>((page - 1) * perPage));
  result.end = std::min(count, result.begin + static_cast<size_t>(perPage));
  auto pageUrl = [&](size_t n) {
    std::string out = url() + rr.path + "?";
    bool first = true;
    for (const auto& [k, v] : rr.query) {
      if (k == "page")
        continue;
      if (!first)
        out += '&';
      out += queryEncode(k);
      out += '=';
      out += queryEncode(v);
      first = false;
    }
    if (!first)
      out += '&';
    out += "page=";
    out += std::to_string(n);
    return out;
  };
  std::vector<std::string> links;
  if (static_cast<size_t>(page) < pages)
    links.push_back("<" + pageUrl(page + 1) + ">; rel=\"next\"");
  if (pages > 1)
    links.push_back("<" + pageUrl(pages) + ">; rel=\"last\"");
  if (page > 1) {
    links.push_back("<" + pageUrl(1) + ">; rel=\"first\"");
    links.push_back("<" + pageUrl(page - 1) + ">; rel=\"prev\"");
  }
  for (size_t i = 0; i < links.size(); ++i)
    result.link += (i ? ", " : "") + links[i];
  return result;
}

std::string GitHubContractServer::pullJson(const Repo& repo, const ServerPull& p) const {
  std::string owner = repo.seed.fullName.substr(0, repo.seed.fullName.find('/'));
  json labels = json::array();
  for (const std::string& name : p.labels)
    labels.push_back({{"name", name}});
  json reviewers = json::array();
  for (const std::string& r : p.requestedReviewers)
    reviewers.push_back({{"login", r}});
  json teams = json::array();
  for (const std::string& t : p.requestedTeams)
    teams.push_back({{"slug", t}});
  json j = {
      {"id", p.id},
      {"number", p.number},
      {"state", p.state},
      {"title", p.title},
      {"body", p.body.empty() ? json(nullptr) : json(p.body)},
      {"draft", p.draft},
      {"merged", p.merged},
      {"merged_at", p.merged ? json("2024-01-01T00:00:00Z") : json(nullptr)},
      {"html_url",
       "https://github.com/" + repo.seed.fullName + "/pull/" + std::to_string(p.number)},
      {"user", {{"login", p.author}}},
      {"head", {{"ref", p.head}, {"sha", p.headSha}, {"label", owner + ":" + p.head}}},
      {"base", {{"ref", p.base}}},
      {"labels", labels},
      {"requested_reviewers", reviewers},
      {"requested_teams", teams},
  };
  return j.dump();
}

json GitHubContractServer::repoJson(const Repo& repo) const {
  const std::string& fullName = repo.seed.fullName;
  const std::string owner = fullName.substr(0, fullName.find('/'));
  return json{{"id", repo.id},
              {"name", fullName.substr(owner.size() + 1)},
              {"full_name", fullName},
              {"owner", {{"login", owner}}},
              {"private", false},
              {"default_branch", repo.seed.defaultBranch},
              {"archived", repo.seed.archived},
              {"clone_url", repo.seed.cloneUrl},
              {"html_url", "https://github.com/" + fullName},
              {"permissions", {{"admin", false}, {"push", true}, {"pull", true}}}};
}

int64_t GitHubContractServer::addHookDelivery(ServerHookDelivery delivery) {
  std::lock_guard lock(mutex_);
  if (delivery.id == 0)
    delivery.id = nextId_++;
  if (delivery.deliveredAt.empty())
    delivery.deliveredAt = isoTime(std::chrono::system_clock::now());
  hookDeliveries_.push_back(delivery);
  return delivery.id;
}

std::vector<int64_t> GitHubContractServer::hookRedeliveries() {
  std::lock_guard lock(mutex_);
  return hookRedeliveries_;
}

void GitHubContractServer::setRedeliveryStatus(int statusCode) {
  std::lock_guard lock(mutex_);
  redeliveryStatus_ = statusCode;
}

// Newest first, paged by an opaque cursor as GitHub does (the offset here).
void GitHubContractServer::listHookDeliveries(const RecordedRequest& rr, httplib::Response& res) {
  const long perPage = std::clamp(queryNumber(rr, "per_page", 30), 1L,
                                  std::min(100L, static_cast<long>(maxPageSize_)));
  const size_t from = static_cast<size_t>(std::max(0L, queryNumber(rr, "cursor", 0)));
  const size_t count = hookDeliveries_.size();
  json list = json::array();
  for (size_t i = from; i < count && i < from + static_cast<size_t>(perPage); ++i) {
    const ServerHookDelivery& d = hookDeliveries_[count - 1 - i];
    list.push_back({{"id", d.id},
                    {"guid", d.guid},
                    {"delivered_at", d.deliveredAt},
                    {"redelivery", d.redelivery},
                    {"duration", 0.05},
                    {"status", d.status},
                    {"status_code", d.statusCode},
                    {"event", d.event},
                    {"action", d.action.empty() ? json(nullptr) : json(d.action)},
                    {"installation_id", d.installationId ? json(d.installationId) : json(nullptr)},
                    {"repository_id", d.repositoryId ? json(d.repositoryId) : json(nullptr)},
                    {"throttled_at", nullptr}});
  }
  if (from + static_cast<size_t>(perPage) < count)
    res.set_header("Link", "<" + url() + rr.path + "?per_page=" + std::to_string(perPage) +
                               "&cursor=" + std::to_string(from + perPage) + ">; rel=\"next\"");
  res.status = 200;
  res.set_content(list.dump(), "application/json; charset=utf-8");
}

void GitHubContractServer::listRepositories(const RecordedRequest& rr, httplib::Response& res) {
  auto parts = split(rr.path);
  const bool installation = parts[0] == "installation";
  auto reply = [&](int status, const std::string& body) {
    res.status = status;
    res.set_content(body, "application/json; charset=utf-8");
  };
  std::vector<const Repo*> selected;
  if (installation) {
    auto header = rr.headers.find("authorization");
    const std::string value = header == rr.headers.end() ? "" : header->second;
    const std::string credential = value.substr(std::min(value.size(), value.find(' ') + 1));
    if (!installationTokens_.count(credential)) {
      reply(403, R"({"message":"You must authenticate with an installation access token in )"
                 R"(order to list repositories for an installation.","documentation_url":)"
                 R"("https://docs.github.com/rest/apps/installations"})");
      return;
    }
    for (const auto& [key, repo] : repos_)
      if (repo.seed.visible && (!installationRepos_ || installationRepos_->count(key)))
        selected.push_back(&repo);
    std::sort(selected.begin(), selected.end(),
              [](const Repo* a, const Repo* b) { return a->id < b->id; });
  } else {
    const std::string org = lower(parts[1]);
    for (const auto& [key, repo] : repos_)
      if (repo.seed.visible && key.substr(0, key.find('/')) == org)
        selected.push_back(&repo);
    if (selected.empty()) {
      reply(404, notFound());
      return;
    }
    // GitHub's defaults: sorted by `created`, newest first; `full_name` ascending.
    auto param = [&](const char* name, const std::string& fallback) {
      auto it = rr.query.find(name);
      return it == rr.query.end() ? fallback : it->second;
    };
    const std::string sort = param("sort", "created");
    const bool ascending = param("direction", sort == "full_name" ? "asc" : "desc") == "asc";
    std::sort(selected.begin(), selected.end(), [&](const Repo* a, const Repo* b) {
      const bool less = sort == "full_name" ? lower(a->seed.fullName) < lower(b->seed.fullName)
                                            : a->id < b->id;
      const bool greater = sort == "full_name" ? lower(b->seed.fullName) < lower(a->seed.fullName)
                                               : b->id < a->id;
      return ascending ? less : greater;
    });
  }
  Page page = paginate(rr, selected.size());
  json list = json::array();
  for (size_t i = page.begin; i < page.end; ++i)
    list.push_back(repoJson(*selected[i]));
  if (!page.link.empty())
    res.set_header("Link", page.link);
  if (installation)
    reply(200, json{{"total_count", selected.size()},
                    {"repositories", list},
                    {"repository_selection", installationRepos_ ? "selected" : "all"}}
                   .dump());
  else
    reply(200, list.dump());
}

bool GitHubContractServer::verifyJwt(const std::string& jwt, std::string& why) {
  size_t dot1 = jwt.find('.');
  size_t dot2 = jwt.find('.', dot1 == std::string::npos ? 0 : dot1 + 1);
  if (dot1 == std::string::npos || dot2 == std::string::npos) {
    why = "not a JWT";
    return false;
  }
  auto header = decodeBase64Url(jwt.substr(0, dot1));
  auto payload = decodeBase64Url(jwt.substr(dot1 + 1, dot2 - dot1 - 1));
  auto signature = decodeBase64Url(jwt.substr(dot2 + 1));
  if (!header || !payload || !signature) {
    why = "bad base64url";
    return false;
  }
  json h = json::parse(*header, nullptr, false);
  json c = json::parse(*payload, nullptr, false);
  if (h.is_discarded() || c.is_discarded() || h.value("alg", "") != "RS256") {
    why = "bad header";
    return false;
  }
  std::string iss = c.contains("iss")
                        ? (c["iss"].is_string() ? c["iss"].get<std::string>() : c["iss"].dump())
                        : "";
  if (iss != appId_ || !c.contains("iat") || !c.contains("exp") ||
      c["exp"].get<int64_t>() - c["iat"].get<int64_t>() > 660) {
    why = "bad claims";
    return false;
  }
  BIO* bio = BIO_new_mem_buf(appPublicKey_.data(), static_cast<int>(appPublicKey_.size()));
  EVP_PKEY* key = PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (!key) {
    why = "no public key";
    return false;
  }
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  std::string input = jwt.substr(0, dot2);
  bool ok = EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestVerify(
                ctx, reinterpret_cast<const unsigned char*>(signature->data()), signature->size(),
                reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  if (!ok)
    why = "signature does not verify";
  return ok;
}

bool GitHubContractServer::authorize(const RecordedRequest& rr, httplib::Response& res) {
  auto header = rr.headers.find("authorization");
  std::string value = header == rr.headers.end() ? "" : header->second;
  std::string credential;
  if (value.rfind("Bearer ", 0) == 0)
    credential = value.substr(7);
  else if (value.rfind("token ", 0) == 0)
    credential = value.substr(6);
  auto parts = split(rr.path);
  // GitHub takes only the App's JWT on the App's own endpoints (/app/…).
  const bool appEndpoint = !parts.empty() && parts[0] == "app";
  if (appEndpoint) {
    std::string why = "GitHub App authentication is not enabled";
    if (!appId_.empty() && verifyJwt(credential, why))
      return true;
    violations_.push_back(rr.method + " " + rr.path + ": JWT rejected: " + why);
    res.status = 401;
    res.set_content(R"({"message":"A JSON web token could not be decoded"})", "application/json");
    return false;
  }
  if (!credential.empty() && (credential == token_ || installationTokens_.count(credential)))
    return true;
  res.status = 401;
  res.set_content(
      R"({"message":"Bad credentials","documentation_url":"https://docs.github.com/rest"})",
      "application/json");
  return false;
}

void GitHubContractServer::handle(const httplib::Request& req, httplib::Response& res) {
  RecordedRequest rr;
  rr.method = req.method;
  rr.path = req.path;
  for (const auto& [k, v] : req.params)
    rr.query.emplace(k, v);
  for (const auto& [k, v] : req.headers)
    rr.headers[lower(k)] = v;
  rr.body = req.body;
  rr.at = std::chrono::steady_clock::now();

  std::lock_guard lock(mutex_);
  requests_.push_back(rr);
  if (observer_)
    observer_(rr, requests_.size());
  std::string what = rr.method + " " + rr.path;
  auto headerValue = [&](const char* name) {
    auto it = rr.headers.find(name);
    return it == rr.headers.end() ? std::string() : it->second;
  };
  if (headerValue("user-agent").empty())
    violations_.push_back(what + ": no User-Agent (GitHub refuses such requests)");
  if (headerValue("accept") != "application/vnd.github+json")
    violations_.push_back(what + ": Accept is '" + headerValue("accept") +
                          "', expected application/vnd.github+json");
  if (headerValue("x-github-api-version") != "2022-11-28")
    violations_.push_back(what + ": X-GitHub-Api-Version is '" +
                          headerValue("x-github-api-version") + "', expected 2022-11-28");
  if (!rr.body.empty() && headerValue("content-type").find("application/json") != 0)
    violations_.push_back(what + ": a body without Content-Type application/json");
  for (std::string& v : checker_->check(rr.method, rr.path, rr.query, rr.body))
    violations_.push_back(std::move(v));

  auto finish = [&] {
    if (!res.has_header("x-ratelimit-limit"))
      res.set_header("x-ratelimit-limit", "5000");
    if (!res.has_header("x-ratelimit-remaining"))
      res.set_header("x-ratelimit-remaining",
                     std::to_string(rateLimit_ ? rateLimit_->first : 4999));
    if (!res.has_header("x-ratelimit-reset")) {
      auto reset = rateLimit_ ? rateLimit_->second
                              : std::chrono::duration_cast<std::chrono::seconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                        .count() +
                                    3600;
      res.set_header("x-ratelimit-reset", std::to_string(reset));
    }
    res.set_header("x-ratelimit-resource", "core");
    if (rr.method == "GET" && res.status == 200) {
      std::ostringstream tag;
      tag << "W/\"" << std::hex << std::hash<std::string>{}(res.body) << "\"";
      res.set_header("ETag", tag.str());
      if (headerValue("if-none-match") == tag.str()) {
        ++notModified_;
        res.status = 304;
        res.body.clear();
      }
    }
  };

  for (auto it = scripted_.begin(); it != scripted_.end(); ++it) {
    if (!it->method.empty() && it->method != rr.method)
      continue;
    if (!it->pathContains.empty() && rr.path.find(it->pathContains) == std::string::npos)
      continue;
    res.status = it->status;
    for (const auto& [k, v] : it->headers)
      res.set_header(k, v);
    res.set_content(it->body, "application/json; charset=utf-8");
    scripted_.erase(it);
    finish();
    return;
  }

  if (authorize(rr, res))
    route(rr, req, res);
  finish();
}

void GitHubContractServer::route(const RecordedRequest& rr, const httplib::Request&,
                                 httplib::Response& res) {
  const std::string& m = rr.method;
  auto parts = split(rr.path);
  auto reply = [&](int status, const std::string& body) {
    res.status = status;
    if (!body.empty())
      res.set_content(body, "application/json; charset=utf-8");
  };
  auto unimplemented = [&] {
    violations_.push_back(m + " " + rr.path +
                          ": allowed by GitHub but not served by the "
                          "contract server (extend tests/support)");
    reply(404, notFound());
  };
  json body = rr.body.empty() ? json::object() : json::parse(rr.body, nullptr, false);
  if (body.is_discarded()) {
    reply(400, R"({"message":"Problems parsing JSON"})");
    return;
  }

  if (m == "GET" && parts.size() == 3 && parts[0] == "app" && parts[1] == "hook" &&
      parts[2] == "deliveries") {
    listHookDeliveries(rr, res);
    return;
  }
  if (m == "POST" && parts.size() == 5 && parts[0] == "app" && parts[1] == "hook" &&
      parts[2] == "deliveries" && parts[4] == "attempts") {
    auto found = std::find_if(hookDeliveries_.begin(), hookDeliveries_.end(),
                              [&](const ServerHookDelivery& d) {
                                return std::to_string(d.id) == parts[3];
                              });
    if (found == hookDeliveries_.end()) {
      reply(404, notFound());
      return;
    }
    hookRedeliveries_.push_back(found->id);
    ServerHookDelivery again = *found;
    again.id = nextId_++;
    again.redelivery = true;
    again.statusCode = redeliveryStatus_;
    again.status = redeliveryStatus_ < 400 ? "OK" : "Invalid HTTP Response: " +
                                                      std::to_string(redeliveryStatus_);
    again.deliveredAt = isoTime(std::chrono::system_clock::now());
    hookDeliveries_.push_back(again);
    reply(202, "{}");
    return;
  }
  if (m == "POST" && parts.size() == 4 && parts[0] == "app" && parts[1] == "installations" &&
      parts[3] == "access_tokens") {
    if (parts[2] != installationId_) {
      reply(404, notFound());
      return;
    }
    static std::mt19937_64 random(std::random_device{}());
    std::ostringstream token;
    token << "ghs_" << std::hex << random() << random();
    installationTokens_.insert(token.str());
    ++tokensIssued_;
    reply(201, json{{"token", token.str()},
                    {"expires_at", isoTime(std::chrono::system_clock::now() + tokenLifetime_)},
                    {"permissions", {{"contents", "write"}, {"pull_requests", "write"}}},
                    {"repository_selection", "all"}}
                   .dump());
    return;
  }

  if (m == "GET" && ((parts.size() == 3 && parts[0] == "orgs" && parts[2] == "repos") ||
                     (parts.size() == 2 && parts[0] == "installation" &&
                      parts[1] == "repositories"))) {
    listRepositories(rr, res);
    return;
  }

  if (parts.size() < 3 || parts[0] != "repos") {
    unimplemented();
    return;
  }
  Repo* repo = findRepo(parts[1], parts[2]);
  if (!repo) {
    // GitHub's Location for a renamed repository is /repositories/{id}, which its OpenAPI
    // description does not list; the server redirects to the current name instead, which a
    // client follows the same way.
    auto moved = renamed_.find(lower(parts[1] + "/" + parts[2]));
    if (moved != renamed_.end() && findRepo(moved->second.substr(0, moved->second.find('/')),
                                            moved->second.substr(moved->second.find('/') + 1))) {
      std::string location = url() + "/repos/" + moved->second;
      for (size_t i = 3; i < parts.size(); ++i)
        location += "/" + parts[i];
      bool first = true;
      for (const auto& [k, v] : rr.query) {
        location += (first ? "?" : "&") + queryEncode(k) + "=" + queryEncode(v);
        first = false;
      }
      res.set_header("Location", location);
      reply(301, json{{"message", "Moved Permanently"}, {"url", location}}.dump());
      return;
    }
    reply(404, notFound());
    return;
  }
  const std::string& fullName = repo->seed.fullName;
  std::string owner = fullName.substr(0, fullName.find('/'));
  std::vector<std::string> rest(parts.begin() + 3, parts.end());
  auto number = [&](size_t i) -> int64_t {
    try {
      return i < rest.size() ? std::stoll(rest[i]) : -1;
    } catch (...) {
      return -1;
    }
  };

  if (rest.empty() && m == "GET") {
    reply(200, repoJson(*repo).dump());
    return;
  }

  // --- pulls
  if (!rest.empty() && rest[0] == "pulls") {
    if (rest.size() == 1 && m == "GET") {
      auto q = [&](const char* k, const std::string& fallback) {
        auto it = rr.query.find(k);
        return it == rr.query.end() ? fallback : it->second;
      };
      std::string state = q("state", "open");
      std::string head = q("head", "");
      std::string base = q("base", "");
      std::vector<const ServerPull*> selected;
      for (auto it = repo->pulls.rbegin(); it != repo->pulls.rend(); ++it) {
        const ServerPull& p = it->second;
        if (state != "all" && p.state != state)
          continue;
        if (!head.empty()) {
          size_t colon = head.find(':');
          std::string headOwner = colon == std::string::npos ? owner : head.substr(0, colon);
          std::string headRef = colon == std::string::npos ? head : head.substr(colon + 1);
          if (lower(headOwner) != lower(owner) || p.head != headRef)
            continue;
        }
        if (!base.empty() && p.base != base)
          continue;
        selected.push_back(&p);
      }
      Page page = paginate(rr, selected.size());
      json out = json::array();
      for (size_t i = page.begin; i < page.end; ++i)
        out.push_back(json::parse(pullJson(*repo, *selected[i])));
      if (!page.link.empty())
        res.set_header("Link", page.link);
      reply(200, out.dump());
      return;
    }
    if (rest.size() == 1 && m == "POST") {
      std::string head = body.value("head", "");
      std::string base = body.value("base", "");
      if (head.find(':') != std::string::npos)
        head = head.substr(head.find(':') + 1);
      json errors = json::array();
      std::optional<std::string> headSha = resolveBranch(*repo, head);
      if (body.value("title", "").empty())
        errors.push_back(
            {{"resource", "PullRequest"}, {"field", "title"}, {"code", "missing_field"}});
      if (!headSha)
        errors.push_back({{"resource", "PullRequest"}, {"field", "head"}, {"code", "invalid"}});
      if (!resolveBranch(*repo, base))
        errors.push_back({{"resource", "PullRequest"}, {"field", "base"}, {"code", "invalid"}});
      if (!errors.empty()) {
        reply(422, validationFailed(errors));
        return;
      }
      for (const auto& [n, p] : repo->pulls) {
        if (p.state == "open" && p.head == head && p.base == base) {
          reply(422,
                validationFailed(json::array({{{"resource", "PullRequest"},
                                               {"code", "custom"},
                                               {"message", "A pull request already exists for " +
                                                               owner + ":" + head + "."}}})));
          return;
        }
      }
      ServerPull p;
      p.number = repo->nextNumber++;
      p.id = nextId_++;
      p.title = body.value("title", "");
      p.body = body.value("body", "");
      p.head = head;
      p.base = base;
      p.headSha = *headSha;
      p.draft = body.value("draft", false);
      p.author = login();
      repo->pulls[p.number] = p;
      res.set_header("Location",
                     url() + "/repos/" + fullName + "/pulls/" + std::to_string(p.number));
      reply(201, pullJson(*repo, p));
      return;
    }
    auto found = repo->pulls.find(number(1));
    if (found == repo->pulls.end()) {
      reply(404, notFound());
      return;
    }
    ServerPull& p = found->second;
    if (rest.size() == 2 && m == "GET") {
      reply(200, pullJson(*repo, p));
      return;
    }
    if (rest.size() == 2 && m == "PATCH") {
      if (body.contains("title"))
        p.title = body["title"].get<std::string>();
      if (body.contains("body"))
        p.body = body["body"].is_string() ? body["body"].get<std::string>() : "";
      if (body.contains("state")) {
        if (p.merged) {
          reply(422, validationFailed(json::array(
                         {{{"resource", "PullRequest"},
                           {"code", "custom"},
                           {"message", "Cannot change the state of a merged pull request"}}})));
          return;
        }
        p.state = body["state"].get<std::string>();
      }
      if (body.contains("base"))
        p.base = body["base"].get<std::string>();
      reply(200, pullJson(*repo, p));
      return;
    }
    if (rest.size() == 3 && rest[2] == "requested_reviewers" && m == "POST") {
      for (const json& r : body.value("reviewers", json::array())) {
        if (r.get<std::string>() == p.author) {
          reply(422, R"({"message":"Review cannot be requested from pull request author."})");
          return;
        }
      }
      for (const json& r : body.value("reviewers", json::array()))
        p.requestedReviewers.push_back(r.get<std::string>());
      for (const json& t : body.value("team_reviewers", json::array()))
        p.requestedTeams.push_back(t.get<std::string>());
      reply(201, pullJson(*repo, p));
      return;
    }
    unimplemented();
    return;
  }

  // --- labels
  if (rest.size() == 1 && rest[0] == "labels") {
    auto labelJson = [&](const ServerLabel& l) {
      return json{{"name", l.name},
                  {"color", l.color},
                  {"description", l.description.empty() ? json(nullptr) : json(l.description)},
                  {"default", false}};
    };
    if (m == "GET") {
      Page page = paginate(rr, repo->labels.size());
      json out = json::array();
      for (size_t i = page.begin; i < page.end; ++i)
        out.push_back(labelJson(repo->labels[i]));
      if (!page.link.empty())
        res.set_header("Link", page.link);
      reply(200, out.dump());
      return;
    }
    if (m == "POST") {
      ServerLabel l{body.value("name", ""), body.value("color", "ededed"),
                    body.value("description", "")};
      for (const ServerLabel& existing : repo->labels) {
        if (lower(existing.name) == lower(l.name)) {
          reply(422,
                validationFailed(json::array(
                    {{{"resource", "Label"}, {"code", "already_exists"}, {"field", "name"}}})));
          return;
        }
      }
      if (l.name.empty() || !isHexColor(l.color)) {
        reply(422, validationFailed(json::array({{{"resource", "Label"},
                                                  {"code", "invalid"},
                                                  {"field", l.name.empty() ? "name" : "color"}}})));
        return;
      }
      repo->labels.push_back(l);
      reply(201, labelJson(l).dump());
      return;
    }
  }

  // --- issues (pull requests are issues)
  if (!rest.empty() && rest[0] == "issues") {
    if (rest.size() == 3 && rest[1] == "comments" && m == "PATCH") {
      for (ServerComment& c : repo->comments) {
        if (c.id == number(2)) {
          c.body = body.value("body", "");
          reply(200, json{{"id", c.id}, {"body", c.body}, {"user", {{"login", c.author}}}}.dump());
          return;
        }
      }
      reply(404, notFound());
      return;
    }
    int64_t issue = number(1);
    auto found = repo->pulls.find(issue);
    if (rest.size() == 3 && found == repo->pulls.end()) {
      reply(404, notFound());
      return;
    }
    if (rest.size() == 3 && rest[2] == "labels" && m == "POST") {
      json names = body.is_array() ? body : body.value("labels", json::array());
      for (const json& n : names) {
        std::string name = n.is_string() ? n.get<std::string>() : n.value("name", "");
        bool known =
            std::any_of(repo->labels.begin(), repo->labels.end(),
                        [&](const ServerLabel& l) { return lower(l.name) == lower(name); });
        // GitHub creates a label that does not exist yet when it is added to an issue.
        if (!known)
          repo->labels.push_back({name, "ededed", ""});
        auto& on = found->second.labels;
        if (std::find(on.begin(), on.end(), name) == on.end())
          on.push_back(name);
      }
      json out = json::array();
      for (const std::string& name : found->second.labels)
        out.push_back({{"name", name}});
      reply(200, out.dump());
      return;
    }
    if (rest.size() == 3 && rest[2] == "comments" && m == "GET") {
      std::vector<const ServerComment*> selected;
      for (const ServerComment& c : repo->comments)
        if (c.issue == issue)
          selected.push_back(&c);
      Page page = paginate(rr, selected.size());
      json out = json::array();
      for (size_t i = page.begin; i < page.end; ++i)
        out.push_back({{"id", selected[i]->id},
                       {"body", selected[i]->body},
                       {"user", {{"login", selected[i]->author}}}});
      if (!page.link.empty())
        res.set_header("Link", page.link);
      reply(200, out.dump());
      return;
    }
    if (rest.size() == 3 && rest[2] == "comments" && m == "POST") {
      ServerComment c{nextId_++, issue, body.value("body", ""), login()};
      repo->comments.push_back(c);
      reply(201, json{{"id", c.id}, {"body", c.body}, {"user", {{"login", c.author}}}}.dump());
      return;
    }
  }

  // --- git refs
  if (rest.size() >= 4 && rest[0] == "git" && rest[1] == "refs" && rest[2] == "heads" &&
      m == "DELETE") {
    std::string branch = join(rest, 3, rest.size());
    if (!removeBranch(*repo, branch)) {
      reply(
          422,
          R"({"message":"Reference does not exist","documentation_url":"https://docs.github.com/rest"})");
      return;
    }
    reply(204, "");
    return;
  }

  // --- commit statuses and check runs
  if (rest.size() >= 3 && rest[0] == "commits" && m == "GET") {
    std::string last = rest.back();
    std::string ref = join(rest, 1, rest.size() - 1);
    if (last == "status") {
      json statuses = json::array();
      bool failed = false, pending = false;
      std::vector<std::pair<std::string, std::string>> reported = repo->statuses[ref];
      if (reported.empty() && repo->checkRuns[ref].empty() && ciScript_)
        if (std::string state = ciScript_(fullName, ref); !state.empty())
          reported.push_back({"ci/test", state});
      for (const auto& [context, state] : reported) {
        statuses.push_back({{"context", context}, {"state", state}});
        failed = failed || state == "failure" || state == "error";
        pending = pending || state == "pending";
      }
      std::string state = failed                    ? "failure"
                          : pending || reported.empty() ? "pending"
                                                        : "success";
      reply(200, json{{"state", state},
                      {"statuses", statuses},
                      {"total_count", statuses.size()},
                      {"sha", ref}}
                     .dump());
      return;
    }
    if (last == "check-runs") {
      const auto& runs = repo->checkRuns[ref];
      Page page = paginate(rr, runs.size());
      json out = json::array();
      for (size_t i = page.begin; i < page.end; ++i)
        out.push_back({{"name", runs[i].name},
                       {"status", runs[i].status},
                       {"conclusion",
                        runs[i].conclusion.empty() ? json(nullptr) : json(runs[i].conclusion)}});
      if (!page.link.empty())
        res.set_header("Link", page.link);
      reply(200, json{{"total_count", runs.size()}, {"check_runs", out}}.dump());
      return;
    }
  }
  unimplemented();
}

} // namespace godwit::test
