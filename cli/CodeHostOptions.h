#pragma once
// The code-host flags every bot command takes (`godwit pr` and each `godwit-runner` command).

#include "bot/github/GitHubClient.h"

#include <CLI/CLI.hpp>

namespace godwit {

/// Adds --api-url, --token-file, --app-id, --private-key and --installation-id to `cmd`.
void addCodeHostOptions(CLI::App& cmd, CodeHostFlags& flags);

} // namespace godwit
