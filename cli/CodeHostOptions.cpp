#include "cli/CodeHostOptions.h"

namespace godwit {

void addCodeHostOptions(CLI::App& cmd, CodeHostFlags& flags) {
  cmd.add_option("--api-url", flags.apiUrl,
                 "GitHub API URL (default: $GODWIT_API_URL, else https://api.github.com)");
  cmd.add_option("--token-file", flags.tokenFile, "File holding a token (default: $GITHUB_TOKEN)");
  cmd.add_option("--app-id", flags.appId, "GitHub App id (with --private-key, --installation-id)");
  cmd.add_option("--private-key", flags.privateKeyFile, "GitHub App private key (PEM file)");
  cmd.add_option("--installation-id", flags.installationId, "GitHub App installation id");
}

} // namespace godwit
