#include "cli/app/AppCli.h"

#include "bot/app/AppRuntime.h"
#include "bot/app/InstallationClients.h"
#include "bot/app/MigrationRegistry.h"
#include "bot/fleet/Inventory.h"
#include "bot/github/GitHubClient.h"
#include "bot/store/OpenStore.h"
#include "cli/app/AppOptions.h"

#include <atomic>
#include <csignal>
#include <iostream>
#include <mutex>

#include <pthread.h>
#include <unistd.h>

namespace godwit {
namespace {

std::string hostName() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0 || !name[0])
    return "godwit-app";
  return name;
}

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

// The store, the endpoints and the worker pool as the flags say: where to listen, the limits,
// the secrets, the workers' names and leases, the bot's login, the lifecycle's caches.
void serverAndWorkerOptions(const AppFlags& flags, const AppConfig& config,
                            AppRuntimeOptions& options) {
  options.openStore = [store = flags.store] {
    return openStore(store.store, StoreOptions{store.passwordFile});
  };
  options.server.http.address = config.address;
  options.server.http.port = config.port;
  options.server.http.threads = flags.threads;
  options.server.http.maxInFlight = flags.maxInFlight;
  options.server.http.timeout =
      std::chrono::milliseconds(static_cast<int64_t>(flags.timeoutSeconds * 1000));
  options.server.webhookSecrets = config.webhookSecrets;
  options.server.log = logLine;

  options.workers.workers = flags.workers;
  options.workers.instance = flags.instance.empty() ? hostName() : flags.instance;
  options.workers.lease = std::chrono::seconds(static_cast<int64_t>(flags.leaseSeconds));
  options.workers.handler.botLogin = flags.botLogin;
  options.workers.keepFinished = std::chrono::hours(24 * flags.keepDays);
  options.workers.log = logLine;

  options.work.lifecycle.cacheDir = flags.cacheDir;
  options.work.lifecycle.log = logLine;
  options.work.log = logLine;
}

// The code-host clients: one per installation (one for everything with a token), shared by the
// event work, the registry loads and the campaigns: one installation token and one pacing of its
// writes.
std::shared_ptr<InstallationClients> installationClients(const AppConfig& config) {
  InstallationClientsOptions o;
  o.config = [app = config](int64_t installation) { return codeHostFor(app, installation); };
  return std::make_shared<InstallationClients>(std::move(o));
}

// The event work acts as the installation each delivery names.
void workHost(std::shared_ptr<InstallationClients> clients, AppWorkOptions& work) {
  work.host = [clients](int64_t installation) -> Expected<std::shared_ptr<CodeHost>> {
    Expected<std::shared_ptr<GitHubClient>> client = clients->get(installation);
    if (!client)
      return client.error();
    return std::shared_ptr<CodeHost>(*client);
  };
}

// The reconciliation of missed deliveries, with a client acting as the App itself (its JWT): a
// token cannot read the App's delivery log. Left off without the App's id or with
// --reconcile-every 0; an Error when that client cannot be made.
Expected<void> reconcileOptions(const AppFlags& flags, const AppConfig& config,
                                ReconcileOptions& reconcile) {
  if (config.appId.empty() || flags.reconcileSeconds <= 0)
    return {};
  CodeHostConfig self;
  self.apiUrl = config.apiUrl;
  self.appId = config.appId;
  self.privateKeyPem = config.privateKeyPem;
  self.appOnly = true;
  Expected<std::unique_ptr<GitHubClient>> made = GitHubClient::create(self);
  if (!made)
    return made.error();
  std::shared_ptr<GitHubClient> appClient = std::move(*made);
  reconcile.every = std::chrono::seconds(flags.reconcileSeconds);
  reconcile.list = [appClient](const std::string& since) {
    return appClient->appHookDeliveries(since);
  };
  reconcile.redeliver = [appClient](int64_t id) {
    return appClient->redeliverAppHookDelivery(id);
  };
  reconcile.log = logLine;
  return {};
}

// The App's own campaigns: opt-in (--fleet-installation or --fleet-org), since a pass opens pull
// requests across the fleet. They act through the very client the events of that installation
// use; an Error when it cannot be made.
Expected<void> campaignOptions(const AppFlags& flags, InstallationClients& clients,
                               CampaignDriverOptions& campaigns) {
  if (flags.fleetInstallation <= 0 && flags.fleetOrg.empty())
    return {};
  Expected<std::shared_ptr<GitHubClient>> client = clients.get(flags.fleetInstallation);
  if (!client)
    return client.error();
  std::shared_ptr<GitHubClient> fleetClient = *client;
  campaigns.every = std::chrono::seconds(flags.campaignSeconds);
  campaigns.inventory = [fleetClient, org = flags.fleetOrg] {
    return org.empty() ? githubInstallationInventory(*fleetClient)
                       : githubOrgInventory(*fleetClient, org);
  };
  campaigns.host = [fleetClient]() -> Expected<std::shared_ptr<CodeHost>> {
    return std::shared_ptr<CodeHost>(fleetClient);
  };
  campaigns.sweep.jobs = flags.sweepJobs;
  campaigns.sweep.lifecycle.cacheDir = flags.cacheDir;
  campaigns.sweep.lifecycle.log = logLine;
  campaigns.log = logLine;
  return {};
}

// The migration registry (docs/app.md#the-migration-registry) as godwit-app keeps it current:
// from the --migrations folder, at start and on SIGHUP; or from the --registry-repo repository,
// from its tip at start and on SIGHUP (as --registry-installation) and at the commit of each
// push to it (through the event work). A reload after the start wakes the campaigns.
class AppRegistry {
public:
  AppRegistry(const AppConfig& config, const AppFlags& flags,
              std::shared_ptr<InstallationClients> clients)
      : config_(config), cacheDir_(flags.cacheDir), installation_(flags.registryInstallation),
        clients_(std::move(clients)), registry_(config.migrationsDir) {}

  // Loads the folder, if one is configured; its Error stops the App before it listens.
  Expected<void> loadFolder() {
    if (config_.migrationsDir.empty())
      return {};
    Expected<RegistryReload> loaded = registry_.reload();
    if (!loaded)
      return loaded.error();
    logReload(*loaded, registry_);
    return {};
  }

  // Loads the registry repository's tip, if one is configured, and gives the work the active
  // migrations and the reload at a push. A tip that does not load is logged: its next push or
  // SIGHUP loads it.
  void wire(AppRuntimeOptions& options) {
    options.work.migrations = [this] {
      std::vector<ActiveMigration> active;
      for (const auto& [name, entry] : registry_.snapshot()->migrations)
        active.push_back({entry.migration, entry.digest});
      return active;
    };
    if (!config_.registryRepo)
      return;
    if (Expected<void> loaded = loadTip(); !loaded)
      logLine("migration registry: " + config_.registryRepo->fullName +
              " not loaded at start (its next push or SIGHUP loads it): " +
              loaded.error().message);
    options.workers.handler.registryRepository = config_.registryRepo->fullName;
    options.work.reloadRegistry = [this](CodeHost& host, const RepositoryRecord& record,
                                         const std::string& sha) -> Expected<void> {
      Expected<RegistryReload> loaded =
          loadRegistryRepository(registry_, *config_.registryRepo, host, cacheDir_, sha);
      if (!loaded)
        return loaded.error();
      logLine("migration registry: " + record.fullName + " at " + sha.substr(0, 12));
      logReload(*loaded, registry_);
      if (AppRuntime* runtime = running_.load())
        runtime->wakeCampaigns();
      return {};
    };
  }

  // The started runtime, whose campaigns a push to the registry wakes.
  void started(AppRuntime& runtime) { running_ = &runtime; }

  // SIGHUP: loads the tip or the folder again and wakes the campaigns; on an error the loaded
  // migrations stay active.
  void reload(AppRuntime& runtime) {
    if (config_.registryRepo) {
      if (Expected<void> loaded = loadTip(); !loaded)
        logLine("SIGHUP: migrations not reloaded, the loaded ones stay active: " +
                loaded.error().message);
      else
        runtime.wakeCampaigns();
      return;
    }
    if (config_.migrationsDir.empty()) {
      logLine("SIGHUP: no --migrations folder or --registry-repo to reload");
      return;
    }
    Expected<RegistryReload> reloaded = registry_.reload();
    if (!reloaded) {
      const Error& error = reloaded.error();
      logLine("SIGHUP: migrations not reloaded, the loaded ones stay active: " +
              Error{error.message, error.file, error.line, error.column, ""}.str());
      return;
    }
    logReload(*reloaded, registry_);
    runtime.wakeCampaigns();
  }

private:
  // The registry repository's tip, read as the installation that can see it.
  Expected<void> loadTip() {
    Expected<std::shared_ptr<GitHubClient>> host = clients_->get(installation_);
    if (!host)
      return host.error();
    Expected<RegistryReload> loaded =
        loadRegistryRepository(registry_, *config_.registryRepo, **host, cacheDir_);
    if (!loaded)
      return loaded.error();
    logReload(*loaded, registry_);
    return {};
  }

  const AppConfig& config_;
  std::string cacheDir_;
  int64_t installation_;
  std::shared_ptr<InstallationClients> clients_;
  MigrationRegistry registry_;
  std::atomic<AppRuntime*> running_{nullptr}; // Read by the workers, set once started.
};

// SIGINT, SIGTERM and SIGHUP, blocked before the I/O threads start, so that they inherit the
// mask and only sigwait sees the signals.
sigset_t blockSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

// Waits for `signals`: each SIGHUP reloads the registry; returns the signal that stops the App.
int waitForStop(const sigset_t& signals, AppRegistry& registry, AppRuntime& runtime) {
  int signal = 0;
  while (sigwait(&signals, &signal) == 0 && signal == SIGHUP)
    registry.reload(runtime);
  return signal;
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
  const std::shared_ptr<InstallationClients> clients = installationClients(*config);
  AppRegistry registry(*config, flags, clients);
  if (Expected<void> loaded = registry.loadFolder(); !loaded) {
    std::cerr << loaded.error().str() << "\n";
    return 2;
  }

  AppRuntimeOptions options;
  serverAndWorkerOptions(flags, *config, options);
  workHost(clients, options.work);
  if (Expected<void> r = reconcileOptions(flags, *config, options.reconcile); !r) {
    std::cerr << r.error().str() << "\n";
    return 2;
  }
  registry.wire(options);
  if (Expected<void> c = campaignOptions(flags, *clients, options.campaigns); !c) {
    std::cerr << c.error().str() << "\n";
    return 2;
  }

  const sigset_t signals = blockSignals();
  AppRuntime runtime(std::move(options));
  if (auto started = runtime.start(); !started) {
    std::cerr << started.error().str() << "\n";
    return 1;
  }
  registry.started(runtime);
  if (runtime.requeued() > 0)
    logLine("took up " + std::to_string(runtime.requeued()) +
            " deliveries left running by a stopped instance");
  const bool v6 = config->address.find(':') != std::string::npos;
  logLine("listening on " + (v6 ? "[" + config->address + "]" : config->address) + ":" +
          std::to_string(runtime.port()) + ", " + std::to_string(flags.workers) + " workers");
  const int signal = waitForStop(signals, registry, runtime);
  logLine(std::string("stopping on ") + (signal == SIGINT ? "SIGINT" : "SIGTERM"));
  runtime.stop();
  return 0;
}

} // namespace godwit
