// Inputs that must neither stall nor abort `godwit`, and odd file names in every output, checked on
// the real binary (docs/cli.md#input-limits).
#include "tests/cli/CliSupport.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sys/stat.h>

#include <map>

namespace {

using namespace clitest;

class InputLimitsTest : public ::testing::Test {
protected:
  void SetUp() override {
    writeFile(root() / "migration.yaml", kTopicMigration);
    writeFile(root() / "app.properties", "kafka.topic=playback-events\n");
  }
  fs::path root() const { return dir_.path(); }
  /// `godwit ARGS` in the root, stopped after `seconds` (exit 124) if it stalls.
  Ran run(const std::string& args, int seconds = 20) const {
    return sh("timeout -s KILL " + std::to_string(seconds) + " " + godwit(args), root());
  }
  /// Writes `yaml` as m.yaml and scans with it.
  Ran withMigration(std::string_view yaml) const {
    writeFile(root() / "m.yaml", yaml);
    return run("scan --migration m.yaml app.properties");
  }

  TempDir dir_;
};

TEST_F(InputLimitsTest, MigrationMustBeARegularFileOfBoundedSize) {
  const Ran zero = run("scan --migration /dev/zero .");
  EXPECT_EQ(zero.status, 2) << zero.err;
  EXPECT_NE(zero.err.find("/dev/zero: error: cannot read the migration file: it is not a regular "
                          "file"),
            std::string::npos)
      << zero.err;

  ASSERT_EQ(::mkfifo((root() / "fifo.yaml").c_str(), 0644), 0);
  const Ran fifo = run("scan --migration fifo.yaml .");
  EXPECT_EQ(fifo.status, 2) << fifo.err; // not 124: it did not wait for a writer
  EXPECT_NE(fifo.err.find("fifo.yaml: error: cannot read the migration file: it is not a regular"),
            std::string::npos)
      << fifo.err;

  fs::create_directory(root() / "dir.yaml");
  const Ran dir = run("scan --migration dir.yaml .");
  EXPECT_EQ(dir.status, 2);
  EXPECT_NE(dir.err.find("it is a directory"), std::string::npos) << dir.err;

  writeFile(root() / "huge.yaml", kTopicMigration);
  fs::resize_file(root() / "huge.yaml", 17u << 20); // sparse: NUL bytes
  const Ran huge = run("scan --migration huge.yaml .");
  EXPECT_EQ(huge.status, 2);
  EXPECT_NE(huge.err.find("huge.yaml: error: the migration file is larger than 16 MiB"),
            std::string::npos)
      << huge.err;
}

TEST_F(InputLimitsTest, EveryYamlSyntaxErrorHasItsPosition) {
  const Ran unclosed =
      withMigration(std::string(kTopicMigration) + "description: \"never closed\n");
  EXPECT_EQ(unclosed.status, 2) << unclosed.err;
  EXPECT_NE(unclosed.err.find("m.yaml:9:1: error: invalid YAML: found unexpected end of stream "
                              "while scanning a quoted scalar at line 8"),
            std::string::npos)
      << unclosed.err;

  const Ran bracket = withMigration(std::string(kTopicMigration) + "exclude: [\"a/**\"\n");
  EXPECT_EQ(bracket.status, 2);
  EXPECT_NE(bracket.err.find("m.yaml:9:1: error: invalid YAML:"), std::string::npos) << bracket.err;

  std::string deep = std::string(kTopicMigration) + "description: ";
  for (int i = 0; i < 100000; ++i)
    deep += '[';
  const Ran nested = withMigration(deep + "\n");
  EXPECT_EQ(nested.status, 2) << nested.err;
  EXPECT_NE(nested.err.find("nests lists and mappings deeper than 64 levels"), std::string::npos)
      << nested.err;

  const Ran alias = withMigration("apiVersion: godwit/v1\nkind: Migration\nname: &n topic-v2\n"
                                  "description: *n\ndatasets:\n  - kind: kafka-topic\n"
                                  "    from: playback-events\n    to: playback-events-v2\n");
  EXPECT_EQ(alias.status, 2);
  EXPECT_NE(alias.err.find("m.yaml:4:14: error: YAML aliases"), std::string::npos) << alias.err;
}

TEST_F(InputLimitsTest, ControlBytesInMessagesAreEscapedAndNamed) {
  // Double-quoted YAML escapes put an ESC sequence and a \x01 into the topic name.
  const Ran esc = withMigration("apiVersion: godwit/v1\nkind: Migration\nname: topic-v2\n"
                                "datasets:\n  - kind: kafka-topic\n"
                                "    from: \"play\\e[31mback\"\n    to: playback-events-v2\n");
  EXPECT_EQ(esc.status, 2);
  EXPECT_EQ(esc.err.find('\x1b'), std::string::npos) << "raw ESC reaches the terminal";
  EXPECT_NE(esc.err.find("m.yaml:6:11: error: invalid `from` for kafka-topic: `play\\e[31mback` "
                         "contains the control character U+001B"),
            std::string::npos)
      << esc.err;

  const Ran one = withMigration("apiVersion: godwit/v1\nkind: Migration\nname: topic-v2\n"
                                "datasets:\n  - kind: kafka-topic\n"
                                "    from: \"play\\x01back\"\n    to: playback-events-v2\n");
  EXPECT_EQ(one.status, 2);
  EXPECT_EQ(one.err.find("whitespace"), std::string::npos) << one.err;
  EXPECT_NE(one.err.find("`play\\x01back` contains the control character U+0001"),
            std::string::npos)
      << one.err;

  std::string nul(kTopicMigration);
  nul.insert(nul.find("playback-events") + 4, 1, '\0');
  const Ran raw = withMigration(nul);
  EXPECT_EQ(raw.status, 2);
  EXPECT_NE(raw.err.find("m.yaml:6:15: error: the migration file contains a NUL byte"),
            std::string::npos)
      << raw.err;
}

TEST_F(InputLimitsTest, MigrationNamesAndFilesThatCannotBeUsedAreErrors) {
  std::string yaml(kTopicMigration);
  const std::string longName = std::string(10000, 'a');
  yaml.replace(yaml.find("topic-v2"), 8, longName);
  const Ran longer = withMigration(yaml);
  EXPECT_EQ(longer.status, 2);
  EXPECT_NE(longer.err.find("m.yaml:3:7: error: the name is 10000 characters long, over the 100"),
            std::string::npos)
      << longer.err.substr(0, 500);

  yaml = kTopicMigration;
  yaml.replace(yaml.find("topic-v2"), 8, "topic-\xE9t\xE9");
  const Ran latin1 = withMigration(yaml);
  EXPECT_EQ(latin1.status, 2);
  EXPECT_NE(latin1.err.find("m.yaml:3:13: error: the migration file contains the byte 0xE9, which "
                            "is not UTF-8 here"),
            std::string::npos)
      << latin1.err;
  EXPECT_NE(latin1.err.find("hint: save the migration file as UTF-8"), std::string::npos);

  std::string utf16 = "\xFF\xFE";
  for (const char c : kTopicMigration)
    utf16 += std::string{c, '\0'};
  const Ran wide = withMigration(utf16);
  EXPECT_EQ(wide.status, 2);
  EXPECT_NE(wide.err.find("m.yaml:1:1: error: the migration file is UTF-16 or UTF-32, not UTF-8"),
            std::string::npos)
      << wide.err;

  const Ran glob = withMigration(std::string(kTopicMigration) + "exclude: [\"gen/[ab\"]\n");
  EXPECT_EQ(glob.status, 2);
  EXPECT_NE(glob.err.find("m.yaml:8:11: error: invalid glob `gen/[ab`: `[` is never closed (at "
                          "character 5)"),
            std::string::npos)
      << glob.err;

  const Ran label = withMigration(std::string(kTopicMigration) + "pullRequest:\n  labels: [" +
                                  std::string(60, 'x') + "]\n");
  EXPECT_EQ(label.status, 2);
  EXPECT_NE(label.err.find("m.yaml:9:12: error: the label is 60 bytes long, over GitHub's 50"),
            std::string::npos)
      << label.err;

  const Ran reviewer = withMigration(std::string(kTopicMigration) +
                                     "pullRequest:\n  reviewers: [octocat, \"a b\"]\n");
  EXPECT_EQ(reviewer.status, 2);
  EXPECT_NE(reviewer.err.find("m.yaml:9:24: error: invalid reviewer `a b`"), std::string::npos)
      << reviewer.err;
}

TEST_F(InputLimitsTest, HugeJobsIsAUsageError) {
  const Ran r = run("scan --jobs 100000 --migration migration.yaml .");
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find("--jobs"), std::string::npos) << r.err;
  EXPECT_EQ(run("scan --jobs 256 --migration migration.yaml .").status, 0);
}

TEST_F(InputLimitsTest, GlobsTakeLinearTime) {
  // Twelve `**` against a deep path: a backtracking matcher takes minutes.
  std::string deep = "a";
  for (int i = 0; i < 40; ++i)
    deep += "/a";
  writeFile(root() / deep / "x.properties", "kafka.topic=playback-events\n");
  std::string glob;
  for (int i = 0; i < 12; ++i)
    glob += "**/a/";
  glob += "**/b";
  const Ran cli = run(
      "scan --exclude '" + glob + "' --include '" + glob + "/**' --migration migration.yaml .", 30);
  EXPECT_EQ(cli.status, 0) << cli.err; // nothing included: nothing found, quickly
  EXPECT_EQ(cli.out, "");
  writeFile(root() / "m.yaml", std::string(kTopicMigration) + "exclude: [\"" + glob + "\"]\n");
  const Ran migration = run("scan --migration m.yaml .", 30);
  EXPECT_EQ(migration.status, 0) << migration.err;
  EXPECT_NE(migration.out.find(deep + "/x.properties:1:13: rewrite"), std::string::npos)
      << migration.out;

  const Ran bad = run("scan --exclude 'src/***' --migration migration.yaml .");
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("error: invalid glob `src/***`: `***` is not a pattern"),
            std::string::npos)
      << bad.err;
}

TEST_F(InputLimitsTest, ManyReferencesInOneFileTakeLinearTime) {
  // 50,000 references on one line took over a minute when each cost time in the number before
  // (positions counted from the start, a scan of all earlier strings, one tree edit each).
  std::string line = "TOPICS = [";
  for (int i = 0; i < 50000; ++i)
    line += i ? ", \"playback-events\"" : "\"playback-events\"";
  writeFile(root() / "many.py", line + "]\n");
  const Ran r = run("dry-run --migration migration.yaml many.py", 60);
  ASSERT_EQ(r.status, 0) << r.err.substr(0, 1000);
  EXPECT_NE(r.err.find("50000 rewrites in 1 files"), std::string::npos) << r.err.substr(0, 1000);
}

/// The bytes of a percent-encoded URI reference (RFC 3986).
std::string percentDecode(std::string_view uri) {
  std::string out;
  for (size_t i = 0; i < uri.size(); ++i) {
    if (uri[i] == '%' && i + 2 < uri.size()) {
      out += static_cast<char>(std::stoi(std::string(uri.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += uri[i];
    }
  }
  return out;
}

std::string base64Decode(std::string_view in) {
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (const char c : in) {
    if (c == '=')
      break;
    bits = (bits << 6) | static_cast<uint32_t>(alphabet.find(c));
    if ((count += 6) >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xFF);
    }
  }
  return out;
}

// Names with a space, `%`, `?`, `#`, `:`, a control character and a byte that is not UTF-8.
const std::vector<std::string> kOddNames = {
    "with space.properties",  "100%.properties",
    "what?.properties",       "hash#tag.properties",
    "c:colon.properties",     "tab\there.properties",
    "latin1_\xE9.properties", "sub dir/\xFF\xFE.properties"};

TEST_F(InputLimitsTest, OddFileNamesRoundTripThroughEveryOutput) {
  for (const std::string& name : kOddNames)
    writeFile(root() / name, "kafka.topic=playback-events\n");

  const Ran sarif = run("scan --format sarif --migration migration.yaml .");
  ASSERT_EQ(sarif.status, 0) << sarif.err;
  std::set<std::string> uris;
  const auto log = nlohmann::json::parse(sarif.out);
  for (const auto& result : log["runs"][0]["results"]) {
    const std::string uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
    for (const char c : uri) // RFC 3986: unreserved, `/` and percent-encodings only
      EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || std::strchr("-._~/%", c)) << uri;
    EXPECT_TRUE(fs::exists(root() / percentDecode(uri))) << uri;
    uris.insert(percentDecode(uri));
  }
  for (const std::string& name : kOddNames)
    EXPECT_TRUE(uris.count(name)) << name;
  EXPECT_TRUE(uris.count("app.properties"));

  const Ran json = run("scan --format json --migration migration.yaml .");
  ASSERT_EQ(json.status, 0) << json.err;
  std::set<std::string> files;
  const auto report = nlohmann::json::parse(json.out);
  for (const auto& f : report["findings"]) {
    const std::string file = f["file"];
    files.insert(f.contains("fileBase64") ? base64Decode(f["fileBase64"].get<std::string>())
                                          : file);
  }
  for (const std::string& name : kOddNames)
    EXPECT_TRUE(files.count(name)) << name;

  const Ran text = run("scan --migration migration.yaml .");
  ASSERT_EQ(text.status, 0);
  EXPECT_NE(text.out.find("latin1_\\xE9.properties:1:13: rewrite"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("tab\\there.properties:1:13: rewrite"), std::string::npos);
  EXPECT_NE(text.out.find("sub dir/\\xFF\\xFE.properties:1:13: rewrite"), std::string::npos);
}

TEST_F(InputLimitsTest, DiffOfNamesThatAreNotUtf8IsTakenByGitApply) {
  for (const std::string& name : kOddNames)
    writeFile(root() / name, "kafka.topic=playback-events\n");
  ASSERT_EQ(
      sh("git init -q . && git add -A && git -c user.name=t -c user.email=t@t commit -qm t", root())
          .status,
      0);
  const Ran dry = run("dry-run --migration migration.yaml .");
  ASSERT_EQ(dry.status, 0) << dry.err;
  EXPECT_NE(dry.out.find("diff --git \"a/latin1_\\351.properties\" \"b/latin1_\\351.properties\""),
            std::string::npos)
      << dry.out;
  writeFile(root().parent_path() / (root().filename().string() + ".patch"), dry.out);
  const std::string patch = "../" + root().filename().string() + ".patch";
  const Ran applied = sh("git apply " + patch, root());
  fs::remove(root().parent_path() / (root().filename().string() + ".patch"));
  ASSERT_EQ(applied.status, 0) << applied.err;
  for (const std::string& name : kOddNames)
    EXPECT_EQ(readFile(root() / name), "kafka.topic=playback-events-v2\n") << name;
  EXPECT_EQ(run("dry-run --exit-code --migration migration.yaml .").status, 0);
}

} // namespace
