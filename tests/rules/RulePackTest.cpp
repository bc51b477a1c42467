#include "rules/RulePack.h"

#include "rules/Migration.h"

#include <gtest/gtest.h>

#include <set>

namespace godwit {
namespace {

std::string lines(std::initializer_list<std::string_view> ls) {
  std::string out;
  for (std::string_view l : ls)
    out.append(l).append("\n");
  return out;
}

const std::string kPack = lines({
    "rules:",                                             // 1
    "  - id: scio-table-spec",                            // 2
    "    language: scala",                                // 3
    "    kind: context",                                  // 4
    "    description: Scio reads a table by Table.Spec.", // 5
    "    context: scio.table-spec",                       // 6
    "    access: read",                                   // 7
    "    query: |",                                       // 8
    "      (call_expression) @value",                     // 9
    "    examples:",                                      // 10
    "      - before: |",                                  // 11
    "          sc.bigQueryTable(Table.Spec(\"a\"))",      // 12
    "        after: |",                                   // 13
    "          sc.bigQueryTable(Table.Spec(\"b\"))",      // 14
    "  - id: bq-options-split",                           // 15
    "    language: java",                                 // 16
    "    kind: split",                                    // 17
    "    access: write",                                  // 18
    "    query: \"(method_invocation) @project\"",        // 19
    "  - id: plain",                                      // 20
    "    language: python",                               // 21
    "    query: (string) @value",                         // 22
});

Error errorOf(const std::string& yaml) {
  Expected<std::vector<Rule>> r = parseRulePack(yaml, "rules/packs/t.yaml");
  EXPECT_FALSE(r) << "parsed without error:\n" << yaml;
  return r ? Error{} : r.error();
}

void expectError(const std::string& yaml, int line, int column, const std::string& message) {
  Error e = errorOf(yaml);
  EXPECT_EQ(e.file, "rules/packs/t.yaml");
  EXPECT_EQ(e.line, line) << e.str();
  EXPECT_EQ(e.column, column) << e.str();
  EXPECT_NE(e.message.find(message), std::string::npos) << e.str();
  EXPECT_FALSE(e.hint.empty()) << e.str();
}

std::string rule(std::initializer_list<std::string_view> body) {
  std::string out = "rules:\n  - id: r\n"; // lines 1-2
  for (std::string_view l : body)
    out.append(l).append("\n");
  return out;
}

TEST(RulePack, ParsesEveryField) {
  Expected<std::vector<Rule>> r = parseRulePack(kPack, "rules/packs/scio.yaml");
  ASSERT_TRUE(r) << r.error().str();
  ASSERT_EQ(r->size(), 3u);
  const Rule& a = (*r)[0];
  EXPECT_EQ(a.id, "scio-table-spec");
  EXPECT_EQ(a.language, "scala");
  EXPECT_EQ(a.kind, RuleKind::Context);
  EXPECT_EQ(a.description, "Scio reads a table by Table.Spec.");
  EXPECT_EQ(a.context, "scio.table-spec");
  EXPECT_EQ(a.access, Access::Read);
  EXPECT_EQ(a.query, "(call_expression) @value\n");
  ASSERT_EQ(a.examples.size(), 1u);
  EXPECT_EQ(a.examples[0].before, "sc.bigQueryTable(Table.Spec(\"a\"))\n");
  EXPECT_EQ(a.examples[0].after, "sc.bigQueryTable(Table.Spec(\"b\"))\n");
  EXPECT_EQ(a.file, "rules/packs/scio.yaml");
  EXPECT_EQ(a.line, 2);
  const Rule& b = (*r)[1];
  EXPECT_EQ(b.kind, RuleKind::Split);
  EXPECT_EQ(b.access, Access::Write);
  EXPECT_EQ(b.line, 15);
  const Rule& c = (*r)[2];
  EXPECT_EQ(c.kind, RuleKind::Context); // defaults
  EXPECT_EQ(c.access, Access::Unknown);
  EXPECT_TRUE(c.examples.empty());
}

TEST(RulePack, AttentionGivesTheReasonAndDefaultsToNone) {
  Expected<std::vector<Rule>> r =
      parseRulePack(rule({"    language: hcl", "    attention: this resource creates the table",
                          "    query: (string_lit) @value"}),
                    "rules/packs/t.yaml");
  ASSERT_TRUE(r) << r.error().str();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].attention, "this resource creates the table");
  Expected<std::vector<Rule>> plain = parseRulePack(kPack, "rules/packs/t.yaml");
  ASSERT_TRUE(plain) << plain.error().str();
  EXPECT_TRUE((*plain)[0].attention.empty());
}

TEST(RulePack, AcceptsAndRequires) {
  Expected<std::vector<Rule>> r = parseRulePack(rule({"    language: java",
                                                      "    accepts: [kafka-topic, other]",
                                                      "    requires: [topic, subscribe]",
                                                      "    query: (string_literal) @value"}),
                                                "rules/packs/t.yaml");
  ASSERT_TRUE(r) << r.error().str();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].accepts, (std::vector<std::string>{"kafka-topic", "other"}));
  EXPECT_EQ((*r)[0].requiredWords, (std::vector<std::string>{"topic", "subscribe"}));
  EXPECT_EQ(sinkFor((*r)[0], DatasetKind::KafkaTopic), Sink::Takes);
  EXPECT_EQ(sinkFor((*r)[0], DatasetKind::BigQueryTable), Sink::TakesOther);
  expectError(rule({"    language: java", "    accepts: [kafka-topics]", "    query: (x) @value"}),
              4, 15, "unknown kind `kafka-topics` in `accepts`");
  expectError(rule({"    language: java", "    accepts: kafka-topic", "    query: (x) @value"}), 4,
              14, "`accepts` must be a non-empty list");
  expectError(rule({"    language: java", "    requires: []", "    query: (x) @value"}), 4, 15,
              "`requires` must be a non-empty list of words");
}

TEST(RulePack, NamesThatSayTopic) {
  for (const char* yes : {"topic", "topics", "inputTopic", "kafka.topic", "kafka.topic.name",
                          "kTopic", "INPUT_TOPIC", "subscribe", "consumer/topic"})
    EXPECT_TRUE(nameSaysTopic(yes)) << yes;
  for (const char* no : {"topic-pattern", "topics.regex", "topic_prefix", "topicFormat", "name",
                         "table", "subscription", ""})
    EXPECT_FALSE(nameSaysTopic(no)) << no;
}

TEST(RulePack, SqlKind) {
  Expected<std::vector<Rule>> r = parseRulePack(
      rule({"    language: scala", "    kind: sql", "    query: (call_expression) @value"}),
      "rules/packs/spark.yaml");
  ASSERT_TRUE(r) << r.error().str();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].kind, RuleKind::Sql);
  const Error e = errorOf(rule({"    language: java", "    query: q", "    kind: sequel"}));
  EXPECT_NE(e.hint.find("`sql`"), std::string::npos) << e.str();
}

TEST(RulePack, ShellKind) {
  Expected<std::vector<Rule>> r = parseRulePack(
      rule({"    language: python", "    kind: shell", "    query: (string) @value"}),
      "rules/packs/airflow.yaml");
  ASSERT_TRUE(r) << r.error().str();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].kind, RuleKind::Shell);
  const Error e = errorOf(rule({"    language: java", "    query: q", "    kind: bash"}));
  EXPECT_NE(e.hint.find("`shell`"), std::string::npos) << e.str();
}

TEST(RulePack, EmptyRulesList) {
  Expected<std::vector<Rule>> r = parseRulePack("rules: []\n", "p.yaml");
  ASSERT_TRUE(r) << r.error().str();
  EXPECT_TRUE(r->empty());
}

TEST(RulePackErrors, FileLevel) {
  expectError("rules: [\n", 2, 1, "invalid YAML");
  expectError("", 1, 1, "`rules:`");
  expectError("- id: x\n", 1, 1, "`rules:`");
  expectError("rules: []\nextra: 1\n", 2, 1, "unknown key `extra`");
  expectError("rules: {id: x}\n", 1, 8, "`rules` must be a list");
  expectError("rules:\n  - x\n", 2, 5, "a rule must be a mapping");
}

TEST(RulePackErrors, UnknownKeys) {
  expectError(rule({"    language: java", "    query: q", "    quarry: x"}), 5, 5,
              "unknown key `quarry` in a rule");
  expectError(rule({"    language: java", "    query: q", "    examples:", "      - before: a",
                    "        after: b", "        note: c"}),
              8, 9, "unknown key `note` in an example");
}

TEST(RulePackErrors, MissingRequiredKeys) {
  expectError("rules:\n  - language: java\n    query: q\n", 2, 5, "no `id`");
  expectError(rule({"    query: q"}), 2, 5, "no `language`");
  expectError(rule({"    language: java"}), 2, 5, "no `query`");
  expectError(rule({"    language: java", "    query:"}), 2, 5, "no `query`");
}

TEST(RulePackErrors, BadValues) {
  expectError("rules:\n  - id: Scio_Table\n", 2, 9, "invalid rule id `Scio_Table`");
  expectError(rule({"    language: java", "    query: q", "    kind: splitted"}), 5, 11,
              "unknown rule kind `splitted`");
  expectError(rule({"    language: java", "    query: q", "    access: readwrite"}), 5, 13,
              "unknown access `readwrite`");
  expectError(rule({"    language: [java]", "    query: q"}), 3, 15, "`language` must be a string");
  expectError(rule({"    language: java", "    query: q", "    examples: x"}), 5, 15,
              "`examples` must be a list");
  expectError(rule({"    language: java", "    query: q", "    examples:", "      - before: a"}), 6,
              9, "no `after`");
  expectError(rule({"    language: java", "    query: q", "    language: scala"}), 5, 5,
              "duplicate key `language`");
}

TEST(RulePackErrors, DuplicateIdsPointAtTheSecond) {
  Error e = errorOf(lines({
      "rules:",              // 1
      "  - id: same",        // 2
      "    language: java",  // 3
      "    query: q",        // 4
      "  - id: same",        // 5
      "    language: scala", // 6
      "    query: q",        // 7
  }));
  EXPECT_EQ(e.line, 5);
  EXPECT_EQ(e.column, 9);
  EXPECT_EQ(e.message, "duplicate rule id `same` (first at line 2)");
}

TEST(BuiltinRules, ParseAndHaveUniqueIds) {
  const std::vector<Rule>& rules = builtinRules();
  EXPECT_EQ(&rules, &builtinRules()); // parsed once
  std::set<std::string> ids;
  for (const Rule& r : rules) {
    EXPECT_TRUE(ids.insert(r.id).second) << "duplicate id " << r.id;
    EXPECT_FALSE(r.language.empty()) << r.id;
    EXPECT_FALSE(r.query.empty()) << r.id;
    EXPECT_EQ(r.file.rfind("rules/packs/", 0), 0u) << r.file;
    EXPECT_GT(r.line, 0) << r.id;
  }
}

TEST(ExampleMigration, IsTheMigrationThePackExamplesUse) {
  std::string_view text = exampleMigrationYaml();
  ASSERT_FALSE(text.empty());
  Expected<Migration> m = parseMigration(text, "rules/example-migration.yaml");
  ASSERT_TRUE(m) << m.error().str();
  ASSERT_EQ(m->datasets.size(), 4u);
  auto has = [&](DatasetKind kind, std::string from, std::string to) {
    for (const DatasetSpec& d : m->datasets)
      if (d.kind == kind && d.from == from && d.to == to)
        return true;
    return false;
  };
  EXPECT_TRUE(has(DatasetKind::BigQueryTable, "acme-prod.core_users.user_profile_v1",
                  "acme-prod.core_users.user_profile_v2"));
  EXPECT_TRUE(
      has(DatasetKind::GcsPrefix, "gs://acme-raw/events/playback/", "gs://acme-lake/playback/v2/"));
  EXPECT_TRUE(has(DatasetKind::KafkaTopic, "playback-events", "playback-events-v2"));
  EXPECT_TRUE(has(DatasetKind::HiveTable, "warehouse.user_events", "lake.user_events_v2"));
}

TEST(AccessName, Names) {
  EXPECT_EQ(accessName(Access::Read), "read");
  EXPECT_EQ(accessName(Access::Write), "write");
  EXPECT_EQ(accessName(Access::Unknown), "unknown");
}

} // namespace
} // namespace godwit
