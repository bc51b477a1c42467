#include "analyzers/FileWalker.h"

#include "rules/Glob.h"

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

struct RepoDeleter {
  void operator()(git_repository* r) const { git_repository_free(r); }
};

std::string slashed(const fs::path& p) {
  std::string s = p.generic_string();
  if (s == ".")
    s.clear();
  return s;
}

/// The first component of `given` (as written) that is a symbolic link, or an empty path. An
/// absolute path is checked in its last component only: what leads to it is the user's system.
fs::path symlinkIn(const fs::path& given) {
  fs::path p = given.lexically_normal();
  while (!p.empty() && p.filename().empty())
    p = p.parent_path();
  if (p.empty() || p == p.root_path())
    return {};
  struct stat st {};
  if (p.is_absolute())
    return ::lstat(p.c_str(), &st) == 0 && S_ISLNK(st.st_mode) ? p : fs::path();
  fs::path prefix;
  for (const fs::path& part : p) {
    prefix /= part;
    if (part == "." || part == "..")
      continue;
    if (::lstat(prefix.c_str(), &st) == 0 && S_ISLNK(st.st_mode))
      return prefix;
  }
  return {};
}

Error symlinkError(const std::string& given, const fs::path& link) {
  std::error_code ec;
  const fs::path target = fs::read_symlink(link, ec);
  std::string message = "`";
  message.append(link.string()).append("` is a symbolic link; godwit never follows links");
  std::string hint = "pass the folder it points to";
  if (!ec)
    hint.append(" (`").append(target.string()).append("`)");
  hint.append(" instead");
  return Error{std::move(message), given, 0, 0, std::move(hint)};
}

} // namespace

bool isGodwitTempFile(std::string_view name) {
  // `.NAME.godwit-XXXXXX`: six letters or digits, as writeFileAtomic names them.
  constexpr size_t kRandom = 6;
  if (name.size() < 1 + 1 + kTempMarker.size() + kRandom || name.front() != '.')
    return false;
  const std::string_view marker = name.substr(name.size() - kRandom - kTempMarker.size());
  if (!marker.starts_with(kTempMarker))
    return false;
  for (const char c : marker.substr(kTempMarker.size()))
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
      return false;
  return true;
}

Expected<WalkResult> walkFiles(const WalkOptions& options) {
  std::error_code ec;
  if (const fs::path link = symlinkIn(options.root); !link.empty())
    return symlinkError(options.root.string(), link);
  for (const std::string& given : options.paths)
    if (const fs::path link = symlinkIn(given); !link.empty())
      return symlinkError(given, link);
  std::vector<Glob> include, exclude;
  for (auto [texts, globs] : {std::pair{&options.include, &include}, {&options.exclude, &exclude}})
    for (const std::string& text : *texts) {
      auto glob = Glob::compile(text);
      if (!glob)
        return glob.error();
      globs->push_back(std::move(*glob));
    }
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
    for (const Glob& g : exclude)
      if (g.matches(rel))
        return true;
    if (include.empty())
      return false;
    return std::none_of(include.begin(), include.end(),
                        [&](const Glob& g) { return g.matches(rel); });
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
    // The last component stays as given, so that a link is seen as a link, not as its target.
    fs::path abs = root;
    if (!given.empty()) {
      abs = fs::absolute(given, ec).lexically_normal();
      while (abs.has_relative_path() && abs.filename().empty())
        abs = abs.parent_path();
      abs = fs::weakly_canonical(abs.parent_path(), ec) / abs.filename();
    }
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
    } else {
      ++result.seen;
      ++result.special;
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
                                       : DT_FIFO; // any other kind is special alike
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
          if (isGodwitTempFile(name))
            result.staleTemps.push_back(std::move(rel));
          else
            considerFile(rel);
        } else {
          ++result.seen;
          ++result.special;
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
