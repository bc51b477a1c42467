// A worker for the isolation tests (AnalysisWorkerTest): it speaks the runner's analysis-worker
// protocol and runs the real engine, except that a repository holding a `.worker-mode` file makes
// it fail the way the file says: segv, abort, stack (unbounded recursion), exit, hang, garbage.
// Built for the tests only; never installed.
#include "bot/fleet/AnalysisWorker.h"

#include <unistd.h>

#include <chrono>
#include <climits>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>

namespace {

int answers = -1;

__attribute__((noinline)) int recurse(int depth) {
  volatile char frame[4096];
  frame[0] = static_cast<char>(depth);
  return depth == INT_MAX ? 0 : recurse(depth + 1) + frame[0]; // the stack ends long before
}

godwit::Expected<godwit::RunResult> analyze(const godwit::Migration& migration,
                                            const godwit::RunOptions& options) {
  std::string mode;
  std::ifstream(options.root / ".worker-mode") >> mode;
  if (mode == "segv") {
    int* volatile nowhere = nullptr;
    *nowhere = 42;
  } else if (mode == "abort") {
    std::abort();
  } else if (mode == "stack") {
    return godwit::makeError("unreachable: " + std::to_string(recurse(0)));
  } else if (mode == "exit") {
    std::_Exit(7);
  } else if (mode == "hang") {
    for (;;)
      std::this_thread::sleep_for(std::chrono::seconds(1));
  } else if (mode == "garbage") {
    const char text[] = "Segmentation fault (core dumped)\n";
    if (::write(answers, text, sizeof text - 1) < 0)
      std::_Exit(3);
  }
  return godwit::runMigration(migration, options);
}

} // namespace

int main() {
  answers = ::dup(STDOUT_FILENO);
  ::dup2(STDERR_FILENO, STDOUT_FILENO);
  return godwit::serveAnalysis(STDIN_FILENO, answers, analyze);
}
