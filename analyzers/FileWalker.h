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

/// The marker in the names of godwit's temporary files: `.NAME.godwit-XXXXXX` next to NAME.
inline constexpr std::string_view kTempMarker = ".godwit-";

/// True when a file name has the form of godwit's temporary files (`.NAME.godwit-XXXXXX`, six
/// letters or digits): one an interrupted `apply` left behind.
bool isGodwitTempFile(std::string_view name);

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
  size_t special = 0;        ///< FIFOs, sockets and devices: seen, never opened.
  std::vector<std::string> staleTemps; ///< godwit temporary files (isGodwitTempFile), not counted.
  std::vector<Error> errors; ///< Folders that could not be read.
};

/// Walks the paths in a stable order; never follows symbolic links (a root or path that is one, or
/// leads through one, is an error); skips `.git` folders and, inside a git work tree, what
/// `.gitignore` ignores (libgit2). Fails on a glob that cannot be parsed.
Expected<WalkResult> walkFiles(const WalkOptions& options);

} // namespace godwit
