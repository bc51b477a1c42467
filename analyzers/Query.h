#pragma once
// A compiled tree-sitter query whose text predicates (#eq?, #not-eq?, #match?, #not-match?,
// #any-of?) are evaluated here, since the tree-sitter runtime leaves them to its client.

#include "rules/Expected.h"

#include <tree_sitter/api.h>

#include <memory>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

namespace godwit {

/// A compiled query; immutable after compile(), so many threads may run it at once.
class Query {
public:
  /// One captured node.
  struct Capture {
    std::string_view name;
    TSNode node;
  };
  /// One match whose predicates hold.
  struct Match {
    uint32_t pattern = 0;
    std::vector<Capture> captures;
  };

  /// Compiles `source` for `language`; errors name `origin` (e.g. `rules/packs/scio.yaml:12`)
  /// and the line and column inside the query.
  static Expected<Query> compile(const TSLanguage* language, std::string_view source,
                                 const std::string& origin);

  /// Every match under `node` (text read from `src`) whose predicates hold; with `patterns`,
  /// only the matches of the patterns it marks (`patterns[i]` for pattern i).
  std::vector<Match> matches(TSNode node, std::string_view src,
                             const std::vector<bool>* patterns = nullptr) const;

  /// The number of patterns.
  uint32_t patternCount() const { return static_cast<uint32_t>(predicates_.size()); }
  /// Where pattern `pattern` starts in the query's source.
  uint32_t patternStart(uint32_t pattern) const;

  /// True when the query has a capture called `name`.
  bool hasCapture(std::string_view name) const;

private:
  struct Predicate {
    enum class Op { Eq, NotEq, Match, NotMatch, AnyOf, ParentType } op;
    uint32_t capture = 0;
    int otherCapture = -1; ///< For #eq? between two captures.
    std::vector<std::string> values;
    std::shared_ptr<std::regex> regex;
  };
  static bool holds(const Predicate& p, const TSQueryMatch& m, std::string_view src);

  std::shared_ptr<TSQuery> query_;
  std::vector<std::vector<Predicate>> predicates_; ///< Per pattern.
};

} // namespace godwit
