#include "analyzers/Finding.h"

namespace godwit {

std::string_view actionName(Action action) {
  return action == Action::Rewrite ? "rewrite" : "attention";
}

} // namespace godwit
