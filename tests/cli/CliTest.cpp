// Runs the real `godwit` binary the way a developer does, on copies of the demo fleet.
#include "tests/cli/CliSupport.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;
using clitest::Ran;
using clitest::readFile;
using clitest::sh;

class CliTest : public ::testing::Test {
protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "godwit-cli-XXXXXX").string();
    dir_ = ::mkdtemp(tmpl.data());
    fs::copy(fs::path(GODWIT_SOURCE_DIR) / "fixtures/fleet", dir_ / "fleet",
             fs::copy_options::recursive);
    ASSERT_EQ(
        sh("git init -q . && git add -A && git -c user.name=t -c user.email=t@t commit -qm fleet",
           dir_ / "fleet")
            .status,
        0);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string godwit(const std::string& args) const { return clitest::godwit(args); }
  fs::path fleet() const { return dir_ / "fleet"; }

  fs::path dir_;
};

TEST_F(CliTest, DryRunDiffIsAcceptedByGitApplyAndEqualsApply) {
  const Ran dry = sh(godwit("dry-run --migration migration.yaml ."), fleet());
  ASSERT_EQ(dry.status, 0) << dry.err;
  ASSERT_NE(dry.out.find("diff --git a/"), std::string::npos);
  EXPECT_NE(dry.err.find("attention:"), std::string::npos);
  EXPECT_NE(dry.err.find("rewrites in"), std::string::npos);
  std::ofstream(dir_ / "demo.patch", std::ios::binary) << dry.out;
  EXPECT_EQ(sh("git apply --check ../demo.patch", fleet()).status, 0);

  // Applying with git and with godwit gives the same tree.
  ASSERT_EQ(sh("git apply ../demo.patch && git add -A && "
               "git -c user.name=t -c user.email=t@t commit -qm patched && git tag patched && "
               "git checkout -q HEAD~1",
               fleet())
                .status,
            0);
  const Ran apply = sh(godwit("apply --migration migration.yaml ."), fleet());
  ASSERT_EQ(apply.status, 0) << apply.err;
  EXPECT_EQ(sh("git diff --quiet patched", fleet()).status, 0)
      << sh("git diff patched", fleet()).out;

  // A second run finds nothing more to change.
  const Ran again = sh(godwit("dry-run --exit-code --migration migration.yaml ."), fleet());
  EXPECT_EQ(again.status, 0) << again.err;
  EXPECT_TRUE(again.out.empty());
}

TEST_F(CliTest, IncludeTakesOneGlobAndLeavesThePathAlone) {
  // `--include '*.py' pyspark-country-report`: the folder is the scanned root, not a second glob.
  const Ran scan = sh(
      godwit("scan --migration migration.yaml --include '*.py' pyspark-country-report"), fleet());
  ASSERT_EQ(scan.status, 0) << scan.err;
  EXPECT_NE(scan.out.find("country_report/config.py"), std::string::npos) << scan.out;
  EXPECT_EQ(scan.out.find("airflow-dags"), std::string::npos) << scan.out;
  EXPECT_EQ(scan.out.find("pyspark-country-report/"), std::string::npos) << scan.out;
}

TEST_F(CliTest, ExitCodeReportsChanges) {
  EXPECT_EQ(
      sh(godwit("dry-run --exit-code --migration migration.yaml . > /dev/null"), fleet()).status,
      1);
}

TEST_F(CliTest, JsonAndSarifDescribeTheSameFindings) {
  const Ran json = sh(godwit("scan --format json --migration migration.yaml ."), fleet());
  ASSERT_EQ(json.status, 0) << json.err;
  const auto j = nlohmann::json::parse(json.out);
  ASSERT_TRUE(j.contains("findings") && j.contains("summary"));
  ASSERT_FALSE(j["findings"].empty());
  for (const auto& f : j["findings"]) {
    for (const char* key : {"file", "line", "column", "endLine", "endColumn", "dataset", "kind",
                            "context", "access", "action"})
      EXPECT_TRUE(f.contains(key)) << key;
    EXPECT_TRUE(f.contains(f["action"] == "rewrite" ? "replacement" : "reason"));
  }
  const Ran sarif = sh(godwit("scan --format sarif --migration migration.yaml ."), fleet());
  ASSERT_EQ(sarif.status, 0) << sarif.err;
  const auto s = nlohmann::json::parse(sarif.out);
  EXPECT_EQ(s["version"], "2.1.0");
  EXPECT_EQ(s["runs"][0]["results"].size(), j["findings"].size());
}

TEST_F(CliTest, BadMigrationExitsTwoWithPositionAndWritesNothing) {
  std::ofstream(fleet() / "bad.yaml") << "apiVersion: godwit/v1\nkind: Migration\nname: x\n"
                                         "datasets:\n  - kind: bigquery-table\n    from: a.b\n"
                                         "    to: acme-prod.core_users.t2\n";
  const Ran bad = sh(godwit("apply --migration bad.yaml ."), fleet());
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("bad.yaml:6:11: error:"), std::string::npos) << bad.err;
  EXPECT_EQ(sh("git status --porcelain --untracked-files=no", fleet()).out, "");
}

TEST_F(CliTest, VersionHelpAndUsageErrors) {
  const Ran version = sh(godwit("--version"), fleet());
  EXPECT_EQ(version.status, 0);
  EXPECT_EQ(version.out, std::string("godwit ") + GODWIT_VERSION + "\n");
  for (const char* cmd : {"scan", "dry-run", "apply"}) {
    const Ran help = sh(godwit(std::string(cmd) + " --help"), fleet());
    EXPECT_EQ(help.status, 0);
    EXPECT_NE(help.out.find("--migration"), std::string::npos) << cmd;
  }
  EXPECT_EQ(sh(godwit("scan"), fleet()).status, 2);
  const Ran missing = sh(godwit("scan --migration migration.yaml no-such-dir"), fleet());
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(missing.err.find("no-such-dir: error:"), std::string::npos) << missing.err;
}

TEST_F(CliTest, ApplyKeepsModeBitsAndLeavesNoTemporaryFiles) {
  const fs::path script = fleet() / "airflow-dags/dags/user_profile_daily.py";
  fs::permissions(script, fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read);
  ASSERT_EQ(sh(godwit("apply --migration migration.yaml ."), fleet()).status, 0);
  EXPECT_EQ(fs::status(script).permissions() & fs::perms::all,
            fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read);
  EXPECT_NE(readFile(script).find("user_profile_v2"), std::string::npos);
  EXPECT_EQ(sh("git status --porcelain | grep godwit- || true", fleet()).out, "");
}

} // namespace
