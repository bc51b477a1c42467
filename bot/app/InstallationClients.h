#pragma once
// The App's code-host clients (docs/app.md, "One client per installation"): one GitHubClient per
// installation the App acts as, shared by everything that acts as it (the event work, the
// registry loads, the campaigns), so that its installation token is fetched and renewed once
// and its content-creating requests are spaced by one client. One client serves everything when
// a token is configured instead of the App.

#include "bot/github/GitHubClient.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace godwit {

/// How the clients are made.
struct InstallationClientsOptions {
  /// The configuration of the client that acts for installation `installationId`: the App's
  /// credentials for it, or the one token (no installation id); an Error when none can.
  std::function<Expected<CodeHostConfig>(int64_t installationId)> config;
  GitHubClientOptions client; ///< Options of every client made.
};

/// The shared clients, made on first use. Thread-safe.
class InstallationClients {
public:
  explicit InstallationClients(InstallationClientsOptions options);
  InstallationClients(const InstallationClients&) = delete;
  InstallationClients& operator=(const InstallationClients&) = delete;

  /// The client acting for installation `installationId`: the same object on every call for the
  /// same installation (for every installation when the configuration is a token). An Error
  /// when it cannot be made; nothing is remembered then, so the next call tries again.
  Expected<std::shared_ptr<GitHubClient>> get(int64_t installationId);
  /// How many clients were made so far.
  size_t size() const;

private:
  InstallationClientsOptions options_;
  mutable std::mutex mutex_;
  /// By whom they act as: `installation <id>`, or `token`.
  std::map<std::string, std::shared_ptr<GitHubClient>> clients_;
};

} // namespace godwit
