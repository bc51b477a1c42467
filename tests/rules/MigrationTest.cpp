#include "rules/Migration.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace godwit {
namespace {

/// Joins lines with newlines, so that a test's line numbers are the vector's indices + 1.
std::string lines(std::initializer_list<std::string_view> ls) {
  std::string out;
  for (std::string_view l : ls)
    out.append(l).append("\n");
  return out;
}

// Lines 1-3 of most cases.
const std::string kHead = lines({"apiVersion: godwit/v1", "kind: Migration", "name: m"});

const std::string kExample = lines({
    "apiVersion: godwit/v1",                             // 1
    "kind: Migration",                                   // 2
    "name: user-profile-v2",                             // 3
    "description: Move consumers to user_profile_v2",    // 4
    "datasets:",                                         // 5
    "  - kind: bigquery-table",                          // 6
    "    from: acme-prod.core_users.user_profile_v1",    // 7
    "    to:   acme-prod.core_users.user_profile_v2",    // 8
    "    columns:",                                      // 9
    "      rename: { country_code: country, a_b: c_d }", // 10
    "      removed: [legacy_segment]",                   // 11
    "  - kind: gcs-prefix",                              // 12
    "    from: gs://acme-raw/events/playback",           // 13
    "    to:   gs://acme-lake/playback/v2/",             // 14
    "  - kind: kafka-topic",                             // 15
    "    from: playback-events",                         // 16
    "    to:   playback-events-v2",                      // 17
    "exclude: [\"**/generated/**\", \"vendor/**\"]",     // 18
});

Error errorOf(const std::string& yaml) {
  Expected<Migration> m = parseMigration(yaml, "m.yaml");
  EXPECT_FALSE(m.hasValue()) << "parsed without error:\n" << yaml;
  return m ? Error{} : m.error();
}

void expectError(const std::string& yaml, int line, int column, const std::string& message,
                 const std::string& hint = {}) {
  Error e = errorOf(yaml);
  EXPECT_EQ(e.file, "m.yaml");
  EXPECT_EQ(e.line, line) << e.str();
  EXPECT_EQ(e.column, column) << e.str();
  EXPECT_NE(e.message.find(message), std::string::npos) << e.str();
  EXPECT_NE(e.hint.find(hint), std::string::npos) << e.str();
  EXPECT_FALSE(e.hint.empty()) << e.str();
}

std::string withDatasets(std::initializer_list<std::string_view> datasetLines) {
  std::string out = kHead + "datasets:\n"; // datasets: is line 4
  for (std::string_view l : datasetLines)
    out.append(l).append("\n");
  return out;
}

// ---------------------------------------------------------------- valid files

TEST(Migration, ParsesTheFullExample) {
  Expected<Migration> m = parseMigration(kExample, "dir/m.yaml");
  ASSERT_TRUE(m) << m.error().str();
  EXPECT_EQ(m->path, "dir/m.yaml");
  EXPECT_EQ(m->apiVersion, "godwit/v1");
  EXPECT_EQ(m->name, "user-profile-v2");
  EXPECT_EQ(m->description, "Move consumers to user_profile_v2");
  ASSERT_EQ(m->datasets.size(), 3u);
  const DatasetSpec& t = m->datasets[0];
  EXPECT_EQ(t.kind, DatasetKind::BigQueryTable);
  EXPECT_EQ(t.from, "acme-prod.core_users.user_profile_v1");
  EXPECT_EQ(t.to, "acme-prod.core_users.user_profile_v2");
  EXPECT_EQ(t.pos.line, 6);
  EXPECT_EQ(t.pos.column, 5);
  using Renames = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(t.columns.rename, (Renames{{"country_code", "country"}, {"a_b", "c_d"}}));
  EXPECT_EQ(t.columns.removed, std::vector<std::string>{"legacy_segment"});
  EXPECT_EQ(m->datasets[1].kind, DatasetKind::GcsPrefix);
  EXPECT_EQ(m->datasets[1].from, "gs://acme-raw/events/playback/"); // slash added
  EXPECT_EQ(m->datasets[1].to, "gs://acme-lake/playback/v2/");
  EXPECT_EQ(m->datasets[1].pos.line, 12);
  EXPECT_EQ(m->datasets[2].kind, DatasetKind::KafkaTopic);
  EXPECT_TRUE(m->datasets[2].columns.rename.empty());
  EXPECT_EQ(m->exclude, (std::vector<std::string>{"**/generated/**", "vendor/**"}));
}

TEST(Migration, OptionalKeysMayBeEmpty) {
  Expected<Migration> m = parseMigration(
      withDatasets({"  - kind: literal", "    from: OLD_TOKEN", "    to: NEW_TOKEN"}) +
          "description:\nexclude:\n",
      "m.yaml");
  ASSERT_TRUE(m) << m.error().str();
  EXPECT_TRUE(m->description.empty());
  EXPECT_TRUE(m->exclude.empty());
}

TEST(Migration, EveryKindParses) {
  Expected<Migration> m =
      parseMigration(withDatasets({
                         "  - {kind: bigquery-table, from: acme-prod.a.t, to: acme-prod.b.t}",
                         "  - {kind: bigquery-dataset, from: acme-prod.c, to: acme-prod.d}",
                         "  - {kind: gcs-prefix, from: 'gs://bkt/a/', to: 'gs://bkt2/a/'}",
                         "  - {kind: hive-table, from: db.t, to: db2.t}",
                         "  - {kind: kafka-topic, from: topic-a, to: topic-b}",
                         "  - {kind: literal, from: TOKEN_A, to: TOKEN_B}",
                     }),
                     "m.yaml");
  ASSERT_TRUE(m) << m.error().str();
  ASSERT_EQ(m->datasets.size(), 6u);
  EXPECT_EQ(m->datasets[3].kind, DatasetKind::HiveTable);
  EXPECT_EQ(m->datasets[5].kind, DatasetKind::Literal);
}

TEST(Migration, KindNames) {
  for (DatasetKind k :
       {DatasetKind::BigQueryTable, DatasetKind::BigQueryDataset, DatasetKind::GcsPrefix,
        DatasetKind::HiveTable, DatasetKind::KafkaTopic, DatasetKind::Literal})
    EXPECT_EQ(parseKind(kindName(k)), k);
  EXPECT_EQ(kindName(DatasetKind::GcsPrefix), "gcs-prefix");
  EXPECT_FALSE(parseKind("bigquery"));
  EXPECT_FALSE(parseKind("BigQuery-Table"));
}

// ---------------------------------------------------------------- file-level errors

TEST(MigrationErrors, YamlSyntax) {
  expectError(lines({"apiVersion: godwit/v1", "kind: [Migration", "name: m"}), 3, 5,
              "invalid YAML");
  expectError(lines({"apiVersion: godwit/v1", "kind: Migration", "  name: m"}), 3, 7,
              "invalid YAML");
}

TEST(MigrationErrors, EmptyFile) {
  expectError("", 1, 1, "empty", "apiVersion");
  expectError("# nothing here\n", 1, 1, "empty");
}

TEST(MigrationErrors, NotAMapping) {
  expectError("- a\n- b\n", 1, 1, "mapping");
  expectError("just text\n", 1, 1, "mapping");
}

TEST(MigrationErrors, SeveralDocuments) {
  expectError(kHead + "---\nname: other\n", 5, 1, "one YAML document", "---");
}

TEST(MigrationErrors, ApiVersion) {
  expectError(lines({"kind: Migration", "name: m"}), 1, 1, "missing `apiVersion`",
              "apiVersion: godwit/v1");
  expectError(lines({"apiVersion: godwit/v2", "kind: Migration"}), 1, 13,
              "unsupported apiVersion `godwit/v2`", "apiVersion: godwit/v1");
  expectError(lines({"apiVersion: [godwit/v1]", "kind: Migration"}), 1, 13, "must be a string");
}

TEST(MigrationErrors, Kind) {
  expectError(lines({"apiVersion: godwit/v1", "name: m"}), 1, 1, "missing `kind`",
              "kind: Migration");
  expectError(lines({"apiVersion: godwit/v1", "kind: RulePack"}), 2, 7,
              "`kind` is `RulePack`, not `Migration`", "kind: Migration");
  expectError(lines({"apiVersion: godwit/v1", "kind:"}), 2, 1, "`kind` is empty");
}

TEST(MigrationErrors, UnknownTopLevelKeySuggestsTheClosest) {
  Error e = errorOf(kHead + "dataset:\n  - kind: literal\n");
  EXPECT_EQ(e.line, 4);
  EXPECT_EQ(e.column, 1);
  EXPECT_EQ(e.message, "unknown key `dataset` at the top level");
  EXPECT_EQ(e.str(), "m.yaml:4:1: error: unknown key `dataset` at the top level\n"
                     "  hint: did you mean `datasets`? valid keys here: apiVersion, kind, name, "
                     "description, datasets, exclude, docs, pullRequest, rollout, backstage");
  expectError(kHead + "apiversion: x\n", 4, 1, "`apiversion`", "did you mean `apiVersion`?");
}

TEST(MigrationErrors, UnknownKeyWithoutAGoodGuessListsTheKeys) {
  Error e = errorOf(kHead + "owner: data-platform\n");
  EXPECT_EQ(e.line, 4);
  EXPECT_EQ(e.hint.find("did you mean"), std::string::npos) << e.hint;
  EXPECT_NE(e.hint.find("valid keys here: apiVersion"), std::string::npos);
}

TEST(MigrationErrors, DuplicateKey) {
  expectError(kHead + "name: n\n", 4, 1, "duplicate key `name` (first at line 3)");
}

TEST(MigrationErrors, Name) {
  expectError(lines({"apiVersion: godwit/v1", "kind: Migration",
                     "datasets:", "  - {kind: literal, from: A_1, to: B_1}"}),
              1, 1, "missing `name`", "name:");
  for (std::string bad : {"User_Profile", "-x", "a b", "a..b", "x.lock", "end.", "a/b"})
    expectError(lines({"apiVersion: godwit/v1", "kind: Migration", "name: '" + bad + "'"}), 3, 7,
                "invalid name", "lowercase");
  expectError(lines({"apiVersion: godwit/v1", "kind: Migration", "name:"}), 3, 1,
              "`name` is empty");
}

TEST(MigrationErrors, Datasets) {
  expectError(kHead, 1, 1, "missing `datasets`", "datasets:");
  expectError(kHead + "datasets: []\n", 4, 11, "`datasets` is empty");
  expectError(kHead + "datasets:\n", 4, 1, "`datasets` is empty");
  expectError(kHead + "datasets: x\n", 4, 11, "`datasets` must be a list");
  expectError(kHead + "datasets: {kind: literal}\n", 4, 11, "`datasets` must be a list");
  expectError(withDatasets({"  - just-a-string"}), 5, 5, "a dataset must be a mapping");
}

TEST(MigrationErrors, Exclude) {
  const std::string ok = withDatasets({"  - {kind: literal, from: A_1, to: B_1}"});
  expectError(ok + "exclude: '**/gen/**'\n", 6, 10, "`exclude` must be a list");
  expectError(ok + "exclude: ['a', '']\n", 6, 16, "non-empty glob");
  expectError(ok + "exclude: [[a]]\n", 6, 11, "non-empty glob");
}

// ---------------------------------------------------------------- dataset errors

TEST(DatasetErrors, UnknownKind) {
  Error e = errorOf(withDatasets({"  - kind: bigquery_table", "    from: a", "    to: b"}));
  EXPECT_EQ(e.line, 5);
  EXPECT_EQ(e.column, 11);
  EXPECT_EQ(e.message, "unknown dataset kind `bigquery_table`");
  EXPECT_EQ(e.hint, "did you mean `bigquery-table`? valid kinds: bigquery-table, "
                    "bigquery-dataset, gcs-prefix, hive-table, kafka-topic, literal");
  expectError(withDatasets({"  - kind: s3-prefix", "    from: a", "    to: b"}), 5, 11,
              "unknown dataset kind", "valid kinds: bigquery-table");
}

TEST(DatasetErrors, MissingKeys) {
  expectError(withDatasets({"  - from: a", "    to: b"}), 5, 5, "no `kind`", "bigquery-table");
  expectError(withDatasets({"  - kind: kafka-topic", "    to: b"}), 5, 5, "no `from`",
              "kafka-topic");
  expectError(withDatasets({"  - kind: kafka-topic", "    from: a"}), 5, 5, "no `to`");
}

TEST(DatasetErrors, UnknownKeySuggestsTheClosest) {
  expectError(withDatasets({"  - kind: kafka-topic", "    form: a", "    to: b"}), 6, 5,
              "unknown key `form` in a dataset", "did you mean `from`?");
  expectError(withDatasets({"  - kind: kafka-topic", "    from: a", "    to: b", "    x: 1"}), 8, 5,
              "unknown key `x`", "valid keys here: kind, from, to, columns");
}

TEST(DatasetErrors, WrongNodeTypes) {
  expectError(withDatasets({"  - kind: kafka-topic", "    from: [a, b]", "    to: b"}), 6, 11,
              "`from` must be a string, not a list");
  expectError(withDatasets({"  - kind: kafka-topic", "    from: a", "    to: {x: y}"}), 7, 9,
              "`to` must be a string, not a mapping");
  expectError(withDatasets({"  - kind: kafka-topic", "    from:", "    to: b"}), 6, 5,
              "`from` is empty");
  expectError(withDatasets({"  - kind: [kafka-topic]", "    from: a", "    to: b"}), 5, 11,
              "`kind` must be a string");
}

TEST(DatasetErrors, NameNotValidForItsKind) {
  Error e = errorOf(withDatasets(
      {"  - kind: bigquery-table", "    from: acme-prod.core_users", "    to: acme-prod.x.y"}));
  EXPECT_EQ(e.line, 6);
  EXPECT_EQ(e.column, 11);
  EXPECT_NE(e.message.find("invalid `from` for bigquery-table"), std::string::npos) << e.str();
  EXPECT_NE(e.message.find("2 parts"), std::string::npos) << e.str();
  EXPECT_NE(e.hint.find("project.dataset.table"), std::string::npos) << e.str();
  expectError(
      withDatasets({"  - kind: gcs-prefix", "    from: gs://acme-raw/x/", "    to: s3://b/x/"}), 7,
      9, "invalid `to` for gcs-prefix", "gs://bucket/folder/");
  expectError(withDatasets({"  - kind: hive-table", "    from: just_table", "    to: db.t"}), 6, 11,
              "invalid `from` for hive-table", "database.table");
}

TEST(DatasetErrors, FromEqualsTo) {
  expectError(withDatasets({"  - kind: kafka-topic", "    from: events", "    to: events"}), 7, 9,
              "`to` is the same as `from`");
  expectError(withDatasets({"  - kind: gcs-prefix", "    from: gs://bkt/a", "    to: gs://bkt/a/"}),
              7, 9, "`to` is the same as `from`");
  // Hive names have no case.
  expectError(withDatasets({"  - kind: hive-table", "    from: db.t", "    to: DB.T"}), 7, 9,
              "`to` is the same as `from`");
}

TEST(DatasetErrors, ToInsideFromWouldRewriteAgain) {
  expectError(
      withDatasets({"  - kind: gcs-prefix", "    from: gs://bkt/a/", "    to: gs://bkt/a/v2/"}), 7,
      9, "contains `from`", "not inside `from`");
  expectError(withDatasets({"  - kind: literal", "    from: OLD", "    to: OLD-2"}), 7, 9,
              "contains `from`");
}

TEST(DatasetErrors, DuplicateDatasetPointsAtTheSecond) {
  Error e = errorOf(withDatasets({
      "  - kind: kafka-topic", // 5
      "    from: events",      // 6
      "    to: events-v2",     // 7
      "  - kind: kafka-topic", // 8
      "    from: events",      // 9
      "    to: events-v3",     // 10
  }));
  EXPECT_EQ(e.line, 9);
  EXPECT_EQ(e.column, 11);
  EXPECT_EQ(e.message, "duplicate dataset: kafka-topic `events` is already listed at line 5");
  // Same `from` under another kind is not a duplicate.
  Expected<Migration> m =
      parseMigration(withDatasets({"  - {kind: kafka-topic, from: events, to: topic-b}",
                                   "  - {kind: literal, from: events, to: events_v2}"}),
                     "m.yaml");
  EXPECT_TRUE(m) << m.error().str();
}

TEST(DatasetErrors, ChainIsAnError) {
  Error forward = errorOf(withDatasets({
      "  - kind: bigquery-table", // 5
      "    from: acme-prod.a.t",  // 6
      "    to: acme-prod.b.t",    // 7
      "  - kind: bigquery-table", // 8
      "    from: acme-prod.b.t",  // 9
      "    to: acme-prod.c.t",    // 10
  }));
  EXPECT_EQ(forward.line, 9);
  EXPECT_EQ(forward.column, 11);
  EXPECT_NE(forward.message.find("new location of the dataset at line 5"), std::string::npos)
      << forward.str();

  Error backward = errorOf(withDatasets({
      "  - kind: bigquery-table", // 5
      "    from: acme-prod.b.t",  // 6
      "    to: acme-prod.c.t",    // 7
      "  - kind: bigquery-table", // 8
      "    from: acme-prod.a.t",  // 9
      "    to: acme-prod.b.t",    // 10
  }));
  EXPECT_EQ(backward.line, 10);
  EXPECT_EQ(backward.column, 9);
  EXPECT_NE(backward.message.find("is the `from` of the dataset at line 5"), std::string::npos)
      << backward.str();
}

TEST(DatasetErrors, ChainsAcrossKindsAndPrefixes) {
  // The dataset's new location holds the table that the second entry moves.
  expectError(withDatasets({"  - {kind: bigquery-dataset, from: acme-prod.a, to: acme-prod.b}",
                            "  - {kind: bigquery-table, from: acme-prod.b.t, to: acme-prod.c.t}"}),
              6, 34, "line 5");
  expectError(withDatasets({"  - {kind: gcs-prefix, from: 'gs://bkt/a/', to: 'gs://bkt/b/'}",
                            "  - {kind: gcs-prefix, from: 'gs://bkt/b/x/', to: 'gs://bkt/c/'}"}),
              6, 30, "line 5");
  expectError(withDatasets({"  - {kind: kafka-topic, from: events, to: events-v2}",
                            "  - {kind: literal, from: events-v2, to: events-v3}"}),
              6, 27, "line 5");
  // A literal found inside another dataset's new name is a chain too.
  expectError(withDatasets({"  - {kind: kafka-topic, from: events, to: events-v2}",
                            "  - {kind: literal, from: events, to: events_v2}"}),
              6, 27, "line 5");
}

TEST(DatasetErrors, Columns) {
  expectError(withDatasets({"  - kind: gcs-prefix", "    from: gs://bkt/a/", "    to: gs://bkt/b/",
                            "    columns: {removed: [x]}"}),
              8, 5, "`columns` is not allowed for a gcs-prefix", "bigquery-table and hive-table");
  const std::vector<std::string_view> head{"  - kind: hive-table", "    from: db.t",
                                           "    to: db.t2"};
  auto with = [&](std::string_view columnsLine) {
    std::string out = kHead + "datasets:\n";
    for (std::string_view l : head)
      out.append(l).append("\n");
    return out.append(columnsLine).append("\n");
  };
  expectError(with("    columns: {renamed: {a: b}}"), 8, 15, "unknown key `renamed` in `columns`",
              "did you mean `rename`?");
  expectError(with("    columns: [a]"), 8, 14, "`columns` must be a mapping");
  expectError(with("    columns: {rename: [a]}"), 8, 23, "`rename` must be a mapping");
  expectError(with("    columns: {removed: a}"), 8, 24, "`removed` must be a list");
  expectError(with("    columns: {rename: {a: a}}"), 8, 27, "renamed to itself");
  expectError(with("    columns: {rename: {a: c, b: c}}"), 8, 33, "two columns are renamed to `c`");
  expectError(with("    columns: {rename: {a: b}, removed: [c, a]}"), 8, 44,
              "column `a` is already listed at line 8");
  expectError(with("    columns: {removed: ['9x']}"), 8, 25, "invalid column name `9x`");
  Expected<Migration> ok = parseMigration(with("    columns:"), "m.yaml");
  EXPECT_TRUE(ok) << ok.error().str();
}

TEST(DatasetErrors, FirstErrorWins) {
  // Two problems: the one earlier in the file is reported.
  expectError(withDatasets({"  - kind: nope", "    from: a", "    to: b", "  - kind: nope2"}), 5,
              11, "`nope`");
}

// ---------------------------------------------------------------- loading files

class LoadMigration : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("godwit-migration-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(LoadMigration, ReadsAFile) {
  std::string path = (dir_ / "migration.yaml").string();
  std::ofstream(path) << kExample;
  Expected<Migration> m = loadMigration(path);
  ASSERT_TRUE(m) << m.error().str();
  EXPECT_EQ(m->path, path);
  EXPECT_EQ(m->datasets.size(), 3u);
}

TEST_F(LoadMigration, ErrorsNameTheFile) {
  std::string path = (dir_ / "bad.yaml").string();
  std::ofstream(path) << kHead << "datasets: x\n";
  Expected<Migration> m = loadMigration(path);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().file, path);
  EXPECT_EQ(m.error().line, 4);
}

TEST_F(LoadMigration, UnreadableFile) {
  std::string missing = (dir_ / "missing.yaml").string();
  Expected<Migration> m = loadMigration(missing);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().file, missing);
  EXPECT_NE(m.error().message.find("cannot read"), std::string::npos);
  EXPECT_NE(m.error().str().find(missing), std::string::npos);

  Expected<Migration> d = loadMigration(dir_.string());
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().file, dir_.string());
  EXPECT_NE(d.error().message.find("directory"), std::string::npos);
}

TEST(MigrationErrors, ChainsAndDuplicatesAreFoundAmongThousandsOfDatasets) {
  // Pairs are found through an index, not by trying all 4.5 million of them; the first problem
  // in file order is still the one reported.
  std::string yaml = kHead + "datasets:\n"; // datasets start at line 5, three lines each
  const auto table = [](int i, const std::string& dataset) {
    return "acme-prod." + dataset + "_" + std::to_string(i % 40) + ".table_" + std::to_string(i);
  };
  for (int i = 0; i < 3000; ++i)
    yaml += "  - kind: bigquery-table\n    from: " + table(i, "legacy") +
            "\n    to: " + table(i, "dwh") + "\n";
  ASSERT_TRUE(parseMigration(yaml, "m.yaml")) << errorOf(yaml).str();

  const std::string chained = yaml + "  - kind: bigquery-table\n    from: " + table(1234, "dwh") +
                              "\n    to: " + table(1234, "final") + "\n";
  Error forward = errorOf(chained);
  EXPECT_EQ(forward.line, 5 + 3 * 3000 + 1) << forward.str();
  EXPECT_NE(forward.message.find("new location of the dataset at line " +
                                 std::to_string(5 + 3 * 1234)),
            std::string::npos)
      << forward.str();

  const std::string duplicated = chained + "  - kind: bigquery-table\n    from: " +
                                 table(7, "legacy") + "\n    to: elsewhere.d.t\n";
  Error first = errorOf(duplicated);
  EXPECT_EQ(first.line, 5 + 3 * 3000 + 1) << "the chain comes first in file order: " << first.str();
}

} // namespace
} // namespace godwit
