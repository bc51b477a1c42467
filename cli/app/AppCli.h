#pragma once
// The `godwit-app` command: the GitHub App's server (docs/app.md).

namespace godwit {

/// Parses the flags, loads the migration registry, opens the store and serves until SIGINT or
/// SIGTERM (SIGHUP reloads the registry); the exit code: 0 after a signal, 1 when the store or
/// the address fails, 2 for bad flags, configuration or migration folder.
int runAppCli(int argc, char** argv);

} // namespace godwit
