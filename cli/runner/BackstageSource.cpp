#include "cli/runner/BackstageSource.h"

#include "bot/fleet/Backstage.h"

namespace godwit {

namespace {

/// The web host of a GitHub Enterprise API URL (`https://ghe.example.com/api/v3` →
/// `ghe.example.com`), whose source-location URLs name repositories too; "" for github.com.
std::string enterpriseHost(const std::string& apiUrl) {
  size_t scheme = apiUrl.find("://");
  if (scheme == std::string::npos)
    return {};
  std::string host = apiUrl.substr(scheme + 3);
  host = host.substr(0, host.find('/'));
  return host == "api.github.com" ? std::string() : host;
}

} // namespace

Expected<std::vector<FleetRepo>> loadBackstageSource(const InventoryFlags& flags,
                                                     const CodeHostFlags& host,
                                                     const Migration& migration,
                                                     std::ostream& warnings) {
  if (flags.backstageUrl.empty())
    return makeError("--backstage-token-file needs --backstage-url",
                     "pass the Backstage backend's URL with --backstage-url");
  if (flags.backstageUrl.rfind("http://", 0) != 0 && flags.backstageUrl.rfind("https://", 0) != 0)
    return makeError("--backstage-url must be an http:// or https:// URL, not '" +
                         flags.backstageUrl + "'",
                     "e.g. --backstage-url https://backstage.example.com");
  BackstageOptions options;
  options.baseUrl = flags.backstageUrl;
  if (!flags.backstageTokenFile.empty()) {
    auto token = readBackstageToken(flags.backstageTokenFile);
    if (!token)
      return token.error();
    options.token = std::move(*token);
  }
  if (std::string ghe = enterpriseHost(host.apiUrl); !ghe.empty())
    options.githubHosts.push_back(ghe);
  HttpClient http;
  auto inventory = loadBackstageInventory(http, options, migration.backstage);
  if (!inventory)
    return inventory.error();
  for (const BackstageProblem& p : inventory->problems)
    warnings << "warning: backstage " << p.entity << ": " << p.message << "\n";
  return std::move(inventory->repos);
}

} // namespace godwit
