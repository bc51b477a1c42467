#pragma once
// The `godwit-app` flags and the configuration they resolve to: where to listen, the limits,
// the store, the webhook secrets, the App's credentials (from files or the environment) and where
// the migration registry comes from.

#include "bot/app/MigrationRegistry.h"
#include "bot/github/GitHubClient.h"
#include "cli/StoreOptions.h"

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace godwit {

/// The flags as given.
struct AppFlags {
  std::string listen = "127.0.0.1:8080"; ///< --listen ADDR:PORT (`[::1]:8080` for IPv6).
  StoreFlags store;                      ///< --store, --store-password-file.
  std::string appId;                     ///< --app-id (else $GODWIT_APP_ID).
  std::string privateKeyFile;            ///< --private-key-file (else $GODWIT_APP_PRIVATE_KEY).
  std::string webhookSecretFile;         ///< --webhook-secret-file (else $GODWIT_WEBHOOK_SECRET).
  /// --webhook-secret-file-previous (else $GODWIT_WEBHOOK_SECRET_PREVIOUS): still accepted.
  std::string previousSecretFile;
  int threads = 2;            ///< --threads: I/O threads.
  size_t maxInFlight = 64;    ///< --max-in-flight: beyond it, 503 with Retry-After.
  double timeoutSeconds = 10; ///< --timeout: for a client's headers, then its body.
  unsigned workers = 2;       ///< --workers: deliveries processed at once; 0 only queues them.
  std::string instance;       ///< --instance: names this instance's workers; default host name.
  double leaseSeconds = 900;  ///< --lease: how long a worker holds a delivery.
  std::string apiUrl;         ///< --api-url (else $GODWIT_API_URL, else github.com).
  std::string tokenFile;      ///< --token-file: a token instead of the App (else $GITHUB_TOKEN).
  std::string cacheDir;       ///< --cache-dir: the git caches.
  std::string botLogin;       ///< --bot-login: the App's user, e.g. `godwit[bot]`.
  int reconcileSeconds = 900; ///< --reconcile-every: asks for missed deliveries; 0: never.
  int keepDays = 7;           ///< --keep-deliveries: days finished deliveries are kept.
  std::string migrations;     ///< --migrations DIR (else $GODWIT_MIGRATIONS).
  std::string registryRepo;   ///< --registry-repo OWNER/NAME[:SUBDIR] (else $GODWIT_REGISTRY_REPO).
  int64_t registryInstallation = 0; ///< --registry-installation: to load the registry at start.
  int64_t fleetInstallation = 0; ///< --fleet-installation: the App drives campaigns over it.
  std::string fleetOrg;          ///< --fleet-org: the App drives campaigns over this organization.
  int campaignSeconds = 900;     ///< --campaign-every: between the App's campaign passes.
  unsigned sweepJobs = 2;        ///< --jobs: repositories a campaign pass clones and analyzes at once.
};

/// What the server runs with.
struct AppConfig {
  std::string address;
  uint16_t port = 0;
  std::vector<std::string> webhookSecrets; ///< The current secret, then the previous one if any.
  std::string appId;                       ///< Empty when not configured.
  std::string privateKeyPem;               ///< Empty when not configured.
  std::string apiUrl = "https://api.github.com";
  std::string token; ///< Empty unless --token-file or $GITHUB_TOKEN (and no App) gave one.
  std::string migrationsDir;               ///< The registry's folder; empty when not configured.
  std::optional<RegistryRepository> registryRepo; ///< The registry repository, when configured.
};

/// The code-host configuration the App acts with for installation `installationId`: the token
/// when one is configured, else the App's credentials for that installation. An Error when the
/// App has neither.
Expected<CodeHostConfig> codeHostFor(const AppConfig& config, int64_t installationId);

/// Adds the flags to `app`.
void addAppOptions(CLI::App& app, AppFlags& flags);

/// Splits `ADDR:PORT` (`[ADDR]:PORT` for IPv6) into `config`'s address and port.
Expected<void> parseListen(const std::string& listen, AppConfig& config);

/// Resolves the flags, reading the secret files (trailing white space dropped) and falling back
/// to the environment. No error message contains a secret.
Expected<AppConfig> resolveAppConfig(const AppFlags& flags, const EnvLookup& env = processEnv);

} // namespace godwit
