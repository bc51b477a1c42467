#include "cli/Cli.h"

#include "cli/Output.h"
#include "cli/PrCommand.h"
#include "rewriters/Apply.h"
#include "rewriters/Engine.h"
#include "rules/Migration.h"

#include <CLI/CLI.hpp>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <mutex>

namespace godwit {
namespace {

namespace fs = std::filesystem;

struct CommonOptions {
  std::string migration;
  std::vector<std::string> paths;
  unsigned jobs = 0;
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  std::string compileCommands;
  bool fullParse = false;
};

constexpr unsigned kMaxJobs = 256;

void addCommon(CLI::App& cmd, CommonOptions& o) {
  cmd.add_option("--migration,-m", o.migration, "The migration file (see docs/migration-format.md)")
      ->required();
  cmd.add_option("paths", o.paths,
                 "Files or folders to scan (default: .). One folder is the scanned root; "
                 "otherwise paths are relative to the current directory");
  cmd.add_option("--jobs,-j", o.jobs, "Worker threads, at most 256 (default: one per core)")
      ->check(CLI::Range(0u, kMaxJobs));
  // One glob per flag: `--include '*.py' src/` must leave `src/` a path.
  cmd.add_option("--include", o.include, "Only analyze paths matching this glob (repeatable)")
      ->allow_extra_args(false);
  cmd.add_option("--exclude", o.exclude, "Skip paths matching this glob (repeatable)")
      ->allow_extra_args(false);
  cmd.add_option("--compile-commands", o.compileCommands,
                 "C++: compile_commands.json, or its folder (default: in the root or build/)");
  cmd.add_flag("--full-parse", o.fullParse,
               "Parse every candidate file whole instead of only the statements around a match "
               "(slower; the findings are the same)");
}

/// Prints `done/total` to stderr at most ten times a second, only on a terminal.
class Progress {
public:
  Progress() : enabled_(::isatty(STDERR_FILENO) == 1) {}
  ~Progress() {
    if (shown_)
      std::fputs("\r\033[K", stderr);
  }
  void operator()(size_t done, size_t total) {
    if (!enabled_)
      return;
    std::lock_guard lock(mutex_);
    const auto now = std::chrono::steady_clock::now();
    if (done != total && now - last_ < std::chrono::milliseconds(100))
      return;
    last_ = now;
    shown_ = true;
    std::fprintf(stderr, "\rgodwit: %zu/%zu files", done, total);
  }

private:
  bool enabled_;
  bool shown_ = false;
  std::mutex mutex_;
  std::chrono::steady_clock::time_point last_{};
};

struct Loaded {
  Migration migration;
  fs::path root;
  RunResult result;
};

/// Loads the migration and runs it; prints errors and returns the exit code on failure.
std::variant<Loaded, int> load(const CommonOptions& o) {
  auto migration = loadMigration(o.migration);
  if (!migration) {
    std::cerr << displayError(migration.error()) << "\n";
    return 2;
  }
  RunOptions run;
  run.jobs = o.jobs;
  run.include = o.include;
  run.exclude = o.exclude;
  run.compileCommands = o.compileCommands;
  run.fullParse = o.fullParse;
  std::error_code ec;
  if (o.paths.size() == 1 && fs::is_directory(o.paths.front(), ec)) {
    run.root = o.paths.front();
  } else {
    run.root = fs::current_path();
    run.paths = o.paths;
  }
  Progress progress;
  run.progress = [&](size_t d, size_t t) { progress(d, t); };
  auto result = runMigration(*migration, run);
  if (!result) {
    std::cerr << displayError(result.error()) << "\n";
    return 2;
  }
  return Loaded{std::move(*migration), run.root, std::move(*result)};
}

/// Prints attention items, errors and the summary to stderr; returns 3 when files failed.
int report(const RunResult& r, bool listAttention) {
  if (listAttention) {
    for (const Finding& f : r.findings) {
      if (f.action == Action::Attention && !f.suppressed)
        std::cerr << displayPath(f.file) << ":" << f.line << ":" << f.column
                  << ": attention: " << displayPath(f.found) << " [" << f.context
                  << "]: " << displayPath(f.reason) << "\n";
    }
  }
  for (const Error& n : r.notes)
    std::cerr << renderNote(n) << "\n";
  for (const Error& e : r.errors)
    std::cerr << displayError(e) << "\n";
  std::cerr << renderSummary(r.summary);
  return r.errors.empty() ? 0 : 3;
}

} // namespace

int runCli(int argc, char** argv) {
  CLI::App app{"godwit: migrate the consumers of a dataset.\n"
               "Finds every reference to a moved dataset and rewrites it with the smallest edit."};
  app.set_version_flag("--version", std::string("godwit ") + GODWIT_VERSION);
  app.require_subcommand(1);

  CommonOptions scanOpts;
  std::string format = "text";
  CLI::App* scan = app.add_subcommand("scan", "List every reference to the migrated datasets");
  addCommon(*scan, scanOpts);
  scan->add_option("--format", format, "text, json or sarif")
      ->check(CLI::IsMember({"text", "json", "sarif"}));

  CommonOptions dryOpts;
  bool exitCode = false;
  CLI::App* dry = app.add_subcommand(
      "dry-run",
      "Print the migration as a unified diff (git apply accepts it, from the scanned root)");
  addCommon(*dry, dryOpts);
  dry->add_flag("--exit-code", exitCode, "Exit with 1 when there are changes");

  CommonOptions applyOpts;
  CLI::App* apply = app.add_subcommand("apply", "Rewrite the files in place");
  addCommon(*apply, applyOpts);

  PrOptions prOpts;
  CLI::App* pr = addPrCommand(app, prOpts);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }

  if (pr->parsed())
    return runPr(prOpts);
  if (scan->parsed()) {
    auto loaded = load(scanOpts);
    if (auto* code = std::get_if<int>(&loaded))
      return *code;
    const RunResult& r = std::get<Loaded>(loaded).result;
    std::cout << (format == "json"    ? renderJson(r)
                  : format == "sarif" ? renderSarif(r)
                                      : renderText(r));
    return report(r, false);
  }
  if (dry->parsed()) {
    auto loaded = load(dryOpts);
    if (auto* code = std::get_if<int>(&loaded))
      return *code;
    const RunResult& r = std::get<Loaded>(loaded).result;
    std::cout << renderPatch(r.changes);
    const int status = report(r, true);
    return status != 0 ? status : (exitCode && !r.changes.empty() ? 1 : 0);
  }
  auto loaded = load(applyOpts);
  if (auto* code = std::get_if<int>(&loaded))
    return *code;
  auto& [migration, root, r] = std::get<Loaded>(loaded);
  applyChanges(root, r, [](const std::string& path) {
    std::cerr << "godwit: rewrote " << displayPath(path) << "\n";
  });
  return report(r, true);
}

} // namespace godwit
