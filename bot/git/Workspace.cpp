#include "bot/git/Workspace.h"

#include <git2.h>
#include <git2/sys/credential.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <set>
#include <system_error>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace godwit {
namespace {

// libgit2 keeps a global init count; the bot never shuts it down, so one init is enough.
void ensureLibgit2() {
  static const int once = git_libgit2_init();
  (void)once;
}

template <class T, void (*Free)(T*)> struct GitDeleter {
  void operator()(T* p) const { Free(p); }
};
template <class T, void (*Free)(T*)> using GitPtr = std::unique_ptr<T, GitDeleter<T, Free>>;

using RemotePtr = GitPtr<git_remote, git_remote_free>;
using CommitPtr = GitPtr<git_commit, git_commit_free>;
using TreePtr = GitPtr<git_tree, git_tree_free>;
using TreeEntryPtr = GitPtr<git_tree_entry, git_tree_entry_free>;
using BlobPtr = GitPtr<git_blob, git_blob_free>;
using IndexPtr = GitPtr<git_index, git_index_free>;
using RefPtr = GitPtr<git_reference, git_reference_free>;
using SigPtr = GitPtr<git_signature, git_signature_free>;
using WalkPtr = GitPtr<git_revwalk, git_revwalk_free>;

std::string oidHex(const git_oid& oid) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, &oid);
  return buf;
}

std::string lastGitMessage() {
  const git_error* e = git_error_last();
  return e && e->message ? e->message : "unknown libgit2 error";
}

std::string base64(const std::string& in) {
  static const char* table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v =
        (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8 | (unsigned char)in[i + 2];
    out += table[v >> 18 & 63];
    out += table[v >> 12 & 63];
    out += table[v >> 6 & 63];
    out += table[v & 63];
  }
  if (i + 1 == in.size()) {
    unsigned v = (unsigned char)in[i] << 16;
    out += table[v >> 18 & 63];
    out += table[v >> 12 & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8;
    out += table[v >> 18 & 63];
    out += table[v >> 12 & 63];
    out += table[v >> 6 & 63];
    out += '=';
  }
  return out;
}

void replaceAll(std::string& text, const std::string& needle, const std::string& with) {
  if (needle.empty())
    return;
  for (size_t at = text.find(needle); at != std::string::npos;
       at = text.find(needle, at + with.size()))
    text.replace(at, needle.size(), with);
}

bool validComponent(const std::string& part) {
  if (part.empty() || part == "." || part == "..")
    return false;
  for (char c : part)
    if (c == '/' || c == '\\' || c == '\0' || (unsigned char)c < 0x20)
      return false;
  return true;
}

bool safeRepoPath(const std::string& path) {
  if (path.empty() || path.front() == '/' || path.back() == '/')
    return false;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos)
      end = path.size();
    std::string part = path.substr(start, end - start);
    if (!validComponent(part) || part == ".git")
      return false;
    start = end + 1;
  }
  return true;
}

bool sameIdentity(const git_signature* sig, const GitIdentity& id) {
  return sig && sig->name && sig->email && id.name == sig->name && id.email == sig->email;
}

// The push callbacks share one payload with the credentials callback, hence the base class.
struct PushState : CredentialState {
  std::string dst;
  git_oid expected{};
  bool sawUpdate = false;
  std::string movedTo;
  std::vector<std::string> rejected;
};

int negotiatePush(const git_push_update** updates, size_t len, void* payload) {
  auto* state = static_cast<PushState*>(static_cast<CredentialState*>(payload));
  for (size_t i = 0; i < len; ++i) {
    if (!updates[i]->dst_refname || state->dst != updates[i]->dst_refname)
      continue;
    state->sawUpdate = true;
    if (!git_oid_equal(&updates[i]->src, &state->expected)) {
      state->movedTo = git_oid_is_zero(&updates[i]->src) ? "(deleted)" : oidHex(updates[i]->src);
      git_error_set_str(GIT_ERROR_REFERENCE, "remote branch moved since it was fetched");
      return GIT_EUSER;
    }
  }
  return 0;
}

int pushUpdateReference(const char* refname, const char* status, void* payload) {
  auto* state = static_cast<PushState*>(static_cast<CredentialState*>(payload));
  if (status)
    state->rejected.push_back(std::string(refname ? refname : "?") + ": " + status);
  return 0;
}

} // namespace

std::filesystem::path defaultCacheDir() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    return std::filesystem::path(xdg) / "godwit" / "repos";
  if (const char* home = std::getenv("HOME"); home && *home)
    return std::filesystem::path(home) / ".cache" / "godwit" / "repos";
  return std::filesystem::temp_directory_path() / "godwit" / "repos";
}

Expected<std::filesystem::path> cachePath(const std::filesystem::path& cacheDir,
                                          const std::string& cloneUrl,
                                          const std::string& fullName) {
  size_t slash = fullName.find('/');
  std::string owner = slash == std::string::npos ? "" : fullName.substr(0, slash);
  std::string name = slash == std::string::npos ? "" : fullName.substr(slash + 1);
  if (name.size() > 4 && name.ends_with(".git"))
    name.resize(name.size() - 4);
  if (!validComponent(owner) || !validComponent(name))
    return makeError("invalid repository name '" + fullName + "'",
                     "give the repository as owner/name");
  size_t scheme = cloneUrl.find("://");
  if (scheme == std::string::npos)
    return makeError("repository " + fullName + " has an unsupported clone URL '" + cloneUrl + "'",
                     "the code host must report an https:// (or file://) clone URL");
  std::string host = cloneUrl.substr(scheme + 3);
  host = host.substr(0, host.find('/'));
  if (size_t at = host.rfind('@'); at != std::string::npos)
    host = host.substr(at + 1);
  for (char& c : host)
    if (c == ':')
      c = '_';
  if (host.empty())
    host = "local";
  if (!validComponent(host))
    return makeError("clone URL '" + cloneUrl + "' has an invalid host");
  return cacheDir / host / owner / (name + ".git");
}

int acquireCredential(git_credential** out, const char* /*url*/, const char* /*usernameFromUrl*/,
                      unsigned int allowedTypes, void* payload) {
  ensureLibgit2();
  auto* state = static_cast<CredentialState*>(payload);
  if (!state || !state->token || !(allowedTypes & GIT_CREDENTIAL_USERPASS_PLAINTEXT))
    return GIT_PASSTHROUGH;
  if (state->attempts++ > 0) {
    git_error_set_str(GIT_ERROR_NET, "the code host rejected the bot's git token");
    return GIT_EAUTH;
  }
  Expected<std::string> token = state->token();
  if (!token) {
    git_error_set_str(GIT_ERROR_NET, ("no git token: " + token.error().message).c_str());
    return GIT_EAUTH;
  }
  state->issued = *token;
  return git_credential_userpass_plaintext_new(out, "x-access-token", token->c_str());
}

std::string redactSecret(std::string text, const std::string& secret) {
  if (secret.empty())
    return text;
  replaceAll(text, secret, "***");
  replaceAll(text, base64("x-access-token:" + secret), "***");
  return text;
}

bool branchIsCurrent(const BranchState& branch, const std::string& baseSha,
                     const std::string& tree) {
  return !branch.humanEdited && branch.commits == 1 && branch.parents.size() == 1 &&
         branch.parents.front() == baseSha && branch.tree == tree;
}

Checkout::~Checkout() {
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

Workspace::Workspace(git_repository* repo, std::filesystem::path gitDir, std::string cloneUrl,
                     WorkspaceOptions options)
    : repo_(repo), gitDir_(std::move(gitDir)), options_(std::move(options)),
      cloneUrl_(std::move(cloneUrl)) {}

Workspace::Workspace(Workspace&& other) noexcept
    : repo_(other.repo_), gitDir_(std::move(other.gitDir_)), options_(std::move(other.options_)),
      remoteHead_(std::move(other.remoteHead_)), cloneUrl_(std::move(other.cloneUrl_)),
      claim_(other.claim_) {
  other.repo_ = nullptr;
  other.claim_ = -1;
}

Workspace::~Workspace() {
  if (repo_)
    git_repository_free(repo_);
  if (claim_ >= 0)
    ::close(claim_);
}

Error Workspace::gitError(const std::string& what) const {
  return makeError(what + ": " + lastGitMessage());
}

namespace {

namespace fs = std::filesystem;

void tell(const WorkspaceOptions& options, const std::string& line) {
  if (options.log)
    options.log(line);
}

// The prefix of the partial folders of `cache`: `<name>.git.partial-<pid>-<random>`.
std::string partialPrefix(const fs::path& cache) {
  return cache.filename().string() + ".partial-";
}

// A fresh, empty folder next to `cache` under a partial name that carries this process's id.
Expected<fs::path> makePartial(const fs::path& cache) {
  std::string templ = (cache.parent_path() / partialPrefix(cache)).string() +
                      std::to_string(::getpid()) + "-XXXXXX";
  if (!mkdtemp(templ.data()))
    return makeError("cannot create a folder next to the git cache " + cache.string() + ": " +
                         std::strerror(errno),
                     "check that the cache directory is writable (--cache-dir)");
  return fs::path(templ);
}

bool processExists(pid_t pid) {
  return ::kill(pid, 0) == 0 || errno == EPERM;
}

// Removes the partial folders of `cache` whose process is gone: what a clone killed midway
// left. Those of live processes stay (another run may be cloning the same repository), and so
// do this process's (another thread may be); a pid reused by a new process only delays this.
void removeDeadPartials(const fs::path& cache, const WorkspaceOptions& options) {
  const std::string prefix = partialPrefix(cache);
  std::vector<fs::path> gone;
  std::error_code ec;
  for (fs::directory_iterator it(cache.parent_path(), ec), end; !ec && it != end;
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!name.starts_with(prefix))
      continue;
    const char* digits = name.c_str() + prefix.size();
    char* stop = nullptr;
    const long pid = std::strtol(digits, &stop, 10);
    if (stop == digits || *stop != '-' || pid <= 0 || pid == ::getpid() ||
        processExists(static_cast<pid_t>(pid)))
      continue;
    gone.push_back(it->path());
  }
  for (const fs::path& partial : gone) {
    fs::remove_all(partial, ec);
    if (!ec)
      tell(options, "removed " + partial.string() + ", left by a clone that was cut short");
  }
}

// Removes the git lock files of `cache` (top level and under refs/): a run killed while git
// held one leaves it, and every later write of that file would fail. Only called by a run that
// is alone with the cache.
void removeStaleLocks(const fs::path& cache, const WorkspaceOptions& options) {
  std::vector<fs::path> locks;
  std::error_code ec;
  for (fs::directory_iterator it(cache, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().extension() == ".lock" && it->is_regular_file(ec))
      locks.push_back(it->path());
  for (fs::recursive_directory_iterator it(cache / "refs", ec), end; !ec && it != end;
       it.increment(ec))
    if (it->path().extension() == ".lock" && it->is_regular_file(ec))
      locks.push_back(it->path());
  for (const fs::path& lock : locks)
    if (fs::remove(lock, ec))
      tell(options, "removed " + lock.string() + ", a git lock left by a run that was killed");
}

// Takes the shared claim on `cache` a Workspace holds while open (an flock, which the kernel
// drops when the process dies); when no one else holds it, first removes stale git locks.
Expected<int> claimCache(const fs::path& cache, const WorkspaceOptions& options) {
  const fs::path marker = cache / "godwit-in-use";
  const int fd = ::open(marker.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0)
    return makeError("cannot open " + marker.string() + ": " + std::strerror(errno),
                     "check that the cache directory is writable (--cache-dir)");
  if (::flock(fd, LOCK_EX | LOCK_NB) == 0)
    removeStaleLocks(cache, options);
  int rc;
  while ((rc = ::flock(fd, LOCK_SH)) < 0 && errno == EINTR) {
  }
  if (rc < 0) {
    const std::string why = std::strerror(errno);
    ::close(fd);
    return makeError("cannot lock " + marker.string() + ": " + why);
  }
  return fd;
}

// Removes a folder on destruction unless released.
struct RemoveUnlessKept {
  fs::path dir;
  ~RemoveUnlessKept() {
    std::error_code ec;
    if (!dir.empty())
      fs::remove_all(dir, ec);
  }
};

} // namespace

Expected<Workspace> Workspace::open(const Repository& repo, const WorkspaceOptions& options) {
  ensureLibgit2();
  fs::path cacheDir = options.cacheDir.empty() ? defaultCacheDir() : options.cacheDir;
  Expected<fs::path> path = cachePath(cacheDir, repo.cloneUrl, repo.fullName);
  if (!path)
    return path.error();
  if (repo.cloneUrl.find('@') != std::string::npos &&
      repo.cloneUrl.find('@') < repo.cloneUrl.find('/', repo.cloneUrl.find("://") + 3))
    return makeError("the clone URL of " + repo.fullName + " carries credentials",
                     "credentials go through the git token, never in a URL");
  git_repository* raw = nullptr;
  std::error_code ec;
  if (fs::exists(*path, ec)) {
    const int rc = git_repository_open_bare(&raw, path->c_str());
    if (rc == 0) {
      Workspace ws(raw, *path, repo.cloneUrl, options);
      Expected<int> claim = claimCache(*path, options);
      if (!claim)
        return claim.error();
      ws.claim_ = *claim;
      if (Expected<void> fetched = ws.fetch(); !fetched)
        return fetched.error();
      return ws;
    }
    if (rc != GIT_ENOTFOUND)
      return makeError("cannot open the git cache " + path->string() + ": " + lastGitMessage(),
                       "delete that directory; godwit clones it again");
    // Only an older build (or a person) leaves such a folder here: this one renames a first
    // clone into place when complete. It is moved to a partial name before it is removed, so
    // that a run killed while removing it leaves a partial that the next clone removes.
    tell(options, "the git cache " + path->string() +
                      " is not a repository (a clone cut short?); cloning it again");
    Expected<fs::path> doomed = makePartial(*path);
    if (!doomed)
      return doomed.error();
    fs::rename(*path, *doomed, ec);
    const bool stuck = ec && fs::exists(*path);
    fs::remove_all(*doomed, ec);
    if (stuck)
      return makeError("cannot remove the damaged git cache " + path->string(),
                       "delete that directory; godwit clones it again");
  }

  // A first clone: into a partial folder, renamed to the cache's name once fetched, so that a
  // half-made cache never has that name.
  fs::create_directories(path->parent_path(), ec);
  removeDeadPartials(*path, options);
  Expected<fs::path> partial = makePartial(*path);
  if (!partial)
    return partial.error();
  RemoveUnlessKept cleanup{*partial};
  std::string head;
  {
    git_repository_init_options init = GIT_REPOSITORY_INIT_OPTIONS_INIT;
    init.flags = GIT_REPOSITORY_INIT_BARE;
    if (git_repository_init_ext(&raw, partial->c_str(), &init) < 0)
      return makeError("cannot create the git cache " + partial->string() + ": " + lastGitMessage(),
                       "check that the cache directory is writable (--cache-dir)");
    Workspace fresh(raw, *partial, repo.cloneUrl, options);
    if (Expected<void> fetched = fresh.fetch(); !fetched)
      return fetched.error();
    head = fresh.remoteHead_;
  }
  fs::rename(*partial, *path, ec);
  if (!ec)
    cleanup.dir.clear();
  else if (!fs::exists(*path))
    return makeError("cannot move the new git cache to " + path->string() + ": " + ec.message(),
                     "check that the cache directory is writable (--cache-dir)");
  // else another run's clone of the same repository was renamed into place first: use that.
  raw = nullptr;
  if (git_repository_open_bare(&raw, path->c_str()) < 0)
    return makeError("cannot open the git cache " + path->string() + ": " + lastGitMessage(),
                     "delete that directory; godwit clones it again");
  Workspace ws(raw, *path, repo.cloneUrl, options);
  Expected<int> claim = claimCache(*path, options);
  if (!claim)
    return claim.error();
  ws.claim_ = *claim;
  if (!ec)
    ws.remoteHead_ = head;
  else if (Expected<void> fetched = ws.fetch(); !fetched)
    return fetched.error();
  return ws;
}

namespace {

/// A detached remote at `url`, connected for fetching (its refs listed, nothing fetched).
/// `cred` must outlive the connection: libgit2 calls back into it.
Expected<RemotePtr> connectForListing(const std::string& url, CredentialState& cred) {
  ensureLibgit2();
  git_remote* raw = nullptr;
  if (git_remote_create_detached(&raw, url.c_str()) < 0)
    return makeError("cannot use the clone URL " + url + ": " + lastGitMessage(),
                     "check the repository's clone URL");
  RemotePtr remote(raw);
  git_remote_callbacks callbacks = GIT_REMOTE_CALLBACKS_INIT;
  callbacks.credentials = acquireCredential;
  callbacks.payload = &cred;
  if (git_remote_connect(remote.get(), GIT_DIRECTION_FETCH, &callbacks, nullptr, nullptr) < 0)
    return makeError(
        redactSecret("cannot list the branches of " + url + ": " + lastGitMessage(), cred.issued),
        "check the network and that the bot can read the repository");
  return remote;
}

} // namespace

Expected<std::optional<std::string>>
remoteBranchTip(const std::string& url, const std::string& branch, const TokenProvider& token) {
  CredentialState cred;
  cred.token = token;
  Expected<RemotePtr> remote = connectForListing(url, cred);
  if (!remote)
    return remote.error();
  const git_remote_head** heads = nullptr;
  size_t count = 0;
  if (git_remote_ls(&heads, &count, remote->get()) < 0)
    return makeError("cannot list the branches of " + url + ": " + lastGitMessage(), "");
  const std::string ref = "refs/heads/" + branch;
  for (size_t i = 0; i < count; ++i)
    if (ref == heads[i]->name)
      return std::optional<std::string>(oidHex(heads[i]->oid));
  return std::optional<std::string>();
}

Expected<std::string> remoteDefaultBranch(const std::string& url, const TokenProvider& token) {
  CredentialState cred;
  cred.token = token;
  Expected<RemotePtr> remote = connectForListing(url, cred);
  if (!remote)
    return remote.error();
  git_buf name = GIT_BUF_INIT;
  const int rc = git_remote_default_branch(&name, remote->get());
  if (rc == GIT_ENOTFOUND)
    return std::string();
  if (rc < 0)
    return makeError("cannot read the default branch of " + url + ": " + lastGitMessage(), "");
  std::string branch(name.ptr, name.size);
  git_buf_dispose(&name);
  const std::string prefix = "refs/heads/";
  return branch.rfind(prefix, 0) == 0 ? branch.substr(prefix.size()) : branch;
}

namespace {

/// A remote at `url` that lives in no configuration, and ignores `url.*.insteadOf`. libgit2 1.5
/// reads named remotes and insteadOf rules with regular expressions whose PCRE2 match data it
/// does not free on a miss (libgit2 #6382): 20 KB a lookup, which made a 10,000-repository sweep
/// peak at 1.4 GB.
Expected<RemotePtr> anonymousRemote(git_repository* repo, const std::string& url) {
  git_remote_create_options opts = GIT_REMOTE_CREATE_OPTIONS_INIT;
  opts.repository = repo;
  opts.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
  git_remote* raw = nullptr;
  if (git_remote_create_with_opts(&raw, url.c_str(), &opts) < 0)
    return makeError("cannot use the clone URL " + url + ": " + lastGitMessage(),
                     "check the repository's clone URL");
  return RemotePtr(raw);
}

} // namespace

Expected<void> Workspace::fetch() {
  Expected<RemotePtr> made = anonymousRemote(repo_, cloneUrl_);
  if (!made)
    return made.error();
  RemotePtr remote = std::move(*made);
  CredentialState cred;
  cred.token = options_.token;
  git_fetch_options opts = GIT_FETCH_OPTIONS_INIT;
  opts.callbacks.credentials = acquireCredential;
  opts.callbacks.payload = &cred;
  opts.prune = GIT_FETCH_PRUNE;
  opts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
  const char* spec = "+refs/heads/*:refs/remotes/origin/*";
  git_strarray specs{const_cast<char**>(&spec), 1};
  if (git_remote_fetch(remote.get(), &specs, &opts, "godwit: fetch") < 0) {
    // A transport error could echo what it sent; the token must not reach a log.
    return makeError(redactSecret("cannot fetch " + std::string(git_remote_url(remote.get())) +
                                      ": " + lastGitMessage(),
                                  cred.issued),
                     "check the network and that the bot can read the repository");
  }
  // The advertised refs stay readable after the fetch disconnected.
  git_buf head = GIT_BUF_INIT;
  if (git_remote_default_branch(&head, remote.get()) == 0) {
    const std::string name(head.ptr, head.size);
    remoteHead_ = name.rfind("refs/heads/", 0) == 0 ? name.substr(11) : std::string();
  } else {
    git_error_clear();
  }
  git_buf_dispose(&head);
  return {};
}

Expected<std::optional<std::string>> Workspace::remoteTip(const std::string& branch) const {
  git_oid oid;
  std::string ref = "refs/remotes/origin/" + branch;
  int rc = git_reference_name_to_id(&oid, repo_, ref.c_str());
  if (rc == GIT_ENOTFOUND)
    return std::optional<std::string>();
  if (rc < 0)
    return gitError("cannot read " + ref);
  return std::optional<std::string>(oidHex(oid));
}

Expected<Checkout> Workspace::checkout(const std::string& sha) const {
  git_oid oid;
  git_commit* rawCommit = nullptr;
  if (git_oid_fromstr(&oid, sha.c_str()) < 0 || git_commit_lookup(&rawCommit, repo_, &oid) < 0)
    return gitError("no commit " + sha + " in " + gitDir_.string());
  CommitPtr commit(rawCommit);
  git_tree* rawTree = nullptr;
  if (git_commit_tree(&rawTree, commit.get()) < 0)
    return gitError("cannot read the tree of " + sha);
  TreePtr tree(rawTree);

  std::string templ = (std::filesystem::temp_directory_path() / "godwit-checkout-XXXXXX").string();
  if (!mkdtemp(templ.data()))
    return makeError("cannot create a temporary directory for the checkout: " +
                     std::string(std::strerror(errno)));
  Checkout result{std::filesystem::path(templ)};

  // An empty baseline makes every file of the target an addition, so all of them are written.
  git_index* rawIndex = nullptr;
  if (git_index_new(&rawIndex) < 0)
    return gitError("cannot create an index");
  IndexPtr empty(rawIndex);
  git_checkout_options opts = GIT_CHECKOUT_OPTIONS_INIT;
  opts.checkout_strategy = GIT_CHECKOUT_FORCE | GIT_CHECKOUT_RECREATE_MISSING |
                           GIT_CHECKOUT_DONT_UPDATE_INDEX | GIT_CHECKOUT_DONT_WRITE_INDEX;
  opts.disable_filters = 1; // The engine must see blob bytes: its `before` is compared to them.
  opts.target_directory = templ.c_str();
  opts.baseline_index = empty.get();
  if (git_checkout_tree(repo_, reinterpret_cast<const git_object*>(tree.get()), &opts) < 0)
    return gitError("cannot check out " + sha);
  return result;
}

Expected<std::optional<BranchState>> Workspace::inspectBranch(const std::string& branch,
                                                              const std::string& baseBranch) const {
  Expected<std::optional<std::string>> tip = remoteTip(branch);
  if (!tip)
    return tip.error();
  if (!*tip)
    return std::optional<BranchState>();
  BranchState state;
  state.tip = **tip;
  git_oid oid;
  git_oid_fromstr(&oid, state.tip.c_str());
  git_commit* rawCommit = nullptr;
  if (git_commit_lookup(&rawCommit, repo_, &oid) < 0)
    return gitError("cannot read the tip of " + branch);
  CommitPtr commit(rawCommit);
  state.tree = oidHex(*git_commit_tree_id(commit.get()));
  for (unsigned i = 0; i < git_commit_parentcount(commit.get()); ++i)
    state.parents.push_back(oidHex(*git_commit_parent_id(commit.get(), i)));

  git_revwalk* rawWalk = nullptr;
  if (git_revwalk_new(&rawWalk, repo_) < 0)
    return gitError("cannot walk " + branch);
  WalkPtr walk(rawWalk);
  git_revwalk_sorting(walk.get(), GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE);
  if (git_revwalk_push(walk.get(), &oid) < 0)
    return gitError("cannot walk " + branch);
  Expected<std::optional<std::string>> base = remoteTip(baseBranch);
  if (!base)
    return base.error();
  if (*base) {
    git_oid baseOid;
    git_oid_fromstr(&baseOid, (*base)->c_str());
    if (git_revwalk_hide(walk.get(), &baseOid) < 0)
      return gitError("cannot walk " + branch);
  }
  git_oid next;
  while (git_revwalk_next(&next, walk.get()) == 0) {
    ++state.commits;
    git_commit* raw = nullptr;
    if (git_commit_lookup(&raw, repo_, &next) < 0)
      return gitError("cannot read a commit of " + branch);
    CommitPtr c(raw);
    const git_signature* author = git_commit_author(c.get());
    const git_signature* committer = git_commit_committer(c.get());
    if (!state.humanEdited &&
        (!sameIdentity(author, options_.identity) || !sameIdentity(committer, options_.identity))) {
      state.humanEdited = true;
      state.humanCommit = oidHex(next);
      const git_signature* who = sameIdentity(author, options_.identity) ? committer : author;
      state.humanName = who && who->name ? who->name : "";
    }
  }
  return std::optional<BranchState>(std::move(state));
}

Expected<std::string> Workspace::patchedTree(const std::string& baseSha,
                                             const std::vector<FileChange>& changes) const {
  git_oid oid;
  git_commit* rawCommit = nullptr;
  if (git_oid_fromstr(&oid, baseSha.c_str()) < 0 || git_commit_lookup(&rawCommit, repo_, &oid) < 0)
    return gitError("no commit " + baseSha + " in " + gitDir_.string());
  CommitPtr commit(rawCommit);
  git_tree* rawTree = nullptr;
  if (git_commit_tree(&rawTree, commit.get()) < 0)
    return gitError("cannot read the tree of " + baseSha);
  TreePtr tree(rawTree);

  std::vector<git_tree_update> updates;
  std::set<std::string> seen;
  updates.reserve(changes.size());
  for (const FileChange& change : changes) {
    if (!safeRepoPath(change.path))
      return makeError("refusing to patch '" + change.path + "': not a path inside the repository");
    if (!seen.insert(change.path).second)
      return makeError("the patch changes '" + change.path + "' twice");
    git_tree_entry* rawEntry = nullptr;
    if (git_tree_entry_bypath(&rawEntry, tree.get(), change.path.c_str()) < 0)
      return makeError("'" + change.path + "' is not in " + baseSha,
                       "the engine only edits files of the checked-out commit");
    TreeEntryPtr entry(rawEntry);
    git_filemode_t mode = git_tree_entry_filemode(entry.get());
    if (mode != GIT_FILEMODE_BLOB && mode != GIT_FILEMODE_BLOB_EXECUTABLE)
      return makeError("'" + change.path + "' is not a regular file in " + baseSha);
    git_blob* rawBlob = nullptr;
    if (git_blob_lookup(&rawBlob, repo_, git_tree_entry_id(entry.get())) < 0)
      return gitError("cannot read '" + change.path + "'");
    BlobPtr blob(rawBlob);
    std::string_view content(static_cast<const char*>(git_blob_rawcontent(blob.get())),
                             static_cast<size_t>(git_blob_rawsize(blob.get())));
    if (content != change.before)
      return makeError("'" + change.path + "' in " + baseSha + " differs from what was analyzed",
                       "the checkout changed during the run; run again");
    git_tree_update update{};
    update.action = GIT_TREE_UPDATE_UPSERT;
    update.filemode = mode;
    update.path = change.path.c_str();
    if (git_blob_create_from_buffer(&update.id, repo_, change.after.data(), change.after.size()) <
        0)
      return gitError("cannot store the new '" + change.path + "'");
    updates.push_back(update);
  }
  git_oid out;
  if (git_tree_create_updated(&out, repo_, tree.get(), updates.size(), updates.data()) < 0)
    return gitError("cannot build the patched tree");
  return oidHex(out);
}

Expected<std::optional<std::string>> Workspace::revertedTree(const std::string& commitSha,
                                                             const std::string& ontoSha) const {
  git_oid oid, ontoOid;
  git_commit* rawCommit = nullptr;
  if (git_oid_fromstr(&oid, commitSha.c_str()) < 0 ||
      git_commit_lookup(&rawCommit, repo_, &oid) < 0)
    return gitError("no commit " + commitSha + " in the cache");
  CommitPtr commit(rawCommit);
  git_commit* rawOnto = nullptr;
  if (git_oid_fromstr(&ontoOid, ontoSha.c_str()) < 0 ||
      git_commit_lookup(&rawOnto, repo_, &ontoOid) < 0)
    return gitError("no commit " + ontoSha + " in the cache");
  CommitPtr onto(rawOnto);
  git_merge_options merge = GIT_MERGE_OPTIONS_INIT;
  git_index* rawIndex = nullptr;
  if (git_revert_commit(&rawIndex, repo_, commit.get(), onto.get(),
                        git_commit_parentcount(commit.get()) > 1 ? 1 : 0, &merge) < 0)
    return gitError("cannot revert " + commitSha);
  IndexPtr index(rawIndex);
  if (git_index_has_conflicts(index.get()))
    return std::optional<std::string>();
  git_oid tree;
  if (git_index_write_tree_to(&tree, index.get(), repo_) < 0)
    return gitError("cannot write the reverted tree");
  return std::optional<std::string>(oidHex(tree));
}

Expected<std::string> Workspace::createCommit(const std::string& baseSha, const std::string& tree,
                                              const std::string& message) const {
  git_oid parentOid, treeOid;
  git_commit* rawParent = nullptr;
  if (git_oid_fromstr(&parentOid, baseSha.c_str()) < 0 ||
      git_commit_lookup(&rawParent, repo_, &parentOid) < 0)
    return gitError("no commit " + baseSha);
  CommitPtr parent(rawParent);
  git_tree* rawTree = nullptr;
  if (git_oid_fromstr(&treeOid, tree.c_str()) < 0 || git_tree_lookup(&rawTree, repo_, &treeOid) < 0)
    return gitError("no tree " + tree);
  TreePtr treeObj(rawTree);
  git_signature* rawSig = nullptr;
  if (git_signature_now(&rawSig, options_.identity.name.c_str(), options_.identity.email.c_str()) <
      0)
    return makeError("invalid bot identity '" + options_.identity.name + " <" +
                         options_.identity.email + ">': " + lastGitMessage(),
                     "set a non-empty author name and email");
  SigPtr sig(rawSig);
  const git_commit* parents[] = {parent.get()};
  git_oid out;
  if (git_commit_create(&out, repo_, nullptr, sig.get(), sig.get(), "UTF-8", message.c_str(),
                        treeObj.get(), 1, parents) < 0)
    return gitError("cannot create the commit");
  return oidHex(out);
}

Expected<void> Workspace::push(const std::string& branch, const std::string& sha,
                               const std::string& expected) {
  git_oid oid;
  if (git_oid_fromstr(&oid, sha.c_str()) < 0)
    return makeError("not a commit id: '" + sha + "'");
  std::string local = "refs/heads/" + branch;
  git_reference* rawRef = nullptr;
  if (git_reference_create(&rawRef, repo_, local.c_str(), &oid, 1, "godwit: commit") < 0)
    return gitError("cannot set " + local);
  RefPtr localRef(rawRef);

  PushState state;
  state.token = options_.token;
  state.dst = local;
  if (!expected.empty() && git_oid_fromstr(&state.expected, expected.c_str()) < 0)
    return makeError("not a commit id: '" + expected + "'");

  Expected<RemotePtr> made = anonymousRemote(repo_, cloneUrl_);
  if (!made)
    return made.error();
  RemotePtr remote = std::move(*made);
  git_push_options opts = GIT_PUSH_OPTIONS_INIT;
  opts.callbacks.credentials = acquireCredential;
  opts.callbacks.push_negotiation = negotiatePush;
  opts.callbacks.push_update_reference = pushUpdateReference;
  opts.callbacks.payload = static_cast<CredentialState*>(&state);
  std::string spec = "+" + local + ":" + local;
  char* specPtr = spec.data();
  git_strarray specs{&specPtr, 1};
  int rc = git_remote_push(remote.get(), &specs, &opts);
  std::string url = git_remote_url(remote.get());
  if (!state.movedTo.empty())
    return makeError("not pushing " + branch + " to " + url + ": it moved to " + state.movedTo +
                         " since godwit fetched it at " +
                         (expected.empty() ? std::string("(absent)") : expected),
                     "someone else pushed to the branch; run again so godwit sees their commit");
  if (rc < 0)
    return makeError(redactSecret("cannot push " + branch + " to " + url + ": " + lastGitMessage(),
                                  state.issued),
                     "check the network and that the bot may push to the repository");
  if (!state.rejected.empty())
    return makeError(
        redactSecret("the remote rejected the push of " + branch + ": " + state.rejected.front(),
                     state.issued),
        "a branch protection rule or hook may forbid the bot's push");
  if (!state.sawUpdate)
    return makeError("the push of " + branch + " to " + url + " did not update it");
  std::string tracking = "refs/remotes/origin/" + branch;
  if (git_reference_create(&rawRef, repo_, tracking.c_str(), &oid, 1, "godwit: push") < 0)
    return gitError("cannot set " + tracking);
  git_reference_free(rawRef);
  return {};
}

} // namespace godwit
