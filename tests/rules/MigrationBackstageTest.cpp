// The `backstage:` section of migration files (docs/migration-format.md, docs/runner.md): the
// dataset's catalog entity and the wider component filter, with file:line:col errors.
#include "rules/Migration.h"

#include <gtest/gtest.h>

namespace godwit {
namespace {

// Lines 1-7; the backstage section starts on line 8.
const std::string kHead = "apiVersion: godwit/v1\n"
                          "kind: Migration\n"
                          "name: m\n"
                          "datasets:\n"
                          "  - kind: kafka-topic\n"
                          "    from: a\n"
                          "    to: b\n";

Expected<Migration> parse(const std::string& backstage) {
  return parseMigration(kHead + backstage, "m.yaml");
}

void expectError(const std::string& backstage, int line, int column, const std::string& message,
                 const std::string& hint) {
  Expected<Migration> m = parse(backstage);
  ASSERT_FALSE(m.hasValue()) << backstage;
  const Error& e = m.error();
  EXPECT_EQ(e.file, "m.yaml");
  EXPECT_EQ(e.line, line) << e.str();
  EXPECT_EQ(e.column, column) << e.str();
  EXPECT_NE(e.message.find(message), std::string::npos) << e.str();
  EXPECT_NE(e.hint.find(hint), std::string::npos) << e.str();
}

TEST(MigrationBackstage, AbsentMeansNoSection) {
  Expected<Migration> m = parse("");
  ASSERT_TRUE(m.hasValue()) << m.error().str();
  EXPECT_FALSE(m->backstage);
}

TEST(MigrationBackstage, ParsesTheEntityAndTheFilter) {
  Expected<Migration> m = parse("backstage:\n"
                                "  entity: Resource:default/user-profile\n"
                                "  filter:\n"
                                "    - kind=component,spec.owner=group:default/payments\n"
                                "    - kind=component,spec.type=service\n");
  ASSERT_TRUE(m.hasValue()) << m.error().str();
  ASSERT_TRUE(m->backstage);
  EXPECT_EQ(m->backstage->entity, "resource:default/user-profile");
  EXPECT_EQ(m->backstage->filter,
            (std::vector<std::string>{"kind=component,spec.owner=group:default/payments",
                                      "kind=component,spec.type=service"}));
}

TEST(MigrationBackstage, AReferenceWithoutANamespaceIsInTheDefaultOne) {
  Expected<Migration> m = parse("backstage: {entity: resource:user-profile.v1}\n");
  ASSERT_TRUE(m.hasValue()) << m.error().str();
  EXPECT_EQ(m->backstage->entity, "resource:default/user-profile.v1");
  EXPECT_TRUE(m->backstage->filter.empty());
}

TEST(MigrationBackstage, ReportsMistakesWithTheirPosition) {
  expectError("backstage: resource:default/x\n", 8, 12, "`backstage` must be a mapping",
              "backstage: {entity:");
  expectError("backstage:\n  entiy: resource:default/x\n", 9, 3, "unknown key `entiy`",
              "did you mean `entity`?");
  expectError("backstage:\n  entity: user-profile\n", 9, 11,
              "invalid entity reference `user-profile`", "kind:namespace/name");
  expectError("backstage:\n  entity: resource:default/user--profile\n", 9, 11,
              "invalid entity reference", "resource:default/user-profile");
  expectError("backstage:\n  entity: resource:a/b/c\n", 9, 11, "invalid entity reference",
              "kind:namespace/name");
  expectError("backstage:\n  entity:\n", 9, 3, "`entity` is empty", "give `entity` a value");
  expectError("backstage:\n  filter: kind=component\n", 9, 11, "`filter` must be a list",
              "filter: [");
  expectError("backstage:\n  filter:\n    - kind=component\n    - \"kind=component,,x\"\n", 11,
              7, "invalid catalog filter", "key=value");
}

} // namespace
} // namespace godwit
