#pragma once
// Test helpers for the config formats: the values a scanner or a tree-sitter language yields, in
// source order, and the one holding a marker.

#include "analyzers/ConfigAnalyzer.h"
#include "tests/analyzers/LanguageTestSupport.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace godwit::test {

/// The decoded values of a scan, holes spelled `<?>`.
inline std::vector<std::string> values(const ConfigScan& scan) {
  std::vector<std::string> out;
  for (const ConfigValue& v : scan.values)
    out.push_back(readable(v.value.value));
  return out;
}

/// The first problem's message, or "" when the scan has none.
inline std::string firstProblem(const ConfigScan& scan) {
  return scan.problems.empty() ? std::string() : scan.problems.front().message;
}

/// The scanned value whose decoded text contains `marker`; fails the test when there is none.
inline const ConfigValue* valueWith(const ConfigScan& scan, std::string_view marker) {
  for (const ConfigValue& v : scan.values)
    if (v.value.value.find(marker) != std::string::npos)
      return &v;
  ADD_FAILURE() << "no value contains `" << marker << "`";
  return nullptr;
}

/// The source text of every outermost string expression of a snippet, in source order.
inline std::vector<std::string> stringExpressions(const Snippet& s,
                                                  const TreeSitterLanguage& language) {
  std::vector<std::string> out;
  std::vector<TSNode> stack{s.root()};
  while (!stack.empty()) {
    const TSNode node = stack.back();
    stack.pop_back();
    if (language.isStringExpression(node, s.src())) {
      out.emplace_back(s.text(node));
      continue;
    }
    for (uint32_t i = ts_node_child_count(node); i > 0; --i)
      stack.push_back(ts_node_child(node, i - 1));
  }
  return out;
}

} // namespace godwit::test
