#include "bot/github/RateLimit.h"

#include <gtest/gtest.h>

namespace godwit {
namespace {

using std::chrono::seconds;

const WallClock::time_point kNow = WallClock::time_point(seconds(1'700'000'000));

std::string epoch(WallClock::time_point at) {
  return std::to_string(std::chrono::duration_cast<seconds>(at.time_since_epoch()).count());
}

TEST(RateLimitTest, ClassifiesPrimarySecondaryAndPermissionRefusals) {
  HttpHeaders exhausted{{"x-ratelimit-remaining", "0"}, {"x-ratelimit-reset", epoch(kNow)}};
  EXPECT_EQ(classifyLimit(403, exhausted, R"({"message":"API rate limit exceeded"})"),
            LimitKind::Primary);
  EXPECT_EQ(classifyLimit(429, exhausted, ""), LimitKind::Primary);
  HttpHeaders budgetLeft{{"x-ratelimit-remaining", "4000"}};
  EXPECT_EQ(
      classifyLimit(403, budgetLeft, R"({"message":"You have exceeded a secondary rate limit."})"),
      LimitKind::Secondary);
  EXPECT_EQ(classifyLimit(403, {{"retry-after", "30"}}, ""), LimitKind::Secondary);
  EXPECT_EQ(classifyLimit(429, budgetLeft, ""), LimitKind::Secondary);
  EXPECT_EQ(
      classifyLimit(403, budgetLeft, R"({"message":"Resource not accessible by integration"})"),
      LimitKind::None);
  EXPECT_EQ(classifyLimit(404, exhausted, ""), LimitKind::None);
}

TEST(RateLimitTest, PrimaryLimitWaitsUntilTheReset) {
  HttpHeaders headers{{"x-ratelimit-remaining", "0"},
                      {"x-ratelimit-reset", epoch(kNow + seconds(120))}};
  RetryDecision d = decideRetry(RetryPolicy{}, 403, headers, "", 1, kNow);
  EXPECT_EQ(d.action, RetryAction::Retry);
  EXPECT_EQ(d.wait, Millis(121000)); // the reset plus one second of margin
}

TEST(RateLimitTest, TheDecisionNamesTheLimitThatRefused) {
  HttpHeaders exhausted{{"x-ratelimit-remaining", "0"},
                        {"x-ratelimit-reset", epoch(kNow + seconds(120))}};
  EXPECT_EQ(decideRetry(RetryPolicy{}, 403, exhausted, "", 1, kNow).limit, LimitKind::Primary);
  EXPECT_EQ(decideRetry(RetryPolicy{}, 429, {{"retry-after", "2"}}, "", 1, kNow).limit,
            LimitKind::Secondary);
  // A server error backs off too, but no rate limit refused it.
  EXPECT_EQ(decideRetry(RetryPolicy{}, 502, {}, "", 1, kNow).limit, LimitKind::None);
  EXPECT_EQ(decideRetry(RetryPolicy{}, std::nullopt, {}, "", 1, kNow).limit, LimitKind::None);
}

TEST(RateLimitTest, PrimaryResetTooFarAwayGivesUp) {
  RetryPolicy policy;
  policy.maxWait = Millis(600000);
  HttpHeaders headers{{"x-ratelimit-remaining", "0"},
                      {"x-ratelimit-reset", epoch(kNow + std::chrono::hours(2))}};
  RetryDecision d = decideRetry(policy, 403, headers, "", 1, kNow);
  EXPECT_EQ(d.action, RetryAction::GiveUp);
  EXPECT_NE(d.reason.find("exceeds"), std::string::npos) << d.reason;
}

TEST(RateLimitTest, SecondaryLimitHonoursRetryAfter) {
  HttpHeaders headers{{"retry-after", "2"}, {"x-ratelimit-remaining", "4000"}};
  RetryDecision d = decideRetry(RetryPolicy{}, 403, headers, "", 1, kNow);
  EXPECT_EQ(d.action, RetryAction::Retry);
  EXPECT_EQ(d.wait, Millis(2000));
  // Even on a later attempt, retry-after is what GitHub asked for.
  EXPECT_EQ(decideRetry(RetryPolicy{}, 403, headers, "", 4, kNow).wait, Millis(2000));
}

TEST(RateLimitTest, SecondaryLimitWithoutRetryAfterWaitsAMinuteThenBacksOffToACap) {
  std::string body = R"({"message":"You have exceeded a secondary rate limit"})";
  RetryPolicy policy;
  policy.maxAttempts = 10;
  EXPECT_EQ(decideRetry(policy, 403, {}, body, 1, kNow).wait, Millis(60000));
  EXPECT_EQ(decideRetry(policy, 403, {}, body, 2, kNow).wait, Millis(120000));
  EXPECT_EQ(decideRetry(policy, 403, {}, body, 3, kNow).wait, Millis(240000));
  EXPECT_EQ(decideRetry(policy, 403, {}, body, 9, kNow).wait, policy.secondaryCap);
}

TEST(RateLimitTest, RetryAfterAsHttpDate) {
  HttpHeaders headers{{"retry-after", "Tue, 14 Nov 2023 22:13:50 GMT"}};
  auto wait = parseRetryAfter(headers, kNow); // kNow is 2023-11-14T22:13:20Z
  ASSERT_TRUE(wait.has_value());
  EXPECT_EQ(*wait, Millis(30000));
  EXPECT_FALSE(parseRetryAfter({{"retry-after", "soon"}}, kNow).has_value());
}

TEST(RateLimitTest, ServerErrorsAndNetworkErrorsBackOffExponentiallyWithACap) {
  RetryPolicy policy;
  policy.maxAttempts = 20;
  EXPECT_EQ(decideRetry(policy, 500, {}, "", 1, kNow).wait, Millis(1000));
  EXPECT_EQ(decideRetry(policy, 502, {}, "", 2, kNow).wait, Millis(2000));
  EXPECT_EQ(decideRetry(policy, std::nullopt, {}, "", 3, kNow).wait, Millis(4000));
  EXPECT_EQ(decideRetry(policy, 503, {}, "", 12, kNow).wait, policy.transientCap);
  EXPECT_EQ(decideRetry(policy, 503, {{"retry-after", "45"}}, "", 1, kNow).wait, Millis(45000));
}

TEST(RateLimitTest, GivesUpAfterMaxAttempts) {
  RetryPolicy policy;
  policy.maxAttempts = 3;
  EXPECT_EQ(decideRetry(policy, 500, {}, "", 2, kNow).action, RetryAction::Retry);
  RetryDecision d = decideRetry(policy, 500, {}, "", 3, kNow);
  EXPECT_EQ(d.action, RetryAction::GiveUp);
  EXPECT_NE(d.reason.find("3 attempts"), std::string::npos) << d.reason;
}

TEST(RateLimitTest, OtherClientErrorsAndSuccessesAreFinal) {
  for (long status : {200L, 201L, 204L, 304L, 400L, 401L, 404L, 409L, 422L}) {
    RetryDecision d = decideRetry(RetryPolicy{}, status, {}, "", 1, kNow);
    EXPECT_EQ(d.action, RetryAction::Accept) << status;
    EXPECT_EQ(d.wait, Millis(0)) << status;
  }
  EXPECT_EQ(decideRetry(RetryPolicy{}, 403, {}, R"({"message":"Must have admin rights"})", 1, kNow)
                .action,
            RetryAction::Accept);
}

TEST(RateLimitTest, ExhaustedBudgetHoldsTheNextRequestUntilReset) {
  HttpHeaders headers{{"x-ratelimit-remaining", "0"},
                      {"x-ratelimit-reset", epoch(kNow + seconds(10))}};
  EXPECT_EQ(primaryBudgetWait(headers, kNow), Millis(11000));
  HttpHeaders budgetLeft{{"x-ratelimit-remaining", "1"},
                         {"x-ratelimit-reset", epoch(kNow + seconds(10))}};
  EXPECT_EQ(primaryBudgetWait(budgetLeft, kNow), Millis(0));
  EXPECT_EQ(primaryBudgetWait({}, kNow), Millis(0));
}

TEST(RateLimitTest, ContentCreatingRequestsAreSpaced) {
  EXPECT_EQ(writeSpacingWait(std::nullopt, kNow, Millis(1000)), Millis(0));
  EXPECT_EQ(writeSpacingWait(kNow - Millis(300), kNow, Millis(1000)), Millis(700));
  EXPECT_EQ(writeSpacingWait(kNow - Millis(2000), kNow, Millis(1000)), Millis(0));
  EXPECT_TRUE(isContentCreating("POST"));
  EXPECT_TRUE(isContentCreating("PATCH"));
  EXPECT_TRUE(isContentCreating("PUT"));
  EXPECT_TRUE(isContentCreating("DELETE"));
  EXPECT_FALSE(isContentCreating("GET"));
}

TEST(RateLimitTest, ExponentialBackoffDoublesAndCaps) {
  EXPECT_EQ(exponentialBackoff(Millis(100), Millis(1000), 1), Millis(100));
  EXPECT_EQ(exponentialBackoff(Millis(100), Millis(1000), 4), Millis(800));
  EXPECT_EQ(exponentialBackoff(Millis(100), Millis(1000), 5), Millis(1000));
  EXPECT_EQ(exponentialBackoff(Millis(100), Millis(1000), 500), Millis(1000));
}

} // namespace
} // namespace godwit
