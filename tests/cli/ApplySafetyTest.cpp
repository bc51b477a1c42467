// What `godwit apply` promises about the files it writes (docs/cli.md#apply), checked on the
// real binary: outside changes survive, links are not followed, nothing is left half-done after
// kill -9, and the summary counts only what was written.
#include "tests/cli/CliSupport.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <random>
#include <set>
#include <thread>
#include <vector>

namespace {

using namespace clitest;

constexpr std::string_view kFrom = "playback-events";
constexpr std::string_view kTo = "playback-events-v2";

std::string original(size_t i) {
  return "# service " + std::to_string(i) + "\nkafka.topic=" + std::string(kFrom) +
         "\nservice.id=svc-" + std::to_string(i) + "\n";
}

std::string rewritten(size_t i) {
  std::string s = original(i);
  s.replace(s.find(kFrom), kFrom.size(), kTo);
  return s;
}

/// Where generated fleets go: tmpfs when there is one, since these tests are about the order
/// of renames, not about the disk, and ten thousand fsyncs on a disk take a minute.
fs::path fleetParent() {
  std::error_code ec;
  if (fs::is_directory("/dev/shm", ec) && ::access("/dev/shm", W_OK) == 0)
    return "/dev/shm";
  return fs::temp_directory_path();
}

class Fleet {
public:
  explicit Fleet(size_t files, size_t perFolder = 100) {
    std::string tmpl = (fleetParent() / "godwit-fleet-XXXXXX").string();
    root_ = ::mkdtemp(tmpl.data());
    writeFile(root_ / "migration.yaml", kTopicMigration);
    for (size_t i = 0; i < files; ++i) {
      paths_.push_back(folder(i / perFolder) + "/svc" + std::to_string(i) + ".properties");
      writeFile(root_ / paths_.back(), original(i));
    }
  }
  ~Fleet() {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
  const fs::path& root() const { return root_; }
  const std::vector<std::string>& paths() const { return paths_; }
  /// The file names of godwit temporary files anywhere in the fleet.
  std::vector<std::string> temps() const {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(root_))
      if (e.path().filename().string().find(".godwit-") != std::string::npos)
        out.push_back(e.path().string());
    return out;
  }

private:
  static std::string folder(size_t n) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "team%03zu", n);
    return buf;
  }
  fs::path root_;
  std::vector<std::string> paths_;
};

/// `godwit apply` running in `dir`, its stderr read line by line.
class RunningApply {
public:
  explicit RunningApply(const fs::path& dir) {
    int fds[2];
    EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(fds[1], STDERR_FILENO);
      ::close(fds[0]);
      ::close(fds[1]);
      const int null = ::open("/dev/null", O_WRONLY);
      ::dup2(null, STDOUT_FILENO);
      if (::chdir(dir.c_str()) != 0)
        ::_exit(127);
      ::execl(GODWIT_BINARY, GODWIT_BINARY, "apply", "--migration", "migration.yaml", ".",
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(fds[1]);
    err_ = fds[0];
  }
  ~RunningApply() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      wait();
    }
    if (err_ >= 0)
      ::close(err_);
  }

  /// The next line of stderr (without `\n`); false at the end.
  bool line(std::string& out) {
    for (;;) {
      if (const size_t nl = buffer_.find('\n'); nl != std::string::npos) {
        out = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 1);
        all_ += out + "\n";
        return true;
      }
      char chunk[4096];
      const ssize_t n = ::read(err_, chunk, sizeof chunk);
      if (n <= 0)
        return false;
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }
  void kill() { ::kill(pid_, SIGKILL); }
  /// Waits for the process; its exit code, or -1 when a signal ended it.
  int wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  /// Reads stderr to its end and waits.
  int finish() {
    std::string ignored;
    while (line(ignored)) {
    }
    return wait();
  }
  const std::string& stderrSoFar() const { return all_; }

private:
  pid_t pid_ = -1;
  int err_ = -1;
  std::string buffer_;
  std::string all_;
};

// A helper process edits (in place or by rename), truncates and deletes files of a fleet while
// `apply` runs over it: first at random while apply reads, then, once apply writes, backwards
// from the files it writes last. Every outside change must survive, and each file apply skipped
// must be reported.
TEST(ApplySafetyTest, ConcurrentEditsTruncationsAndDeletionsSurviveApply) {
  const size_t kFiles = 3000;
  Fleet fleet(kFiles);
  std::vector<std::string> sorted = fleet.paths();
  std::sort(sorted.begin(), sorted.end());
  const fs::path log = fleet.root().parent_path() / (fleet.root().filename().string() + ".log");
  struct RemoveLog {
    fs::path path;
    ~RemoveLog() {
      std::error_code ec;
      fs::remove(path, ec);
    }
  } removeLog{log};

  ::signal(SIGPIPE, SIG_IGN); // the helper may be done before it is told to stop
  int control[2];
  ASSERT_EQ(::pipe2(control, O_CLOEXEC), 0);
  RunningApply apply(fleet.root());
  const pid_t helper = ::fork();
  if (helper == 0) {
    ::close(control[1]);
    std::mt19937 random(12345);
    std::vector<size_t> order(kFiles);
    for (size_t i = 0; i < kFiles; ++i)
      order[i] = i;
    std::shuffle(order.begin(), order.end(), random);
    std::set<size_t> touched;
    const int logFd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
    bool writing = false; // apply has started writing
    size_t fromEnd = 0, next = 0;
    for (size_t op = 0; fromEnd < kFiles / 10; ++op) {
      pollfd p{control[0], POLLIN, 0};
      if (::poll(&p, 1, writing || next < kFiles / 10 ? 0 : 10) > 0) {
        char c = 0;
        if (::read(control[0], &c, 1) <= 0 || c == 'q')
          break;
        writing = true;
      }
      if (!writing && next >= kFiles / 10)
        continue; // enough while apply reads; wait for it to write
      size_t i;
      if (writing) {
        const std::string& path = sorted[kFiles - 1 - fromEnd++];
        i = static_cast<size_t>(std::stoul(path.substr(path.find("svc") + 3)));
      } else {
        i = order[next++ % kFiles];
      }
      if (!touched.insert(i).second)
        continue;
      const std::string path = (fleet.root() / fleet.paths()[i]).string();
      const int kind = static_cast<int>(op % 4);
      const std::string content =
          "# edited by the helper\nservice.id=svc-" + std::to_string(i) + "\n";
      if (kind == 0) { // in place
        const int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC);
        if (fd >= 0) {
          (void)!::write(fd, content.data(), content.size());
          ::close(fd);
        }
      } else if (kind == 1) { // the way editors save
        const std::string temp = path + ".helper";
        const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        (void)!::write(fd, content.data(), content.size());
        ::close(fd);
        ::rename(temp.c_str(), path.c_str());
      } else if (kind == 2) {
        (void)!::truncate(path.c_str(), 0);
      } else {
        ::unlink(path.c_str());
      }
      const std::string entry = std::to_string(i) + " " + std::to_string(kind) + "\n";
      (void)!::write(logFd, entry.data(), entry.size());
      std::this_thread::sleep_for(std::chrono::microseconds(writing ? 20 : 200));
    }
    ::close(logFd);
    ::_exit(0);
  }
  ::close(control[0]);

  std::set<std::string> written;
  bool told = false;
  for (std::string line; apply.line(line);) {
    if (line.starts_with("godwit: rewrote ")) {
      written.insert(line.substr(16));
      if (!told)
        told = ::write(control[1], "w", 1) == 1;
    }
  }
  const int status = apply.wait();
  (void)!::write(control[1], "q", 1);
  ::close(control[1]);
  int helperStatus = 0;
  ::waitpid(helper, &helperStatus, 0);
  ASSERT_TRUE(WIFEXITED(helperStatus));
  const std::string err = apply.stderrSoFar();

  std::map<size_t, int> helperDid;
  {
    std::istringstream in(readFile(log));
    size_t i;
    int kind;
    while (in >> i >> kind)
      helperDid[i] = kind;
  }
  ASSERT_GT(helperDid.size(), 100u);

  size_t skipped = 0;
  for (size_t i = 0; i < kFiles; ++i) {
    const std::string& rel = fleet.paths()[i];
    const fs::path path = fleet.root() / rel;
    const bool reported = err.find(rel + ": error: not rewritten") != std::string::npos;
    skipped += reported ? 1 : 0;
    const auto did = helperDid.find(i);
    if (did == helperDid.end()) {
      EXPECT_EQ(readFile(path), rewritten(i)) << rel;
      EXPECT_TRUE(written.count(rel)) << rel;
      EXPECT_FALSE(reported) << rel;
      continue;
    }
    const std::string content =
        "# edited by the helper\nservice.id=svc-" + std::to_string(i) + "\n";
    switch (did->second) {
    case 0:
    case 1:
      EXPECT_EQ(readFile(path), content) << rel << " lost the helper's edit";
      break;
    case 2:
      EXPECT_TRUE(fs::exists(path)) << rel;
      EXPECT_EQ(fs::file_size(path), 0u) << rel << " lost the helper's truncation";
      break;
    default:
      EXPECT_FALSE(fs::exists(path)) << rel << " came back after the helper deleted it";
    }
    // A file written and then skipped cannot be both.
    EXPECT_FALSE(reported && written.count(rel)) << rel;
  }
  // The helper changed files after apply read them, so apply skipped some, and said so.
  EXPECT_GT(skipped, 0u) << err.substr(0, 2000);
  EXPECT_EQ(status, 3) << err.substr(0, 2000);
  EXPECT_NE(err.find(std::to_string(skipped) + " changed but not written"), std::string::npos)
      << err.substr(err.size() > 2000 ? err.size() - 2000 : 0);
  EXPECT_TRUE(fleet.temps().empty());
  std::cout << "the helper changed " << helperDid.size() << " of " << kFiles << " files; apply "
            << "wrote " << written.size() << " and skipped " << skipped << ", each reported\n";
}

// kill -9 at 20 random points of `apply` over 10,000 files: after each, every file is its
// original or its full rewrite; the next run removes the temporary files left and completes the
// migration.
TEST(ApplySafetyTest, KillNineAtRandomPointsLosesNothing) {
  const size_t kFiles = 10000;
  Fleet fleet(kFiles);
  std::mt19937 random(std::random_device{}());
  size_t remaining = kFiles, tempsSeen = 0;
  int rounds = 0, amongWrites = 0;
  for (; rounds < 20 && remaining > 0; ++rounds) {
    const size_t before = remaining;
    const int round = rounds;
    RunningApply apply(fleet.root());
    if (round % 5 == 4) {
      // Some points fall anywhere, the walk and the analysis included.
      std::this_thread::sleep_for(
          std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 150)(random)));
    } else {
      // The others fall among the writes: after a random number of them.
      const size_t k = std::uniform_int_distribution<size_t>(1, 200)(random);
      size_t seen = 0;
      for (std::string line; seen < k && apply.line(line);)
        seen += line.starts_with("godwit: rewrote ") ? 1 : 0;
    }
    apply.kill();
    apply.wait();
    remaining = 0;
    for (size_t i = 0; i < kFiles; ++i) {
      const std::string now = readFile(fleet.root() / fleet.paths()[i]);
      if (now == original(i))
        ++remaining;
      else
        ASSERT_EQ(now, rewritten(i)) << fleet.paths()[i] << " after round " << round;
    }
    tempsSeen += fleet.temps().size();
    amongWrites += remaining < before && remaining > 0 ? 1 : 0;
    if (remaining == 0 && rounds + 1 < 20) {
      // A fast machine finished the migration before the twentieth point: start it over.
      for (size_t i = 0; i < kFiles; ++i)
        writeFile(fleet.root() / fleet.paths()[i], original(i));
      remaining = kFiles;
    }
  }
  const size_t temps = fleet.temps().size();
  RunningApply last(fleet.root());
  EXPECT_EQ(last.finish(), 0) << last.stderrSoFar().substr(0, 2000);
  for (size_t i = 0; i < kFiles; ++i)
    ASSERT_EQ(readFile(fleet.root() / fleet.paths()[i]), rewritten(i)) << fleet.paths()[i];
  EXPECT_TRUE(fleet.temps().empty());
  size_t removed = 0;
  for (size_t at = 0;
       (at = last.stderrSoFar().find("note: removed a temporary file", at)) != std::string::npos;
       ++at)
    ++removed;
  EXPECT_EQ(removed, temps);
  EXPECT_EQ(rounds, 20);
  EXPECT_GE(amongWrites, 10); // killed while writing, not before or after
  std::cout << "kill -9 at " << rounds << " points, " << amongWrites
            << " among the writes; temporary files after each, summed: " << tempsSeen
            << "; the last run removed " << removed << "\n";
}

class ApplyCasesTest : public ::testing::Test {
protected:
  void SetUp() override { writeFile(root() / "migration.yaml", kTopicMigration); }
  fs::path root() const { return dir_.path(); }
  Ran run(const std::string& args) const { return sh(godwit(args), root()); }

  TempDir dir_;
};

TEST_F(ApplyCasesTest, SymlinkedFolderAsThePathIsNotFollowed) {
  writeFile(root() / "outside/app.properties", "kafka.topic=playback-events\n");
  fs::create_directories(root() / "tree");
  writeFile(root() / "tree/migration.yaml", kTopicMigration);
  fs::create_directory_symlink("../outside", root() / "tree/link");
  for (const char* path : {"link", "link/", "./link"}) {
    const Ran r =
        sh(godwit(std::string("apply --migration migration.yaml ") + path), root() / "tree");
    EXPECT_EQ(r.status, 2) << path << "\n" << r.err;
    EXPECT_NE(r.err.find("is a symbolic link; godwit never follows links"), std::string::npos)
        << r.err;
  }
  EXPECT_EQ(readFile(root() / "outside/app.properties"), "kafka.topic=playback-events\n");
}

TEST_F(ApplyCasesTest, StaleTemporaryFilesAreRecognisedAndRemoved) {
  writeFile(root() / "app.properties", "kafka.topic=playback-events\n");
  const Ran before = run("scan --format json --migration migration.yaml .");
  ASSERT_EQ(before.status, 0) << before.err;
  writeFile(root() / ".app.properties.godwit-Ab12Cd", "kafka.topic=playback-ev");
  const Ran scan = run("scan --format json --migration migration.yaml .");
  ASSERT_EQ(scan.status, 0) << scan.err;
  const auto summary = nlohmann::json::parse(scan.out)["summary"];
  EXPECT_EQ(summary["staleTemps"], 1);
  // Not a file of the checkout: neither seen nor unsupported.
  const auto plain = nlohmann::json::parse(before.out)["summary"];
  EXPECT_EQ(summary["filesSeen"], plain["filesSeen"]);
  EXPECT_EQ(summary["unsupported"], plain["unsupported"]);
  EXPECT_NE(scan.err.find("1 stale godwit temporary files"), std::string::npos) << scan.err;
  EXPECT_TRUE(fs::exists(root() / ".app.properties.godwit-Ab12Cd")); // scan changes nothing

  const Ran apply = run("apply --migration migration.yaml .");
  EXPECT_EQ(apply.status, 0) << apply.err;
  EXPECT_FALSE(fs::exists(root() / ".app.properties.godwit-Ab12Cd"));
  EXPECT_NE(apply.err.find(".app.properties.godwit-Ab12Cd: note: removed a temporary file left "
                           "by an interrupted godwit apply"),
            std::string::npos)
      << apply.err;
  EXPECT_EQ(readFile(root() / "app.properties"), "kafka.topic=playback-events-v2\n");
}

TEST_F(ApplyCasesTest, ReadOnlyAndHardLinkedFilesAreLeftAloneAndNotCounted) {
  writeFile(root() / "ro.properties", "kafka.topic=playback-events\n");
  fs::permissions(root() / "ro.properties",
                  fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  writeFile(root() / "linked.properties", "kafka.topic=playback-events\n");
  fs::create_hard_link(root() / "linked.properties", root() / "other-name.txt");
  writeFile(root() / "ok.properties", "kafka.topic=playback-events\n");

  const Ran apply = run("apply --migration migration.yaml .");
  EXPECT_EQ(apply.status, 3) << apply.err;
  EXPECT_NE(apply.err.find("ro.properties: error: not rewritten: the file is read-only"),
            std::string::npos)
      << apply.err;
  EXPECT_NE(apply.err.find("linked.properties: error: not rewritten: the file has 2 hard links"),
            std::string::npos)
      << apply.err;
  EXPECT_EQ(readFile(root() / "ro.properties"), "kafka.topic=playback-events\n");
  EXPECT_EQ(fs::status(root() / "ro.properties").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read);
  EXPECT_EQ(readFile(root() / "linked.properties"), "kafka.topic=playback-events\n");
  EXPECT_EQ(fs::hard_link_count(root() / "linked.properties"), 2u);
  EXPECT_EQ(readFile(root() / "ok.properties"), "kafka.topic=playback-events-v2\n");
  // Only the file written counts.
  EXPECT_NE(apply.err.find("; 1 rewrites in 1 files"), std::string::npos) << apply.err;
  EXPECT_NE(apply.err.find("2 changed but not written (see the errors)"), std::string::npos)
      << apply.err;
}

TEST_F(ApplyCasesTest, FifosAndDevicesAreSeenAndSkippedWithoutBlocking) {
  writeFile(root() / "app.properties", "kafka.topic=playback-events\n");
  ASSERT_EQ(::mkfifo((root() / "pipe.properties").c_str(), 0644), 0);
  ASSERT_EQ(::mkfifo((root() / "other-pipe").c_str(), 0644), 0);
  const Ran scan =
      sh("timeout 20 " + godwit("scan --format json --migration migration.yaml ."), root());
  ASSERT_EQ(scan.status, 0) << scan.err;
  const auto summary = nlohmann::json::parse(scan.out)["summary"];
  // migration.yaml, app.properties, the two FIFOs, and the test's own .stderr capture
  EXPECT_EQ(summary["filesSeen"], 5);
  EXPECT_EQ(summary["special"], 2);
  EXPECT_NE(scan.err.find("2 FIFOs, sockets or devices"), std::string::npos) << scan.err;
  // Given by name, too.
  const Ran named = sh("timeout 20 " + godwit("scan --format json --migration migration.yaml "
                                              "pipe.properties app.properties"),
                       root());
  ASSERT_EQ(named.status, 0) << named.err;
  EXPECT_EQ(nlohmann::json::parse(named.out)["summary"]["special"], 1);
}

} // namespace
