#include "analyzers/FileWalker.h"

#include <dirent.h>
#include <git2.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>
#include <system_error>

namespace godwit {
namespace fs = std::filesystem;

namespace {

bool globFrom(std::string_view g, std::string_view p) {
  while (!g.empty()) {
    if (g.substr(0, 2) == "**") {
      std::string_view rest = g.substr(2);
      if (!rest.empty() && rest.front() == '/') {
        rest.remove_prefix(1); // `**/` also matches no folder at all
        if (globFrom(rest, p))
          return true;
        for (size_t i = 0; i < p.size(); ++i)
          if (p[i] == '/' && globFrom(rest, p.substr(i + 1)))
            return true;
        return false;
      }
      for (size_t i = 0; i <= p.size(); ++i)
        if (globFrom(rest, p.substr(i)))
          return true;
      return false;
    }
    if (g.front() == '*') {
      for (size_t i = 0; i <= p.size(); ++i) {
        if (globFrom(g.substr(1), p.substr(i)))
          return true;
        if (i < p.size() && p[i] == '/')
          break;
      }
      return false;
    }
    if (p.empty() || (g.front() == '?' ? p.front() == '/' : g.front() != p.front()))
      return false;
    g.remove_prefix(1);
    p.remove_prefix(1);
  }
  return p.empty();
}

struct RepoDeleter {
  void operator()(git_repository* r) const { git_repository_free(r); }
};

std::string slashed(const fs::path& p) {
  std::string s = p.generic_string();
  if (s == ".")
    s.clear();
  return s;
}

} // namespace

bool globMatch(std::string_view glob, std::string_view path) {
  if (glob.find('/') == std::string_view::npos) {
    const size_t slash = path.rfind('/');
    if (slash != std::string_view::npos)
      path.remove_prefix(slash + 1);
  }
  return globFrom(glob, path);
}

Expected<WalkResult> walkFiles(const WalkOptions& options) {
  std::error_code ec;
  const fs::path root = fs::weakly_canonical(options.root, ec);
  if (ec || !fs::is_directory(root))
    return Error{"no such directory", options.root.string(), 0, 0,
                 "pass a folder of a checkout to scan"};

  // Inside a git work tree, .gitignore decides; paths are asked relative to the work tree.
  std::unique_ptr<git_repository, RepoDeleter> repo;
  fs::path workdir;
  // libgit2 is started (it loads the system's certificates) only when a `.git` (folder or file)
  // is in the root or above it, where git_repository_open_ext would find a repository.
  bool inGit = false;
  for (fs::path dir = root; !inGit; dir = dir.parent_path()) {
    inGit = fs::exists(dir / ".git", ec);
    if (dir == dir.parent_path())
      break;
  }
  if (inGit) {
    static std::once_flag gitInit;
    std::call_once(gitInit, [] { git_libgit2_init(); });
    git_repository* raw = nullptr;
    if (git_repository_open_ext(&raw, root.c_str(), 0, nullptr) == 0) {
      repo.reset(raw);
      if (const char* wd = git_repository_workdir(raw))
        workdir = fs::weakly_canonical(wd);
      else
        repo.reset();
    }
  }
  auto gitIgnored = [&](const std::string& rel, bool dir) {
    if (!repo)
      return false;
    std::string p = slashed(fs::relative(root / rel, workdir));
    if (dir)
      p += '/';
    int ignored = 0;
    return git_ignore_path_is_ignored(&ignored, repo.get(), p.c_str()) == 0 && ignored == 1;
  };
  auto globbed = [&](const std::string& rel) {
    for (const auto& g : options.exclude)
      if (globMatch(g, rel))
        return true;
    if (options.include.empty())
      return false;
    return std::none_of(options.include.begin(), options.include.end(),
                        [&](const std::string& g) { return globMatch(g, rel); });
  };

  WalkResult result;
  auto considerFile = [&](const std::string& rel) {
    ++result.seen;
    if (globbed(rel)) {
      ++result.ignored;
      return;
    }
    const LanguageEntry* lang = languageForPath(rel);
    if (lang == nullptr) {
      ++result.unsupported;
      return;
    }
    if (gitIgnored(rel, false)) {
      ++result.ignored;
      return;
    }
    result.files.push_back({rel, lang, result.files.size()});
    if (options.onFile)
      options.onFile(result.files.back());
  };

  // Depth-first with sorted folder entries, so output order does not depend on the file system.
  std::vector<std::string> stack;
  std::vector<std::string> starts =
      options.paths.empty() ? std::vector<std::string>{""} : options.paths;
  for (const std::string& given : starts) {
    const fs::path abs = given.empty() ? root : fs::weakly_canonical(fs::absolute(given), ec);
    const std::string rel = slashed(fs::relative(abs, root, ec));
    if (ec || rel.starts_with("..") || fs::path(rel).is_absolute())
      return Error{"path is outside the scanned root " + root.string(), given, 0, 0,
                   "scan from a folder that contains every path"};
    const auto st = fs::symlink_status(abs, ec);
    if (ec || !fs::exists(st))
      return Error{"no such file or directory", given, 0, 0, "check the path"};
    if (fs::is_symlink(st)) {
      ++result.symlinks;
    } else if (fs::is_regular_file(st)) {
      considerFile(rel);
    } else if (fs::is_directory(st)) {
      stack.push_back(rel);
    }
    while (!stack.empty()) {
      const std::string dir = std::move(stack.back());
      stack.pop_back();
      // readdir's d_type answers "file, folder or link?" without a stat call per entry, which
      // on a large checkout costs more than the rest of the walk.
      DIR* handle = ::opendir((root / dir).c_str());
      if (handle == nullptr) {
        result.errors.push_back(Error{std::string("cannot read folder: ") + std::strerror(errno),
                                      dir.empty() ? "." : dir, 0, 0, "check its permissions"});
        continue;
      }
      std::vector<std::pair<std::string, unsigned char>> entries;
      while (const dirent* e = ::readdir(handle)) {
        const std::string_view name = e->d_name;
        if (name != "." && name != "..")
          entries.emplace_back(name, e->d_type);
      }
      ::closedir(handle);
      std::sort(entries.begin(), entries.end());
      std::vector<std::string> subdirs;
      for (auto& [name, type] : entries) {
        std::string rel = dir.empty() ? name : dir + "/" + name;
        if (type == DT_UNKNOWN) {
          struct stat st {};
          if (::lstat((root / rel).c_str(), &st) != 0)
            continue;
          type = S_ISLNK(st.st_mode)   ? DT_LNK
                 : S_ISDIR(st.st_mode) ? DT_DIR
                 : S_ISREG(st.st_mode) ? DT_REG
                                       : DT_UNKNOWN;
        }
        if (type == DT_LNK) {
          ++result.symlinks;
        } else if (type == DT_DIR) {
          if (name == ".git")
            continue;
          if (gitIgnored(rel, true))
            ++result.ignored;
          else
            subdirs.push_back(std::move(rel));
        } else if (type == DT_REG) {
          considerFile(rel);
        }
      }
      // Push in reverse so folders are visited in sorted order.
      for (auto s = subdirs.rbegin(); s != subdirs.rend(); ++s)
        stack.push_back(std::move(*s));
    }
  }
  std::sort(result.files.begin(), result.files.end(),
            [](const WalkEntry& a, const WalkEntry& b) { return a.path < b.path; });
  return result;
}

} // namespace godwit
