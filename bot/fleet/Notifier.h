#pragma once
// Campaign notifications (docs/runner.md, `rollout.notify.webhook`): a JSON POST when a wave
// starts, a gate pauses the campaign, the campaign finishes, and a rollback starts and ends.
// Each notice is recorded in the campaign's event log just before it is sent and never sent
// again; a notice that cannot be delivered is a warning, never an error of the campaign. No
// message names more of the webhook's URL than its scheme and host, which may hold a secret.

#include "bot/github/Http.h"
#include "bot/github/RateLimit.h"
#include "bot/store/Store.h"

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace godwit {

/// One notice about a campaign.
struct CampaignNotice {
  /// `wave-started`, `gate-paused`, `campaign-finished`, `rollback-started` or
  /// `rollback-finished`.
  std::string event;
  /// Names the notice within its campaign (`wave-started/2`): it is sent once. Empty means it is
  /// sent every time (a rollback stopped by an error).
  std::string key;
  int wave = 0;       ///< The wave it is about; 0 for a rollback.
  std::string reason; ///< Why; may be empty.
};

/// How notices are sent.
struct NotifierOptions {
  std::chrono::milliseconds timeout{5000};    ///< Per attempt: connecting and the answer together.
  std::chrono::milliseconds retryDelay{1000}; ///< Before the one retry.
  std::shared_ptr<Clock> clock = systemClock(); ///< Waits out `retryDelay`.
  std::function<void(const std::string&)> warn; ///< Receives each warning; may be empty.
};

/// What became of one POST.
struct Delivery {
  bool delivered = false; ///< A 2xx answer arrived.
  std::string detail;     ///< `HTTP 204`, or what went wrong; never the URL's path or query.
};

/// Sends a campaign's notices to one webhook.
class Notifier {
public:
  /// A notifier for `url` (http:// or https://, as the migration validated it).
  explicit Notifier(std::string url, NotifierOptions options = {});

  /// `scheme://host[:port]` of the webhook: all of its URL that a message may show.
  const std::string& origin() const { return origin_; }

  /// POSTs `body` as `application/json`, once more after a transport failure or a 5xx; a
  /// failure is also passed to the `warn` option.
  Delivery post(const std::string& body);

  /// Sends `notice` about `campaign` at `now` unless the store's event log holds it already:
  /// `notify.start` is recorded before the POST, `notify` (the outcome) after. The body carries
  /// the repositories by state and the number of waves, read from the store. An Error means the
  /// store failed; a failed delivery is only a warning.
  Expected<void> notify(Store& store, const std::string& campaign, const CampaignNotice& notice,
                        WallClock::time_point now);

private:
  Delivery send(const std::string& body, const std::string& event);
  std::string scrub(std::string text) const;

  std::string url_;
  std::string origin_;
  NotifierOptions options_;
  HttpClient http_;
};

/// `scheme://host[:port]` of `url`, without user information, path, query or fragment.
std::string urlOrigin(const std::string& url);

} // namespace godwit
