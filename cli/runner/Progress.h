#pragma once
// Progress of a command over many repositories on stderr: on a terminal one line redrawn in
// place (done/total, rate, ETA); in a pipe or CI one plain log line per repository.

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>

namespace godwit {

/// The progress display of `discover` and `sweep`. Thread-safe.
class ProgressLine {
public:
  ProgressLine();
  ~ProgressLine(); ///< Clears the terminal line, so the summary starts on a clean line.
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  /// One repository finished: on a terminal redraws `<prefix>  done/total  rate  ETA`; elsewhere
  /// logs `line` (prefixed `godwit-runner: `).
  void update(const std::string& prefix, size_t done, size_t total, const std::string& line);

  /// A line that stays (prefixed `godwit-runner: `); on a terminal the progress line is
  /// redrawn below it at the next update.
  void note(const std::string& line);

private:
  bool tty_;
  bool shown_ = false;
  std::mutex mutex_;
  std::chrono::steady_clock::time_point began_;
};

} // namespace godwit
