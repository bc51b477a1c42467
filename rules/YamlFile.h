#pragma once
// Reading godwit's own small YAML files (the migration, a fleet file, a repository's
// .godwit.yaml) with one set of checks, so that every kind of file reports bad input the same way:
// `file:line:col: error:` at the node at fault, with a hint (typos get "did you mean").

#include "rules/Expected.h"
#include "rules/Text.h"
#include "rules/YamlCheck.h"

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace godwit {

/// One key of a YAML mapping with its value.
struct YamlEntry {
  std::string key;
  YAML::Node keyNode;
  YAML::Node value;
};

/// The entry of `entries` whose key is `key`; nullptr when there is none.
const YamlEntry* findYamlEntry(const std::vector<YamlEntry>& entries, std::string_view key);

/// The words joined with ", ", for hints that list what is valid.
std::string listOf(const std::vector<std::string_view>& words);

/// `s` between backticks, with unprintable bytes escaped: how messages quote input.
std::string tick(std::string_view s);

/// Reads the regular file at `path`, at most `maxBytes`; `what` names it in errors
/// (e.g. "migration file"). FIFOs and directories are refused without blocking.
Expected<std::string> readYamlFile(const std::string& path, size_t maxBytes, std::string_view what);

/// Validates one YAML file of a godwit kind. Every error names `path` and the position of the
/// node at fault; `kind` names the file in messages.
class YamlFile {
public:
  YamlFile(std::string path, YamlFileKind kind) : path_(std::move(path)), kind_(std::move(kind)) {}

  /// Checks encoding and syntax (checkYamlText) and returns the
  /// only document, which must be a mapping. `example` is the hint for an empty or wrong root.
  Expected<YAML::Node> parse(std::string_view text, std::string_view example) const;

  /// Checks the root's `apiVersion: godwit/v1` and `kind: <kind>` before anything else, so that a
  /// file of another kind gets one clear error rather than a list of unknown keys.
  Expected<void> checkHeader(const YAML::Node& root, std::string_view kind) const;

  /// The keys of `map`: each must be one of `known`, once; `where` says where for messages
  /// (e.g. "in `pullRequest`").
  Expected<std::vector<YamlEntry>> entries(const YAML::Node& map,
                                           const std::vector<std::string_view>& known,
                                           std::string_view where) const;
  /// The entry's value as a string (not a list or mapping; empty only when `allowEmpty`).
  Expected<std::string> scalar(const YamlEntry& e, bool allowEmpty = false) const;
  /// The entry's value as a list of non-empty strings (absent: empty).
  Expected<std::vector<std::string>> stringList(const YamlEntry& e, std::string_view item,
                                                std::string_view example) const;
  /// The entry's value as a whole number of at least `minimum`.
  Expected<int64_t> integer(const YamlEntry& e, int64_t minimum) const;
  /// The entry's value as a number from 0 to 1.
  Expected<double> ratio(const YamlEntry& e) const;
  /// The entry's value as `true` or `false`.
  Expected<bool> boolean(const YamlEntry& e) const;

  /// An error at `node` (or without a position when the node has none).
  Error at(const YAML::Node& node, std::string message, std::string hint = {}) const;
  /// An error at a 1-based line and column.
  Error at(int line, int column, std::string message, std::string hint = {}) const;
  /// Where to point for a value: the value itself, or its key when the value is empty (an empty
  /// value's mark is the next token's).
  static const YAML::Node& valueAnchor(const YamlEntry& e) {
    return e.value.IsNull() ? e.keyNode : e.value;
  }
  const std::string& path() const { return path_; }

private:
  std::string path_;
  YamlFileKind kind_;
};

} // namespace godwit
