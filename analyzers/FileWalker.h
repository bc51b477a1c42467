#pragma once
// The file walk: which files under the scanned root get read, and why the others do not.

#include "analyzers/Analyzer.h"
#include "rules/Expected.h"

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace godwit {

/// True when `path` (relative, `/`-separated) matches `glob`: `**` spans folders, `*` and `?`
/// stay within one; a glob without `/` is matched against the file name alone.
bool globMatch(std::string_view glob, std::string_view path);

/// A file to analyze.
struct WalkEntry {
  std::string path; ///< Relative to root, `/`-separated.
  const LanguageEntry* language = nullptr;
  size_t found = 0; ///< Its place in the order the walk found files (see WalkOptions::onFile).
};

/// What to walk.
struct WalkOptions {
  std::filesystem::path root;
  std::vector<std::string> paths;   ///< Files or folders under root; empty means root.
  std::vector<std::string> include; ///< When non-empty, only files matching one are kept.
  std::vector<std::string> exclude;
  /// Called from the walking thread for each file to analyze, as it is found (in walk order,
  /// not the sorted order of WalkResult::files); may be empty.
  std::function<void(const WalkEntry&)> onFile = nullptr;
};

/// The files to analyze and the counts of those passed over.
struct WalkResult {
  std::vector<WalkEntry> files;
  size_t seen = 0;           ///< Regular files found.
  size_t ignored = 0;        ///< By .gitignore (inside a git work tree) or by globs.
  size_t unsupported = 0;    ///< No analyzer for the extension.
  size_t symlinks = 0;       ///< Never followed.
  std::vector<Error> errors; ///< Folders that could not be read.
};

/// Walks the paths in a stable order; never follows symbolic links; skips `.git` folders and,
/// inside a git work tree, what `.gitignore` ignores (libgit2).
Expected<WalkResult> walkFiles(const WalkOptions& options);

} // namespace godwit
