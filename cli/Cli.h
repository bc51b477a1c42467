#pragma once
// The `godwit` command line: scan, dry-run, apply and pr.

namespace godwit {

/// Exit codes: 0 done; 1 `dry-run --exit-code` found changes; 2 bad invocation or migration
/// file (nothing written); 3 some files could not be analyzed or written (the rest were).
int runCli(int argc, char** argv);

} // namespace godwit
