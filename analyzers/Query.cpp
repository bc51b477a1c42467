#include "analyzers/Query.h"

#include "analyzers/TreeSitterLanguage.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace godwit {

const std::vector<std::pair<std::string_view, std::string_view>>& embeddedQueries();

std::string_view embeddedQuery(std::string_view path) {
  for (const auto& [file, text] : embeddedQueries())
    if (file == path)
      return text;
  return {};
}
namespace {

std::string_view nodeText(TSNode node, std::string_view src) {
  const uint32_t b = ts_node_start_byte(node);
  const uint32_t e = ts_node_end_byte(node);
  return src.substr(b, e - b);
}

std::string_view queryErrorName(TSQueryError error) {
  switch (error) {
  case TSQueryErrorSyntax:
    return "syntax error";
  case TSQueryErrorNodeType:
    return "unknown node type";
  case TSQueryErrorField:
    return "unknown field";
  case TSQueryErrorCapture:
    return "unknown capture";
  case TSQueryErrorStructure:
    return "impossible pattern structure";
  case TSQueryErrorLanguage:
    return "incompatible language";
  default:
    return "error";
  }
}

} // namespace

Expected<Query> Query::compile(const TSLanguage* language, std::string_view source,
                               const std::string& origin) {
  uint32_t errorOffset = 0;
  TSQueryError errorType = TSQueryErrorNone;
  TSQuery* raw = ts_query_new(language, source.data(), static_cast<uint32_t>(source.size()),
                              &errorOffset, &errorType);
  if (raw == nullptr) {
    const std::string_view before = source.substr(0, errorOffset);
    const int line = 1 + static_cast<int>(std::count(before.begin(), before.end(), '\n'));
    const size_t lastNl = before.rfind('\n');
    const int col =
        static_cast<int>(errorOffset - (lastNl == std::string_view::npos ? 0 : lastNl + 1)) + 1;
    const size_t lineEnd = source.find('\n', errorOffset);
    const std::string_view near =
        source.substr(errorOffset, std::min<size_t>(lineEnd, errorOffset + 40) - errorOffset);
    return makeError(origin + ": tree-sitter query " + std::string(queryErrorName(errorType)) +
                         " at query line " + std::to_string(line) + ", column " +
                         std::to_string(col) + " near `" + std::string(near) + "`",
                     "check node types and field names against the grammar's node-types.json");
  }
  Query q;
  q.query_ = std::shared_ptr<TSQuery>(raw, ts_query_delete);
  const uint32_t patterns = ts_query_pattern_count(raw);
  q.predicates_.resize(patterns);
  for (uint32_t p = 0; p < patterns; ++p) {
    uint32_t stepCount = 0;
    const TSQueryPredicateStep* steps = ts_query_predicates_for_pattern(raw, p, &stepCount);
    for (uint32_t i = 0; i < stepCount;) {
      // One predicate: a string (the operator), arguments, then a Done step.
      uint32_t j = i;
      while (j < stepCount && steps[j].type != TSQueryPredicateStepTypeDone)
        ++j;
      auto str = [&](uint32_t k) {
        uint32_t len = 0;
        const char* s = ts_query_string_value_for_id(raw, steps[k].value_id, &len);
        return std::string(s, len);
      };
      const std::string op = steps[i].type == TSQueryPredicateStepTypeString ? str(i) : "";
      auto fail = [&](const std::string& why) {
        return makeError(origin + ": predicate #" + op + " " + why,
                         "predicates take a capture first, e.g. (#eq? @name \"from\")");
      };
      if (j - i < 3 || steps[i + 1].type != TSQueryPredicateStepTypeCapture)
        return fail("needs a capture and at least one argument");
      Predicate pred{};
      pred.capture = steps[i + 1].value_id;
      if (op == "eq?" || op == "not-eq?") {
        pred.op = op == "eq?" ? Predicate::Op::Eq : Predicate::Op::NotEq;
        if (steps[i + 2].type == TSQueryPredicateStepTypeCapture)
          pred.otherCapture = static_cast<int>(steps[i + 2].value_id);
        else
          pred.values.push_back(str(i + 2));
      } else if (op == "match?" || op == "not-match?") {
        pred.op = op == "match?" ? Predicate::Op::Match : Predicate::Op::NotMatch;
        if (steps[i + 2].type != TSQueryPredicateStepTypeString)
          return fail("needs a regular expression string");
        try {
          pred.regex = std::make_shared<std::regex>(str(i + 2), std::regex::ECMAScript);
        } catch (const std::regex_error& e) {
          return fail(std::string("has an invalid regular expression: ") + e.what());
        }
      } else if (op == "any-of?" || op == "parent-type?") {
        pred.op = op == "any-of?" ? Predicate::Op::AnyOf : Predicate::Op::ParentType;
        for (uint32_t k = i + 2; k < j; ++k)
          pred.values.push_back(str(k));
      } else {
        return fail("is not supported (use eq?, not-eq?, match?, not-match?, any-of?, "
                    "parent-type?)");
      }
      q.predicates_[p].push_back(std::move(pred));
      i = j + 1;
    }
  }
  return q;
}

namespace {

/// True when the types of `node`'s ancestors end with `path`: `b` is its parent's type, `a/b`
/// also its grandparent's.
bool parentsAre(TSNode node, std::string_view path) {
  while (!path.empty()) {
    node = ts_node_parent(node);
    if (ts_node_is_null(node))
      return false;
    const size_t slash = path.rfind('/');
    const std::string_view last = slash == std::string_view::npos ? path : path.substr(slash + 1);
    if (last != ts_node_type(node))
      return false;
    path = slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
  }
  return true;
}

} // namespace

bool Query::holds(const Predicate& p, const TSQueryMatch& m, std::string_view src) {
  // A predicate over a capture that did not take part in the match (optional) holds.
  auto nodeOf = [&](uint32_t capture, TSNode& out) {
    for (uint16_t i = 0; i < m.capture_count; ++i) {
      if (m.captures[i].index == capture) {
        out = m.captures[i].node;
        return true;
      }
    }
    return false;
  };
  auto textOf = [&](uint32_t capture, std::string_view& out) {
    TSNode node;
    if (!nodeOf(capture, node))
      return false;
    out = nodeText(node, src);
    return true;
  };
  if (p.op == Predicate::Op::ParentType) {
    TSNode node;
    return !nodeOf(p.capture, node) ||
           std::any_of(p.values.begin(), p.values.end(),
                       [&](const std::string& path) { return parentsAre(node, path); });
  }
  std::string_view text;
  if (!textOf(p.capture, text))
    return true;
  switch (p.op) {
  case Predicate::Op::Eq:
  case Predicate::Op::NotEq: {
    std::string_view other;
    if (p.otherCapture >= 0) {
      if (!textOf(static_cast<uint32_t>(p.otherCapture), other))
        return true;
    } else {
      other = p.values.front();
    }
    return (text == other) == (p.op == Predicate::Op::Eq);
  }
  case Predicate::Op::Match:
  case Predicate::Op::NotMatch:
    return std::regex_search(text.begin(), text.end(), *p.regex) == (p.op == Predicate::Op::Match);
  case Predicate::Op::AnyOf:
    return std::find(p.values.begin(), p.values.end(), text) != p.values.end();
  case Predicate::Op::ParentType:
    break;
  }
  return false;
}

std::vector<Query::Match> Query::matches(TSNode node, std::string_view src,
                                         const std::vector<bool>* patterns) const {
  std::vector<Match> out;
  if (predicates_.empty()) // no pattern (YAML, JSON): nothing to walk the tree for
    return out;
  TSQueryCursor* cursor = ts_query_cursor_new();
  ts_query_cursor_exec(cursor, query_.get(), node);
  TSQueryMatch m;
  while (ts_query_cursor_next_match(cursor, &m)) {
    if (patterns && !(*patterns)[m.pattern_index])
      continue;
    const auto& preds = predicates_[m.pattern_index];
    if (!std::all_of(preds.begin(), preds.end(),
                     [&](const Predicate& p) { return holds(p, m, src); }))
      continue;
    Match match;
    match.pattern = m.pattern_index;
    for (uint16_t i = 0; i < m.capture_count; ++i) {
      uint32_t len = 0;
      const char* name = ts_query_capture_name_for_id(query_.get(), m.captures[i].index, &len);
      match.captures.push_back({std::string_view(name, len), m.captures[i].node});
    }
    out.push_back(std::move(match));
  }
  ts_query_cursor_delete(cursor);
  return out;
}

uint32_t Query::patternStart(uint32_t pattern) const {
  return ts_query_start_byte_for_pattern(query_.get(), pattern);
}

bool Query::hasCapture(std::string_view name) const {
  const uint32_t n = ts_query_capture_count(query_.get());
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t len = 0;
    const char* s = ts_query_capture_name_for_id(query_.get(), i, &len);
    if (std::string_view(s, len) == name)
      return true;
  }
  return false;
}

} // namespace godwit
