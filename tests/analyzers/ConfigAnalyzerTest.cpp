// The config formats as the engine sees them: registered by extension, keys never reported, a file
// that does not parse is an error with no findings, and the verify stage's error counts.
#include "analyzers/ConfigAnalyzer.h"

#include "analyzers/Analyzer.h"
#include "analyzers/yaml/Yaml.h"
#include "rules/DatasetMatcher.h"
#include "rules/RulePack.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace godwit {
namespace {

std::vector<DatasetMatcher> matchers() {
  std::vector<DatasetMatcher> out;
  out.emplace_back(DatasetSpec{DatasetKind::BigQueryTable,
                               "acme-prod.core_users.user_profile_v1",
                               "acme-prod.core_users.user_profile_v2",
                               {},
                               {}});
  out.emplace_back(
      DatasetSpec{DatasetKind::KafkaTopic, "playback-events", "playback-events-v2", {}, {}});
  return out;
}

std::unique_ptr<Analyzer> analyzerFor(const std::string& path) {
  const LanguageEntry* entry = languageForPath(path);
  EXPECT_NE(entry, nullptr) << path;
  if (!entry)
    return nullptr;
  // The engine's rules for the language: the topic-key rules of the packs included.
  std::vector<const Rule*> rules;
  for (const Rule& rule : builtinRules())
    if (rule.language == entry->name)
      rules.push_back(&rule);
  auto analyzer = entry->create(rules);
  EXPECT_TRUE(analyzer.hasValue());
  return analyzer ? std::move(*analyzer) : nullptr;
}

/// `line:col action found -> replacement [context]` for each finding.
std::vector<std::string> describe(const std::string& path, const std::string& text) {
  auto analyzer = analyzerFor(path);
  if (!analyzer)
    return {"no analyzer"};
  const auto ms = matchers();
  auto findings = analyzer->analyze(SourceFile{path, text}, ms);
  if (!findings)
    return {"error: " + findings.error().str()};
  std::vector<std::string> out;
  for (const Finding& f : *findings)
    out.push_back(std::to_string(f.line) + ":" + std::to_string(f.column) + " " +
                  std::string(actionName(f.action)) + " " + f.found +
                  (f.action == Action::Rewrite ? " -> " + f.replacement : " (" + f.reason + ")") +
                  " [" + f.context + "]" + (f.suppressed ? " suppressed" : ""));
  return out;
}

using Strings = std::vector<std::string>;

TEST(ConfigAnalyzerTest, ExtensionsAreRegistered) {
  for (const auto& [path, name] :
       std::vector<std::pair<std::string, std::string>>{{"a.yaml", "yaml"},
                                                        {"a.yml", "yaml"},
                                                        {"a.json", "json"},
                                                        {"a.conf", "hocon"},
                                                        {"a.hocon", "hocon"},
                                                        {"a.properties", "properties"},
                                                        {"a.toml", "toml"},
                                                        {"pom.xml", "xml"}}) {
    const LanguageEntry* entry = languageForPath(path);
    ASSERT_NE(entry, nullptr) << path;
    EXPECT_EQ(entry->name, name);
  }
}

TEST(ConfigAnalyzerTest, ValuesAreFoundAndKeysAreNot) {
  EXPECT_EQ(describe("app.yaml", "playback-events:\n  topic: playback-events\n"),
            (Strings{"2:10 rewrite playback-events -> playback-events-v2 [yaml.topic-key]"}));
  EXPECT_EQ(describe("app.json", "{\"playback-events\": {\"topics\": [\"playback-events\"]}}"),
            (Strings{"1:34 rewrite playback-events -> playback-events-v2 [json.topic-key]"}));
  EXPECT_EQ(describe("app.conf", "playback-events { topic = playback-events }\n"),
            (Strings{"1:27 rewrite playback-events -> playback-events-v2 [hocon.topic-key]"}));
  EXPECT_EQ(describe("app.properties", "playback-events.topic=playback-events\n"),
            (Strings{"1:23 rewrite playback-events -> playback-events-v2 [properties.topic-key]"}));
  EXPECT_EQ(describe("app.toml", "[playback-events]\n\"topic\" = \"playback-events\"\n"),
            (Strings{"2:12 rewrite playback-events -> playback-events-v2 [toml.topic-key]"}));
  EXPECT_EQ(describe("pom.xml", "<playback-events topic=\"playback-events\"/>"),
            (Strings{"1:25 rewrite playback-events -> playback-events-v2 [xml.topic-key]"}));
}

TEST(ConfigAnalyzerTest, TopicNamesCountWhereTheKeySaysTopic) {
  const std::string attention =
      " (`playback-events` names kafka-topic playback-events only where it reaches a topic sink, "
      "and godwit saw no Kafka client, connector or topic setting take this value)";
  // A whole value under another key waits for a sink; prose and paths are no reference at all.
  EXPECT_EQ(describe("app.yaml", "mirror: playback-events\nnote: reads playback-events daily\n"),
            (Strings{"1:9 attention playback-events" + attention + " [yaml.string]"}));
  EXPECT_EQ(describe("app.conf", "a { mirror = playback-events, path = \"/playback-events/x\" }\n"),
            (Strings{"1:14 attention playback-events" + attention + " [hocon.string]"}));
  EXPECT_EQ(describe("app.properties", "kafka.topic.name=clicks,playback-events\n"
                                       "kafka.topic-pattern=playback-events\n"),
            (Strings{"1:25 rewrite playback-events -> playback-events-v2 [properties.topic-key]",
                     "2:21 attention playback-events" + attention + " [properties.string]"}));
  EXPECT_EQ(describe("app.toml", "[kafka]\ninput = { topics = [\"playback-events\"] }\n"),
            (Strings{"2:22 rewrite playback-events -> playback-events-v2 [toml.topic-key]"}));
  EXPECT_EQ(describe("beans.xml", "<b><property name=\"topic\" value=\"playback-events\"/>"
                                  "<property name=\"label\" value=\"playback-events\"/></b>"),
            (Strings{"1:34 rewrite playback-events -> playback-events-v2 [xml.topic-key]",
                     "1:82 attention playback-events" + attention + " [xml.string]"}));
}

TEST(ConfigAnalyzerTest, IgnoreCommentsSuppress) {
  EXPECT_EQ(describe("app.properties", "# godwit:ignore\na.topic=playback-events\nb.topic=playback-events\n"),
            (Strings{"2:9 rewrite playback-events -> playback-events-v2 [properties.topic-key] "
                     "suppressed",
                     "3:9 rewrite playback-events -> playback-events-v2 [properties.topic-key]"}));
}

TEST(ConfigAnalyzerTest, PlaceholderNextToTheNameNeedsAttention) {
  const Strings found = describe("app.yaml", "t: acme-prod.core_users.user_profile_v1${suffix}\n");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_NE(found[0].find("attention"), std::string::npos) << found[0];
}

TEST(ConfigAnalyzerTest, FilesThatDoNotParseAreReportedWithNoFindings) {
  const std::vector<std::pair<std::string, std::string>> broken{
      {"app.yaml", "a: playback-events\nb: \"open\n"},
      {"app.json", "{\"a\": \"playback-events\",\n \"b\": }\n"},
      {"app.conf", "a = playback-events\nb = gs://x\n"},
      {"app.properties", "a=playback-events\nb=\\uZZZZ\n"},
      {"app.toml", "a = \"playback-events\"\nb = playback-events\n"},
      {"pom.xml", "<a>playback-events</b>\n"},
  };
  for (const auto& [path, text] : broken) {
    const Strings found = describe(path, text);
    ASSERT_EQ(found.size(), 1u) << path;
    EXPECT_EQ(found[0].rfind("error: " + path + ":", 0), 0u) << found[0];
    EXPECT_NE(found[0].find("is not valid"), std::string::npos) << found[0];
    EXPECT_NE(found[0].find("godwit left the file alone"), std::string::npos) << found[0];
    auto analyzer = analyzerFor(path);
    EXPECT_GT(analyzer->syntaxErrors(text), 0) << path;
  }
  EXPECT_EQ(describe("app.toml", "a = \"x\"\nb = playback-events\n"),
            (Strings{"error: app.toml:2:5: error: the file is not valid TOML: a string value "
                     "needs quotes\n  hint: godwit left the file alone; fix its syntax, or exclude "
                     "it (e.g. a template) with --exclude"}));
  EXPECT_EQ(describe("app.yaml", "a: x\nb: \"open\n"),
            (Strings{"error: app.yaml:2:4: error: the file is not valid YAML: unexpected text\n"
                     "  hint: godwit left the file alone; fix its syntax, or exclude it (e.g. a "
                     "template) with --exclude"}));
}

/// The notes of analyzing `text` as YAML, `line:col message`, and whether the file was skipped.
std::pair<Strings, bool> yamlNotes(const std::string& text) {
  auto analyzer = analyzerFor("app.yaml");
  AnalysisNotes notes;
  const auto ms = matchers();
  auto findings = analyzer->analyzeFile(SourceFile{"app.yaml", text}, ms, notes);
  EXPECT_TRUE(findings.hasValue()) << text;
  Strings out;
  for (const Error& n : notes.notes)
    out.push_back(std::to_string(n.line) + ":" + std::to_string(n.column) + " " + n.message);
  return {out, notes.skipped};
}

TEST(ConfigAnalyzerTest, ValidYamlTheGrammarCannotReadIsNeverInvalid) {
  // Tabs before the entries of a flow sequence spread over lines: valid YAML (libyaml, and so
  // PyYAML and dbt, read it), which tree-sitter-yaml does not take.
  const std::string text = "tags: [daily,\n\tpii]\ntable: acme-prod.core_users.user_profile_v1\n";
  EXPECT_TRUE(isValidYaml(text));
  // What the grammar could not read is attention, never silence and never an edit.
  EXPECT_EQ(describe("app.yaml", text),
            (Strings{"3:8 attention acme-prod.core_users.user_profile_v1 (godwit's YAML grammar "
                     "could not read this part of the file (valid YAML all the same); change it "
                     "by hand) [yaml.string]"}));
  const auto [notes, skipped] = yamlNotes(text);
  EXPECT_FALSE(skipped);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("the file is valid YAML"), std::string::npos) << notes[0];
  // Invalid YAML stays invalid: libyaml is strict where yaml-cpp is not (an open quote at the end).
  EXPECT_FALSE(isValidYaml("a: x\nb: \"open\n"));
  EXPECT_FALSE(isValidYaml("a: b: c\n"));
}

TEST(ConfigAnalyzerTest, TemplatesAreReadWithTheirBlocksMaskedOrNoted) {
  EXPECT_EQ(maskTemplateBlocks("a: {{ x }}.t\n{% if y %}\nb: 1\n"),
            "a: ${____}.t\n          \nb: 1\n");
  EXPECT_EQ(maskTemplateBlocks("a: {x: 1}\n"), std::nullopt);
  // Unquoted Jinja that breaks the YAML: read masked, the name next to it is attention.
  const std::string kestra = "tables:\n  - {{ vars.project }}.core_users.user_profile_v1\n"
                             "{% for r in regions %}\n  - acme-prod.core_users.user_profile_v1\n"
                             "{% endfor %}\n";
  EXPECT_EQ(describe("app.yaml", kestra),
            (Strings{"2:23 attention ${…}.core_users.user_profile_v1 (the project/dataset are "
                     "interpolated and could not be resolved) [yaml.string]",
                     "4:5 rewrite acme-prod.core_users.user_profile_v1 -> "
                     "acme-prod.core_users.user_profile_v2 [yaml.string]"}));
  EXPECT_FALSE(yamlNotes(kestra).second);
  // A template that is no YAML even masked: a note and no findings, not an error.
  const std::string helm = "{{- if .Values.on }}\ndata:\n  t: playback-events\n{{- end }}\n";
  EXPECT_TRUE(describe("app.yaml", helm).empty());
  const auto [notes, skipped] = yamlNotes(helm);
  EXPECT_TRUE(skipped);
  ASSERT_EQ(notes.size(), 1u);
  EXPECT_NE(notes[0].find("a template that is not valid YAML"), std::string::npos) << notes[0];
}

TEST(ConfigAnalyzerTest, ValidFilesHaveNoSyntaxErrors) {
  for (const auto& [path, text] :
       std::vector<std::pair<std::string, std::string>>{{"a.yaml", "a: [b, 'c']\n"},
                                                        {"a.json", "{\"a\": [1]}"},
                                                        {"a.conf", "a = 1"},
                                                        {"a.properties", "a=1"},
                                                        {"a.toml", "a = 1"},
                                                        {"a.xml", "<a/>"}})
    EXPECT_EQ(analyzerFor(path)->syntaxErrors(text), 0) << path;
}

TEST(ConfigAnalyzerTest, GodwitMigrationFilesAreNotAnalyzed) {
  EXPECT_EQ(describe("migration.yaml", "apiVersion: godwit/v1\nkind: Migration\ndatasets:\n"
                                       "  - kind: kafka-topic\n    from: playback-events\n"
                                       "    to: playback-events-v2\n"),
            Strings{});
}

TEST(ConfigAnalyzerTest, ASplitRuleMayRewriteAYamlKey) {
  Rule rule;
  rule.id = "yaml-table-map";
  rule.language = "yaml";
  rule.kind = RuleKind::Split;
  rule.context = "test.table-map";
  rule.file = "test.yaml";
  rule.line = 1;
  rule.query = R"((block_mapping_pair
      key: (flow_node) @table
      value: (flow_node (flow_mapping
        (flow_pair key: (flow_node) @_p value: (flow_node) @project)
        (flow_pair key: (flow_node) @_d value: (flow_node) @dataset)))
      (#eq? @_p "project") (#eq? @_d "dataset")))";
  auto analyzer = languageForPath("a.yaml")->create({&rule});
  ASSERT_TRUE(analyzer.hasValue()) << analyzer.error().str();
  const auto ms = matchers();
  const std::string text = "user_profile_v1: {project: acme-prod, dataset: core_users}\n";
  auto findings = (*analyzer)->analyze(SourceFile{"a.yaml", text}, ms);
  ASSERT_TRUE(findings.hasValue());
  ASSERT_EQ(findings->size(), 1u);
  const Finding& f = findings->front();
  EXPECT_EQ(f.action, Action::Rewrite);
  EXPECT_EQ(f.context, "test.table-map");
  ASSERT_EQ(f.changes.size(), 1u);
  EXPECT_EQ(f.changes[0].value->value, "user_profile_v1");
  EXPECT_EQ(f.changes[0].text, "user_profile_v2");
}

TEST(ConfigAnalyzerTest, RulesCannotTargetScannedFormats) {
  Rule rule;
  rule.id = "toml-rule";
  rule.language = "toml";
  rule.file = "rules/packs/x.yaml";
  rule.line = 3;
  auto analyzer = languageForPath("a.toml")->create({&rule});
  ASSERT_FALSE(analyzer.hasValue());
  EXPECT_NE(analyzer.error().message.find("rules/packs/x.yaml:3: rule toml-rule"),
            std::string::npos);
}

} // namespace
} // namespace godwit
