#pragma once
// Running the real `godwit` binary from tests: a shell command in a folder, its output captured.

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace clitest {

namespace fs = std::filesystem;

struct Ran {
  int status = -1; ///< The exit code; -1 when killed by a signal.
  std::string out;
  std::string err;
};

/// Runs `command` with sh in `dir`; stdout and stderr are captured separately.
inline Ran sh(const std::string& command, const fs::path& dir) {
  const fs::path err = dir / ".stderr";
  const std::string full = "cd '" + dir.string() + "' && " + command + " 2>'" + err.string() + "'";
  Ran r;
  FILE* p = ::popen(full.c_str(), "r");
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0)
    r.out.append(buf.data(), n);
  const int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  std::ifstream in(err, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  r.err = s.str();
  fs::remove(err);
  return r;
}

inline std::string readFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void writeFile(const fs::path& p, std::string_view content) {
  fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
}

/// The `godwit` command line for `args`.
inline std::string godwit(const std::string& args) {
  return std::string(GODWIT_BINARY) + " " + args;
}

/// A fresh folder under the system's temporary directory, removed with everything in it.
class TempDir {
public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "godwit-cli-XXXXXX").string();
    dir_ = ::mkdtemp(tmpl.data());
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  const fs::path& path() const { return dir_; }

private:
  fs::path dir_;
};

/// A migration that moves one Kafka topic, `playback-events` to `playback-events-v2`.
inline constexpr std::string_view kTopicMigration = "apiVersion: godwit/v1\n"
                                                    "kind: Migration\n"
                                                    "name: topic-v2\n"
                                                    "datasets:\n"
                                                    "  - kind: kafka-topic\n"
                                                    "    from: playback-events\n"
                                                    "    to: playback-events-v2\n";

} // namespace clitest
