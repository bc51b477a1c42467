#pragma once
// Edits are data: a byte range of a file and its replacement. An EditSet holds one file's edits.

#include "rules/Expected.h"

#include <string>
#include <string_view>
#include <vector>

namespace godwit {

/// Replace `length` bytes at `offset` of `file` with `replacement`.
struct Edit {
  std::string file;
  size_t offset = 0;
  size_t length = 0;
  std::string replacement;
  std::string origin; ///< The finding it came from, `file:line:col`, for error messages.
};

/// The edits of one file, kept sorted; overlapping edits are rejected.
class EditSet {
public:
  /// Adds an edit; an edit identical to one already held is ignored; an overlap is an error
  /// naming both findings.
  Expected<void> add(Edit edit);

  /// The edits in file order.
  const std::vector<Edit>& edits() const { return edits_; }
  bool empty() const { return edits_.empty(); }

  /// `original` with every edit applied; all other bytes are kept as they are.
  std::string apply(std::string_view original) const;

private:
  std::vector<Edit> edits_;
};

} // namespace godwit
