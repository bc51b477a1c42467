#pragma once
// A time source for tests: it starts at the real wall-clock time, never blocks, and records every
// wait it was asked for (advancing its own time by that much).

#include "bot/github/RateLimit.h"

#include <mutex>
#include <vector>

namespace godwit::test {

/// A Clock whose sleepFor returns at once, remembers the duration and advances now().
class FakeClock final : public Clock {
public:
  explicit FakeClock(WallClock::time_point start = WallClock::now()) : now_(start) {}

  WallClock::time_point now() override {
    std::lock_guard lock(mutex_);
    return now_;
  }
  void sleepFor(Millis duration) override {
    std::lock_guard lock(mutex_);
    sleeps_.push_back(duration);
    if (duration.count() > 0)
      now_ += duration;
  }
  /// Moves time forward without recording a sleep (time passing between operations).
  void advance(Millis duration) {
    std::lock_guard lock(mutex_);
    now_ += duration;
  }
  /// Every duration the client asked to wait, in order.
  std::vector<Millis> sleeps() {
    std::lock_guard lock(mutex_);
    return sleeps_;
  }
  /// The sum of all waits.
  Millis slept() {
    std::lock_guard lock(mutex_);
    Millis total{0};
    for (Millis m : sleeps_)
      total += m;
    return total;
  }
  void clearSleeps() {
    std::lock_guard lock(mutex_);
    sleeps_.clear();
  }

private:
  std::mutex mutex_;
  WallClock::time_point now_;
  std::vector<Millis> sleeps_;
};

} // namespace godwit::test
