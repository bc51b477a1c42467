#pragma once
// The checks every YAML file godwit reads from a person goes through before it is parsed:
// encoding and bytes, strict syntax, and limits (nesting, aliases), each reported at its
// position. Shared by migration files and a repository's .godwit.yaml.

#include "rules/Expected.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace godwit {

/// How the messages name the file, e.g. {"migration file", "migration"}.
struct YamlFileKind {
  std::string file;  ///< `the <file> is UTF-16 …`, `… are not supported in a <file>`.
  std::string thing; ///< `the <thing> nests lists …`, `a <thing> needs a few levels`.
};

/// The first problem of `text` read from `path`: not UTF-8, a control character, invalid YAML
/// (checked strictly by libyaml), an alias, or nesting deeper than 64 levels; nullopt when none.
std::optional<Error> checkYamlText(std::string_view text, const std::string& path,
                                   const YamlFileKind& kind);

/// The word of `known` closest to `word` when it is close enough to be a likely typo.
std::optional<std::string_view> closestWord(std::string_view word,
                                            const std::vector<std::string_view>& known);

/// A GitHub login (up to 39 letters, digits, `-` and `_`, not starting with `-`), or
/// `org/team-slug`.
bool isValidReviewer(std::string_view s);

} // namespace godwit
