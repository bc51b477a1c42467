#pragma once
// Dataform (.sqlx): a `config { … }` block (a JavaScript object literal), the SQL body,
// `pre_operations`/`post_operations` blocks (SQL) and `js { … }` blocks. A declaration's
// database/schema/name move with the table; a config that creates the old table is attention;
// the SQL goes to the SQL analyzer with every `${…}` a hole. See docs/dataform.md.

#include "analyzers/Analyzer.h"
#include "analyzers/DecodedString.h"
#include "rules/DatasetMatcher.h"
#include "rules/Expected.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace godwit {

/// One top-level block of a .sqlx file.
struct SqlxBlock {
  enum class Kind { Config, PreOperations, PostOperations, Input, Js };
  Kind kind = Kind::Config;
  uint32_t begin = 0;     ///< The block's first byte (its keyword).
  uint32_t end = 0;       ///< One past its closing `}` (the end of the text when not closed).
  uint32_t bodyBegin = 0; ///< The bytes between its braces.
  uint32_t bodyEnd = 0;
  bool closed = false;
};

/// The parts of a .sqlx text: its blocks, in order, and the SQL body around them.
struct SqlxParts {
  std::vector<SqlxBlock> blocks;
  std::vector<std::pair<uint32_t, uint32_t>> body; ///< Host byte ranges outside every block.
};

/// Splits `text` into its blocks and the SQL body. Strings, comments and `${…}` are skipped while
/// looking for a block's closing brace; a block that never closes runs to the end of the text.
SqlxParts splitSqlx(std::string_view text);

/// The end of the `${…}` expression whose `${` is at `at` (one past its `}`), or npos when it
/// does not close: JavaScript strings, template literals and comments inside are skipped.
size_t sqlxHoleEnd(std::string_view text, size_t at);

/// One top-level `key: value` of a config block.
struct ConfigEntry {
  std::string key;
  uint32_t keyBegin = 0;
  uint32_t valueBegin = 0; ///< The value's source bytes (quotes included).
  uint32_t valueEnd = 0;
  /// The decoded string when the value is one string literal (a template literal's `${…}` are
  /// holes; an escape godwit does not decode makes it a hole too); nullopt for other values.
  std::optional<DecodedString> string;
};

/// The top-level entries of the object literal in `text`'s bytes [begin, end) (a config block's
/// body). Nested objects and arrays are one value each.
std::vector<ConfigEntry> configEntries(std::string_view text, uint32_t begin, uint32_t end);

/// True for a .sqlx file whose name is a migrated table's (`user_profile_v1.sqlx`): a config
/// without `name` makes it that table, so it is analyzed even when its bytes never name it.
bool dataformWantsFile(std::string_view path, std::span<const DatasetMatcher> matchers);

/// Builds the Dataform analyzer, which reads a project's defaults (workflow_settings.yaml,
/// dataform.json) under `context.root`. Rule packs do not apply to it: `rules` must be empty.
Expected<std::unique_ptr<Analyzer>> makeDataformAnalyzer(const std::vector<const Rule*>& rules,
                                                         const AnalyzerContext& context);

} // namespace godwit
