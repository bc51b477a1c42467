#include "cli/app/AppOptions.h"

#include "bot/github/Auth.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

namespace godwit {
namespace {

std::string trimEnd(std::string text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.pop_back();
  return text;
}

// A secret from `file` when given, else from the environment variable `variable`; empty when
// neither is set.
Expected<std::string> secret(const std::string& file, const std::string& flag,
                             const std::string& variable, const EnvLookup& env) {
  if (file.empty())
    return trimEnd(env(variable).value_or(""));
  std::ifstream in(file, std::ios::binary);
  if (!in)
    return Error{"cannot read the " + flag + " file", file, 0, 0,
                 "give a readable file that holds only the secret"};
  std::ostringstream text;
  text << in.rdbuf();
  std::string value = trimEnd(text.str());
  if (value.empty())
    return Error{"the " + flag + " file is empty", file, 0, 0,
                 "write the App's webhook secret into it"};
  return value;
}

} // namespace

void addAppOptions(CLI::App& app, AppFlags& flags) {
  app.add_option("--listen", flags.listen,
                 "Address and port to listen on, ADDR:PORT or [IPv6]:PORT; port 0 picks a free "
                 "one (default: 127.0.0.1:8080)");
  addStoreOptions(app, flags.store);
  app.add_option("--app-id", flags.appId, "GitHub App id (default: $GODWIT_APP_ID)");
  app.add_option(
      "--private-key-file", flags.privateKeyFile,
      "GitHub App private key, a PEM file (default: the PEM in $GODWIT_APP_PRIVATE_KEY)");
  app.add_option("--webhook-secret-file", flags.webhookSecretFile,
                 "File holding the webhook secret (default: $GODWIT_WEBHOOK_SECRET)");
  app.add_option("--webhook-secret-file-previous", flags.previousSecretFile,
                 "File holding the previous webhook secret, still accepted during a rotation "
                 "(default: $GODWIT_WEBHOOK_SECRET_PREVIOUS)");
  app.add_option("--threads", flags.threads, "I/O threads (default: 2)")->check(CLI::Range(1, 64));
  app.add_option("--max-in-flight", flags.maxInFlight,
                 "Requests served at once; more get 503 with Retry-After (default: 64; 0: no cap)");
  app.add_option("--timeout", flags.timeoutSeconds,
                 "Seconds a client has for its headers, then for its body (default: 10)")
      ->check(CLI::Range(0.01, 3600.0));
  app.add_option("--workers", flags.workers,
                 "Deliveries processed at once, one per repository (default: 2; 0: only queue "
                 "them)")
      ->check(CLI::Range(0u, 64u));
  app.add_option("--instance", flags.instance,
                 "This instance's name, stable across restarts: what it left running when "
                 "killed is taken up again at start (default: the host name)");
  app.add_option("--lease", flags.leaseSeconds,
                 "Seconds a delivery's claim lasts without renewal (renewed every third of it "
                 "while it runs): an instance stopped for longer loses it to another (default: "
                 "900)")
      ->check(CLI::Range(10.0, 86400.0));
  app.add_option("--api-url", flags.apiUrl,
                 "GitHub API URL (default: $GODWIT_API_URL, else https://api.github.com)");
  app.add_option("--token-file", flags.tokenFile,
                 "A token to act with instead of the App's installations (default: $GITHUB_TOKEN "
                 "when no App is configured)");
  app.add_option("--cache-dir", flags.cacheDir, "Where the git caches live");
  app.add_option("--reconcile-every", flags.reconcileSeconds,
                 "Seconds between asks to GitHub for the deliveries the App missed, which GitHub "
                 "never redelivers by itself; needs the App's id and key (default: 900; 0: never)")
      ->check(CLI::Range(0, 86400));
  app.add_option("--keep-deliveries", flags.keepDays,
                 "Days finished deliveries stay in the store, deduping redeliveries (GitHub "
                 "redelivers for 3 days; default: 7)")
      ->check(CLI::Range(3, 3650));
  app.add_option("--bot-login", flags.botLogin,
                 "The App's user, e.g. godwit[bot]: its own pushes and comments are not a "
                 "person's");
  app.add_option("--migrations", flags.migrations,
                 "Folder of migration files (*.yaml, *.yml), the active migrations; reloaded on "
                 "SIGHUP (default: $GODWIT_MIGRATIONS)");
  app.add_option("--registry-installation", flags.registryInstallation,
                 "The App installation that can read the registry repository: the registry is "
                 "loaded from its tip at start and on SIGHUP (not needed with --token-file)");
  app.add_option("--fleet-installation", flags.fleetInstallation,
                 "Drive the active migrations' campaigns (waves, gates, limits) over the "
                 "repositories of this App installation (default: the App only follows events)");
  app.add_option("--fleet-org", flags.fleetOrg,
                 "Drive the campaigns over this organization's repositories instead (with "
                 "--token-file, or as --fleet-installation)");
  app.add_option("--campaign-every", flags.campaignSeconds,
                 "Seconds between the App's passes over its campaigns; a registry change starts "
                 "one at once (default: 900)")
      ->check(CLI::Range(60, 86400));
  app.add_option("--jobs", flags.sweepJobs,
                 "Repositories a campaign pass clones and analyzes at once (default: 2)")
      ->check(CLI::Range(1u, 64u));
  app.add_option("--registry-repo", flags.registryRepo,
                 "Registry repository OWNER/NAME[:SUBDIR] whose SUBDIR (default: migrations) "
                 "holds the migration files, reloaded on a push (default: $GODWIT_REGISTRY_REPO)");
}

Expected<void> parseListen(const std::string& listen, AppConfig& config) {
  const auto bad = [&listen](const std::string& why) {
    return makeError("--listen " + listen + ": " + why,
                     "give ADDR:PORT, e.g. 127.0.0.1:8080, 0.0.0.0:8080 or [::1]:8080");
  };
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0)
    return bad("no address and port");
  std::string address = listen.substr(0, colon);
  if (address.front() == '[') {
    if (address.back() != ']')
      return bad("an IPv6 address in brackets lacks its ]");
    address = address.substr(1, address.size() - 2);
  } else if (address.find(':') != std::string::npos) {
    return bad("an IPv6 address goes in brackets");
  }
  const std::string port = listen.substr(colon + 1);
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](unsigned char c) { return std::isdigit(c); }) ||
      std::stoi(port) > 65535)
    return bad("the port is not a number from 0 to 65535");
  config.address = address;
  config.port = static_cast<uint16_t>(std::stoi(port));
  return {};
}

Expected<AppConfig> resolveAppConfig(const AppFlags& flags, const EnvLookup& env) {
  AppConfig config;
  if (auto listened = parseListen(flags.listen, config); !listened)
    return listened.error();

  auto current =
      secret(flags.webhookSecretFile, "--webhook-secret-file", "GODWIT_WEBHOOK_SECRET", env);
  if (!current)
    return current.error();
  if (current->empty())
    return makeError("no webhook secret",
                     "give --webhook-secret-file FILE or set GODWIT_WEBHOOK_SECRET: the secret "
                     "entered in the App's settings");
  config.webhookSecrets.push_back(*current);
  auto previous = secret(flags.previousSecretFile, "--webhook-secret-file-previous",
                         "GODWIT_WEBHOOK_SECRET_PREVIOUS", env);
  if (!previous)
    return previous.error();
  if (!previous->empty())
    config.webhookSecrets.push_back(*previous);

  config.appId = flags.appId.empty() ? trimEnd(env("GODWIT_APP_ID").value_or("")) : flags.appId;
  if (!flags.privateKeyFile.empty()) {
    std::ifstream in(flags.privateKeyFile, std::ios::binary);
    if (!in)
      return Error{"cannot read the GitHub App private key", flags.privateKeyFile, 0, 0,
                   "give the path of the .pem file GitHub generated for the App"};
    std::ostringstream text;
    text << in.rdbuf();
    config.privateKeyPem = text.str();
  } else {
    config.privateKeyPem = env("GODWIT_APP_PRIVATE_KEY").value_or("");
  }
  if (config.appId.empty() != config.privateKeyPem.empty())
    return makeError("the GitHub App needs both its id and its private key",
                     "give --app-id and --private-key-file (or GODWIT_APP_ID and "
                     "GODWIT_APP_PRIVATE_KEY), or neither");
  if (!config.appId.empty() && !std::all_of(config.appId.begin(), config.appId.end(),
                                            [](unsigned char c) { return std::isdigit(c); }))
    return makeError("--app-id must be a number", "use the App ID shown in the App's settings");
  if (!config.privateKeyPem.empty()) {
    // Fail at start-up, not at the first event, when the key is unusable.
    auto probe = makeAppJwt(config.appId, config.privateKeyPem, std::chrono::system_clock::now());
    if (!probe) {
      Error error = probe.error();
      error.file = flags.privateKeyFile.empty() ? "GODWIT_APP_PRIVATE_KEY" : flags.privateKeyFile;
      return error;
    }
  }
  config.apiUrl = !flags.apiUrl.empty() ? flags.apiUrl
                                         : env("GODWIT_API_URL").value_or(config.apiUrl);
  if (!flags.tokenFile.empty()) {
    auto token = secret(flags.tokenFile, "--token-file", "", env);
    if (!token)
      return token.error();
    config.token = *token;
  } else if (config.appId.empty()) {
    config.token = trimEnd(env("GITHUB_TOKEN").value_or(""));
  }

  config.migrationsDir =
      flags.migrations.empty() ? trimEnd(env("GODWIT_MIGRATIONS").value_or("")) : flags.migrations;
  const std::string repo = flags.registryRepo.empty()
                               ? trimEnd(env("GODWIT_REGISTRY_REPO").value_or(""))
                               : flags.registryRepo;
  if (!repo.empty()) {
    auto parsed = parseRegistryRepository(repo);
    if (!parsed)
      return parsed.error();
    config.registryRepo = std::move(*parsed);
  }
  if (!config.migrationsDir.empty() && config.registryRepo)
    return makeError("--migrations and --registry-repo both name the migration registry",
                     "give one: a folder, or the repository whose pushes reload it");
  return config;
}

Expected<CodeHostConfig> codeHostFor(const AppConfig& config, int64_t installationId) {
  CodeHostConfig host;
  host.apiUrl = config.apiUrl;
  if (!config.token.empty()) {
    host.token = config.token;
    return host;
  }
  if (config.appId.empty())
    return makeError("the App has no credentials to act with",
                     "give --app-id and --private-key-file (or --token-file)");
  if (installationId <= 0)
    return makeError("the delivery names no installation of the App",
                     "only events of an installation can be acted on");
  host.appId = config.appId;
  host.privateKeyPem = config.privateKeyPem;
  host.installationId = std::to_string(installationId);
  return host;
}

} // namespace godwit
