#include "cli/app/AppCli.h"

#include "bot/app/AppRuntime.h"
#include "bot/app/InstallationClients.h"
#include "bot/app/MigrationRegistry.h"
#include "bot/fleet/Inventory.h"
#include "bot/github/GitHubClient.h"
#include "bot/store/OpenStore.h"
#include "cli/app/AppOptions.h"

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
  AppRuntimeOptions options;
  options.openStore = [&flags] {
    return openStore(flags.store.store, StoreOptions{flags.store.passwordFile});
  };
  options.server.http.address = config->address;
  options.server.http.port = config->port;
  options.server.http.threads = flags.threads;
  options.server.http.maxInFlight = flags.maxInFlight;
  options.server.http.timeout =
      std::chrono::milliseconds(static_cast<int64_t>(flags.timeoutSeconds * 1000));
  options.server.webhookSecrets = config->webhookSecrets;
  options.server.log = logLine;

  options.workers.workers = flags.workers;
  options.workers.instance = flags.instance.empty() ? hostName() : flags.instance;
  options.workers.lease = std::chrono::seconds(static_cast<int64_t>(flags.leaseSeconds));
  options.workers.handler.botLogin = flags.botLogin;
  options.workers.keepFinished = std::chrono::hours(24 * flags.keepDays);
  options.workers.log = logLine;

  // One client per installation (one for everything with a token), shared by the event work,
  // the registry loads and the campaigns: one installation token and one pacing of its writes.
  InstallationClientsOptions clientOptions;
  clientOptions.config = [app = *config](int64_t installation) {
    return codeHostFor(app, installation);
  };
  auto clients = std::make_shared<InstallationClients>(std::move(clientOptions));
  options.work.host = [clients](int64_t installation) -> Expected<std::shared_ptr<CodeHost>> {
    Expected<std::shared_ptr<GitHubClient>> client = clients->get(installation);
    if (!client)
      return client.error();
    return std::shared_ptr<CodeHost>(*client);
  };
  // The App acting as itself reads its delivery log; a token cannot.
  std::shared_ptr<GitHubClient> appClient;
  if (!config->appId.empty() && flags.reconcileSeconds > 0) {
    CodeHostConfig self;
    self.apiUrl = config->apiUrl;
    self.appId = config->appId;
    self.privateKeyPem = config->privateKeyPem;
    self.appOnly = true;
    Expected<std::unique_ptr<GitHubClient>> client = GitHubClient::create(self);
    if (!client) {
      std::cerr << client.error().str() << "\n";
      return 2;
    }
    appClient = std::move(*client);
    options.reconcile.every = std::chrono::seconds(flags.reconcileSeconds);
    options.reconcile.list = [appClient](const std::string& since) {
      return appClient->appHookDeliveries(since);
    };
    options.reconcile.redeliver = [appClient](int64_t id) {
      return appClient->redeliverAppHookDelivery(id);
    };
    options.reconcile.log = logLine;
  }
  AppRuntime* running = nullptr; // Set once started: registry reloads wake its campaigns.
  options.work.migrations = [&registry] {
    std::vector<ActiveMigration> active;
    for (const auto& [name, entry] : registry.snapshot()->migrations)
      active.push_back({entry.migration, entry.digest});
    return active;
  };
  // The registry repository's tip, read as the installation that can see it.
  const auto loadRegistryTip = [&]() -> Expected<void> {
    Expected<std::shared_ptr<CodeHost>> host = options.work.host(flags.registryInstallation);
    if (!host)
      return host.error();
    Expected<RegistryReload> loaded =
        loadRegistryRepository(registry, *config->registryRepo, **host, flags.cacheDir);
    if (!loaded)
      return loaded.error();
    logReload(*loaded, registry);
    return {};
  };
  if (config->registryRepo) {
    if (Expected<void> loaded = loadRegistryTip(); !loaded)
      logLine("migration registry: " + config->registryRepo->fullName +
              " not loaded at start (its next push or SIGHUP loads it): " +
              loaded.error().message);
    options.workers.handler.registryRepository = config->registryRepo->fullName;
    options.work.reloadRegistry = [&](CodeHost& host, const RepositoryRecord& record,
                                      const std::string& sha) -> Expected<void> {
      Expected<RegistryReload> loaded =
          loadRegistryRepository(registry, *config->registryRepo, host, flags.cacheDir, sha);
      if (!loaded)
        return loaded.error();
      logLine("migration registry: " + record.fullName + " at " + sha.substr(0, 12));
      logReload(*loaded, registry);
      if (running)
        running->wakeCampaigns();
      return {};
    };
  }
  // The App's own campaigns: opt-in, since a pass opens pull requests across the fleet.
  std::shared_ptr<GitHubClient> fleetClient;
  if (flags.fleetInstallation > 0 || !flags.fleetOrg.empty()) {
    // The very client the events of that installation use.
    Expected<std::shared_ptr<GitHubClient>> client = clients->get(flags.fleetInstallation);
    if (!client) {
      std::cerr << client.error().str() << "\n";
      return 2;
    }
    fleetClient = *client;
    options.campaigns.every = std::chrono::seconds(flags.campaignSeconds);
    options.campaigns.inventory = [fleetClient, org = flags.fleetOrg] {
      return org.empty() ? githubInstallationInventory(*fleetClient)
                         : githubOrgInventory(*fleetClient, org);
    };
    options.campaigns.host = [fleetClient]() -> Expected<std::shared_ptr<CodeHost>> {
      return std::shared_ptr<CodeHost>(fleetClient);
    };
    options.campaigns.sweep.jobs = flags.sweepJobs;
    options.campaigns.sweep.lifecycle.cacheDir = flags.cacheDir;
    options.campaigns.sweep.lifecycle.log = logLine;
    options.campaigns.log = logLine;
  }
  options.work.lifecycle.cacheDir = flags.cacheDir;
  options.work.lifecycle.log = logLine;
  options.work.log = logLine;

  // Blocked before the I/O threads start, so that they inherit the mask and only sigwait sees
  // the signals.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  AppRuntime runtime(std::move(options));
  if (auto started = runtime.start(); !started) {
    std::cerr << started.error().str() << "\n";
    return 1;
  }
  running = &runtime;
  if (runtime.requeued() > 0)
    logLine("took up " + std::to_string(runtime.requeued()) +
            " deliveries left running by a stopped instance");
  const bool v6 = config->address.find(':') != std::string::npos;
  logLine("listening on " + (v6 ? "[" + config->address + "]" : config->address) + ":" +
          std::to_string(runtime.port()) + ", " + std::to_string(flags.workers) + " workers");
  int signal = 0;
  while (sigwait(&signals, &signal) == 0 && signal == SIGHUP) {
    if (config->registryRepo) {
      if (Expected<void> loaded = loadRegistryTip(); !loaded)
        logLine("SIGHUP: migrations not reloaded, the loaded ones stay active: " +
                loaded.error().message);
      else
        runtime.wakeCampaigns();
      continue;
    }
    if (config->migrationsDir.empty()) {
      logLine("SIGHUP: no --migrations folder or --registry-repo to reload");
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
    runtime.wakeCampaigns();
  }
  logLine(std::string("stopping on ") + (signal == SIGINT ? "SIGINT" : "SIGTERM"));
  runtime.stop();
  return 0;
}

} // namespace godwit
