#pragma once
// A fixed set of worker threads over numbered jobs: the clones and analyses of a sweep.

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <functional>
#include <thread>
#include <vector>

namespace godwit {

/// Calls `job(i, worker)` for every i in [0, count), taken in increasing order by up to `threads`
/// workers (at least one; `worker` in [0, threads) says which, for per-thread resources such as a
/// store connection). Returns when every job has finished. `job` must not throw.
inline void runOnWorkers(size_t count, unsigned threads,
                         const std::function<void(size_t index, unsigned worker)>& job) {
  std::atomic<size_t> next{0};
  const unsigned n = static_cast<unsigned>(std::min<size_t>(std::max(1u, threads), count));
  auto work = [&](unsigned worker) {
    for (size_t i = next++; i < count; i = next++)
      job(i, worker);
  };
  std::vector<std::thread> pool;
  for (unsigned w = 1; w < n; ++w)
    pool.emplace_back(work, w);
  if (count > 0)
    work(0);
  for (std::thread& t : pool)
    t.join();
}

} // namespace godwit
