#include "analyzers/dbt/DbtProject.h"

#include "analyzers/TreeSitterAnalyzer.h"
#include "analyzers/ValueFindings.h"
#include "analyzers/sql/SqlAnalyzer.h"
#include "analyzers/Nesting.h"
#include "analyzers/yaml/Yaml.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

namespace godwit {
namespace {

namespace fs = std::filesystem;

// The engine's limits (rewriters/Engine.cpp): a file it would not analyze cannot take an edit.
constexpr size_t kMaxFileBytes = 4u << 20;
constexpr size_t kBinaryProbeBytes = 8u << 10;

// ------------------------------------------------------------------------------------- YAML
// The structure of a dbt `.yml` file, read from the same tree-sitter tree and decoder the YAML
// analyzer uses, so every scalar keeps its exact source range and offset map for edits.

// A mapping's entries are a named struct declared ahead, not std::pair<std::string, YamlNode>:
// clang 14 (`make fuzz`) instantiates that pair while YamlNode is still incomplete.
struct YamlEntry;

struct YamlNode {
  enum class Kind { Null, Scalar, Mapping, Sequence, Alias };
  Kind kind = Kind::Null;
  uint32_t begin = 0; ///< Source bytes of the scalar (quotes included).
  uint32_t end = 0;
  std::shared_ptr<const DecodedString> value; ///< Scalar: the decoded value.
  std::vector<YamlEntry> entries;
  std::vector<YamlNode> items;
  bool merges = false; ///< A mapping with a merge key (`<<`): its keys are not all written here.

  const YamlNode* get(std::string_view key) const;
};

struct YamlEntry {
  std::string key;
  YamlNode value;
};

const YamlNode* YamlNode::get(std::string_view key) const {
  for (const auto& [k, v] : entries)
    if (k == key)
      return &v;
  return nullptr;
}

bool isType(TSNode node, const char* type) {
  return std::strcmp(ts_node_type(node), type) == 0;
}

/// The node a `block_node`/`flow_node` holds, past its anchor and tag.
TSNode content(TSNode node) {
  if (!isType(node, "block_node") && !isType(node, "flow_node"))
    return node;
  for (uint32_t i = 0; i < ts_node_named_child_count(node); ++i) {
    const TSNode c = ts_node_named_child(node, i);
    if (!isType(c, "anchor") && !isType(c, "tag") && !isType(c, "comment"))
      return c;
  }
  return TSNode{};
}

YamlNode buildYaml(TSNode node, std::string_view src);

void addEntry(YamlNode& map, TSNode key, TSNode value, std::string_view src) {
  std::string name;
  if (!ts_node_is_null(key)) {
    const YamlNode k = buildYaml(key, src);
    if (k.kind == YamlNode::Kind::Scalar)
      name = k.value->value;
  }
  if (name == "<<") {
    map.merges = true;
    return;
  }
  map.entries.push_back(
      YamlEntry{std::move(name), ts_node_is_null(value) ? YamlNode{} : buildYaml(value, src)});
}

YamlNode buildYaml(TSNode node, std::string_view src) {
  YamlNode out;
  const TSNode c = content(node);
  if (ts_node_is_null(c))
    return out;
  if (isType(c, "plain_scalar") || isType(c, "single_quote_scalar") ||
      isType(c, "double_quote_scalar") || isType(c, "block_scalar")) {
    if (auto v = yamlLanguage().decode(c, src, Resolver{})) {
      out.kind = YamlNode::Kind::Scalar;
      out.begin = ts_node_start_byte(c);
      out.end = ts_node_end_byte(c);
      out.value = std::make_shared<const DecodedString>(std::move(*v));
    }
  } else if (isType(c, "alias")) {
    out.kind = YamlNode::Kind::Alias;
  } else if (isType(c, "block_mapping") || isType(c, "flow_mapping")) {
    out.kind = YamlNode::Kind::Mapping;
    for (uint32_t i = 0; i < ts_node_named_child_count(c); ++i) {
      const TSNode pair = ts_node_named_child(c, i);
      if (isType(pair, "block_mapping_pair") || isType(pair, "flow_pair"))
        addEntry(out, ts_node_child_by_field_name(pair, "key", 3),
                 ts_node_child_by_field_name(pair, "value", 5), src);
      else if (isType(pair, "flow_node"))
        addEntry(out, pair, TSNode{}, src);
    }
  } else if (isType(c, "block_sequence") || isType(c, "flow_sequence")) {
    out.kind = YamlNode::Kind::Sequence;
    for (uint32_t i = 0; i < ts_node_named_child_count(c); ++i) {
      const TSNode item = ts_node_named_child(c, i);
      if (isType(item, "block_sequence_item")) {
        const TSNode inner =
            ts_node_named_child_count(item) > 0 ? ts_node_named_child(item, 0) : TSNode{};
        out.items.push_back(ts_node_is_null(inner) || isType(inner, "comment")
                                ? YamlNode{}
                                : buildYaml(inner, src));
      } else if (isType(item, "flow_node")) {
        out.items.push_back(buildYaml(item, src));
      } else if (isType(item, "flow_pair")) {
        YamlNode single;
        single.kind = YamlNode::Kind::Mapping;
        addEntry(single, ts_node_child_by_field_name(item, "key", 3),
                 ts_node_child_by_field_name(item, "value", 5), src);
        out.items.push_back(std::move(single));
      }
    }
  }
  return out;
}

struct TreeDeleter {
  void operator()(TSTree* t) const { ts_tree_delete(t); }
};

/// The first document of a YAML text; nullopt when it does not parse (the YAML analyzer reports
/// such a file when it names a dataset; dbt leaves it alone). buildYaml() recurses: a file over
/// the nesting limit is not read (the YAML analyzer notes it).
std::optional<YamlNode> parseYaml(std::string_view text) {
  if (tooDeeplyNested("yaml", text))
    return std::nullopt;
  std::unique_ptr<TSTree, TreeDeleter> tree(parseWith(yamlLanguage(), text));
  if (!tree)
    return std::nullopt;
  const TSNode root = ts_tree_root_node(tree.get());
  if (ts_node_has_error(root))
    return std::nullopt;
  // Text the grammar did not take in: the YAML analyzer rejects such a file, so dbt does too.
  for (size_t at = ts_node_end_byte(root); at < text.size(); ++at)
    if (std::strchr(" \t\r\n", text[at]) == nullptr)
      return std::nullopt;
  for (uint32_t i = 0; i < ts_node_named_child_count(root); ++i) {
    const TSNode doc = ts_node_named_child(root, i);
    if (!isType(doc, "document"))
      continue;
    for (uint32_t k = 0; k < ts_node_named_child_count(doc); ++k) {
      const TSNode n = ts_node_named_child(doc, k);
      if (isType(n, "block_node") || isType(n, "flow_node"))
        return buildYaml(n, text);
    }
    return YamlNode{};
  }
  return YamlNode{};
}

/// A scalar's value when it is fully known: no placeholder and no Jinja.
std::optional<std::string> known(const YamlNode* n) {
  if (n == nullptr || n->kind != YamlNode::Kind::Scalar)
    return std::nullopt;
  const std::string& v = n->value->value;
  if (v.empty() || v.find(kHole) != std::string::npos || v.find("{{") != std::string::npos ||
      v.find("{%") != std::string::npos)
    return std::nullopt;
  return v;
}

/// The scalar's value as written, for messages (`${…}` for placeholders).
std::string shown(const YamlNode* n) {
  if (n == nullptr || n->kind != YamlNode::Kind::Scalar)
    return "?";
  std::string out;
  for (char c : n->value->value)
    out += c == kHole ? std::string("${…}") : std::string(1, c);
  return out;
}

std::vector<std::string> stringList(const YamlNode* n) {
  std::vector<std::string> out;
  if (n == nullptr)
    return out;
  if (auto v = known(n))
    out.push_back(*v);
  for (const YamlNode& item : n->items)
    if (auto v = known(&item))
      out.push_back(*v);
  return out;
}

// ------------------------------------------------------------------------------------- Jinja

struct Token {
  enum class Kind { Ident, String, Punct };
  Kind kind = Kind::Punct;
  size_t begin = 0;
  size_t end = 0;
  bool escapes = false; ///< String: has a backslash escape (its value is not its content).
};

bool isIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool isIdentByte(char c) {
  return isIdentStart(c) || (c >= '0' && c <= '9');
}

std::vector<Token> tokenize(std::string_view text, size_t begin, size_t end) {
  std::vector<Token> out;
  for (size_t i = begin; i < end;) {
    const char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      ++i;
    } else if (isIdentStart(c)) {
      size_t j = i;
      while (j < end && isIdentByte(text[j]))
        ++j;
      out.push_back({Token::Kind::Ident, i, j});
      i = j;
    } else if (c == '\'' || c == '"') {
      Token t{Token::Kind::String, i, end};
      size_t j = i + 1;
      while (j < end && text[j] != c) {
        if (text[j] == '\\') {
          t.escapes = true;
          ++j;
        }
        ++j;
      }
      t.end = std::min(end, j + 1);
      out.push_back(t);
      i = t.end;
    } else {
      out.push_back({Token::Kind::Punct, i, i + 1});
      ++i;
    }
  }
  return out;
}

bool isPunct(std::string_view text, const Token& t, char c) {
  return t.kind == Token::Kind::Punct && text[t.begin] == c;
}

bool isIdent(std::string_view text, const Token& t, std::string_view word) {
  return t.kind == Token::Kind::Ident && text.substr(t.begin, t.end - t.begin) == word;
}

/// Finds the `source(` calls among `tokens` (the expression of one block or a whole text).
void callsIn(std::string_view text, const std::vector<Token>& tokens, size_t blockBegin,
             size_t blockEnd, bool block, std::vector<DbtSourceCall>& out) {
  for (size_t k = 0; k + 1 < tokens.size(); ++k) {
    if (!isIdent(text, tokens[k], "source") || !isPunct(text, tokens[k + 1], '('))
      continue;
    DbtSourceCall call;
    call.begin = tokens[k].begin;
    call.blockBegin = blockBegin;
    call.blockEnd = blockEnd;
    // The arguments, split at top-level commas.
    std::vector<std::vector<const Token*>> args(1);
    int depth = 0;
    size_t close = tokens.size();
    for (size_t j = k + 2; j < tokens.size() && close == tokens.size(); ++j) {
      const Token& t = tokens[j];
      if (t.kind == Token::Kind::Punct) {
        const char p = text[t.begin];
        if (p == '(' || p == '[' || p == '{')
          ++depth;
        else if ((p == ')' || p == ']' || p == '}') && depth > 0)
          --depth;
        else if (p == ')') {
          close = j;
          continue;
        } else if (p == ',' && depth == 0) {
          args.emplace_back();
          continue;
        }
      }
      args.back().push_back(&t);
    }
    call.end = close < tokens.size() ? tokens[close].end : blockEnd;
    if (args.back().empty())
      args.pop_back(); // no argument, or a trailing comma
    const Token* positional[2] = {nullptr, nullptr};
    bool plain = close < tokens.size() && args.size() == 2;
    size_t index = 0;
    for (auto& arg : args) {
      if (!plain)
        break;
      size_t slot = index++;
      if (arg.size() >= 2 && arg[0]->kind == Token::Kind::Ident && isPunct(text, *arg[1], '=') &&
          !(arg.size() >= 3 && isPunct(text, *arg[2], '='))) {
        const std::string_view name = text.substr(arg[0]->begin, arg[0]->end - arg[0]->begin);
        slot = name == "source_name" ? 0 : name == "table_name" ? 1 : 2;
        arg.erase(arg.begin(), arg.begin() + 2);
      }
      if (slot > 1 || positional[slot] != nullptr) {
        plain = false;
        break;
      }
      const bool literal = arg.size() == 1 && arg[0]->kind == Token::Kind::String &&
                           !arg[0]->escapes && arg[0]->end - arg[0]->begin >= 2 &&
                           text[arg[0]->end - 1] == text[arg[0]->begin];
      positional[slot] = literal ? arg[0] : nullptr;
    }
    if (plain && positional[0])
      call.source = std::string(
          text.substr(positional[0]->begin + 1, positional[0]->end - positional[0]->begin - 2));
    if (plain && positional[1]) {
      call.tableBegin = positional[1]->begin + 1;
      call.tableEnd = positional[1]->end - 1;
      call.tableQuote = text[positional[1]->begin];
      call.table = std::string(text.substr(call.tableBegin, call.tableEnd - call.tableBegin));
    }
    if (block && close < tokens.size()) {
      // `{{ source(…) }}`, also with whitespace control and as `builtins.source(…)`.
      size_t first = 0, last = tokens.size();
      if (first < last && (isPunct(text, tokens[first], '-') || isPunct(text, tokens[first], '+')))
        ++first;
      if (first < last &&
          (isPunct(text, tokens[last - 1], '-') || isPunct(text, tokens[last - 1], '+')))
        --last;
      if (first + 2 < last && isIdent(text, tokens[first], "builtins") &&
          isPunct(text, tokens[first + 1], '.'))
        first += 2;
      call.standsAlone = first == k && last == close + 1;
    }
    out.push_back(std::move(call));
  }
}

// ------------------------------------------------------------------------------------- files

struct FileText {
  std::string text;
  bool analyzable = true; ///< The engine would analyze it (size and binary limits).
};

std::optional<FileText> readText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  FileText f{s.str(), true};
  if (f.text.size() > kMaxFileBytes ||
      std::memchr(f.text.data(), '\0', std::min(f.text.size(), kBinaryProbeBytes)) != nullptr)
    f.analyzable = false;
  return f;
}

bool hasExtension(std::string_view path, std::initializer_list<std::string_view> exts) {
  return std::any_of(exts.begin(), exts.end(), [&](std::string_view e) {
    return path.size() > e.size() && path.substr(path.size() - e.size()) == e;
  });
}

std::string joinPath(std::string_view dir, std::string_view rel) {
  if (dir.empty())
    return std::string(rel);
  return std::string(dir) + "/" + std::string(rel);
}

/// `path` lies under folder `dir` (both relative to the root; "" is the root).
bool under(std::string_view path, std::string_view dir) {
  if (dir.empty())
    return true;
  return path.size() > dir.size() && path.substr(0, dir.size()) == dir && path[dir.size()] == '/';
}

std::string normalizeRel(std::string p) {
  while (p.starts_with("./"))
    p.erase(0, 2);
  while (!p.empty() && p.back() == '/')
    p.pop_back();
  return p;
}

bool ignoredAt(const LineIndex& lines, std::string_view text, size_t offset) {
  const int line = lines.position(offset).first;
  for (int l : {line, line - 1})
    if (lines.line(text, l).find("godwit:ignore") != std::string_view::npos)
      return true;
  return false;
}

std::string lowered(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::vector<std::string> splitDots(const std::string& s) {
  std::vector<std::string> out(1);
  for (char c : s) {
    if (c == '.')
      out.emplace_back();
    else
      out.back() += c;
  }
  return out;
}

// ------------------------------------------------------------------------------------- model

struct YamlFile {
  std::string path;
  const FileText* file = nullptr; ///< Owned by the indexer, which outlives it.
  YamlNode root;
};

struct TableDef {
  const YamlNode* node = nullptr;
  const YamlNode* name = nullptr;
  const YamlNode* identifier = nullptr;
};

struct SourceDef {
  const YamlFile* file = nullptr;
  const YamlNode* node = nullptr;
  const YamlNode* name = nullptr;
  const YamlNode* database = nullptr;
  const YamlNode* schema = nullptr;
  std::optional<std::string> overrides;
  std::vector<TableDef> tables;
};

struct CallSite {
  enum class In { Sql, Yaml, Python };
  std::string path;
  In in = In::Sql;
  DbtSourceCall call;
  const YamlNode* scalar = nullptr; ///< Yaml: the value holding the call.
  const YamlNode* field = nullptr;  ///< Yaml: the `field:` next to a relationships test's `to:`.
  std::string notEditable;          ///< Why godwit cannot edit this call, or empty.
  uint32_t begin = 0;               ///< Source bytes of the call.
  uint32_t end = 0;
  int line = 0;
  bool ignored = false;
};

using Parts = std::map<std::string, std::optional<std::string>>;

struct Group {
  enum class Mode { Attention, Entry, Name, Redirect };
  size_t matcher = 0;
  SourceDef* source = nullptr;
  const TableDef* table = nullptr; ///< nullptr: a bigquery-dataset that moves the whole source.
  Mode mode = Mode::Attention;
  std::string reason;
  std::vector<std::pair<const YamlNode*, std::string>> edits; ///< `.yml` scalars and new values.
  bool sourceLevel = false; ///< Edits `database`/`schema`, which every table of the source shares.
  std::string newName;      ///< Name, Redirect: the table name the calls get.
  std::vector<const CallSite*> calls; ///< Calls naming the table with literals.
  std::vector<const CallSite*> maybe; ///< Calls with computed arguments that may name it.
  bool suppressed = false;
  std::string found; ///< The relation the source table resolves to, for findings.
};

struct PendingFinding {
  Finding finding;
  uint32_t begin = 0;
  uint32_t end = 0;
  bool held = false; ///< Held back by a `godwit:ignore` elsewhere in its group.
};

struct Project {
  DbtProjectInfo info;
  std::vector<std::string> skipDirs; ///< Relative to the root: target, packages, logs.
};

std::string where(const CallSite& c) {
  return c.path + ":" + std::to_string(c.line);
}

/// `text` on one line: a call written over several lines reads as one in a finding.
std::string oneLine(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\n' && text[i] != '\r') {
      out += text[i];
      continue;
    }
    while (!out.empty() && (out.back() == ' ' || out.back() == '\t'))
      out.pop_back();
    while (i + 1 < text.size() && std::strchr(" \t\r\n", text[i + 1]) != nullptr)
      ++i;
    out += ' ';
  }
  return out;
}

class Indexer {
public:
  Indexer(const fs::path& root, const std::vector<WalkEntry>& files,
          std::span<const DatasetMatcher> matchers)
      : root_(root), files_(files), matchers_(matchers) {}

  /// Remembers which files are in the run; only needed, and only paid for, once there is a
  /// project.
  void noteRunFiles() {
    for (const WalkEntry& e : files_)
      inRun_.insert(e.path);
  }

  std::vector<Project> findProjects(const std::vector<WalkEntry>& files) {
    std::set<std::string> seen, dirs;
    for (const WalkEntry& e : files) {
      // Only the files a dbt project is made of lead to one (a stat per folder above them).
      if (!hasExtension(e.path, {".sql", ".yml", ".yaml", ".py"}))
        continue;
      std::string dir = e.path;
      for (;;) {
        const size_t slash = dir.rfind('/');
        dir = slash == std::string::npos ? std::string() : dir.substr(0, slash);
        if (!seen.insert(dir).second)
          break;
        std::error_code ec;
        if (fs::is_regular_file(root_ / joinPath(dir, "dbt_project.yml"), ec))
          dirs.insert(dir);
        if (dir.empty())
          break;
      }
    }
    std::vector<Project> out;
    for (const std::string& dir : dirs) {
      Project p;
      p.info.dir = dir;
      p.info.modelPaths = {"models"};
      std::vector<std::string> skip = {"target", "dbt_packages", "dbt_modules", "logs"};
      if (auto f = readText(root_ / joinPath(dir, "dbt_project.yml"))) {
        if (auto doc = parseYaml(f->text)) {
          if (auto n = known(doc->get("name")))
            p.info.name = *n;
          std::vector<std::string> models = stringList(doc->get("model-paths"));
          if (models.empty())
            models = stringList(doc->get("source-paths"));
          if (!models.empty())
            p.info.modelPaths = models;
          for (const char* key :
               {"target-path", "packages-install-path", "modules-path", "log-path"})
            for (const std::string& v : stringList(doc->get(key)))
              skip.push_back(v);
        }
      }
      for (std::string& m : p.info.modelPaths)
        m = normalizeRel(m);
      for (const std::string& s : skip)
        p.skipDirs.push_back(joinPath(dir, normalizeRel(s)));
      out.push_back(std::move(p));
    }
    // Installed packages (`dbt_packages/`) and build output are the project's, not projects of
    // their own: `dbt deps` rewrites them.
    std::set<std::string> installed;
    for (const Project& o : out)
      for (const std::string& d : o.skipDirs)
        for (const Project& p : out)
          if (p.info.dir == d || under(p.info.dir, d))
            installed.insert(p.info.dir);
    std::erase_if(out, [&](const Project& p) { return installed.count(p.info.dir) > 0; });
    projects_ = dirs;
    return out;
  }

  void index(const Project& project) {
    groups_.clear();
    calls_.clear();
    sources_.clear();
    const std::vector<std::string> files = listFiles(project);
    for (const std::string& path : files) {
      if (!hasExtension(path, {".yml", ".yaml"}))
        continue;
      const bool model = std::any_of(
          project.info.modelPaths.begin(), project.info.modelPaths.end(),
          [&](const std::string& m) { return under(path, joinPath(project.info.dir, m)); });
      if (model)
        readSources(path);
    }
    for (SourceDef& s : sources_)
      resolve(s);
    if (groups_.empty())
      return;
    for (const std::string& path : files)
      readCalls(path);
    decide();
    emit();
  }

  std::map<std::string, std::vector<PendingFinding>>& pending() { return pending_; }
  std::map<std::string, std::vector<DbtStandIn>>& standIns() { return standIns_; }
  const FileText* text(const std::string& path) const {
    auto it = texts_.find(path);
    return it == texts_.end() ? nullptr : &it->second;
  }

private:
  // ----------------------------------------------------------------------------- reading
  std::vector<std::string> listFiles(const Project& project) {
    std::vector<std::string> out;
    std::error_code ec;
    const fs::path base = root_ / project.info.dir;
    fs::recursive_directory_iterator it(base, fs::directory_options::skip_permission_denied, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      const fs::directory_entry& e = *it;
      std::error_code sec;
      if (e.is_symlink(sec)) {
        if (e.is_directory(sec))
          it.disable_recursion_pending();
        continue;
      }
      const std::string rel =
          joinPath(project.info.dir, fs::relative(e.path(), base, sec).generic_string());
      if (e.is_directory(sec)) {
        const std::string name = e.path().filename().string();
        const bool skip = name.starts_with(".") ||
                          std::find(project.skipDirs.begin(), project.skipDirs.end(), rel) !=
                              project.skipDirs.end() ||
                          projects_.count(rel) > 0 ||
                          fs::is_regular_file(e.path() / "dbt_project.yml", sec);
        if (skip)
          it.disable_recursion_pending();
        continue;
      }
      if (e.is_regular_file(sec) && hasExtension(rel, {".sql", ".yml", ".yaml", ".py"}))
        out.push_back(rel);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  const FileText* load(const std::string& path) {
    auto it = texts_.find(path);
    if (it != texts_.end())
      return &it->second;
    auto f = readText(root_ / path);
    if (!f)
      return nullptr;
    return &texts_.emplace(path, std::move(*f)).first->second;
  }

  const YamlFile* loadYaml(const std::string& path) {
    auto it = yamls_.find(path);
    if (it != yamls_.end())
      return it->second.get();
    const FileText* f = load(path);
    std::unique_ptr<YamlFile> y;
    if (f != nullptr) {
      if (auto doc = parseYaml(f->text))
        y = std::make_unique<YamlFile>(YamlFile{path, f, std::move(*doc)});
    }
    return (yamls_[path] = std::move(y)).get();
  }

  void readSources(const std::string& path) {
    const FileText* f = load(path);
    if (f == nullptr || f->text.find("sources") == std::string::npos)
      return;
    const YamlFile* y = loadYaml(path);
    if (y == nullptr)
      return;
    const YamlNode* list = y->root.get("sources");
    if (list == nullptr)
      return;
    for (const YamlNode& s : list->items) {
      if (s.kind != YamlNode::Kind::Mapping)
        continue;
      SourceDef def;
      def.file = y;
      def.node = &s;
      def.name = s.get("name");
      def.database = s.get("database");
      def.schema = s.get("schema");
      def.overrides = known(s.get("overrides"));
      if (const YamlNode* tables = s.get("tables"))
        for (const YamlNode& t : tables->items)
          if (t.kind == YamlNode::Kind::Mapping)
            def.tables.push_back(TableDef{&t, t.get("name"), t.get("identifier")});
      if (!known(def.name))
        continue;
      sources_.push_back(std::move(def));
    }
  }

  void readCalls(const std::string& path) {
    const FileText* f = load(path);
    if (f == nullptr || f->text.find("source") == std::string::npos)
      return;
    const std::string why = inRun_.count(path) == 0
                                ? "is left out of this run (exclude, .gitignore or the paths given)"
                            : !f->analyzable ? "is too large or binary for godwit"
                                             : "";
    const LineIndex lines(f->text);
    auto add = [&](CallSite c) {
      c.path = path;
      if (c.notEditable.empty())
        c.notEditable = why;
      c.line = lines.position(c.begin).first;
      c.ignored = ignoredAt(lines, f->text, c.begin);
      calls_.push_back(std::make_unique<CallSite>(std::move(c)));
    };
    if (hasExtension(path, {".sql", ".py"})) {
      const bool python = hasExtension(path, {".py"});
      for (DbtSourceCall& call : findDbtSourceCalls(f->text, !python)) {
        CallSite c;
        c.in = python ? CallSite::In::Python : CallSite::In::Sql;
        c.begin = static_cast<uint32_t>(call.begin);
        c.end = static_cast<uint32_t>(call.end);
        c.call = std::move(call);
        if (python)
          c.notEditable = "is a Python model, which godwit does not edit for dbt";
        add(std::move(c));
      }
      return;
    }
    const YamlFile* y = loadYaml(path);
    if (y == nullptr)
      return;
    std::function<void(const YamlNode&)> walk = [&](const YamlNode& n) {
      if (n.kind == YamlNode::Kind::Mapping) {
        for (const auto& [key, v] : n.entries) {
          if (v.kind == YamlNode::Kind::Scalar)
            scalarCalls(v, key == "to" ? n.get("field") : nullptr, add);
          else
            walk(v);
        }
      } else if (n.kind == YamlNode::Kind::Sequence) {
        for (const YamlNode& item : n.items) {
          if (item.kind == YamlNode::Kind::Scalar)
            scalarCalls(item, nullptr, add);
          else
            walk(item);
        }
      }
    };
    walk(y->root);
  }

  template <typename Add>
  void scalarCalls(const YamlNode& scalar, const YamlNode* field, Add& add) {
    const DecodedString& v = *scalar.value;
    if (v.value.find("source") == std::string::npos)
      return;
    for (DbtSourceCall& call : findDbtSourceCalls(v.value, false)) {
      CallSite c;
      c.in = CallSite::In::Yaml;
      c.scalar = &scalar;
      c.field = field;
      c.begin = call.begin < v.srcBegin.size() ? v.srcBegin[call.begin] : scalar.begin;
      c.end = call.end > 0 && call.end - 1 < v.srcEnd.size() ? v.srcEnd[call.end - 1] : scalar.end;
      if (c.end <= c.begin) {
        c.begin = scalar.begin;
        c.end = scalar.end;
      }
      c.call = std::move(call);
      add(std::move(c));
    }
  }

  // ----------------------------------------------------------------------------- resolving
  Parts tableParts(const SourceDef& s, const TableDef& t) const {
    Parts p;
    if (s.database)
      p["project"] = known(s.database);
    p["dataset"] = s.schema ? known(s.schema) : known(s.name);
    p["table"] = t.identifier ? known(t.identifier) : known(t.name);
    return p;
  }

  std::string relation(const SourceDef& s, const TableDef* t) const {
    std::string out;
    if (s.database)
      out = (known(s.database) ? *known(s.database) : shown(s.database)) + ".";
    out += s.schema ? (known(s.schema) ? *known(s.schema) : shown(s.schema)) : *known(s.name);
    if (t != nullptr) {
      const YamlNode* id = t->identifier ? t->identifier : t->name;
      out += "." + (known(id) ? *known(id) : shown(id));
    }
    return out;
  }

  void resolve(SourceDef& s) {
    for (size_t m = 0; m < matchers_.size(); ++m) {
      const DatasetMatcher& matcher = matchers_[m];
      if (matcher.spec().kind == DatasetKind::BigQueryDataset) {
        Parts p;
        if (s.database)
          p["project"] = known(s.database);
        p["dataset"] = s.schema ? known(s.schema) : known(s.name);
        addGroup(s, nullptr, m, matcher.matchParts(p));
        continue;
      }
      if (matcher.spec().kind != DatasetKind::BigQueryTable)
        continue;
      for (const TableDef& t : s.tables) {
        if (!known(t.name))
          continue;
        PartsMatch pm = matcher.matchParts(tableParts(s, t));
        if (pm.status == PartsMatch::Status::None)
          pm = shardedIdentifier(s, t, matcher);
        addGroup(s, &t, m, std::move(pm));
      }
    }
  }

  /// A sharded identifier (`user_profile_*`, BigQuery wildcard tables) that may include the
  /// migrated table is attention, as a wildcard table in SQL is.
  PartsMatch shardedIdentifier(const SourceDef& s, const TableDef& t,
                               const DatasetMatcher& matcher) const {
    PartsMatch none;
    const auto id = known(t.identifier);
    if (!id || id->empty() || id->back() != '*')
      return none;
    const std::vector<std::string> from = splitDots(matcher.spec().from);
    const std::string prefix = id->substr(0, id->size() - 1);
    if (from.size() != 3 || !from[2].starts_with(prefix))
      return none;
    Parts p = tableParts(s, t);
    p["table"] = from[2];
    PartsMatch pm = matcher.matchParts(p);
    if (pm.status == PartsMatch::Status::None)
      return none;
    PartsMatch out;
    out.status = PartsMatch::Status::Attention;
    out.reason = "the sharded identifier `" + *id + "` may include " + matcher.spec().from +
                 ", which moves to " + matcher.spec().to + "; check which shards it should read";
    return out;
  }

  void addGroup(SourceDef& s, const TableDef* t, size_t m, PartsMatch pm) {
    if (pm.status == PartsMatch::Status::None)
      return;
    Group g;
    g.matcher = m;
    g.source = &s;
    g.table = t;
    g.found = relation(s, t);
    if (pm.status == PartsMatch::Status::Attention) {
      g.reason = pm.reason;
      if (!s.database && pm.reason.starts_with("no project"))
        g.reason += " (the source has no `database`, so dbt uses the target's project from "
                    "profiles.yml; give the source `database: " +
                    splitDots(matchers_[m].spec().from)[0] + "` if that is its project)";
      groups_.push_back(std::move(g));
      return;
    }
    const std::string srcName = *known(s.name); // A copy: known() returns a temporary.
    auto sourceEdit = [&](const char* part, const YamlNode* node, const char* key) {
      auto it = pm.newValues.find(part);
      if (it == pm.newValues.end() || !g.reason.empty())
        return;
      if (node == nullptr) {
        g.reason = std::string("the dataset is the source's name `") + srcName +
                   "` (it has no `schema`): give source `" + srcName + "` `schema: " + it->second +
                   "`, or move it by hand";
        return;
      }
      if (t != nullptr) {
        std::vector<std::string> others;
        for (const TableDef& o : s.tables)
          if (&o != t && !movesAlong(s, o, part, it->second))
            others.push_back(known(o.name) ? *known(o.name) : shown(o.name));
        if (!others.empty()) {
          std::string list;
          for (const std::string& o : others)
            list += (list.empty() ? "`" : ", `") + o + "`";
          g.reason = std::string("changing the `") + key + "` of source `" + srcName +
                     "` would also move its other tables (" + list +
                     "); move this table to a source of its own, or move them all by hand";
          return;
        }
      }
      g.sourceLevel = true;
      g.edits.emplace_back(node, it->second);
    };
    sourceEdit("project", s.database, "database");
    sourceEdit("dataset", s.schema, "schema");
    g.mode = Group::Mode::Entry;
    auto table = pm.newValues.find("table");
    if (g.reason.empty() && t != nullptr && table != pm.newValues.end()) {
      if (t->identifier) {
        g.edits.emplace_back(t->identifier, table->second);
      } else {
        g.newName = table->second;
        g.mode = Group::Mode::Name;
        for (const TableDef& o : s.tables) {
          if (&o == t || known(o.name) != table->second)
            continue;
          const std::vector<std::string> to = splitDots(matchers_[m].spec().to);
          Parts target = tableParts(s, o);
          if (!g.edits.empty() || target["project"] != std::optional<std::string>(to[0]) ||
              target["dataset"] != std::optional<std::string>(to[1]) ||
              target["table"] != std::optional<std::string>(to[2])) {
            g.reason = "source `" + srcName + "` already declares a table named `" + table->second +
                       "` that is not " + matchers_[m].spec().to + ": rename this one by hand";
          } else {
            g.mode = Group::Mode::Redirect;
          }
        }
        if (g.mode == Group::Mode::Name)
          g.edits.emplace_back(t->name, table->second);
      }
    }
    if (!g.reason.empty()) {
      g.mode = Group::Mode::Attention;
      g.edits.clear();
    }
    groups_.push_back(std::move(g));
  }

  /// True when table `o` of source `s` moves its `part` to `value` too (its own dataset
  /// migrates the same way, or a bigquery-dataset moves the whole source).
  bool movesAlong(const SourceDef& s, const TableDef& o, const std::string& part,
                  const std::string& value) const {
    for (const DatasetMatcher& matcher : matchers_) {
      PartsMatch pm;
      if (matcher.spec().kind == DatasetKind::BigQueryTable) {
        if (!known(o.name))
          continue;
        pm = matcher.matchParts(tableParts(s, o));
      } else if (matcher.spec().kind == DatasetKind::BigQueryDataset) {
        Parts p;
        if (s.database)
          p["project"] = known(s.database);
        p["dataset"] = s.schema ? known(s.schema) : known(s.name);
        pm = matcher.matchParts(p);
      }
      if (pm.status != PartsMatch::Status::Rewrite)
        continue;
      auto it = pm.newValues.find(part);
      if (it != pm.newValues.end() && it->second == value)
        return true;
    }
    return false;
  }

  // ----------------------------------------------------------------------------- deciding
  void decide() {
    for (Group& g : groups_) {
      if (g.table == nullptr)
        continue;
      const std::string src = *known(g.source->name);
      const std::string tbl = *known(g.table->name);
      for (const auto& c : calls_) {
        const bool sourceMay = !c->call.source || *c->call.source == src;
        const bool tableMay = !c->call.table || *c->call.table == tbl;
        if (!sourceMay || !tableMay)
          continue;
        (c->call.source && c->call.table ? g.calls : g.maybe).push_back(c.get());
      }
    }
    for (Group& g : groups_) {
      if (g.mode == Group::Mode::Attention)
        continue;
      const std::string& file = g.source->file->path;
      if (!inRun_.count(file) || !g.source->file->file->analyzable) {
        attention(g, file + " " +
                         (!inRun_.count(file)
                              ? "is left out of this run (exclude, .gitignore or the paths given)"
                              : "is too large or binary for godwit") +
                         ", so the source cannot be changed");
        continue;
      }
      if (g.mode != Group::Mode::Name && g.mode != Group::Mode::Redirect)
        continue;
      const std::string call =
          "source('" + *known(g.source->name) + "', '" + *known(g.table->name) + "')";
      if (g.source->overrides) {
        attention(g, "source `" + *known(g.source->name) + "` overrides package `" +
                         *g.source->overrides + "`, whose models call " + call +
                         " too; rename it by hand, or give the table `identifier: " + g.newName +
                         "` instead");
        continue;
      }
      std::vector<std::string> blockers;
      for (const CallSite* c : g.calls)
        if (!c->notEditable.empty())
          blockers.push_back(where(*c) + " " + c->notEditable);
      for (const CallSite* c : g.maybe)
        blockers.push_back(where(*c) + " calls source() with a computed name");
      if (blockers.empty())
        continue;
      std::string list;
      for (size_t i = 0; i < blockers.size() && i < 3; ++i)
        list += (i ? "; " : "") + blockers[i];
      if (blockers.size() > 3)
        list += "; and " + std::to_string(blockers.size() - 3) + " more";
      attention(g, "every " + call + " must be renamed with the table, and " + list +
                       "; rename them together by hand, or give the table `identifier: " +
                       g.newName + "` instead");
    }
    // A change of the source's `database`/`schema` moves its other tables: it is made only when
    // each of them moves too.
    for (bool changed = true; changed;) {
      changed = false;
      for (Group& g : groups_) {
        if (!g.sourceLevel || g.mode == Group::Mode::Attention)
          continue;
        for (const Group& o : groups_) {
          if (&o != &g && o.source == g.source && o.mode == Group::Mode::Attention) {
            attention(g, "it shares the source's `database`/`schema` with " + o.found +
                             ", which needs attention");
            changed = true;
            break;
          }
        }
      }
    }
    for (Group& g : groups_) {
      if (g.mode == Group::Mode::Attention)
        continue;
      const YamlNode* anchor = this->anchor(g);
      const LineIndex lines(g.source->file->file->text);
      g.suppressed = ignoredAt(lines, g.source->file->file->text, anchor->begin);
      if (g.mode == Group::Mode::Name || g.mode == Group::Mode::Redirect)
        for (const CallSite* c : g.calls)
          g.suppressed = g.suppressed || c->ignored;
    }
  }

  void attention(Group& g, std::string reason) {
    g.mode = Group::Mode::Attention;
    g.reason = std::move(reason);
    g.edits.clear();
  }

  const YamlNode* anchor(const Group& g) const {
    if (g.table != nullptr)
      return g.table->identifier ? g.table->identifier : g.table->name;
    return g.source->schema     ? g.source->schema
           : g.source->database ? g.source->database
                                : g.source->name;
  }

  // ----------------------------------------------------------------------------- emitting
  Finding base(const Group& g) const {
    Finding f;
    f.kind = matchers_[g.matcher].spec().kind;
    f.dataset = matchers_[g.matcher].spec().from;
    f.access = Access::Read;
    return f;
  }

  void add(const std::string& path, Finding f, uint32_t begin, uint32_t end, const Group* g) {
    if (f.action == Action::Attention) {
      f.replacement.clear();
      f.changes.clear();
    }
    pending_[path].push_back(
        PendingFinding{std::move(f), begin, end, g != nullptr && g->suppressed});
  }

  static ValueEdit scalarEdit(const YamlNode* n, const std::string& text) {
    return ValueEdit{n->value, 0, n->value->value.size(), text};
  }

  /// The edit of a call's table literal to `name`.
  ValueEdit callEdit(const CallSite& c, const std::string& name) const {
    if (c.in == CallSite::In::Yaml)
      return ValueEdit{c.scalar->value, c.call.tableBegin, c.call.tableEnd, name};
    auto literal = std::make_shared<DecodedString>();
    LiteralStyle style;
    style.quote = c.call.tableQuote;
    literal->beginPiece(static_cast<uint32_t>(c.call.tableBegin),
                        static_cast<uint32_t>(c.call.tableEnd), style);
    const std::string& src = text(c.path)->text;
    for (size_t i = c.call.tableBegin; i < c.call.tableEnd; ++i)
      literal->push(src[i], static_cast<uint32_t>(i), static_cast<uint32_t>(i + 1));
    return ValueEdit{std::move(literal), 0, c.call.tableEnd - c.call.tableBegin, name};
  }

  /// The call as written.
  std::string callSource(const CallSite& c) const {
    const std::string_view all = c.in == CallSite::In::Yaml
                                     ? std::string_view(c.scalar->value->value)
                                     : std::string_view(text(c.path)->text);
    return std::string(all.substr(c.call.begin, c.call.end - c.call.begin));
  }

  const std::pair<std::string, std::string>* renamed(const Group& g,
                                                     const std::string& column) const {
    for (const auto& r : matchers_[g.matcher].spec().columns.rename)
      if (lowered(r.first) == lowered(column))
        return &r;
    return nullptr;
  }

  bool removed(const Group& g, const std::string& column) const {
    for (const std::string& r : matchers_[g.matcher].spec().columns.removed)
      if (lowered(r) == lowered(column))
        return true;
    return false;
  }

  std::string columnSummary(const Group& g) const {
    const ColumnChanges& ch = matchers_[g.matcher].spec().columns;
    std::string out;
    for (const auto& [from, to] : ch.rename)
      out += (out.empty() ? "" : ", ") + from + " → " + to;
    for (const std::string& r : ch.removed)
      out += (out.empty() ? "" : ", ") + r + " removed";
    return out;
  }

  bool columnsChange(const Group& g) const {
    const ColumnChanges& ch = matchers_[g.matcher].spec().columns;
    return g.table != nullptr && (!ch.rename.empty() || !ch.removed.empty());
  }

  /// A column name written in a `.yml` file (`columns: - name:`, `loaded_at_field`, a
  /// relationships test's `field`): renamed with the table, attention when removed.
  void columnName(const Group& g, const std::string& path, const YamlNode* n,
                  std::vector<ValueEdit> together, const std::string& what) {
    const auto value = known(n);
    if (!value)
      return;
    const DatasetSpec& spec = matchers_[g.matcher].spec();
    Finding f = base(g);
    f.context = "dbt.column";
    f.found = *value;
    if (const auto* r = renamed(g, *value)) {
      if (g.mode == Group::Mode::Attention) {
        f.action = Action::Attention;
        f.reason = what + " `" + *value + "` of " + spec.from + " is renamed to `" + r->second +
                   "`, but the source table needs attention";
      } else {
        f.replacement = r->second;
        f.changes.push_back(scalarEdit(n, r->second));
        for (ValueEdit& e : together)
          f.changes.push_back(std::move(e));
      }
    } else if (removed(g, *value)) {
      f.action = Action::Attention;
      f.reason = what + " `" + *value + "` of " + spec.from + " is removed in " + spec.to +
                 "; remove it here (with its tests) or replace it";
    } else {
      return;
    }
    add(path, std::move(f), n->begin, n->end, &g);
  }

  void emit() {
    for (const Group& g : groups_) {
      emitEntry(g);
      if (columnsChange(g) && g.mode != Group::Mode::Redirect)
        emitColumns(g);
      emitCalls(g);
    }
  }

  void emitEntry(const Group& g) {
    const DatasetSpec& spec = matchers_[g.matcher].spec();
    const YamlNode* at = anchor(g);
    Finding f = base(g);
    f.context = "dbt.source";
    f.found = g.found;
    if (g.mode == Group::Mode::Attention) {
      f.action = Action::Attention;
      f.reason = g.reason;
    } else if (g.mode == Group::Mode::Redirect) {
      f.action = Action::Attention;
      f.reason = "every source('" + *known(g.source->name) + "', '" + *known(g.table->name) +
                 "') now reads `" + g.newName + "`, which this source already declares as " +
                 spec.to + "; remove this entry once nothing else needs it";
    } else {
      f.replacement = spec.to;
      for (const auto& [node, text] : g.edits)
        f.changes.push_back(scalarEdit(node, text));
    }
    const std::string& path = g.source->file->path;
    add(path, std::move(f), at->begin, at->end, &g);
    if (g.mode != Group::Mode::Entry || !columnsChange(g))
      return;
    // Readers godwit cannot see into: their columns change with the table.
    for (const CallSite* c : g.calls) {
      if (c->notEditable.empty())
        continue;
      Finding n = base(g);
      n.context = "dbt.source";
      n.found = g.found;
      n.action = Action::Attention;
      n.reason = where(*c) + " reads this table and " + c->notEditable + "; its columns change (" +
                 columnSummary(g) + "): check them there";
      add(path, std::move(n), at->begin, at->end, &g);
    }
  }

  void emitColumns(const Group& g) {
    const std::string& path = g.source->file->path;
    std::vector<ValueEdit> together;
    for (const auto& [node, text] : g.edits)
      together.push_back(scalarEdit(node, text));
    if (const YamlNode* columns = g.table->node->get("columns"))
      for (const YamlNode& c : columns->items)
        if (c.kind == YamlNode::Kind::Mapping)
          columnName(g, path, c.get("name"), together, "column");
    const YamlNode* config = g.table->node->get("config");
    const YamlNode* own = g.table->node->get("loaded_at_field");
    if (own == nullptr && config != nullptr)
      own = config->get("loaded_at_field");
    if (own != nullptr) {
      columnName(g, path, own, together, "loaded_at_field");
      return;
    }
    // The source's loaded_at_field is every table's: attention, never an edit.
    const YamlNode* shared = g.source->node->get("loaded_at_field");
    if (const YamlNode* sc = g.source->node->get("config"); shared == nullptr && sc != nullptr)
      shared = sc->get("loaded_at_field");
    const auto value = known(shared);
    if (!value || (!renamed(g, *value) && !removed(g, *value)))
      return;
    Finding f = base(g);
    f.context = "dbt.column";
    f.found = *value;
    f.action = Action::Attention;
    f.reason = "loaded_at_field `" + *value + "` of source `" + *known(g.source->name) +
               "` is a column of " + matchers_[g.matcher].spec().from + " that " +
               (renamed(g, *value) ? "is renamed to `" + renamed(g, *value)->second + "`"
                                   : std::string("is removed")) +
               ", and every table of the source uses it; give `" + *known(g.table->name) +
               "` its own loaded_at_field";
    add(path, std::move(f), shared->begin, shared->end, &g);
  }

  void emitCalls(const Group& g) {
    if (g.table == nullptr)
      return;
    const DatasetSpec& spec = matchers_[g.matcher].spec();
    const bool renaming = g.mode == Group::Mode::Name || g.mode == Group::Mode::Redirect;
    const std::vector<std::string> from = splitDots(spec.from);
    const std::string standInText =
        from.size() == 3 ? "`" + from[0] + "`.`" + from[1] + "`.`" + from[2] + "`" : spec.from;
    for (const CallSite* c : g.calls) {
      if (!c->notEditable.empty())
        continue;
      std::vector<ValueEdit> own;
      if (renaming)
        own.push_back(callEdit(*c, g.newName));
      Finding f = base(g);
      f.context = "dbt.source";
      f.found = oneLine(callSource(*c));
      if (g.mode == Group::Mode::Attention) {
        f.action = Action::Attention;
        f.reason = g.reason;
        add(c->path, f, c->begin, c->end, &g);
      } else if (renaming) {
        std::string after = callSource(*c);
        after.replace(c->call.tableBegin - c->call.begin, c->call.tableEnd - c->call.tableBegin,
                      g.newName);
        f.replacement = oneLine(after);
        f.changes = own;
        add(c->path, f, c->begin, c->end, &g);
      }
      if (c->in == CallSite::In::Sql && c->call.standsAlone) {
        DbtStandIn s;
        s.begin = static_cast<uint32_t>(c->call.blockBegin);
        s.end = static_cast<uint32_t>(c->call.blockEnd);
        s.relation = standInText;
        s.action = g.mode == Group::Mode::Attention ? Action::Attention : Action::Rewrite;
        s.reason = g.mode == Group::Mode::Attention ? g.reason : std::string();
        s.changes = own;
        s.suppressed = g.suppressed;
        standIns_[c->path].push_back(std::move(s));
      } else if (c->in == CallSite::In::Sql && columnsChange(g) &&
                 g.mode != Group::Mode::Attention) {
        Finding n = base(g);
        n.context = "dbt.source";
        n.found = oneLine(callSource(*c));
        n.action = Action::Attention;
        n.reason = "the SQL reads " + spec.from + " through this call, not in place, so godwit " +
                   "cannot tell which names are its columns; they change (" + columnSummary(g) +
                   "): check them by hand";
        add(c->path, std::move(n), c->begin, c->end, &g);
      }
      if (c->in == CallSite::In::Yaml && c->field != nullptr && columnsChange(g))
        columnName(g, c->path, c->field, own, "column");
    }
    for (const CallSite* c : g.maybe) {
      if (c->in == CallSite::In::Python || !c->notEditable.empty())
        continue;
      if (g.mode != Group::Mode::Attention && !columnsChange(g))
        continue;
      Finding f = base(g);
      f.context = "dbt.source";
      f.found = oneLine(callSource(*c));
      f.action = Action::Attention;
      f.reason = "its arguments are computed, so it may be source('" + *known(g.source->name) +
                 "', '" + *known(g.table->name) + "'), " + spec.from + ", which moves to " +
                 spec.to +
                 (g.mode == Group::Mode::Attention
                      ? std::string("; check it by hand")
                      : " and whose columns change (" + columnSummary(g) + "); check them by hand");
      add(c->path, std::move(f), c->begin, c->end, &g);
    }
  }

  fs::path root_;
  const std::vector<WalkEntry>& files_;
  std::span<const DatasetMatcher> matchers_;
  std::set<std::string> inRun_;
  std::set<std::string> projects_;
  std::map<std::string, FileText> texts_;
  std::map<std::string, std::unique_ptr<YamlFile>> yamls_;
  std::vector<SourceDef> sources_;
  std::vector<std::unique_ptr<CallSite>> calls_;
  std::vector<Group> groups_;
  std::map<std::string, std::vector<PendingFinding>> pending_;
  std::map<std::string, std::vector<DbtStandIn>> standIns_;
};

} // namespace

std::vector<DbtSourceCall> findDbtSourceCalls(std::string_view text, bool templateBlocks) {
  std::vector<DbtSourceCall> out;
  if (!templateBlocks) {
    callsIn(text, tokenize(text, 0, text.size()), 0, text.size(), false, out);
    return out;
  }
  // The blocks decodeSqlFile masks.
  for (size_t i = 0; i < text.size();) {
    const std::string_view closer = templateCloser(text, i);
    if (closer.empty()) {
      ++i;
      continue;
    }
    const size_t close = text.find(closer, i + 2);
    const size_t inner = close == std::string_view::npos ? text.size() : close;
    const size_t end = close == std::string_view::npos ? text.size() : close + closer.size();
    if (closer == "}}" || closer == "%}")
      callsIn(text, tokenize(text, i + 2, inner), i, end, closer == "}}", out);
    i = end;
  }
  return out;
}

const DbtFilePlan* DbtProjects::file(std::string_view path) const {
  auto it = files_.find(path);
  return it == files_.end() ? nullptr : &it->second;
}

bool dbtConcernsMigration(std::span<const DatasetMatcher> matchers) {
  // dbt sources are BigQuery tables here; other kinds are matched in the files as they are.
  return std::any_of(matchers.begin(), matchers.end(), [](const DatasetMatcher& m) {
    return m.spec().kind == DatasetKind::BigQueryTable ||
           m.spec().kind == DatasetKind::BigQueryDataset;
  });
}

std::shared_ptr<const DbtProjects> indexDbtProjects(const std::filesystem::path& root,
                                                    const std::vector<WalkEntry>& files,
                                                    std::span<const DatasetMatcher> matchers) {
  if (!dbtConcernsMigration(matchers))
    return nullptr;
  Indexer indexer(root, files, matchers);
  std::vector<Project> projects = indexer.findProjects(files);
  if (projects.empty())
    return nullptr;
  indexer.noteRunFiles();
  auto out = std::make_shared<DbtProjects>();
  for (const Project& p : projects) {
    indexer.index(p);
    out->projects_.push_back(p.info);
  }
  for (auto& [path, pending] : indexer.pending()) {
    const FileText* text = indexer.text(path);
    if (text == nullptr)
      continue;
    const SourceFile file{path, text->text, {}};
    FindingCollector collector(file);
    for (PendingFinding& p : pending) {
      collector.add(std::move(p.finding), p.begin, p.end);
      if (p.held)
        collector.findings().back().suppressed = true;
    }
    std::vector<Finding>& found = collector.findings();
    std::stable_sort(found.begin(), found.end(),
                     [](const Finding& a, const Finding& b) { return a.offset < b.offset; });
    out->files_[path].findings = std::move(found);
  }
  for (auto& [path, standIns] : indexer.standIns()) {
    std::sort(standIns.begin(), standIns.end(),
              [](const DbtStandIn& a, const DbtStandIn& b) { return a.begin < b.begin; });
    out->files_[path].standIns = std::move(standIns);
  }
  return out;
}

} // namespace godwit
