#include "rewriters/Apply.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace godwit {
namespace {

Error failure(const std::filesystem::path& path, const std::string& what, int err,
              std::string hint) {
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

} // namespace

Expected<void> writeFileAtomic(const std::filesystem::path& path, std::string_view content) {
  const std::string dirHint = "check that the directory exists and is writable";
  struct stat original {};
  bool existed = true;
  if (::lstat(path.c_str(), &original) != 0) {
    const int err = errno;
    if (err != ENOENT)
      return failure(path, "cannot read the file's attributes", err, dirHint);
    existed = false;
  } else if (S_ISLNK(original.st_mode)) {
    return Error{"refusing to replace a symbolic link with a regular file", path.string(), 0, 0,
                 "change the file the link points to by hand, or run godwit where it lives"};
  } else if (!S_ISREG(original.st_mode)) {
    return Error{"not a regular file", path.string(), 0, 0, "godwit only rewrites regular files"};
  }

  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
  std::string name = path.filename().string();
  name.insert(name.begin(), '.');
  name += ".godwit-XXXXXX";
  name = (dir / name).string();
  std::vector<char> temp(name.begin(), name.end());
  temp.push_back('\0');
  const int fd = ::mkstemp(temp.data());
  if (fd < 0) {
    const int err = errno;
    return failure(path, "cannot create a temporary file in " + dir.string(), err, dirHint);
  }

  const std::string tempName = temp.data();
  const std::string diskHint = "check that the disk is not full and the file system is writable";
  // Each step records its errno before cleaning up, which may overwrite it.
  auto abandon = [&](const char* what, const std::string& hint) {
    const int err = errno;
    ::close(fd);
    ::unlink(tempName.c_str());
    return failure(path, what + tempName, err, hint);
  };
  if (!writeAll(fd, content))
    return abandon("cannot write the temporary file ", diskHint);
  if (::fsync(fd) != 0)
    return abandon("cannot flush the temporary file ", diskHint);
  const mode_t mode = existed ? original.st_mode & 07777 : newFileMode();
  if (::fchmod(fd, mode) != 0)
    return abandon("cannot set the mode of the temporary file ", dirHint);
  if (existed && (original.st_uid != ::geteuid() || original.st_gid != ::getegid())) {
    // Keeping the owner only works for root, and the group only for its members; a rewritten
    // file with another owner is still better than none.
    if (::fchown(fd, original.st_uid, original.st_gid) != 0 &&
        ::fchown(fd, static_cast<uid_t>(-1), original.st_gid) != 0) {
    }
  }
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(tempName.c_str());
    return failure(path, "cannot write the temporary file " + tempName, err, diskHint);
  }
  if (::rename(tempName.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tempName.c_str());
    return failure(path, "cannot replace the file", err, dirHint);
  }
  // Make the rename itself durable; the new content is already safe on disk.
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return {};
}

} // namespace godwit
