#include "rewriters/Patch.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

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
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
}

struct CommandResult {
  int status = -1;
  std::string output;
};

CommandResult run(const std::string& command) {
  CommandResult r;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe)
    return r;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0)
    r.output.append(buf, n);
  r.status = ::pclose(pipe);
  return r;
}

std::string sq(const fs::path& p) {
  std::string out(1, '\'');
  out += p.string();
  out += '\'';
  return out;
}

// A temporary git repository; real `git apply` checks every rendered patch.
class GitRepo {
public:
  GitRepo() {
    std::string tmpl = (fs::temp_directory_path() / "godwit-patch-XXXXXX").string();
    dir_ = ::mkdtemp(tmpl.data());
    CommandResult r = run("git -C " + sq(dir_) + " init -q");
    EXPECT_EQ(r.status, 0) << r.output;
  }
  ~GitRepo() { fs::remove_all(dir_); }
  const fs::path& dir() const { return dir_; }

  // Writes `before` at `path`, applies `patch` with git and returns the file's new content.
  // Without context lines git only applies a patch when told so (`--unidiff-zero`).
  std::string apply(const std::string& path, const std::string& before, const std::string& patch,
                    bool* ok, int context = 3) {
    writeFile(dir_ / path, before);
    if (patch.empty()) {
      *ok = true;
      return before;
    }
    writeFile(dir_ / ".patch", patch);
    const std::string git = "git -C " + sq(dir_) +
                            " -c core.autocrlf=false -c apply.whitespace=nowarn apply " +
                            (context == 0 ? "--unidiff-zero " : "");
    CommandResult check = run(git + "--check .patch");
    CommandResult apply = run(git + ".patch");
    *ok = check.status == 0 && apply.status == 0;
    EXPECT_TRUE(*ok) << check.output << apply.output << "patch:\n" << patch;
    return readFile(dir_ / path);
  }

  // What `git diff --no-index` prints from the first hunk on, without the function names git
  // appends to hunk headers.
  std::string gitHunks(const std::string& before, const std::string& after, int context) {
    writeFile(dir_ / "old", before);
    writeFile(dir_ / "new", after);
    CommandResult r =
        run("cd " + sq(dir_) + " && git -c core.autocrlf=false diff --no-index " +
            "--no-indent-heuristic --no-color -U" + std::to_string(context) + " old new");
    const size_t at = r.output.find("\n@@ ");
    if (at == std::string::npos)
      return {};
    std::istringstream in(r.output.substr(at + 1));
    std::string out, line;
    while (std::getline(in, line)) {
      if (line.rfind("@@ ", 0) == 0)
        line = line.substr(0, line.find(" @@", 3) + 3);
      out += line + "\n";
    }
    return out;
  }

private:
  fs::path dir_;
};

std::string hunksOf(const std::string& diff) {
  const size_t at = diff.find("\n@@ ");
  return at == std::string::npos ? std::string() : diff.substr(at + 1);
}

int countHunks(const std::string& diff) {
  int n = 0;
  for (size_t at = diff.find("\n@@ "); at != std::string::npos; at = diff.find("\n@@ ", at + 1))
    ++n;
  return n;
}

std::string numbered(int from, int to, std::string_view eol = "\n") {
  std::string out;
  for (int i = from; i <= to; ++i)
    out += "line " + std::to_string(i) + std::string(eol);
  return out;
}

struct Case {
  const char* name;
  std::string before;
  std::string after;
  int context = 3;
};

std::vector<Case> trickyCases() {
  const std::string twenty = numbered(1, 20);
  auto replaceLine = [](std::string text, int line, const std::string& with) {
    const std::string needle = "line " + std::to_string(line) + "\n";
    text.replace(text.find(needle), needle.size(), with);
    return text;
  };
  return {
      {"one changed line", "a\nb\nc\n", "a\nB\nc\n"},
      {"crlf", "a\r\nb\r\nc\r\n", "a\r\nB\r\nc\r\n"},
      {"crlf to lf on one line", "a\r\nb\r\nc\r\n", "a\r\nb\nc\r\n"},
      {"mixed endings kept", "a\r\nb\nc\r\nd\n", "a\r\nb\nC\r\nd\n"},
      {"no final newline on both sides", "a\nb\nc", "a\nb\nC"},
      {"final newline added", "a\nb\nc", "a\nb\nc\n"},
      {"final newline removed", "a\nb\nc\n", "a\nb\nc"},
      {"no final newline, change elsewhere", "a\nb\nc\nd\ne\nf", "A\nb\nc\nd\ne\nf"},
      {"no final newline, change near the end", "a\nb\nc", "A\nb\nc"},
      {"crlf without final newline", "a\r\nb\r\nc", "a\r\nB\r\nc"},
      {"bom",
       "\xef\xbb\xbf"
       "a\nb\n",
       "\xef\xbb\xbf"
       "a\nB\n"},
      {"bom removed",
       "\xef\xbb\xbf"
       "a\nb\n",
       "a\nb\n"},
      {"tabs and trailing spaces", "\tx = 1\n\ty = \"t\"  \n", "\tx = 1\n\ty = \"t2\"  \n"},
      {"non-utf8 bytes", "a\xff\xfe\nb\x80\n", "a\xff\xfe\nB\x80\n"},
      {"insertion at start", "a\nb\n", "x\na\nb\n"},
      {"insertion at start, no context", "a\nb\n", "x\na\nb\n", 0},
      {"insertion at end", "a\nb\n", "a\nb\nx\n"},
      {"insertion at end, no context", "a\nb\n", "a\nb\nx\n", 0},
      {"deletion at start, no context", "a\nb\nc\n", "b\nc\n", 0},
      {"deletion in middle, no context", "a\nb\nc\n", "a\nc\n", 0},
      {"change on first line", twenty, replaceLine(twenty, 1, "first\n")},
      {"change on last line", twenty, replaceLine(twenty, 20, "last\n")},
      {"two hunks", twenty, replaceLine(replaceLine(twenty, 3, "x\n"), 11, "y\n")},
      {"hunks merge at 2*context", twenty, replaceLine(replaceLine(twenty, 3, "x\n"), 10, "y\n")},
      {"hunks merge at 2*context, context 1", twenty,
       replaceLine(replaceLine(twenty, 3, "x\n"), 6, "y\n"), 1},
      {"hunks split beyond 2*context, context 1", twenty,
       replaceLine(replaceLine(twenty, 3, "x\n"), 7, "y\n"), 1},
      {"from empty", "", "a\nb\n"},
      {"to empty", "a\nb\n", ""},
      {"from empty to no newline", "", "a"},
      {"only newline", "\n", "\n\n"},
      {"blank lines", "\n\n\n", "\nx\n\n"},
      {"many changes", numbered(1, 60),
       replaceLine(replaceLine(replaceLine(numbered(1, 60), 2, ""), 30, "a\nb\n"), 59, "z\n")},
      {"line grows into two", "a\nb\nc\n", "a\nb1\nb2\nc\n"},
      {"whole file replaced", "a\nb\nc\n", "x\ny\n"},
      {"repeated lines", "x\nx\nx\ny\nx\nx\n", "x\ny\nx\nx\nx\nx\n"},
  };
}

TEST(Patch, NoChangeRendersNothing) {
  EXPECT_EQ(renderFileDiff({"f.txt", "a\nb\n", "a\nb\n"}), "");
  EXPECT_EQ(renderPatch({{"f.txt", "a\n", "a\n"}, {"g.txt", "", ""}}), "");
}

TEST(Patch, RendersAGitStyleDiff) {
  EXPECT_EQ(renderFileDiff({"src/f.txt", "a\nb\nc\n", "a\nB\nc\n"}),
            "diff --git a/src/f.txt b/src/f.txt\n"
            "--- a/src/f.txt\n"
            "+++ b/src/f.txt\n"
            "@@ -1,3 +1,3 @@\n"
            " a\n"
            "-b\n"
            "+B\n"
            " c\n");
}

TEST(Patch, MarksMissingFinalNewlines) {
  EXPECT_EQ(hunksOf(renderFileDiff({"f", "a\nb", "a\nc"})), "@@ -1,2 +1,2 @@\n"
                                                            " a\n"
                                                            "-b\n"
                                                            "\\ No newline at end of file\n"
                                                            "+c\n"
                                                            "\\ No newline at end of file\n");
  EXPECT_EQ(hunksOf(renderFileDiff({"f", "a", "a\n"})),
            "@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+a\n");
  EXPECT_EQ(hunksOf(renderFileDiff({"f", "a\nb", "A\nb"})),
            "@@ -1,2 +1,2 @@\n-a\n+A\n b\n\\ No newline at end of file\n");
}

TEST(Patch, EmptyRangesNameTheLineBefore) {
  EXPECT_EQ(hunksOf(renderFileDiff({"f", "a\nb\n", "x\na\nb\n"}, 0)), "@@ -0,0 +1 @@\n+x\n");
  EXPECT_EQ(hunksOf(renderFileDiff({"f", "a\nb\n", "a\nb\nx\n"}, 0)), "@@ -2,0 +3 @@\n+x\n");
  EXPECT_EQ(hunksOf(renderFileDiff({"f", "a\nb\nc\n", "a\nc\n"}, 0)), "@@ -2 +1,0 @@\n-b\n");
  EXPECT_EQ(hunksOf(renderFileDiff({"f", "", "a\n"})), "@@ -0,0 +1 @@\n+a\n");
}

TEST(Patch, KeepsCarriageReturns) {
  const std::string diff = renderFileDiff({"f", "a\r\nb\r\n", "a\r\nc\r\n"});
  EXPECT_NE(diff.find("\n-b\r\n+c\r\n"), std::string::npos) << diff;
  EXPECT_NE(diff.find("\n a\r\n"), std::string::npos) << diff;
}

TEST(Patch, MergesHunksWhoseContextsMeet) {
  const std::string twenty = numbered(1, 20);
  std::string gap6 = twenty, gap7 = twenty;
  gap6.replace(gap6.find("line 3\n"), 7, "x\n");
  gap6.replace(gap6.find("line 10\n"), 8, "y\n");
  gap7.replace(gap7.find("line 3\n"), 7, "x\n");
  gap7.replace(gap7.find("line 11\n"), 8, "y\n");
  EXPECT_EQ(countHunks(renderFileDiff({"f", twenty, gap6})), 1);
  EXPECT_EQ(countHunks(renderFileDiff({"f", twenty, gap7})), 2);
  EXPECT_EQ(hunksOf(renderFileDiff({"f", twenty, gap7})).substr(0, 16), "@@ -1,6 +1,6 @@\n");
  EXPECT_NE(renderFileDiff({"f", twenty, gap7}).find("\n@@ -8,7 +8,7 @@\n"), std::string::npos);
}

TEST(Patch, MatchesGitDiffOutput) {
  GitRepo repo;
  for (const Case& c : trickyCases()) {
    const std::string ours = hunksOf(renderFileDiff({"f", c.before, c.after}, c.context));
    EXPECT_EQ(ours, repo.gitHunks(c.before, c.after, c.context)) << c.name;
  }
}

TEST(Patch, GitAppliesEveryTrickyCase) {
  GitRepo repo;
  for (const Case& c : trickyCases()) {
    const std::string patch = renderFileDiff({"dir/f.txt", c.before, c.after}, c.context);
    bool ok = false;
    EXPECT_EQ(repo.apply("dir/f.txt", c.before, patch, &ok, c.context), c.after) << c.name;
    EXPECT_TRUE(ok) << c.name;
  }
}

TEST(Patch, GitAppliesAPatchOfSeveralFiles) {
  GitRepo repo;
  writeFile(repo.dir() / "a.txt", "1\n2\n");
  writeFile(repo.dir() / "b/c.txt", "x\r\ny");
  writeFile(repo.dir() / ".patch", renderPatch({{"a.txt", "1\n2\n", "1\n3\n"},
                                                {"unchanged.txt", "same\n", "same\n"},
                                                {"b/c.txt", "x\r\ny", "X\r\ny"}}));
  CommandResult r = run("git -C " + sq(repo.dir()) + " apply .patch");
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(readFile(repo.dir() / "a.txt"), "1\n3\n");
  EXPECT_EQ(readFile(repo.dir() / "b/c.txt"), "X\r\ny");
}

TEST(Patch, QuotesPathsLikeGit) {
  const std::string spaced = renderFileDiff({"my dir/a b.txt", "a\n", "b\n"});
  EXPECT_EQ(spaced.substr(0, spaced.find("@@")), "diff --git a/my dir/a b.txt b/my dir/a b.txt\n"
                                                 "--- a/my dir/a b.txt\t\n"
                                                 "+++ b/my dir/a b.txt\t\n");
  const std::string odd = renderFileDiff({"t\xc3\xa9st \"q\"\\.txt", "a\n", "b\n"});
  EXPECT_EQ(
      odd.substr(0, odd.find("@@")),
      "diff --git \"a/t\\303\\251st \\\"q\\\"\\\\.txt\" \"b/t\\303\\251st \\\"q\\\"\\\\.txt\"\n"
      "--- \"a/t\\303\\251st \\\"q\\\"\\\\.txt\"\t\n"
      "+++ \"b/t\\303\\251st \\\"q\\\"\\\\.txt\"\t\n");
  const std::string tab = renderFileDiff({"a\tb", "a\n", "b\n"});
  EXPECT_EQ(tab.substr(0, tab.find('\n')), "diff --git \"a/a\\tb\" \"b/a\\tb\"");
}

TEST(Patch, GitAppliesPatchesToOddPathNames) {
  GitRepo repo;
  for (const std::string path : {"my dir/a b.txt", "t\xc3\xa9st.txt", "q\"uote.txt",
                                 "back\\slash.txt", "tab\tname.txt", " lead.txt"}) {
    bool ok = false;
    EXPECT_EQ(repo.apply(path, "one\ntwo\n", renderFileDiff({path, "one\ntwo\n", "one\n2\n"}), &ok),
              "one\n2\n")
        << path;
    EXPECT_TRUE(ok) << path;
  }
}

// The smallest number of deleted plus inserted lines (through the longest common subsequence).
size_t minimalEdits(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<std::vector<size_t>> lcs(a.size() + 1, std::vector<size_t>(b.size() + 1, 0));
  for (size_t i = a.size(); i-- > 0;)
    for (size_t j = b.size(); j-- > 0;)
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
  return a.size() + b.size() - 2 * lcs[0][0];
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines)
    out += l + "\n";
  return out;
}

TEST(Patch, RandomDiffsAreMinimalAndApply) {
  GitRepo repo;
  std::mt19937 rng(20240501);
  for (int round = 0; round < 60; ++round) {
    const int alphabet = 2 + static_cast<int>(rng() % 5);
    auto randomLines = [&](size_t n) {
      std::vector<std::string> lines;
      for (size_t i = 0; i < n; ++i)
        lines.push_back(std::string(1, static_cast<char>('a' + rng() % alphabet)));
      return lines;
    };
    const auto a = randomLines(rng() % 40);
    auto b = a;
    // Mostly small mutations of `a`, sometimes an unrelated text.
    if (rng() % 4 == 0) {
      b = randomLines(rng() % 40);
    } else {
      for (int k = static_cast<int>(rng() % 6); k > 0; --k) {
        const size_t at = b.empty() ? 0 : rng() % (b.size() + 1);
        switch (rng() % 3) {
        case 0:
          b.insert(b.begin() + static_cast<long>(at), randomLines(1 + rng() % 3)[0]);
          break;
        case 1:
          if (at < b.size())
            b.erase(b.begin() + static_cast<long>(at));
          break;
        default:
          if (at < b.size())
            b[at] = randomLines(1)[0];
        }
      }
    }
    const std::string before = joined(a), after = joined(b);
    const int context = static_cast<int>(rng() % 4);
    const std::string diff = renderFileDiff({"r.txt", before, after}, context);
    size_t changed = 0;
    std::istringstream lines(diff);
    std::string line;
    int header = 0;
    while (std::getline(lines, line)) {
      if (header < 3) {
        ++header;
        continue;
      }
      changed += !line.empty() && (line[0] == '-' || line[0] == '+');
    }
    EXPECT_EQ(changed, minimalEdits(a, b)) << "round " << round << "\n" << diff;
    bool ok = false;
    EXPECT_EQ(repo.apply("r.txt", before, diff, &ok, context), after) << "round " << round;
  }
}

TEST(Patch, FewChangesInALargeFileAreFast) {
  std::string before = numbered(1, 200000);
  std::string after = before;
  after.replace(after.find("line 70000\n"), 11, "line seventy thousand\n");
  after.replace(after.find("line 150000\n"), 12, "");
  const auto start = std::chrono::steady_clock::now();
  const std::string diff = renderFileDiff({"big.txt", before, after});
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took, std::chrono::seconds(2));
  EXPECT_EQ(countHunks(diff), 2);
  EXPECT_NE(diff.find("@@ -69997,7 +69997,7 @@\n"), std::string::npos) << diff;
  EXPECT_NE(diff.find("@@ -149997,7 +149997,6 @@\n"), std::string::npos) << diff;
}

TEST(Patch, LargeUnrelatedFilesStillGiveAPatchThatApplies) {
  // Far more differences than the exact search is allowed to explore.
  std::string before, after;
  std::mt19937 rng(7);
  for (int i = 0; i < 12000; ++i) {
    before += std::to_string(rng() % 50) + "\n";
    after += std::to_string(rng() % 50) + "\n";
  }
  const auto start = std::chrono::steady_clock::now();
  const std::string diff = renderFileDiff({"u.txt", before, after});
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
  GitRepo repo;
  bool ok = false;
  EXPECT_EQ(repo.apply("u.txt", before, diff, &ok), after);
}

} // namespace
} // namespace godwit
