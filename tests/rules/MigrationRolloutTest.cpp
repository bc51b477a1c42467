// The `rollout:` section of migration files (docs/runner.md): every key, and an error with
// file:line:col and a hint for each kind of mistake.
#include "rules/Migration.h"

#include <gtest/gtest.h>

namespace godwit {
namespace {

// Lines 1-7; the rollout section starts on line 8.
const std::string kHead = "apiVersion: godwit/v1\n"
                          "kind: Migration\n"
                          "name: m\n"
                          "datasets:\n"
                          "  - kind: kafka-topic\n"
                          "    from: a\n"
                          "    to: b\n";

Expected<Migration> parse(const std::string& rollout) {
  return parseMigration(kHead + rollout, "m.yaml");
}

void expectError(const std::string& rollout, int line, int column, const std::string& message,
                 const std::string& hint) {
  Expected<Migration> m = parse(rollout);
  ASSERT_FALSE(m.hasValue()) << rollout;
  const Error& e = m.error();
  EXPECT_EQ(e.file, "m.yaml");
  EXPECT_EQ(e.line, line) << e.str();
  EXPECT_EQ(e.column, column) << e.str();
  EXPECT_NE(e.message.find(message), std::string::npos) << e.str();
  EXPECT_NE(e.hint.find(hint), std::string::npos) << e.str();
}

TEST(MigrationRollout, AbsentMeansNoRollout) {
  Expected<Migration> m = parse("");
  ASSERT_TRUE(m.hasValue()) << m.error().str();
  EXPECT_FALSE(m->rollout);
}

TEST(MigrationRollout, ParsesEveryKey) {
  Expected<Migration> m = parse("rollout:\n"
                                "  waves: [5%, 25%, 100%]\n"
                                "  seed: 7\n"
                                "  gate:\n"
                                "    timeout: 90m\n"
                                "    maxFailureRatio: 0.25\n"
                                "    minMergedRatio: 0.5\n"
                                "  prsPerHour: 10\n"
                                "  maxOpenPRs: 50\n"
                                "  maxOpenPRsPerOwner: 3\n"
                                "  windows:\n"
                                "    - days: [mon, Tuesday]\n"
                                "      start: \"09:00\"\n"
                                "      end: \"17:30\"\n"
                                "      rate: 4/hour\n"
                                "    - days: [sat]\n"
                                "  deadline: 2027-06-30\n"
                                "  notify:\n"
                                "    webhook: https://hooks.example.com/godwit\n");
  ASSERT_TRUE(m.hasValue()) << m.error().str();
  ASSERT_TRUE(m->rollout);
  const RolloutSettings& r = *m->rollout;
  ASSERT_EQ(r.waves.size(), 3u);
  EXPECT_TRUE(r.waves[0].percent);
  EXPECT_EQ(r.waves[0].value, 5);
  EXPECT_EQ(r.waves[2].value, 100);
  EXPECT_EQ(r.seed, 7u);
  EXPECT_EQ(r.gateTimeoutSeconds, 90 * 60);
  EXPECT_DOUBLE_EQ(r.maxFailureRatio, 0.25);
  EXPECT_EQ(r.minMergedRatio, 0.5);
  EXPECT_EQ(r.prsPerHour, 10);
  EXPECT_EQ(r.maxOpenPRs, 50);
  EXPECT_EQ(r.maxOpenPRsPerOwner, 3);
  ASSERT_EQ(r.windows.size(), 2u);
  EXPECT_EQ(r.windows[0].days, (std::vector<int>{1, 2}));
  EXPECT_EQ(r.windows[0].startMinute, 9 * 60);
  EXPECT_EQ(r.windows[0].endMinute, 17 * 60 + 30);
  EXPECT_EQ(r.windows[0].rate, 4);
  EXPECT_EQ(r.windows[0].ratePeriodSeconds, 3600);
  EXPECT_EQ(r.windows[1].days, (std::vector<int>{6}));
  EXPECT_EQ(r.windows[1].startMinute, 0);
  EXPECT_EQ(r.windows[1].endMinute, 24 * 60);
  EXPECT_FALSE(r.windows[1].rate);
  EXPECT_EQ(r.deadline, "2027-06-30");
  EXPECT_EQ(r.notifyWebhook, "https://hooks.example.com/godwit");
}

TEST(MigrationRollout, DefaultsAndCounts) {
  Expected<Migration> m = parse("rollout:\n  waves: [10, 100, 100%]\n");
  ASSERT_TRUE(m.hasValue()) << m.error().str();
  const RolloutSettings& r = *m->rollout;
  ASSERT_EQ(r.waves.size(), 3u);
  EXPECT_FALSE(r.waves[0].percent);
  EXPECT_EQ(r.waves[1].value, 100);
  EXPECT_EQ(r.gateTimeoutSeconds, 86400);
  EXPECT_DOUBLE_EQ(r.maxFailureRatio, 0.2);
  EXPECT_FALSE(r.minMergedRatio);
  EXPECT_FALSE(r.prsPerHour);
  EXPECT_TRUE(r.windows.empty());
}

TEST(MigrationRolloutErrors, PointAtTheMistakeWithAHint) {
  expectError("rollout: 5\n", 8, 10, "`rollout` must be a mapping", "waves");
  expectError("rollout:\n  wave: [100%]\n", 9, 3, "unknown key `wave`", "did you mean `waves`");
  expectError("rollout:\n  waves: [5%, 3%, 100%]\n", 9, 15, "does not grow", "cumulative");
  expectError("rollout:\n  waves: [5%, 25%]\n", 9, 15, "last wave must be `100%`", "100%");
  expectError("rollout:\n  waves: [5%, ten, 100%]\n", 9, 15, "invalid wave `ten`", "e.g.");
  expectError("rollout:\n  waves: [120%]\n", 9, 11, "invalid wave", "100%");
  expectError("rollout:\n  gate:\n    timeout: soon\n", 10, 14, "invalid duration `soon`",
              "24h");
  expectError("rollout:\n  gate:\n    maxFailureRatio: 1.5\n", 10, 22, "from 0 to 1", "0.2");
  expectError("rollout:\n  prsPerHour: 0\n", 9, 15, "at least 1", "prsPerHour");
  expectError("rollout:\n  maxOpenPRs: many\n", 9, 15, "whole number", "maxOpenPRs");
  expectError("rollout:\n  windows:\n    - days: [mon, funday]\n", 10, 19, "unknown day `funday`",
              "mon");
  expectError("rollout:\n  windows:\n    - start: \"9am\"\n", 10, 14, "invalid time `9am`",
              "HH:MM");
  expectError("rollout:\n  windows:\n    - {start: \"17:00\", end: \"09:00\"}\n", 10, 7,
              "must end after it starts", "midnight");
  expectError("rollout:\n  windows:\n    - rate: lots\n", 10, 13, "invalid rate `lots`", "/hour");
  expectError("rollout:\n  deadline: June\n", 9, 13, "invalid deadline", "YYYY-MM-DD");
  expectError("rollout:\n  notify:\n    webhook: ftp://x\n", 10, 14, "http:// or https://",
              "hooks");
}

TEST(MigrationRolloutErrors, AWrongWebhookIsNotEchoed) {
  // A webhook URL carries its secret in the path or query; a typo in its scheme must not print it.
  Expected<Migration> m =
      parse("rollout:\n  notify:\n    webhook: htps://hooks.slack.com/services/T0/B0/s3cr3t\n");
  ASSERT_FALSE(m.hasValue());
  EXPECT_EQ(m.error().str().find("s3cr3t"), std::string::npos) << m.error().str();
  EXPECT_EQ(m.error().str().find("/services"), std::string::npos) << m.error().str();
}

} // namespace
} // namespace godwit
