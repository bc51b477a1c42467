#pragma once
// The App driving its campaigns (docs/app.md, "Campaigns"): every active migration of the
// registry is swept over the App's fleet, so a migration file merged into the registry starts
// its campaign under its `rollout:` rules, and later passes carry it through its waves and
// gates. Each pass is the runner's sweep (bot/fleet/Sweep.h), run on the App's own thread.

#include "bot/app/AppWork.h"
#include "bot/fleet/FleetRepo.h"
#include "bot/fleet/Sweep.h"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace godwit {

/// What the driver needs.
struct CampaignDriverOptions {
  std::chrono::seconds every{900}; ///< Between passes; a wake() starts one sooner.
  std::function<std::vector<ActiveMigration>()> migrations; ///< The registry's snapshot.
  /// The fleet the campaigns roll out over, read again for every pass.
  std::function<Expected<std::vector<FleetRepo>>()> inventory;
  /// The code host the sweeps act with.
  std::function<Expected<std::shared_ptr<CodeHost>>()> host;
  /// Engine and lifecycle options, jobs, the store; `migrationDigest` is set per migration.
  SweepSettings sweep;
  std::function<void(const std::string&)> log; ///< One line per campaign swept; may be empty.
};

/// One pass over every active migration: sweeps its campaign (planned on the first pass) over
/// the inventory. A campaign that fails is logged and the others go on; the result is the
/// first error, if any.
Expected<void> driveCampaigns(const CampaignDriverOptions& options);

/// Runs driveCampaigns on its own thread: once at start, then every `every` and after each
/// wake(), one pass at a time.
class CampaignDriver {
public:
  explicit CampaignDriver(CampaignDriverOptions options);
  ~CampaignDriver();
  CampaignDriver(const CampaignDriver&) = delete;
  CampaignDriver& operator=(const CampaignDriver&) = delete;

  /// Starts the thread.
  void start();
  /// Asks for a pass as soon as the current one (if any) ends: the registry changed.
  void wake();
  /// Lets the current pass finish and joins. Idempotent.
  void stop();
  /// Passes completed so far.
  int passes() const;

private:
  void loop();

  CampaignDriverOptions options_;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool woken_ = false;
  int passes_ = 0;
};

} // namespace godwit
