#pragma once
// The spelling of a migration's name, which names its campaign and its git branches; checked by
// parseMigration and by readers of names from elsewhere (the App's status page URLs).

#include <string_view>

namespace godwit {

/// Whether `name` is spelled as a migration's name must be: lowercase letters, digits, `.`, `_`
/// and `-`, starting with a letter or digit, and fit for a git branch name (no `..`, no trailing
/// `.` or `.lock`). The length is not checked.
bool isMigrationNameSpelling(std::string_view name);

} // namespace godwit
