#pragma once
// Framework knowledge as data: rule packs (rules/packs/*.yaml) of tree-sitter queries with
// Before/After examples, embedded in the binary at build time.

#include "rules/Expected.h"

#include <string>
#include <string_view>
#include <vector>

namespace godwit {

/// Whether code reads or writes the dataset at a reference.
enum class Access { Unknown, Read, Write };

/// `read`, `write` or `unknown`.
std::string_view accessName(Access access);

/// What a rule's query finds.
enum class RuleKind {
  Context, ///< `@value` captures an argument; references inside get the rule's context and access.
  Split,   ///< One match is one reference spread over part captures (`@project`, `@table`, ...).
  Sql, ///< Like Context, and the `@value` argument holds SQL: it is analyzed as SQL (columns too).
};

/// A Before/After pair showing what the rule changes under the example migration.
struct RuleExample {
  std::string before;
  std::string after;
};

/// One entry of a rule pack.
struct Rule {
  std::string id;       ///< Names the pack entry, its fixtures folder and its doc section.
  std::string language; ///< An analyzer language name: `java`, `scala`, `python`, ...
  RuleKind kind = RuleKind::Context;
  std::string description;
  std::string query;   ///< Tree-sitter query (several patterns allowed) for `language`.
  std::string context; ///< The finding context, e.g. `scio.table-spec`.
  Access access = Access::Unknown;
  std::vector<RuleExample> examples;
  std::string file; ///< The pack file it came from.
  int line = 0;     ///< The line of the entry in that file.
};

/// Parses one pack's YAML text; `file` names it in errors.
Expected<std::vector<Rule>> parseRulePack(std::string_view yaml, const std::string& file);

/// The packs built into godwit (rules/packs/*.yaml), parsed once.
const std::vector<Rule>& builtinRules();

/// The example migration that every rule's Before/After examples are written against.
std::string_view exampleMigrationYaml();

} // namespace godwit
