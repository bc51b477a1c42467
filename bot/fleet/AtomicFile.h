#pragma once
// Writing a whole file so that readers see the old content or the new, never a part: reports and
// metrics textfiles that other programs pick up while the runner works.

#include "rules/Expected.h"

#include <filesystem>
#include <string_view>

namespace godwit {

/// Writes `text` to a temporary file beside `path`, flushes it to disk and renames it over
/// `path`. On an error `path` is unchanged and no temporary file is left behind.
Expected<void> writeFileAtomically(const std::filesystem::path& path, std::string_view text);

} // namespace godwit
