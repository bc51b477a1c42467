#include "cli/app/AppCli.h"

#include "bot/app/AppServer.h"
#include "bot/app/StoreIntake.h"
#include "bot/fleet/Campaign.h"
#include "bot/store/OpenStore.h"
#include "cli/app/AppOptions.h"

#include <csignal>
#include <iostream>
#include <mutex>

#include <pthread.h>

namespace godwit {
namespace {

/// The store behind a lock: a Store instance serves one thread at a time, and every I/O thread
/// uses this one.
class LockedStore {
public:
  explicit LockedStore(std::unique_ptr<Store> store) : store_(std::move(store)) {}

  template <class F> auto with(F&& f) {
    std::lock_guard lock(mutex_);
    return f(*store_);
  }

private:
  std::mutex mutex_;
  std::unique_ptr<Store> store_;
};

void logLine(const std::string& line) {
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  std::cerr << "godwit-app: " << line << std::endl;
}

} // namespace

int runAppCli(int argc, char** argv) {
  CLI::App app{"godwit-app: the GitHub App's server. Receives GitHub's webhook deliveries at "
               "POST /webhook, checks their signature and queues them in the store; serves "
               "/healthz, /readyz and /metrics (docs/app.md)."};
  app.set_version_flag("--version", std::string("godwit-app ") + GODWIT_VERSION);
  AppFlags flags;
  addAppOptions(app, flags);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  auto config = resolveAppConfig(flags);
  if (!config) {
    std::cerr << config.error().str() << "\n";
    return 2;
  }
  auto opened = openStore(flags.store.store, StoreOptions{flags.store.passwordFile});
  if (!opened) {
    std::cerr << opened.error().str() << "\n";
    return 1;
  }
  LockedStore store(std::move(*opened));

  AppServerOptions options;
  options.http.address = config->address;
  options.http.port = config->port;
  options.http.threads = flags.threads;
  options.http.maxInFlight = flags.maxInFlight;
  options.http.timeout =
      std::chrono::milliseconds(static_cast<int64_t>(flags.timeoutSeconds * 1000));
  options.webhookSecrets = config->webhookSecrets;
  options.intake = [&store](const WebhookDelivery& delivery) {
    return store.with([&delivery](Store& s) { return queueDelivery(s, delivery); });
  };
  options.queue = [&store] { return store.with([](Store& s) { return s.deliveryCounts(); }); };
  // The status page (docs/app.md): the runner's report, rollout read from each campaign's file.
  options.campaigns = [&store] {
    return store.with([](Store& s) { return loadCampaignIndex(s, WallClock::now()); });
  };
  options.campaignReport = [&store](const std::string& name) {
    return store.with([&name](Store& s) { return loadCampaignStatus(s, name, WallClock::now()); });
  };
  // Any query shows whether the store answers; this one reads one row at most.
  options.ready = [&store]() -> Expected<void> {
    auto probe = store.with([](Store& s) { return s.campaign("godwit-app readiness probe"); });
    if (!probe)
      return probe.error();
    return {};
  };
  options.log = logLine;

  // Blocked before the I/O threads start, so that they inherit the mask and only sigwait sees
  // the signals.
  sigset_t stopSignals;
  sigemptyset(&stopSignals);
  sigaddset(&stopSignals, SIGINT);
  sigaddset(&stopSignals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);

  AppServer server(std::move(options));
  if (auto started = server.start(); !started) {
    std::cerr << started.error().str() << "\n";
    return 1;
  }
  const bool v6 = config->address.find(':') != std::string::npos;
  logLine("listening on " + (v6 ? "[" + config->address + "]" : config->address) + ":" +
          std::to_string(server.port()));
  int signal = 0;
  sigwait(&stopSignals, &signal);
  logLine(std::string("stopping on ") + (signal == SIGINT ? "SIGINT" : "SIGTERM"));
  server.stop();
  return 0;
}

} // namespace godwit
