#include "rewriters/Engine.h"

#include "analyzers/Analyzer.h"
#include "rules/RulePack.h"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace godwit {
namespace {

namespace fs = std::filesystem;

class TempDir {
public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "godwit-engine-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }
  void write(const std::string& rel, const std::string& content) const {
    fs::create_directories((path_ / rel).parent_path());
    std::ofstream(path_ / rel, std::ios::binary) << content;
  }

private:
  fs::path path_;
};

Migration exampleMigration() {
  auto m = parseMigration(exampleMigrationYaml(), "rules/example-migration.yaml");
  EXPECT_TRUE(m.hasValue()) << (m ? "" : m.error().str());
  return *m;
}

RunResult run(const fs::path& root) {
  RunOptions options;
  options.root = root;
  options.jobs = 2;
  auto r = runMigration(exampleMigration(), options);
  EXPECT_TRUE(r.hasValue()) << (r ? "" : r.error().str());
  return r ? *r : RunResult{};
}

std::string readText(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(EngineTest, EveryRuleExampleHoldsAndIsFoundByItsRule) {
  for (const Rule& rule : builtinRules()) {
    ASSERT_FALSE(rule.examples.empty()) << rule.id << " has no Before/After example";
    const LanguageEntry* lang = nullptr;
    for (const auto& entry : languageTable())
      if (entry.name == rule.language)
        lang = &entry;
    ASSERT_NE(lang, nullptr) << rule.id << ": unknown language " << rule.language;
    for (const RuleExample& ex : rule.examples) {
      TempDir dir;
      const std::string file = "example" + std::string(lang->extensions.front());
      dir.write(file, ex.before);
      const RunResult r = run(dir.path());
      const std::string after = r.changes.empty() ? ex.before : r.changes.front().after;
      EXPECT_EQ(after, ex.after) << rule.id;
      if (sinkFor(rule, DatasetKind::KafkaTopic) == Sink::TakesOther) {
        // The example holds a whole-value topic name, which anywhere else would be attention.
        EXPECT_EQ(ex.before, ex.after) << rule.id << ": a rule for other names changes nothing";
        EXPECT_TRUE(r.findings.empty()) << rule.id << ": " << r.findings.front().reason;
        continue;
      }
      const bool byRule = std::any_of(r.findings.begin(), r.findings.end(),
                                      [&](const Finding& f) { return f.ruleId == rule.id; });
      EXPECT_TRUE(byRule) << rule.id << ": the example's reference was not found through the rule";
    }
  }
}

TEST(EngineTest, EveryRuleHasItsFixturesFolderAndDocSection) {
  const fs::path source = GODWIT_SOURCE_DIR;
  const std::string doc = readText(source / "docs/rules.md");
  for (const Rule& rule : builtinRules()) {
    EXPECT_TRUE(fs::is_directory(source / "fixtures" / rule.language / rule.id))
        << "fixtures/" << rule.language << "/" << rule.id << "/ is missing";
    EXPECT_NE(doc.find("### " + rule.id + "\n"), std::string::npos)
        << "docs/rules.md has no section for " << rule.id;
  }
}

TEST(EngineTest, SkipsBinaryLargeIgnoredAndSymlinkedFiles) {
  TempDir dir;
  const std::string ref = "val t = \"acme-prod.core_users.user_profile_v1\"\n";
  dir.write("src/A.scala", "object A { " + ref + "}\n");
  dir.write("src/Bin.scala", std::string("object B {\0", 11) + ref + "}\n");
  dir.write("src/Big.scala", "object C { " + ref + std::string(5u << 20, ' ') + "}\n");
  dir.write("src/generated/G.scala", "object G { " + ref + "}\n");
  fs::create_symlink(dir.path() / "src/A.scala", dir.path() / "src/Link.scala");
  RunOptions options;
  options.root = dir.path();
  options.exclude = {"**/generated/**"};
  auto r = runMigration(exampleMigration(), options);
  ASSERT_TRUE(r.hasValue());
  EXPECT_EQ(r->summary.binary, 1u);
  EXPECT_EQ(r->summary.tooLarge, 1u);
  EXPECT_EQ(r->summary.ignored, 1u);
  EXPECT_EQ(r->summary.symlinks, 1u);
  ASSERT_EQ(r->changes.size(), 1u);
  EXPECT_EQ(r->changes.front().path, "src/A.scala");
}

TEST(EngineTest, HonoursGitignoreInsideAWorkTree) {
  TempDir dir;
  ASSERT_EQ(std::system(("git init -q " + dir.path().string()).c_str()), 0);
  dir.write(".gitignore", "target/\n");
  dir.write("target/Out.java", "class O { String t = \"acme-prod.core_users.user_profile_v1\"; }\n");
  dir.write("src/In.java", "class I { String t = \"acme-prod.core_users.user_profile_v1\"; }\n");
  const RunResult r = run(dir.path());
  ASSERT_EQ(r.changes.size(), 1u);
  EXPECT_EQ(r.changes.front().path, "src/In.java");
  EXPECT_EQ(r.summary.ignored, 1u);
}

TEST(EngineTest, UnreadableFileIsReportedAndTheRestGoesOn) {
  TempDir dir;
  dir.write("a/A.py", "T = 'acme-prod.core_users.user_profile_v1'\n");
  dir.write("b/B.py", "T = 'acme-prod.core_users.user_profile_v1'\n");
  ::chmod((dir.path() / "a/A.py").c_str(), 0);
  for (const char* d : {"", "a", "b"})
    ::chmod((dir.path() / d).c_str(), 0755);
  // Root reads any file: run the engine as `nobody` in a child; its exit code is the verdict.
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    if (::geteuid() == 0 && (::setgid(65534) != 0 || ::setuid(65534) != 0))
      ::_exit(10);
    RunOptions options;
    options.root = dir.path();
    auto r = runMigration(exampleMigration(), options);
    if (!r)
      ::_exit(11);
    const bool ok = r->summary.unreadable == 1 && r->errors.size() == 1 &&
                    r->errors.front().file == "a/A.py" &&
                    r->errors.front().message.find("cannot read file") != std::string::npos &&
                    r->changes.size() == 1 && r->changes.front().path == "b/B.py";
    ::_exit(ok ? 0 : 12);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "10: could not drop privileges, 11: run failed, 12: wrong result";
}

TEST(EngineTest, OutputIsInPathOrderWhateverTheJobs) {
  TempDir dir;
  for (int i = 0; i < 40; ++i) {
    std::string path = "m";
    path += std::to_string(i % 7);
    path += "/F";
    path += std::to_string(i);
    path += ".py";
    dir.write(path, "T = 'acme-prod:core_users.user_profile_v1'\n");
  }
  const RunResult r = run(dir.path());
  ASSERT_EQ(r.changes.size(), 40u);
  EXPECT_TRUE(std::is_sorted(r.changes.begin(), r.changes.end(),
                             [](const FileChange& a, const FileChange& b) { return a.path < b.path; }));
}

TEST(EngineTest, SuppressedFindingIsReportedButNotEdited) {
  TempDir dir;
  dir.write("A.py", "# godwit:ignore\nT = 'acme-prod.core_users.user_profile_v1'\n");
  const RunResult r = run(dir.path());
  EXPECT_TRUE(r.changes.empty());
  ASSERT_EQ(r.findings.size(), 1u);
  EXPECT_TRUE(r.findings.front().suppressed);
  EXPECT_EQ(r.summary.suppressed, 1u);
}

TEST(EngineTest, SplitScopeWithSeveralCandidatesForAPartIsAttention) {
  // One options interface, two table getters: whichever pairs with the dataset, nothing is
  // guessed. With one table getter the same interface is rewritten.
  const std::string head = "interface O extends PipelineOptions {\n"
                           "  @Default.String(\"acme-prod\") String getProject();\n"
                           "  @Default.String(\"core_users\") String getDataset();\n"
                           "  @Default.String(\"user_profile_v1\") String getTable();\n";
  TempDir dir;
  dir.write("Two.java", head + "  @Default.String(\"sessions\") String getOtherTable();\n}\n");
  dir.write("One.java", head + "}\n");
  const RunResult r = run(dir.path());
  ASSERT_EQ(r.findings.size(), 2u);
  EXPECT_EQ(r.findings[0].file, "One.java");
  EXPECT_EQ(r.findings[0].action, Action::Rewrite);
  EXPECT_EQ(r.findings[1].file, "Two.java");
  EXPECT_EQ(r.findings[1].action, Action::Attention);
  EXPECT_NE(r.findings[1].reason.find("several candidates for the table part"), std::string::npos)
      << r.findings[1].reason;
  ASSERT_EQ(r.changes.size(), 1u);
  EXPECT_EQ(r.changes[0].path, "One.java");
}

TEST(EngineTest, AConstantOtherFilesMayUseIsEditedOnlyWhenNoneDoes) {
  const std::string job = "TABLE = \"user_profile_v1\"\nQ = f\"acme-prod.core_users.{TABLE}\"\n";
  {
    // b.py has a TABLE of its own and does not name module `a`: not a use of a.TABLE.
    TempDir dir;
    dir.write("a.py", job);
    dir.write("b.py", "TABLE = \"sessions\"\n");
    const RunResult r = run(dir.path());
    ASSERT_EQ(r.changes.size(), 1u);
    EXPECT_EQ(r.changes[0].after, "TABLE = \"user_profile_v2\"\nQ = f\"acme-prod.core_users.{TABLE}\"\n");
  }
  {
    TempDir dir;
    dir.write("a.py", job);
    dir.write("c.py", "import a\nprint(a.TABLE)\n");
    const RunResult r = run(dir.path());
    EXPECT_TRUE(r.changes.empty());
    ASSERT_EQ(r.findings.size(), 1u);
    EXPECT_EQ(r.findings[0].reason,
              "the change lands in constant TABLE, which is also used in c.py; change it by hand");
  }
}

} // namespace
} // namespace godwit
