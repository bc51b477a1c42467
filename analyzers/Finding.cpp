#include "analyzers/Finding.h"

namespace godwit {

std::string_view actionName(Action action) {
  return action == Action::Rewrite ? "rewrite" : "attention";
}

bool awaitsSink(const Finding& f) {
  return namesAreWords(f.kind) && f.action == Action::Attention && f.sink == Sink::Unknown &&
         !f.changes.empty();
}

void reachSink(Finding& f, const Rule& rule) {
  f.action = Action::Rewrite;
  f.reason.clear();
  f.sink = Sink::Takes;
  f.context = rule.context;
  f.ruleId = rule.id;
  if (rule.access != Access::Unknown)
    f.access = rule.access;
  // A sink that is never renamed (a resource or command that creates the topic) keeps it
  // attention, whichever way the name reached it.
  if (!rule.attention.empty()) {
    f.action = Action::Attention;
    f.reason = rule.attention;
    f.changes.clear();
  }
}

} // namespace godwit
