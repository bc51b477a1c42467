#pragma once
// Writing results: never a half-written file, never a lost change (see docs/cli.md#apply).

#include "rewriters/Engine.h"
#include "rules/Expected.h"

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace godwit {

/// Replaces the file at `path` with `content` through a temporary file in the same directory and
/// a rename, keeping the file's mode bits. The temporary file has no name until its content is
/// complete and on disk (O_TMPFILE where the file system has it), so a crash leaves at most a
/// complete `.NAME.godwit-XXXXXX` next to the file.
Expected<void> writeFileAtomic(const std::filesystem::path& path, std::string_view content);

/// Like writeFileAtomic, but only while the file still holds `expected` (what godwit read): the
/// file is compared just before, and the file taken out just after, an atomic exchange, which is
/// undone when it differs. A file that changed, vanished, is read-only or has other hard links is
/// left as it is, with an error naming it.
Expected<void> replaceFileIfUnchanged(const std::filesystem::path& path, std::string_view expected,
                                      std::string_view content);

/// Writes every change of `result` under `root` with replaceFileIfUnchanged and removes the
/// stale temporary files the walk found (each reported as a note). A change not written moves to
/// result.errors, and result.summary no longer counts the file or its rewrites. `onWritten` (may
/// be empty) is called after each file is written.
void applyChanges(const std::filesystem::path& root, RunResult& result,
                  const std::function<void(const std::string& path)>& onWritten);

} // namespace godwit
