#include "rewriters/Engine.h"

#include "analyzers/FileWalker.h"
#include "analyzers/Nesting.h"
#include "analyzers/dataform/Dataform.h"
#include "analyzers/dbt/DbtAnalyzer.h"
#include "analyzers/dbt/DbtProject.h"
#include "rewriters/Edit.h"
#include "rewriters/Rewrite.h"
#include "rewriters/SharedEdits.h"
#include "analyzers/RepoConstants.h"
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
#include <map>
#include <memory>
#include <mutex>
#include <numeric>
#include <map>
#include <optional>
#include <set>
#include <system_error>
#include <thread>

namespace godwit {
namespace {

constexpr size_t kMaxFileBytes = 4u << 20;
constexpr size_t kBinaryProbeBytes = 8u << 10;
constexpr unsigned kMaxJobs = 256;

enum class FileStatus { NotCandidate, Candidate, NoParser, TooDeep, Binary, TooLarge, Unreadable };

struct FileOutcome {
  FileStatus status = FileStatus::NotCandidate;
  std::vector<Finding> findings;
  std::optional<FileChange> change;
  std::vector<Error> errors;
  AnalysisNotes notes;
  bool rejected = false;
  /// Per finding: the edits that make it (rewrites that are not suppressed).
  std::vector<std::vector<Edit>> edits;
  /// Set when its edits wait for the run's decision on constants other files may refer to
  /// (SharedEdits): the file's text and prefilter hits, to finish it then.
  bool deferred = false;
  std::string text;
  std::vector<size_t> hits;
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

/// The text of a file the engine would analyze (readable, not too large, not binary), or nullopt.
std::optional<std::string> readText(const std::filesystem::path& root, const std::string& rel) {
  FolderCache folders;
  std::string buffer, why;
  std::string_view text;
  if (readFile(folders, root, rel, buffer, text, why) != FileStatus::Candidate ||
      std::memchr(text.data(), '\0', std::min(text.size(), kBinaryProbeBytes)) != nullptr)
    return std::nullopt;
  return std::string(text);
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

/// Applies to `file` the edits of its findings that are not `refused` (finding index → why) and
/// the edits `incoming` from other files' findings, and verifies the result. False when the
/// file's edits were dropped (overlap or verification); its findings are then attention.
bool finishFile(FileOutcome& out, const Analyzer& analyzer, const SourceFile& file,
                const std::map<uint64_t, std::string>& refused, std::span<const Edit> incoming) {
  out.change.reset();
  EditSet edits;
  const auto add = [&](Edit e, const Finding* f) {
    if (auto added = edits.add(std::move(e)); !added) {
      // Two findings disagree about the same bytes: touch nothing in this file.
      out.errors.push_back(Error{added.error().message, file.path, f ? f->line : 0,
                                 f ? f->column : 0, added.error().hint});
      demoteAll(out.findings, "not rewritten: " + added.error().message);
      return false;
    }
    return true;
  };
  // The most specific reference first (the longer name: a GCS path before a shorter prefix
  // inside it), so that where two datasets claim the same bytes the right one is rewritten, the
  // other becomes attention naming it, and the file's other edits stay.
  std::vector<size_t> order(out.findings.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return out.findings[a].found.size() > out.findings[b].found.size();
  });
  std::map<std::string, size_t> madeBy; // an edit's origin -> the finding it was made for
  for (const size_t i : order) {
    Finding& f = out.findings[i];
    if (f.action != Action::Rewrite || f.suppressed)
      continue;
    if (auto r = refused.find(i); r != refused.end()) {
      f.action = Action::Attention;
      f.reason = r->second;
      continue;
    }
    const Finding* other = nullptr;
    for (const Edit& e : out.edits[i])
      if (const Edit* held = e.file == file.path ? edits.conflict(e) : nullptr; held && !other)
        if (auto by = madeBy.find(held->origin); by != madeBy.end())
          other = &out.findings[by->second];
    if (other && other->dataset != f.dataset) {
      f.action = Action::Attention;
      f.reason = "not rewritten: its bytes are part of the reference to " +
                 std::string(kindName(other->kind)) + " " + other->dataset + " at " +
                 std::to_string(other->line) + ":" + std::to_string(other->column) +
                 ", which is rewritten";
      continue;
    }
    for (const Edit& e : out.edits[i]) {
      if (e.file != file.path)
        continue;
      madeBy.emplace(e.origin, i);
      if (!add(e, &f))
        return false;
    }
  }
  for (const Edit& e : incoming)
    if (!add(e, nullptr))
      return false;
  if (edits.empty())
    return true;
  std::string after = edits.apply(file.text);
  std::vector<SourceEdit> applied;
  for (const Edit& e : edits.edits())
    applied.push_back(SourceEdit{e.offset, e.length, e.replacement});
  if (auto verified = analyzer.verifyEdits(file, applied, after); !verified) {
    out.rejected = true;
    demoteAll(out.findings, "not rewritten: " + verified.error().message);
    return false;
  }
  out.change = FileChange{file.path, std::string(file.text), std::move(after)};
  return true;
}

/// Reads, prefilters and analyzes one file and makes its findings' edits. Edits that land in a
/// constant are decided with every reference to it: within the file when no other file can
/// refer to it, else later (the outcome is `deferred`, as it always is with `defer`).
FileOutcome processFile(FolderCache& folders, const std::filesystem::path& root,
                        const WalkEntry& entry, const Analyzer& analyzer,
                        std::span<const DatasetMatcher> matchers, const Prefilter& prefilter,
                        bool wanted, bool fullParse, const RepoConstants* constants = nullptr,
                        bool defer = false) {
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
  if (const auto deep = tooDeeplyNested(entry.language->name, text)) {
    out.status = FileStatus::TooDeep;
    out.notes.notes.push_back(nestingNote(entry.path, text, *deep));
    return out;
  }
  SourceFile file{entry.path, text, hits, constants};
  const DecodeDepthWatch depth;
  auto findings = analyzer.analyzeFile(file, matchers, out.notes);
  if (depth.exceeded()) {
    out.status = FileStatus::TooDeep;
    out.notes = AnalysisNotes{};
    out.notes.notes.push_back(nestingNote(entry.path, text, std::nullopt));
    return out;
  }
  if (out.notes.skipped)
    out.status = FileStatus::NoParser;
  if (!findings) {
    out.errors.push_back(findings.error());
    return out;
  }
  out.findings = std::move(*findings);

  SharedEdits shared;
  out.edits.resize(out.findings.size());
  for (size_t i = 0; i < out.findings.size(); ++i) {
    Finding& f = out.findings[i];
    if (f.action != Action::Rewrite || f.suppressed)
      continue;
    auto made = editsForFinding(f);
    if (!made) {
      f.action = Action::Attention;
      f.reason = made.error().message;
      continue;
    }
    for (const Edit& e : *made)
      if (e.constant)
        shared.demand(i, e);
    out.edits[i] = std::move(*made);
  }
  if (defer || shared.needsRepository()) {
    out.deferred = true;
    out.text = std::string(text);
    out.hits = std::move(hits);
    return out;
  }
  finishFile(out, analyzer, file, shared.refused({}), {});
  return out;
}

/// Decides the edits of deferred outcomes that land in constants (SharedEdits): a constant
/// other files may see is edited only when no other file of its language family mentions it
/// (files are read again for this, only when such an edit is pending). Then finishes those
/// outcomes, each file getting the edits other files' findings make in it; a file whose edits
/// are dropped takes back, with their findings, the edits others needed there.
void settleConstants(std::deque<FileOutcome>& outcomes, const std::deque<WalkEntry>& found,
                     const std::vector<WalkEntry>& walked, const std::filesystem::path& root,
                     const std::map<std::string, size_t, std::less<>>& byPath,
                     const std::function<const Analyzer*(const WalkEntry&)>& analyzerOf) {
  SharedEdits shared;
  std::vector<size_t> deferred;
  for (size_t k = 0; k < outcomes.size(); ++k) {
    if (!outcomes[k].deferred)
      continue;
    deferred.push_back(k);
    for (size_t i = 0; i < outcomes[k].edits.size(); ++i)
      for (const Edit& e : outcomes[k].edits[i])
        if (e.constant)
          shared.demand((uint64_t{k} << 32) | i, e);
  }
  if (deferred.empty())
    return;
  const auto kotlin = [](std::string_view path) {
    return path.ends_with(".kt") || path.ends_with(".kts");
  };
  const auto family = [&](std::string_view path) {
    if (path.ends_with(".go"))
      return 3;
    return path.ends_with(".py") ? 1
           : path.ends_with(".java") || path.ends_with(".scala") || path.ends_with(".sc") ||
                   kotlin(path)
               ? 2
               : 0;
  };
  std::map<std::string, std::string, std::less<>> texts; // read once for the mention scan
  // Another file reaches a constant only by naming its class, object or module too (a
  // qualifier, an import, `extends`): `Tables` of Tables.java, `config` of config.py, the
  // package of `__init__.py` and of a Scala `package.scala`.
  // Go and Kotlin: every file of the package sees a top-level constant unqualified (and Kotlin
  // imports it by name alone), so any mention counts.
  const auto ownerOf = [&](std::string_view path) {
    if (path.ends_with(".go") || kotlin(path))
      return std::string();
    const auto stem = [](std::string_view p) {
      const size_t slash = p.rfind('/');
      p = p.substr(slash == std::string_view::npos ? 0 : slash + 1);
      return p.substr(0, p.find('.'));
    };
    std::string_view owner = stem(path);
    if (owner == "__init__" || owner == "package") {
      const size_t slash = path.rfind('/');
      owner = slash == std::string_view::npos ? std::string_view() : stem(path.substr(0, slash));
    }
    return std::string(owner);
  };
  const auto otherUses = [&](std::string_view name, const std::string& literalFile,
                             const std::set<std::string>& asking) {
    const std::string owner = ownerOf(literalFile);
    std::vector<std::string> out;
    for (const WalkEntry& f : walked) {
      if (asking.count(f.path) || family(f.path) != family(literalFile) || family(f.path) == 0)
        continue;
      auto it = texts.find(f.path);
      if (it == texts.end())
        it = texts.emplace(f.path, readText(root, f.path).value_or(std::string())).first;
      // The defining file names the constant once where it defines it.
      const bool uses = f.path == literalFile
                            ? RepoConstants::usesIn(it->second, name) > 1
                            : RepoConstants::mentions(it->second, name) &&
                                  (owner.empty() || RepoConstants::mentions(it->second, owner));
      if (uses)
        out.push_back(f.path);
    }
    return out;
  };
  std::map<uint64_t, std::string> refused = shared.refused(otherUses);
  // Route the edits that may be made; a finding whose edit lands in a file that is not being
  // finished cannot be made.
  for (bool again = true; again;) {
    again = false;
    std::map<std::string, std::vector<Edit>, std::less<>> incoming;
    std::map<std::string, std::vector<uint64_t>, std::less<>> senders;
    for (const size_t k : deferred) {
      const FileOutcome& o = outcomes[k];
      for (size_t i = 0; i < o.edits.size(); ++i) {
        const uint64_t id = (uint64_t{k} << 32) | i;
        if (refused.count(id) || o.findings[i].action != Action::Rewrite)
          continue;
        for (const Edit& e : o.edits[i]) {
          if (e.file == found[k].path)
            continue;
          auto target = byPath.find(e.file);
          if (target == byPath.end() || !outcomes[target->second].deferred) {
            refused.emplace(id, "the change lands in " + e.file + ", which was not analyzed");
            again = true;
            break;
          }
          incoming[e.file].push_back(e);
          senders[e.file].push_back(id);
        }
      }
    }
    if (again)
      continue;
    for (const size_t k : deferred) {
      FileOutcome& o = outcomes[k];
      const Analyzer* analyzer = analyzerOf(found[k]);
      if (analyzer == nullptr)
        continue;
      std::map<uint64_t, std::string> mine;
      for (const auto& [id, why] : refused)
        if ((id >> 32) == k)
          mine.emplace(id & 0xffffffffu, why);
      const SourceFile file{found[k].path, o.text, o.hits};
      const auto in = incoming.find(found[k].path);
      const std::span<const Edit> edits =
          in == incoming.end() ? std::span<const Edit>() : std::span<const Edit>(in->second);
      if (finishFile(o, *analyzer, file, mine, edits))
        continue;
      for (const uint64_t id : senders[found[k].path])
        again = refused.emplace(id, "not rewritten: the edits of " + found[k].path +
                                        " were dropped").second ||
                again;
    }
  }
}

/// The prefilter of `patterns`, compiled once per process: a fleet sweep runs one migration over
/// thousands of repositories, and Hyperscan's compile costs tens of milliseconds each time.
/// Matching is const and thread-safe, so runs share it.
Expected<std::shared_ptr<const Prefilter>>
cachedPrefilter(const std::vector<PrefilterPattern>& patterns) {
  std::string key;
  for (const PrefilterPattern& p : patterns)
    for (const std::string* part : {&p.literal, &p.notFollowedBy, &p.prefixOf, &p.suffix})
      key += std::to_string(part->size()) + ":" + *part;
  for (const PrefilterPattern& p : patterns)
    key += std::string(p.caseless ? "i" : "c") + std::to_string(p.minPrefix) + ";";
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const Prefilter>> compiled;
  {
    std::lock_guard lock(mutex);
    if (auto it = compiled.find(key); it != compiled.end())
      return it->second;
  }
  Expected<Prefilter> built = Prefilter::build(patterns);
  if (!built)
    return built.error();
  auto shared = std::make_shared<const Prefilter>(std::move(*built));
  std::lock_guard lock(mutex);
  if (compiled.size() >= 16) // a process sees a handful of migrations; bound it anyway
    compiled.clear();
  return compiled.emplace(key, shared).first->second;
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
  indexMatchers(matchers);
  // The prefilter compiles, and the walk runs, while the workers start on the files found so
  // far. dbt is cross-file: a file its index may concern waits until the walk is done and the
  // index is built.
  auto compiled = std::async(std::launch::async, [&] { return cachedPrefilter(patterns); });
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

  auto cached = compiled.get();
  if (!cached)
    return cached.error();
  const std::shared_ptr<const Prefilter>& prefilter = *cached;

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
      const bool wanted = (walkDone && dbtWantsFile(dbtContext, entry.path)) ||
                          dataformWantsFile(entry.path, matchers);
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

  // Constants across files (docs/architecture.md, Safety), once every file is analyzed: files
  // that met names they could not resolve are analyzed again with the constants other files
  // define, and edits that land in a constant other files may see are decided with all its uses.
  // Most runs need none of this: the path index is built only when they do.
  std::map<std::string, size_t, std::less<>> byPath;
  const auto indexPaths = [&] {
    if (byPath.empty())
      for (size_t i = 0; i < found.size(); ++i)
        byPath.emplace(found[i].path, i);
  };
  std::vector<RepoConstants::User> users;
  for (size_t i = 0; i < found.size(); ++i)
    if (!outcomes[i].notes.unresolved.empty())
      if (auto text = readText(options.root, found[i].path))
        users.push_back({found[i].path, std::move(*text), outcomes[i].notes.unresolved});
  std::shared_ptr<const RepoConstants> repo;
  if (!users.empty()) {
    indexPaths();
    std::vector<std::string> paths;
    for (const WalkEntry& f : (*walked)->files)
      paths.push_back(f.path);
    repo = RepoConstants::build(paths, users, [&](const std::string& path) {
      std::optional<std::vector<FileConstant>> none;
      auto at = byPath.find(path);
      auto text = at == byPath.end() ? std::nullopt : readText(options.root, path);
      const Analyzer* analyzer = text ? analyzerFor(found[at->second].language, dbtContext) : nullptr;
      if (!analyzer || tooDeeplyNested(found[at->second].language->name, *text))
        return none;
      const DecodeDepthWatch depth;
      auto constants = analyzer->fileConstants(SourceFile{path, *text});
      return depth.exceeded() ? none : constants;
    });
    const std::vector<std::string> defining = repo->definingFiles();
    std::set<std::string> again(defining.begin(), defining.end());
    if (!again.empty())
      for (const RepoConstants::User& u : users)
        again.insert(u.path);
    FolderCache folders;
    for (const std::string& path : again) {
      const size_t i = byPath.at(path);
      if (const Analyzer* analyzer = analyzerFor(found[i].language, dbtContext))
        outcomes[i] = processFile(folders, options.root, found[i], *analyzer, matchers, *prefilter,
                                  true, options.fullParse, repo.get(), true);
    }
  }
  if (std::any_of(outcomes.begin(), outcomes.end(), [](const FileOutcome& o) { return o.deferred; })) {
    indexPaths();
    settleConstants(outcomes, found, (*walked)->files, options.root, byPath,
                    [&](const WalkEntry& e) { return analyzerFor(e.language, dbtContext); });
  }

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
    case FileStatus::TooDeep:
      ++s.tooDeep;
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
