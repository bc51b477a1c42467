#include "rewriters/Engine.h"

#include "analyzers/FileWalker.h"
#include "analyzers/dbt/DbtAnalyzer.h"
#include "analyzers/dbt/DbtProject.h"
#include "rewriters/Edit.h"
#include "rewriters/Rewrite.h"
#include "rules/DatasetMatcher.h"
#include "rules/Prefilter.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <optional>
#include <thread>

namespace godwit {
namespace {

constexpr size_t kMaxFileBytes = 4u << 20;
constexpr size_t kBinaryProbeBytes = 8u << 10;

enum class FileStatus { NotCandidate, Candidate, NoParser, Binary, TooLarge, Unreadable };

struct FileOutcome {
  FileStatus status = FileStatus::NotCandidate;
  std::vector<Finding> findings;
  std::optional<FileChange> change;
  std::vector<Error> errors;
  AnalysisNotes notes;
  bool rejected = false;
};

/// Reads a whole file into `buffer` (reused from file to file, so a run does not allocate per
/// file), refusing more than kMaxFileBytes; `text` views the bytes read.
FileStatus readFile(const std::string& path, std::string& buffer, std::string_view& text,
                    std::string& why) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    why = std::strerror(errno);
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

FileOutcome processFile(const std::filesystem::path& root, const WalkEntry& entry,
                        const Analyzer& analyzer, std::span<const DatasetMatcher> matchers,
                        const Prefilter& prefilter, bool wanted, bool fullParse) {
  FileOutcome out;
  thread_local std::string buffer;
  std::string_view text;
  std::string why;
  out.status = readFile((root / entry.path).string(), buffer, text, why);
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
  auto prefilter = Prefilter::build(patterns);
  if (!prefilter)
    return prefilter.error();

  // Walked first: the dbt index (analyzers/dbt/DbtProject.h) needs every file of the run.
  WalkOptions walk{options.root, options.paths, options.include, options.exclude};
  walk.exclude.insert(walk.exclude.end(), migration.exclude.begin(), migration.exclude.end());
  auto walked = walkFiles(walk);
  if (!walked)
    return walked.error();

  const auto languages = languageTable();
  const AnalyzerContext context{std::filesystem::absolute(options.root), options.compileCommands,
                                indexDbtProjects(options.root, walked->files, matchers)};
  // Only the languages of the walked files: an analyzer can be expensive to build (C++ loads
  // LLVM), and the run may have none of its files.
  std::vector<bool> present(languages.size());
  for (const WalkEntry& f : walked->files)
    present[static_cast<size_t>(f.language - languages.data())] = true;
  std::vector<std::unique_ptr<Analyzer>> analyzers;
  for (const LanguageEntry& lang : languages) {
    if (!present[analyzers.size()]) {
      analyzers.emplace_back();
      continue;
    }
    std::vector<const Rule*> rules;
    for (const Rule& r : builtinRules())
      if (r.language == lang.name)
        rules.push_back(&r);
    auto analyzer =
        lang.createInContext ? lang.createInContext(rules, context) : lang.create(rules);
    if (!analyzer)
      return analyzer.error();
    analyzers.push_back(std::move(*analyzer));
  }
  auto analyzerFor = [&](const LanguageEntry* lang) -> const Analyzer& {
    return *analyzers[static_cast<size_t>(lang - languages.data())];
  };

  const auto& files = walked->files;
  std::vector<FileOutcome> outcomes(files.size());
  std::atomic<size_t> next{0}, done{0};
  auto work = [&] {
    for (size_t i = next++; i < files.size(); i = next++) {
      outcomes[i] =
          processFile(options.root, files[i], analyzerFor(files[i].language), matchers, *prefilter,
                      dbtWantsFile(context, files[i].path), options.fullParse);
      const size_t d = ++done;
      if (options.progress)
        options.progress(d, files.size());
    }
  };
  const unsigned jobs =
      std::max(1u, options.jobs ? options.jobs : std::thread::hardware_concurrency());
  {
    std::vector<std::jthread> threads;
    for (unsigned j = 1; j < jobs && j < files.size(); ++j)
      threads.emplace_back(work);
    work();
  }

  RunResult result;
  Summary& s = result.summary;
  s.filesSeen = walked->seen;
  s.ignored = walked->ignored;
  s.unsupported = walked->unsupported;
  s.symlinks = walked->symlinks;
  result.errors = std::move(walked->errors);
  for (FileOutcome& o : outcomes) {
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
