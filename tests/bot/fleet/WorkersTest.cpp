#include "bot/fleet/Workers.h"

#include <gtest/gtest.h>

#include <mutex>
#include <set>

namespace godwit {
namespace {

TEST(WorkersTest, RunsEveryJobOnceOnAtMostTheGivenWorkers) {
  std::mutex mutex;
  std::multiset<size_t> done;
  std::set<unsigned> workers;
  runOnWorkers(100, 3, [&](size_t i, unsigned worker) {
    std::lock_guard lock(mutex);
    done.insert(i);
    workers.insert(worker);
  });
  ASSERT_EQ(done.size(), 100u);
  for (size_t i = 0; i < 100; ++i)
    EXPECT_EQ(done.count(i), 1u) << i;
  for (unsigned w : workers)
    EXPECT_LT(w, 3u);
}

TEST(WorkersTest, NoJobsAndZeroThreads) {
  int calls = 0;
  runOnWorkers(0, 4, [&](size_t, unsigned) { ++calls; });
  EXPECT_EQ(calls, 0);
  runOnWorkers(2, 0, [&](size_t, unsigned worker) {
    EXPECT_EQ(worker, 0u);
    ++calls;
  });
  EXPECT_EQ(calls, 2);
}

} // namespace
} // namespace godwit
