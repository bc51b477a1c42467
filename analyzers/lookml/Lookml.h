#pragma once
// LookML (.lkml): the SQL a view or explore holds (`sql_table_name:`, `derived_table: sql:`,
// `sql_trigger_value:` and the other `sql…:` blocks, each up to `;;`) is a document of the `sql`
// language, analyzed through the offset map (analyzers/Embedded.h); `${TABLE}`, `${view.field}`
// and Liquid are template holes there. Strings and `#` comments are attention, never edited.

#include "analyzers/Analyzer.h"
#include "analyzers/Embedded.h"

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace godwit {

/// One `key: value ;;` block of a LookML text whose value is SQL or another expression.
struct LookmlBlock {
  std::string key;     ///< e.g. `sql_table_name`, `sql`, `html`.
  std::string parent;  ///< The key of the innermost `{ }` holding it, e.g. `derived_table`.
  uint32_t keyAt = 0;  ///< Host byte where the key starts.
  uint32_t begin = 0;  ///< Host bytes of the value: after the `:`, up to `;;` (excluded).
  uint32_t end = 0;
  bool terminated = false; ///< False when no `;;` closes it before the next LookML key or the end.
  bool sql = false;        ///< A `sql…` key: `doc` is its value as SQL.
  EmbeddedDocument doc;    ///< The value as its own document (language `sql` when `sql`).
};

/// The parts of a LookML text godwit reads.
struct LookmlParts {
  std::vector<LookmlBlock> blocks;
  /// Host byte ranges of `"…"` strings and `#` comments outside blocks.
  std::vector<std::pair<uint32_t, uint32_t>> text;
};

/// Splits `text` into its `;;` blocks and its strings and comments. A `;;` inside a SQL string
/// or quoted name that closes on its line does not end a block (one in a `--` comment does); a
/// block with no `;;` before a line that starts a LookML key or `}` (or the end) is
/// unterminated and ends there, and the text after it is read on. Inside `[…]`, names before
/// `:` are fields, never block keys.
LookmlParts splitLookml(std::string_view text);

/// Builds the LookML analyzer. Rule packs do not apply to LookML: `rules` must be empty.
Expected<std::unique_ptr<Analyzer>> makeLookmlAnalyzer(const std::vector<const Rule*>& rules);

} // namespace godwit
