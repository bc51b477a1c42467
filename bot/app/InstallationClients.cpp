#include "bot/app/InstallationClients.h"

namespace godwit {

InstallationClients::InstallationClients(InstallationClientsOptions options)
    : options_(std::move(options)) {}

Expected<std::shared_ptr<GitHubClient>> InstallationClients::get(int64_t installationId) {
  if (!options_.config)
    return makeError("the App has no code-host configuration", "configure the App's credentials");
  // The configuration is asked every time (it is cheap and sends nothing): whom it acts as, not
  // the installation asked for, is the key, so a token's one client serves every installation.
  Expected<CodeHostConfig> config = options_.config(installationId);
  if (!config)
    return config.error();
  const std::string key =
      config->token.empty() ? "installation " + config->installationId : std::string("token");
  std::lock_guard lock(mutex_);
  if (auto found = clients_.find(key); found != clients_.end())
    return found->second;
  Expected<std::unique_ptr<GitHubClient>> made = GitHubClient::create(*config, options_.client);
  if (!made)
    return made.error();
  std::shared_ptr<GitHubClient> client = std::move(*made);
  clients_.emplace(key, client);
  return client;
}

size_t InstallationClients::size() const {
  std::lock_guard lock(mutex_);
  return clients_.size();
}

} // namespace godwit
