#include "analyzers/lookml/Lookml.h"

#include "analyzers/ValueFindings.h"
#include "analyzers/sql/Sql.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace godwit {
namespace {

bool nameByte(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

uint32_t lineEnd(std::string_view text, uint32_t at) {
  const size_t nl = text.find('\n', at);
  return nl == std::string_view::npos ? static_cast<uint32_t>(text.size())
                                      : static_cast<uint32_t>(nl);
}

// Keys whose value runs to `;;`.
bool blockKey(std::string_view key) {
  return key.starts_with("sql") || key == "html" || key == "expression";
}

// The name at `at` followed by blanks and `:`, or empty.
std::string_view keyAt(std::string_view text, uint32_t at, uint32_t* colon = nullptr) {
  uint32_t j = at;
  while (j < text.size() && nameByte(text[j]))
    ++j;
  uint32_t k = j;
  while (k < text.size() && (text[k] == ' ' || text[k] == '\t'))
    ++k;
  if (j == at || k >= text.size() || text[k] != ':')
    return {};
  if (colon)
    *colon = k;
  return text.substr(at, j - at);
}

// A line that starts a LookML key or closes a block: an unterminated block ends before it.
bool startsLookmlLine(std::string_view text, uint32_t at) {
  while (at < text.size() && (text[at] == ' ' || text[at] == '\t'))
    ++at;
  if (at < text.size() && text[at] == '}')
    return true;
  const std::string_view key = keyAt(text, at);
  static constexpr std::array<std::string_view, 32> kKeys = {
      "view",          "explore",      "join",           "dimension",     "dimension_group",
      "measure",       "filter",       "parameter",      "derived_table", "type",
      "label",         "description",  "hidden",         "primary_key",   "timeframes",
      "include",       "connection",   "datagroup",      "persist_for",   "datagroup_trigger",
      "drill_fields",  "group_label",  "relationship",   "from",          "view_name",
      "extends",       "set",          "fields",         "value_format_name", "explore_source",
      "html",          "expression"};
  return !key.empty() &&
         (key.starts_with("sql") || std::find(kKeys.begin(), kKeys.end(), key) != kKeys.end());
}

// Where the quote at `at` closes on its own line (past it), or `at + 1` when it does not.
uint32_t skipQuoted(std::string_view text, uint32_t at) {
  const char q = text[at];
  const uint32_t stop = lineEnd(text, at);
  for (uint32_t p = at + 1; p < stop; ++p) {
    if (text[p] == '\\') {
      ++p;
      continue;
    }
    if (text[p] == q)
      return p + 1;
  }
  return at + 1;
}

// Ends `block`, whose value starts at block.begin: at `;;`, or unterminated before the next
// line that starts a LookML key.
void scanBlock(std::string_view text, LookmlBlock& block) {
  const uint32_t size = static_cast<uint32_t>(text.size());
  for (uint32_t p = block.begin; p < size;) {
    const char c = text[p];
    if (c == ';' && p + 1 < size && text[p + 1] == ';') {
      block.end = p;
      block.terminated = true;
      return;
    }
    if (c == '\'' || c == '"' || c == '`') {
      p = skipQuoted(text, p);
      continue;
    }
    ++p;
    if (c == '\n' && startsLookmlLine(text, p)) {
      block.end = p;
      return;
    }
  }
  block.end = size;
}

// A LookML `"…"` string from `at`: past its closing quote, or the end of the text.
uint32_t stringEnd(std::string_view text, uint32_t at) {
  for (uint32_t p = at + 1; p < text.size(); ++p) {
    if (text[p] == '\\')
      ++p;
    else if (text[p] == '"')
      return p + 1;
  }
  return static_cast<uint32_t>(text.size());
}

// SQL that names tables (a view's table, a derived table's query), not an expression over the
// view's fields.
bool namesTables(const LookmlBlock& block) {
  return block.key == "sql_table_name" || block.key == "sql_trigger_value" ||
         block.key == "sql_trigger" || block.key == "sql_preamble" ||
         block.parent == "derived_table" || block.parent == "create_process";
}

// The SQL document of `block`. A LookML constant `@{NAME}` reads as the template hole `${NAME}`.
// In an expression over fields, a substitution (`${TABLE}`, `${view.field}`) names a table or
// field of the model, never a dataset: it reads as a name godwit puts there, so
// `${TABLE}.user_profile_v1` is a column.
void sqlDocument(std::string_view text, LookmlBlock& block) {
  const bool fields = !namesTables(block);
  for (uint32_t i = block.begin; i < block.end;) {
    if (i + 1 < block.end && text[i + 1] == '{' && (text[i] == '@' || (fields && text[i] == '$'))) {
      const size_t close = text.find('}', i + 2);
      if (close != std::string_view::npos && close < block.end) {
        const uint32_t end = static_cast<uint32_t>(close + 1);
        if (text[i] == '@') {
          block.doc.push('$', i, i + 1);
          block.doc.copy(text, i + 1, end);
        } else {
          block.doc.synthesize("lookml_field", i);
        }
        i = end;
        continue;
      }
    }
    block.doc.push(text[i], i, i + 1);
    ++i;
  }
}

const char* const kText = "LookML strings and comments are never edited; update the text by hand";

class LookmlAnalyzer final : public Analyzer {
public:
  Expected<std::vector<Finding>> analyze(const SourceFile& file,
                                         std::span<const DatasetMatcher> matchers) const override {
    AnalysisNotes notes;
    return analyzeFile(file, matchers, notes);
  }

  Expected<std::vector<Finding>> analyzeFile(const SourceFile& file,
                                             std::span<const DatasetMatcher> matchers,
                                             AnalysisNotes& notes) const override {
    if (file.text.size() >= UINT32_MAX)
      return Error{"the file is too large to analyze", file.path, 1, 1,
                   "exclude it with --exclude"};
    const LookmlParts parts = splitLookml(file.text);
    const LineIndex lines(file.text);
    FindingCollector out(file);
    for (const LookmlBlock& block : parts.blocks) {
      if (!block.terminated) {
        const auto [line, column] = lines.position(block.keyAt);
        const int last = lines.position(block.end > block.begin ? block.end - 1 : block.end).first;
        notes.notes.push_back(Error{"the `" + block.key + ":` block has no closing `;;`; lines " +
                                        std::to_string(line) + "-" + std::to_string(last) +
                                        " are read as text, never edited",
                                    file.path, line, column, "end the block with `;;`"});
      }
      if (hitIn(file.hits, block.begin, block.end))
        addBlock(out, file, lines, block, matchers);
    }
    for (const auto& [b, e] : parts.text)
      addTextAttention(out, hostText(file.text, b, e), matchers, "lookml.text", kText);
    std::vector<Finding>& found = out.findings();
    std::stable_sort(found.begin(), found.end(),
                     [](const Finding& a, const Finding& b) { return a.offset < b.offset; });
    return std::move(found);
  }

  int syntaxErrors(std::string_view text) const override {
    int errors = 0;
    for (const LookmlBlock& block : splitLookml(text).blocks)
      errors += block.terminated ? (block.sql ? runner_.syntaxErrors(block.doc) : 0) : 1;
    return errors;
  }

private:
  void addBlock(FindingCollector& out, const SourceFile& file, const LineIndex& lines,
                const LookmlBlock& block, std::span<const DatasetMatcher> matchers) const {
    const std::string context = "lookml." + block.key;
    const DecodedString value = hostText(file.text, block.begin, block.end);
    if (!block.terminated) {
      addTextAttention(out, value, matchers, context,
                       "the `" + block.key + ":` block has no closing `;;`; check it by hand");
      return;
    }
    if (!block.sql) {
      addTextAttention(out, value, matchers, context,
                       "godwit does not read LookML `" + block.key + ":`; check it by hand");
      return;
    }
    auto result = runner_.analyze(file, lines, block.doc, matchers);
    if (!result || result->skipped) {
      addTextAttention(out, value, matchers, context,
                       "the `" + block.key + ":` block was not analyzed; check it by hand");
      return;
    }
    std::vector<Finding>& found = result->findings;
    if (result->parseErrors > 0 || runner_.syntaxErrors(block.doc) > 0)
      holdAll(found, "the `" + block.key + ":` SQL does not parse; change it by hand");
    for (Finding& f : found) {
      if (block.key == "sql_table_name") {
        f.context = context;
        holdTableWithColumns(f, matchers);
      } else if (f.context.empty() || f.context == "sql.text") {
        f.context = context;
      }
    }
    addEmbeddedFindings(out, found);
  }

  // The view's dimensions name the table's columns (`${TABLE}.country_code`), which godwit
  // does not rewrite: a table whose columns change moves by hand.
  static void holdTableWithColumns(Finding& f, std::span<const DatasetMatcher> matchers) {
    if (f.action != Action::Rewrite)
      return;
    for (const DatasetMatcher& m : matchers) {
      if (m.spec().from != f.dataset)
        continue;
      const std::string columns = columnChangesSummary(m.spec());
      if (!columns.empty()) {
        holdWithReason(f, "the view's fields name the table's columns (" + columns +
                              "), which godwit does not rewrite in LookML; move the view by hand");
        f.replacement.clear();
      }
      return;
    }
  }

  EmbeddedRunner runner_;
};

} // namespace

LookmlParts splitLookml(std::string_view text) {
  LookmlParts parts;
  std::vector<std::string> open; // the key of each enclosing `{`
  std::string lastKey;
  int inList = 0; // `[…]` depth: `filters: [view.field: "x"]` names fields, never blocks
  const uint32_t size = static_cast<uint32_t>(text.size());
  for (uint32_t i = 0; i < size;) {
    const char c = text[i];
    if (c == '#') {
      const uint32_t end = lineEnd(text, i);
      parts.text.emplace_back(i, end);
      i = end;
    } else if (c == '"') {
      const uint32_t end = stringEnd(text, i);
      parts.text.emplace_back(i, end);
      i = end;
    } else if (c == '{') {
      open.push_back(std::move(lastKey));
      lastKey.clear();
      ++i;
    } else if (c == '[' || c == ']') {
      inList = std::max(0, inList + (c == '[' ? 1 : -1));
      ++i;
    } else if (c == '}') {
      if (!open.empty())
        open.pop_back();
      ++i;
    } else if (nameByte(c) && (i == 0 || !nameByte(text[i - 1]))) {
      uint32_t colon = 0;
      const std::string_view key = keyAt(text, i, &colon);
      if (key.empty()) {
        while (i < size && nameByte(text[i]))
          ++i;
        continue;
      }
      lastKey = std::string(key);
      i = colon + 1;
      if (inList > 0 || !blockKey(key))
        continue;
      LookmlBlock block;
      block.key = lastKey;
      block.parent = open.empty() ? std::string() : open.back();
      block.keyAt = static_cast<uint32_t>(key.data() - text.data());
      block.begin = i;
      scanBlock(text, block);
      block.sql = key.starts_with("sql");
      if (block.sql) {
        block.doc.language = "sql";
        sqlDocument(text, block);
      } else {
        block.doc.copy(text, block.begin, block.end);
      }
      i = block.terminated ? block.end + 2 : block.end;
      parts.blocks.push_back(std::move(block));
    } else {
      ++i;
    }
  }
  return parts;
}

Expected<std::unique_ptr<Analyzer>> makeLookmlAnalyzer(const std::vector<const Rule*>& rules) {
  if (!rules.empty())
    return makeError("rule packs do not apply to LookML (rule " + rules.front()->id + ")",
                     "LookML's SQL is analyzed as SQL, which needs no rule");
  return std::unique_ptr<Analyzer>(std::make_unique<LookmlAnalyzer>());
}

} // namespace godwit
