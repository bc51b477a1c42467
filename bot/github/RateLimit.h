#pragma once
// Rate limits, retries and pacing for the GitHub REST API, as pure decisions over
// (status, headers, attempt, now) so they can be tested without waiting.

#include "bot/github/Http.h"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace godwit {

using WallClock = std::chrono::system_clock;
using Millis = std::chrono::milliseconds;

/// The wall clock and the way to wait. Injectable so that tests neither sleep nor depend on the
/// real time; the API client never calls std::this_thread::sleep_for directly.
class Clock {
public:
  virtual ~Clock() = default;
  /// The current wall-clock time (rate-limit resets and JWT claims are wall-clock times).
  virtual WallClock::time_point now() = 0;
  /// Blocks the calling thread for `duration`.
  virtual void sleepFor(Millis duration) = 0;
};

/// The real clock: std::chrono::system_clock and std::this_thread::sleep_for.
std::shared_ptr<Clock> systemClock();

/// Limits of the retry loop; the defaults follow GitHub's published guidance.
struct RetryPolicy {
  int maxAttempts = 6;            ///< Attempts of one request in total, the first included.
  Millis transientBase{1000};     ///< First backoff after a 5xx or a network error.
  Millis transientCap{30000};     ///< Longest backoff after a 5xx or a network error.
  Millis secondaryMinimum{60000}; ///< Wait after a secondary limit without `retry-after`.
  Millis secondaryCap{900000};    ///< Longest wait after repeated secondary limits.
  Millis maxWait{3900000};        ///< Longest single wait accepted (a primary reset is <= 1 h).
  Millis writeSpacing{1000};      ///< Gap between two content-creating requests.
};

/// Which rate limit, if any, refused a request.
enum class LimitKind { None, Primary, Secondary };

/// Classifies a response: primary when `x-ratelimit-remaining` is 0 on a 403/429; secondary on a
/// 403/429 with `retry-after` or rate-limit wording in the body; otherwise None.
LimitKind classifyLimit(long status, const HttpHeaders& headers, std::string_view body);

/// What the client does with the outcome of one attempt.
enum class RetryAction {
  Accept, ///< The response is final (success, or an error that retrying cannot fix).
  Retry,  ///< Wait `wait`, then send the same request again.
  GiveUp, ///< Retrying could help but the policy's limits are exhausted; `reason` says why.
};

/// A decision with the wait before the next attempt and a human-readable reason.
struct RetryDecision {
  RetryAction action = RetryAction::Accept;
  Millis wait{0};
  std::string reason;
  LimitKind limit = LimitKind::None; ///< The rate limit that refused the request, if one did.
};

/// Decides after attempt `attempt` (1-based) of a request. `status` is empty when no response
/// arrived (network error). 5xx and network errors back off exponentially; limits wait as
/// GitHub asks; other statuses are accepted as final.
RetryDecision decideRetry(const RetryPolicy& policy, std::optional<long> status,
                          const HttpHeaders& headers, std::string_view body, int attempt,
                          WallClock::time_point now);

/// How long to hold the next request after a response whose `x-ratelimit-remaining` is 0:
/// until `x-ratelimit-reset` (plus one second of margin); zero otherwise.
Millis primaryBudgetWait(const HttpHeaders& headers, WallClock::time_point now);

/// How long a content-creating request must wait so that it starts at least `spacing` after
/// the previous one finished (`lastWrite`, empty if there was none).
Millis writeSpacingWait(std::optional<WallClock::time_point> lastWrite, WallClock::time_point now,
                        Millis spacing);

/// `base * 2^(attempt-1)`, capped at `cap` (attempt is 1-based).
Millis exponentialBackoff(Millis base, Millis cap, int attempt);

/// The `retry-after` header as a duration: delta-seconds or an HTTP-date relative to `now`.
std::optional<Millis> parseRetryAfter(const HttpHeaders& headers, WallClock::time_point now);

/// Whether a method creates or changes content (POST, PATCH, PUT, DELETE): such requests are
/// sent one at a time, `RetryPolicy::writeSpacing` apart.
bool isContentCreating(std::string_view method);

} // namespace godwit
