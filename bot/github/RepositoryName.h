#pragma once
// Repository names as GitHub compares them.

#include <string_view>

namespace godwit {

/// Whether `a` and `b` name the same repository (`owner/name`): GitHub's owner and repository
/// names are case-insensitive, so ASCII letters match either case; other bytes must be equal.
bool sameRepositoryName(std::string_view a, std::string_view b);

} // namespace godwit
