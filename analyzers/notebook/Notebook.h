#pragma once
// Jupyter notebooks (.ipynb, nbformat 4). Code cells are one Python document (cells share one
// namespace) read through the JSON string escapes of their `source`; `%%bigquery` and `%%sql`
// cells are SQL documents; `%%bash` / `%%sh` cells and `!` lines are shell documents; Markdown
// cells are Markdown documents whose findings are attention.
// Outputs are results and never read. Edits are re-encoded as JSON string content, so the file
// keeps Jupyter's formatting (analyzers/Embedded.h).

#include "analyzers/Analyzer.h"
#include "analyzers/DecodedString.h"
#include "analyzers/Embedded.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace godwit {

/// One part of a notebook that godwit reads only for attention (a `%` magic line, a `%%script`
/// cell, a raw cell), with the reason it gives.
struct NotebookText {
  DecodedString text;
  std::string reason;
};

/// The documents of a notebook.
struct NotebookParts {
  /// The code cells that are Python, one document per cell, in order (magic lines and `%%`
  /// headers of Python cells replaced by `pass`).
  std::vector<EmbeddedDocument> python;
  std::vector<EmbeddedDocument> sql;      ///< `%%bigquery` / `%%sql` cells without their first line.
  /// `%%bash` / `%%sh` cells without their first line, and each `!` line without its `!`.
  std::vector<EmbeddedDocument> shell;
  std::vector<EmbeddedDocument> markdown; ///< Markdown cells.
  std::vector<NotebookText> text;
  /// Set when the notebook is valid JSON but not one godwit reads (not nbformat 4): why.
  std::optional<std::string> unsupported;
};

/// Splits the notebook `file` into its documents; an error naming the place when it is not
/// valid JSON or its cells are not shaped as nbformat 4 says.
Expected<NotebookParts> splitNotebook(const SourceFile& file);

/// All Python cells joined in order, one line break between two cells: the notebook's program.
EmbeddedDocument joinCells(const std::vector<EmbeddedDocument>& cells);

/// Builds the notebook analyzer. Rule packs do not apply to notebooks (their Python does get the
/// Python rules): `rules` must be empty.
Expected<std::unique_ptr<Analyzer>> makeNotebookAnalyzer(const std::vector<const Rule*>& rules);

} // namespace godwit
