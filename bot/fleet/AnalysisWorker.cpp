#include "bot/fleet/AnalysisWorker.h"

#include "rewriters/RunJson.h"

#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

extern char** environ;

namespace godwit {
namespace {

using Clock = std::chrono::steady_clock;

/// Answers larger than this are garbage, not a run result.
constexpr size_t kMaxAnswerBytes = size_t{2} << 30;

const char* hint() {
  return "the sweep goes on with a fresh worker; `godwit run` on a checkout of the repository "
         "reproduces the analysis";
}

std::string signalName(int sig) {
  if (const char* name = sigabbrev_np(sig))
    return std::string("SIG") + name;
  return "signal " + std::to_string(sig);
}

std::string describe(int status) {
  if (WIFSIGNALED(status))
    return "crashed: " + signalName(WTERMSIG(status));
  if (WIFEXITED(status))
    return "exited with status " + std::to_string(WEXITSTATUS(status));
  return "ended";
}

int msLeft(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::max<int64_t>(0, std::min<int64_t>(left.count(), INT32_MAX)));
}

enum class Io { Done, Closed, Timeout, Failed };

/// Waits until `fd` is ready for `events` (Done), the deadline passes (Timeout) or poll fails.
Io waitFor(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    const int ready = ::poll(&p, 1, msLeft(deadline));
    if (ready < 0 && errno == EINTR)
      continue;
    return ready > 0 ? Io::Done : ready == 0 ? Io::Timeout : Io::Failed;
  }
}

/// Writes all of `data`, or says why not by the deadline.
Io writeAll(int fd, std::string_view data, Clock::time_point deadline) {
  while (!data.empty()) {
    if (Io ready = waitFor(fd, POLLOUT, deadline); ready != Io::Done)
      return ready;
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == ENOTSOCK) // a worker's stdout may be a pipe when run by hand
      n = ::write(fd, data.data(), data.size());
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
      continue;
    if (n < 0)
      return errno == EPIPE || errno == ECONNRESET ? Io::Closed : Io::Failed;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Io::Done;
}

/// Reads up to the next newline into `line` (without it), keeping what follows in `buffer`.
Io readLine(int fd, std::string& buffer, std::string& line, Clock::time_point deadline) {
  size_t scanned = 0;
  char chunk[65536];
  for (;;) {
    if (const size_t nl = buffer.find('\n', scanned); nl != std::string::npos) {
      line = buffer.substr(0, nl);
      buffer.erase(0, nl + 1);
      return Io::Done;
    }
    scanned = buffer.size();
    if (buffer.size() > kMaxAnswerBytes)
      return Io::Failed;
    if (Io ready = waitFor(fd, POLLIN, deadline); ready != Io::Done)
      return ready;
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
      continue;
    if (n < 0)
      return errno == ECONNRESET ? Io::Closed : Io::Failed;
    if (n == 0)
      return Io::Closed;
    buffer.append(chunk, static_cast<size_t>(n));
  }
}

} // namespace

AnalysisWorker::AnalysisWorker(IsolationSettings settings) : settings_(std::move(settings)) {}

AnalysisWorker::~AnalysisWorker() {
  if (pid_ == 0)
    return;
  ::close(fd_);
  fd_ = -1;
  // A healthy worker exits at the end of its input; one that does not is killed.
  for (int i = 0; i < 200; ++i) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) != 0)
      return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  stop();
}

Expected<void> AnalysisWorker::start() {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    return makeError(std::string("cannot make the analysis worker's socket: ") +
                     std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 0);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  std::vector<std::string> argv = {settings_.program};
  argv.insert(argv.end(), settings_.args.begin(), settings_.args.end());
  std::vector<char*> args;
  for (std::string& a : argv)
    args.push_back(a.data());
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, settings_.program.c_str(), &actions, &attr, args.data(),
                               environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  ::close(fds[1]);
  if (rc != 0) {
    ::close(fds[0]);
    return makeError("cannot start the analysis worker " + settings_.program + ": " +
                     std::strerror(rc));
  }
  pid_ = pid;
  fd_ = fds[0];
  buffer_.clear();
  ++starts_;
  return {};
}

std::string AnalysisWorker::stop() {
  ::kill(pid_, SIGKILL); // no effect on a worker that has ended already: its status stays
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  if (fd_ >= 0)
    ::close(fd_);
  pid_ = 0;
  fd_ = -1;
  buffer_.clear();
  return describe(status);
}

Expected<RunResult> AnalysisWorker::run(const Migration& migration, const RunOptions& options) {
  if (pid_ == 0)
    if (Expected<void> started = start(); !started)
      return started.error();
  const auto deadline = Clock::now() + settings_.budget;
  const auto seconds = std::chrono::duration<double>(settings_.budget).count();
  const auto overrun = [&] {
    stop();
    char text[32];
    std::snprintf(text, sizeof text, "%g", seconds);
    return makeError(std::string("analysis took longer than ") + text +
                         " s and was stopped; the repository is skipped",
                     std::string("raise --analysis-timeout if it is merely large; ") + hint());
  };
  const auto ended = [&] {
    return makeError("analysis " + stop() + "; the repository is skipped", hint());
  };
  Io wrote = writeAll(fd_, encodeRunRequest(migration, options) + "\n", deadline);
  if (wrote == Io::Timeout)
    return overrun();
  if (wrote != Io::Done)
    return ended();
  std::string line;
  Io read = readLine(fd_, buffer_, line, deadline);
  if (read == Io::Timeout)
    return overrun();
  if (read != Io::Done)
    return ended();
  Expected<Expected<RunResult>> answer = decodeRunAnswer(line);
  if (!answer) {
    stop();
    return makeError("analysis worker answered garbage (" + answer.error().message +
                         "); the repository is skipped",
                     hint());
  }
  return std::move(*answer);
}

IsolatedAnalysis::IsolatedAnalysis(IsolationSettings settings) : settings_(std::move(settings)) {}

Expected<RunResult> IsolatedAnalysis::run(const Migration& migration, const RunOptions& options) {
  std::unique_ptr<AnalysisWorker> worker;
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      worker = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  if (!worker)
    worker = std::make_unique<AnalysisWorker>(settings_);
  const size_t before = worker->starts();
  Expected<RunResult> result = worker->run(migration, options);
  std::lock_guard lock(mutex_);
  starts_ += worker->starts() - before;
  idle_.push_back(std::move(worker));
  return result;
}

Analysis IsolatedAnalysis::function() {
  return [this](const Migration& migration, const RunOptions& options) {
    return run(migration, options);
  };
}

size_t IsolatedAnalysis::starts() const {
  std::lock_guard lock(mutex_);
  return starts_;
}

int serveAnalysis(int in, int out, const Analysis& analyze) {
  std::string buffer;
  std::string line;
  const auto never = Clock::time_point::max();
  for (;;) {
    Io read = Io::Failed;
    // The worker waits for its next request as long as the runner lives.
    for (;;) {
      if (const size_t nl = buffer.find('\n'); nl != std::string::npos) {
        line = buffer.substr(0, nl);
        buffer.erase(0, nl + 1);
        read = Io::Done;
        break;
      }
      char chunk[65536];
      const ssize_t n = ::read(in, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      buffer.append(chunk, static_cast<size_t>(n));
    }
    if (read != Io::Done)
      return 0;
    Expected<RunRequest> request = decodeRunRequest(line);
    const std::string answer =
        request ? encodeRunAnswer(analyze(request->migration, request->options))
                : encodeRunAnswer(Expected<RunResult>(request.error()));
    if (writeAll(out, answer + "\n", never) != Io::Done)
      return 1;
  }
}

} // namespace godwit
