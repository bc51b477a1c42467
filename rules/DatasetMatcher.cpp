// Finds dataset references in decoded values. Everything works on bytes; a kHole byte stands for
// unknown text, which may be anything, separators included. A reference that could only be the
// dataset for some values of its holes becomes attention, never a rewrite.

#include "rules/DatasetMatcher.h"

#include "rules/Text.h"

#include <algorithm>
#include <cctype>
#include <unordered_map>

namespace godwit {
namespace {

constexpr size_t npos = std::string_view::npos;

bool isHole(char c) {
  return c == kHole;
}
bool isDigit(char c) {
  return c >= '0' && c <= '9';
}
bool isLower(char c) {
  return c >= 'a' && c <= 'z';
}
bool isAlpha(char c) {
  return isLower(c) || (c >= 'A' && c <= 'Z');
}
bool isWordChar(char c) {
  return isAlpha(c) || isDigit(c) || c == '_';
}
bool isBigQueryChar(char c) {
  return isWordChar(c) || c == '-';
}
bool isTopicChar(char c) {
  return isWordChar(c) || c == '.' || c == '-';
}
bool isSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool hasHole(std::string_view s) {
  return s.find(kHole) != npos;
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t at = s.find(sep, start);
    out.emplace_back(s.substr(start, at == npos ? npos : at - start));
    if (at == npos)
      return out;
    start = at + 1;
  }
}

std::string join(const std::vector<std::string>& parts, size_t first, size_t last, char sep) {
  std::string out;
  for (size_t i = first; i < last; ++i) {
    if (i > first)
      out += sep;
    out += parts[i];
  }
  return out;
}

/// True when `text` is one of the strings `pattern` stands for (a hole matches any string).
bool globMatch(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0, star = npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && isHole(pattern[p])) {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && isHole(pattern[p]))
    ++p;
  return p == pattern.size();
}

/// True when some string `pattern` stands for starts with `prefix`.
bool globAdmitsPrefix(std::string_view pattern, std::string_view prefix) {
  std::vector<char> state(pattern.size() + 1, 0);
  auto closeOverHoles = [&](std::vector<char>& s) {
    for (size_t p = 0; p < pattern.size(); ++p)
      if (s[p] && isHole(pattern[p]))
        s[p + 1] = 1;
  };
  state[0] = 1;
  closeOverHoles(state);
  for (char c : prefix) {
    std::vector<char> next(pattern.size() + 1, 0);
    for (size_t p = 0; p < pattern.size(); ++p) {
      if (!state[p])
        continue;
      if (isHole(pattern[p]))
        next[p] = 1;
      else if (pattern[p] == c)
        next[p + 1] = 1;
    }
    closeOverHoles(next);
    state.swap(next);
  }
  return std::find(state.begin(), state.end(), 1) != state.end();
}

// ---------------------------------------------------------------------------------------------
// Qualified names (`p.d.t`, `` `p`.`d`.`t` ``, `db.table`) are parsed as paths: parts separated by
// `.` (or BigQuery's legacy `:`), where backticks may wrap any run of consecutive parts.

struct Syntax {
  bool (*partChar)(char);
  bool colon;      ///< `:` separates parts (BigQuery legacy `p:d.t`).
  bool decorators; ///< `$partition` and `@snapshot` may follow a part (BigQuery tables).
  bool caseless;   ///< Names compare without case (Hive).
};

const Syntax kBigQuerySyntax{isBigQueryChar, true, true, false};
const Syntax kHiveSyntax{isWordChar, false, false, true};

struct Part {
  size_t begin = 0; ///< The part's text [begin, end), holes included.
  size_t end = 0;
  size_t decoEnd = 0; ///< End of a decorator right after the text; `end` when there is none.
  size_t group = 0;
  char sep = 0; ///< The separator before the part; 0 for the first.
};

struct Group {
  bool ticked = false;
  size_t open = 0;  ///< The opening backtick (ticked groups).
  size_t close = 0; ///< The closing backtick (ticked groups).
  size_t first = 0; ///< Index of its first part.
  size_t last = 0;  ///< Index of its last part.
};

struct Path {
  std::vector<Part> parts;
  std::vector<Group> groups;
  size_t end = 0; ///< One past the last byte of the last group.
};

bool startsPart(const Syntax& syntax, char c) {
  return syntax.partChar(c) || isHole(c);
}
bool isSep(const Syntax& syntax, char c) {
  return c == '.' || (syntax.colon && c == ':');
}

size_t scanPart(std::string_view v, size_t pos, const Syntax& syntax) {
  while (pos < v.size() && startsPart(syntax, v[pos]))
    ++pos;
  return pos;
}

/// The end of a table decorator at `pos` (`$20240101`, `$__UNPARTITIONED__`, `$` + hole,
/// `@-3600000`, `@1700000000000`, `@-3600000-`), or `pos` when there is none.
size_t scanDecorator(std::string_view v, size_t pos) {
  if (pos + 1 >= v.size())
    return pos;
  size_t q = pos + 1;
  if (v[pos] == '$') {
    while (q < v.size() && (isWordChar(v[q]) || isHole(v[q])))
      ++q;
    return q;
  }
  if (v[pos] == '@') {
    if (v[q] == '-')
      ++q;
    if (q >= v.size() || !(isDigit(v[q]) || isHole(v[q])))
      return pos;
    while (q < v.size() && (isDigit(v[q]) || isHole(v[q]) || v[q] == '-'))
      ++q;
    return q;
  }
  return pos;
}

Part makePart(std::string_view v, size_t pos, const Syntax& syntax, char sep, size_t group) {
  Part part;
  part.begin = pos;
  part.end = scanPart(v, pos, syntax);
  part.decoEnd = syntax.decorators ? scanDecorator(v, part.end) : part.end;
  part.sep = sep;
  part.group = group;
  return part;
}

/// Parses the path starting at `start`; empty when no part starts there.
Path parsePath(std::string_view v, size_t start, const Syntax& syntax) {
  Path path;
  size_t pos = start;
  char sep = 0;
  while (pos < v.size()) {
    Group group;
    group.first = path.parts.size();
    if (v[pos] == '`') {
      std::vector<Part> inner;
      size_t q = pos + 1;
      char innerSep = sep;
      bool closed = false;
      while (q < v.size() && startsPart(syntax, v[q])) {
        inner.push_back(makePart(v, q, syntax, innerSep, path.groups.size()));
        q = inner.back().decoEnd;
        if (q < v.size() && v[q] == '`') {
          closed = true;
          break;
        }
        if (inner.back().decoEnd != inner.back().end)
          break;
        if (q + 1 < v.size() && isSep(syntax, v[q]) && startsPart(syntax, v[q + 1])) {
          innerSep = v[q];
          ++q;
          continue;
        }
        break;
      }
      if (!closed)
        break; // not a backtick group: the path ends before it
      group.ticked = true;
      group.open = pos;
      group.close = q;
      path.parts.insert(path.parts.end(), inner.begin(), inner.end());
      pos = q + 1;
    } else if (startsPart(syntax, v[pos])) {
      path.parts.push_back(makePart(v, pos, syntax, sep, path.groups.size()));
      pos = path.parts.back().decoEnd;
    } else {
      break;
    }
    group.last = path.parts.size() - 1;
    path.groups.push_back(group);
    path.end = pos;
    if (path.parts.back().decoEnd != path.parts.back().end)
      break; // a decorator ends the name
    if (pos + 1 < v.size() && isSep(syntax, v[pos]) &&
        (startsPart(syntax, v[pos + 1]) || v[pos + 1] == '`')) {
      sep = v[pos];
      ++pos;
      continue;
    }
    break;
  }
  return path;
}

std::string_view partText(std::string_view v, const Part& part) {
  return v.substr(part.begin, part.end - part.begin);
}

/// Parts [0, count) joined by `.` (the legacy `:` compares as `.`), lowercased when caseless.
std::string prefixText(std::string_view v, const Path& path, size_t count, const Syntax& syntax) {
  std::string out;
  for (size_t i = 0; i < count; ++i) {
    if (i > 0)
      out += '.';
    out += partText(v, path.parts[i]);
  }
  return syntax.caseless ? lower(out) : out;
}

/// What comes after a name that ends with part `i`.
enum class Follow { Boundary, Hole, Continues };

Follow followOf(std::string_view v, const Path& path, size_t i) {
  const Part& part = path.parts[i];
  if (part.decoEnd != part.end)
    return Follow::Boundary;
  if (i + 1 < path.parts.size()) {
    const Part& next = path.parts[i + 1];
    if (next.sep == ':')
      return Follow::Boundary;
    // `.` then another name: a column, a file extension, or a longer name.
    return isHole(v[next.begin]) ? Follow::Hole : Follow::Continues;
  }
  // Parts are maximal, so the byte after is not a name byte (nor a hole); a ticked group closes.
  return Follow::Boundary;
}

/// The byte range of the reference made of parts [0, last]: inside the backticks when one pair
/// wraps it all, otherwise from the first part's (or its backtick's) first byte to the last part's
/// (or its closing backtick's) end. Decorators stay outside.
std::pair<size_t, size_t> referenceRange(const Path& path, size_t last) {
  const Part& a = path.parts[0];
  const Part& b = path.parts[last];
  if (a.group == b.group)
    return {a.begin, b.end};
  const Group& ga = path.groups[a.group];
  const Group& gb = path.groups[b.group];
  size_t begin = ga.ticked ? ga.open : a.begin;
  size_t end = (gb.ticked && gb.last == last && b.decoEnd == b.end) ? gb.close + 1 : b.end;
  return {begin, end};
}

/// The first byte after the whole name that ends with part `last` (decorator and backtick
/// included).
size_t afterName(const Path& path, size_t last) {
  const Part& part = path.parts[last];
  const Group& group = path.groups[part.group];
  if (group.ticked && group.last == last)
    return group.close + 1;
  return part.decoEnd;
}

std::string spellingOf(std::string_view v, const Path& path, size_t last, size_t begin,
                       size_t after) {
  size_t outerBegin = begin;
  const Group& first = path.groups[path.parts[0].group];
  if (first.ticked && first.open < begin)
    outerBegin = first.open;
  if (outerBegin > 0 && v[outerBegin - 1] == '[' && after < v.size() && v[after] == ']')
    return "legacy-sql";
  bool ticked = false;
  for (size_t g = 0; g <= path.parts[last].group; ++g)
    ticked = ticked || path.groups[g].ticked;
  if (ticked)
    return path.parts[0].group == path.parts[last].group ? "backtick" : "backtick-parts";
  for (size_t i = 1; i <= last; ++i)
    if (path.parts[i].sep == ':')
      return "legacy";
  return "standard";
}

/// Builds the match for parts [0, last]; a rewrite substitutes `newParts` into the range,
/// keeping backticks and separators as written.
/// With `caseless` (Hive), a part whose new name equals its source text but for case keeps the
/// source text: only the parts that really change are edited.
Match makeMatch(std::string_view v, const Path& path, size_t last, size_t after,
                const std::vector<std::string>& newParts, std::string attention,
                bool caseless = false) {
  auto [begin, end] = referenceRange(path, last);
  Match m;
  m.begin = begin;
  m.end = end;
  m.spelling = spellingOf(v, path, last, begin, after);
  m.attention = std::move(attention);
  if (m.attention.empty()) {
    size_t pos = begin;
    for (size_t i = 0; i <= last; ++i) {
      const Part& part = path.parts[i];
      m.replacement += v.substr(pos, part.begin - pos);
      const std::string_view old = v.substr(part.begin, part.end - part.begin);
      const bool same = caseless && old.size() == newParts[i].size() &&
                        std::equal(old.begin(), old.end(), newParts[i].begin(), [](char a, char b) {
                          return std::tolower(static_cast<unsigned char>(a)) ==
                                 std::tolower(static_cast<unsigned char>(b));
                        });
      m.replacement += same ? std::string(old) : newParts[i];
      pos = part.end;
    }
    m.replacement += v.substr(pos, end - pos);
  }
  return m;
}

/// Calls `visit(path)` for every path that may start a reference; `visit` returns the matches it
/// found. A path starts where the byte before cannot belong to a name.
template <class Visit>
std::vector<Match> scanPaths(std::string_view v, const Syntax& syntax, Visit visit) {
  std::vector<Match> out;
  size_t pos = 0;
  while (pos < v.size()) {
    char c = v[pos];
    bool canStart = c == '`' || startsPart(syntax, c);
    if (canStart && pos > 0) {
      char prev = v[pos - 1];
      canStart = !(startsPart(syntax, prev) || isSep(syntax, prev));
    }
    if (!canStart) {
      ++pos;
      continue;
    }
    Path path = parsePath(v, pos, syntax);
    if (path.parts.empty()) {
      ++pos;
      continue;
    }
    if (std::optional<Match> m = visit(path))
      out.push_back(std::move(*m));
    pos = std::max(pos + 1, path.end);
  }
  return out;
}

enum class Anchor { None, Exact, TailHole, Interpolated };

Anchor anchorOf(std::string_view text, std::string_view name, const Syntax& syntax) {
  std::string folded = syntax.caseless ? lower(text) : std::string(text);
  if (folded == name)
    return Anchor::Exact;
  if (folded.size() > name.size() && folded.compare(0, name.size(), name) == 0 &&
      isHole(folded[name.size()]))
    return Anchor::TailHole;
  if (hasHole(folded) && !isHole(folded[0]) && globMatch(folded, name))
    return Anchor::Interpolated;
  return Anchor::None;
}

const char* const kFollowedByHole =
    "followed by interpolated text that may extend the name; it could not be resolved";

/// A table-like name `from` = {p, d, t} (BigQuery) or {db, t} (Hive) ending with part `i` of
/// `path`. With `shortForm`, the first part may be missing (BigQuery's default project): attention.
std::optional<Match> matchQualified(std::string_view v, const Path& path, size_t i,
                                    const std::vector<std::string>& from,
                                    const std::vector<std::string>& to, const Syntax& syntax,
                                    bool shortForm) {
  const size_t k = from.size();
  // Separators are literal, so a name with more parts than `from` never matches, holes or not.
  if (i == 0 || i >= k || path.parts[i].sep != '.')
    return std::nullopt;
  const Anchor anchor = anchorOf(partText(v, path.parts[i]), from[k - 1], syntax);
  if (anchor == Anchor::None)
    return std::nullopt;
  const Follow follow = followOf(v, path, i);
  if (follow == Follow::Continues)
    return std::nullopt;

  const std::string prefix = prefixText(v, path, i, syntax);
  const std::string fullPrefix = join(from, 0, k - 1, '.');
  const std::string shortPrefix = join(from, 1, k - 1, '.');
  bool full = false;
  std::string attention;
  if (!hasHole(prefix)) {
    if (i == k - 1 && prefix == fullPrefix) {
      full = true;
      // The legacy `:` only separates the project.
      for (size_t j = 2; j <= i; ++j)
        if (path.parts[j].sep != '.')
          return std::nullopt;
    } else if (shortForm && i == k - 2 && prefix == shortPrefix) {
      attention = "no project: it is this table only if the job's default project is " + from[0];
    } else {
      return std::nullopt;
    }
  } else if (globMatch(prefix, fullPrefix) || (shortForm && globMatch(prefix, shortPrefix))) {
    attention = k == 3 ? "the project/dataset are interpolated and could not be resolved"
                       : "the database is interpolated and could not be resolved";
  } else {
    return std::nullopt;
  }

  if (anchor == Anchor::Interpolated) {
    if (!full)
      return std::nullopt;
    attention = "the table name is interpolated: it is this table only for some values";
  }
  if (attention.empty() && (anchor == Anchor::TailHole || follow == Follow::Hole))
    attention = kFollowedByHole;
  return makeMatch(v, path, i, afterName(path, i), to, std::move(attention), syntax.caseless);
}

/// A BigQuery dataset `p.d`: `p.d`, `p:d`, and `p.d.<table>` in every spelling; the dataset is the
/// anchor, part `j` of `path`.
std::optional<Match> matchBigQueryDataset(std::string_view v, const Path& path, size_t j,
                                          const std::vector<std::string>& from,
                                          const std::vector<std::string>& to) {
  const Anchor anchor = anchorOf(partText(v, path.parts[j]), from[1], kBigQuerySyntax);
  if (j > 1 || (anchor != Anchor::Exact && anchor != Anchor::TailHole))
    return std::nullopt;
  const Part& dataset = path.parts[j];
  bool hasTable = false;
  Follow follow = Follow::Boundary;
  size_t after = afterName(path, j);
  if (dataset.decoEnd == dataset.end && j + 1 < path.parts.size() && path.parts[j + 1].sep == '.') {
    hasTable = true;
    follow = followOf(v, path, j + 1);
    after = afterName(path, j + 1);
    if (follow == Follow::Continues)
      return std::nullopt;
  }

  std::string attention;
  if (j == 0) {
    if (!hasTable || anchor != Anchor::Exact)
      return std::nullopt;
    attention = "no project: it is this dataset only if the job's default project is " + from[0];
  } else {
    if (dataset.sep != '.' && dataset.sep != ':')
      return std::nullopt;
    std::string_view project = partText(v, path.parts[0]);
    if (!hasHole(project)) {
      if (project != from[0])
        return std::nullopt;
    } else if (globMatch(project, from[0])) {
      attention = "the project is interpolated and could not be resolved";
    } else {
      return std::nullopt;
    }
  }
  if (attention.empty() && anchor == Anchor::TailHole)
    attention = kFollowedByHole;
  if (attention.empty() && follow == Follow::Hole)
    attention = kFollowedByHole;
  size_t last = attention.empty() ? j : (hasTable ? j + 1 : j);
  return makeMatch(v, path, last, after, to, std::move(attention));
}

/// Whole-token matches of `token` (kafka topics, literals). `isNameChar` says which bytes would
/// continue the token; a hole next to a token edge that such a byte could extend is attention.
template <class IsNameChar>
std::vector<Match> findTokens(std::string_view v, std::string_view token,
                              std::string_view replacement, const char* spelling,
                              IsNameChar isNameChar) {
  std::vector<Match> out;
  if (token.empty())
    return out;
  const bool checkFront = isNameChar(token.front());
  const bool checkBack = isNameChar(token.back());
  size_t pos = 0;
  while ((pos = v.find(token, pos)) != npos) {
    size_t end = pos + token.size();
    char before = pos > 0 ? v[pos - 1] : '\0';
    char after = end < v.size() ? v[end] : '\0';
    if ((checkFront && pos > 0 && isNameChar(before)) ||
        (checkBack && end < v.size() && isNameChar(after))) {
      ++pos;
      continue;
    }
    Match m;
    m.begin = pos;
    m.end = end;
    m.spelling = spelling;
    if ((checkFront && isHole(before)) || (checkBack && isHole(after)))
      m.attention = "next to interpolated text that may extend it; it could not be resolved";
    else
      m.replacement = std::string(replacement);
    out.push_back(std::move(m));
    pos = end;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// GCS prefixes.

/// Bytes that end a URI inside a value: they cannot continue a path segment.
bool endsUri(char c) {
  if (isHole(c))
    return false;
  if (isSpace(c) || static_cast<unsigned char>(c) < 0x20)
    return true;
  switch (c) {
  case '\'':
  case '"':
  case '`':
  case ',':
  case ';':
  case ')':
  case ']':
  case '}':
  case '|':
    return true;
  default:
    return false;
  }
}

std::string withoutSlash(std::string_view s) {
  return std::string(!s.empty() && s.back() == '/' ? s.substr(0, s.size() - 1) : s);
}

/// The most specific segment of `gs://bucket/a/b/`: the longest, the later one on a tie.
std::string gcsAnchor(std::string_view prefix) {
  std::string best;
  for (const std::string& segment : split(prefix.substr(std::min<size_t>(5, prefix.size())), '/'))
    if (segment.size() >= best.size() && !segment.empty())
      best = segment;
  return best;
}

std::vector<Match> findGcs(std::string_view v, const DatasetSpec& spec) {
  std::vector<Match> out;
  const std::string& prefix = spec.from; // normalized with its trailing slash
  const std::string dir = withoutSlash(prefix);
  const std::string anchor = gcsAnchor(prefix);
  size_t pos = 0;
  while ((pos = v.find("gs://", pos)) != npos) {
    if (pos > 0) {
      char prev = v[pos - 1];
      if (isWordChar(prev) || prev == '.' || prev == '-' || prev == '/' || prev == ':') {
        pos += 5;
        continue;
      }
    }
    const bool holeBefore = pos > 0 && isHole(v[pos - 1]);
    size_t end = pos;
    while (end < v.size() && !endsUri(v[end]))
      ++end;
    std::string_view uri = v.substr(pos, end - pos);
    std::string_view literal = uri.substr(0, uri.find(kHole));
    Match m;
    m.begin = pos;
    if (literal.substr(0, prefix.size()) == prefix) {
      m.end = pos + prefix.size();
      m.spelling = "uri";
      m.replacement = spec.to;
    } else if (literal == dir && literal.size() == uri.size()) {
      m.end = pos + dir.size();
      m.spelling = "directory";
      m.replacement = withoutSlash(spec.to);
    } else if (literal == dir) {
      m.end = pos + dir.size();
      m.spelling = "directory";
      m.attention = kFollowedByHole;
    } else if (literal.size() < uri.size() && uri.find(anchor) != npos &&
               (globAdmitsPrefix(uri, prefix) || globMatch(uri, dir))) {
      m.end = end;
      m.spelling = "uri";
      m.attention = "the bucket or path is interpolated and could not be resolved";
    } else {
      pos = std::max(end, pos + 5);
      continue;
    }
    if (holeBefore && m.attention.empty()) {
      m.attention = "preceded by interpolated text; it could not be resolved";
      m.replacement.clear();
    }
    out.push_back(std::move(m));
    pos = std::max(end, pos + 5);
  }
  return out;
}

/// Splits a BigQuery table part into its name and a trailing decorator (`$…` or `@…`).
std::pair<std::string_view, std::string_view> splitDecorator(std::string_view part) {
  size_t at = part.find_first_of("$@");
  if (at == npos)
    return {part, {}};
  return {part.substr(0, at), part.substr(at)};
}

// ---------------------------------------------------------------------------------------------
// Name validation.

bool allOf(std::string_view s, bool (*pred)(char)) {
  return std::all_of(s.begin(), s.end(), pred);
}

std::optional<std::string> checkProject(std::string_view p) {
  bool ok = p.size() >= 6 && p.size() <= 30 && isLower(p.front()) &&
            (isLower(p.back()) || isDigit(p.back())) &&
            allOf(p, [](char c) { return isLower(c) || isDigit(c) || c == '-'; });
  if (ok)
    return std::nullopt;
  return "`" + std::string(p) +
         "` is not a BigQuery project id: 6 to 30 lowercase letters, digits and dashes, starting "
         "with a letter and not ending with a dash";
}

std::optional<std::string> checkBigQueryDataset(std::string_view d) {
  if (!d.empty() && d.size() <= 1024 && allOf(d, isWordChar))
    return std::nullopt;
  return "`" + std::string(d) +
         "` is not a BigQuery dataset name: 1 to 1024 letters, digits and underscores";
}

std::optional<std::string> checkBigQueryTable(std::string_view t) {
  if (!t.empty() && t.size() <= 1024 && allOf(t, isBigQueryChar))
    return std::nullopt;
  if (t.find_first_of("$@") != npos)
    return "`" + std::string(t) +
           "` has a decorator: name the table itself; references keep their decorators";
  return "`" + std::string(t) +
         "` is not a BigQuery table name: letters, digits, underscores and dashes";
}

std::optional<std::string> partCountError(std::string_view name, size_t got, const char* form) {
  return "`" + std::string(name) + "` has " + std::to_string(got) + " part" +
         (got == 1 ? "" : "s") + "; expected " + form;
}

} // namespace

DatasetMatcher::DatasetMatcher(const DatasetSpec& spec) : spec_(spec) {
  switch (spec_.kind) {
  case DatasetKind::BigQueryTable:
  case DatasetKind::BigQueryDataset:
    fromParts_ = split(spec_.from, '.');
    toParts_ = split(spec_.to, '.');
    break;
  case DatasetKind::HiveTable:
    fromParts_ = split(lower(spec_.from), '.');
    toParts_ = split(spec_.to, '.');
    break;
  case DatasetKind::GcsPrefix:
    if (!spec_.from.empty() && spec_.from.back() != '/')
      spec_.from += '/';
    if (!spec_.to.empty() && spec_.to.back() != '/')
      spec_.to += '/';
    break;
  case DatasetKind::KafkaTopic:
  case DatasetKind::Literal:
    break;
  }
}

std::vector<Match> DatasetMatcher::find(std::string_view value) const {
  switch (spec_.kind) {
  case DatasetKind::BigQueryTable: {
    // A table name with holes (`user_profile_$v`) still has its dataset in full.
    if (fromParts_.size() != 3 || toParts_.size() != 3 ||
        (value.find(fromParts_[2]) == std::string_view::npos &&
         value.find(fromParts_[1]) == std::string_view::npos))
      return {};
    return scanPaths(value, kBigQuerySyntax, [&](const Path& path) -> std::optional<Match> {
      for (size_t i = 0; i < path.parts.size(); ++i)
        if (auto m = matchQualified(value, path, i, fromParts_, toParts_, kBigQuerySyntax, true))
          return m;
      return std::nullopt;
    });
  }
  case DatasetKind::BigQueryDataset: {
    if (fromParts_.size() != 2 || toParts_.size() != 2 ||
        value.find(fromParts_[1]) == std::string_view::npos)
      return {};
    return scanPaths(value, kBigQuerySyntax, [&](const Path& path) -> std::optional<Match> {
      for (size_t j = 0; j < path.parts.size() && j < 2; ++j)
        if (auto m = matchBigQueryDataset(value, path, j, fromParts_, toParts_))
          return m;
      return std::nullopt;
    });
  }
  case DatasetKind::HiveTable: {
    if (fromParts_.size() != 2 || toParts_.size() != 2 ||
        lower(value).find(fromParts_[1]) == std::string_view::npos)
      return {};
    return scanPaths(value, kHiveSyntax, [&](const Path& path) -> std::optional<Match> {
      for (size_t i = 0; i < path.parts.size(); ++i)
        if (auto m = matchQualified(value, path, i, fromParts_, toParts_, kHiveSyntax, false))
          return m;
      return std::nullopt;
    });
  }
  case DatasetKind::GcsPrefix:
    return findGcs(value, spec_);
  case DatasetKind::KafkaTopic:
    return findTokens(value, spec_.from, spec_.to, "topic", isTopicChar);
  case DatasetKind::Literal:
    return findTokens(value, spec_.from, spec_.to, "literal", isWordChar);
  }
  return {};
}

std::vector<PrefilterPattern> DatasetMatcher::prefilterPatterns() const {
  // The name bytes of each kind: a reference's anchor is never followed by one of them in the
  // source either (escapes start with `\`, interpolations with `$` or `{`).
  static const std::string word = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_";
  switch (spec_.kind) {
  case DatasetKind::BigQueryTable:
    if (fromParts_.size() == 3) {
      std::vector<PrefilterPattern> out{{fromParts_[2], false, word + "-"}};
      // A wildcard table (`core_users.user_profile_*`, in any backtick style) or a legacy
      // TABLE_DATE_RANGE prefix (`[p:core_users.user_profile_]`) or TABLE_QUERY dataset
      // (`[p:core_users]`) may include the table without naming it; SQL analysis reports them.
      // One pattern per family, not one per prefix: Hyperscan is several times slower with
      // the ~75 literals the families hold.
      const std::string& dataset = fromParts_[1];
      const std::string& table = fromParts_[2];
      out.push_back({dataset + "]", false, {}});
      for (const char* sep : {".", "`.`", ".`", "`."})
        out.push_back({dataset + sep, false, {}, table, 0, "*"});
      out.push_back({dataset + ".", false, {}, table, 1, "]"});
      return out;
    }
    break;
  case DatasetKind::BigQueryDataset:
    if (fromParts_.size() == 2)
      return {{fromParts_[1], false, word}};
    break;
  case DatasetKind::HiveTable:
    if (fromParts_.size() == 2)
      return {{fromParts_[1], true, word}};
    break;
  case DatasetKind::GcsPrefix:
    return {{gcsAnchor(spec_.from), false, word + ".-"}};
  case DatasetKind::KafkaTopic:
    // A topic pattern (Flink's `'topic-pattern'`, Spark's `subscribePattern`) may match the topic
    // without naming it; SQL analysis reports it.
    return {{spec_.from, false, word + ".-"},
            {"topic-pattern", true, {}},
            {"subscribepattern", true, {}}};
  case DatasetKind::Literal:
    if (!spec_.from.empty() && isWordChar(spec_.from.back()))
      return {{spec_.from, false, word}};
    break;
  }
  return {{spec_.from, false, {}}};
}

std::vector<std::string> DatasetMatcher::partNames() const {
  switch (spec_.kind) {
  case DatasetKind::BigQueryTable:
    return {"project", "dataset", "table"};
  case DatasetKind::BigQueryDataset:
    return {"project", "dataset"};
  case DatasetKind::HiveTable:
    return {"database", "table"};
  case DatasetKind::GcsPrefix:
  case DatasetKind::KafkaTopic:
  case DatasetKind::Literal:
    break;
  }
  return {};
}

PartsMatch
DatasetMatcher::matchParts(const std::map<std::string, std::optional<std::string>>& parts) const {
  PartsMatch result;
  const std::vector<std::string> names = partNames();
  if (names.empty() || fromParts_.size() != names.size() || toParts_.size() != names.size())
    return result;
  if (parts.find(names.back()) == parts.end())
    return result;

  const bool caseless = spec_.kind == DatasetKind::HiveTable;
  const bool decorated = spec_.kind == DatasetKind::BigQueryTable;
  bool anyEqual = false;
  std::vector<std::string> absent, unknown;
  std::map<std::string, std::string> newValues;
  for (size_t i = 0; i < names.size(); ++i) {
    auto it = parts.find(names[i]);
    if (it == parts.end()) {
      absent.push_back(names[i]);
      continue;
    }
    if (!it->second) {
      unknown.push_back(names[i]);
      continue;
    }
    std::string_view value = *it->second;
    std::string_view decorator;
    if (decorated && i + 1 == names.size())
      std::tie(value, decorator) = splitDecorator(value);
    if ((caseless ? lower(value) : std::string(value)) != fromParts_[i])
      return result;
    anyEqual = true;
    bool changes = caseless ? lower(toParts_[i]) != fromParts_[i] : toParts_[i] != fromParts_[i];
    if (changes)
      newValues[names[i]] = toParts_[i] + std::string(decorator);
  }
  if (!anyEqual)
    return result;

  auto list = [](const std::vector<std::string>& v) { return join(v, 0, v.size(), '/'); };
  if (!absent.empty()) {
    result.status = PartsMatch::Status::Attention;
    if (absent.size() == 1 && absent[0] == "project")
      result.reason = std::string("no project: it is this ") +
                      (spec_.kind == DatasetKind::BigQueryTable ? "table" : "dataset") +
                      " only if the job's default project is " + fromParts_[0];
    else if (absent.size() == 1 && absent[0] == "database")
      result.reason =
          "no database: it is this table only if the session's database is " + fromParts_[0];
    else
      result.reason = "no " + list(absent) +
                      " given: it is this dataset only if the defaults are " +
                      join(fromParts_, 0, fromParts_.size() - 1, '.');
    return result;
  }
  if (!unknown.empty()) {
    result.status = PartsMatch::Status::Attention;
    result.reason = "the " + list(unknown) + (unknown.size() == 1 ? " is" : " are") +
                    " computed at run time and could not be resolved";
    return result;
  }
  result.status = PartsMatch::Status::Rewrite;
  result.newValues = std::move(newValues);
  return result;
}

std::optional<std::string> validateDatasetName(DatasetKind kind, std::string_view name) {
  if (name.empty())
    return std::string("the name is empty");
  if (std::any_of(name.begin(), name.end(), [](char c) { return isSpace(c); }))
    return "`" + std::string(name) + "` contains whitespace";
  for (const char c : name)
    if (const auto b = static_cast<unsigned char>(c); b < 0x20 || b == 0x7F || c == kHole)
      return "`" + std::string(name) + "` contains " + describeByte(b);
  switch (kind) {
  case DatasetKind::BigQueryTable: {
    if (name.find(':') != npos)
      return "`" + std::string(name) +
             "` uses the legacy `project:dataset.table` form; write `project.dataset.table`";
    std::vector<std::string> parts = split(name, '.');
    if (parts.size() != 3)
      return partCountError(name, parts.size(), "project.dataset.table");
    if (auto e = checkProject(parts[0]))
      return e;
    if (auto e = checkBigQueryDataset(parts[1]))
      return e;
    return checkBigQueryTable(parts[2]);
  }
  case DatasetKind::BigQueryDataset: {
    if (name.find(':') != npos)
      return "`" + std::string(name) +
             "` uses the legacy `project:dataset` form; write "
             "`project.dataset`";
    std::vector<std::string> parts = split(name, '.');
    if (parts.size() != 2)
      return partCountError(name, parts.size(), "project.dataset");
    if (auto e = checkProject(parts[0]))
      return e;
    return checkBigQueryDataset(parts[1]);
  }
  case DatasetKind::GcsPrefix: {
    if (name.substr(0, 5) != "gs://")
      return "`" + std::string(name) + "` does not start with `gs://`";
    std::vector<std::string> segments = split(withoutSlash(name.substr(5)), '/');
    const std::string& bucket = segments[0];
    if (bucket.size() < 3 || bucket.size() > 63 || !allOf(bucket, [](char c) {
          return isLower(c) || isDigit(c) || c == '.' || c == '_' || c == '-';
        }))
      return "`" + bucket +
             "` is not a bucket name: 3 to 63 lowercase letters, digits, dots, dashes and "
             "underscores";
    for (size_t i = 1; i < segments.size(); ++i)
      if (segments[i].empty())
        return "`" + std::string(name) + "` has an empty path segment (`//`)";
    if (name.find_first_of("*?[]") != npos)
      return "`" + std::string(name) + "` has a wildcard; a prefix is a plain folder path";
    if (std::any_of(name.begin(), name.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x20; }))
      return "`" + std::string(name) + "` contains control characters";
    return std::nullopt;
  }
  case DatasetKind::HiveTable: {
    std::vector<std::string> parts = split(name, '.');
    if (parts.size() != 2)
      return partCountError(name, parts.size(), "database.table");
    for (const std::string& part : parts)
      if (part.empty() || !allOf(part, isWordChar))
        return "`" + part + "` is not a Hive name: letters, digits and underscores";
    return std::nullopt;
  }
  case DatasetKind::KafkaTopic:
    if (name == "." || name == "..")
      return "`" + std::string(name) + "` is not a valid topic name";
    if (name.size() > 249 || !allOf(name, isTopicChar))
      return "`" + std::string(name) +
             "` is not a Kafka topic name: 1 to 249 letters, digits, dots, underscores and dashes";
    return std::nullopt;
  case DatasetKind::Literal:
    if (std::any_of(name.begin(), name.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x20; }))
      return "`" + std::string(name) + "` contains control characters";
    return std::nullopt;
  }
  return std::nullopt;
}

std::string_view datasetNameForm(DatasetKind kind) {
  switch (kind) {
  case DatasetKind::BigQueryTable:
    return "a bigquery-table is `project.dataset.table`, e.g. "
           "`acme-prod.core_users.user_profile_v1`";
  case DatasetKind::BigQueryDataset:
    return "a bigquery-dataset is `project.dataset`, e.g. `acme-prod.core_users`";
  case DatasetKind::GcsPrefix:
    return "a gcs-prefix is `gs://bucket/folder/`, e.g. `gs://acme-raw/events/playback/`";
  case DatasetKind::HiveTable:
    return "a hive-table is `database.table`, e.g. `warehouse.user_events`";
  case DatasetKind::KafkaTopic:
    return "a kafka-topic is a topic name of letters, digits, `.`, `_` and `-`, e.g. "
           "`playback-events`";
  case DatasetKind::Literal:
    return "a literal is an exact token without whitespace, e.g. `USER_PROFILE_V1`";
  }
  return {};
}

bool isWholeName(std::string_view v, size_t begin, size_t end, bool nextToHole) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  size_t b = npos, e = npos;
  bool holes = false;
  for (size_t i = 0; i < v.size();) {
    size_t j = i;
    while (j < v.size() && v[j] != ',' && v[j] != ';')
      ++j;
    size_t lo = i, hi = j;
    while (lo < hi && space(v[lo]))
      ++lo;
    while (hi > lo && space(v[hi - 1]))
      --hi;
    if (lo == hi)
      return false;
    for (size_t k = lo; k < hi; ++k)
      if (!isTopicChar(v[k]) && v[k] != kHole)
        return false;
    if (lo <= begin && end <= hi) {
      b = lo;
      e = hi;
      holes = std::string_view(v).substr(lo, hi - lo).find(kHole) != std::string_view::npos;
    }
    i = j + 1;
    if (j == v.size())
      break;
  }
  return (b == begin && e == end) || (nextToHole && holes);
}

namespace {

// Calls `visit` with each maximal run of word bytes in `text`, in order.
template <typename Visit> void forEachWord(std::string_view text, Visit&& visit) {
  for (size_t i = 0; i < text.size();) {
    if (!isWordChar(text[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < text.size() && isWordChar(text[j]))
      ++j;
    visit(text.substr(i, j - i));
    i = j;
  }
}

// The longest maximal run of word bytes in `text`, lowercased; empty when there is none.
std::string longestWord(std::string_view text) {
  std::string_view best;
  forEachWord(text, [&](std::string_view word) {
    if (word.size() > best.size())
      best = word;
  });
  return lower(best);
}

} // namespace

std::vector<std::string> DatasetMatcher::indexWords() const {
  // Each kind's find() needs these parts in the value, bounded by bytes that are not word bytes
  // (path separators, quotes, the kinds' own name bytes `-` and `.`), unless holes stand next
  // to them, and forEachCandidate() runs every matcher over a value with holes. A wildcard
  // table (`core_users.user_*`) or a legacy prefix (`[p:core_users.user_]`) names the dataset.
  std::vector<std::string> words;
  const auto add = [&](std::string_view part) {
    words.push_back(longestWord(part));
    return !words.back().empty();
  };
  switch (spec_.kind) {
  case DatasetKind::BigQueryTable:
    if (fromParts_.size() == 3 && add(fromParts_[2]) && add(fromParts_[1]))
      return words;
    return {};
  case DatasetKind::BigQueryDataset:
  case DatasetKind::HiveTable:
    if (fromParts_.size() == 2 && add(fromParts_[1]))
      return words;
    return {};
  case DatasetKind::KafkaTopic:
  case DatasetKind::Literal:
    if (add(spec_.from))
      return words;
    return {};
  case DatasetKind::GcsPrefix:
    return {};
  }
  return {};
}

/// The matchers of one vector by index word, and those without one.
class MatcherIndex {
public:
  MatcherIndex(const std::vector<DatasetMatcher>& matchers)
      : base_(matchers.data()), size_(matchers.size()) {
    for (size_t i = 0; i < matchers.size(); ++i) {
      std::vector<std::string> words = matchers[i].indexWords();
      if (words.empty())
        always_.push_back(i);
      for (std::string& w : words) {
        std::vector<size_t>& list = byWord_[std::move(w)];
        if (list.empty() || list.back() != i)
          list.push_back(i);
      }
    }
  }

  bool indexes(std::span<const DatasetMatcher> matchers) const {
    return matchers.data() == base_ && matchers.size() == size_;
  }

  std::vector<size_t> candidates(std::string_view value) const {
    std::vector<size_t> out = always_;
    forEachWord(value, [&](std::string_view word) {
      if (auto found = byWord_.find(lower(word)); found != byWord_.end())
        out.insert(out.end(), found->second.begin(), found->second.end());
    });
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

private:
  const DatasetMatcher* base_;
  size_t size_;
  std::unordered_map<std::string, std::vector<size_t>> byWord_;
  std::vector<size_t> always_;
};

void indexMatchers(std::vector<DatasetMatcher>& matchers) {
  auto index = std::make_shared<const MatcherIndex>(matchers);
  for (DatasetMatcher& m : matchers)
    m.index_ = index;
}

void forEachCandidate(std::span<const DatasetMatcher> matchers, std::string_view value,
                      const std::function<void(size_t)>& visit) {
  const MatcherIndex* index = matchers.empty() ? nullptr : matchers.front().index_.get();
  if (!index || !index->indexes(matchers) || value.find(kHole) != npos) {
    for (size_t i = 0; i < matchers.size(); ++i)
      visit(i);
    return;
  }
  for (size_t i : index->candidates(value))
    visit(i);
}

} // namespace godwit
