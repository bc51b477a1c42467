#include "cli/runner/Progress.h"

#include <unistd.h>

#include <cstdio>

namespace godwit {

ProgressLine::ProgressLine()
    : tty_(::isatty(STDERR_FILENO) == 1), began_(std::chrono::steady_clock::now()) {}

ProgressLine::~ProgressLine() {
  if (shown_)
    std::fputs("\r\033[K", stderr);
}

void ProgressLine::update(const std::string& prefix, size_t done, size_t total,
                          const std::string& line) {
  std::lock_guard lock(mutex_);
  if (!tty_) {
    std::fprintf(stderr, "godwit-runner: %s\n", line.c_str());
    return;
  }
  const double minutes =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - began_).count() / 60;
  const double rate = minutes > 0 ? static_cast<double>(done) / minutes : 0;
  const double eta = rate > 0 ? static_cast<double>(total - done) / rate : 0;
  std::fprintf(stderr, "\r\033[Kgodwit-runner: %s  %zu/%zu  %.1f repos/min  ETA %.1f min",
               prefix.c_str(), done, total, rate, eta);
  shown_ = true;
}

void ProgressLine::note(const std::string& line) {
  std::lock_guard lock(mutex_);
  if (shown_)
    std::fputs("\r\033[K", stderr);
  shown_ = false;
  std::fprintf(stderr, "godwit-runner: %s\n", line.c_str());
}

} // namespace godwit
