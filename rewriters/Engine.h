#pragma once
// The engine in one call: run a migration over a checkout and get the patch and the report.
// The CLI and the bot use only this.

#include "analyzers/Finding.h"
#include "rewriters/Patch.h"
#include "rules/Expected.h"
#include "rules/Migration.h"

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace godwit {

/// What to scan and how.
struct RunOptions {
  std::filesystem::path root;          ///< Finding paths are relative to it.
  std::vector<std::string> paths;      ///< Files or folders under root; empty means root.
  unsigned jobs = 0;                   ///< Worker threads; 0 means one per core.
  std::vector<std::string> include;    ///< Globs; when set, only matching paths are analyzed.
  std::vector<std::string> exclude;    ///< Globs added to the migration's own.
  /// C++: the compilation database (`--compile-commands`: a file, or a folder holding
  /// compile_commands.json); empty: `compile_commands.json` in the root or in `build/`.
  std::filesystem::path compileCommands;
  /// Parse every candidate file whole. By default only the statements around prefilter hits
  /// (and the constants they use) are parsed; the findings are the same either way.
  bool fullParse = false;
  /// Called from worker threads as files finish (done, total); `total` grows while the walk is
  /// still finding files. May be empty.
  std::function<void(size_t done, size_t total)> progress;
};

/// Counts for the summary line and the json/sarif summary.
struct Summary {
  size_t filesSeen = 0;       ///< Regular files under the paths, before any filter.
  size_t ignored = 0;         ///< Skipped by .gitignore or exclude/include globs.
  size_t unsupported = 0;     ///< No analyzer for the file's language.
  size_t binary = 0;          ///< NUL byte in the first 8 KiB.
  size_t tooLarge = 0;        ///< Over 4 MiB.
  size_t symlinks = 0;        ///< Symbolic links, never followed.
  size_t special = 0;         ///< FIFOs, sockets and devices, never opened.
  size_t staleTemps = 0;      ///< Temporary files an interrupted `apply` left (apply removes them).
  size_t unreadable = 0;      ///< Could not be read (see errors).
  size_t candidates = 0;      ///< Passed the prefilter and were parsed.
  size_t parseErrors = 0;     ///< Of those, analyzed although the parser recovered from errors.
  size_t noParser = 0;        ///< Passed the prefilter, but no parser could take them (notes).
  size_t tooDeep = 0;         ///< Passed the prefilter, but nest deeper than the limit (notes).
  size_t filesChanged = 0;
  size_t rewrites = 0;
  size_t attention = 0;
  size_t suppressed = 0;      ///< Findings silenced by `godwit:ignore`.
  size_t rejected = 0;        ///< Files whose edits were dropped by verification.
  size_t notWritten = 0;      ///< `apply`: changed files it did not write (see errors).
};

/// The outcome of a run: findings in file order, the changed files, and per-file errors that
/// did not stop the run.
struct RunResult {
  std::vector<Finding> findings;
  std::vector<FileChange> changes;
  std::vector<Error> errors;
  /// What a human should know about files that did not fail: a file skipped because no parser
  /// could take it, a file analyzed with parser errors (in path order).
  std::vector<Error> notes;
  /// godwit temporary files an interrupted `apply` left, relative to the root (applyChanges
  /// removes them).
  std::vector<std::string> staleTemps;
  Summary summary;
};

/// Runs `migration` over the checkout; fails only when the run cannot start (bad root, bad
/// rule packs, bad globs).
Expected<RunResult> runMigration(const Migration& migration, const RunOptions& options);

} // namespace godwit
