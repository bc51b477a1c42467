#include "analyzers/TreeSitterAnalyzer.h"

#include "analyzers/Query.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <unordered_map>

namespace godwit {

TSTree* parseWith(const TreeSitterLanguage& language, std::string_view text) {
  struct ParserDeleter {
    void operator()(TSParser* p) const { ts_parser_delete(p); }
  };
  // Parsers are reusable but not shareable between threads: one per thread and grammar.
  thread_local std::unordered_map<const TSLanguage*, std::unique_ptr<TSParser, ParserDeleter>> parsers;
  const TSLanguage* grammar = language.grammar();
  auto& parser = parsers[grammar];
  if (!parser) {
    parser.reset(ts_parser_new());
    ts_parser_set_language(parser.get(), grammar);
    ts_parser_set_timeout_micros(parser.get(), 20'000'000);
  }
  TSTree* tree =
      ts_parser_parse_string(parser.get(), nullptr, text.data(), static_cast<uint32_t>(text.size()));
  if (tree == nullptr)
    ts_parser_reset(parser.get());
  return tree;
}

namespace {

struct TreeDeleter {
  void operator()(TSTree* t) const { ts_tree_delete(t); }
};
using TreePtr = std::unique_ptr<TSTree, TreeDeleter>;

/// Calls `visit(node)` on every node in pre-order.
template <class F> void forEachNode(TSNode root, F&& visit) {
  TSTreeCursor cursor = ts_tree_cursor_new(root);
  for (;;) {
    visit(ts_tree_cursor_current_node(&cursor));
    if (ts_tree_cursor_goto_first_child(&cursor))
      continue;
    while (!ts_tree_cursor_goto_next_sibling(&cursor)) {
      if (!ts_tree_cursor_goto_parent(&cursor)) {
        ts_tree_cursor_delete(&cursor);
        return;
      }
    }
  }
}

std::string_view textOf(TSNode node, std::string_view src) {
  return src.substr(ts_node_start_byte(node), ts_node_end_byte(node) - ts_node_start_byte(node));
}

/// Line starts of a file, for 1-based line and byte-column positions.
class LineIndex {
public:
  explicit LineIndex(std::string_view text) {
    starts_.push_back(0);
    for (size_t i = 0; i < text.size(); ++i)
      if (text[i] == '\n')
        starts_.push_back(static_cast<uint32_t>(i + 1));
  }
  std::pair<int, int> position(size_t offset) const {
    auto it = std::upper_bound(starts_.begin(), starts_.end(), offset);
    const size_t line = static_cast<size_t>(it - starts_.begin());
    return {static_cast<int>(line), static_cast<int>(offset - starts_[line - 1] + 1)};
  }
  std::string_view line(std::string_view text, int line) const {
    if (line < 1 || static_cast<size_t>(line) > starts_.size())
      return {};
    const size_t b = starts_[line - 1];
    const size_t e = static_cast<size_t>(line) < starts_.size() ? starts_[line] : text.size();
    return text.substr(b, e - b);
  }

private:
  std::vector<uint32_t> starts_;
};

struct CompiledRule {
  const Rule* rule;
  Query query;
};

struct Constant {
  TSNode name{};
  TSNode value{};
  int uses = 0;
  int state = 0; // 0 unvisited, 1 decoding, 2 done
  std::optional<DecodedString> decoded;
};

std::string display(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == kHole)
      out += "${…}";
    else
      out += c;
  }
  return out;
}

class TsAnalyzer final : public Analyzer {
public:
  TsAnalyzer(const TreeSitterLanguage& lang, Query constants, std::vector<CompiledRule> rules)
      : lang_(lang), constants_(std::move(constants)), rules_(std::move(rules)) {}

  Expected<std::vector<Finding>> analyze(const SourceFile& file,
                                         std::span<const DatasetMatcher> matchers) const override;
  int syntaxErrors(std::string_view text) const override;

private:
  struct FileContext;
  void addFinding(FileContext& fc, Finding f, size_t begin, size_t end) const;

  const TreeSitterLanguage& lang_;
  Query constants_;
  std::vector<CompiledRule> rules_;
};

struct TsAnalyzer::FileContext {
  const SourceFile& file;
  LineIndex lines;
  std::vector<Finding> findings;
};

void TsAnalyzer::addFinding(FileContext& fc, Finding f, size_t begin, size_t end) const {
  f.file = fc.file.path;
  f.offset = begin;
  f.length = end - begin;
  std::tie(f.line, f.column) = fc.lines.position(begin);
  std::tie(f.endLine, f.endColumn) = fc.lines.position(end);
  for (int l : {f.line, f.line - 1}) {
    if (fc.lines.line(fc.file.text, l).find("godwit:ignore") != std::string_view::npos)
      f.suppressed = true;
  }
  fc.findings.push_back(std::move(f));
}

Expected<std::vector<Finding>> TsAnalyzer::analyze(const SourceFile& file,
                                                   std::span<const DatasetMatcher> matchers) const {
  const std::string_view src = file.text;
  TreePtr tree(parseWith(lang_, src));
  if (!tree)
    return Error{"parsing took too long; the file was not analyzed", file.path, 1, 1,
                 "exclude the file (e.g. generated code) with --exclude"};
  const TSNode root = ts_tree_root_node(tree.get());
  FileContext fc{file, LineIndex(src), {}};

  // File-level constants: a name defined twice is ambiguous and never resolved.
  std::map<std::string, Constant, std::less<>> constants;
  std::vector<std::string> ambiguous;
  for (const auto& m : constants_.matches(root, src)) {
    TSNode name{}, value{};
    for (const auto& c : m.captures) {
      if (c.name == "name")
        name = c.node;
      else if (c.name == "value")
        value = c.node;
    }
    if (ts_node_is_null(name) || ts_node_is_null(value))
      continue;
    const std::string key(textOf(name, src));
    if (!constants.emplace(key, Constant{name, value, 0, 0, {}}).second)
      ambiguous.push_back(key);
  }
  for (const auto& key : ambiguous)
    constants.erase(key);
  if (!constants.empty()) {
    forEachNode(root, [&](TSNode node) {
      if (ts_node_type(node) != lang_.identifierType)
        return;
      auto it = constants.find(textOf(node, src));
      if (it != constants.end() && !ts_node_eq(node, it->second.name))
        ++it->second.uses;
    });
  }
  Resolver resolve;
  resolve = [&](std::string_view name) -> const DecodedString* {
    auto it = constants.find(name);
    if (it == constants.end())
      return nullptr;
    Constant& c = it->second;
    if (c.state == 0) {
      c.state = 1;
      if (auto d = lang_.decode(c.value, src, resolve)) {
        DecodedString marked;
        marked.append(*d, name, c.uses);
        c.decoded = std::move(marked);
      }
      c.state = 2;
    }
    return c.state == 2 && c.decoded ? &*c.decoded : nullptr;
  };

  // Context rules: the innermost @value range around an expression gives its context.
  struct ContextRange {
    uint32_t begin, end;
    const Rule* rule;
  };
  std::vector<ContextRange> contexts;
  for (const auto& cr : rules_) {
    if (cr.rule->kind != RuleKind::Context)
      continue;
    for (const auto& m : cr.query.matches(root, src))
      for (const auto& c : m.captures)
        if (c.name == "value")
          contexts.push_back({ts_node_start_byte(c.node), ts_node_end_byte(c.node), cr.rule});
  }
  // The innermost rule that knows whether the code reads or writes names the context, else the
  // innermost rule: `bigQueryTable(Table.Spec("…"))` is a `scio.bigquery-table` read.
  auto contextFor = [&](uint32_t b, uint32_t e, Finding& f) {
    const ContextRange* best = nullptr;
    const ContextRange* bestAccess = nullptr;
    for (const auto& r : contexts) {
      if (r.begin > b || e > r.end)
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
    }
  };

  // String expressions: decode the outermost ones and match every dataset in their values. A
  // string nested in another's interpolation is analyzed on its own unless the enclosing value
  // already holds its bytes (pre-order visits the enclosing one first).
  std::vector<std::pair<uint32_t, uint32_t>> consumed;
  forEachNode(root, [&](TSNode node) {
    if (!lang_.isStringExpression(node, src))
      return;
    const TSNode parent = ts_node_parent(node);
    if (!ts_node_is_null(parent) && lang_.isStringExpression(parent, src))
      return;
    const uint32_t eb = ts_node_start_byte(node), ee = ts_node_end_byte(node);
    if (std::any_of(consumed.begin(), consumed.end(),
                    [&](const auto& r) { return r.first < ee && eb < r.second; }))
      return;
    std::optional<DecodedString> decoded = lang_.decode(node, src, resolve);
    if (!decoded)
      return;
    for (const LiteralPiece& p : decoded->pieces)
      if (p.begin >= eb && p.end <= ee && p.begin < p.end)
        consumed.emplace_back(p.begin, p.end);
    std::shared_ptr<const DecodedString> value;
    for (const auto& matcher : matchers) {
      for (const Match& m : matcher.find(decoded->value)) {
        uint32_t lo = UINT32_MAX, hi = 0;
        bool inside = false;
        for (size_t i = m.begin; i < m.end; ++i) {
          if (decoded->piece[i] == DecodedString::kNoPiece)
            continue;
          lo = std::min(lo, decoded->srcBegin[i]);
          hi = std::max(hi, decoded->srcEnd[i]);
          inside = inside || (decoded->srcBegin[i] >= eb && decoded->srcBegin[i] < ee);
        }
        // A reference made only of one constant's bytes is reported where that constant is defined.
        if (!inside && lo < hi) {
          const bool inOneConstant = std::any_of(constants.begin(), constants.end(), [&](const auto& kv) {
            return ts_node_start_byte(kv.second.value) <= lo && hi <= ts_node_end_byte(kv.second.value);
          });
          if (inOneConstant)
            continue;
        }
        if (!value)
          value = std::make_shared<const DecodedString>(*decoded);
        Finding f;
        f.kind = matcher.spec().kind;
        f.dataset = matcher.spec().from;
        f.found = display(std::string_view(decoded->value).substr(m.begin, m.end - m.begin));
        contextFor(eb, ee, f);
        if (m.attention.empty()) {
          f.action = Action::Rewrite;
          f.replacement = m.replacement;
          f.changes.push_back(ValueEdit{value, m.begin, m.end, m.replacement});
        } else {
          f.action = Action::Attention;
          f.reason = m.attention;
        }
        const bool narrow = inside && lo >= eb && hi <= ee;
        addFinding(fc, std::move(f), narrow ? lo : eb, narrow ? hi : ee);
      }
    }
  });

  // Split rules: one match is one reference whose parts are separate expressions.
  for (const auto& cr : rules_) {
    if (cr.rule->kind != RuleKind::Split)
      continue;
    // Matches that capture the same @scope node are one reference (e.g. keyword arguments in any
    // order, one pattern per part); a match without @scope stands alone.
    std::vector<std::vector<Query::Capture>> groups;
    std::map<std::pair<uint32_t, uint32_t>, size_t> byScope;
    for (auto& m : cr.query.matches(root, src)) {
      auto scope = std::find_if(m.captures.begin(), m.captures.end(),
                                [](const Query::Capture& c) { return c.name == "scope"; });
      if (scope == m.captures.end()) {
        groups.push_back(std::move(m.captures));
        continue;
      }
      const auto key = std::make_pair(ts_node_start_byte(scope->node), ts_node_end_byte(scope->node));
      auto [it, fresh] = byScope.emplace(key, groups.size());
      if (fresh)
        groups.emplace_back();
      auto& group = groups[it->second];
      group.insert(group.end(), m.captures.begin(), m.captures.end());
    }
    for (const auto& captures : groups) {
      for (const auto& matcher : matchers) {
        std::map<std::string, std::optional<std::string>> parts;
        std::map<std::string, std::shared_ptr<const DecodedString>> decodedParts;
        uint32_t b = UINT32_MAX, e = 0;
        for (const std::string& part : matcher.partNames()) {
          for (const auto& c : captures) {
            if (c.name != part || parts.count(part))
              continue;
            b = std::min(b, ts_node_start_byte(c.node));
            e = std::max(e, ts_node_end_byte(c.node));
            auto d = lang_.decode(c.node, src, resolve);
            if (d && !d->hasHoles()) {
              parts[part] = d->value;
              decodedParts[part] = std::make_shared<const DecodedString>(std::move(*d));
            } else {
              parts[part] = std::nullopt;
            }
          }
        }
        if (parts.empty())
          continue;
        const PartsMatch pm = matcher.matchParts(parts);
        if (pm.status == PartsMatch::Status::None)
          continue;
        Finding f;
        f.kind = matcher.spec().kind;
        f.dataset = matcher.spec().from;
        f.context = cr.rule->context;
        f.access = cr.rule->access;
        f.ruleId = cr.rule->id;
        for (const std::string& part : matcher.partNames()) {
          auto it = parts.find(part);
          const std::string shown = it == parts.end() ? "?" : it->second.value_or("${…}");
          f.found += (f.found.empty() ? "" : ".") + shown;
          auto nv = pm.newValues.find(part);
          f.replacement += (f.replacement.empty() ? "" : ".") + (nv != pm.newValues.end() ? nv->second : shown);
        }
        if (pm.status == PartsMatch::Status::Rewrite) {
          f.action = Action::Rewrite;
          for (const auto& [part, text] : pm.newValues) {
            const auto& d = decodedParts.at(part);
            f.changes.push_back(ValueEdit{d, 0, d->value.size(), text});
          }
        } else {
          f.action = Action::Attention;
          f.reason = pm.reason;
          f.replacement.clear();
        }
        addFinding(fc, std::move(f), b, e);
      }
    }
  }

  std::stable_sort(fc.findings.begin(), fc.findings.end(),
                   [](const Finding& a, const Finding& b) { return a.offset < b.offset; });
  return std::move(fc.findings);
}

int TsAnalyzer::syntaxErrors(std::string_view text) const {
  TreePtr tree(parseWith(lang_, text));
  if (!tree)
    return INT32_MAX;
  int errors = 0;
  forEachNode(ts_tree_root_node(tree.get()), [&](TSNode node) {
    if (ts_node_is_missing(node) || std::strcmp(ts_node_type(node), "ERROR") == 0)
      ++errors;
  });
  return errors;
}

} // namespace

Expected<std::unique_ptr<Analyzer>> makeTreeSitterAnalyzer(const TreeSitterLanguage& language,
                                                           const std::vector<const Rule*>& rules) {
  auto constants = Query::compile(language.grammar(), language.constantsQuery,
                                  "analyzers/" + std::string(language.name) + "/constants.scm");
  if (!constants)
    return constants.error();
  std::vector<CompiledRule> compiled;
  for (const Rule* rule : rules) {
    const std::string origin = rule->file + ":" + std::to_string(rule->line) + ": rule " + rule->id;
    auto q = Query::compile(language.grammar(), rule->query, origin);
    if (!q)
      return q.error();
    if (rule->kind == RuleKind::Context && !q->hasCapture("value"))
      return makeError(origin + ": a context rule's query must capture @value",
                       "capture the argument that holds the dataset name as @value");
    if (rule->kind == RuleKind::Split &&
        !(q->hasCapture("project") || q->hasCapture("dataset") || q->hasCapture("table") ||
          q->hasCapture("database")))
      return makeError(origin + ": a split rule's query must capture its parts",
                       "capture the parts as @project, @dataset, @table (or @database, @table)");
    compiled.push_back({rule, std::move(*q)});
  }
  return std::unique_ptr<Analyzer>(
      std::make_unique<TsAnalyzer>(language, std::move(*constants), std::move(compiled)));
}

} // namespace godwit
