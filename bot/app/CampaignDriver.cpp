#include "bot/app/CampaignDriver.h"

namespace godwit {

Expected<void> driveCampaigns(const CampaignDriverOptions& options) {
  if (!options.migrations || !options.inventory || !options.host)
    return makeError("the campaigns need the registry, an inventory and a code host");
  const std::vector<ActiveMigration> active = options.migrations();
  if (active.empty())
    return {};
  Expected<std::vector<FleetRepo>> fleet = options.inventory();
  if (!fleet)
    return fleet.error();
  Expected<std::shared_ptr<CodeHost>> host = options.host();
  if (!host)
    return host.error();
  std::optional<Error> first;
  for (const ActiveMigration& m : active) {
    SweepSettings settings = options.sweep;
    settings.migrationDigest = m.digest;
    Expected<SweepSummary> swept = sweepCampaign(m.migration, *fleet, **host, settings);
    if (!swept) {
      if (options.log)
        options.log("campaign " + m.migration.name + ": the sweep stopped: " +
                    swept.error().message);
      if (!first)
        first = swept.error();
      continue;
    }
    if (options.log) {
      std::string line = "campaign " + m.migration.name + ": " + swept->campaignState + ", wave " +
                         std::to_string(swept->currentWave) + " of " +
                         std::to_string(swept->waves) + ", " + std::to_string(swept->processed) +
                         " repositories taken up";
      if (!swept->stoppedBecause.empty())
        line += "; stopped: " + swept->stoppedBecause;
      options.log(line);
    }
  }
  if (first)
    return *first;
  return {};
}

CampaignDriver::CampaignDriver(CampaignDriverOptions options) : options_(std::move(options)) {}

CampaignDriver::~CampaignDriver() {
  stop();
}

void CampaignDriver::start() {
  if (!thread_.joinable())
    thread_ = std::thread([this] { loop(); });
}

void CampaignDriver::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wake_.notify_all();
}

void CampaignDriver::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable())
    thread_.join();
}

int CampaignDriver::passes() const {
  std::lock_guard lock(mutex_);
  return passes_;
}

void CampaignDriver::loop() {
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_)
        return;
      woken_ = false;
    }
    if (Expected<void> r = driveCampaigns(options_); !r && options_.log)
      options_.log("campaigns: " + r.error().message);
    std::unique_lock lock(mutex_);
    ++passes_;
    wake_.wait_for(lock, options_.every, [this] { return stopping_ || woken_; });
  }
}

} // namespace godwit
