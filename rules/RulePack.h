#pragma once
// Framework knowledge as data: rule packs (rules/packs/*.yaml) of tree-sitter queries with
// Before/After examples, embedded in the binary at build time.

#include "rules/Expected.h"
#include "rules/Migration.h"

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
  /// Like Context, and the `@value` string is a shell command line (Airflow's `bash_command`): the
  /// shell analyzer reads its value, with its own rules, through the string's offset map.
  Shell,
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
  /// What the `@value` of a context rule is a name of: dataset kinds, plus `other` for names
  /// godwit never migrates (a Pub/Sub topic, a Beam tag, a CLI option). Empty: not said.
  std::vector<std::string> accepts;
  /// `requires:` words one of which a file must hold (ignoring case) for the rule to run there, for rules
  /// whose patterns compare with regular expressions only; empty: no such condition.
  std::vector<std::string> requiredWords;
  /// `attention:` why a reference the rule captures is never rewritten (a Terraform resource that
  /// creates the dataset: renaming it replaces the resource); empty: references are rewritten.
  std::string attention;
  std::vector<RuleExample> examples;
  std::string file; ///< The pack file it came from.
  int line = 0;     ///< The line of the entry in that file.
};

/// What a place in code takes, for a dataset kind whose names are ordinary words (topics).
enum class Sink {
  Unknown,   ///< Nothing says: a whole-value name there needs attention.
  Takes,     ///< A rule (or SQL) says the place takes a name of this kind.
  TakesOther ///< The place takes another kind of name: not a reference at all.
};

/// How the rule's `accepts` classifies a reference of `kind`: Unknown when it says nothing.
Sink sinkFor(const Rule& rule, DatasetKind kind);

/// True for kinds whose names are ordinary words (`events`, `input`): a name of such a kind is a
/// reference only where the code uses it as one (a topic where it reaches a topic sink).
bool namesAreWords(DatasetKind kind);

/// True when a key or name says its value names topics: a last (or next-to-last) segment, split
/// at `.`, `/` and `:`, that contains `topic` but not `pattern`, `regex`, `prefix`, `suffix`,
/// `format` or `template` (`topic`, `topics`,
/// `inputTopic`, `kafka.topic.name`, `kTopic`), or is `subscribe`. For config keys and for
/// analyzers without rule packs (C++).
bool nameSaysTopic(std::string_view name);

/// Parses one pack's YAML text; `file` names it in errors.
Expected<std::vector<Rule>> parseRulePack(std::string_view yaml, const std::string& file);

/// The packs built into godwit (rules/packs/*.yaml), parsed once.
const std::vector<Rule>& builtinRules();

/// The example migration that every rule's Before/After examples are written against.
std::string_view exampleMigrationYaml();

} // namespace godwit
