#include "rules/Prefilter.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

namespace godwit {
namespace {

Prefilter build(const std::vector<PrefilterPattern>& patterns) {
  Expected<Prefilter> p = Prefilter::build(patterns);
  EXPECT_TRUE(p) << (p ? "" : p.error().str());
  return std::move(p).value();
}

TEST(Prefilter, EmptySetMatchesNothing) {
  Prefilter p = build({});
  EXPECT_FALSE(p.matches(""));
  EXPECT_FALSE(p.matches("anything at all"));
}

TEST(Prefilter, SingleLiteral) {
  Prefilter p = build({{"user_profile_v1", false}});
  EXPECT_TRUE(p.matches("SELECT * FROM acme-prod.core_users.user_profile_v1"));
  EXPECT_TRUE(p.matches("user_profile_v1"));
  EXPECT_FALSE(p.matches("user_profile_v"));
  EXPECT_FALSE(p.matches("USER_PROFILE_V1"));
  EXPECT_FALSE(p.matches(""));
}

TEST(Prefilter, ReportsWhereEveryMatchEnds) {
  Prefilter p = build({{"user_profile_v1", false, "abcdefghijklmnopqrstuvwxyz0123456789_-"},
                       {"playback-events", false}});
  const std::string text =
      "a user_profile_v1\nb user_profile_v10\nc playback-events user_profile_v1";
  std::vector<size_t> ends;
  ASSERT_TRUE(p.matches(text, &ends));
  std::sort(ends.begin(), ends.end());
  // A match of a bounded pattern ends one byte after the name: the byte it checked.
  ASSERT_EQ(ends.size(), 3u);
  EXPECT_EQ(ends[0], text.find("user_profile_v1") + 16);
  EXPECT_EQ(ends[1], text.find("playback-events") + 15);
  EXPECT_EQ(ends[2], text.size());

  std::vector<size_t> none;
  EXPECT_FALSE(p.matches("user_profile_v10 only", &none));
  EXPECT_TRUE(none.empty());
}

TEST(Prefilter, FamiliesMatchAProperPrefixThenTheSuffix) {
  // `core_users.` + a proper prefix of `user_profile_v1` (at least minPrefix bytes) + `*`.
  PrefilterPattern family{"core_users.", false, {}, "user_profile_v1", 0, "*"};
  PrefilterPattern legacy{"core_users.", false, {}, "user_profile_v1", 1, "]"};
  Prefilter p = build({{"playback-events", false}, family, legacy});
  EXPECT_TRUE(p.matches("FROM `p.core_users.user_profile_*`"));
  EXPECT_TRUE(p.matches("FROM `p.core_users.*`"));
  EXPECT_TRUE(p.matches("TABLE_DATE_RANGE([p:core_users.user_profile_], a, b)"));
  EXPECT_FALSE(p.matches("TABLE_DATE_RANGE([p:core_users.], a, b)")); // minPrefix 1
  EXPECT_FALSE(p.matches("FROM `p.core_users.user_profile_v1*`"));    // not a proper prefix
  EXPECT_FALSE(p.matches("FROM `p.core_users.sessions_*`"));
  EXPECT_FALSE(p.matches("FROM `p.core_users.user_profile_v2`")); // the gate alone is no match

  std::vector<size_t> ends;
  const std::string text = "playback-events and core_users.user_*";
  ASSERT_TRUE(p.matches(text, &ends));
  std::sort(ends.begin(), ends.end());
  EXPECT_EQ(ends, (std::vector<size_t>{15, text.size()}));
}

TEST(Prefilter, FamiliesOfOneDatasetShareOnePatternAndStayExact) {
  // A warehouse migration moves many tables of one dataset; their families are one trie-shaped
  // pattern (Hyperscan compiles thousands of chains very slowly), matching what each chain did.
  std::vector<PrefilterPattern> patterns;
  for (const char* table : {"user_profile_v1", "user_sessions", "orders", "user_profile_v1"})
    patterns.push_back({"core_users.", false, {}, table, 0, "*"});
  patterns.push_back({"core_users.", false, {}, "orders", 1, "]"});
  Prefilter p = build(patterns);
  EXPECT_TRUE(p.matches("FROM `p.core_users.user_profile_*`"));
  EXPECT_TRUE(p.matches("FROM `p.core_users.user_s*`"));
  EXPECT_TRUE(p.matches("FROM `p.core_users.user_session*`"));
  EXPECT_TRUE(p.matches("FROM `p.core_users.ord*`"));
  EXPECT_TRUE(p.matches("FROM `p.core_users.*`"));
  EXPECT_TRUE(p.matches("TABLE_DATE_RANGE([p:core_users.orde], a, b)"));
  EXPECT_FALSE(p.matches("TABLE_DATE_RANGE([p:core_users.user_], a, b)")); // not of `orders`
  EXPECT_FALSE(p.matches("TABLE_DATE_RANGE([p:core_users.], a, b)"));      // minPrefix 1
  EXPECT_FALSE(p.matches("FROM `p.core_users.orders*`"));        // not a proper prefix
  EXPECT_FALSE(p.matches("FROM `p.core_users.user_sessions*`")); // not a proper prefix
  EXPECT_FALSE(p.matches("FROM `p.core_users.user_x*`"));
  EXPECT_FALSE(p.matches("FROM `p.core_users.events_*`"));
}

TEST(Prefilter, ThousandsOfTablesBuildQuickly) {
  // Not a timing test: 3,000 tables' families must build at all within the ctest timeout, which
  // one chain per table did not (minutes).
  std::vector<PrefilterPattern> patterns;
  for (int i = 0; i < 3000; ++i) {
    const std::string dataset = "legacy_dwh_" + std::to_string(i % 50) + ".";
    const std::string table = "table_" + std::to_string(i);
    patterns.push_back({table, false, "abcdefghijklmnopqrstuvwxyz0123456789_-"});
    patterns.push_back({dataset, false, {}, table, 0, "*"});
    patterns.push_back({dataset, false, {}, table, 1, "]"});
  }
  Prefilter p = build(patterns);
  EXPECT_TRUE(p.matches("x legacy_dwh_7.table_29* y"));
  EXPECT_TRUE(p.matches("x table_2999 y"));
  EXPECT_FALSE(p.matches("x table_3000 y"));
  EXPECT_FALSE(p.matches("x legacy_dwh_7.table_7x* y"));
  EXPECT_FALSE(p.matches("x legacy_dwh_7.orders_* y"));
}

TEST(Prefilter, NotFollowedByRulesOutLookAlikes) {
  Prefilter p = build({{"user_profile_v1", false, "abcdefghijklmnopqrstuvwxyz0123456789_-"}});
  EXPECT_TRUE(p.matches("\"acme-prod.core_users.user_profile_v1\""));
  EXPECT_TRUE(p.matches("x = user_profile_v1$20240101"));
  EXPECT_TRUE(p.matches("\"user_profile_v1\\n\""));
  EXPECT_TRUE(p.matches("ends with user_profile_v1"));
  EXPECT_TRUE(p.matches("user_profile_v10 and then user_profile_v1."));
  EXPECT_FALSE(p.matches("\"acme-prod.core_users.user_profile_v10\""));
  EXPECT_FALSE(p.matches("user_profile_v1_backup user_profile_v1-old"));
}

TEST(Prefilter, NotFollowedByIsCaselessWithItsPattern) {
  Prefilter p = build(
      {{"user_events", true, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"}});
  EXPECT_TRUE(p.matches("FROM WAREHOUSE.USER_EVENTS WHERE"));
  EXPECT_FALSE(p.matches("FROM warehouse.user_events2"));
}

TEST(Prefilter, Caseless) {
  Prefilter p = build({{"user_events", true}});
  EXPECT_TRUE(p.matches("select * from WAREHOUSE.USER_EVENTS"));
  EXPECT_TRUE(p.matches("User_Events"));
  EXPECT_FALSE(p.matches("user-events"));
}

TEST(Prefilter, SeveralPatterns) {
  Prefilter p = build({{"playback-events", false}, {"user_events", true}, {"TOKEN", false}});
  EXPECT_TRUE(p.matches("topic = \"playback-events\""));
  EXPECT_TRUE(p.matches("USER_EVENTS"));
  EXPECT_TRUE(p.matches("xTOKENx"));
  EXPECT_FALSE(p.matches("token playback_events user-events"));
}

TEST(Prefilter, MetacharactersAreLiteral) {
  Prefilter p = build({{"a.b*c(d)[e]$", false}, {"x+?", false}});
  EXPECT_TRUE(p.matches("--a.b*c(d)[e]$--"));
  EXPECT_FALSE(p.matches("aXbbbcd[e]"));
  EXPECT_TRUE(p.matches("x+?"));
  EXPECT_FALSE(p.matches("xx"));
}

TEST(Prefilter, BinaryBytes) {
  std::string withNul("a\0b", 3);
  Prefilter p = build({{withNul, false}});
  EXPECT_TRUE(p.matches(std::string("xx\0a\0bxx", 8)));
  EXPECT_FALSE(p.matches(std::string("a\0c", 3)));
}

TEST(Prefilter, EmptyPatternIsAnError) {
  Expected<Prefilter> p = Prefilter::build({{"", false}});
  EXPECT_FALSE(p);
}

TEST(Prefilter, MovedPrefilterStillWorks) {
  Prefilter a = build({{"needle", false}});
  Prefilter b = std::move(a);
  EXPECT_TRUE(b.matches("haystack with a needle"));
  Prefilter c = build({{"other", false}});
  c = std::move(b);
  EXPECT_TRUE(c.matches("needle"));
  EXPECT_FALSE(c.matches("other"));
}

TEST(Prefilter, LargeInput) {
  std::string big(8 << 20, 'x');
  Prefilter p = build({{"needle", false}});
  EXPECT_FALSE(p.matches(big));
  big.replace(big.size() - 6, 6, "needle");
  EXPECT_TRUE(p.matches(big));
}

TEST(Prefilter, ManyThreadsAndSeveralPrefilters) {
  // Different databases, used alternately from many threads: every thread's scratch must fit
  // each of them and results must not leak between scans.
  Prefilter small = build({{"alpha", false}});
  std::vector<PrefilterPattern> many;
  for (int i = 0; i < 200; ++i)
    many.push_back({"pattern_number_" + std::to_string(i) + "_end", i % 2 == 0});
  Prefilter large = build(many);
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        const int n = (i * 7 + t) % 200;
        const std::string hit = "..PATTERN_NUMBER_" + std::to_string(n) + "_END..";
        const bool caselessHit = n % 2 == 0;
        if (large.matches(hit) != caselessHit)
          ++wrong;
        if (!large.matches("pattern_number_" + std::to_string(n) + "_end"))
          ++wrong;
        if (large.matches("pattern_number_x_end"))
          ++wrong;
        if (small.matches("beta") || !small.matches("alphabet"))
          ++wrong;
      }
    });
  for (std::thread& th : threads)
    th.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(Prefilter, PrefilterBuiltInAThreadIsUsableEverywhere) {
  std::unique_ptr<Prefilter> p;
  std::thread([&] { p = std::make_unique<Prefilter>(build({{"made-elsewhere", false}})); }).join();
  EXPECT_TRUE(p->matches("x made-elsewhere y"));
  bool other = false;
  std::thread([&] { other = p->matches("made-elsewhere"); }).join();
  EXPECT_TRUE(other);
}

TEST(Prefilter, MatcherPatternsFindComposedReferences) {
  DatasetSpec spec;
  spec.kind = DatasetKind::BigQueryTable;
  spec.from = "acme-prod.core_users.user_profile_v1";
  spec.to = "acme-prod.core_users.user_profile_v2";
  Prefilter p = build(DatasetMatcher(spec).prefilterPatterns());
  EXPECT_TRUE(p.matches("val t = s\"$project.$dataset.user_profile_v1\""));
  EXPECT_FALSE(p.matches("val t = s\"$project.$dataset.user_profile_v2\""));
}

} // namespace
} // namespace godwit
