#include "rewriters/Apply.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace godwit {
namespace {

namespace fs = std::filesystem;

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void writeFile(const fs::path& path, std::string_view content) {
  std::ofstream out(path, std::ios::binary);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
}

mode_t modeOf(const fs::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0);
  return st.st_mode & 07777;
}

class TempDir {
public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "godwit-apply-XXXXXX").string();
    dir_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add);
    fs::remove_all(dir_);
  }
  const fs::path& path() const { return dir_; }
  // Every entry of the directory, to catch leftover temporary files.
  std::vector<std::string> entries() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_))
      out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }

private:
  fs::path dir_;
};

TEST(WriteFileAtomic, ReplacesTheContent) {
  TempDir dir;
  const fs::path file = dir.path() / "Job.scala";
  writeFile(file, "old content that is longer than the new one\n");
  const std::string content = std::string("new\r\n\0bytes\xff", 12);
  ASSERT_TRUE(writeFileAtomic(file, content));
  EXPECT_EQ(readFile(file), content);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"Job.scala"});
}

TEST(WriteFileAtomic, WritesAnEmptyFile) {
  TempDir dir;
  const fs::path file = dir.path() / "a.py";
  writeFile(file, "x = 1\n");
  ASSERT_TRUE(writeFileAtomic(file, ""));
  EXPECT_EQ(fs::file_size(file), 0u);
}

TEST(WriteFileAtomic, KeepsTheModeBits) {
  TempDir dir;
  for (mode_t mode : {0755, 0600, 0640, 0444}) {
    const fs::path file = dir.path() / std::to_string(mode);
    writeFile(file, "before\n");
    ASSERT_EQ(::chmod(file.c_str(), mode), 0);
    ASSERT_TRUE(writeFileAtomic(file, "after\n"));
    EXPECT_EQ(readFile(file), "after\n");
    EXPECT_EQ(modeOf(file), mode) << std::oct << mode;
  }
  EXPECT_EQ(dir.entries().size(), 4u);
}

TEST(WriteFileAtomic, ReplacesTheFileInsteadOfWritingIntoIt) {
  TempDir dir;
  const fs::path file = dir.path() / "f.txt";
  const fs::path link = dir.path() / "hard.txt";
  writeFile(file, "before\n");
  fs::create_hard_link(file, link);
  ASSERT_TRUE(writeFileAtomic(file, "after\n"));
  EXPECT_EQ(readFile(file), "after\n");
  // A reader holding the old inode still sees the old content, never a half-written file.
  EXPECT_EQ(readFile(link), "before\n");
}

TEST(WriteFileAtomic, CreatesAMissingFile) {
  TempDir dir;
  const fs::path file = dir.path() / "new.txt";
  ASSERT_TRUE(writeFileAtomic(file, "hello\n"));
  EXPECT_EQ(readFile(file), "hello\n");
  const mode_t mask = ::umask(022);
  ::umask(mask);
  EXPECT_EQ(modeOf(file), 0666 & ~mask);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"new.txt"});
}

TEST(WriteFileAtomic, WorksWithARelativePathInTheCurrentDirectory) {
  TempDir dir;
  const fs::path cwd = fs::current_path();
  fs::current_path(dir.path());
  writeFile("rel.txt", "a\n");
  auto r = writeFileAtomic("rel.txt", "b\n");
  fs::current_path(cwd);
  ASSERT_TRUE(r) << r.error().str();
  EXPECT_EQ(readFile(dir.path() / "rel.txt"), "b\n");
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"rel.txt"});
}

TEST(WriteFileAtomic, MissingDirectoryIsAnErrorNamingThePath) {
  TempDir dir;
  const fs::path file = dir.path() / "nope" / "f.txt";
  auto r = writeFileAtomic(file, "x");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().file, file.string());
  EXPECT_NE(r.error().message.find("No such file or directory"), std::string::npos)
      << r.error().message;
  EXPECT_FALSE(r.error().hint.empty());
  EXPECT_EQ(r.error().str().rfind(file.string() + ": error: ", 0), 0u);
}

// Runs `body` in a child process, which with `dropRoot` as root first becomes `nobody` so that
// file permissions apply. Returns the child's exit code, or -1.
template <class F> int runInChild(bool dropRoot, F body) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (dropRoot && ::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0))
      ::_exit(100);
    ::_exit(body());
  }
  int status = 0;
  if (pid < 0 || ::waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
    return -1;
  return WEXITSTATUS(status);
}

TEST(WriteFileAtomic, ReadOnlyDirectoryIsAnErrorAndLeavesTheFileAlone) {
  TempDir dir;
  const fs::path file = dir.path() / "f.txt";
  writeFile(file, "before\n");
  ASSERT_EQ(::chmod(file.c_str(), 0666), 0);
  ASSERT_EQ(::chmod(dir.path().c_str(), 0555), 0);
  const int code = runInChild(true, [&] {
    auto r = writeFileAtomic(file, "after\n");
    if (r)
      return 1;
    if (r.error().file != file.string())
      return 2;
    if (r.error().message.find("Permission denied") == std::string::npos)
      return 3;
    return 0;
  });
  ::chmod(dir.path().c_str(), 0755);
  if (code == 100)
    GTEST_SKIP() << "cannot drop root privileges here, and root ignores directory permissions";
  EXPECT_EQ(code, 0);
  EXPECT_EQ(readFile(file), "before\n");
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"f.txt"});
}

TEST(WriteFileAtomic, FailedWriteRemovesTheTemporaryFile) {
  // A file size limit makes write() fail after the temporary file was created.
  TempDir dir;
  const fs::path file = dir.path() / "f.txt";
  writeFile(file, "before\n");
  const int code = runInChild(false, [&] {
    ::signal(SIGXFSZ, SIG_IGN);
    const rlimit limit{16, 16};
    if (::setrlimit(RLIMIT_FSIZE, &limit) != 0)
      return 10;
    auto r = writeFileAtomic(file, std::string(4096, 'x'));
    if (r)
      return 1;
    if (r.error().message.find("File too large") == std::string::npos)
      return 2;
    return 0;
  });
  EXPECT_EQ(code, 0);
  EXPECT_EQ(readFile(file), "before\n");
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"f.txt"});
}

TEST(WriteFileAtomic, RefusesToReplaceADirectory) {
  TempDir dir;
  const fs::path target = dir.path() / "d";
  fs::create_directories(target / "child");
  auto r = writeFileAtomic(target, "x");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().file, target.string());
  EXPECT_TRUE(fs::is_directory(target / "child"));
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"d"});
}

TEST(WriteFileAtomic, RefusesToReplaceASymlink) {
  TempDir dir;
  const fs::path file = dir.path() / "real.txt";
  const fs::path link = dir.path() / "link.txt";
  writeFile(file, "before\n");
  fs::create_symlink("real.txt", link);
  auto r = writeFileAtomic(link, "after\n");
  ASSERT_FALSE(r);
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(readFile(file), "before\n");
}

TEST(ReplaceFileIfUnchanged, ReplacesAFileThatStillHoldsWhatWasRead) {
  TempDir dir;
  const fs::path file = dir.path() / "f.txt";
  writeFile(file, "before\n");
  ASSERT_EQ(::chmod(file.c_str(), 0640), 0);
  ASSERT_TRUE(replaceFileIfUnchanged(file, "before\n", "after\n"));
  EXPECT_EQ(readFile(file), "after\n");
  EXPECT_EQ(modeOf(file), 0640u);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"f.txt"});
}

TEST(ReplaceFileIfUnchanged, KeepsAnOutsideChangeAndSaysSo) {
  TempDir dir;
  const fs::path file = dir.path() / "f.txt";
  for (const std::string now : {"edited\n", "", "befor\n", "before\n+"}) {
    writeFile(file, now);
    auto r = replaceFileIfUnchanged(file, "before\n", "after\n");
    ASSERT_FALSE(r) << now;
    EXPECT_EQ(r.error().message, "not rewritten: the file changed after godwit read it");
    EXPECT_EQ(readFile(file), now);
  }
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"f.txt"});
}

TEST(ReplaceFileIfUnchanged, DoesNotBringBackADeletedFile) {
  TempDir dir;
  const fs::path file = dir.path() / "f.txt";
  auto r = replaceFileIfUnchanged(file, "before\n", "after\n");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "not rewritten: the file was deleted or moved after godwit read it");
  EXPECT_TRUE(dir.entries().empty());
}

TEST(ReplaceFileIfUnchanged, LeavesReadOnlyAndHardLinkedFilesAlone) {
  TempDir dir;
  const fs::path ro = dir.path() / "ro.txt";
  writeFile(ro, "before\n");
  ASSERT_EQ(::chmod(ro.c_str(), 0444), 0);
  auto r = replaceFileIfUnchanged(ro, "before\n", "after\n");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "not rewritten: the file is read-only");
  EXPECT_EQ(readFile(ro), "before\n");

  const fs::path file = dir.path() / "f.txt";
  writeFile(file, "before\n");
  fs::create_hard_link(file, dir.path() / "g.txt");
  r = replaceFileIfUnchanged(file, "before\n", "after\n");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message.rfind("not rewritten: the file has 2 hard links", 0), 0u);
  EXPECT_EQ(readFile(file), "before\n");
  EXPECT_EQ(fs::hard_link_count(file), 2u);
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{"f.txt", "g.txt", "ro.txt"}));
}

} // namespace
} // namespace godwit
