#pragma once
// Crash isolation for fleets (docs/architecture.md): the analysis of a repository runs in a
// worker process, so that a crash, an exit or a hang in it fails that repository only. A worker
// is started by posix_spawn (the runner's own binary with its hidden `analysis-worker`
// subcommand), reused for repository after repository, and replaced after it failed. Requests and
// answers are lines of JSON (rewriters/RunJson.h) over a socket pair on the worker's stdin and
// stdout.

#include "bot/Lifecycle.h"
#include "rewriters/Engine.h"
#include "rules/Expected.h"
#include "rules/Migration.h"

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace godwit {

/// How workers are started and how long one analysis may take.
struct IsolationSettings {
  std::string program = "/proc/self/exe";             ///< The worker's executable.
  std::vector<std::string> args = {"analysis-worker"}; ///< Its arguments after argv[0].
  std::chrono::milliseconds budget = std::chrono::minutes(10); ///< Per analysis; then it is killed.
};

/// One worker process, started on first use and again after it failed. Not thread-safe: one
/// caller at a time (IsolatedAnalysis gives each thread its own).
class AnalysisWorker {
public:
  explicit AnalysisWorker(IsolationSettings settings);
  ~AnalysisWorker(); ///< Closes the worker's input, so that it exits, and reaps it.
  AnalysisWorker(const AnalysisWorker&) = delete;
  AnalysisWorker& operator=(const AnalysisWorker&) = delete;

  /// runMigration in the worker. A worker that crashes, exits, overruns the budget or answers
  /// garbage is killed and reaped, and its repository gets an error saying so (the next call
  /// starts a fresh worker); the run's own error comes back as it is.
  Expected<RunResult> run(const Migration& migration, const RunOptions& options);

  /// The worker's process id; 0 when none is running.
  pid_t pid() const { return pid_; }
  /// How many worker processes were started.
  size_t starts() const { return starts_; }

private:
  Expected<void> start();
  /// Kills (unless it has exited) and reaps the worker; returns what ended it, for messages.
  std::string stop();

  IsolationSettings settings_;
  pid_t pid_ = 0;
  int fd_ = -1;
  size_t starts_ = 0;
  std::string buffer_; ///< Bytes read past the last answer's newline (none, from a sane worker).
};

/// Analyses in worker processes for many threads: each call takes an idle worker or starts one,
/// so a sweep with N job threads keeps at most N workers alive.
class IsolatedAnalysis {
public:
  explicit IsolatedAnalysis(IsolationSettings settings);

  /// As AnalysisWorker::run, on an idle worker.
  Expected<RunResult> run(const Migration& migration, const RunOptions& options);
  /// `run` as the analysis of LifecycleOptions and DiscoverSettings; valid while this lives.
  Analysis function();
  /// Worker processes started so far (the first of each worker and every restart).
  size_t starts() const;

private:
  IsolationSettings settings_;
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<AnalysisWorker>> idle_;
  size_t starts_ = 0;
};

/// The worker's side: reads requests from `in` (one a line), answers each on `out` with
/// `analyze`'s result, until the end of input. Returns the process exit code (0, or 1 when
/// `out` could not be written).
int serveAnalysis(int in, int out, const Analysis& analyze);

} // namespace godwit
