#pragma once
// An edit that lands in a constant's literal (Edit::constant) changes every place that refers to
// the constant. It is made only when each of those references asks for this very edit (same
// bytes, same replacement), counting references across the repository for a constant other
// files can see; otherwise every finding that needs it is attention.

#include "rewriters/Edit.h"

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace godwit {

class SharedEdits {
public:
  /// Records that finding `finding` (an id of the caller's) needs `edit`, which has a constant.
  void demand(uint64_t finding, const Edit& edit);

  /// True when nothing was demanded.
  bool empty() const { return demands_.empty(); }

  /// True when a demanded constant may be referred to from other files than those that asked:
  /// `refused` then needs to know about them.
  bool needsRepository() const;

  /// The files, other than `asking`, that may refer to the constant called `name` (its last
  /// segment) whose literal is written in `literalFile`.
  using OtherUses = std::function<std::vector<std::string>(
      std::string_view name, const std::string& literalFile, const std::set<std::string>& asking)>;

  /// The findings whose constant edits cannot be made, each with the reason. `others` is asked
  /// only for constants other files may see.
  std::map<uint64_t, std::string> refused(const OtherUses& others) const;

private:
  struct Demand {
    uint64_t finding;
    Edit edit;
  };
  /// By the literal's bytes: file, offset, length.
  std::map<std::tuple<std::string, size_t, size_t>, std::vector<Demand>> demands_;
};

} // namespace godwit
