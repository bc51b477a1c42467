#pragma once
// Diff rendering: byte-exact unified diffs that `git apply` accepts.

#include <string>
#include <vector>

namespace godwit {

/// One file's content before and after the migration.
struct FileChange {
  std::string path; ///< Relative to the scanned root, `/`-separated.
  std::string before;
  std::string after;
};

/// A git-style unified diff (`a/`, `b/` prefixes) of one file; empty when nothing changed.
/// Line endings, missing final newlines and non-UTF-8 bytes are rendered exactly.
std::string renderFileDiff(const FileChange& change, int context = 3);

/// The diffs of all changes, in the order given.
std::string renderPatch(const std::vector<FileChange>& changes, int context = 3);

} // namespace godwit
