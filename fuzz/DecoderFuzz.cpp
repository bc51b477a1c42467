// Fuzz target: a tree-sitter language's decoder (GODWIT_FUZZ_LANGUAGE: java, scala, python, go,
// kotlin, shell or hcl).
// Every string expression of the parse is decoded and its offset map checked, then the file goes
// through the analyzer as the engine runs it.
#include "analyzers/Nesting.h"
#include "analyzers/TreeSitterAnalyzer.h"
#include "analyzers/go/Go.h"
#include "analyzers/hcl/Hcl.h"
#include "analyzers/java/Java.h"
#include "analyzers/kotlin/Kotlin.h"
#include "analyzers/python/Python.h"
#include "analyzers/scala/Scala.h"
#include "analyzers/shell/Shell.h"
#include "fuzz/FuzzSupport.h"

#include <memory>

namespace {

const godwit::TreeSitterLanguage& language() {
  static const godwit::TreeSitterLanguage& (*const kLanguages[])() = {
      godwit::javaLanguage, godwit::scalaLanguage,  godwit::pythonLanguage, godwit::goLanguage,
      godwit::kotlinLanguage, godwit::shellLanguage, godwit::hclLanguage,
  };
  for (const auto& get : kLanguages)
    if (get().name == GODWIT_FUZZ_LANGUAGE)
      return get();
  __builtin_trap(); // a target built for a language this table lacks
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace godwit;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (tooDeeplyNested(GODWIT_FUZZ_LANGUAGE, text))
    return 0;
  std::unique_ptr<TSTree, void (*)(TSTree*)> tree(parseWith(language(), text), ts_tree_delete);
  if (tree) {
    const Resolver none = [](std::string_view, uint32_t) -> std::optional<DecodedString> {
      return std::nullopt;
    };
    std::vector<TSNode> stack{ts_tree_root_node(tree.get())};
    while (!stack.empty()) {
      const TSNode node = stack.back();
      stack.pop_back();
      if (language().isStringExpression(node, text))
        if (auto decoded = language().decode(node, text, none))
          fuzz::checkDecoded(*decoded, size);
      for (uint32_t i = ts_node_child_count(node); i > 0; --i)
        stack.push_back(ts_node_child(node, i - 1));
    }
  }
  fuzz::analyzeLikeTheEngine(GODWIT_FUZZ_LANGUAGE, text);
  return 0;
}
