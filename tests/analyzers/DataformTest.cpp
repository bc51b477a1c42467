// Dataform (.sqlx): the block splitter, config entries, and what the analyzer makes of them.
#include "analyzers/dataform/Dataform.h"

#include "tests/analyzers/LanguageTestSupport.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

namespace godwit {
namespace {

std::string_view part(std::string_view text, uint32_t b, uint32_t e) {
  return text.substr(b, e - b);
}

TEST(DataformSplit, ConfigBodyAndOperationsBlocks) {
  const std::string text = "config { type: \"table\" }\nSELECT 1\n"
                           "pre_operations { DELETE FROM t WHERE x = '}' }\n"
                           "SELECT 2\npost_operations {\n  GRANT ${self()}\n}\n";
  const SqlxParts parts = splitSqlx(text);
  ASSERT_EQ(parts.blocks.size(), 3u);
  EXPECT_EQ(parts.blocks[0].kind, SqlxBlock::Kind::Config);
  EXPECT_EQ(part(text, parts.blocks[0].bodyBegin, parts.blocks[0].bodyEnd), " type: \"table\" ");
  EXPECT_EQ(parts.blocks[1].kind, SqlxBlock::Kind::PreOperations);
  // A `}` in a SQL string does not close the block.
  EXPECT_EQ(part(text, parts.blocks[1].bodyBegin, parts.blocks[1].bodyEnd),
            " DELETE FROM t WHERE x = '}' ");
  EXPECT_EQ(parts.blocks[2].kind, SqlxBlock::Kind::PostOperations);
  EXPECT_TRUE(parts.blocks[2].closed);
  ASSERT_EQ(parts.body.size(), 3u);
  EXPECT_EQ(part(text, parts.body[0].first, parts.body[0].second), "\nSELECT 1\n");
  EXPECT_EQ(part(text, parts.body[1].first, parts.body[1].second), "\nSELECT 2\n");
  EXPECT_EQ(part(text, parts.body[2].first, parts.body[2].second), "\n");
}

TEST(DataformSplit, BracesInsideConfigStringsAndCommentsDoNotCloseIt) {
  const std::string text = "config {\n  description: \"a } here\",\n  // and } here\n"
                           "  /* { and } */ tags: ['}'],\n}\nSELECT 1\n";
  const SqlxParts parts = splitSqlx(text);
  ASSERT_EQ(parts.blocks.size(), 1u);
  EXPECT_TRUE(parts.blocks[0].closed);
  EXPECT_EQ(text.substr(parts.blocks[0].end), "\nSELECT 1\n");
}

TEST(DataformSplit, CloseBraceInABacktickTemplateDoesNotCloseTheBlock) {
  const std::string text = "js {\n  const q = `x } ${ {a: 1}.a } }`;\n}\nSELECT 1\n";
  const SqlxParts parts = splitSqlx(text);
  ASSERT_EQ(parts.blocks.size(), 1u);
  EXPECT_EQ(parts.blocks[0].kind, SqlxBlock::Kind::Js);
  EXPECT_TRUE(parts.blocks[0].closed);
  EXPECT_EQ(text.substr(parts.blocks[0].end), "\nSELECT 1\n");
}

TEST(DataformSplit, KeywordsInsideStringsCommentsAndNamesAreNoBlocks) {
  const std::string text = "SELECT 'config {' AS a, my_config {\n-- js {\n/* config { */ 1\n";
  EXPECT_TRUE(splitSqlx(text).blocks.empty());
}

TEST(DataformSplit, HoleEndSkipsStringsAndNestedBraces) {
  const std::string text = "${ref({schema: \"d\", name: \"}\"})} rest";
  EXPECT_EQ(sqlxHoleEnd(text, 0), text.find(" rest"));
  EXPECT_EQ(sqlxHoleEnd("${ref(\"t\"", 0), std::string_view::npos);
}

TEST(DataformConfig, TopLevelEntriesWithEveryQuoteAndNestedValues) {
  const std::string text = "config { type: 'declaration', database: `p`, \"schema\": \"d\",\n"
                           "  bigquery: { name: \"nested\" }, name: `t_${x}`, tags: [\"a,b\"] }";
  const SqlxParts parts = splitSqlx(text);
  ASSERT_EQ(parts.blocks.size(), 1u);
  const auto entries = configEntries(text, parts.blocks[0].bodyBegin, parts.blocks[0].bodyEnd);
  ASSERT_EQ(entries.size(), 6u);
  EXPECT_EQ(entries[0].key, "type");
  EXPECT_EQ(entries[0].string->value, "declaration");
  EXPECT_EQ(entries[1].string->value, "p");
  EXPECT_EQ(entries[2].key, "schema");
  EXPECT_EQ(entries[2].string->value, "d");
  EXPECT_EQ(entries[3].key, "bigquery");
  EXPECT_FALSE(entries[3].string); // an object is one value, its `name` no entry
  EXPECT_EQ(entries[4].key, "name");
  EXPECT_TRUE(entries[4].string->hasHoles());
  EXPECT_EQ(entries[5].key, "tags");
  EXPECT_FALSE(entries[5].string);
}

TEST(DataformConfig, EscapesDecodeAndMapToTheirSourceBytes) {
  const std::string text = R"(config { name: "a\"b" })";
  const SqlxParts parts = splitSqlx(text);
  const auto entries = configEntries(text, parts.blocks[0].bodyBegin, parts.blocks[0].bodyEnd);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].string->value, "a\"b");
  EXPECT_EQ(entries[0].string->srcBegin[1], text.find('\\'));
  EXPECT_EQ(entries[0].string->srcEnd[1], text.find('\\') + 2);
}

std::vector<Finding> analyze(const std::string& path, const std::string& text,
                             AnalysisNotes* notes = nullptr) {
  auto analyzer = makeDataformAnalyzer({}, AnalyzerContext{});
  EXPECT_TRUE(analyzer);
  AnalysisNotes local;
  auto found =
      (*analyzer)->analyzeFile(SourceFile{path, text}, test::profileMatchers(), notes ? *notes : local);
  EXPECT_TRUE(found) << (found ? "" : found.error().str());
  return found ? *found : std::vector<Finding>();
}

TEST(DataformAnalyzer, UnterminatedConfigIsANoteWithItsPositionAndTheRestIsStillRead) {
  // The open config runs to the end of the file: the SQL before it is still analyzed.
  AnalysisNotes notes;
  const auto found = analyze("definitions/a.sqlx",
                             "SELECT * FROM `acme-prod.core_users.user_profile_v1`\n"
                             "config {\n  name: \"x\",\n  description: \"acme-prod.core_users."
                             "user_profile_v1\"\n",
                             &notes);
  ASSERT_EQ(notes.notes.size(), 1u);
  EXPECT_EQ(notes.notes[0].line, 2);
  EXPECT_EQ(notes.notes[0].column, 1);
  EXPECT_EQ(notes.notes[0].file, "definitions/a.sqlx");
  EXPECT_NE(notes.notes[0].str().find("definitions/a.sqlx:2:1"), std::string::npos);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].action, Action::Rewrite);
  EXPECT_EQ(found[0].context, "sql.from");
  EXPECT_EQ(found[1].action, Action::Attention);
  EXPECT_EQ(found[1].context, "dataform.config");
}

TEST(DataformAnalyzer, UnterminatedBlockCountsAsOneSyntaxError) {
  auto analyzer = makeDataformAnalyzer({}, AnalyzerContext{});
  ASSERT_TRUE(analyzer);
  EXPECT_EQ((*analyzer)->syntaxErrors("config { type: \"view\" }\nSELECT 1\n"), 0);
  EXPECT_EQ((*analyzer)->syntaxErrors("config { type: \"view\"\nSELECT 1\n"), 1);
}

TEST(DataformAnalyzer, DeclarationIsRewrittenAndCreatingConfigIsAttention) {
  const std::string config = "  database: \"acme-prod\",\n  schema: \"core_users\",\n"
                             "  name: \"user_profile_v1\",\n}\n";
  const auto declared = analyze("d.sqlx", "config {\n  type: \"declaration\",\n" + config);
  ASSERT_EQ(declared.size(), 1u);
  EXPECT_EQ(declared[0].action, Action::Rewrite);
  EXPECT_EQ(declared[0].context, "dataform.declaration");
  ASSERT_EQ(declared[0].changes.size(), 1u);
  EXPECT_EQ(declared[0].changes[0].text, "user_profile_v2");
  EXPECT_EQ(declared[0].line, 5); // the changed value's line

  const auto created = analyze("t.sqlx", "config {\n  type: \"table\",\n" + config + "SELECT 1\n");
  ASSERT_EQ(created.size(), 1u);
  EXPECT_EQ(created[0].action, Action::Attention);
  EXPECT_NE(created[0].reason.find("creates"), std::string::npos);
}

TEST(DataformAnalyzer, RefsNamingTheChangedPartAreAttentionOthersAreNothing) {
  const auto found = analyze("m.sqlx", "SELECT 1 FROM ${ref(\"user_profile_v1\")}\n"
                                       "JOIN ${ref(\"other\", \"user_profile_v1\")}\n"
                                       "JOIN ${ref(\"user_profile_v10\")}\n"
                                       "JOIN ${ref(someVariable)}\n");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].context, "dataform.ref");
  EXPECT_EQ(found[0].action, Action::Attention);
  EXPECT_EQ(found[0].line, 1);
}

TEST(DataformAnalyzer, ProjectDefaultsComeFromSettingsButNeverThroughASymlink) {
  const std::filesystem::path root =
      std::filesystem::temp_directory_path() / ("godwit-dataform-" + std::to_string(::getpid()));
  std::filesystem::remove_all(root);
  std::filesystem::create_directories(root / "definitions");
  std::filesystem::create_directories(root / "elsewhere");
  std::ofstream(root / "elsewhere" / "workflow_settings.yaml") << "defaultProject: acme-prod\n";
  const std::string text = "config { type: \"declaration\", schema: \"core_users\", "
                           "name: \"user_profile_v1\" }\n";
  AnalyzerContext context;
  context.root = root;
  const auto run = [&] {
    auto analyzer = makeDataformAnalyzer({}, context);
    EXPECT_TRUE(analyzer);
    auto found = (*analyzer)->analyze(SourceFile{"definitions/d.sqlx", text},
                                      test::profileMatchers());
    EXPECT_TRUE(found);
    return found ? *found : std::vector<Finding>();
  };
  std::filesystem::create_symlink(root / "elsewhere" / "workflow_settings.yaml",
                                  root / "workflow_settings.yaml");
  auto found = run();
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].action, Action::Attention); // no project known
  std::filesystem::remove(root / "workflow_settings.yaml");
  std::filesystem::copy_file(root / "elsewhere" / "workflow_settings.yaml",
                             root / "workflow_settings.yaml");
  found = run();
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].action, Action::Rewrite);
  std::filesystem::remove_all(root);
}

} // namespace
} // namespace godwit
