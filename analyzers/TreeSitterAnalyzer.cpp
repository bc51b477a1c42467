#include "analyzers/TreeSitterAnalyzer.h"

#include "analyzers/Embedded.h"
#include "analyzers/Query.h"
#include "analyzers/RepoConstants.h"
#include "analyzers/TreeSitterNodes.h"
#include "analyzers/ValueFindings.h"
#include "analyzers/sql/Sql.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <numeric>
#include <regex>
#include <set>
#include <unordered_map>

namespace godwit {

namespace {

struct TreeDeleter {
  void operator()(TSTree* t) const { ts_tree_delete(t); }
};
using TreePtr = std::unique_ptr<TSTree, TreeDeleter>;

/// This thread's parser for `grammar`: parsers are reusable but not shareable between threads.
TSParser* threadParser(const TSLanguage* grammar) {
  struct ParserDeleter {
    void operator()(TSParser* p) const { ts_parser_delete(p); }
  };
  thread_local std::unordered_map<const TSLanguage*, std::unique_ptr<TSParser, ParserDeleter>>
      parsers;
  auto& parser = parsers[grammar];
  if (!parser) {
    parser.reset(ts_parser_new());
    ts_parser_set_language(parser.get(), grammar);
    ts_parser_set_timeout_micros(parser.get(), 20'000'000);
  }
  return parser.get();
}

/// A whole-text parse kept for reuse.
struct RecentTree {
  const TSLanguage* grammar = nullptr;
  std::string text;
  TreePtr tree;
};

/// The last few whole-text trees of this thread. One file is parsed by its analysis, its syntax
/// check and its verification, sometimes by two analyzers stacked on one grammar: each text is
/// parsed once.
std::deque<RecentTree>& recentTrees() {
  thread_local std::deque<RecentTree> trees;
  return trees;
}

const RecentTree* findRecent(const TSLanguage* grammar, std::string_view text) {
  for (const RecentTree& r : recentTrees())
    if (r.grammar == grammar && r.text == text)
      return &r;
  return nullptr;
}

void remember(const TSLanguage* grammar, std::string_view text, const TSTree* tree) {
  auto& trees = recentTrees();
  if (trees.size() == 4)
    trees.pop_back();
  trees.push_front(RecentTree{grammar, std::string(text), TreePtr(ts_tree_copy(tree))});
}

constexpr size_t kMaxSeparateEdits = 64;

/// Rows and byte columns of ascending offsets in one text, each found from the one before, so
/// that a file's many edits cost one pass over it, not one each.
class PointCursor {
public:
  explicit PointCursor(std::string_view text) : text_(text) {}

  /// The row and byte column of `offset`, which is not before the previous call's.
  TSPoint at(size_t offset) {
    const std::string_view gap = text_.substr(offset_, offset - offset_);
    if (const size_t last = gap.rfind('\n'); last != std::string_view::npos) {
      row_ += static_cast<uint32_t>(std::count(gap.begin(), gap.end(), '\n'));
      lineStart_ = offset_ + last + 1;
    }
    offset_ = offset;
    return TSPoint{row_, static_cast<uint32_t>(offset - lineStart_)};
  }

private:
  std::string_view text_;
  size_t offset_ = 0;
  size_t lineStart_ = 0;
  uint32_t row_ = 0;
};

} // namespace

TSTree* parseWith(const TreeSitterLanguage& language, std::string_view text,
                  std::span<const TSRange> ranges) {
  const TSLanguage* grammar = language.grammar();
  if (ranges.empty())
    if (const RecentTree* recent = findRecent(grammar, text))
      return ts_tree_copy(recent->tree.get());
  TSParser* parser = threadParser(grammar);
  // No ranges is the whole text.
  ts_parser_set_included_ranges(parser, ranges.data(), static_cast<uint32_t>(ranges.size()));
  TSTree* tree =
      ts_parser_parse_string(parser, nullptr, text.data(), static_cast<uint32_t>(text.size()));
  if (tree == nullptr)
    ts_parser_reset(parser);
  else if (ranges.empty())
    remember(grammar, text, tree);
  return tree;
}

void parseEdited(const TreeSitterLanguage& language, std::string_view before,
                 std::span<const SourceEdit> edits, std::string_view after) {
  const TSLanguage* grammar = language.grammar();
  const RecentTree* old = findRecent(grammar, before);
  if (old == nullptr || findRecent(grammar, after) != nullptr)
    return;
  TreePtr edited(ts_tree_copy(old->tree.get()));
  // Each ts_tree_edit walks the children of the nodes around it, so many edits under one node
  // (a list of thousands of names) would cost time in their number squared: beyond a few, one
  // edit spans them all, and the parse redoes what lies between.
  if (edits.size() > kMaxSeparateEdits) {
    long grown = 0;
    for (const SourceEdit& e : edits)
      grown += static_cast<long>(e.text.size()) - static_cast<long>(e.length);
    const size_t start = edits.front().offset;
    const size_t oldEnd = edits.back().offset + edits.back().length;
    const auto newEnd = static_cast<size_t>(static_cast<long>(oldEnd) + grown);
    PointCursor inBefore(before), inAfter(after);
    const TSPoint at = inBefore.at(start);
    const TSInputEdit input{static_cast<uint32_t>(start),  static_cast<uint32_t>(oldEnd),
                            static_cast<uint32_t>(newEnd), at,
                            inBefore.at(oldEnd),           inAfter.at(newEnd)};
    ts_tree_edit(edited.get(), &input);
    edits = {};
  }
  // Edits are sorted: before each one, the text is `after` up to it and `before` from it on.
  long shift = 0;
  PointCursor points(after);
  for (const SourceEdit& e : edits) {
    const auto start = static_cast<uint32_t>(static_cast<long>(e.offset) + shift);
    const TSPoint at = points.at(start);
    const std::string_view removed = before.substr(e.offset, e.length);
    const auto rows = static_cast<uint32_t>(std::count(removed.begin(), removed.end(), '\n'));
    const TSPoint oldEnd =
        rows == 0 ? TSPoint{at.row, at.column + static_cast<uint32_t>(removed.size())}
                  : TSPoint{at.row + rows,
                            static_cast<uint32_t>(removed.size() - removed.rfind('\n') - 1)};
    const TSInputEdit input{start,
                            start + static_cast<uint32_t>(e.length),
                            start + static_cast<uint32_t>(e.text.size()),
                            at,
                            oldEnd,
                            points.at(start + e.text.size())};
    ts_tree_edit(edited.get(), &input);
    shift += static_cast<long>(e.text.size()) - static_cast<long>(e.length);
  }
  TSParser* parser = threadParser(grammar);
  ts_parser_set_included_ranges(parser, nullptr, 0);
  TreePtr tree(ts_parser_parse_string(parser, edited.get(), after.data(),
                                      static_cast<uint32_t>(after.size())));
  if (!tree) {
    ts_parser_reset(parser);
    return;
  }
  remember(grammar, after, tree.get());
}

namespace {

/// The language's constants query and all its rules as one query, so a file's tree is walked
/// once; `patternRule[i]` is the rule of pattern i, or -1 for a constants pattern.
struct CombinedQuery {
  std::optional<Query> query;
  std::vector<int> patternRule;
  std::optional<Error> error;
};

/// A compiled query and the patterns of it that one file needs.
struct QueryRun {
  const CombinedQuery* query;
  std::vector<bool> patterns;
};

/// The language's constants query and the rules at indexes `chosen` of `rules`, as one query;
/// `patternRule` maps each pattern to its index in `rules`.
CombinedQuery combineQueries(const TreeSitterLanguage& language,
                             const std::vector<const Rule*>& rules, const std::vector<int>& chosen,
                             bool withConstants = true);

/// The literals a rule's query compares captures with (`#eq?`, `#any-of?`): a file that holds
/// none of them cannot match. nullopt when some pattern of the query has no such literal.
std::optional<std::vector<std::string>> requiredLiterals(std::string_view query);

/// True when `text` holds `token` as a node's whole text could be: not inside a longer name.
bool containsToken(std::string_view text, std::string_view token) {
  const auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  for (size_t at = text.find(token); at != std::string_view::npos; at = text.find(token, at + 1)) {
    const size_t end = at + token.size();
    if ((at == 0 || !word(token.front()) || !word(text[at - 1])) &&
        (end == text.size() || !word(token.back()) || !word(text[end])))
      return true;
  }
  return token.empty();
}

/// True when `text` holds only blanks and parentheses: an argument written `(value)`.
bool onlyParentheses(std::string_view text) {
  return text.find_first_not_of(" \t\r\n()") == std::string_view::npos;
}

struct Constant {
  TSNode name{};
  TSNode value{};
  int uses = 0;
  std::vector<uint32_t> useAt; ///< Where each use starts.
  bool shared = true;
  int state = 0; // 0 unvisited, 1 decoding, 2 done
  std::optional<DecodedString> raw;     // its value as decoded
  std::optional<DecodedString> decoded; // marked as reached through it
};

/// True when a constant whose name starts at `at` is visible to other files: not declared
/// `private` on its line (Java, Scala), not `_`-prefixed (Python).
bool sharedConstant(std::string_view language, std::string_view src, uint32_t at) {
  if (language == "python")
    return src[at] != '_';
  const size_t nl = src.rfind('\n', at);
  const std::string_view before = src.substr(nl == std::string_view::npos ? 0 : nl + 1,
                                             at - (nl == std::string_view::npos ? 0 : nl + 1));
  return !containsToken(before, "private");
}

/// A file's constants: a name defined twice is ambiguous and never resolved. `resolver()`
/// decodes each on first use (later ones may refer to earlier ones) and, for a name the file
/// does not define, asks the repository's constants (`repo`, may be null).
class ConstantTable {
public:
  ConstantTable(const TreeSitterLanguage& lang, std::string_view src,
                const std::vector<Query::Match>& matches, TSNode root)
      : lang_(lang), src_(src) {
    std::vector<std::string> ambiguous;
    for (const auto& m : matches) {
      TSNode name{}, value{};
      for (const auto& c : m.captures) {
        if (c.name == "name")
          name = c.node;
        else if (c.name == "value")
          value = c.node;
      }
      if (ts_node_is_null(name) || ts_node_is_null(value))
        continue;
      const std::string key = std::string(lang.constantPrefix) + std::string(nodeText(name, src));
      Constant c{name, value};
      c.shared = sharedConstant(lang.name, src, ts_node_start_byte(name));
      if (!constants_.emplace(key, std::move(c)).second)
        ambiguous.push_back(key);
    }
    for (const auto& key : ambiguous)
      constants_.erase(key);
    ambiguous_ = std::move(ambiguous);
    if (!constants_.empty()) {
      forEachNode(root, [&](TSNode node) {
        if (ts_node_type(node) != lang_.identifierType)
          return;
        auto it = constants_.find(nodeText(node, src));
        if (it != constants_.end() && !ts_node_eq(node, it->second.name)) {
          ++it->second.uses;
          it->second.useAt.push_back(ts_node_start_byte(node));
        }
      });
    }
  }

  std::map<std::string, Constant, std::less<>>& constants() { return constants_; }
  const std::vector<std::string>& ambiguous() const { return ambiguous_; }

  /// The resolver over this table; `looked` gets every name asked for, `missed` those neither
  /// the file nor `repo` (may be null) defines; `path` is the file's, for `repo`.
  Resolver resolver(const RepoConstants* repo, std::string_view path,
                    std::vector<std::string>& looked, std::vector<std::string>& missed) {
    return [this, repo, path, &looked, &missed](std::string_view name,
                                               uint32_t at) -> std::optional<DecodedString> {
      looked.emplace_back(name);
      auto it = constants_.find(name);
      if (it == constants_.end()) {
        if (repo != nullptr)
          if (const RepoConstant* rc = repo->find(path, name)) {
            DecodedString value = fromFile(*rc, name, RepoConstants::usesIn(src_, name));
            value.markUse(name, at);
            return value;
          }
        missed.emplace_back(name);
        if (const size_t dot = name.rfind('.'); dot != std::string_view::npos)
          looked.emplace_back(name.substr(dot + 1));
        return std::nullopt;
      }
      const DecodedString* value = decode(it->first, it->second, repo, path, looked, missed);
      if (value == nullptr)
        return std::nullopt;
      DecodedString used = *value;
      used.markUse(name, at);
      return used;
    };
  }

  /// The value of constant `c` named `name` as decoded, or nullptr (not a string, or a cycle).
  const DecodedString* raw(const std::string& name, Constant& c) {
    std::vector<std::string> looked, missed;
    decode(name, c, nullptr, {}, looked, missed);
    return c.raw ? &*c.raw : nullptr;
  }

private:
  const DecodedString* decode(const std::string& name, Constant& c, const RepoConstants* repo,
                              std::string_view path, std::vector<std::string>& looked,
                              std::vector<std::string>& missed) {
    if (c.state == 0) {
      c.state = 1;
      if (auto d = lang_.decode(c.value, src_, resolver(repo, path, looked, missed))) {
        DecodedString marked;
        marked.append(*d, name, c.uses);
        for (LiteralPiece& p : marked.pieces)
          if (p.constant == name && p.useAt == LiteralPiece::kNoUse)
            p.shared = c.shared;
        c.raw = std::move(*d);
        c.decoded = std::move(marked);
      }
      c.state = 2;
    }
    return c.state == 2 && c.decoded ? &*c.decoded : nullptr;
  }

  /// The value of another file's constant as this file refers to it by `name`, `uses` times.
  static DecodedString fromFile(const RepoConstant& rc, std::string_view name, int uses) {
    DecodedString there = rc.constant.value;
    for (LiteralPiece& p : there.pieces) {
      if (p.file.empty())
        p.file = rc.file;
      if (p.useAt != LiteralPiece::kNoUse && p.useFile.empty())
        p.useFile = rc.file;
    }
    DecodedString out;
    out.append(there, name, uses);
    for (LiteralPiece& p : out.pieces)
      if (p.constant == name && p.useAt == LiteralPiece::kNoUse)
        p.shared = true;
    return out;
  }

  const TreeSitterLanguage& lang_;
  std::string_view src_;
  std::map<std::string, Constant, std::less<>> constants_;
  std::vector<std::string> ambiguous_;
};

class TsAnalyzer final : public Analyzer {
public:
  TsAnalyzer(const TreeSitterLanguage& lang, std::vector<const Rule*> rules)
      : lang_(lang), rules_(std::move(rules)) {
    for (size_t i = 0; i < rules_.size(); ++i) {
      ruleLiterals_.push_back(requiredLiterals(rules_[i]->query));
      if (saysWhatItNames(i))
        words_.rules.push_back(static_cast<int>(i));
    }
    words_.withConstants = false;
    if (std::any_of(rules_.begin(), rules_.end(),
                    [](const Rule* r) { return r->kind == RuleKind::Shell; }))
      embedded_ = std::make_unique<EmbeddedRunner>();
  }

  Expected<std::vector<Finding>> analyze(const SourceFile& file,
                                         std::span<const DatasetMatcher> matchers) const override;
  Expected<std::vector<Finding>> analyzeFile(const SourceFile& file,
                                             std::span<const DatasetMatcher> matchers,
                                             AnalysisNotes& notes) const override;
  std::optional<std::vector<FileConstant>> fileConstants(const SourceFile& file) const override;
  int syntaxErrors(std::string_view text) const override;
  Expected<void> verifyEdits(const SourceFile& file, std::span<const SourceEdit> edits,
                             std::string_view after) const override;

private:
  /// A combined query of some rules, compiled on first use (compiled()).
  struct CompiledSet {
    std::once_flag once;
    CombinedQuery query;
    std::vector<int> rules;     ///< The indexes of the rules it holds.
    bool withConstants = true; ///< It also holds the constants query.
  };

  /// The findings in `tree`, a parse of the file, whole or of the lines that can matter. Adds to
  /// `names` every constant the analysis defined or looked up, so a caller can tell whether
  /// skipped lines mattered.
  std::vector<Finding> analyzeTree(const SourceFile& file, std::span<const QueryRun> queries,
                                   TSTree* tree,
                                   std::span<const DatasetMatcher> matchers,
                                   std::vector<std::string>& names,
                                   std::vector<std::string>& unresolved) const;

  /// True for a rule that says what its values name (`accepts:`): such rules matter only in a
  /// file that holds a name of a kind whose names are words, and are compiled apart (wordsQuery).
  bool saysWhatItNames(size_t rule) const {
    return !rules_[rule]->accepts.empty() && rules_[rule]->kind != RuleKind::Split;
  }

  /// The queries to run on `text`, with the patterns of the rules that can match in it (by
  /// their literals) and the constants. Tree-sitter's analysis of a query costs tens of
  /// milliseconds per compile (more for large grammars such as Scala's), so compiles are few:
  /// the constants with the rules that do not say what they name come from a few shared rule
  /// sets (mainQueryFor); the rules that do are one query, compiled once on first use, needed
  /// only in a file holding one of the migration's topics (or other names that are words).
  std::vector<QueryRun> queriesFor(std::string_view text,
                                   std::span<const DatasetMatcher> matchers) const {
    std::vector<QueryRun> out;
    std::vector<bool> chosen(rules_.size());
    for (size_t i = 0; i < rules_.size(); ++i)
      chosen[i] = !saysWhatItNames(i) && canMatch(i, text);
    const CombinedQuery& main = mainQueryFor(chosen);
    out.push_back(QueryRun{&main, patternsOf(main, chosen)});
    const bool words = std::any_of(matchers.begin(), matchers.end(), [&](const DatasetMatcher& m) {
      return namesAreWords(m.spec().kind) && !m.find(text).empty();
    });
    if (!words)
      return out;
    bool any = false;
    for (size_t i = 0; i < rules_.size(); ++i) {
      chosen[i] = saysWhatItNames(i) && canMatch(i, text);
      any = any || chosen[i];
    }
    if (!any)
      return out;
    const CombinedQuery& wordsQuery = compiled(words_);
    out.push_back(QueryRun{&wordsQuery, patternsOf(wordsQuery, chosen)});
    return out;
  }

  /// A compiled query holding the constants and at least the `chosen` rules: one compiled
  /// before whose rules include them, else a new one of exactly those (a file often needs few
  /// rules, and each costs its share of the compile); past kMaxRuleSets, one of every rule.
  const CombinedQuery& mainQueryFor(const std::vector<bool>& chosen) const {
    CompiledSet* set = nullptr;
    {
      std::lock_guard lock(setsMutex_);
      for (const auto& [rules, compiled] : sets_) {
        bool covers = true;
        for (size_t i = 0; covers && i < chosen.size(); ++i)
          covers = !chosen[i] || rules[i];
        if (covers && (!set || compiled->rules.size() < set->rules.size()))
          set = compiled.get();
      }
      if (!set) {
        std::vector<bool> rules = chosen;
        if (sets_.size() >= kMaxRuleSets)
          for (size_t i = 0; i < rules.size(); ++i)
            rules[i] = !saysWhatItNames(i);
        auto& slot = sets_[rules];
        if (!slot) {
          slot = std::make_unique<CompiledSet>();
          for (size_t i = 0; i < rules.size(); ++i)
            if (rules[i])
              slot->rules.push_back(static_cast<int>(i));
        }
        set = slot.get();
      }
    }
    return compiled(*set);
  }

  /// `set`'s query, compiled on first use.
  const CombinedQuery& compiled(CompiledSet& set) const {
    std::call_once(set.once,
                   [&] { set.query = combineQueries(lang_, rules_, set.rules, set.withConstants); });
    return set.query;
  }

  /// Which patterns of `query` to run: the constants, and those of the `chosen` rules.
  static std::vector<bool> patternsOf(const CombinedQuery& query, const std::vector<bool>& chosen) {
    std::vector<bool> out(query.patternRule.size());
    for (size_t p = 0; p < out.size(); ++p)
      out[p] = query.patternRule[p] < 0 || chosen[static_cast<size_t>(query.patternRule[p])];
    return out;
  }

  /// Whether rule `i` can match in `text`: it has no required literal, or `text` holds one;
  /// and `text` holds one of the words it `requires`, if any.
  bool canMatch(size_t i, std::string_view text) const {
    const auto& literals = ruleLiterals_[i];
    if (literals && std::none_of(literals->begin(), literals->end(),
                                 [&](const auto& l) { return containsToken(text, l); }))
      return false;
    const auto& words = rules_[i]->requiredWords;
    return words.empty() || std::any_of(words.begin(), words.end(), [&](const std::string& w) {
             return std::search(text.begin(), text.end(), w.begin(), w.end(), [](char a, char b) {
                      return std::tolower(static_cast<unsigned char>(a)) ==
                             std::tolower(static_cast<unsigned char>(b));
                    }) != text.end();
           });
  }

  const TreeSitterLanguage& lang_;
  std::vector<const Rule*> rules_;
  std::vector<std::optional<std::vector<std::string>>> ruleLiterals_;
  static constexpr size_t kMaxRuleSets = 2;
  mutable std::mutex setsMutex_;
  /// The constants with the rules marked (those that do not say what they name), by rules.
  mutable std::map<std::vector<bool>, std::unique_ptr<CompiledSet>> sets_;
  mutable CompiledSet words_; ///< The rules that say what they name, without the constants.
  /// The shell analyzer for the values `shell` rules mark; null without such rules.
  std::unique_ptr<EmbeddedRunner> embedded_;
};

Expected<std::vector<Finding>> TsAnalyzer::analyze(const SourceFile& file,
                                                   std::span<const DatasetMatcher> matchers) const {
  AnalysisNotes notes;
  return analyzeFile(file, matchers, notes);
}

Expected<std::vector<Finding>> TsAnalyzer::analyzeFile(const SourceFile& file,
                                                       std::span<const DatasetMatcher> matchers,
                                                       AnalysisNotes& notes) const {
  const std::vector<QueryRun> queries = queriesFor(file.text, matchers);
  for (const QueryRun& run : queries)
    if (run.query->error)
      return *run.query->error;
  std::vector<std::string> names;
  if (!file.hits.empty()) {
    // Parse only the lines that can matter: skip whole statements away from every hit, then
    // keep any skipped line that mentions a constant the analysis defined or looked up, until
    // none does. A parse with errors, or too many rounds, falls back to the whole file, and so
    // does a file of which less than half would be skipped.
    StatementLines lines(lang_.statements, file.text);
    for (const size_t hit : file.hits)
      lines.keepAt(hit);
    // Partial parsing pays only when it skips much: it may parse again when a skipped line names
    // a constant, and verifying an edit parses the whole file. On the real-code benchmark the
    // first round kept 79% of the bytes and made the scan 15% slower than whole parses.
    const bool partial = lines.skippedBytes() * 2 >= file.text.size();
    for (int round = 0; partial && round < 4 && lines.blanksAny(); ++round) {
      TreePtr tree(parseWith(lang_, file.text, lines.includedRanges()));
      if (!tree || ts_node_has_error(ts_tree_root_node(tree.get())))
        break;
      names.clear();
      notes.unresolved.clear();
      std::vector<Finding> found =
          analyzeTree(file, queries, tree.get(), matchers, names, notes.unresolved);
      bool more = false;
      for (const std::string& name : names)
        more = lines.keepMentions(name) || more;
      if (!more)
        return found;
    }
  }
  TreePtr tree(parseWith(lang_, file.text));
  if (!tree)
    return Error{"parsing took too long; the file was not analyzed", file.path, 1, 1,
                 "exclude the file (e.g. generated code) with --exclude"};
  notes.unresolved.clear();
  return analyzeTree(file, queries, tree.get(), matchers, names, notes.unresolved);
}

std::optional<std::vector<FileConstant>> TsAnalyzer::fileConstants(const SourceFile& file) const {
  const std::vector<QueryRun> queries = queriesFor(file.text, {});
  const CombinedQuery& query = *queries.front().query;
  if (query.error)
    return std::nullopt;
  TreePtr tree(parseWith(lang_, file.text));
  if (!tree || ts_node_has_error(ts_tree_root_node(tree.get())))
    return std::nullopt;
  const TSNode root = ts_tree_root_node(tree.get());
  std::vector<Query::Match> constantMatches;
  for (auto& m : query.query->matches(root, file.text, &queries.front().patterns))
    if (query.patternRule[m.pattern] < 0)
      constantMatches.push_back(std::move(m));
  ConstantTable table(lang_, file.text, constantMatches, root);
  std::vector<FileConstant> out;
  for (auto& [name, c] : table.constants())
    if (const DecodedString* value = table.raw(name, c))
      out.push_back(FileConstant{name, *value, c.uses, c.shared});
  for (const std::string& name : table.ambiguous())
    out.push_back(FileConstant{name, {}, 0, false}); // never resolved: two definitions
  return out;
}

std::vector<Finding> TsAnalyzer::analyzeTree(const SourceFile& file,
                                             std::span<const QueryRun> queries, TSTree* tree, std::span<const DatasetMatcher> matchers,
                                             std::vector<std::string>& names,
                                             std::vector<std::string>& unresolved) const {
  const std::string_view src = file.text;
  const TSNode root = ts_tree_root_node(tree);
  FindingCollector fc(file);
  std::vector<Query::Match> constantMatches;
  std::vector<std::vector<Query::Match>> ruleMatches(rules_.size());
  for (const QueryRun& run : queries) {
    for (auto& m : run.query->query->matches(root, src, &run.patterns)) {
      const int rule = run.query->patternRule[m.pattern];
      (rule < 0 ? constantMatches : ruleMatches[static_cast<size_t>(rule)]).push_back(std::move(m));
    }
  }

  ConstantTable table(lang_, src, constantMatches, root);
  auto& constants = table.constants();
  for (const auto& [key, constant] : constants)
    names.push_back(key);
  names.insert(names.end(), table.ambiguous().begin(), table.ambiguous().end());
  std::vector<std::string> missed;
  const Resolver resolve = table.resolver(file.constants, file.path, names, missed);

  // Context rules: the innermost @value range around an expression gives its context.
  struct ContextRange {
    uint32_t begin, end;
    const Rule* rule;
  };
  std::vector<ContextRange> contexts;
  for (size_t ri = 0; ri < rules_.size(); ++ri) {
    if (rules_[ri]->kind == RuleKind::Split)
      continue;
    for (const auto& m : ruleMatches[ri])
      for (const auto& c : m.captures)
        if (c.name == "value")
          contexts.push_back({ts_node_start_byte(c.node), ts_node_end_byte(c.node), rules_[ri]});
  }
  // The innermost rule around source bytes [b, e) that says what its value is a name of.
  auto innermostAccepting = [&](uint32_t b, uint32_t e) -> const Rule* {
    const ContextRange* best = nullptr;
    for (const auto& r : contexts)
      if (r.begin <= b && e <= r.end && !r.rule->accepts.empty() &&
          (!best || r.end - r.begin < best->end - best->begin))
        best = &r;
    return best ? best->rule : nullptr;
  };
  // The innermost rule that knows whether the code reads or writes names the context, else the
  // innermost rule: `bigQueryTable(Table.Spec("…"))` is a `scio.bigquery-table` read.
  auto contextFor = [&](uint32_t b, uint32_t e, Finding& f) {
    const ContextRange* best = nullptr;
    const ContextRange* bestAccess = nullptr;
    for (const auto& r : contexts) {
      // A rule for names of other kinds (Beam tags, Pub/Sub topics) says nothing of this one.
      if (r.begin > b || e > r.end || sinkFor(*r.rule, f.kind) == Sink::TakesOther)
        continue;
      if (!best || r.end - r.begin < best->end - best->begin)
        best = &r;
      if (r.rule->access != Access::Unknown &&
          (!bestAccess || r.end - r.begin < bestAccess->end - bestAccess->begin))
        bestAccess = &r;
    }
    if (bestAccess)
      best = bestAccess;
    f.context = best ? best->rule->context : std::string(lang_.name) + ".string";
    if (best) {
      f.ruleId = best->rule->id;
      f.access = best->rule->access;
      holdForRule(*best->rule, f);
    }
    if (const Rule* says = innermostAccepting(b, e))
      f.sink = sinkFor(*says, f.kind);
    if (f.sink == Sink::Takes && best && sinkFor(*best->rule, f.kind) != Sink::Takes) {
      const Rule* says = innermostAccepting(b, e);
      f.context = says->context;
      f.ruleId = says->id;
    }
  };

  // String expressions: decode the outermost ones and match every dataset in their values. A
  // string nested in another's interpolation is analyzed on its own unless the enclosing value
  // already holds its bytes (pre-order visits the enclosing one first).
  struct Expression {
    uint32_t begin, end;
    DecodedString value;
    bool sql;
    const Rule* shell; ///< The `shell` rule whose whole argument the expression is, if any.
  };
  std::vector<Expression> expressions;
  // Pre-order visits nodes in ascending start order, so a consumed range that ends before the
  // current node never matters again: a heap on the end drops it, and the check stays short
  // however many strings the file has.
  std::vector<std::pair<uint32_t, uint32_t>> consumed;
  const auto endsLater = [](const auto& a, const auto& b) { return a.second > b.second; };
  const auto stringExpression = [&](TSNode node, std::span<const TSNode> up) {
    return lang_.isStringExpressionAt ? lang_.isStringExpressionAt(node, up, src)
                                      : lang_.isStringExpression(node, src);
  };
  forEachNodeWithAncestors(root, [&](TSNode node, std::span<const TSNode> up) {
    if (!stringExpression(node, up))
      return;
    if (!up.empty() && stringExpression(up.back(), up.first(up.size() - 1)))
      return;
    const uint32_t eb = ts_node_start_byte(node), ee = ts_node_end_byte(node);
    while (!consumed.empty() && consumed.front().second <= eb) {
      std::pop_heap(consumed.begin(), consumed.end(), endsLater);
      consumed.pop_back();
    }
    if (std::any_of(consumed.begin(), consumed.end(),
                    [&](const auto& r) { return r.first < ee && eb < r.second; }))
      return;
    std::optional<DecodedString> decoded = lang_.decode(node, src, resolve);
    if (!decoded)
      return;
    for (const LiteralPiece& p : decoded->pieces)
      if (p.begin >= eb && p.end <= ee && p.begin < p.end) {
        consumed.emplace_back(p.begin, p.end);
        std::push_heap(consumed.begin(), consumed.end(), endsLater);
      }
    // The whole argument of a `shell` rule is a command line; an argument that a `sql` rule
    // says takes SQL is SQL however it starts.
    const Rule* shell = nullptr;
    if (embedded_)
      for (const ContextRange& r : contexts)
        if (r.rule->kind == RuleKind::Shell && r.begin <= eb && ee <= r.end &&
            onlyParentheses(src.substr(r.begin, eb - r.begin)) &&
            onlyParentheses(src.substr(ee, r.end - ee)))
          shell = r.rule;
    const bool sql =
        !shell &&
        (std::any_of(contexts.begin(), contexts.end(),
                     [&](const ContextRange& r) {
                       return r.rule->kind == RuleKind::Sql && r.begin <= eb && ee <= r.end;
                     }) ||
         looksLikeSql(decoded->value));
    expressions.push_back(Expression{eb, ee, std::move(*decoded), sql, shell});
  });

  // A reference made only of one constant's bytes is reported where that constant is defined.
  const auto constantHolding = [&](uint32_t lo, uint32_t hi) -> const Constant* {
    for (const auto& [key, c] : constants)
      if (ts_node_start_byte(c.value) <= lo && hi <= ts_node_end_byte(c.value))
        return &c;
    return nullptr;
  };
  const auto inOneConstant = [&](uint32_t lo, uint32_t hi) {
    return constantHolding(lo, hi) != nullptr;
  };
  // SQL first: a table whose columns change may change in a constant only when every use of
  // the constant is in a query godwit analyzed, none of them left the table to a human, and the
  // columns renamed with it can be edited (their edits include the constant's: used once).
  std::vector<std::pair<size_t, size_t>> sqlFindings(expressions.size());
  for (size_t x = 0; x < expressions.size(); ++x) {
    const Expression& ex = expressions[x];
    if (!ex.sql)
      continue;
    sqlFindings[x].first = fc.findings().size();
    addValueFindings(fc, ex.value, ex.begin, ex.end, matchers, contextFor, inOneConstant,
                     ValueSyntax::Sql);
    sqlFindings[x].second = fc.findings().size();
  }
  const ColumnsFollow columnsFollow = [&](uint32_t lo, uint32_t hi, size_t m) {
    const Constant* c = constantHolding(lo, hi);
    if (c == nullptr || c->useAt.empty())
      return false;
    return std::all_of(c->useAt.begin(), c->useAt.end(), [&](uint32_t at) {
      for (size_t x = 0; x < expressions.size(); ++x) {
        const Expression& ex = expressions[x];
        if (!ex.sql || at < ex.begin || at >= ex.end)
          continue;
        for (size_t i = sqlFindings[x].first; i < sqlFindings[x].second; ++i) {
          const Finding& f = fc.findings()[i];
          if (f.dataset != matchers[m].spec().from || f.kind != matchers[m].spec().kind)
            continue;
          if (f.action == Action::Attention || (c->uses != 1 && !f.changes.empty()))
            return false;
        }
        return true;
      }
      return false;
    });
  };
  // Shell command lines: the shell analyzer reads the value through the string's offset map.
  std::optional<LineIndex> hostLines;
  const auto addShellFindings = [&](const Expression& ex) {
    const Rule& rule = *ex.shell;
    if (!hostLines)
      hostLines.emplace(src);
    const EmbeddedDocument doc = stringDocument("shell", ex.value);
    auto result = embedded_->analyze(file, *hostLines, doc, matchers);
    const bool read = result && !result->skipped;
    if (!read || result->parseErrors > 0 || embedded_->syntaxErrors(doc) > 0) {
      // Its words are unknown: the names in it are read as in any string, for a human.
      const size_t first = fc.findings().size();
      addValueFindings(fc, ex.value, ex.begin, ex.end, matchers, contextFor, inOneConstant,
                       ValueSyntax::Plain, columnsFollow);
      holdAll(std::span(fc.findings()).subspan(first),
              read ? std::string("the shell command in this string does not parse; change it by hand")
                   : "godwit could not read this shell command" +
                         (result ? std::string() : " (" + result.error().message + ")") +
                         "; change it by hand");
      return;
    }
    for (Finding& f : result->findings) {
      const uint32_t lo = static_cast<uint32_t>(f.offset);
      const uint32_t hi = static_cast<uint32_t>(f.offset + f.length);
      if (lo < ex.begin || hi > ex.end) {
        // Made only of a constant of this file: that constant's literal is its own finding. A
        // command that leaves the name to a human keeps the constant as it is.
        if (lo < hi && inOneConstant(lo, hi)) {
          if (f.action == Action::Rewrite)
            continue;
          fc.holdBytes(lo, hi, "a shell command that uses it here needs attention (" + f.reason +
                                   ")");
        }
        f.offset = ex.begin;
        f.length = ex.end - ex.begin;
      }
      f.ruleId = rule.id;
      if (f.context == "shell.string")
        f.context = rule.context;
      if (f.access == Access::Unknown)
        f.access = rule.access;
      holdForRule(rule, f);
      const size_t b = f.offset, e = f.offset + f.length;
      fc.add(std::move(f), b, e);
    }
  };
  for (const Expression& ex : expressions)
    if (ex.shell)
      addShellFindings(ex);
  for (const Expression& ex : expressions)
    if (!ex.sql && !ex.shell)
      addValueFindings(fc, ex.value, ex.begin, ex.end, matchers, contextFor, inOneConstant,
                       ValueSyntax::Plain, columnsFollow);

  // Split rules: one match is one reference whose parts are separate expressions.
  for (size_t ri = 0; ri < rules_.size(); ++ri) {
    const Rule* rule = rules_[ri];
    if (rule->kind != RuleKind::Split)
      continue;
    // Matches that capture the same @scope node are one reference (e.g. keyword arguments in any
    // order, one pattern per part); a match without @scope stands alone.
    std::vector<std::vector<Query::Capture>> groups;
    std::map<std::pair<uint32_t, uint32_t>, size_t> byScope;
    for (auto& m : ruleMatches[ri]) {
      auto scope = std::find_if(m.captures.begin(), m.captures.end(),
                                [](const Query::Capture& c) { return c.name == "scope"; });
      if (scope == m.captures.end()) {
        groups.push_back(std::move(m.captures));
        continue;
      }
      const auto key =
          std::make_pair(ts_node_start_byte(scope->node), ts_node_end_byte(scope->node));
      auto [it, fresh] = byScope.emplace(key, groups.size());
      if (fresh)
        groups.emplace_back();
      auto& group = groups[it->second];
      group.insert(group.end(), m.captures.begin(), m.captures.end());
    }
    for (const auto& captures : groups) {
      // Each part's distinct capture nodes; a group (e.g. an options interface) may offer several.
      std::map<std::string, std::vector<TSNode>> candidates;
      for (const auto& c : captures) {
        auto& nodes = candidates[std::string(c.name)];
        if (std::none_of(nodes.begin(), nodes.end(), [&](TSNode n) { return ts_node_eq(n, c.node); }))
          nodes.push_back(c.node);
      }
      for (const auto& matcher : matchers) {
        std::map<std::string, std::optional<std::string>> parts;
        std::map<std::string, std::shared_ptr<const DecodedString>> decodedParts;
        uint32_t b = UINT32_MAX, e = 0;
        // Decodes the chosen node of each part (`pick[part]`, default the first) into `parts`.
        const auto choose = [&](const std::map<std::string, size_t>& pick) {
          parts.clear();
          decodedParts.clear();
          for (const std::string& part : matcher.partNames()) {
            auto it = candidates.find(part);
            if (it == candidates.end())
              continue;
            auto chosen = pick.find(part);
            const TSNode node = it->second[chosen == pick.end() ? 0 : chosen->second];
            auto d = lang_.decode(node, src, resolve);
            if (d && !d->hasHoles()) {
              parts[part] = d->value;
              decodedParts[part] = std::make_shared<const DecodedString>(std::move(*d));
            } else {
              parts[part] = std::nullopt;
            }
          }
        };
        for (const std::string& part : matcher.partNames())
          if (auto it = candidates.find(part); it != candidates.end())
            for (const TSNode node : it->second) {
              b = std::min(b, ts_node_start_byte(node));
              e = std::max(e, ts_node_end_byte(node));
            }
        // Several candidates for a part: which belong together is unknown. When any combination
        // is this dataset, a human decides.
        std::vector<std::string> several;
        for (const std::string& part : matcher.partNames())
          if (auto it = candidates.find(part); it != candidates.end() && it->second.size() > 1)
            several.push_back(part);
        PartsMatch pm;
        if (several.empty()) {
          choose({});
          if (parts.empty())
            continue;
          pm = matcher.matchParts(parts);
        } else {
          std::map<std::string, size_t> pick;
          bool any = false, more = true;
          while (more && !any) {
            choose(pick);
            any = matcher.matchParts(parts).status != PartsMatch::Status::None;
            more = false;
            for (const std::string& part : several) {
              if (++pick[part] < candidates[part].size()) {
                more = true;
                break;
              }
              pick[part] = 0;
            }
          }
          if (!any)
            continue;
          pm.status = PartsMatch::Status::Attention;
          std::string which;
          for (const std::string& part : several)
            which += (which.empty() ? "" : ", ") + part;
          pm.reason = "several candidates for the " + which + (several.size() > 1 ? " parts" : " part") +
                      " in one place; which ones belong together is unclear";
        }
        if (pm.status == PartsMatch::Status::None)
          continue;
        Finding f;
        f.kind = matcher.spec().kind;
        f.dataset = matcher.spec().from;
        f.context = rule->context;
        f.access = rule->access;
        f.ruleId = rule->id;
        for (const std::string& part : matcher.partNames()) {
          auto it = parts.find(part);
          const std::string shown = it == parts.end() ? "?" : it->second.value_or("${…}");
          f.found += (f.found.empty() ? "" : ".") + shown;
          auto nv = pm.newValues.find(part);
          f.replacement +=
              (f.replacement.empty() ? "" : ".") + (nv != pm.newValues.end() ? nv->second : shown);
        }
        if (pm.status == PartsMatch::Status::Rewrite) {
          f.action = Action::Rewrite;
          for (const auto& [part, text] : pm.newValues) {
            const auto& d = decodedParts.at(part);
            f.changes.push_back(ValueEdit{d, 0, d->value.size(), text});
          }
          holdForRule(*rule, f);
        } else {
          f.action = Action::Attention;
          f.reason = pm.reason;
          f.replacement.clear();
        }
        holdBackWithoutColumns(f, matcher.spec());
        fc.add(std::move(f), b, e);
      }
    }
  }
  // A topic literal held by a constant reaches a sink where a use of the constant sits in one,
  // or in the value of another constant that does. A sink that is never renamed (`attention:`,
  // a command that creates the topic) wins over the others: the constant changes every use.
  std::function<const Rule*(const std::string&, const Constant&, DatasetKind, int)> sinkOf =
      [&](const std::string& key, const Constant& c, DatasetKind kind, int depth) -> const Rule* {
    const Rule* found = nullptr;
    const auto consider = [&](const Rule* sink) {
      if (sink && (!found || (found->attention.empty() && !sink->attention.empty())))
        found = sink;
    };
    for (const uint32_t use : c.useAt) {
      const Rule* sink = innermostAccepting(use, use + static_cast<uint32_t>(key.size()));
      if (sink && sinkFor(*sink, kind) == Sink::Takes)
        consider(sink);
      if (depth >= 4)
        continue;
      for (const auto& [outerKey, outer] : constants)
        if (ts_node_start_byte(outer.value) <= use && use < ts_node_end_byte(outer.value))
          consider(sinkOf(outerKey, outer, kind, depth + 1));
    }
    return found;
  };
  for (Finding& f : fc.findings()) {
    if (!awaitsSink(f))
      continue;
    for (const auto& [key, c] : constants) {
      if (ts_node_start_byte(c.value) <= f.offset &&
          f.offset + f.length <= ts_node_end_byte(c.value)) {
        if (const Rule* sink = sinkOf(key, c, f.kind, 0))
          reachSink(f, *sink);
        break;
      }
    }
  }
  fc.demoteHeldBack();

  std::stable_sort(fc.findings().begin(), fc.findings().end(),
                   [](const Finding& a, const Finding& b) { return a.offset < b.offset; });
  // Names nobody here defines may be another file's constants; worth a look only when a finding
  // needs attention (an unresolved part is a hole).
  if (std::any_of(fc.findings().begin(), fc.findings().end(),
                  [](const Finding& f) { return f.action == Action::Attention; })) {
    std::sort(missed.begin(), missed.end());
    missed.erase(std::unique(missed.begin(), missed.end()), missed.end());
    unresolved = std::move(missed);
  }
  return std::move(fc.findings());
}

Expected<void> TsAnalyzer::verifyEdits(const SourceFile& file, std::span<const SourceEdit> edits,
                                       std::string_view after) const {
  // The edited lines, parsed with the statements around them skipped, prove most edits right
  // without parsing the whole file again; any doubt goes to the full comparison.
  if (!file.hits.empty()) {
    StatementLines lines(lang_.statements, after);
    long shift = 0;
    for (const SourceEdit& e : edits) {
      const size_t at = static_cast<size_t>(static_cast<long>(e.offset) + shift);
      lines.keepAt(at);
      lines.keepAt(at + e.text.size());
      shift += static_cast<long>(e.text.size()) - static_cast<long>(e.length);
    }
    if (lines.blanksAny()) {
      TreePtr tree(parseWith(lang_, after, lines.includedRanges()));
      if (tree && !ts_node_has_error(ts_tree_root_node(tree.get())))
        return {};
    }
  }
  parseEdited(lang_, file.text, edits, after);
  return Analyzer::verifyEdits(file, edits, after);
}

int TsAnalyzer::syntaxErrors(std::string_view text) const {
  TreePtr tree(parseWith(lang_, text));
  if (!tree)
    return INT32_MAX;
  if (!ts_node_has_error(ts_tree_root_node(tree.get())))
    return 0;
  int errors = 0;
  forEachNode(ts_tree_root_node(tree.get()), [&](TSNode node) {
    if (ts_node_is_missing(node) || std::strcmp(ts_node_type(node), "ERROR") == 0)
      ++errors;
  });
  return errors;
}

} // namespace

namespace {

std::optional<std::vector<std::string>> requiredLiterals(std::string_view query) {
  // Split the query into its top-level patterns, skipping strings and `;` comments.
  std::vector<std::string_view> patterns;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < query.size(); ++i) {
    const char c = query[i];
    if (c == ';') {
      while (i < query.size() && query[i] != '\n')
        ++i;
    } else if (c == '"') {
      for (++i; i < query.size() && query[i] != '"'; ++i)
        i += query[i] == '\\' ? 1 : 0;
    } else if (c == '(' || c == '[') {
      if (depth++ == 0)
        start = i;
    } else if ((c == ')' || c == ']') && --depth == 0) {
      patterns.push_back(query.substr(start, i + 1 - start));
    }
  }
  static const std::regex predicate(R"re(\(#(?:eq|any-of)\?\s+@[^\s)]+((?:\s+"[^"\\]*")+)\s*\))re");
  static const std::regex literal(R"re("([^"\\]*)")re");
  std::vector<std::string> out;
  for (const std::string_view pattern : patterns) {
    bool some = false;
    for (std::cregex_iterator it(pattern.begin(), pattern.end(), predicate), end; it != end; ++it) {
      const auto& args = (*it)[1];
      for (std::cregex_iterator l(args.first, args.second, literal); l != end; ++l) {
        out.push_back((*l)[1].str());
        some = true;
      }
    }
    if (!some)
      return std::nullopt;
  }
  if (patterns.empty())
    return std::nullopt;
  return out;
}

CombinedQuery combineQueries(const TreeSitterLanguage& language,
                             const std::vector<const Rule*>& rules, const std::vector<int>& chosen,
                             bool withConstants) {
  const std::string constantsOrigin = "analyzers/" + std::string(language.name) + "/constants.scm";
  auto originOf = [](const Rule* rule) {
    return rule->file + ":" + std::to_string(rule->line) + ": rule " + rule->id;
  };
  CombinedQuery out;
  std::string source;
  std::vector<std::pair<uint32_t, int>> parts; // where each part starts, and its rule
  auto add = [&](std::string_view text, int rule) {
    parts.emplace_back(static_cast<uint32_t>(source.size()), rule);
    source.append(text);
    source += '\n';
  };
  if (withConstants)
    add(language.constantsQuery, -1);
  for (const int i : chosen)
    add(rules[static_cast<size_t>(i)]->query, i);
  auto query = Query::compile(language.grammar(), source, constantsOrigin + " and the rules");
  if (!query) {
    // Name the part that does not compile, with positions inside it.
    if (auto c = Query::compile(language.grammar(), language.constantsQuery, constantsOrigin); !c)
      out.error = c.error();
    for (size_t k = 0; !out.error && k < chosen.size(); ++k) {
      const Rule* rule = rules[static_cast<size_t>(chosen[k])];
      if (auto r = Query::compile(language.grammar(), rule->query, originOf(rule)); !r)
        out.error = r.error();
    }
    if (!out.error)
      out.error = query.error();
    return out;
  }
  for (uint32_t p = 0; p < query->patternCount(); ++p) {
    auto part = std::upper_bound(parts.begin(), parts.end(), query->patternStart(p),
                                 [](uint32_t at, const auto& e) { return at < e.first; });
    out.patternRule.push_back(std::prev(part)->second);
  }
  out.query = std::move(*query);
  return out;
}

} // namespace

Expected<std::unique_ptr<Analyzer>> makeTreeSitterAnalyzer(const TreeSitterLanguage& language,
                                                           const std::vector<const Rule*>& rules) {
  // Queries compile on first use; what their captures must be is checked now, on the text.
  static const std::regex capture(R"(@([A-Za-z_][A-Za-z0-9_.-]*))");
  for (const Rule* rule : rules) {
    std::set<std::string> captures;
    for (std::sregex_iterator it(rule->query.begin(), rule->query.end(), capture), end; it != end;
         ++it)
      captures.insert((*it)[1]);
    const std::string origin = rule->file + ":" + std::to_string(rule->line) + ": rule " + rule->id;
    if ((rule->kind == RuleKind::Context || rule->kind == RuleKind::Sql ||
         rule->kind == RuleKind::Shell) &&
        !captures.count("value"))
      return makeError(origin + ": a context, sql or shell rule's query must capture @value",
                       "capture the argument that holds the dataset name as @value");
    if (rule->kind == RuleKind::Split && !captures.count("project") && !captures.count("dataset") &&
        !captures.count("table") && !captures.count("database"))
      return makeError(origin + ": a split rule's query must capture its parts",
                       "capture the parts as @project, @dataset, @table (or @database, @table)");
  }
  return std::unique_ptr<Analyzer>(std::make_unique<TsAnalyzer>(language, rules));
}

} // namespace godwit
