#pragma once
// Writing results: never a half-written file.

#include "rules/Expected.h"

#include <filesystem>
#include <string_view>

namespace godwit {

/// Replaces the file at `path` with `content` through a temporary file in the same directory and
/// a rename, keeping the file's mode bits.
Expected<void> writeFileAtomic(const std::filesystem::path& path, std::string_view content);

} // namespace godwit
