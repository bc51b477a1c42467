#include "rewriters/Engine.h"

#include "analyzers/FileWalker.h"
#include "analyzers/dbt/DbtAnalyzer.h"
#include "analyzers/dbt/DbtProject.h"
#include "rewriters/Edit.h"
#include "rewriters/Rewrite.h"
#include "rules/DatasetMatcher.h"
#include "rules/Prefilter.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <future>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>

namespace godwit {
namespace {

constexpr size_t kMaxFileBytes = 4u << 20;
constexpr size_t kBinaryProbeBytes = 8u << 10;
constexpr unsigned kMaxJobs = 256;

enum class FileStatus { NotCandidate, Candidate, NoParser, Binary, TooLarge, Unreadable };

struct FileOutcome {
  FileStatus status = FileStatus::NotCandidate;
  std::vector<Finding> findings;
  std::optional<FileChange> change;
  std::vector<Error> errors;
  AnalysisNotes notes;
  bool rejected = false;
};

/// A worker's last opened folder. Files come in walk order, so a file is opened relative to the
/// folder of the one before (openat): the kernel looks up one name instead of the whole path.
/// Owned by one worker for one run, so no folder outlives the run that opened it.
class FolderCache {
public:
  FolderCache() = default;
  FolderCache(const FolderCache&) = delete;
  FolderCache& operator=(const FolderCache&) = delete;
  ~FolderCache() {
    if (fd_ >= 0)
      ::close(fd_);
  }

  /// Opens `rel` under `root` for reading; -1 and errno on failure.
  int open(const std::filesystem::path& root, const std::string& rel) {
    const size_t slash = rel.rfind('/');
    const std::string dir = (root / rel.substr(0, slash == std::string::npos ? 0 : slash)).string();
    if (fd_ < 0 || path_ != dir) {
      if (fd_ >= 0)
        ::close(fd_);
      path_ = dir;
      fd_ = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (fd_ < 0)
        return ::open((root / rel).c_str(), kFlags);
    }
    return ::openat(fd_, rel.c_str() + (slash == std::string::npos ? 0 : slash + 1), kFlags);
  }

private:
  // The walk saw a regular file; if a link or a FIFO took its place since, opening must neither
  // follow the link nor wait for a writer.
  static constexpr int kFlags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK;
  std::string path_;
  int fd_ = -1;
};

/// Reads a whole file into `buffer` (reused from file to file, so a run does not allocate per
/// file), refusing more than kMaxFileBytes; `text` views the bytes read.
FileStatus readFile(FolderCache& folders, const std::filesystem::path& root, const std::string& rel,
                    std::string& buffer, std::string_view& text, std::string& why) {
  const int fd = folders.open(root, rel);
  if (fd < 0) {
    why = errno == ELOOP ? "it became a symbolic link" : std::strerror(errno);
    return FileStatus::Unreadable;
  }
  if (struct stat st{}; ::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    why = "it is no longer a regular file";
    ::close(fd);
    return FileStatus::Unreadable;
  }
  FileStatus status = FileStatus::Candidate;
  size_t got = 0;
  while (true) {
    if (got == buffer.size()) {
      if (got > kMaxFileBytes) {
        status = FileStatus::TooLarge;
        break;
      }
      buffer.resize(std::max<size_t>(64u << 10, 2 * buffer.size()));
    }
    const ssize_t n = ::read(fd, buffer.data() + got, buffer.size() - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      why = std::strerror(errno);
      status = FileStatus::Unreadable;
    }
    if (n <= 0)
      break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  if (status == FileStatus::Candidate && got > kMaxFileBytes)
    status = FileStatus::TooLarge;
  text = std::string_view(buffer.data(), got);
  return status;
}

/// Turns every rewrite finding of a file into attention with `reason`.
void demoteAll(std::vector<Finding>& findings, const std::string& reason) {
  for (Finding& f : findings) {
    if (f.action == Action::Rewrite && !f.suppressed) {
      f.action = Action::Attention;
      f.reason = reason;
    }
  }
}

FileOutcome processFile(FolderCache& folders, const std::filesystem::path& root,
                        const WalkEntry& entry, const Analyzer& analyzer,
                        std::span<const DatasetMatcher> matchers, const Prefilter& prefilter,
                        bool wanted, bool fullParse) {
  FileOutcome out;
  thread_local std::string buffer;
  std::string_view text;
  std::string why;
  out.status = readFile(folders, root, entry.path, buffer, text, why);
  if (out.status == FileStatus::Unreadable) {
    out.errors.push_back(
        Error{"cannot read file: " + why, entry.path, 0, 0, "check its permissions"});
    return out;
  }
  if (out.status == FileStatus::TooLarge)
    return out;
  if (std::memchr(text.data(), '\0', std::min(text.size(), kBinaryProbeBytes)) != nullptr) {
    out.status = FileStatus::Binary;
    return out;
  }
  std::vector<size_t> hits;
  if (!wanted && !prefilter.matches(text, fullParse ? nullptr : &hits)) {
    out.status = FileStatus::NotCandidate;
    return out;
  }
  std::sort(hits.begin(), hits.end());
  const SourceFile file{entry.path, text, hits};
  auto findings = analyzer.analyzeFile(file, matchers, out.notes);
  if (out.notes.skipped)
    out.status = FileStatus::NoParser;
  if (!findings) {
    out.errors.push_back(findings.error());
    return out;
  }
  out.findings = std::move(*findings);

  EditSet edits;
  for (Finding& f : out.findings) {
    if (f.action != Action::Rewrite || f.suppressed)
      continue;
    auto made = editsForFinding(f);
    if (!made) {
      f.action = Action::Attention;
      f.reason = made.error().message;
      continue;
    }
    for (Edit& e : *made) {
      if (auto added = edits.add(std::move(e)); !added) {
        // Two findings disagree about the same bytes: touch nothing in this file.
        out.errors.push_back(
            Error{added.error().message, entry.path, f.line, f.column, added.error().hint});
        demoteAll(out.findings, "not rewritten: " + added.error().message);
        return out;
      }
    }
  }
  if (edits.empty())
    return out;
  std::string after = edits.apply(text);
  std::vector<SourceEdit> applied;
  for (const Edit& e : edits.edits())
    applied.push_back(SourceEdit{e.offset, e.length, e.replacement});
  if (auto verified = analyzer.verifyEdits(file, applied, after); !verified) {
    out.rejected = true;
    demoteAll(out.findings, "not rewritten: " + verified.error().message);
    return out;
  }
  out.change = FileChange{entry.path, std::string(text), std::move(after)};
  return out;
}

} // namespace

Expected<RunResult> runMigration(const Migration& migration, const RunOptions& options) {
  std::vector<DatasetMatcher> matchers;
  std::vector<PrefilterPattern> patterns;
  for (const DatasetSpec& spec : migration.datasets) {
    matchers.emplace_back(spec);
    for (auto& p : matchers.back().prefilterPatterns())
      patterns.push_back(std::move(p));
  }
  // The prefilter compiles, and the walk runs, while the workers start on the files found so
  // far. dbt is cross-file: a file its index may concern waits until the walk is done and the
  // index is built.
  auto compiled = std::async(std::launch::async, [&] { return Prefilter::build(patterns); });
  const bool dbtMatters = dbtConcernsMigration(matchers);
  const auto languages = languageTable();
  const AnalyzerContext context{std::filesystem::absolute(options.root), options.compileCommands,
                                nullptr};
  AnalyzerContext dbtContext = context; // with the dbt index, once the walk is done

  std::mutex mutex;
  std::condition_variable changed;
  std::deque<WalkEntry> found;      // in walk order
  std::deque<FileOutcome> outcomes; // one per found file
  std::vector<size_t> waiting;      // found files that wait for the dbt index
  size_t next = 0, nextWaiting = 0, done = 0;
  bool walkDone = false; // and the dbt index built
  std::optional<Expected<WalkResult>> walked;

  WalkOptions walk{options.root, options.paths, options.include, options.exclude};
  walk.exclude.insert(walk.exclude.end(), migration.exclude.begin(), migration.exclude.end());
  walk.onFile = [&](const WalkEntry& e) {
    {
      std::lock_guard lock(mutex);
      found.push_back(e);
      outcomes.emplace_back();
    }
    changed.notify_one();
  };
  std::jthread walker([&] {
    Expected<WalkResult> result = walkFiles(walk);
    std::shared_ptr<const DbtProjects> dbt;
    if (result && dbtMatters)
      dbt = indexDbtProjects(options.root, result->files, matchers);
    {
      std::lock_guard lock(mutex);
      walked = std::move(result);
      dbtContext.dbt = std::move(dbt);
      walkDone = true;
    }
    changed.notify_all();
  });

  auto prefilter = compiled.get();
  if (!prefilter)
    return prefilter.error();

  // Analyzers are built on first use, for the languages the run meets: one can be expensive to
  // build (C++ loads LLVM). A language dbt may concern is built after the index.
  struct Slot {
    std::once_flag once;
    std::unique_ptr<Analyzer> analyzer;
    std::optional<Error> error;
  };
  std::vector<Slot> slots(languages.size());
  auto analyzerFor = [&](const LanguageEntry* lang, const AnalyzerContext& context) {
    Slot& slot = slots[static_cast<size_t>(lang - languages.data())];
    std::call_once(slot.once, [&] {
      std::vector<const Rule*> rules;
      for (const Rule& r : builtinRules())
        if (r.language == lang->name)
          rules.push_back(&r);
      auto made =
          lang->createInContext ? lang->createInContext(rules, context) : lang->create(rules);
      if (made)
        slot.analyzer = std::move(*made);
      else
        slot.error = made.error();
    });
    return static_cast<const Analyzer*>(slot.analyzer.get());
  };

  auto work = [&] {
    FolderCache folders;
    std::unique_lock lock(mutex);
    for (;;) {
      size_t i = 0;
      if (next < found.size()) {
        i = next++;
        if (dbtMatters && !walkDone && dbtMayConcern(found[i].path)) {
          waiting.push_back(i);
          continue;
        }
      } else if (walkDone && nextWaiting < waiting.size()) {
        i = waiting[nextWaiting++];
      } else if (walkDone) {
        return;
      } else {
        changed.wait(lock);
        continue;
      }
      const WalkEntry& entry = found[i];
      FileOutcome& outcome = outcomes[i];
      const AnalyzerContext& ctx = walkDone ? dbtContext : context;
      const bool wanted = walkDone && dbtWantsFile(dbtContext, entry.path);
      lock.unlock();
      if (const Analyzer* analyzer = analyzerFor(entry.language, ctx))
        outcome = processFile(folders, options.root, entry, *analyzer, matchers, *prefilter, wanted,
                              options.fullParse);
      lock.lock();
      ++done;
      if (options.progress)
        options.progress(done, walkDone ? found.size() : std::max(found.size(), done));
    }
  };
  const unsigned jobs =
      std::clamp(options.jobs ? options.jobs : std::thread::hardware_concurrency(), 1u, kMaxJobs);
  {
    std::vector<std::jthread> threads;
    try {
      for (unsigned j = 1; j < jobs; ++j)
        threads.emplace_back(work);
    } catch (const std::system_error&) {
      // The system gives no more threads: the ones started share the work.
    }
    work();
  }
  walker.join();
  if (!*walked)
    return walked->error();
  for (const Slot& slot : slots)
    if (slot.error)
      return *slot.error;

  // Results in path order, as the walk sorts its files.
  std::vector<size_t> order;
  order.reserve(found.size());
  for (const WalkEntry& f : (*walked)->files)
    order.push_back(f.found);

  RunResult result;
  Summary& s = result.summary;
  WalkResult& w = **walked;
  s.filesSeen = w.seen;
  s.ignored = w.ignored;
  s.unsupported = w.unsupported;
  s.symlinks = w.symlinks;
  s.special = w.special;
  s.staleTemps = w.staleTemps.size();
  result.staleTemps = std::move(w.staleTemps);
  result.errors = std::move(w.errors);
  for (const size_t i : order) {
    FileOutcome& o = outcomes[i];
    switch (o.status) {
    case FileStatus::Candidate:
      ++s.candidates;
      s.parseErrors += o.notes.parseErrors > 0 ? 1 : 0;
      break;
    case FileStatus::NoParser:
      ++s.noParser;
      break;
    case FileStatus::Binary:
      ++s.binary;
      break;
    case FileStatus::TooLarge:
      ++s.tooLarge;
      break;
    case FileStatus::Unreadable:
      ++s.unreadable;
      break;
    case FileStatus::NotCandidate:
      break;
    }
    s.rejected += o.rejected ? 1 : 0;
    for (Finding& f : o.findings) {
      if (f.suppressed)
        ++s.suppressed;
      else if (f.action == Action::Rewrite)
        ++s.rewrites;
      else
        ++s.attention;
      result.findings.push_back(std::move(f));
    }
    if (o.change) {
      ++s.filesChanged;
      result.changes.push_back(std::move(*o.change));
    }
    for (Error& e : o.errors)
      result.errors.push_back(std::move(e));
    for (Error& n : o.notes.notes)
      result.notes.push_back(std::move(n));
  }
  return result;
}

} // namespace godwit
