#include "bot/github/RateLimit.h"
#include "rules/Text.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>
#include <thread>

namespace godwit {

namespace {

class SystemClock final : public Clock {
public:
  WallClock::time_point now() override { return WallClock::now(); }
  void sleepFor(Millis duration) override {
    if (duration.count() > 0)
      std::this_thread::sleep_for(duration);
  }
};

std::optional<long long> headerInteger(const HttpHeaders& headers, const std::string& name) {
  auto it = headers.find(name);
  if (it == headers.end())
    return std::nullopt;
  const std::string& text = it->second;
  long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size())
    return std::nullopt;
  return value;
}

Millis untilReset(const HttpHeaders& headers, WallClock::time_point now) {
  auto reset = headerInteger(headers, "x-ratelimit-reset");
  if (!reset)
    return Millis(60000);
  auto resetAt = WallClock::time_point(std::chrono::seconds(*reset));
  auto wait = std::chrono::duration_cast<Millis>(resetAt - now) + Millis(1000);
  return std::max(wait, Millis(1000));
}

std::string seconds(Millis wait) {
  return std::to_string((wait.count() + 999) / 1000) + " s";
}

} // namespace

std::shared_ptr<Clock> systemClock() {
  static auto clock = std::make_shared<SystemClock>();
  return clock;
}

LimitKind classifyLimit(long status, const HttpHeaders& headers, std::string_view body) {
  if (status != 403 && status != 429)
    return LimitKind::None;
  auto remaining = headerInteger(headers, "x-ratelimit-remaining");
  if (remaining && *remaining == 0 && headers.count("x-ratelimit-reset") &&
      !headers.count("retry-after"))
    return LimitKind::Primary;
  if (headers.count("retry-after"))
    return LimitKind::Secondary;
  std::string text = lower(body);
  if (text.find("rate limit") != std::string::npos || text.find("abuse") != std::string::npos)
    return LimitKind::Secondary;
  // A 429 is a rate limit by definition even when the body does not say which.
  return status == 429 ? LimitKind::Secondary : LimitKind::None;
}

RetryDecision decideRetry(const RetryPolicy& policy, std::optional<long> status,
                          const HttpHeaders& headers, std::string_view body, int attempt,
                          WallClock::time_point now) {
  RetryDecision decision;
  Millis wait{0};
  if (!status) {
    wait = exponentialBackoff(policy.transientBase, policy.transientCap, attempt);
    decision.reason = "no response from the server";
  } else if (*status >= 500 && *status <= 599) {
    wait = exponentialBackoff(policy.transientBase, policy.transientCap, attempt);
    if (auto after = parseRetryAfter(headers, now))
      wait = std::max(wait, *after);
    decision.reason = "server error " + std::to_string(*status);
  } else {
    decision.limit = classifyLimit(*status, headers, body);
    switch (decision.limit) {
    case LimitKind::None:
      return decision;
    case LimitKind::Primary:
      wait = untilReset(headers, now);
      decision.reason = "primary rate limit exhausted";
      break;
    case LimitKind::Secondary:
      if (auto after = parseRetryAfter(headers, now)) {
        wait = *after;
      } else if (auto remaining = headerInteger(headers, "x-ratelimit-remaining");
                 remaining && *remaining == 0 && headers.count("x-ratelimit-reset")) {
        wait = untilReset(headers, now);
      } else {
        wait = exponentialBackoff(policy.secondaryMinimum, policy.secondaryCap, attempt);
      }
      decision.reason = "secondary rate limit";
      break;
    }
  }
  if (attempt >= policy.maxAttempts) {
    decision.action = RetryAction::GiveUp;
    decision.reason += "; gave up after " + std::to_string(attempt) + " attempts";
    return decision;
  }
  if (wait > policy.maxWait) {
    decision.action = RetryAction::GiveUp;
    decision.reason += "; the required wait of " + seconds(wait) + " exceeds the limit of " +
                       seconds(policy.maxWait);
    return decision;
  }
  decision.action = RetryAction::Retry;
  decision.wait = wait;
  decision.reason += "; retrying in " + seconds(wait);
  return decision;
}

Millis primaryBudgetWait(const HttpHeaders& headers, WallClock::time_point now) {
  auto remaining = headerInteger(headers, "x-ratelimit-remaining");
  if (!remaining || *remaining > 0 || !headers.count("x-ratelimit-reset"))
    return Millis(0);
  return untilReset(headers, now);
}

Millis writeSpacingWait(std::optional<WallClock::time_point> lastWrite, WallClock::time_point now,
                        Millis spacing) {
  if (!lastWrite)
    return Millis(0);
  auto elapsed = std::chrono::duration_cast<Millis>(now - *lastWrite);
  return elapsed >= spacing ? Millis(0) : spacing - elapsed;
}

Millis exponentialBackoff(Millis base, Millis cap, int attempt) {
  Millis wait = base;
  for (int i = 1; i < attempt && wait < cap; ++i)
    wait *= 2;
  return std::min(wait, cap);
}

std::optional<Millis> parseRetryAfter(const HttpHeaders& headers, WallClock::time_point now) {
  auto it = headers.find("retry-after");
  if (it == headers.end())
    return std::nullopt;
  if (auto secs = headerInteger(headers, "retry-after"))
    return Millis(std::max<long long>(*secs, 0) * 1000);
  std::tm tm{};
  const char* end = strptime(it->second.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (!end)
    return std::nullopt;
  auto at = WallClock::from_time_t(timegm(&tm));
  return std::max(std::chrono::duration_cast<Millis>(at - now), Millis(0));
}

bool isContentCreating(std::string_view method) {
  return method == "POST" || method == "PATCH" || method == "PUT" || method == "DELETE";
}

} // namespace godwit
