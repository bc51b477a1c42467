#include "analyzers/notebook/Notebook.h"

#include "analyzers/ConfigAnalyzer.h"
#include "analyzers/TreeSitterAnalyzer.h"
#include "analyzers/ValueFindings.h"
#include "analyzers/json/Json.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace godwit {
namespace {

struct TreeDeleter {
  void operator()(TSTree* t) const { ts_tree_delete(t); }
};

bool isType(TSNode node, const char* type) {
  return !ts_node_is_null(node) && std::strcmp(ts_node_type(node), type) == 0;
}

std::vector<TSNode> namedChildren(TSNode node) {
  std::vector<TSNode> out;
  for (uint32_t i = 0; i < ts_node_named_child_count(node); ++i)
    if (const TSNode child = ts_node_named_child(node, i); !isType(child, "comment"))
      out.push_back(child);
  return out;
}

/// The value of key `key` in JSON object `object`, or a null node.
TSNode member(TSNode object, std::string_view key, std::string_view src) {
  if (!isType(object, "object"))
    return TSNode{};
  for (const TSNode pair : namedChildren(object)) {
    const TSNode k = ts_node_child_by_field_name(pair, "key", 3);
    if (isType(k, "string") && decodeJsonString(k, src).value == key)
      return ts_node_child_by_field_name(pair, "value", 5);
  }
  return TSNode{};
}

std::string stringValue(TSNode node, std::string_view src) {
  return isType(node, "string") ? decodeJsonString(node, src).value : std::string();
}

Error at(const SourceFile& file, TSNode node, std::string message) {
  const auto [line, column] = LineIndex(file.text).position(ts_node_start_byte(node));
  return Error{std::move(message), file.path, line, column,
               "godwit left the notebook alone; open and save it in Jupyter, then run again"};
}

/// A cell's `source`: an array of strings (lines) or one string, decoded with its offset map.
Expected<DecodedString> cellSource(const SourceFile& file, TSNode cell) {
  const TSNode source = member(cell, "source", file.text);
  DecodedString out;
  if (isType(source, "string")) {
    out.append(decodeJsonString(source, file.text));
    return out;
  }
  if (!isType(source, "array"))
    return at(file, ts_node_is_null(source) ? cell : source,
              "a notebook cell without a `source` string or array of strings");
  for (const TSNode line : namedChildren(source)) {
    if (!isType(line, "string"))
      return at(file, line, "a cell's `source` holds something other than strings");
    out.append(decodeJsonString(line, file.text));
  }
  return out;
}

struct TextLine {
  size_t begin = 0;
  size_t end = 0;  ///< Before the line break.
  size_t next = 0; ///< After it.
};

std::vector<TextLine> linesOf(std::string_view text) {
  std::vector<TextLine> out;
  for (size_t at = 0; at < text.size();) {
    const size_t nl = text.find('\n', at);
    const size_t next = nl == std::string_view::npos ? text.size() : nl + 1;
    out.push_back(TextLine{at, nl == std::string_view::npos ? text.size() : nl, next});
    at = next;
  }
  return out;
}

DecodedString slice(const DecodedString& v, size_t begin, size_t end) {
  DecodedString out;
  for (size_t i = begin; i < end; ++i) {
    const uint16_t p = v.piece[i];
    if (p == DecodedString::kNoPiece) {
      out.pushHole(v.srcBegin[i], v.srcEnd[i]);
      continue;
    }
    if (out.pieces.empty() || i == begin || v.piece[i - 1] != p)
      out.beginPiece(v.pieces[p]);
    out.push(v.value[i], v.srcBegin[i], v.srcEnd[i]);
  }
  return out;
}

std::string_view firstWord(std::string_view s) {
  const size_t end = s.find_first_of(" \t\r\n");
  return s.substr(0, end);
}

const char* const kMagicReason =
    "an IPython magic in a notebook; godwit does not read it, change it by hand";

/// Why a `!` line is not given to the shell analyzer, or empty when it is: IPython fills in
/// `{expr}` and `$name` from Python before the shell sees the line, `!!` captures its output, and
/// a trailing backslash joins the next line.
std::string_view unreadShellLine(std::string_view line) {
  if (line.starts_with("!!"))
    return "a `!!` line in a notebook; godwit does not read it, change it by hand";
  if (line.find_first_of("{$") != std::string_view::npos)
    return "IPython fills in `{…}` and `$name` of a `!` line from Python; change it by hand";
  if (line.ends_with('\\'))
    return "a `!` line continued on the next line; change it by hand";
  return {};
}

EmbeddedDocument shellDocument(const DecodedString& cell, size_t begin, size_t end) {
  EmbeddedDocument doc;
  doc.language = "shell";
  doc.inJsonString = true;
  doc.append(cell, begin, end);
  return doc;
}

bool isIdentifierStart(char c) {
  return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// `files = !ls` / `x = %sql …`: an IPython magic whose output is assigned.
bool assignsMagic(std::string_view line) {
  size_t i = 0;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t'))
    ++i;
  if (i >= line.size() || !isIdentifierStart(line[i]))
    return false;
  const size_t eq = line.find('=', i);
  if (eq == std::string_view::npos || eq + 1 >= line.size() || line[eq + 1] == '=')
    return false;
  for (size_t k = i; k < eq; ++k)
    if (std::string_view(" \t,._[]").find(line[k]) == std::string_view::npos &&
        !isIdentifierStart(line[k]) && !(line[k] >= '0' && line[k] <= '9'))
      return false;
  size_t j = eq + 1;
  while (j < line.size() && (line[j] == ' ' || line[j] == '\t'))
    ++j;
  return j < line.size() && (line[j] == '!' || line[j] == '%');
}

/// A Python code cell as a document: IPython's magic lines become `pass` (their text is read
/// for attention), the rest is Python as it is.
EmbeddedDocument pythonCell(const DecodedString& cell, size_t from, NotebookParts& parts) {
  EmbeddedDocument doc;
  doc.language = "python";
  doc.inJsonString = true;
  const uint32_t cellStart = cell.value.empty() ? 0 : cell.srcBegin.front();
  if (from > 0) // the `%%time` header
    doc.synthesize("pass\n", cellStart);
  for (const TextLine& l : linesOf(std::string_view(cell.value).substr(from))) {
    const size_t b = from + l.begin, e = from + l.end, n = from + l.next;
    const std::string_view text = std::string_view(cell.value).substr(b, e - b);
    const size_t indent = text.find_first_not_of(" \t");
    const char first = indent == std::string_view::npos ? '\0' : text[indent];
    if (first == '!' || first == '%' || assignsMagic(text)) {
      const std::string_view reason =
          first == '!' ? unreadShellLine(text.substr(indent)) : std::string_view(kMagicReason);
      if (reason.empty() && b + indent + 1 < e)
        parts.shell.push_back(shellDocument(cell, b + indent + 1, e));
      else if (!reason.empty())
        parts.text.push_back(NotebookText{slice(cell, b, e), std::string(reason)});
      doc.append(cell, b, b + indent);
      doc.synthesize("pass", cell.srcBegin[b]);
      doc.append(cell, e, n);
      continue;
    }
    doc.append(cell, b, n);
  }
  return doc;
}

/// Cell magics whose body is Python.
bool pythonBodyMagic(std::string_view magic) {
  for (const std::string_view m : {"time", "timeit", "capture", "prun", "python", "python3",
                                   "debug", "markdown_no_op"})
    if (magic == m)
      return true;
  return false;
}

void addCodeCell(const DecodedString& cell, bool python, std::string_view kernel,
                 NotebookParts& parts) {
  const std::string_view value = cell.value;
  if (!python) {
    if (!value.empty())
      parts.text.push_back(NotebookText{cell, "the notebook's kernel is " + std::string(kernel) +
                                                  "; godwit reads the code of Python notebooks "
                                                  "only, change it by hand"});
    return;
  }
  if (!value.starts_with("%%")) {
    parts.python.push_back(pythonCell(cell, 0, parts));
    return;
  }
  const size_t nl = value.find('\n');
  const size_t body = nl == std::string_view::npos ? value.size() : nl + 1;
  const std::string_view magic = firstWord(value.substr(2));
  if (magic == "bigquery" || magic == "sql") {
    EmbeddedDocument doc;
    doc.language = "sql";
    doc.inJsonString = true;
    doc.append(cell, body, value.size());
    parts.sql.push_back(std::move(doc));
    return;
  }
  if (pythonBodyMagic(magic)) {
    parts.python.push_back(pythonCell(cell, body, parts));
    return;
  }
  if (magic == "bash" || magic == "sh") {
    if (body < value.size())
      parts.shell.push_back(shellDocument(cell, body, value.size()));
    return;
  }
  parts.text.push_back(NotebookText{
      cell, "a %%" + std::string(magic) +
                " cell; godwit does not read its language, change it by hand"});
}

} // namespace

Expected<NotebookParts> splitNotebook(const SourceFile& file) {
  std::unique_ptr<TSTree, TreeDeleter> tree(parseWith(jsonLanguage(), file.text));
  if (!tree)
    return makeError("the notebook could not be parsed", "");
  if (const auto problem = firstSyntaxProblem(tree.get(), file.text)) {
    const auto [line, column] = LineIndex(file.text).position(problem->offset);
    return Error{"the notebook is not valid JSON: " + problem->message, file.path, line, column,
                 "godwit left the notebook alone; fix its JSON, or exclude it with --exclude"};
  }
  const std::vector<TSNode> top = namedChildren(ts_tree_root_node(tree.get()));
  NotebookParts parts;
  if (top.size() != 1 || !isType(top.front(), "object"))
    return at(file, ts_tree_root_node(tree.get()), "a notebook is a JSON object");
  const TSNode nb = top.front();
  const TSNode format = member(nb, "nbformat", file.text);
  const std::string_view version =
      isType(format, "number")
          ? file.text.substr(ts_node_start_byte(format),
                             ts_node_end_byte(format) - ts_node_start_byte(format))
          : std::string_view();
  if (version != "4") {
    parts.unsupported = version.empty() ? "it names no nbformat version"
                                        : "it is nbformat " + std::string(version);
    return parts;
  }
  const TSNode metadata = member(nb, "metadata", file.text);
  std::string kernel = stringValue(member(member(metadata, "kernelspec", file.text), "language",
                                          file.text),
                                   file.text);
  if (kernel.empty())
    kernel = stringValue(member(member(metadata, "language_info", file.text), "name", file.text),
                         file.text);
  std::transform(kernel.begin(), kernel.end(), kernel.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const bool python = kernel.empty() || kernel == "python";
  const TSNode cells = member(nb, "cells", file.text);
  if (!isType(cells, "array"))
    return at(file, ts_node_is_null(cells) ? nb : cells, "an nbformat 4 notebook without `cells`");
  for (const TSNode cell : namedChildren(cells)) {
    if (!isType(cell, "object"))
      return at(file, cell, "a notebook cell is a JSON object");
    const std::string type = stringValue(member(cell, "cell_type", file.text), file.text);
    auto source = cellSource(file, cell);
    if (!source)
      return source.error();
    if (source->value.empty())
      continue;
    if (type == "code") {
      addCodeCell(*source, python, kernel, parts);
    } else if (type == "markdown") {
      EmbeddedDocument doc;
      doc.language = "markdown";
      doc.inJsonString = true;
      doc.append(*source, 0, source->value.size());
      parts.markdown.push_back(std::move(doc));
    } else {
      parts.text.push_back(NotebookText{
          std::move(*source), "a " + (type.empty() ? std::string("raw") : type) +
                                  " cell is not code; change it by hand"});
    }
  }
  return parts;
}

EmbeddedDocument joinCells(const std::vector<EmbeddedDocument>& cells) {
  EmbeddedDocument out;
  out.language = "python";
  out.inJsonString = true;
  for (const EmbeddedDocument& cell : cells) {
    if (!out.text.empty() && out.text.back() != '\n')
      out.synthesize("\n", out.srcEnd.back());
    out.text += cell.text;
    out.srcBegin.insert(out.srcBegin.end(), cell.srcBegin.begin(), cell.srcBegin.end());
    out.srcEnd.insert(out.srcEnd.end(), cell.srcEnd.begin(), cell.srcEnd.end());
  }
  return out;
}

namespace {

class NotebookAnalyzer final : public Analyzer {
public:
  Expected<std::vector<Finding>> analyze(const SourceFile& file,
                                         std::span<const DatasetMatcher> matchers) const override {
    AnalysisNotes notes;
    return analyzeFile(file, matchers, notes);
  }

  Expected<std::vector<Finding>> analyzeFile(const SourceFile& file,
                                             std::span<const DatasetMatcher> matchers,
                                             AnalysisNotes& notes) const override {
    auto parts = splitNotebook(file);
    if (!parts)
      return parts.error();
    if (parts->unsupported) {
      notes.skipped = true;
      notes.notes.push_back(Error{"not analyzed: " + *parts->unsupported +
                                      "; godwit reads nbformat 4 notebooks",
                                  file.path, 1, 1,
                                  "check its references by hand, or upgrade it with `jupyter "
                                  "nbconvert --to notebook`"});
      return std::vector<Finding>();
    }
    const LineIndex lines(file.text);
    FindingCollector out(file);
    addPython(out, file, lines, parts->python, matchers, notes);
    for (const EmbeddedDocument& doc : parts->sql)
      addDocument(out, file, lines, doc, matchers, notes,
                  "the %%bigquery cell does not parse as SQL; change it by hand");
    for (const EmbeddedDocument& doc : parts->shell)
      addDocument(out, file, lines, doc, matchers, notes,
                  "the shell command does not parse; change it by hand");
    for (const EmbeddedDocument& doc : parts->markdown) {
      const size_t first = out.findings().size();
      addDocument(out, file, lines, doc, matchers, notes, "");
      holdAll(std::span(out.findings()).subspan(first),
              "a notebook's Markdown cell is never edited; update the text by hand");
    }
    for (const NotebookText& t : parts->text)
      addTextAttention(out, t.text, matchers, "notebook.text", t.reason);
    std::vector<Finding>& found = out.findings();
    std::stable_sort(found.begin(), found.end(),
                     [](const Finding& a, const Finding& b) { return a.offset < b.offset; });
    return std::move(found);
  }

  int syntaxErrors(std::string_view text) const override {
    auto parts = splitNotebook(SourceFile{"", text});
    if (!parts)
      return 1 << 20;
    if (parts->unsupported)
      return 0;
    int errors = runner_.syntaxErrors(joinCells(parts->python));
    for (const EmbeddedDocument& doc : parts->sql)
      errors += runner_.syntaxErrors(doc);
    for (const EmbeddedDocument& doc : parts->shell)
      errors += runner_.syntaxErrors(doc);
    return errors;
  }

private:
  /// Adds the findings of `doc`; all attention for `unparsed` when it does not parse, its text
  /// read for attention when its analyzer has nothing for it.
  bool addDocument(FindingCollector& out, const SourceFile& file, const LineIndex& lines,
                   const EmbeddedDocument& doc, std::span<const DatasetMatcher> matchers,
                   AnalysisNotes& notes, const std::string& unparsed) const {
    auto result = runner_.analyze(file, lines, doc, matchers);
    if (!result || result->skipped) {
      addTextAttention(out, doc.value(), matchers, "notebook.text",
                       "godwit could not read this cell (" +
                           (result ? std::string("not analyzed") : result.error().message) +
                           "); change it by hand");
      return false;
    }
    const bool broken = result->parseErrors > 0 || runner_.syntaxErrors(doc) > 0;
    if (broken && !unparsed.empty()) {
      notes.parseErrors += 1;
      holdAll(result->findings, unparsed);
    }
    addEmbeddedFindings(out, result->findings);
    return !broken;
  }

  /// The Python cells as one program, so a constant set in one cell is known in the next; when
  /// that does not parse, each cell on its own, and a cell that does not parse is not edited.
  void addPython(FindingCollector& out, const SourceFile& file, const LineIndex& lines,
                 const std::vector<EmbeddedDocument>& cells,
                 std::span<const DatasetMatcher> matchers, AnalysisNotes& notes) const {
    if (cells.empty())
      return;
    const std::string unparsed =
        "the cell does not parse as Python (its IPython magics set aside); change it by hand";
    const EmbeddedDocument program = joinCells(cells);
    auto whole = runner_.analyze(file, lines, program, matchers);
    if (whole && !whole->skipped && whole->parseErrors == 0 &&
        runner_.syntaxErrors(program) == 0) {
      addEmbeddedFindings(out, whole->findings);
      return;
    }
    for (const EmbeddedDocument& cell : cells)
      addDocument(out, file, lines, cell, matchers, notes, unparsed);
  }

  EmbeddedRunner runner_;
};

} // namespace

Expected<std::unique_ptr<Analyzer>> makeNotebookAnalyzer(const std::vector<const Rule*>& rules) {
  if (!rules.empty())
    return makeError("rule packs do not apply to notebooks (rule " + rules.front()->id + ")",
                     "write the rule for Python: notebook code cells get the Python rules");
  return std::unique_ptr<Analyzer>(std::make_unique<NotebookAnalyzer>());
}

} // namespace godwit
