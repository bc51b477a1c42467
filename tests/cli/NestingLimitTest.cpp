// One pathological file never stops a run: files nested deeper than the limit are skipped with a
// note and counted, checked on the real binary (docs/cli.md#input-limits).
#include "tests/cli/CliSupport.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <map>

namespace {

using namespace clitest;

constexpr std::string_view kTable = "acme-prod.core_users.user_profile_v1";
constexpr std::string_view kMigration = "apiVersion: godwit/v1\n"
                                        "kind: Migration\n"
                                        "name: profile-v2\n"
                                        "datasets:\n"
                                        "  - kind: bigquery-table\n"
                                        "    from: acme-prod.core_users.user_profile_v1\n"
                                        "    to: acme-prod.core_users.user_profile_v2\n";

std::string repeat(std::string_view s, int n) {
  std::string out;
  out.reserve(s.size() * static_cast<size_t>(n));
  for (int i = 0; i < n; ++i)
    out += s;
  return out;
}

/// `open` n times, `middle`, `close` n times.
std::string nest(std::string_view open, std::string_view middle, std::string_view close, int n) {
  return repeat(open, n) + std::string(middle) + repeat(close, n);
}

/// Each file names the table (so the prefilter passes it) and nests far deeper than the limit;
/// each crashed godwit with SIGSEGV before the limit, most at the depths the issue names.
std::map<std::string, std::string> pathologicalFiles() {
  const std::string t(kTable);
  std::string indented = "T = \"" + t + "\"\n";
  for (int i = 0; i < 2000; ++i)
    indented += std::string(static_cast<size_t>(i), ' ') + "if x:\n";
  indented += std::string(2000, ' ') + "pass\n";
  std::string yamlBlocks = "t: " + t + "\n";
  for (int i = 0; i < 2000; ++i)
    yamlBlocks += std::string(static_cast<size_t>(i), ' ') + "a:\n";
  return {
      {"deep.py", "x = \"" + t + "\"\ny = " + nest("(", "1", ")", 10000) + "\n"},
      {"indented.py", indented},
      {"Deep.java", "class A { String t = \"" + t + "\"; int y = " + nest("(", "1", ")", 15000) +
                        "; }\n"},
      {"Deep.scala",
       "object A { val t = \"" + t + "\"; val y = " + nest("(", "1", ")", 20000) + " }\n"},
      {"deep.conf", "t = \"" + t + "\"\n" + nest("a {", "", "}", 20000) + "\n"},
      {"deep.toml", "t = \"" + t + "\"\na = " + nest("[", "", "]", 50000) + "\n"},
      {"deep.json", "{\"t\": \"" + t + "\", \"a\": " + nest("[", "", "]", 50000) + "}\n"},
      {"deep.yaml", "t: " + t + "\na: " + nest("[", "", "]", 50000) + "\n"},
      {"blocks.yaml", yamlBlocks},
      {"deep.xml", "<r><t>" + t + "</t>" + nest("<a>", "", "</a>", 50000) + "</r>\n"},
      {"deep.properties", "t=" + t + "\na=" + nest("${", "", "}", 50000) + "\n"},
      {"deep.sql", "SELECT * FROM `" + t + "` WHERE x = " + nest("(", "1", ")", 50000) + "\n"},
      {"subqueries.sql",
       "SELECT * FROM `" + t + "` WHERE x IN " + nest("(SELECT ", "1", ")", 20000) + "\n"},
      {"deep.cpp", "const char* t = \"" + t + "\";\nint y = " + nest("(", "1", ")", 50000) + ";\n"},
      // Concatenations nest without brackets: as deep as they have operands.
      {"chain.py", "y = \"" + t + "\"" + repeat(" + a", 50000) + "\n"},
      {"Chain.java", "class A { String y = \"" + t + "\"" + repeat(" + a", 50000) + "; }\n"},
      {"Chain.scala", "object A { val y = \"" + t + "\"" + repeat(" + a", 1000) + " }\n"},
      {"chain.cpp", "int a;\nconst char* t = \"" + t + "\";\nint y = a" + repeat(" + a", 50000) +
                        ";\n"},
      {"sql_string.py",
       "q = \"SELECT * FROM `" + t + "` WHERE x = " + nest("(", "1", ")", 20000) + "\"\n"},
  };
}

class NestingLimitTest : public ::testing::Test {
protected:
  void SetUp() override {
    writeFile(root() / "migration.yaml", kMigration);
    writeFile(root() / "ok.py", "TABLE = \"" + std::string(kTable) + "\"\n");
    for (const auto& [name, text] : pathologicalFiles())
      writeFile(root() / "deep" / name, text);
  }
  fs::path root() const { return dir_.path(); }
  Ran run(const std::string& args) const {
    return sh("timeout -s KILL 120 " + godwit(args), root());
  }

  TempDir dir_;
};

TEST_F(NestingLimitTest, DeepFilesAreSkippedWithANoteAndTheRunGoesOn) {
  const Ran dry = run("dry-run --jobs 2 --migration migration.yaml .");
  ASSERT_EQ(dry.status, 0) << dry.err.substr(0, 2000);
  EXPECT_NE(dry.out.find("+TABLE = \"acme-prod.core_users.user_profile_v2\""), std::string::npos)
      << dry.out.substr(0, 2000);
  for (const auto& [name, text] : pathologicalFiles())
    EXPECT_NE(dry.err.find("deep/" + name + ":1:1: note: not analyzed: skipped: nesting deeper "
                           "than 500 levels ("),
              std::string::npos)
        << name << "\n"
        << dry.err.substr(0, 2000);
  EXPECT_NE(dry.err.find(std::to_string(pathologicalFiles().size()) +
                         " nested too deeply (see the notes)"),
            std::string::npos)
      << dry.err.substr(dry.err.size() > 1000 ? dry.err.size() - 1000 : 0);

  const Ran json = run("scan --format json --migration migration.yaml .");
  ASSERT_EQ(json.status, 0) << json.err.substr(0, 2000);
  const auto report = nlohmann::json::parse(json.out);
  EXPECT_EQ(report["summary"]["tooDeep"], pathologicalFiles().size());
  EXPECT_EQ(report["summary"]["rewrites"], 1);
  EXPECT_EQ(report["notes"].size(), pathologicalFiles().size());

  const Ran applied = run("apply --migration migration.yaml .");
  ASSERT_EQ(applied.status, 0) << applied.err.substr(0, 2000);
  EXPECT_EQ(readFile(root() / "ok.py"), "TABLE = \"acme-prod.core_users.user_profile_v2\"\n");
  for (const auto& [name, text] : pathologicalFiles())
    EXPECT_EQ(readFile(root() / "deep" / name), text) << name;
}

TEST_F(NestingLimitTest, TheNoteSaysWhereTheFileFirstGoesDeeper) {
  writeFile(root() / "one.json", "{\"t\": \"" + std::string(kTable) + "\",\n \"a\": " +
                                     nest("[", "", "]", 600) + "}\n");
  const Ran r = run("scan --migration migration.yaml one.json");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("one.json:1:1: note: not analyzed: skipped: nesting deeper than 500 levels "
                       "(first at 2:506)"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.out, "");
}

TEST_F(NestingLimitTest, FilesJustUnderTheLimitAreAnalyzed) {
  // 490 levels everywhere the limit counts them (4,900 operators in a C++ statement, whose
  // parentheses Clang itself limits to 256): analyzed, and no stack runs out.
  const std::string t(kTable);
  writeFile(root() / "under.json",
            "{\"t\": \"" + t + "\", \"a\": " + nest("[", "", "]", 490) + "}\n");
  writeFile(root() / "under.py", "x = " + nest("(", "\"" + t + "\"", ")", 490) + "\n");
  writeFile(root() / "Under.java",
            "class A { String t = " + nest("(", "\"" + t + "\"", ")", 490) + "; }\n");
  writeFile(root() / "under.sql",
            "SELECT * FROM `" + t + "` WHERE x IN " + nest("(SELECT ", "1", ")", 490) + "\n");
  writeFile(root() / "under.xml", "<r><t>" + t + "</t>" + nest("<a>", "", "</a>", 490) + "</r>\n");
  writeFile(root() / "under.cpp", "const char* t = \"" + t + "\";\nint y = " +
                                      nest("(", "1", ")", 200) + repeat(" + 1", 4900) + ";\n");
  writeFile(root() / "Under.scala",
            "object A { val y = \"" + t + "\"" + repeat(" + \", \"", 490) + " }\n");
  const Ran r = run("scan --format json --migration migration.yaml under.json under.py Under.java "
                    "under.sql under.xml under.cpp Under.scala");
  ASSERT_EQ(r.status, 0) << r.err.substr(0, 2000);
  const auto report = nlohmann::json::parse(r.out);
  EXPECT_EQ(report["summary"]["tooDeep"], 0);
  std::set<std::string> files;
  for (const auto& f : report["findings"])
    files.insert(f["file"].get<std::string>());
  EXPECT_EQ(files, (std::set<std::string>{"under.json", "under.py", "Under.java", "under.sql",
                                          "under.xml", "under.cpp", "Under.scala"}))
      << r.out.substr(0, 2000);
}

} // namespace
