#pragma once
// Finding ─► Edit: maps a rewrite finding's value changes back to source bytes through the offset
// map, trims each change to the smallest edit, and re-encodes it for its literal.

#include "analyzers/Finding.h"
#include "rewriters/Edit.h"
#include "rules/Expected.h"

#include <vector>

namespace godwit {

/// The edits that make `finding` (action rewrite). An Error's message is the reason the change
/// cannot be made safely (it spans literal pieces or a hole, lands in a constant other code
/// uses, or the literal cannot hold the new text); the caller reports the finding as attention.
Expected<std::vector<Edit>> editsForFinding(const Finding& finding);

} // namespace godwit
