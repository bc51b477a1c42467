#pragma once
// The `godwit-runner` command line: discover, plan, sweep, status, pause, resume, rollback and
// report over a fleet of repositories (docs/runner.md).

namespace godwit {

/// Parses the command line and runs one command; returns its exit code.
int runRunnerCli(int argc, char** argv);

} // namespace godwit
