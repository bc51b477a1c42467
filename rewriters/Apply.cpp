#include "rewriters/Apply.h"

#include "analyzers/FileWalker.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace godwit {
namespace {

namespace fs = std::filesystem;

Error failure(const fs::path& path, const std::string& what, int err, std::string hint) {
  return Error{what + ": " + std::strerror(err), path.string(), 0, 0, std::move(hint)};
}

// The mode a newly created file would get (0666 less the umask). umask() itself cannot be read
// without changing it, which would race with other threads creating files.
mode_t newFileMode() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Umask:", 0) == 0)
      return 0666 & ~static_cast<mode_t>(std::strtoul(line.c_str() + 6, nullptr, 8));
  }
  return 0644;
}

bool writeAll(int fd, std::string_view content) {
  while (!content.empty()) {
    const ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return false;
    }
    content.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

/// `.NAME.godwit-XXXXXX` in `dir`, with six random letters and digits (see isGodwitTempFile).
std::string tempName(const fs::path& dir, const std::string& name) {
  static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  thread_local std::mt19937_64 random{std::random_device{}()};
  std::string out = "." + name + std::string(kTempMarker);
  for (int i = 0; i < 6; ++i)
    out += kChars[random() % (sizeof kChars - 1)];
  return (dir / out).string();
}

enum class Compared { Same, Changed, Gone, Failed };

/// Compares the regular file at `path` with `expected`; `st` gets its attributes, `err` the
/// errno of a failure.
Compared compareFile(const std::string& path, std::string_view expected, struct stat& st,
                     int& err) {
  // O_NONBLOCK: a FIFO put in the file's place must not stall the run.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    err = errno;
    return err == ENOENT ? Compared::Gone : err == ELOOP ? Compared::Changed : Compared::Failed;
  }
  Compared result = Compared::Same;
  if (::fstat(fd, &st) != 0) {
    err = errno;
    result = Compared::Failed;
  } else if (!S_ISREG(st.st_mode) || static_cast<size_t>(st.st_size) != expected.size()) {
    result = Compared::Changed;
  } else {
    std::string buffer(64u << 10, '\0');
    size_t at = 0;
    for (;;) {
      const ssize_t n = ::read(fd, buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0) {
        err = errno;
        result = Compared::Failed;
        break;
      }
      if (n == 0)
        break;
      const auto got = static_cast<size_t>(n);
      if (at + got > expected.size() || expected.compare(at, got, buffer.data(), got) != 0) {
        result = Compared::Changed;
        break;
      }
      at += got;
    }
    if (result == Compared::Same && at != expected.size())
      result = Compared::Changed;
  }
  ::close(fd);
  return result;
}

Error changedError(const fs::path& path) {
  return Error{"not rewritten: the file changed after godwit read it", path.string(), 0, 0,
               "godwit kept the other change; run godwit again to migrate the new content"};
}

Error goneError(const fs::path& path) {
  return Error{"not rewritten: the file was deleted or moved after godwit read it", path.string(),
               0, 0, "godwit does not bring it back; run godwit again if it should be migrated"};
}

/// The new content, complete and on disk in a file next to the target: nameless (O_TMPFILE) until
/// it is linked just before it replaces the target, so that a crash before leaves nothing.
class TempFile {
public:
  TempFile() = default;
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    if (fd_ >= 0)
      ::close(fd_);
    if (!name_.empty())
      ::unlink(name_.c_str());
  }

  /// Creates and fills it; the caller then sets its attributes with fd().
  Expected<void> create(const fs::path& path, std::string_view content) {
    dir_ = path.has_parent_path() ? path.parent_path() : ".";
    base_ = path.filename().string();
    const std::string dirHint = "check that the directory exists and is writable";
    fd_ = ::open(dir_.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
    if (fd_ < 0) {
      // No O_TMPFILE on this file system: a named file from the start.
      std::string name = tempName(dir_, base_);
      name.replace(name.size() - 6, 6, "XXXXXX");
      fd_ = ::mkstemp(name.data());
      if (fd_ < 0)
        return failure(path, "cannot create a temporary file in " + dir_.string(), errno, dirHint);
      name_ = name;
    }
    const std::string diskHint = "check that the disk is not full and the file system is writable";
    if (!writeAll(fd_, content))
      return failure(path, "cannot write a temporary file", errno, diskHint);
    if (::fsync(fd_) != 0)
      return failure(path, "cannot flush a temporary file", errno, diskHint);
    return {};
  }

  int fd() const { return fd_; }

  /// Gives the file its name in the target's folder (a no-op when it already has one).
  Expected<std::string> link(const fs::path& path) {
    if (name_.empty()) {
      const std::string proc = "/proc/self/fd/" + std::to_string(fd_);
      for (int attempt = 0; name_.empty(); ++attempt) {
        std::string name = tempName(dir_, base_);
        if (::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, name.c_str(), AT_SYMLINK_FOLLOW) == 0)
          name_ = std::move(name);
        else if (errno != EEXIST || attempt == 100)
          return failure(path, "cannot name the temporary file", errno,
                         "check that /proc is mounted and the directory is writable");
      }
    }
    if (::close(fd_) != 0) {
      fd_ = -1;
      return failure(path, "cannot write the temporary file " + name_, errno,
                     "check that the disk is not full and the file system is writable");
    }
    fd_ = -1;
    return name_;
  }

  /// The file now lives under another name (or none): do not remove it.
  void release() { name_.clear(); }

private:
  fs::path dir_;
  std::string base_;
  std::string name_;
  int fd_ = -1;
};

void syncDir(const fs::path& dir) {
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

/// Makes the renames in the folder of `path` durable; the new content is already on disk.
void syncFolder(const fs::path& path) {
  const fs::path dir = path.has_parent_path() ? path.parent_path() : ".";
  syncDir(dir);
}

/// Both writes: a plain replace when `expected` is null, else the checked exchange. The folder
/// is flushed at once, or, when `toSync` is given, added to it for the caller to flush once.
Expected<void> write(const fs::path& path, const std::string_view* expected,
                     std::string_view content, std::set<fs::path>* toSync = nullptr) {
  const auto syncFolderOf = [&](const fs::path& file) {
    if (toSync != nullptr)
      toSync->insert(file.has_parent_path() ? file.parent_path() : ".");
    else
      syncFolder(file);
  };
  const std::string dirHint = "check that the directory exists and is writable";
  struct stat original {};
  bool existed = true;
  if (::lstat(path.c_str(), &original) != 0) {
    const int err = errno;
    if (err != ENOENT)
      return failure(path, "cannot read the file's attributes", err, dirHint);
    if (expected != nullptr)
      return goneError(path);
    existed = false;
  } else if (S_ISLNK(original.st_mode)) {
    return Error{"refusing to replace a symbolic link with a regular file", path.string(), 0, 0,
                 "change the file the link points to by hand, or run godwit where it lives"};
  } else if (!S_ISREG(original.st_mode)) {
    return Error{"not a regular file", path.string(), 0, 0, "godwit only rewrites regular files"};
  }
  if (expected != nullptr && original.st_nlink > 1)
    return Error{"not rewritten: the file has " + std::to_string(original.st_nlink) +
                     " hard links, and replacing it would split them",
                 path.string(), 0, 0,
                 "godwit leaves hard-linked files alone; break the link (cp the file over "
                 "itself) or edit it by hand"};
  if (expected != nullptr &&
      ((original.st_mode & 0222) == 0 || (::geteuid() != 0 && ::access(path.c_str(), W_OK) != 0)))
    return Error{"not rewritten: the file is read-only", path.string(), 0, 0,
                 "godwit leaves read-only files alone; make it writable (chmod u+w) and run "
                 "godwit again"};

  TempFile temp;
  if (auto made = temp.create(path, content); !made)
    return made.error();
  const mode_t mode = existed ? original.st_mode & 07777 : newFileMode();
  if (::fchmod(temp.fd(), mode) != 0)
    return failure(path, "cannot set the mode of a temporary file", errno, dirHint);
  if (existed && (original.st_uid != ::geteuid() || original.st_gid != ::getegid())) {
    // Keeping the owner only works for root, and the group only for its members; a rewritten
    // file with another owner is still better than none.
    if (::fchown(temp.fd(), original.st_uid, original.st_gid) != 0 &&
        ::fchown(temp.fd(), static_cast<uid_t>(-1), original.st_gid) != 0) {
    }
  }
  auto named = temp.link(path);
  if (!named)
    return named.error();
  const std::string& tempPath = *named;

  if (expected == nullptr) {
    if (::rename(tempPath.c_str(), path.c_str()) != 0)
      return failure(path, "cannot replace the file", errno, dirHint);
    temp.release();
    syncFolderOf(path);
    return {};
  }

  struct stat before {};
  int err = 0;
  switch (compareFile(path, *expected, before, err)) {
  case Compared::Same:
    break;
  case Compared::Changed:
    return changedError(path);
  case Compared::Gone:
    return goneError(path);
  case Compared::Failed:
    return failure(path, "cannot read the file again before replacing it", err, dirHint);
  }
  if (::renameat2(AT_FDCWD, tempPath.c_str(), AT_FDCWD, path.c_str(), RENAME_EXCHANGE) != 0) {
    err = errno;
    if (err == ENOENT)
      return goneError(path);
    if (err != EINVAL && err != ENOSYS && err != EOPNOTSUPP)
      return failure(path, "cannot replace the file", err, dirHint);
    // No exchange on this file system: a rename right after the comparison above.
    if (::rename(tempPath.c_str(), path.c_str()) != 0)
      return failure(path, "cannot replace the file", errno, dirHint);
    temp.release();
    syncFolderOf(path);
    return {};
  }
  // The temporary name now holds the file that was in place: it must be the one compared above,
  // unchanged; otherwise another process changed it in between, and its version goes back.
  struct stat after {};
  const Compared taken = compareFile(tempPath, *expected, after, err);
  if (taken != Compared::Same || after.st_dev != before.st_dev || after.st_ino != before.st_ino) {
    if (::renameat2(AT_FDCWD, tempPath.c_str(), AT_FDCWD, path.c_str(), RENAME_EXCHANGE) != 0) {
      temp.release(); // it holds the other version: keep it
      return Error{"the file changed while godwit replaced it, and the other version could not "
                   "be put back: " +
                       std::string(std::strerror(errno)),
                   path.string(), 0, 0, "the other version is in " + tempPath};
    }
    return changedError(path);
  }
  syncFolderOf(path);
  return {}; // ~TempFile removes the original
}

size_t rewritesIn(const std::vector<Finding>& findings, const std::string& file) {
  size_t n = 0;
  for (const Finding& f : findings)
    n += f.file == file && f.action == Action::Rewrite && !f.suppressed ? 1 : 0;
  return n;
}

} // namespace

Expected<void> writeFileAtomic(const fs::path& path, std::string_view content) {
  return write(path, nullptr, content);
}

Expected<void> replaceFileIfUnchanged(const fs::path& path, std::string_view expected,
                                      std::string_view content) {
  return write(path, &expected, content);
}

void applyChanges(const fs::path& root, RunResult& result,
                  const std::function<void(const std::string& path)>& onWritten) {
  // Stale files first: a run that is interrupted too still clears what the last one left.
  for (const std::string& stale : result.staleTemps) {
    if (::unlink((root / stale).c_str()) == 0)
      result.notes.push_back(
          Error{"removed a temporary file left by an interrupted godwit apply", stale, 0, 0, {}});
    else if (errno != ENOENT)
      result.errors.push_back(failure(stale, "cannot remove a stale godwit temporary file", errno,
                                      "remove it by hand"));
  }
  // Each folder is flushed once, after its files: one fsync per folder instead of per file.
  std::set<fs::path> folders;
  for (const FileChange& c : result.changes) {
    const std::string_view before = c.before;
    if (auto written = write(root / c.path, &before, c.after, &folders); !written) {
      Error e = written.error();
      e.file = c.path;
      result.errors.push_back(std::move(e));
      --result.summary.filesChanged;
      result.summary.rewrites -= rewritesIn(result.findings, c.path);
      ++result.summary.notWritten;
    } else if (onWritten) {
      onWritten(c.path);
    }
  }
  for (const fs::path& dir : folders)
    syncDir(dir);
}

} // namespace godwit
