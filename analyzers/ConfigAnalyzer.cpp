#include "analyzers/ConfigAnalyzer.h"

#include "analyzers/TreeSitterAnalyzer.h"
#include "analyzers/ValueFindings.h"

#include <algorithm>
#include <cstring>

namespace godwit {
namespace {

const char* const kLeftAloneHint =
    "godwit left the file alone; fix its syntax, or exclude it (e.g. a template) with --exclude";

Error notParsed(const SourceFile& file, std::string_view display, const SyntaxProblem& problem) {
  const auto [line, column] = LineIndex(file.text).position(problem.offset);
  return Error{"the file is not valid " + std::string(display) + ": " + problem.message, file.path,
               line, column, kLeftAloneHint};
}

void sortByOffset(std::vector<Finding>& findings) {
  std::stable_sort(findings.begin(), findings.end(),
                   [](const Finding& a, const Finding& b) { return a.offset < b.offset; });
}

class ScannedAnalyzer final : public Analyzer {
public:
  explicit ScannedAnalyzer(const ConfigFormat& format) : format_(format) {}

  Expected<std::vector<Finding>> analyze(const SourceFile& file,
                                         std::span<const DatasetMatcher> matchers) const override {
    const ConfigScan scan = format_.scan(file.text);
    if (!scan.problems.empty())
      return notParsed(file, format_.display, scan.problems.front());
    FindingCollector out(file);
    const std::string context = std::string(format_.name) + ".string";
    // A reference made only of a substituted value (HOCON `${path}`) is reported where that
    // value is written.
    const ReportedElsewhere atItsValue = [&](uint32_t lo, uint32_t hi) {
      return std::any_of(scan.values.begin(), scan.values.end(),
                         [&](const ConfigValue& v) { return v.begin <= lo && hi <= v.end; });
    };
    for (const ConfigValue& v : scan.values) {
      const bool topic = nameSaysTopic(v.key);
      const ContextFor contextFor = [&](uint32_t, uint32_t, Finding& f) {
        f.context = context;
        if (topic && f.kind == DatasetKind::KafkaTopic) {
          f.context = std::string(format_.name) + ".topic-key";
          f.sink = Sink::Takes;
        }
      };
      addValueFindings(out, v.value, v.begin, v.end, matchers, contextFor, atItsValue);
    }
    sortByOffset(out.findings());
    return std::move(out.findings());
  }

  int syntaxErrors(std::string_view text) const override {
    return static_cast<int>(format_.scan(text).problems.size());
  }

private:
  const ConfigFormat& format_;
};

struct TreeDeleter {
  void operator()(TSTree* t) const { ts_tree_delete(t); }
};

bool isError(TSNode node) {
  return ts_node_is_missing(node) || std::strcmp(ts_node_type(node), "ERROR") == 0;
}

/// Where the problem of an ERROR node is: its last child that is a stray token or holds an error
/// itself (the parser gave up there, e.g. at an unterminated quote), else right after the
/// well-formed children it wraps.
uint32_t problemOffset(TSNode error, std::string_view text) {
  for (uint32_t i = ts_node_child_count(error); i > 0; --i) {
    const TSNode child = ts_node_child(error, i - 1);
    if (!ts_node_is_named(child) || ts_node_has_error(child) || isError(child))
      return ts_node_start_byte(child);
  }
  uint32_t at = ts_node_end_byte(error);
  while (at < text.size() && std::strchr(" \t\r\n", text[at]) != nullptr)
    ++at;
  return std::min<uint32_t>(at, static_cast<uint32_t>(text.size()));
}

/// The first syntax problem of a parse, or nullopt when it has none.
std::optional<SyntaxProblem> firstProblem(TSTree* tree, std::string_view text) {
  const TSNode root = ts_tree_root_node(tree);
  std::optional<SyntaxProblem> found;
  TSTreeCursor cursor = ts_tree_cursor_new(root);
  bool more = true;
  while (more && !found) {
    const TSNode node = ts_tree_cursor_current_node(&cursor);
    if (ts_node_is_missing(node)) {
      found = SyntaxProblem{ts_node_start_byte(node),
                            std::string("missing `") + ts_node_type(node) + "`"};
    } else if (isError(node)) {
      found = SyntaxProblem{problemOffset(node, text), "unexpected text"};
    } else if (ts_node_has_error(node) && ts_tree_cursor_goto_first_child(&cursor)) {
      continue;
    }
    while (!found && !(more = ts_tree_cursor_goto_next_sibling(&cursor)))
      if (!ts_tree_cursor_goto_parent(&cursor))
        break;
  }
  ts_tree_cursor_delete(&cursor);
  if (found)
    return found;
  // Text the grammar did not take in at all.
  for (uint32_t at = ts_node_end_byte(root); at < text.size(); ++at)
    if (std::strchr(" \t\r\n", text[at]) == nullptr)
      return SyntaxProblem{at, "unexpected text"};
  return std::nullopt;
}

/// The source ranges of a tree's ERROR and MISSING nodes (outermost only), and the text after
/// its root that the grammar did not take in.
std::vector<std::pair<uint32_t, uint32_t>> errorRanges(TSTree* tree, std::string_view text) {
  std::vector<std::pair<uint32_t, uint32_t>> out;
  const uint32_t rootEnd = ts_node_end_byte(ts_tree_root_node(tree));
  if (rootEnd < text.size())
    out.emplace_back(rootEnd, static_cast<uint32_t>(text.size()));
  std::vector<TSNode> todo{ts_tree_root_node(tree)};
  while (!todo.empty()) {
    const TSNode node = todo.back();
    todo.pop_back();
    if (isError(node)) {
      out.emplace_back(ts_node_start_byte(node), ts_node_end_byte(node));
      continue;
    }
    if (!ts_node_has_error(node))
      continue;
    for (uint32_t i = ts_node_child_count(node); i > 0; --i)
      todo.push_back(ts_node_child(node, i - 1));
  }
  return out;
}

Error note(const SourceFile& file, uint32_t offset, std::string message, std::string hint) {
  const auto [line, column] = LineIndex(file.text).position(offset);
  return Error{std::move(message), file.path, line, column, std::move(hint)};
}

class StrictAnalyzer final : public Analyzer {
public:
  StrictAnalyzer(const TreeSitterLanguage& language, std::string_view display,
                 std::unique_ptr<Analyzer> inner, bool (*skip)(std::string_view),
                 StrictFallbacks fallbacks)
      : language_(language), display_(display), inner_(std::move(inner)), skip_(skip),
        fallbacks_(fallbacks) {}

  Expected<std::vector<Finding>> analyze(const SourceFile& file,
                                         std::span<const DatasetMatcher> matchers) const override {
    AnalysisNotes notes;
    return analyzeFile(file, matchers, notes);
  }

  Expected<std::vector<Finding>> analyzeFile(const SourceFile& file,
                                             std::span<const DatasetMatcher> matchers,
                                             AnalysisNotes& notes) const override {
    if (skip_ && skip_(file.text))
      return std::vector<Finding>();
    std::unique_ptr<TSTree, TreeDeleter> tree(parseWith(language_, file.text));
    if (!tree)
      return inner_->analyzeFile(file, matchers, notes);
    const std::optional<SyntaxProblem> problem = firstProblem(tree.get(), file.text);
    if (!problem)
      return inner_->analyzeFile(file, matchers, notes);
    const std::string display(display_);
    if (fallbacks_.valid && fallbacks_.valid(file.text))
      return recovered(file, matchers, tree.get(), *problem, notes);
    std::optional<std::string> masked;
    if (fallbacks_.templates)
      masked = maskTemplateBlocks(file.text);
    if (!masked)
      return notParsed(file, display_, *problem);
    std::unique_ptr<TSTree, TreeDeleter> maskedTree(parseWith(language_, *masked));
    if (!maskedTree || firstProblem(maskedTree.get(), *masked)) {
      notes.skipped = true;
      notes.notes.push_back(note(file, problem->offset,
                                 "not analyzed: a template that is not valid " + display +
                                     " until it is rendered (" + problem->message + ")",
                                 "check its references by hand, or render it and scan the result"));
      return std::vector<Finding>();
    }
    // Same length and the same bytes outside the blocks: offsets, lines and edits carry over.
    const SourceFile maskedFile{file.path, *masked, file.hits};
    auto found = inner_->analyzeFile(maskedFile, matchers, notes);
    notes.parseErrors = static_cast<int>(errorRanges(tree.get(), file.text).size());
    if (found)
      notes.notes.push_back(note(file, problem->offset,
                                 "analyzed with its template blocks read as unknown text: it is "
                                 "not valid " +
                                     display + " until it is rendered",
                                 "references next to a template block need attention"));
    return found;
  }

  Expected<void> verifyEdits(const SourceFile& file, std::span<const SourceEdit> edits,
                             std::string_view after) const override {
    parseEdited(language_, file.text, edits, after);
    return Analyzer::verifyEdits(file, edits, after);
  }

  int syntaxErrors(std::string_view text) const override {
    std::unique_ptr<TSTree, TreeDeleter> tree(parseWith(language_, text));
    if (!tree)
      return INT32_MAX;
    int errors = inner_->syntaxErrors(text);
    // Text after the root node is no error node, but the file does not parse all the same.
    if (errors == 0 && firstProblem(tree.get(), text))
      ++errors;
    return errors;
  }

private:
  /// A valid file the grammar trips on: the findings of its recovered tree, those inside the
  /// parts it could not read held back.
  Expected<std::vector<Finding>> recovered(const SourceFile& file,
                                           std::span<const DatasetMatcher> matchers, TSTree* tree,
                                           const SyntaxProblem& problem,
                                           AnalysisNotes& notes) const {
    auto found = inner_->analyzeFile(file, matchers, notes);
    if (!found)
      return found;
    const auto unread = errorRanges(tree, file.text);
    const std::string why = "godwit's " + std::string(display_) +
                            " grammar could not read this part of the file (valid " +
                            std::string(display_) + " all the same); change it by hand";
    const auto inUnread = [&](const Finding& f) {
      return std::any_of(unread.begin(), unread.end(), [&](const auto& r) {
        return f.offset < r.second && r.first < f.offset + f.length;
      });
    };
    // The recovered tree may have no scalar where a name is: the raw bytes of each unread part
    // are matched too, so no reference there goes unreported.
    FindingCollector raw(file);
    const std::string context = std::string(language_.name) + ".string";
    const ContextFor contextFor = [&](uint32_t, uint32_t, Finding& f) { f.context = context; };
    for (const auto& [b, e] : unread) {
      DecodedString bytes;
      bytes.beginPiece(b, e, LiteralStyle{});
      for (uint32_t i = b; i < e; ++i)
        bytes.push(file.text[i], i, i + 1);
      addValueFindings(raw, bytes, b, e, matchers, contextFor, {}, ValueSyntax::Plain);
    }
    for (Finding& f : raw.findings()) {
      const bool known = std::any_of(found->begin(), found->end(), [&](const Finding& g) {
        return f.offset < g.offset + g.length && g.offset < f.offset + f.length;
      });
      if (!known)
        found->push_back(std::move(f));
    }
    for (Finding& f : *found) {
      if (!inUnread(f) || f.action != Action::Rewrite)
        continue;
      f.action = Action::Attention;
      f.reason = why;
      f.replacement.clear();
      f.changes.clear();
    }
    sortByOffset(*found);
    notes.parseErrors = static_cast<int>(unread.size());
    notes.notes.push_back(note(file, problem.offset,
                               "analyzed with " + std::to_string(unread.size()) +
                                   " part(s) godwit's " + std::string(display_) +
                                   " grammar could not read; the file is valid " +
                                   std::string(display_),
                               "references in those parts need attention"));
    return found;
  }

  const TreeSitterLanguage& language_;
  std::string_view display_;
  std::unique_ptr<Analyzer> inner_;
  bool (*skip_)(std::string_view);
  StrictFallbacks fallbacks_;
};

} // namespace

std::optional<SyntaxProblem> firstSyntaxProblem(TSTree* tree, std::string_view text) {
  return firstProblem(tree, text);
}

void pushCodePoint(DecodedString& out, long cp, uint32_t begin, uint32_t end) {
  if (cp < 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    out.pushHole(begin, end);
    return;
  }
  std::string bytes;
  appendUtf8(bytes, static_cast<uint32_t>(cp));
  out.pushAll(bytes, begin, end);
}

Expected<std::unique_ptr<Analyzer>> makeConfigAnalyzer(const ConfigFormat& format,
                                                       const std::vector<const Rule*>& rules) {
  if (!rules.empty()) {
    const Rule& rule = *rules.front();
    return makeError(rule.file + ":" + std::to_string(rule.line) + ": rule " + rule.id +
                         ": rule packs cannot target " + std::string(format.name) +
                         " (godwit reads it without tree-sitter, so there is nothing to query)",
                     "remove the rule; every " + std::string(format.display) +
                         " value is already matched");
  }
  return std::unique_ptr<Analyzer>(std::make_unique<ScannedAnalyzer>(format));
}

std::optional<std::string> maskTemplateBlocks(std::string_view text) {
  std::optional<std::string> out;
  for (size_t i = text.find('{'); i != std::string_view::npos && i + 1 < text.size();
       i = text.find('{', i + 1)) {
    const char kind = text[i + 1];
    if (kind != '{' && kind != '%' && kind != '#')
      continue;
    const char closer[2] = {kind == '{' ? '}' : kind, '}'};
    const size_t close = text.find(std::string_view(closer, 2), i + 2);
    if (close == std::string_view::npos)
      break;
    if (!out)
      out.emplace(text);
    const size_t end = close + 2;
    for (size_t k = i; k < end; ++k)
      if ((*out)[k] != '\n' && (*out)[k] != '\r')
        (*out)[k] = kind == '{' ? '_' : ' ';
    if (kind == '{') {
      (*out)[i] = '$';
      (*out)[i + 1] = '{';
      (*out)[end - 1] = '}';
    }
    i = end - 1;
  }
  return out;
}

Expected<std::unique_ptr<Analyzer>>
makeStrictTreeSitterAnalyzer(const TreeSitterLanguage& language, std::string_view display,
                             const std::vector<const Rule*>& rules,
                             bool (*skip)(std::string_view text), StrictFallbacks fallbacks) {
  auto inner = makeTreeSitterAnalyzer(language, rules);
  if (!inner)
    return inner.error();
  return std::unique_ptr<Analyzer>(
      std::make_unique<StrictAnalyzer>(language, display, std::move(*inner), skip, fallbacks));
}

} // namespace godwit
