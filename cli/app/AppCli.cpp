#include "cli/app/AppCli.h"

#include "bot/app/AppServer.h"
#include "bot/app/MigrationRegistry.h"
#include "bot/app/StoreIntake.h"
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

// A reload's lines, then how many migrations are active.
void logReload(const RegistryReload& reload, const MigrationRegistry& registry) {
  for (const std::string& line : reloadLines(reload))
    logLine(line);
  logLine("migration registry: " + std::to_string(registry.snapshot()->migrations.size()) +
          " active, " + std::to_string(reload.errors.size()) + " file(s) with errors");
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
  // The active migrations (docs/app.md#the-migration-registry), for the delivery workers
  // (registry.snapshot()); loaded once here and again on each SIGHUP.
  MigrationRegistry registry(config->migrationsDir);
  if (!config->migrationsDir.empty()) {
    auto loaded = registry.reload();
    if (!loaded) {
      std::cerr << loaded.error().str() << "\n";
      return 2;
    }
    logReload(*loaded, registry);
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
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  AppServer server(std::move(options));
  if (auto started = server.start(); !started) {
    std::cerr << started.error().str() << "\n";
    return 1;
  }
  const bool v6 = config->address.find(':') != std::string::npos;
  logLine("listening on " + (v6 ? "[" + config->address + "]" : config->address) + ":" +
          std::to_string(server.port()));
  int signal = 0;
  while (sigwait(&signals, &signal) == 0 && signal == SIGHUP) {
    if (config->migrationsDir.empty()) {
      logLine("SIGHUP: no --migrations folder to reload");
      continue;
    }
    auto reloaded = registry.reload();
    if (!reloaded) {
      const Error& error = reloaded.error();
      logLine("SIGHUP: migrations not reloaded, the loaded ones stay active: " +
              Error{error.message, error.file, error.line, error.column, ""}.str());
      continue;
    }
    logReload(*reloaded, registry);
  }
  logLine(std::string("stopping on ") + (signal == SIGINT ? "SIGINT" : "SIGTERM"));
  server.stop();
  return 0;
}

} // namespace godwit
