#include "analyzers/dataform/Dataform.h"

#include "analyzers/Embedded.h"
#include "analyzers/ValueFindings.h"
#include "analyzers/sql/Sql.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <sstream>

namespace godwit {
namespace {

constexpr size_t npos = std::string_view::npos;

bool nameByte(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '$';
}

bool blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// One past the JavaScript comment at `at`, or `at` when there is none there; npos for a block
// comment that does not close.
size_t jsCommentEnd(std::string_view text, size_t at) {
  if (at + 1 >= text.size() || text[at] != '/')
    return at;
  if (text[at + 1] == '/') {
    const size_t nl = text.find('\n', at);
    return nl == npos ? text.size() : nl;
  }
  if (text[at + 1] == '*') {
    const size_t close = text.find("*/", at + 2);
    return close == npos ? npos : close + 2;
  }
  return at;
}

size_t templateEnd(std::string_view text, size_t at);

// One past the `'…'` or `"…"` string at `at`; npos when the line or text ends first.
size_t quotedEnd(std::string_view text, size_t at) {
  const char q = text[at];
  for (size_t i = at + 1; i < text.size(); ++i) {
    if (text[i] == '\\')
      ++i;
    else if (text[i] == q)
      return i + 1;
    else if (text[i] == '\n')
      return npos;
  }
  return npos;
}

// One past the JavaScript bracket that closes the one at `at - 1` (`closer`); npos when none.
size_t jsClose(std::string_view text, size_t at, char closer) {
  std::string open(1, closer);
  for (size_t i = at; i < text.size();) {
    const char c = text[i];
    if (c == '/') {
      const size_t e = jsCommentEnd(text, i);
      if (e == npos)
        return npos;
      if (e != i) {
        i = e;
        continue;
      }
    }
    if (c == '\'' || c == '"' || c == '`') {
      const size_t e = c == '`' ? templateEnd(text, i) : quotedEnd(text, i);
      if (e == npos)
        return npos;
      i = e;
      continue;
    }
    if (c == '(' || c == '[' || c == '{')
      open.push_back(c == '(' ? ')' : c == '[' ? ']' : '}');
    else if (c == ')' || c == ']' || c == '}') {
      if (c != open.back())
        return npos;
      open.pop_back();
      if (open.empty())
        return i + 1;
    }
    ++i;
  }
  return npos;
}

// One past the template literal at `at`, whose `${…}` may hold any JavaScript; npos when open.
size_t templateEnd(std::string_view text, size_t at) {
  for (size_t i = at + 1; i < text.size(); ++i) {
    if (text[i] == '\\')
      ++i;
    else if (text[i] == '`')
      return i + 1;
    else if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '{') {
      const size_t e = jsClose(text, i + 2, '}');
      if (e == npos)
        return npos;
      i = e - 1;
    }
  }
  return npos;
}

// One past the SQL string, quoted name or comment at `at`, or `at` when there is none there;
// npos when it does not close. A `${…}` inside is still JavaScript: Dataform writes the SQL
// into a template literal, so its `}` never closes a block.
size_t sqlSkip(std::string_view text, size_t at) {
  const char c = text[at];
  if (c == '-' && at + 1 < text.size() && text[at + 1] == '-') {
    const size_t nl = text.find('\n', at);
    return nl == npos ? text.size() : nl;
  }
  if (c == '/' && at + 1 < text.size() && text[at + 1] == '*') {
    const size_t close = text.find("*/", at + 2);
    return close == npos ? npos : close + 2;
  }
  if (c != '\'' && c != '"' && c != '`')
    return at;
  const bool triple = c != '`' && text.substr(at, 3) == std::string(3, c);
  for (size_t i = at + (triple ? 3 : 1); i < text.size(); ++i) {
    if (text[i] == '\\' && c != '`')
      ++i;
    else if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '{') {
      const size_t e = sqlxHoleEnd(text, i);
      if (e == npos)
        return npos;
      i = e - 1;
    } else if (text[i] == c && (!triple || text.substr(i, 3) == std::string(3, c)))
      return i + (triple ? 3 : 1);
  }
  return npos;
}

size_t skipBlanks(std::string_view text, size_t at) {
  while (at < text.size() && blank(text[at]))
    ++at;
  return at;
}

// One past the `}` that closes a SQL block whose `{` ends before `at`; npos when none does.
size_t sqlClose(std::string_view text, size_t at) {
  int depth = 1;
  for (size_t i = at; i < text.size();) {
    if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '{') {
      const size_t e = sqlxHoleEnd(text, i);
      if (e == npos)
        return npos;
      i = e;
      continue;
    }
    const size_t e = sqlSkip(text, i);
    if (e == npos)
      return npos;
    if (e != i) {
      i = e;
      continue;
    }
    if (text[i] == '{')
      ++depth;
    else if (text[i] == '}' && --depth == 0)
      return i + 1;
    ++i;
  }
  return npos;
}

// The block that starts with the keyword at `at`, if one does (`config {`, `js {`,
// `pre_operations {`, `post_operations {`, `input "name" {`): its kind and the byte after `{`.
std::optional<std::pair<SqlxBlock::Kind, size_t>> blockAt(std::string_view text, size_t at) {
  if (at > 0 && nameByte(text[at - 1]))
    return std::nullopt;
  static const std::pair<std::string_view, SqlxBlock::Kind> kWords[] = {
      {"config", SqlxBlock::Kind::Config},
      {"js", SqlxBlock::Kind::Js},
      {"pre_operations", SqlxBlock::Kind::PreOperations},
      {"post_operations", SqlxBlock::Kind::PostOperations},
      {"input", SqlxBlock::Kind::Input},
  };
  for (const auto& [word, kind] : kWords) {
    if (text.substr(at, word.size()) != word)
      continue;
    size_t i = at + word.size();
    if (i < text.size() && nameByte(text[i]))
      return std::nullopt;
    i = skipBlanks(text, i);
    if (kind == SqlxBlock::Kind::Input) {
      if (i >= text.size() || (text[i] != '"' && text[i] != '\''))
        return std::nullopt;
      const size_t e = quotedEnd(text, i);
      if (e == npos)
        return std::nullopt;
      i = skipBlanks(text, e);
    }
    if (i < text.size() && text[i] == '{')
      return std::make_pair(kind, i + 1);
    return std::nullopt;
  }
  return std::nullopt;
}

std::string_view kindName(SqlxBlock::Kind kind) {
  switch (kind) {
  case SqlxBlock::Kind::Config:
    return "config";
  case SqlxBlock::Kind::PreOperations:
    return "pre_operations";
  case SqlxBlock::Kind::PostOperations:
    return "post_operations";
  case SqlxBlock::Kind::Input:
    return "input";
  case SqlxBlock::Kind::Js:
    return "js";
  }
  return "config";
}

// Skips blanks and JavaScript comments.
size_t skipJsSpace(std::string_view text, size_t at, size_t end) {
  for (;;) {
    at = skipBlanks(text.substr(0, end), at);
    const size_t e = jsCommentEnd(text.substr(0, end), at);
    if (e == at || e == npos)
      return e == npos ? end : at;
    at = e;
  }
}

// The string literal at source bytes [begin, end) (quotes included) decoded; an escape other
// than the simple ones is a hole.
DecodedString decodeJsString(std::string_view text, uint32_t begin, uint32_t end) {
  DecodedString d;
  LiteralStyle style;
  style.quote = text[begin];
  if (style.quote == '`')
    style.holeIntro = '$';
  d.beginPiece(begin + 1, end - 1, style);
  for (uint32_t i = begin + 1; i + 1 < end;) {
    const char c = text[i];
    if (c == '\\' && i + 2 < end) {
      static const std::string_view kFrom = "nrt\\'\"`0", kTo = "\n\r\t\\'\"`";
      const char e = text[i + 1];
      const size_t k = kFrom.find(e);
      if (e == '\n')
        ; // a line continuation adds nothing
      else if (k != npos && k < kTo.size())
        d.push(kTo[k], i, i + 2);
      else
        d.pushHole(i, i + 2);
      i += 2;
      continue;
    }
    if (style.quote == '`' && c == '$' && i + 1 < end && text[i + 1] == '{') {
      const size_t e = jsClose(text, i + 2, '}');
      const uint32_t stop = e == npos || e > end - 1 ? end - 1 : static_cast<uint32_t>(e);
      d.pushHole(i, stop);
      i = stop;
      continue;
    }
    d.push(c, i, i + 1);
    ++i;
  }
  return d;
}

} // namespace

size_t sqlxHoleEnd(std::string_view text, size_t at) { return jsClose(text, at + 2, '}'); }

SqlxParts splitSqlx(std::string_view text) {
  SqlxParts parts;
  size_t segment = 0;
  for (size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c == '$' && i + 1 < text.size() && text[i + 1] == '{') {
      const size_t e = sqlxHoleEnd(text, i);
      i = e == npos ? text.size() : e;
      continue;
    }
    const size_t skipped = sqlSkip(text, i);
    if (skipped != i) {
      i = skipped == npos ? text.size() : skipped;
      continue;
    }
    const auto block = nameByte(c) ? blockAt(text, i) : std::nullopt;
    if (!block) {
      ++i;
      continue;
    }
    SqlxBlock b;
    b.kind = block->first;
    b.begin = static_cast<uint32_t>(i);
    b.bodyBegin = static_cast<uint32_t>(block->second);
    const bool js = b.kind == SqlxBlock::Kind::Config || b.kind == SqlxBlock::Kind::Js;
    const size_t close = js ? jsClose(text, block->second, '}') : sqlClose(text, block->second);
    b.closed = close != npos;
    b.end = static_cast<uint32_t>(b.closed ? close : text.size());
    b.bodyEnd = b.closed ? b.end - 1 : b.end;
    if (segment < b.begin)
      parts.body.emplace_back(static_cast<uint32_t>(segment), b.begin);
    parts.blocks.push_back(b);
    segment = i = b.end;
  }
  if (segment < text.size())
    parts.body.emplace_back(static_cast<uint32_t>(segment), static_cast<uint32_t>(text.size()));
  return parts;
}

std::vector<ConfigEntry> configEntries(std::string_view text, uint32_t begin, uint32_t end) {
  std::vector<ConfigEntry> entries;
  const std::string_view within = text.substr(0, end);
  size_t i = begin;
  while (i < end) {
    i = skipJsSpace(text, i, end);
    if (i >= end)
      break;
    ConfigEntry entry;
    entry.keyBegin = static_cast<uint32_t>(i);
    if (text[i] == '"' || text[i] == '\'') {
      const size_t e = quotedEnd(within, i);
      if (e == npos)
        break;
      entry.key = std::string(text.substr(i + 1, e - i - 2));
      i = e;
    } else {
      while (i < end && nameByte(text[i]))
        entry.key += text[i++];
    }
    i = skipJsSpace(text, i, end);
    const bool hasValue = i < end && text[i] == ':';
    if (hasValue)
      i = skipJsSpace(text, i + 1, end);
    // The value runs to the next comma outside brackets, strings and comments.
    const size_t valueBegin = i;
    size_t lastEnd = i;
    size_t tokens = 0;
    bool oneString = false;
    while (i < end && text[i] != ',') {
      const char c = text[i];
      size_t e = i + 1;
      if (c == '/' && jsCommentEnd(within, i) != i) {
        e = jsCommentEnd(within, i);
        i = e == npos ? end : e;
        continue;
      }
      if (c == '\'' || c == '"')
        e = quotedEnd(within, i);
      else if (c == '`')
        e = templateEnd(within, i);
      else if (c == '(' || c == '[' || c == '{')
        e = jsClose(within, i + 1, c == '(' ? ')' : c == '[' ? ']' : '}');
      else if (blank(c)) {
        ++i;
        continue;
      }
      if (e == npos)
        e = end;
      oneString = tokens == 0 && (c == '\'' || c == '"' || c == '`');
      ++tokens;
      i = lastEnd = e;
    }
    if (!entry.key.empty() && hasValue) {
      entry.valueBegin = static_cast<uint32_t>(valueBegin);
      entry.valueEnd = static_cast<uint32_t>(lastEnd);
      if (oneString && tokens == 1 && lastEnd - valueBegin >= 2)
        entry.string = decodeJsString(text, entry.valueBegin, entry.valueEnd);
      entries.push_back(std::move(entry));
    } else if (entry.key.empty() && i == valueBegin && i < end && text[i] != ',') {
      ++i; // a byte no entry starts with: step over it
    }
    if (i < end && text[i] == ',')
      ++i;
  }
  return entries;
}

namespace {

const ConfigEntry* entryNamed(const std::vector<ConfigEntry>& entries, std::string_view key) {
  for (const ConfigEntry& e : entries)
    if (e.key == key)
      return &e;
  return nullptr;
}

std::string trimmedValue(std::string v) {
  while (!v.empty() && blank(v.back()))
    v.pop_back();
  size_t b = 0;
  while (b < v.size() && blank(v[b]))
    ++b;
  v.erase(0, b);
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front())
    v = v.substr(1, v.size() - 2);
  return v;
}

// The defaults of the Dataform project a file belongs to: the first folder above it that holds
// workflow_settings.yaml (defaultProject, defaultDataset) or dataform.json (defaultDatabase,
// defaultSchema); empty values when none says.
struct ProjectDefaults {
  std::string file; ///< The settings file, relative to the root; empty when none was found.
  std::string project;
  std::string dataset;
};

// A settings file's text; nullopt when there is none, or it is a symbolic link (never followed).
std::optional<std::string> readWhole(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(std::filesystem::symlink_status(path, ec)))
    return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string yamlValue(std::string_view text, std::string_view key) {
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with(key) || line.size() <= key.size() || line[key.size()] != ':')
      continue;
    std::string v = line.substr(key.size() + 1);
    if (const size_t hash = v.find(" #"); hash != std::string::npos)
      v.erase(hash);
    return trimmedValue(v);
  }
  return {};
}

std::string jsonValue(std::string_view text, std::string_view key) {
  const std::string quoted = "\"" + std::string(key) + "\"";
  size_t at = text.find(quoted);
  if (at == npos)
    return {};
  at = skipBlanks(text, at + quoted.size());
  if (at >= text.size() || text[at] != ':')
    return {};
  at = skipBlanks(text, at + 1);
  if (at >= text.size() || text[at] != '"')
    return {};
  const size_t e = text.find('"', at + 1);
  return e == npos ? std::string() : std::string(text.substr(at + 1, e - at - 1));
}

ProjectDefaults projectDefaults(const std::filesystem::path& root, std::string_view path) {
  ProjectDefaults d;
  if (root.empty())
    return d;
  std::string dir(path);
  for (;;) {
    const size_t slash = dir.rfind('/');
    dir = slash == std::string::npos ? std::string() : dir.substr(0, slash);
    const std::string prefix = dir.empty() ? std::string() : dir + "/";
    if (const auto yaml = readWhole(root / (prefix + "workflow_settings.yaml"))) {
      d.file = prefix + "workflow_settings.yaml";
      d.project = yamlValue(*yaml, "defaultProject");
      d.dataset = yamlValue(*yaml, "defaultDataset");
      return d;
    }
    if (const auto json = readWhole(root / (prefix + "dataform.json"))) {
      d.file = prefix + "dataform.json";
      d.project = jsonValue(*json, "defaultDatabase");
      d.dataset = jsonValue(*json, "defaultSchema");
      return d;
    }
    if (dir.empty())
      return d;
  }
}

std::vector<std::string> nameParts(std::string_view name) {
  std::vector<std::string> parts(1);
  for (const char c : name) {
    if (c == '.' || c == ':')
      parts.emplace_back();
    else
      parts.back() += c;
  }
  return parts;
}

// The string arguments of `ref(…)`/`resolve(…)` in a hole's expression: positional (name;
// schema, name; database, schema, name) or one object ({database, schema, name}), as the parts
// {project, dataset, table} they give; nullopt when it is no such call or an argument is not a
// plain string.
std::optional<std::map<std::string, std::string>> refParts(std::string_view expr) {
  size_t i = skipBlanks(expr, 0);
  std::string_view rest = expr.substr(i);
  size_t word = 0;
  if (rest.starts_with("ref"))
    word = 3;
  else if (rest.starts_with("resolve"))
    word = 7;
  else
    return std::nullopt;
  i = skipBlanks(expr, i + word);
  if (i >= expr.size() || expr[i] != '(')
    return std::nullopt;
  const size_t close = jsClose(expr, i + 1, ')');
  if (close == npos || skipBlanks(expr, close) != expr.size())
    return std::nullopt;
  const size_t argsBegin = skipBlanks(expr, i + 1);
  std::map<std::string, std::string> parts;
  if (argsBegin < expr.size() && expr[argsBegin] == '{') {
    const size_t objEnd = jsClose(expr, argsBegin + 1, '}');
    if (objEnd == npos)
      return std::nullopt;
    for (const ConfigEntry& e :
         configEntries(expr, static_cast<uint32_t>(argsBegin + 1), static_cast<uint32_t>(objEnd - 1))) {
      if (!e.string || e.string->hasHoles())
        return std::nullopt;
      const std::string part = e.key == "name" ? "table" : e.key == "schema" ? "dataset"
                               : e.key == "database" ? "project" : "";
      if (!part.empty())
        parts[part] = e.string->value;
    }
    return parts.count("table") ? std::optional(parts) : std::nullopt;
  }
  std::vector<std::string> args;
  // Positional arguments: plain strings separated by commas.
  size_t at = argsBegin;
  while (at < close - 1) {
    at = skipBlanks(expr, at);
    if (at >= close - 1)
      break;
    if (expr[at] != '"' && expr[at] != '\'' && expr[at] != '`')
      return std::nullopt;
    const size_t e = expr[at] == '`' ? templateEnd(expr, at) : quotedEnd(expr, at);
    if (e == npos)
      return std::nullopt;
    const DecodedString s = decodeJsString(expr, static_cast<uint32_t>(at), static_cast<uint32_t>(e));
    if (s.hasHoles())
      return std::nullopt;
    args.push_back(s.value);
    at = skipBlanks(expr, e);
    if (at < close - 1 && expr[at] == ',')
      ++at;
    else if (at < close - 1)
      return std::nullopt;
  }
  static const char* const kNames[] = {"project", "dataset", "table"};
  if (args.empty() || args.size() > 3)
    return std::nullopt;
  for (size_t k = 0; k < args.size(); ++k)
    parts[kNames[3 - args.size() + k]] = args[k];
  return parts;
}

std::string_view part(std::string_view text, uint32_t begin, uint32_t end) {
  return text.substr(begin, end - begin);
}

std::string baseName(std::string_view path) {
  const size_t slash = path.rfind('/');
  std::string_view base = path.substr(slash == npos ? 0 : slash + 1);
  if (base.ends_with(".sqlx"))
    base.remove_suffix(5);
  return std::string(base);
}

class DataformAnalyzer final : public Analyzer {
public:
  explicit DataformAnalyzer(std::filesystem::path root) : root_(std::move(root)) {}

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
    const SqlxParts parts = splitSqlx(file.text);
    const LineIndex lines(file.text);
    FindingCollector out(file);
    for (const SqlxBlock& block : parts.blocks) {
      const std::string name(kindName(block.kind));
      if (!block.closed) {
        const auto [line, column] = lines.position(block.begin);
        notes.notes.push_back(Error{"the " + name + " block is not closed; its text is read as "
                                    "attention only",
                                    file.path, line, column,
                                    "close it with `}`; strings and comments inside are skipped"});
        ++notes.parseErrors;
        addTextAttention(out, hostText(file.text, block.begin, block.end), matchers,
                         "dataform." + name,
                         "the " + name + " block is not closed; check it by hand");
        continue;
      }
      switch (block.kind) {
      case SqlxBlock::Kind::Config:
        addConfig(out, file, block, matchers);
        break;
      case SqlxBlock::Kind::Js:
        addTextAttention(out, hostText(file.text, block.bodyBegin, block.bodyEnd), matchers,
                         "dataform.js",
                         "a js block is JavaScript, which godwit does not read; check it by hand");
        break;
      default:
        addSql(out, file.text, {{block.bodyBegin, block.bodyEnd}}, matchers, "dataform." + name);
        break;
      }
    }
    addSql(out, file.text, parts.body, matchers, "dataform.sql");
    std::vector<Finding>& found = out.findings();
    std::stable_sort(found.begin(), found.end(),
                     [](const Finding& a, const Finding& b) { return a.offset < b.offset; });
    return std::move(found);
  }

  int syntaxErrors(std::string_view text) const override {
    const SqlxParts parts = splitSqlx(text);
    int errors = 0;
    for (const SqlxBlock& block : parts.blocks) {
      if (!block.closed)
        ++errors;
      else if (block.kind != SqlxBlock::Kind::Config && block.kind != SqlxBlock::Kind::Js)
        errors += sqlSyntaxErrors(sqlText(text, {{block.bodyBegin, block.bodyEnd}}).value);
    }
    errors += sqlSyntaxErrors(sqlText(text, parts.body).value);
    return errors;
  }

private:
  // Host ranges of SQL as one value: the bytes between ranges (blocks) are one blank, every
  // `${…}` a hole, and ref/resolve calls are collected with their host range.
  struct Ref {
    uint32_t begin, end;
    std::map<std::string, std::string> parts;
  };
  static DecodedString sqlText(std::string_view text,
                               const std::vector<std::pair<uint32_t, uint32_t>>& ranges,
                               std::vector<Ref>* refs = nullptr) {
    DecodedString d;
    if (ranges.empty())
      return d;
    LiteralStyle verbatim;
    verbatim.quote = '\0';
    verbatim.triple = true;
    verbatim.raw = true;
    d.beginPiece(ranges.front().first, ranges.back().second, verbatim);
    uint32_t previous = ranges.front().first;
    for (const auto& [b, e] : ranges) {
      if (b > previous)
        d.push(' ', previous, b);
      for (uint32_t i = b; i < e;) {
        if (text[i] == '$' && i + 1 < e && text[i + 1] == '{') {
          const size_t close = sqlxHoleEnd(text.substr(0, e), i);
          const uint32_t stop = close == npos ? e : static_cast<uint32_t>(close);
          d.pushHole(i, stop);
          if (refs && close != npos)
            if (auto parts = refParts(text.substr(i + 2, stop - 1 - (i + 2))))
              refs->push_back(Ref{i, stop, std::move(*parts)});
          i = stop;
          continue;
        }
        d.push(text[i], i, i + 1);
        ++i;
      }
      previous = e;
    }
    return d;
  }

  static void addSql(FindingCollector& out, std::string_view text,
                     const std::vector<std::pair<uint32_t, uint32_t>>& ranges,
                     std::span<const DatasetMatcher> matchers, const std::string& context) {
    std::vector<Ref> refs;
    const DecodedString value = sqlText(text, ranges, &refs);
    if (value.value.empty())
      return;
    const size_t first = out.findings().size();
    const ContextFor noContext = [](uint32_t, uint32_t, Finding&) {};
    addValueFindings(out, value, ranges.front().first, ranges.back().second, matchers, noContext,
                     {}, ValueSyntax::Sql);
    for (size_t i = first; i < out.findings().size(); ++i)
      if (out.findings()[i].context.empty())
        out.findings()[i].context = context;
    for (const Ref& ref : refs)
      addRef(out, ref, matchers);
  }

  // A ref that names a migrated table by a part the migration changes no longer resolves once
  // the table's declaration moves: attention. One that names only parts that stay follows the
  // declaration and needs nothing.
  static void addRef(FindingCollector& out, const Ref& ref,
                     std::span<const DatasetMatcher> matchers) {
    for (const DatasetMatcher& m : matchers) {
      const DatasetKind kind = m.spec().kind;
      if (kind != DatasetKind::BigQueryTable && kind != DatasetKind::BigQueryDataset)
        continue;
      const std::vector<std::string> from = nameParts(m.spec().from), to = nameParts(m.spec().to);
      const std::vector<std::string> names = m.partNames();
      if (from.size() != names.size() || to.size() != names.size())
        continue;
      // A dataset migration: the ref's schema is the dataset; its name is no part of it.
      const size_t offset = kind == DatasetKind::BigQueryDataset ? 1 : 0;
      bool equal = true, changes = false, any = false;
      for (const auto& [part, value] : ref.parts) {
        const auto at = std::find(names.begin(), names.end(), part);
        if (at == names.end()) {
          if (offset == 0 || part != "table")
            equal = false;
          continue;
        }
        const size_t k = static_cast<size_t>(at - names.begin());
        equal = equal && value == from[k];
        changes = changes || from[k] != to[k];
        any = true;
      }
      if (!equal || !any || !changes)
        continue;
      Finding f;
      f.kind = kind;
      f.dataset = m.spec().from;
      f.context = "dataform.ref";
      f.action = Action::Attention;
      for (const char* part : {"project", "dataset", "table"})
        if (auto it = ref.parts.find(part); it != ref.parts.end())
          f.found += (f.found.empty() ? "" : ".") + it->second;
      f.reason = "the ref names the table by a part the migration changes; it resolves only while "
                 "a declaration or model still has the old name: change it with the declaration";
      out.add(std::move(f), ref.begin, ref.end);
    }
  }

  void addConfig(FindingCollector& out, const SourceFile& file, const SqlxBlock& block,
                 std::span<const DatasetMatcher> matchers) const {
    const std::vector<ConfigEntry> entries =
        configEntries(file.text, block.bodyBegin, block.bodyEnd);
    const ConfigEntry* type = entryNamed(entries, "type");
    const std::string typeName =
        type && type->string && !type->string->hasHoles() ? type->string->value : "";
    const bool declaration = typeName == "declaration";
    // Operations without `hasOutput: true` and tests name no table: only their SQL is read.
    const ConfigEntry* hasOutput = entryNamed(entries, "hasOutput");
    const bool namesTable =
        !(typeName == "operations" &&
          !(hasOutput && part(file.text, hasOutput->valueBegin, hasOutput->valueEnd) == "true")) &&
        typeName != "test";
    const std::pair<const char*, const char*> keys[] = {
        {"project", "database"}, {"dataset", "schema"}, {"table", "name"}};
    std::optional<ProjectDefaults> defaults;
    for (const DatasetMatcher& matcher : matchers) {
      const std::vector<std::string> names = matcher.partNames();
      if (names.empty() || !namesTable)
        continue;
      std::map<std::string, std::optional<std::string>> parts;
      std::map<std::string, const ConfigEntry*> given;
      std::map<std::string, std::string> implied; // part -> where its value comes from
      uint32_t b = UINT32_MAX, e = 0;
      for (const auto& [part, key] : keys) {
        if (std::find(names.begin(), names.end(), part) == names.end())
          continue;
        const ConfigEntry* entry = entryNamed(entries, key);
        if (entry) {
          given[part] = entry;
          b = std::min(b, entry->valueBegin);
          e = std::max(e, entry->valueEnd);
          if (entry->string && !entry->string->hasHoles())
            parts[part] = entry->string->value;
          else
            parts[part] = std::nullopt;
          continue;
        }
        if (std::string_view(part) == "table") {
          parts[part] = baseName(file.path);
          implied[part] = "the file name";
          continue;
        }
        if (!defaults)
          defaults = projectDefaults(root_, file.path);
        const std::string& value =
            std::string_view(part) == "project" ? defaults->project : defaults->dataset;
        if (!value.empty()) {
          parts[part] = value;
          implied[part] = defaults->file;
        }
      }
      if (b == UINT32_MAX) {
        b = block.begin;
        e = block.bodyBegin;
      }
      const PartsMatch pm = matcher.matchParts(parts);
      if (pm.status == PartsMatch::Status::None)
        continue;
      Finding f;
      f.kind = matcher.spec().kind;
      f.dataset = matcher.spec().from;
      f.context = declaration ? "dataform.declaration" : "dataform.config";
      for (const std::string& part : names) {
        auto it = parts.find(part);
        const std::string shown = it == parts.end() ? "?" : it->second.value_or("${…}");
        f.found += (f.found.empty() ? "" : ".") + shown;
        auto nv = pm.newValues.find(part);
        f.replacement += (f.replacement.empty() ? "" : ".") +
                         (nv != pm.newValues.end() ? nv->second : shown);
      }
      f.action = Action::Attention;
      if (!declaration) {
        f.reason = "the config creates this table (type: " +
                   (typeName.empty() ? std::string("?") : typeName) +
                   "); renaming a model's output changes what it produces: change it with the "
                   "table's owners";
      } else if (pm.status == PartsMatch::Status::Attention) {
        f.reason = pm.reason;
        if (parts.find("project") == parts.end())
          f.reason += " (no database in the config, and no defaultProject or defaultDatabase "
                      "in workflow_settings.yaml or dataform.json)";
      } else {
        std::string fromElsewhere, keysToAdd;
        for (const auto& [part, key] : keys)
          if (auto it = implied.find(part); it != implied.end() && pm.newValues.count(part)) {
            fromElsewhere += (fromElsewhere.empty() ? "" : ", ") + std::string(key) + " (" +
                             it->second + ")";
            keysToAdd += (keysToAdd.empty() ? "`" : ", `") + std::string(key) + ":`";
          }
        if (!fromElsewhere.empty()) {
          f.reason = "the declaration takes its " + fromElsewhere +
                     " from outside the config; add " + keysToAdd + " with the new value";
        } else {
          // The finding is where its edits are, so `godwit:ignore` above a changed value works.
          f.action = Action::Rewrite;
          b = UINT32_MAX;
          e = 0;
          for (const auto& [part, text] : pm.newValues) {
            const ConfigEntry& entry = *given.at(part);
            b = std::min(b, entry.valueBegin);
            e = std::max(e, entry.valueEnd);
            const auto d = std::make_shared<const DecodedString>(*entry.string);
            f.changes.push_back(ValueEdit{d, 0, d->value.size(), text});
          }
          holdBackWithoutColumns(f, matcher.spec());
        }
      }
      if (f.action == Action::Attention)
        f.replacement.clear();
      out.add(std::move(f), b, e);
    }
    // Other values (descriptions, assertions, nested options) are read as text only; the
    // reason says where, since a partial name there is prose more often than a reference.
    for (const ConfigEntry& entry : entries) {
      if (entry.key == "type" || entry.key == "database" || entry.key == "schema" ||
          entry.key == "name")
        continue;
      const size_t first = out.findings().size();
      addTextAttention(out, hostText(file.text, entry.valueBegin, entry.valueEnd), matchers,
                       "dataform.config-value", "");
      for (size_t i = first; i < out.findings().size(); ++i) {
        Finding& f = out.findings()[i];
        f.reason = "the config's `" + entry.key + "` names it" +
                   (f.reason.empty() ? std::string() : " (" + f.reason + ")") +
                   "; godwit edits only database, schema and name: check it by hand";
      }
    }
  }

  std::filesystem::path root_;
};

} // namespace

bool dataformWantsFile(std::string_view path, std::span<const DatasetMatcher> matchers) {
  if (!path.ends_with(".sqlx"))
    return false;
  const std::string base = baseName(path);
  return std::any_of(matchers.begin(), matchers.end(), [&](const DatasetMatcher& m) {
    if (m.spec().kind != DatasetKind::BigQueryTable)
      return false;
    const std::vector<std::string> from = nameParts(m.spec().from);
    return from.size() == 3 && from.back() == base;
  });
}

Expected<std::unique_ptr<Analyzer>> makeDataformAnalyzer(const std::vector<const Rule*>& rules,
                                                         const AnalyzerContext& context) {
  if (!rules.empty())
    return makeError("rule packs do not apply to Dataform (rule " + rules.front()->id + ")",
                     "Dataform's SQL and config are read without rules");
  return std::unique_ptr<Analyzer>(std::make_unique<DataformAnalyzer>(context.root));
}

} // namespace godwit
