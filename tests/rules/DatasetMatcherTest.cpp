#include "rules/DatasetMatcher.h"
#include "rules/Prefilter.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace godwit {
namespace {

const std::string H(1, kHole);

DatasetMatcher matcher(DatasetKind kind, std::string from, std::string to) {
  DatasetSpec spec;
  spec.kind = kind;
  spec.from = std::move(from);
  spec.to = std::move(to);
  return DatasetMatcher(spec);
}

// Every part changes, so a test sees which parts were substituted.
DatasetMatcher table() {
  return matcher(DatasetKind::BigQueryTable, "acme-prod.core_users.user_profile_v1",
                 "acme-next.users_v2.user_profile");
}
DatasetMatcher bqDataset() {
  return matcher(DatasetKind::BigQueryDataset, "acme-prod.core_users", "acme-next.users_v2");
}
DatasetMatcher gcs() {
  return matcher(DatasetKind::GcsPrefix, "gs://acme-raw/events/playback/",
                 "gs://acme-lake/playback/v2/");
}
DatasetMatcher hive() {
  return matcher(DatasetKind::HiveTable, "warehouse.user_events", "lake.user_events_v2");
}
DatasetMatcher kafka() {
  return matcher(DatasetKind::KafkaTopic, "playback-events", "playback-events-v2");
}

/// `value` with every rewrite applied; fails the test when a match needs attention.
std::string rewrite(const DatasetMatcher& m, const std::string& value) {
  std::string out;
  size_t pos = 0;
  for (const Match& match : m.find(value)) {
    EXPECT_TRUE(match.attention.empty()) << match.attention;
    EXPECT_GE(match.begin, pos);
    out += value.substr(pos, match.begin - pos) + match.replacement;
    pos = match.end;
  }
  return out + value.substr(pos);
}

/// The single match in `value`; fails the test unless there is exactly one.
Match only(const DatasetMatcher& m, const std::string& value) {
  std::vector<Match> matches = m.find(value);
  EXPECT_EQ(matches.size(), 1u) << "in: " << value;
  return matches.empty() ? Match{} : matches[0];
}

void expectNone(const DatasetMatcher& m, const std::string& value) {
  std::vector<Match> matches = m.find(value);
  EXPECT_TRUE(matches.empty()) << "unexpected match in: " << value << " at "
                               << (matches.empty() ? 0 : matches[0].begin);
}

void expectAttention(const DatasetMatcher& m, const std::string& value,
                     const std::string& reasonPart = {}) {
  Match match = only(m, value);
  EXPECT_FALSE(match.attention.empty()) << "no attention in: " << value;
  EXPECT_TRUE(match.replacement.empty());
  EXPECT_NE(match.attention.find(reasonPart), std::string::npos) << match.attention;
}

// ---------------------------------------------------------------- bigquery-table spellings

TEST(BigQueryTable, Standard) {
  Match m = only(table(), "acme-prod.core_users.user_profile_v1");
  EXPECT_EQ(m.begin, 0u);
  EXPECT_EQ(m.end, 36u);
  EXPECT_EQ(m.replacement, "acme-next.users_v2.user_profile");
  EXPECT_EQ(m.spelling, "standard");
  EXPECT_TRUE(m.attention.empty());
}

TEST(BigQueryTable, Legacy) {
  Match m = only(table(), "acme-prod:core_users.user_profile_v1");
  EXPECT_EQ(m.replacement, "acme-next:users_v2.user_profile");
  EXPECT_EQ(m.spelling, "legacy");
}

TEST(BigQueryTable, WholeNameInBackticksKeepsThemOutsideTheRange) {
  const std::string sql = "SELECT * FROM `acme-prod.core_users.user_profile_v1` WHERE x = 1";
  Match m = only(table(), sql);
  EXPECT_EQ(m.begin, 15u);
  EXPECT_EQ(m.end, 51u);
  EXPECT_EQ(m.replacement, "acme-next.users_v2.user_profile");
  EXPECT_EQ(m.spelling, "backtick");
  EXPECT_EQ(rewrite(table(), sql), "SELECT * FROM `acme-next.users_v2.user_profile` WHERE x = 1");
}

TEST(BigQueryTable, LegacyInsideBackticks) {
  EXPECT_EQ(rewrite(table(), "`acme-prod:core_users.user_profile_v1`"),
            "`acme-next:users_v2.user_profile`");
}

TEST(BigQueryTable, PerPartBackticks) {
  const std::string v = "`acme-prod`.`core_users`.`user_profile_v1`";
  Match m = only(table(), v);
  EXPECT_EQ(m.begin, 0u);
  EXPECT_EQ(m.end, v.size());
  EXPECT_EQ(m.replacement, "`acme-next`.`users_v2`.`user_profile`");
  EXPECT_EQ(m.spelling, "backtick-parts");
}

TEST(BigQueryTable, MixedBackticksStayOnTheSameParts) {
  EXPECT_EQ(rewrite(table(), "`acme-prod`.core_users.user_profile_v1"),
            "`acme-next`.users_v2.user_profile");
  EXPECT_EQ(rewrite(table(), "acme-prod.`core_users`.user_profile_v1"),
            "acme-next.`users_v2`.user_profile");
  EXPECT_EQ(rewrite(table(), "acme-prod.core_users.`user_profile_v1`"),
            "acme-next.users_v2.`user_profile`");
  EXPECT_EQ(rewrite(table(), "`acme-prod.core_users`.user_profile_v1"),
            "`acme-next.users_v2`.user_profile");
  EXPECT_EQ(rewrite(table(), "`acme-prod`.`core_users.user_profile_v1`"),
            "`acme-next`.`users_v2.user_profile`");
  EXPECT_EQ(only(table(), "`acme-prod`.core_users.user_profile_v1").spelling, "backtick-parts");
}

TEST(BigQueryTable, LegacySqlBrackets) {
  const std::string sql = "SELECT a FROM [acme-prod:core_users.user_profile_v1] LIMIT 5";
  Match m = only(table(), sql);
  EXPECT_EQ(m.begin, 15u);
  EXPECT_EQ(m.end, 51u);
  EXPECT_EQ(m.spelling, "legacy-sql");
  EXPECT_EQ(rewrite(table(), sql), "SELECT a FROM [acme-next:users_v2.user_profile] LIMIT 5");
}

TEST(BigQueryTable, OnlyChangedPartsDiffer) {
  DatasetMatcher m = matcher(DatasetKind::BigQueryTable, "acme-prod.core_users.user_profile_v1",
                             "acme-prod.core_users.user_profile_v2");
  EXPECT_EQ(rewrite(m, "`acme-prod`.`core_users`.`user_profile_v1`"),
            "`acme-prod`.`core_users`.`user_profile_v2`");
  EXPECT_EQ(rewrite(m, "acme-prod:core_users.user_profile_v1"),
            "acme-prod:core_users.user_profile_v2");
}

// ---------------------------------------------------------------- decorators

TEST(BigQueryTable, DecoratorsAreKeptOutsideTheRange) {
  for (std::string decorator : {"$20240101", "$__UNPARTITIONED__", "@-3600000", "@1700000000000",
                                "@-3600000-", "@-3600000--1800000", "$2024010112"}) {
    const std::string v = "acme-prod:core_users.user_profile_v1" + decorator;
    Match m = only(table(), v);
    EXPECT_EQ(m.end, 36u) << decorator;
    EXPECT_TRUE(m.attention.empty()) << decorator;
    EXPECT_EQ(rewrite(table(), v), "acme-next:users_v2.user_profile" + decorator);
  }
}

TEST(BigQueryTable, DollarBeforeAHoleIsADecorator) {
  // Scala s"acme-prod:core_users.user_profile_v1$$$day" decodes to `...$` + hole.
  const std::string v = "acme-prod:core_users.user_profile_v1$" + H;
  Match m = only(table(), v);
  EXPECT_TRUE(m.attention.empty()) << m.attention;
  EXPECT_EQ(m.end, 36u);
  EXPECT_EQ(m.replacement, "acme-next:users_v2.user_profile");
}

TEST(BigQueryTable, DecoratorInsideBracketsAndBackticks) {
  Match m = only(table(), "[acme-prod:core_users.user_profile_v1@-3600000-]");
  EXPECT_EQ(m.spelling, "legacy-sql");
  EXPECT_EQ(m.begin, 1u);
  EXPECT_EQ(m.end, 37u);
  EXPECT_EQ(rewrite(table(), "`acme-prod.core_users.user_profile_v1$20240101`"),
            "`acme-next.users_v2.user_profile$20240101`");
  EXPECT_EQ(rewrite(table(), "`acme-prod`.`core_users`.`user_profile_v1$20240101`"),
            "`acme-next`.`users_v2`.`user_profile$20240101`");
}

// ---------------------------------------------------------------- boundaries

TEST(BigQueryTable, LongerTableNamesDoNotMatch) {
  expectNone(table(), "acme-prod.core_users.user_profile_v10");
  expectNone(table(), "acme-prod.core_users.user_profile_v1_backup");
  expectNone(table(), "acme-prod.core_users.user_profile_v1-copy");
  expectNone(table(), "acme-prod.core_users.xuser_profile_v1");
}

TEST(BigQueryTable, OtherProjectsAndDatasetsDoNotMatch) {
  expectNone(table(), "other.core_users.user_profile_v1");
  expectNone(table(), "acme-prod.other.user_profile_v1");
  expectNone(table(), "acme-prod2.core_users.user_profile_v1");
  expectNone(table(), "xacme-prod.core_users.user_profile_v1");
  expectNone(table(), "my-acme-prod.core_users.user_profile_v1");
  expectNone(table(), "x.acme-prod.core_users.user_profile_v1");
  expectNone(table(), "x:acme-prod.core_users.user_profile_v1");
  expectNone(table(), "ACME-PROD.core_users.user_profile_v1");
  expectNone(table(), "acme-prod.Core_Users.user_profile_v1");
  expectNone(table(), "acme-prod.core_users.USER_PROFILE_V1");
}

TEST(BigQueryTable, FileNamesAndLongerPathsDoNotMatch) {
  expectNone(table(), "acme-prod.core_users.user_profile_v1.avro");
  expectNone(table(), "acme-prod.core_users.user_profile_v1.`x`");
  expectNone(table(), "acme-prod.core_users.user_profile_v1.column_a");
}

TEST(BigQueryTable, PunctuationAfterIsABoundary) {
  EXPECT_EQ(rewrite(table(), "Reads acme-prod.core_users.user_profile_v1."),
            "Reads acme-next.users_v2.user_profile.");
  EXPECT_EQ(rewrite(table(), "(acme-prod.core_users.user_profile_v1)"),
            "(acme-next.users_v2.user_profile)");
  EXPECT_EQ(rewrite(table(), "t=acme-prod.core_users.user_profile_v1,"),
            "t=acme-next.users_v2.user_profile,");
  EXPECT_EQ(rewrite(table(), "'acme-prod.core_users.user_profile_v1'"),
            "'acme-next.users_v2.user_profile'");
}

TEST(BigQueryTable, SeveralReferencesInOrder) {
  const std::string v = "acme-prod.core_users.user_profile_v1 JOIN "
                        "[acme-prod:core_users.user_profile_v1] JOIN "
                        "acme-prod.core_users.user_profile_v10 JOIN "
                        "`acme-prod.core_users.user_profile_v1`";
  std::vector<Match> matches = table().find(v);
  ASSERT_EQ(matches.size(), 3u);
  EXPECT_EQ(matches[0].spelling, "standard");
  EXPECT_EQ(matches[1].spelling, "legacy-sql");
  EXPECT_EQ(matches[2].spelling, "backtick");
  EXPECT_LT(matches[0].end, matches[1].begin);
  EXPECT_LT(matches[1].end, matches[2].begin);
}

TEST(BigQueryTable, NoMatchWithoutTheName) {
  expectNone(table(), "");
  expectNone(table(), "nothing to see here");
  expectNone(table(), "user_profile_v1");
  expectNone(table(), H);
}

// ---------------------------------------------------------------- attention

TEST(BigQueryTable, NoProjectIsAttention) {
  expectAttention(table(), "core_users.user_profile_v1", "default project is acme-prod");
  expectAttention(table(), "SELECT * FROM `core_users.user_profile_v1`", "default project");
  expectAttention(table(), "SELECT * FROM [core_users.user_profile_v1]", "default project");
  expectAttention(table(), "`core_users`.`user_profile_v1`", "default project");
  expectNone(table(), "my_core_users.user_profile_v1");
  expectNone(table(), "x.core_users.user_profile_v1");
  expectNone(table(), "core_users.user_profile_v10");
}

TEST(BigQueryTable, NoProjectRangeCoversTheName) {
  Match m = only(table(), "FROM core_users.user_profile_v1 x");
  EXPECT_EQ(m.begin, 5u);
  EXPECT_EQ(m.end, 31u);
}

TEST(BigQueryTable, FollowedByAHoleIsAttention) {
  expectAttention(table(), "acme-prod.core_users.user_profile_v1" + H, "interpolated");
  expectAttention(table(), "acme-prod.core_users.user_profile_v1." + H, "interpolated");
  Match m = only(table(), "x acme-prod.core_users.user_profile_v1" + H);
  EXPECT_EQ(m.begin, 2u);
}

TEST(BigQueryTable, HoleAfterClosingBacktickIsFine) {
  EXPECT_EQ(rewrite(table(), "`acme-prod.core_users.user_profile_v1`" + H),
            "`acme-next.users_v2.user_profile`" + H);
  EXPECT_EQ(rewrite(table(), "acme-prod.core_users.user_profile_v1 " + H),
            "acme-next.users_v2.user_profile " + H);
}

TEST(BigQueryTable, InterpolatedProjectOrDatasetIsAttention) {
  expectAttention(table(), H + ".core_users.user_profile_v1", "interpolated");
  expectAttention(table(), H + "." + H + ".user_profile_v1", "interpolated");
  expectAttention(table(), H + ":core_users.user_profile_v1", "interpolated");
  expectAttention(table(), "acme-prod." + H + ".user_profile_v1", "interpolated");
  expectAttention(table(), H + ".user_profile_v1", "interpolated");
  expectAttention(table(), "`" + H + ".core_users.user_profile_v1`", "interpolated");
  expectAttention(table(), "core_" + H + ".user_profile_v1", "interpolated");
}

TEST(BigQueryTable, HoleBeforeTheNameIsAttention) {
  expectAttention(table(), H + "acme-prod.core_users.user_profile_v1");
  expectAttention(table(), H + "core_users.user_profile_v1");
}

TEST(BigQueryTable, InterpolationThatCannotBeTheTableIsNone) {
  expectNone(table(), H + ".other_ds.user_profile_v1");
  expectNone(table(), "other." + H + ".user_profile_v1");
  expectNone(table(), "x" + H + ".core_users.user_profile_v1");
  expectNone(table(), H + "user_profile_v1");
  expectNone(table(), "acme-prod.core_users." + H);
}

TEST(BigQueryTable, InterpolatedTableNameIsAttention) {
  expectAttention(table(), "acme-prod.core_users.user_profile_" + H, "table name is interpolated");
  expectNone(table(), "acme-prod.core_users.other_" + H);
}

// ---------------------------------------------------------------- bigquery-dataset

TEST(BigQueryDataset, TableInTheDataset) {
  Match m = only(bqDataset(), "acme-prod.core_users.any_table");
  EXPECT_EQ(m.begin, 0u);
  EXPECT_EQ(m.end, 20u);
  EXPECT_EQ(m.replacement, "acme-next.users_v2");
  EXPECT_EQ(m.spelling, "standard");
  EXPECT_EQ(rewrite(bqDataset(), "acme-prod:core_users.t"), "acme-next:users_v2.t");
  EXPECT_EQ(only(bqDataset(), "acme-prod:core_users.t").spelling, "legacy");
}

TEST(BigQueryDataset, BareDataset) {
  EXPECT_EQ(rewrite(bqDataset(), "acme-prod.core_users"), "acme-next.users_v2");
  EXPECT_EQ(rewrite(bqDataset(), "acme-prod:core_users"), "acme-next:users_v2");
  EXPECT_EQ(rewrite(bqDataset(), "--dataset=acme-prod:core_users "),
            "--dataset=acme-next:users_v2 ");
}

TEST(BigQueryDataset, Spellings) {
  EXPECT_EQ(rewrite(bqDataset(), "`acme-prod.core_users.t`"), "`acme-next.users_v2.t`");
  EXPECT_EQ(rewrite(bqDataset(), "`acme-prod`.`core_users`.`t`"), "`acme-next`.`users_v2`.`t`");
  EXPECT_EQ(rewrite(bqDataset(), "`acme-prod.core_users`.t"), "`acme-next.users_v2`.t");
  EXPECT_EQ(rewrite(bqDataset(), "`acme-prod`.`core_users.t`"), "`acme-next`.`users_v2.t`");
  EXPECT_EQ(rewrite(bqDataset(), "[acme-prod:core_users.t]"), "[acme-next:users_v2.t]");
  EXPECT_EQ(only(bqDataset(), "[acme-prod:core_users.t]").spelling, "legacy-sql");
  EXPECT_EQ(rewrite(bqDataset(), "acme-prod:core_users.t$20240101"),
            "acme-next:users_v2.t$20240101");
  EXPECT_EQ(rewrite(bqDataset(), "acme-prod.core_users." + H), "acme-next.users_v2." + H);
}

TEST(BigQueryDataset, Boundaries) {
  expectNone(bqDataset(), "acme-prod.core_users_v2.t");
  expectNone(bqDataset(), "acme-prod.core_users2");
  expectNone(bqDataset(), "acme-prod.core_users.t.avro");
  expectNone(bqDataset(), "x.acme-prod.core_users.t");
  expectNone(bqDataset(), "other.core_users.t");
  expectNone(bqDataset(), "core_users");
}

TEST(BigQueryDataset, Attention) {
  expectAttention(bqDataset(), "core_users.t", "default project is acme-prod");
  expectAttention(bqDataset(), H + ".core_users.t", "interpolated");
  expectAttention(bqDataset(), H + ":core_users", "interpolated");
  expectAttention(bqDataset(), "acme-prod.core_users" + H, "interpolated");
  expectAttention(bqDataset(), "acme-prod.core_users.t." + H, "interpolated");
  expectNone(bqDataset(), "x" + H + ".core_users.t");
}

// ---------------------------------------------------------------- gcs-prefix

TEST(GcsPrefix, PrefixAndObjectsUnderIt) {
  Match m = only(gcs(), "gs://acme-raw/events/playback/");
  EXPECT_EQ(m.begin, 0u);
  EXPECT_EQ(m.end, 30u);
  EXPECT_EQ(m.replacement, "gs://acme-lake/playback/v2/");
  EXPECT_EQ(rewrite(gcs(), "gs://acme-raw/events/playback/x/y.avro"),
            "gs://acme-lake/playback/v2/x/y.avro");
  EXPECT_EQ(rewrite(gcs(), "gs://acme-raw/events/playback/*"), "gs://acme-lake/playback/v2/*");
  EXPECT_EQ(rewrite(gcs(), "gs://acme-raw/events/playback/dt=" + H + "/*.avro"),
            "gs://acme-lake/playback/v2/dt=" + H + "/*.avro");
}

TEST(GcsPrefix, DirectoryWithoutItsSlash) {
  Match m = only(gcs(), "gs://acme-raw/events/playback");
  EXPECT_EQ(m.end, 29u);
  EXPECT_EQ(m.replacement, "gs://acme-lake/playback/v2");
  EXPECT_EQ(m.spelling, "directory");
  for (char c : std::string(" \t\n\"',;)]}`|")) {
    const std::string v = std::string("x=") + "gs://acme-raw/events/playback" + c + "tail";
    EXPECT_EQ(rewrite(gcs(), v), std::string("x=") + "gs://acme-lake/playback/v2" + c + "tail")
        << "after: " << c;
  }
}

TEST(GcsPrefix, SiblingsAndParentsDoNotMatch) {
  expectNone(gcs(), "gs://acme-raw/events/playback_archive/");
  expectNone(gcs(), "gs://acme-raw/events/playback-2/");
  expectNone(gcs(), "gs://acme-raw/events/playbackx");
  expectNone(gcs(), "gs://acme-raw/events/playback.bak");
  expectNone(gcs(), "gs://acme-raw/events/");
  expectNone(gcs(), "gs://acme-raw/events/play");
  expectNone(gcs(), "gs://acme-raw-2/events/playback/");
  expectNone(gcs(), "gs://other/events/playback/");
}

TEST(GcsPrefix, ByteBeforeMustBeABoundary) {
  expectNone(gcs(), "xgs://acme-raw/events/playback/");
  expectNone(gcs(), "/gs://acme-raw/events/playback/");
  expectNone(gcs(), "s3:gs://acme-raw/events/playback/");
  EXPECT_EQ(rewrite(gcs(), "--input=gs://acme-raw/events/playback/a"),
            "--input=gs://acme-lake/playback/v2/a");
}

TEST(GcsPrefix, SeveralUris) {
  std::vector<Match> matches =
      gcs().find("gs://acme-raw/events/playback/a,gs://acme-raw/events/playback/b "
                 "gs://acme-raw/events/playback_x/ gs://acme-raw/events/playback");
  ASSERT_EQ(matches.size(), 3u);
  EXPECT_EQ(matches[0].begin, 0u);
  EXPECT_EQ(matches[1].begin, 32u);
  EXPECT_EQ(matches[2].spelling, "directory");
}

TEST(GcsPrefix, Holes) {
  expectAttention(gcs(), "gs://acme-raw/events/playback" + H, "interpolated");
  expectAttention(gcs(), "gs://" + H + "/events/playback/", "interpolated");
  expectAttention(gcs(), "gs://acme-raw/" + H + "/playback/x.avro", "interpolated");
  expectAttention(gcs(), H + "gs://acme-raw/events/playback/");
  expectNone(gcs(), "gs://acme-raw/" + H);
  expectNone(gcs(), "gs://other/" + H + "/playback/");
  expectNone(gcs(), "gs://acme-raw/events/playback_" + H);
}

TEST(GcsPrefix, FromWithoutSlashIsNormalized) {
  DatasetMatcher m =
      matcher(DatasetKind::GcsPrefix, "gs://acme-raw/events/playback", "gs://acme-lake/pb");
  EXPECT_EQ(m.spec().from, "gs://acme-raw/events/playback/");
  EXPECT_EQ(rewrite(m, "gs://acme-raw/events/playback/x"), "gs://acme-lake/pb/x");
  EXPECT_EQ(rewrite(m, "gs://acme-raw/events/playback"), "gs://acme-lake/pb");
}

TEST(GcsPrefix, WholeBucket) {
  DatasetMatcher m = matcher(DatasetKind::GcsPrefix, "gs://acme-raw/", "gs://acme-lake/raw/");
  EXPECT_EQ(rewrite(m, "gs://acme-raw/a/b"), "gs://acme-lake/raw/a/b");
  EXPECT_EQ(rewrite(m, "gs://acme-raw"), "gs://acme-lake/raw");
  expectNone(m, "gs://acme-raw2/a");
}

// ---------------------------------------------------------------- hive-table

TEST(HiveTable, SpellingsAndCase) {
  Match m = only(hive(), "SELECT * FROM warehouse.user_events WHERE");
  EXPECT_EQ(m.begin, 14u);
  EXPECT_EQ(m.end, 35u);
  EXPECT_EQ(m.replacement, "lake.user_events_v2");
  EXPECT_EQ(m.spelling, "standard");
  EXPECT_EQ(rewrite(hive(), "WAREHOUSE.User_Events"), "lake.user_events_v2");
  EXPECT_EQ(rewrite(hive(), "`warehouse`.`user_events`"), "`lake`.`user_events_v2`");
  EXPECT_EQ(rewrite(hive(), "`warehouse.user_events`"), "`lake.user_events_v2`");
  Match ticked = only(hive(), "`warehouse.user_events`");
  EXPECT_EQ(ticked.begin, 1u);
  EXPECT_EQ(ticked.spelling, "backtick");
}

TEST(HiveTable, Boundaries) {
  expectNone(hive(), "warehouse.user_events_x");
  expectNone(hive(), "warehouse.user_events2");
  expectNone(hive(), "my_warehouse.user_events");
  expectNone(hive(), "x.warehouse.user_events");
  expectNone(hive(), "warehouse.user_events.col");
  expectNone(hive(), "user_events");
  expectNone(hive(), "other.user_events");
  EXPECT_EQ(rewrite(hive(), "(warehouse.user_events)"), "(lake.user_events_v2)");
  EXPECT_EQ(rewrite(hive(), "warehouse.user_events."), "lake.user_events_v2.");
}

TEST(HiveTable, Holes) {
  expectAttention(hive(), H + ".user_events", "database is interpolated");
  expectAttention(hive(), "warehouse.user_events" + H, "interpolated");
  expectAttention(hive(), H + "warehouse.user_events");
}

// ---------------------------------------------------------------- kafka-topic

TEST(KafkaTopic, WholeTopicNames) {
  Match m = only(kafka(), "playback-events");
  EXPECT_EQ(m.replacement, "playback-events-v2");
  EXPECT_EQ(m.spelling, "topic");
  EXPECT_EQ(rewrite(kafka(), "a,playback-events,b"), "a,playback-events-v2,b");
  EXPECT_EQ(rewrite(kafka(), "topics=playback-events;x"), "topics=playback-events-v2;x");
  EXPECT_EQ(rewrite(kafka(), "playback-events playback-events"),
            "playback-events-v2 playback-events-v2");
}

TEST(KafkaTopic, LongerTopicsDoNotMatch) {
  expectNone(kafka(), "playback-events-dlq");
  expectNone(kafka(), "x.playback-events");
  expectNone(kafka(), "playback-events.v2");
  expectNone(kafka(), "playback-events_x");
  expectNone(kafka(), "old-playback-events");
}

TEST(KafkaTopic, AdjacentHoleIsAttention) {
  expectAttention(kafka(), H + "playback-events", "interpolated");
  expectAttention(kafka(), "playback-events" + H, "interpolated");
  EXPECT_EQ(rewrite(kafka(), H + ",playback-events"), H + ",playback-events-v2");
}

// ---------------------------------------------------------------- literal

TEST(Literal, WordTokens) {
  DatasetMatcher m = matcher(DatasetKind::Literal, "USER_PROFILE_V1", "USER_PROFILE_V2");
  EXPECT_EQ(rewrite(m, "USER_PROFILE_V1"), "USER_PROFILE_V2");
  EXPECT_EQ(rewrite(m, "x-USER_PROFILE_V1.y"), "x-USER_PROFILE_V2.y");
  expectNone(m, "MY_USER_PROFILE_V1");
  expectNone(m, "USER_PROFILE_V10");
  expectNone(m, "user_profile_v1");
  expectAttention(m, H + "USER_PROFILE_V1", "interpolated");
  expectAttention(m, "USER_PROFILE_V1" + H, "interpolated");
  EXPECT_EQ(only(m, "USER_PROFILE_V1").spelling, "literal");
}

TEST(Literal, EdgesThatAreNotWordCharsNeedNoBoundary) {
  DatasetMatcher m = matcher(DatasetKind::Literal, "/data/profiles", "/data/profiles2");
  EXPECT_EQ(rewrite(m, "/mnt/data/profiles"), "/mnt/data/profiles2");
  EXPECT_EQ(rewrite(m, H + "/data/profiles/x"), H + "/data/profiles2/x");
  expectNone(m, "/data/profilesX");
  expectAttention(m, "/data/profiles" + H);
}

// ---------------------------------------------------------------- prefilter patterns

TEST(PrefilterPatterns, MostSpecificComponent) {
  auto single = [](const DatasetMatcher& m) {
    std::vector<PrefilterPattern> p = m.prefilterPatterns();
    EXPECT_EQ(p.size(), 1u);
    return p.empty() ? PrefilterPattern{} : p[0];
  };
  EXPECT_EQ(table().prefilterPatterns()[0].literal, "user_profile_v1");
  EXPECT_FALSE(table().prefilterPatterns()[0].caseless);
  EXPECT_EQ(single(bqDataset()).literal, "core_users");
  EXPECT_EQ(single(gcs()).literal, "playback");
  EXPECT_EQ(
      single(matcher(DatasetKind::GcsPrefix, "gs://acme-raw/events/ab/", "gs://x-y/")).literal,
      "acme-raw");
  EXPECT_EQ(single(hive()).literal, "user_events");
  EXPECT_TRUE(single(hive()).caseless);
  EXPECT_EQ(kafka().prefilterPatterns()[0].literal, "playback-events");
  EXPECT_EQ(single(matcher(DatasetKind::Literal, "TOKEN_X", "TOKEN_Y")).literal, "TOKEN_X");
}

TEST(PrefilterPatterns, LookAlikesAreNotCandidates) {
  auto bounded = [](const DatasetMatcher& m, const std::string& text) {
    auto p = Prefilter::build(m.prefilterPatterns());
    EXPECT_TRUE(p.hasValue());
    return p->matches(text);
  };
  EXPECT_FALSE(bounded(table(), "\"acme-prod.core_users.user_profile_v10\""));
  EXPECT_FALSE(bounded(table(), "\"acme-prod.core_users.user_profile_v1_backup\""));
  EXPECT_TRUE(bounded(table(), "\"acme-prod.core_users.user_profile_v1$20240101\""));
  EXPECT_FALSE(bounded(kafka(), "\"playback-events-dlq\""));
  EXPECT_FALSE(bounded(kafka(), "\"playback-events.lag\""));
  EXPECT_TRUE(bounded(kafka(), "\"clicks,playback-events,searches\""));
  EXPECT_TRUE(bounded(gcs(), "\"gs://acme-raw/events/playback/2024/\""));
  EXPECT_FALSE(bounded(gcs(), "\"gs://acme-raw/events/playback_archive/\""));
  EXPECT_TRUE(bounded(hive(), "FROM WAREHOUSE.USER_EVENTS"));
}

TEST(PrefilterPatterns, TopicPatternsThatMayMatchTheTopicAreCandidates) {
  auto candidate = [](const std::string& text) {
    auto p = Prefilter::build(kafka().prefilterPatterns());
    EXPECT_TRUE(p.hasValue());
    return p->matches(text);
  };
  EXPECT_TRUE(candidate("WITH ('connector' = 'kafka', 'topic-pattern' = 'playback-.*')"));
  EXPECT_TRUE(candidate(".option(\"subscribePattern\", \"playback.*\")"));
  EXPECT_FALSE(candidate("WITH ('connector' = 'kafka', 'topic' = 'clicks')"));
}

TEST(PrefilterPatterns, WildcardTablesThatMayIncludeTheTableAreCandidates) {
  auto candidate = [](const std::string& text) {
    auto p = Prefilter::build(table().prefilterPatterns());
    EXPECT_TRUE(p.hasValue());
    return p->matches(text);
  };
  EXPECT_TRUE(candidate("FROM `acme-prod.core_users.user_profile_*`"));
  EXPECT_TRUE(candidate("FROM `acme-prod.core_users.user_*`"));
  EXPECT_TRUE(candidate("FROM `acme-prod.core_users.*`"));
  EXPECT_TRUE(candidate("FROM `acme-prod`.`core_users`.`user_profile_*`"));
  EXPECT_TRUE(candidate("FROM `acme-prod`.core_users.`user_profile_*`"));
  EXPECT_TRUE(candidate("FROM TABLE_DATE_RANGE([acme-prod:core_users.user_profile_], a, b)"));
  EXPECT_TRUE(candidate("FROM TABLE_QUERY([acme-prod:core_users], 'true')"));
  EXPECT_FALSE(candidate("FROM `acme-prod.core_users.sessions_*`"));
  EXPECT_FALSE(candidate("FROM `acme-prod.core_users.user_profile_v10`"));
  EXPECT_FALSE(candidate("FROM `acme-prod.core_users.devices`"));
}

TEST(PrefilterPatterns, ComposedReferencesContainThePattern) {
  // Whatever find() reports, the file's bytes must contain a prefilter pattern.
  const std::string composed = "val t = s\"$project.$dataset.user_profile_v1\"";
  EXPECT_NE(composed.find(table().prefilterPatterns()[0].literal), std::string::npos);
}

// ---------------------------------------------------------------- split references

using Parts = std::map<std::string, std::optional<std::string>>;

TEST(MatchParts, PartNames) {
  EXPECT_EQ(table().partNames(), (std::vector<std::string>{"project", "dataset", "table"}));
  EXPECT_EQ(bqDataset().partNames(), (std::vector<std::string>{"project", "dataset"}));
  EXPECT_EQ(hive().partNames(), (std::vector<std::string>{"database", "table"}));
  EXPECT_TRUE(gcs().partNames().empty());
  EXPECT_TRUE(kafka().partNames().empty());
}

TEST(MatchParts, RewriteOnlyChangedParts) {
  DatasetMatcher m = matcher(DatasetKind::BigQueryTable, "acme-prod.core_users.user_profile_v1",
                             "acme-prod.core_users.user_profile_v2");
  PartsMatch r = m.matchParts(
      {{"project", "acme-prod"}, {"dataset", "core_users"}, {"table", "user_profile_v1"}});
  EXPECT_EQ(r.status, PartsMatch::Status::Rewrite);
  EXPECT_EQ(r.newValues, (std::map<std::string, std::string>{{"table", "user_profile_v2"}}));

  PartsMatch all = table().matchParts(
      {{"project", "acme-prod"}, {"dataset", "core_users"}, {"table", "user_profile_v1"}});
  EXPECT_EQ(all.status, PartsMatch::Status::Rewrite);
  EXPECT_EQ(all.newValues,
            (std::map<std::string, std::string>{
                {"project", "acme-next"}, {"dataset", "users_v2"}, {"table", "user_profile"}}));
}

TEST(MatchParts, TableDecoratorIsKept) {
  PartsMatch r = table().matchParts(
      {{"project", "acme-prod"}, {"dataset", "core_users"}, {"table", "user_profile_v1$20240101"}});
  EXPECT_EQ(r.status, PartsMatch::Status::Rewrite);
  EXPECT_EQ(r.newValues.at("table"), "user_profile$20240101");
  PartsMatch snapshot = table().matchParts(
      {{"project", "acme-prod"}, {"dataset", "core_users"}, {"table", "user_profile_v1@-3600000"}});
  EXPECT_EQ(snapshot.newValues.at("table"), "user_profile@-3600000");
}

TEST(MatchParts, AbsentPartIsAttention) {
  PartsMatch r = table().matchParts({{"dataset", "core_users"}, {"table", "user_profile_v1"}});
  EXPECT_EQ(r.status, PartsMatch::Status::Attention);
  EXPECT_NE(r.reason.find("default project is acme-prod"), std::string::npos) << r.reason;
  EXPECT_TRUE(r.newValues.empty());
  PartsMatch tableOnly = table().matchParts({{"table", "user_profile_v1"}});
  EXPECT_EQ(tableOnly.status, PartsMatch::Status::Attention);
}

TEST(MatchParts, UnknownPartIsAttention) {
  PartsMatch r = table().matchParts(
      {{"project", std::nullopt}, {"dataset", "core_users"}, {"table", "user_profile_v1"}});
  EXPECT_EQ(r.status, PartsMatch::Status::Attention);
  EXPECT_NE(r.reason.find("project"), std::string::npos) << r.reason;
  PartsMatch unknownTable = table().matchParts(
      {{"project", "acme-prod"}, {"dataset", "core_users"}, {"table", std::nullopt}});
  EXPECT_EQ(unknownTable.status, PartsMatch::Status::Attention);
}

TEST(MatchParts, MismatchIsNone) {
  EXPECT_EQ(
      table()
          .matchParts(
              {{"project", "acme-prod"}, {"dataset", "core_users"}, {"table", "user_profile_v10"}})
          .status,
      PartsMatch::Status::None);
  EXPECT_EQ(table()
                .matchParts(
                    {{"project", "other"}, {"dataset", "core_users"}, {"table", "user_profile_v1"}})
                .status,
            PartsMatch::Status::None);
  EXPECT_EQ(table()
                .matchParts(
                    {{"project", std::nullopt}, {"dataset", "other"}, {"table", "user_profile_v1"}})
                .status,
            PartsMatch::Status::None);
  // No table part: a reference to the dataset, not this table.
  EXPECT_EQ(table().matchParts({{"project", "acme-prod"}, {"dataset", "core_users"}}).status,
            PartsMatch::Status::None);
  // Nothing known equal.
  EXPECT_EQ(table().matchParts({{"table", std::nullopt}}).status, PartsMatch::Status::None);
  EXPECT_EQ(gcs().matchParts({{"table", "x"}}).status, PartsMatch::Status::None);
}

TEST(MatchParts, HiveIsCaseless) {
  PartsMatch r = hive().matchParts({{"database", "WAREHOUSE"}, {"table", "User_Events"}});
  EXPECT_EQ(r.status, PartsMatch::Status::Rewrite);
  EXPECT_EQ(r.newValues, (std::map<std::string, std::string>{{"database", "lake"},
                                                             {"table", "user_events_v2"}}));
  PartsMatch noDb = hive().matchParts({{"table", "user_events"}});
  EXPECT_EQ(noDb.status, PartsMatch::Status::Attention);
  EXPECT_NE(noDb.reason.find("database"), std::string::npos);
}

TEST(MatchParts, BigQueryDataset) {
  PartsMatch r = bqDataset().matchParts({{"project", "acme-prod"}, {"dataset", "core_users"}});
  EXPECT_EQ(r.status, PartsMatch::Status::Rewrite);
  EXPECT_EQ(r.newValues, (std::map<std::string, std::string>{{"project", "acme-next"},
                                                             {"dataset", "users_v2"}}));
  EXPECT_EQ(bqDataset().matchParts({{"dataset", "core_users"}}).status,
            PartsMatch::Status::Attention);
  EXPECT_EQ(bqDataset().matchParts({{"project", "acme-prod"}}).status, PartsMatch::Status::None);
}

// ---------------------------------------------------------------- name validation

TEST(ValidateDatasetName, BigQuery) {
  EXPECT_FALSE(validateDatasetName(DatasetKind::BigQueryTable, "acme-prod.core_users.t-1"));
  auto parts = validateDatasetName(DatasetKind::BigQueryTable, "acme-prod.core_users");
  ASSERT_TRUE(parts);
  EXPECT_NE(parts->find("project.dataset.table"), std::string::npos) << *parts;
  auto legacy = validateDatasetName(DatasetKind::BigQueryTable, "acme-prod:core_users.t");
  ASSERT_TRUE(legacy);
  EXPECT_NE(legacy->find("legacy"), std::string::npos);
  EXPECT_TRUE(validateDatasetName(DatasetKind::BigQueryTable, "Acme-prod.d.t"));
  EXPECT_TRUE(validateDatasetName(DatasetKind::BigQueryTable, "acme.d.t")); // too short
  EXPECT_TRUE(validateDatasetName(DatasetKind::BigQueryTable, "acme-prod-.d.t"));
  EXPECT_TRUE(validateDatasetName(DatasetKind::BigQueryTable, "acme-prod.d-x.t"));
  EXPECT_TRUE(validateDatasetName(DatasetKind::BigQueryTable, "acme-prod.d.t$20240101"));
  EXPECT_TRUE(validateDatasetName(DatasetKind::BigQueryTable, "acme-prod..t"));
  EXPECT_TRUE(validateDatasetName(DatasetKind::BigQueryTable, "acme-prod.d.t x"));
  EXPECT_FALSE(validateDatasetName(DatasetKind::BigQueryDataset, "acme-prod.core_users"));
  EXPECT_TRUE(validateDatasetName(DatasetKind::BigQueryDataset, "acme-prod.core_users.t"));
}

TEST(ValidateDatasetName, OtherKinds) {
  EXPECT_FALSE(validateDatasetName(DatasetKind::GcsPrefix, "gs://acme-raw/events/playback/"));
  EXPECT_FALSE(validateDatasetName(DatasetKind::GcsPrefix, "gs://acme-raw"));
  EXPECT_TRUE(validateDatasetName(DatasetKind::GcsPrefix, "s3://acme-raw/x/"));
  EXPECT_TRUE(validateDatasetName(DatasetKind::GcsPrefix, "gs://ab/x/"));
  EXPECT_TRUE(validateDatasetName(DatasetKind::GcsPrefix, "gs://Acme/x/"));
  EXPECT_TRUE(validateDatasetName(DatasetKind::GcsPrefix, "gs://acme-raw//x/"));
  EXPECT_TRUE(validateDatasetName(DatasetKind::GcsPrefix, "gs://acme-raw/x/*"));
  EXPECT_FALSE(validateDatasetName(DatasetKind::HiveTable, "warehouse.user_events"));
  EXPECT_TRUE(validateDatasetName(DatasetKind::HiveTable, "user_events"));
  EXPECT_TRUE(validateDatasetName(DatasetKind::HiveTable, "ware-house.t"));
  EXPECT_FALSE(validateDatasetName(DatasetKind::KafkaTopic, "playback.events_v-2"));
  EXPECT_TRUE(validateDatasetName(DatasetKind::KafkaTopic, ".."));
  EXPECT_TRUE(validateDatasetName(DatasetKind::KafkaTopic, "a/b"));
  EXPECT_TRUE(validateDatasetName(DatasetKind::KafkaTopic, std::string(250, 'a')));
  EXPECT_FALSE(validateDatasetName(DatasetKind::KafkaTopic, std::string(249, 'a')));
  EXPECT_FALSE(validateDatasetName(DatasetKind::Literal, "a/b:c"));
  EXPECT_TRUE(validateDatasetName(DatasetKind::Literal, ""));
  EXPECT_TRUE(validateDatasetName(DatasetKind::Literal, "a b"));
  EXPECT_NE(datasetNameForm(DatasetKind::HiveTable).find("database.table"), std::string::npos);
}

} // namespace
} // namespace godwit

namespace godwit {
namespace {

// Every reference that each matcher finds in `value`, as "matcher:begin-end:replacement|attention".
std::vector<std::string> everyMatch(std::span<const DatasetMatcher> matchers, std::string_view value,
                                    bool indexed) {
  std::vector<std::string> out;
  const auto add = [&](size_t m) {
    for (const Match& mt : matchers[m].find(value))
      out.push_back(std::to_string(m) + ":" + std::to_string(mt.begin) + "-" +
                    std::to_string(mt.end) + ":" + mt.replacement + "|" + mt.attention);
  };
  if (indexed)
    forEachCandidate(matchers, value, add);
  else
    for (size_t m = 0; m < matchers.size(); ++m)
      add(m);
  return out;
}

std::vector<DatasetMatcher> indexedFleetOfMatchers() {
  std::vector<DatasetMatcher> ms;
  ms.push_back(table());
  ms.push_back(bqDataset());
  ms.push_back(gcs());
  ms.push_back(matcher(DatasetKind::HiveTable, "Warehouse.Play_Events", "lake.play_events_v2"));
  ms.push_back(matcher(DatasetKind::KafkaTopic, "clicks.input-v1", "clicks.input-v2"));
  ms.push_back(matcher(DatasetKind::KafkaTopic, "events", "tracking.events"));
  ms.push_back(matcher(DatasetKind::Literal, "@legacy host:9092", "@new host:9092"));
  ms.push_back(matcher(DatasetKind::BigQueryTable, "acme-prod.core-users.user-events",
                       "acme-prod.core-users.user-events-v2"));
  for (int i = 0; i < 200; ++i)
    ms.push_back(matcher(DatasetKind::BigQueryTable,
                         "acme-prod.legacy_dwh_" + std::to_string(i % 10) + ".table_" +
                             std::to_string(i),
                         "acme-prod.dwh_" + std::to_string(i % 10) + ".table_" + std::to_string(i)));
  indexMatchers(ms);
  return ms;
}

TEST(MatcherIndexTest, FindsWhatEveryMatcherFindsForEverySpelling) {
  const std::vector<DatasetMatcher> ms = indexedFleetOfMatchers();
  const std::vector<std::string> values = {
      "acme-prod.core_users.user_profile_v1",
      "SELECT * FROM `acme-prod.core_users.user_profile_v1` WHERE x",
      "SELECT * FROM `acme-prod`.`core_users`.`user_profile_v1`",
      "acme-prod:core_users.user_profile_v1",
      "[acme-prod:core_users.user_profile_v1]",
      "SELECT * FROM TABLE_DATE_RANGE([acme-prod:core_users.user_profile_], TIMESTAMP('x'))",
      "core_users.user_profile_v1$20240101",
      "ACME-PROD.CORE_USERS.USER_PROFILE_V1",
      "core_users.user_profile_v10",
      "acme-prod.core_users",
      "SELECT 1 FROM core_users.other_table",
      "gs://acme-raw/events/playback/2024/part-0.avro",
      "gs://acme-raw/events/",
      "SELECT * FROM warehouse.play_events",
      "INSERT INTO WAREHOUSE.PLAY_EVENTS SELECT 1",
      "clicks.input-v1",
      "subscribe clicks.input-v1,events",
      "events",
      "tracking_events",
      "the events of the day",
      "input/events/x.json",
      "@legacy host:9092",
      "connect to @legacy host:9092 now",
      "acme-prod.core-users.user-events",
      "`acme-prod.core-users.user-events`",
      "acme-prod.core-users.user-events-old",
      "acme-prod.legacy_dwh_3.table_3",
      "acme-prod.legacy_dwh_3.table_13 JOIN legacy_dwh_7.table_197",
      "legacy_dwh_3.table_*",
      "acme-prod.legacy_dwh_3." + H,
      "acme-prod." + H + ".table_3",
      H + "-events",
      "",
      "no reference here at all",
  };
  for (const std::string& v : values)
    EXPECT_EQ(everyMatch(ms, v, true), everyMatch(ms, v, false)) << v;
}

TEST(MatcherIndexTest, RunsOnlyTheMatchersAValueCanConcern) {
  const std::vector<DatasetMatcher> ms = indexedFleetOfMatchers();
  std::vector<size_t> visited;
  forEachCandidate(ms, "SELECT * FROM `acme-prod.legacy_dwh_4.table_104`",
                   [&](size_t m) { visited.push_back(m); });
  // The GCS prefix has no index word; legacy_dwh_4 holds 20 tables, table_104 is one of them.
  EXPECT_EQ(visited.size(), 21u);
  EXPECT_EQ(visited.front(), 2u);
  EXPECT_TRUE(std::is_sorted(visited.begin(), visited.end()));
  // A copy is not the indexed vector: every matcher runs.
  const std::vector<DatasetMatcher> copy = ms;
  visited.clear();
  forEachCandidate(copy, "acme-prod.legacy_dwh_4.table_104", [&](size_t m) { visited.push_back(m); });
  EXPECT_EQ(visited.size(), copy.size());
  // So does a value with a hole.
  visited.clear();
  forEachCandidate(ms, "acme-prod." + H + ".table_104", [&](size_t m) { visited.push_back(m); });
  EXPECT_EQ(visited.size(), ms.size());
}

} // namespace
} // namespace godwit
