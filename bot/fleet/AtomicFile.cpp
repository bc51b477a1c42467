#include "bot/fleet/AtomicFile.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace godwit {

Expected<void> writeFileAtomically(const std::filesystem::path& path, std::string_view text) {
  const std::filesystem::path folder = path.parent_path().empty() ? "." : path.parent_path();
  const auto failed = [&path](const std::string& what, int err) {
    return Error{what + ": " + std::strerror(err), path.string(), 0, 0,
                 "check that the folder exists and is writable"};
  };
  std::string name = path.filename().string();
  name.insert(0, 1, '.');
  name += ".tmp-XXXXXX";
  std::string temp = (folder / name).string();
  const int fd = ::mkstemp(temp.data());
  if (fd < 0)
    return failed("cannot create a temporary file beside it", errno);
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      ::unlink(temp.c_str());
      return failed("cannot write", err);
    }
    written += static_cast<size_t>(n);
  }
  // Readable by the programs that pick it up (mkstemp makes it 0600); reading the umask would
  // change it for every thread for a moment.
  int err = 0;
  if (::fchmod(fd, 0644) != 0 || ::fsync(fd) != 0)
    err = errno;
  if (::close(fd) != 0 && err == 0)
    err = errno;
  if (err != 0) {
    ::unlink(temp.c_str());
    return failed("cannot write", err);
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    err = errno;
    ::unlink(temp.c_str());
    return failed("cannot replace", err);
  }
  return {};
}

} // namespace godwit
