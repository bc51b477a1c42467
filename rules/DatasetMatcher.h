#pragma once
// Knows every spelling of one dataset: finds references in decoded values and renders their
// replacement in the spelling that was found.

#include "rules/Migration.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace godwit {

/// Stands in a decoded value for one unresolved interpolation hole (unknown text).
inline constexpr char kHole = '\x01';

/// One reference to the dataset inside a decoded value. Spellings: `standard` (`p.d.t`), `legacy`
/// (`p:d.t`), `backtick` (one pair of backticks around the name), `backtick-parts` (backticks
/// around some parts), `legacy-sql` (`[p:d.t]`), `uri` and `directory` (GCS), `topic`, `literal`.
struct Match {
  size_t begin = 0;        ///< Byte offset in the value where the reference starts.
  size_t end = 0;          ///< One past its last byte (decorators such as `$20240101` excluded).
  std::string replacement; ///< The text that replaces [begin, end), in the spelling found.
  std::string spelling; ///< How it was written: `standard`, `legacy`, `backtick`, `legacy-sql`, ...
  std::string attention; ///< Non-empty when a human must decide: the reason; no rewrite then
                         ///< (and `replacement` is empty).
};

/// A byte string the prefilter looks for; any file that refers to a dataset contains one.
struct PrefilterPattern {
  std::string literal;
  bool caseless = false;
  /// Bytes that may not follow `literal` (so `user_profile_v10` is no candidate for
  /// `user_profile_v1`); empty when anything may follow.
  std::string notFollowedBy = {};
  /// When set, `literal` is followed by a proper prefix of this (at least `minPrefix` bytes)
  /// and then `suffix`: one pattern for the family `core_users.*`, `core_users.u*`, …
  std::string prefixOf = {};
  size_t minPrefix = 0;
  std::string suffix = {};
};

/// The outcome of matching a reference split over several values (e.g. project, dataset, table).
struct PartsMatch {
  enum class Status { None, Rewrite, Attention };
  Status status = Status::None;
  std::map<std::string, std::string> newValues; ///< Rewrite: the parts that change, by part name.
  std::string reason;                           ///< Attention: why a human must look.
};

class MatcherIndex;

/// Finds references to one dataset in decoded string values.
class DatasetMatcher {
public:
  explicit DatasetMatcher(const DatasetSpec& spec);

  /// The dataset this matcher looks for.
  const DatasetSpec& spec() const { return spec_; }

  /// Every reference in `value`, in order, non-overlapping; kHole bytes are unknown text.
  std::vector<Match> find(std::string_view value) const;

  /// Patterns at least one of which occurs in the raw bytes of any file that refers to the dataset.
  std::vector<PrefilterPattern> prefilterPatterns() const;

  /// The part names a split reference of this kind uses, e.g. {project, dataset, table};
  /// empty when the kind has no split form.
  std::vector<std::string> partNames() const;

  /// Matches a split reference. `parts` maps a part name to its value, or to nullopt when the part
  /// is present but its value is unknown; parts not in the map are absent from the code. The most
  /// specific part (the table; the dataset for bigquery-dataset) must be present, and at least one
  /// known part must equal the migration's, for anything but None.
  PartsMatch matchParts(const std::map<std::string, std::optional<std::string>>& parts) const;

  /// Words (maximal runs of `[A-Za-z0-9_]`, lowercased), at least one of which every reference
  /// find() reports in a value without kHole bytes holds as a whole word; empty when the kind
  /// promises none (GCS prefixes).
  std::vector<std::string> indexWords() const;

private:
  friend void indexMatchers(std::vector<DatasetMatcher>& matchers);
  friend void forEachCandidate(std::span<const DatasetMatcher> matchers, std::string_view value,
                               const std::function<void(size_t)>& visit);
  DatasetSpec spec_;
  std::vector<std::string> fromParts_; ///< `from` in parts (bigquery, hive; hive lowercased).
  std::vector<std::string> toParts_;   ///< `to` split the same way.
  std::shared_ptr<const MatcherIndex> index_; ///< Set by indexMatchers() on the whole vector.
};

/// Indexes the matchers of a migration by their indexWords(), so that forEachCandidate() skips
/// those that cannot find anything in a value: with thousands of datasets, running every
/// matcher over every string is most of a scan. Call it once the vector is complete; a copy of
/// it, or a part of it, is not indexed.
void indexMatchers(std::vector<DatasetMatcher>& matchers);

/// Calls `visit(i)`, in ascending order, for each matcher of `matchers` that may find a
/// reference in `value`: all of them unless `matchers` is exactly a vector indexMatchers()
/// indexed, or `value` holds kHole bytes.
void forEachCandidate(std::span<const DatasetMatcher> matchers, std::string_view value,
                      const std::function<void(size_t)>& visit);

/// Whether the name at bytes [begin, end) of `value` is the whole value, or one element of a list
/// of names (`a,b`, Flink's `a;b`), rather than a word in prose, a path segment or part of another
/// token. With `nextToHole`, a name whose element holds holes counts too (`${env}-events`).
bool isWholeName(std::string_view value, size_t begin, size_t end, bool nextToHole);

/// Checks that `name` is a valid `from`/`to` for `kind`; returns the problem and a fix, or nullopt.
std::optional<std::string> validateDatasetName(DatasetKind kind, std::string_view name);

/// The form a `from`/`to` of `kind` takes, with an example, for error hints.
std::string_view datasetNameForm(DatasetKind kind);

} // namespace godwit
