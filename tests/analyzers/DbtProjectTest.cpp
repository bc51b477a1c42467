// The dbt index: source() calls in Jinja and Python text, project discovery, how source tables
// resolve to the migrated table, and the all-or-nothing decision for renaming a table's name.
#include "analyzers/dbt/DbtProject.h"

#include "rules/Migration.h"

#include <gtest/gtest.h>

#include <fstream>
#include <random>

namespace godwit {
namespace {

namespace fs = std::filesystem;

// ------------------------------------------------------------------------------ source() calls

std::string table(const DbtSourceCall& c) {
  return c.table ? *c.table : "<computed>";
}

std::string source(const DbtSourceCall& c) {
  return c.source ? *c.source : "<computed>";
}

TEST(DbtSourceCalls, LiteralArgumentsInTemplateBlocks) {
  const std::string sql = "select * from {{ source('core_users', \"user_profile_v1\") }} p\n";
  const auto calls = findDbtSourceCalls(sql, true);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(source(calls[0]), "core_users");
  EXPECT_EQ(table(calls[0]), "user_profile_v1");
  EXPECT_EQ(sql.substr(calls[0].begin, calls[0].end - calls[0].begin),
            "source('core_users', \"user_profile_v1\")");
  EXPECT_EQ(sql.substr(calls[0].tableBegin, calls[0].tableEnd - calls[0].tableBegin),
            "user_profile_v1");
  EXPECT_EQ(calls[0].tableQuote, '"');
  EXPECT_EQ(sql.substr(calls[0].blockBegin, calls[0].blockEnd - calls[0].blockBegin),
            "{{ source('core_users', \"user_profile_v1\") }}");
  EXPECT_TRUE(calls[0].standsAlone);
}

TEST(DbtSourceCalls, KeywordArgumentsAndWhitespaceControl) {
  const auto calls =
      findDbtSourceCalls("{{- source(table_name='user_profile_v1', source_name='core_users') -}}\n"
                         "{{ builtins.source(\n  'core_users',\n  'devices',\n) }}",
                         true);
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(source(calls[0]), "core_users");
  EXPECT_EQ(table(calls[0]), "user_profile_v1");
  EXPECT_TRUE(calls[0].standsAlone);
  EXPECT_EQ(source(calls[1]), "core_users");
  EXPECT_EQ(table(calls[1]), "devices");
  EXPECT_TRUE(calls[1].standsAlone);
}

TEST(DbtSourceCalls, ComputedArgumentsAreUnknown) {
  const auto calls = findDbtSourceCalls("{{ source('core_users', 'user_profile_' ~ var('v')) }}"
                                        "{{ source(src, 'user_profile_v1') }}"
                                        "{{ source('core_users', 'user\\_profile_v1') }}"
                                        "{{ source('a', 'b', 'c') }}"
                                        "{{ source('a', source_name='b') }}",
                                        true);
  ASSERT_EQ(calls.size(), 5u);
  EXPECT_EQ(source(calls[0]), "core_users");
  EXPECT_EQ(table(calls[0]), "<computed>");
  EXPECT_EQ(source(calls[1]), "<computed>");
  EXPECT_EQ(table(calls[1]), "user_profile_v1");
  EXPECT_EQ(table(calls[2]), "<computed>");  // an escape: the value is not the text
  EXPECT_EQ(source(calls[3]), "<computed>"); // not dbt's source(): both unknown
  EXPECT_EQ(table(calls[3]), "<computed>");
  EXPECT_EQ(source(calls[4]), "<computed>"); // the source given twice
}

TEST(DbtSourceCalls, SqlTextOutsideBlocksAndJinjaCommentsAreNoCalls) {
  EXPECT_TRUE(findDbtSourceCalls("select source('a', 'b') from t", true).empty());
  EXPECT_TRUE(findDbtSourceCalls("{# {{ source('a', 'b') }} #} select 1", true).empty());
  EXPECT_TRUE(findDbtSourceCalls("{{ my_source('a', 'b') }} {{ log('source(') }}", true).empty());
  // A SQL comment does not stop Jinja: the call still runs.
  EXPECT_EQ(findDbtSourceCalls("-- {{ source('a', 'b') }}\nselect 1", true).size(), 1u);
}

TEST(DbtSourceCalls, StandsAloneOnlyWhenTheBlockIsTheCall) {
  const auto calls = findDbtSourceCalls("{% set p = source('a', 'b') %}"
                                        "{{ source('a', 'b') ~ '_x' }}"
                                        "{{ source('a', 'b') | string }}"
                                        "{{ source('a', 'b') }}",
                                        true);
  ASSERT_EQ(calls.size(), 4u);
  EXPECT_FALSE(calls[0].standsAlone);
  EXPECT_FALSE(calls[1].standsAlone);
  EXPECT_FALSE(calls[2].standsAlone);
  EXPECT_TRUE(calls[3].standsAlone);
}

TEST(DbtSourceCalls, ExpressionsOfPythonModelsAndYamlValues) {
  const auto py = findDbtSourceCalls(
      "def model(dbt, session):\n    return dbt.source(\"core_users\", \"user_profile_v1\")\n",
      false);
  ASSERT_EQ(py.size(), 1u);
  EXPECT_EQ(source(py[0]), "core_users");
  EXPECT_EQ(table(py[0]), "user_profile_v1");
  EXPECT_FALSE(py[0].standsAlone);
  const auto yml = findDbtSourceCalls("source('core_users', 'user_profile_v1')", false);
  ASSERT_EQ(yml.size(), 1u);
  EXPECT_EQ(yml[0].tableBegin, 22u);
}

// ------------------------------------------------------------------------------ the index

class DbtProjectIndex : public ::testing::Test {
protected:
  void SetUp() override {
    std::random_device rd;
    root_ = fs::temp_directory_path() / ("godwit-dbt-" + std::to_string(rd()));
    fs::create_directories(root_);
    auto m = parseMigration("apiVersion: godwit/v1\nkind: Migration\nname: t\ndatasets:\n"
                            "  - kind: bigquery-table\n"
                            "    from: acme-prod.core_users.user_profile_v1\n"
                            "    to:   acme-prod.core_users.user_profile_v2\n"
                            "    columns:\n      rename: { country_code: country }\n",
                            "migration.yaml");
    ASSERT_TRUE(m) << m.error().str();
    for (const DatasetSpec& spec : m->datasets)
      matchers_.emplace_back(spec);
  }
  void TearDown() override { fs::remove_all(root_); }

  void write(const std::string& path, const std::string& text) {
    fs::create_directories((root_ / path).parent_path());
    std::ofstream(root_ / path, std::ios::binary) << text;
  }

  /// Indexes the root with every file in the run except `leftOut`.
  std::shared_ptr<const DbtProjects> index(const std::vector<std::string>& leftOut = {}) {
    std::vector<WalkEntry> files;
    for (const auto& e : fs::recursive_directory_iterator(root_)) {
      const std::string rel = fs::relative(e.path(), root_).generic_string();
      if (e.is_regular_file() && std::find(leftOut.begin(), leftOut.end(), rel) == leftOut.end())
        files.push_back(WalkEntry{rel, languageForPath(rel)});
    }
    std::sort(files.begin(), files.end(),
              [](const WalkEntry& a, const WalkEntry& b) { return a.path < b.path; });
    return indexDbtProjects(root_, files, matchers_);
  }

  void project(const std::string& dir = "", const std::string& extra = "") {
    write((dir.empty() ? "" : dir + "/") + "dbt_project.yml",
          "name: analytics\nversion: '1.0'\nconfig-version: 2\n" + extra);
  }

  fs::path root_;
  std::vector<DatasetMatcher> matchers_;
};

const char* const kSources = "version: 2\n"
                             "sources:\n"
                             "  - name: core_users\n"
                             "    database: acme-prod\n"
                             "    tables:\n"
                             "      - name: user_profile_v1\n"
                             "        columns:\n"
                             "          - name: country_code\n";

TEST_F(DbtProjectIndex, NoDbtProjectNoIndex) {
  write("models/sources.yml", kSources);
  write("models/a.sql", "select 1 from {{ source('core_users', 'user_profile_v1') }}");
  EXPECT_EQ(index(), nullptr);
}

TEST_F(DbtProjectIndex, ReadsModelPathsAndLeavesInstalledPackagesAlone) {
  project("", "model-paths: ['transform']\n");
  write("transform/staging/sources.yml", kSources);
  write("models/sources.yml", kSources); // not a model path of this project
  write("dbt_packages/utils/dbt_project.yml", "name: utils\n");
  write("dbt_packages/utils/models/sources.yml", kSources);
  const auto dbt = index();
  ASSERT_NE(dbt, nullptr);
  ASSERT_EQ(dbt->projects().size(), 1u);
  EXPECT_EQ(dbt->projects()[0].dir, "");
  EXPECT_EQ(dbt->projects()[0].name, "analytics");
  EXPECT_EQ(dbt->projects()[0].modelPaths, std::vector<std::string>{"transform"});
  EXPECT_NE(dbt->file("transform/staging/sources.yml"), nullptr);
  EXPECT_EQ(dbt->file("models/sources.yml"), nullptr);
  EXPECT_EQ(dbt->file("dbt_packages/utils/models/sources.yml"), nullptr);
}

TEST_F(DbtProjectIndex, FindsTheProjectAboveTheWalkedFiles) {
  project("warehouse/dbt");
  write("warehouse/dbt/models/sources.yml", kSources);
  std::vector<WalkEntry> onlyModels{{"warehouse/dbt/models/sources.yml", nullptr}};
  const auto dbt = indexDbtProjects(root_, onlyModels, matchers_);
  ASSERT_NE(dbt, nullptr);
  ASSERT_EQ(dbt->projects().size(), 1u);
  EXPECT_EQ(dbt->projects()[0].dir, "warehouse/dbt");
  EXPECT_NE(dbt->file("warehouse/dbt/models/sources.yml"), nullptr);
}

TEST_F(DbtProjectIndex, SchemaDefaultsToTheSourceNameAndIdentifierToTheTableName) {
  project();
  write("models/sources.yml", kSources);
  write("models/a.sql", "select country_code from {{ source('core_users', 'user_profile_v1') }}");
  const auto dbt = index();
  const DbtFilePlan* yml = dbt->file("models/sources.yml");
  ASSERT_NE(yml, nullptr);
  ASSERT_EQ(yml->findings.size(), 2u);
  const Finding& entry = yml->findings[0];
  EXPECT_EQ(entry.context, "dbt.source");
  EXPECT_EQ(entry.action, Action::Rewrite);
  EXPECT_EQ(entry.found, "acme-prod.core_users.user_profile_v1");
  EXPECT_EQ(entry.replacement, "acme-prod.core_users.user_profile_v2");
  EXPECT_EQ(entry.line, 6);
  ASSERT_EQ(entry.changes.size(), 1u);
  EXPECT_EQ(entry.changes[0].value->value, "user_profile_v1");
  EXPECT_EQ(entry.changes[0].text, "user_profile_v2");
  EXPECT_EQ(yml->findings[1].context, "dbt.column");
  EXPECT_EQ(yml->findings[1].replacement, "country");
}

TEST_F(DbtProjectIndex, RenamingTheNameRenamesEveryCallWithIt) {
  project();
  write("models/sources.yml", kSources);
  write("models/a.sql", "select country_code from {{ source('core_users', 'user_profile_v1') }}");
  write("macros/m.sql", "{% set p = source('core_users', 'user_profile_v1') %}");
  const auto dbt = index();
  const DbtFilePlan* model = dbt->file("models/a.sql");
  ASSERT_NE(model, nullptr);
  ASSERT_EQ(model->findings.size(), 1u);
  EXPECT_EQ(model->findings[0].action, Action::Rewrite);
  EXPECT_EQ(model->findings[0].replacement, "source('core_users', 'user_profile_v2')");
  ASSERT_EQ(model->standIns.size(), 1u);
  EXPECT_EQ(model->standIns[0].relation, "`acme-prod`.`core_users`.`user_profile_v1`");
  EXPECT_EQ(model->standIns[0].action, Action::Rewrite);
  ASSERT_EQ(model->standIns[0].changes.size(), 1u); // columns change only with the call
  EXPECT_EQ(model->standIns[0].changes[0].text, "user_profile_v2");
  const DbtFilePlan* macro = dbt->file("macros/m.sql");
  ASSERT_NE(macro, nullptr);
  EXPECT_TRUE(macro->standIns.empty());
  // Rewritten, and attention for the columns godwit cannot see through the variable.
  ASSERT_EQ(macro->findings.size(), 2u);
  EXPECT_EQ(macro->findings[0].action, Action::Rewrite);
  EXPECT_EQ(macro->findings[1].action, Action::Attention);
}

TEST_F(DbtProjectIndex, WithAnIdentifierOnlyTheIdentifierChanges) {
  project();
  write("models/sources.yml", "sources:\n"
                              "  - name: users\n"
                              "    database: acme-prod\n"
                              "    schema: core_users\n"
                              "    tables:\n"
                              "      - name: profiles\n"
                              "        identifier: user_profile_v1\n");
  write("models/a.sql", "select country_code from {{ source('users', 'profiles') }}");
  const auto dbt = index();
  const DbtFilePlan* yml = dbt->file("models/sources.yml");
  ASSERT_NE(yml, nullptr);
  ASSERT_EQ(yml->findings.size(), 1u);
  EXPECT_EQ(yml->findings[0].line, 7);
  const DbtFilePlan* model = dbt->file("models/a.sql");
  ASSERT_NE(model, nullptr);
  EXPECT_TRUE(model->findings.empty());
  ASSERT_EQ(model->standIns.size(), 1u);
  EXPECT_EQ(model->standIns[0].action, Action::Rewrite);
  EXPECT_TRUE(model->standIns[0].changes.empty());
}

TEST_F(DbtProjectIndex, AComputedCallMakesEveryCallAttention) {
  project();
  write("models/sources.yml", kSources);
  write("models/a.sql", "select 1 from {{ source('core_users', 'user_profile_v1') }}");
  write("models/b.sql", "select 1 from {{ source('core_users', 'user_profile_' ~ var('v')) }}");
  const auto dbt = index();
  for (const char* path : {"models/sources.yml", "models/a.sql", "models/b.sql"}) {
    const DbtFilePlan* plan = dbt->file(path);
    ASSERT_NE(plan, nullptr) << path;
    for (const Finding& f : plan->findings) {
      EXPECT_EQ(f.action, Action::Attention) << path << ": " << f.found;
      EXPECT_TRUE(f.changes.empty());
    }
  }
  EXPECT_NE(dbt->file("models/sources.yml")->findings[0].reason.find("models/b.sql:1"),
            std::string::npos);
  EXPECT_EQ(dbt->file("models/a.sql")->standIns[0].action, Action::Attention);
}

TEST_F(DbtProjectIndex, ACallLeftOutOfTheRunBlocksTheRename) {
  project();
  write("models/sources.yml", kSources);
  write("models/a.sql", "select 1 from {{ source('core_users', 'user_profile_v1') }}");
  write("models/legacy/b.sql", "select 1 from {{ source('core_users', 'user_profile_v1') }}");
  const auto dbt = index({"models/legacy/b.sql"});
  const Finding& entry = dbt->file("models/sources.yml")->findings[0];
  EXPECT_EQ(entry.action, Action::Attention);
  EXPECT_NE(entry.reason.find("models/legacy/b.sql:1 is left out of this run"), std::string::npos);
  EXPECT_EQ(dbt->file("models/a.sql")->findings[0].action, Action::Attention);
}

TEST_F(DbtProjectIndex, ASourceOverridingAPackageKeepsItsName) {
  project();
  write("models/sources.yml", "sources:\n"
                              "  - name: core_users\n"
                              "    overrides: acme_users\n"
                              "    database: acme-prod\n"
                              "    tables:\n"
                              "      - name: user_profile_v1\n");
  const auto dbt = index();
  const Finding& entry = dbt->file("models/sources.yml")->findings[0];
  EXPECT_EQ(entry.action, Action::Attention);
  EXPECT_NE(entry.reason.find("overrides package `acme_users`"), std::string::npos);
}

TEST_F(DbtProjectIndex, AnotherProjectsCallsAreNotPartOfTheRename) {
  project("analytics");
  write("analytics/models/sources.yml", kSources);
  write("analytics/models/a.sql", "select 1 from {{ source('core_users', 'user_profile_v1') }}");
  project("marketing");
  write("marketing/models/sources.yml", "sources:\n"
                                        "  - name: core_users\n"
                                        "    database: acme-staging\n"
                                        "    tables:\n"
                                        "      - name: user_profile_v1\n");
  // A computed call there does not block the first project's rename either.
  write("marketing/models/b.sql", "select 1 from {{ source('core_users', tbl) }}");
  const auto dbt = index();
  ASSERT_EQ(dbt->projects().size(), 2u);
  EXPECT_EQ(dbt->file("analytics/models/a.sql")->findings[0].action, Action::Rewrite);
  EXPECT_EQ(dbt->file("marketing/models/sources.yml"), nullptr);
  EXPECT_EQ(dbt->file("marketing/models/b.sql"), nullptr);
}

TEST_F(DbtProjectIndex, AnUnparseableSourcesFileIsLeftAlone) {
  project();
  write("models/sources.yml", std::string(kSources) + "  - name: [unclosed\n");
  write("models/a.sql", "select 1 from {{ source('core_users', 'user_profile_v1') }}");
  const auto dbt = index();
  ASSERT_NE(dbt, nullptr);
  EXPECT_EQ(dbt->file("models/sources.yml"), nullptr);
  EXPECT_EQ(dbt->file("models/a.sql"), nullptr);
}

} // namespace
} // namespace godwit
