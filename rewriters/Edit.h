#pragma once
// Edits are data: a byte range of a file and its replacement. An EditSet holds one file's edits.

#include "rules/Expected.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace godwit {

/// The reference through which an edit reaches the literal of a constant: such an edit is made
/// only when every reference to the constant asks for it (rewriters/SharedEdits.h).
struct ConstantUse {
  std::string constant; ///< As the reference names it (`DATASET`, `Tables.DATASET`).
  int uses = 0;         ///< How often `useFile` refers to the constant.
  std::string useFile;  ///< The file of the reference, relative to the root.
  uint32_t useAt = 0;   ///< Its first byte there.
  bool shared = false;  ///< Other files may refer to the constant too.
};

/// Replace `length` bytes at `offset` of `file` with `replacement`.
struct Edit {
  std::string file;
  size_t offset = 0;
  size_t length = 0;
  std::string replacement;
  std::string origin; ///< The finding it came from, `file:line:col`, for error messages.
  std::optional<ConstantUse> constant; ///< Set when the edit lands in a constant's literal.
};

/// The edits of one file, kept sorted; overlapping edits are rejected.
class EditSet {
public:
  /// Adds an edit; an edit identical to one already held is ignored; an overlap is an error
  /// naming both findings.
  Expected<void> add(Edit edit);

  /// The held edit that `edit` would overlap (an identical one does not count), or nullptr.
  const Edit* conflict(const Edit& edit) const;

  /// The edits in file order.
  const std::vector<Edit>& edits() const { return edits_; }
  bool empty() const { return edits_.empty(); }

  /// `original` with every edit applied; all other bytes are kept as they are.
  std::string apply(std::string_view original) const;

private:
  std::vector<Edit> edits_;
};

} // namespace godwit
