#include "analyzers/RepoConstants.h"

#include <algorithm>
#include <cctype>

namespace godwit {
namespace {

// `$` ends a name: Scala writes `$Project` in an interpolation.
bool isWord(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> splitOn(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (size_t at = 0;;) {
    const size_t next = s.find(sep, at);
    out.push_back(trim(s.substr(at, next == std::string_view::npos ? s.npos : next - at)));
    if (next == std::string_view::npos)
      return out;
    at = next + 1;
  }
}

std::string dotsToSlashes(std::string_view dotted) {
  std::string out(dotted);
  std::replace(out.begin(), out.end(), '.', '/');
  return out;
}

std::string_view dirOf(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

bool isImportLine(std::string_view line) {
  line = trim(line);
  return line.starts_with("import ") || line.starts_with("from ");
}

enum class Lang { Java, Scala, Python, Other };

Lang langOf(std::string_view path) {
  if (path.ends_with(".java"))
    return Lang::Java;
  if (path.ends_with(".scala") || path.ends_with(".sc"))
    return Lang::Scala;
  if (path.ends_with(".py"))
    return Lang::Python;
  return Lang::Other;
}

/// Where a name a file uses may be defined: a class, object or module (a path without
/// extension, `/`-separated, or a bare simple name) and the member's name there.
struct Origin {
  std::string owner; ///< `com/acme/Tables`, `Tables` (simple name: any folder), `acme/config`.
  std::string member;
};

/// What one file's imports say about names: bare names bound to an owner's member, owners
/// imported whole (wildcards), and aliases of owners (Python modules, imported classes).
struct Imports {
  std::map<std::string, Origin, std::less<>> members;
  std::vector<std::string> wildcards;
  std::map<std::string, std::string, std::less<>> owners; ///< alias → owner path
};

Imports readImports(std::string_view path, std::string_view text, Lang lang) {
  Imports out;
  // Python `from x import (a,\n b)`: join a parenthesized import into one line.
  std::string joined;
  for (size_t at = 0; at < text.size();) {
    size_t end = text.find('\n', at);
    if (end == std::string_view::npos)
      end = text.size();
    std::string line(trim(text.substr(at, end - at)));
    at = end + 1;
    if (!isImportLine(line))
      continue;
    if (lang == Lang::Python && line.find('(') != std::string::npos) {
      while (line.find(')') == std::string::npos && at < text.size()) {
        size_t e = text.find('\n', at);
        if (e == std::string_view::npos)
          e = text.size();
        line += ' ';
        line += trim(text.substr(at, e - at));
        at = e + 1;
      }
      line.erase(std::remove(line.begin(), line.end(), '('), line.end());
      line.erase(std::remove(line.begin(), line.end(), ')'), line.end());
    }
    if (const size_t hash = line.find('#'); lang == Lang::Python && hash != std::string::npos)
      line.resize(hash);
    std::string_view l = trim(line);
    if (l.ends_with(";"))
      l.remove_suffix(1);
    if (lang == Lang::Java) {
      const bool isStatic = l.starts_with("import static ");
      std::string_view target = trim(l.substr(isStatic ? 14 : 7));
      const size_t dot = target.rfind('.');
      if (dot == std::string_view::npos)
        continue;
      const std::string owner = dotsToSlashes(target.substr(0, dot));
      const std::string_view last = target.substr(dot + 1);
      if (isStatic && last == "*")
        out.wildcards.push_back(owner);
      else if (isStatic)
        out.members[std::string(last)] = Origin{owner, std::string(last)};
      else if (last != "*")
        out.owners[std::string(last)] = dotsToSlashes(target);
    } else if (lang == Lang::Scala) {
      std::string_view target = trim(l.substr(7));
      const size_t brace = target.find('{');
      if (brace != std::string_view::npos) {
        std::string_view base = trim(target.substr(0, brace));
        if (base.ends_with("."))
          base.remove_suffix(1);
        const std::string owner = dotsToSlashes(base);
        std::string_view inner = target.substr(brace + 1);
        inner = inner.substr(0, inner.find('}'));
        for (std::string_view item : splitOn(inner, ',')) {
          const size_t arrow = item.find("=>");
          const std::string_view name = trim(item.substr(0, arrow));
          const std::string_view alias =
              arrow == std::string_view::npos ? name : trim(item.substr(arrow + 2));
          if (name == "_" || name == "*")
            out.wildcards.push_back(owner);
          else if (!name.empty() && alias != "_")
            out.members[std::string(alias)] = Origin{owner, std::string(name)};
        }
        continue;
      }
      const size_t dot = target.rfind('.');
      if (dot == std::string_view::npos)
        continue;
      const std::string owner = dotsToSlashes(target.substr(0, dot));
      const std::string_view last = target.substr(dot + 1);
      if (last == "_" || last == "*") {
        out.wildcards.push_back(owner);
      } else {
        // `import a.b.C.X`: X is a member of C, or a class of package a.b.C.
        out.members[std::string(last)] = Origin{owner, std::string(last)};
        out.owners[std::string(last)] = dotsToSlashes(target);
      }
    } else if (lang == Lang::Python) {
      // A relative module (`.config`, `..shared.tables`) starts from the file's package.
      const auto module = [&](std::string_view dotted) {
        size_t dots = 0;
        while (dots < dotted.size() && dotted[dots] == '.')
          ++dots;
        if (dots == 0)
          return dotsToSlashes(dotted);
        std::string base(dirOf(path));
        for (size_t up = 1; up < dots; ++up)
          base = std::string(dirOf(base));
        const std::string rest = dotsToSlashes(dotted.substr(dots));
        return base.empty() ? rest : rest.empty() ? base : base + "/" + rest;
      };
      if (l.starts_with("from ")) {
        const size_t imp = l.find(" import ");
        if (imp == std::string_view::npos)
          continue;
        const std::string owner = module(trim(l.substr(5, imp - 5)));
        for (std::string_view item : splitOn(l.substr(imp + 8), ',')) {
          const size_t as = item.find(" as ");
          const std::string_view name = trim(item.substr(0, as));
          const std::string_view alias =
              as == std::string_view::npos ? name : trim(item.substr(as + 4));
          if (name == "*") {
            out.wildcards.push_back(owner);
          } else if (!name.empty()) {
            out.members[std::string(alias)] = Origin{owner, std::string(name)};
            out.owners[std::string(alias)] =
                owner.empty() ? std::string(name) : owner + "/" + std::string(name);
          }
        }
      } else {
        for (std::string_view item : splitOn(l.substr(7), ',')) {
          const size_t as = item.find(" as ");
          const std::string_view name = trim(item.substr(0, as));
          if (as != std::string_view::npos)
            out.owners[std::string(trim(item.substr(as + 4)))] = module(name);
          else if (name.find('.') == std::string_view::npos && !name.empty())
            out.owners[std::string(name)] = module(name);
        }
      }
    }
  }
  return out;
}

/// The walked files by name, to find a class's or a module's file.
class FileNames {
public:
  explicit FileNames(const std::vector<std::string>& files) {
    for (const std::string& f : files) {
      const size_t slash = f.rfind('/');
      byName_[f.substr(slash == std::string::npos ? 0 : slash + 1)].push_back(f);
    }
  }

  /// The file of `owner` seen from `user`: a path owner must match as a path suffix; a simple
  /// name is looked for beside the user, then anywhere, and must be unique. Empty if unknown.
  std::string find(const std::string& owner, std::string_view user, Lang lang) const {
    const size_t slash = owner.rfind('/');
    const std::string simple = owner.substr(slash == std::string::npos ? 0 : slash + 1);
    std::vector<std::string> names;
    if (lang == Lang::Python)
      names = {simple + ".py", "__init__.py"};
    else
      names = {simple + ".java", simple + ".scala"};
    std::vector<const std::string*> matches, beside;
    for (const std::string& name : names) {
      auto it = byName_.find(name);
      if (it == byName_.end())
        continue;
      for (const std::string& f : it->second) {
        const std::string stem = f.substr(0, f.rfind('.'));
        const std::string want = name == "__init__.py" ? owner + "/__init__" : owner;
        const bool suffix = stem == want || stem.ends_with("/" + want);
        if (slash != std::string::npos || lang == Lang::Python) {
          if (suffix)
            matches.push_back(&f);
        } else if (name != "__init__.py") {
          matches.push_back(&f);
          if (dirOf(f) == dirOf(user))
            beside.push_back(&f);
        }
      }
    }
    if (beside.size() == 1)
      return *beside.front();
    return matches.size() == 1 ? *matches.front() : std::string();
  }

private:
  std::map<std::string, std::vector<std::string>, std::less<>> byName_;
};

} // namespace

bool RepoConstants::mentions(std::string_view text, std::string_view word) {
  for (size_t at = text.find(word); at != std::string_view::npos; at = text.find(word, at + 1)) {
    const size_t end = at + word.size();
    if ((at == 0 || !isWord(text[at - 1])) && (end == text.size() || !isWord(text[end])))
      return true;
  }
  return false;
}

int RepoConstants::usesIn(std::string_view text, std::string_view name) {
  const size_t dot = name.rfind('.');
  if (dot != std::string_view::npos)
    name = name.substr(dot + 1);
  int uses = 0;
  size_t lineStart = 0;
  for (size_t at = text.find(name); at != std::string_view::npos; at = text.find(name, at + 1)) {
    const size_t end = at + name.size();
    if ((at > 0 && isWord(text[at - 1])) || (end < text.size() && isWord(text[end])))
      continue;
    const size_t nl = text.rfind('\n', at);
    lineStart = nl == std::string_view::npos ? 0 : nl + 1;
    const size_t lineEnd = text.find('\n', at);
    if (!isImportLine(text.substr(lineStart, lineEnd == std::string_view::npos
                                                 ? text.npos
                                                 : lineEnd - lineStart)))
      ++uses;
  }
  return uses;
}

std::shared_ptr<const RepoConstants> RepoConstants::build(const std::vector<std::string>& files,
                                                          const std::vector<User>& users,
                                                          const Loader& load) {
  auto index = std::make_shared<RepoConstants>();
  std::optional<FileNames> names; // built on the first name that may be another file's
  const auto fileNames = [&]() -> const FileNames& {
    if (!names)
      names.emplace(files);
    return *names;
  };
  std::map<std::string, std::optional<std::vector<FileConstant>>, std::less<>> loaded;
  const auto constantsOf = [&](const std::string& file) -> const std::vector<FileConstant>* {
    auto it = loaded.find(file);
    if (it == loaded.end())
      it = loaded.emplace(file, load(file)).first;
    return it->second ? &*it->second : nullptr;
  };
  // The one constant `member` of `owner`'s file, seen from `user`; nullptr when there is none.
  const auto lookup = [&](const std::string& owner, std::string_view member, const User& user,
                          Lang lang, std::string& file) -> const FileConstant* {
    file = fileNames().find(owner, user.path, lang);
    if (file.empty() || file == user.path)
      return nullptr;
    const std::vector<FileConstant>* all = constantsOf(file);
    if (all == nullptr)
      return nullptr;
    const FileConstant* found = nullptr;
    for (const FileConstant& c : *all) {
      if (c.name != member)
        continue;
      if (found != nullptr)
        return nullptr; // two constants of that name: neither is resolved
      found = &c;
    }
    return found != nullptr && found->shared ? found : nullptr;
  };
  for (const User& user : users) {
    const Lang lang = langOf(user.path);
    if (lang == Lang::Other)
      continue;
    const Imports imports = readImports(user.path, user.text, lang);
    auto& resolved = index->byUser_[user.path];
    for (const std::string& name : user.names) {
      if (resolved.count(name))
        continue;
      std::vector<Origin> candidates;
      const size_t dot = name.find('.');
      if (dot != std::string::npos) {
        if (name.find('.', dot + 1) != std::string::npos)
          continue;
        const std::string qualifier = name.substr(0, dot), member = name.substr(dot + 1);
        auto owner = imports.owners.find(qualifier);
        if (owner != imports.owners.end())
          candidates.push_back(Origin{owner->second, member});
        else if (lang != Lang::Python)
          candidates.push_back(Origin{qualifier, member}); // a class of the same package
      } else if (auto m = imports.members.find(name); m != imports.members.end()) {
        candidates.push_back(m->second);
      } else {
        for (const std::string& w : imports.wildcards)
          candidates.push_back(Origin{w, name});
      }
      // Several wildcard owners that define the name: which one applies is not guessed.
      const FileConstant* found = nullptr;
      std::string foundFile;
      int count = 0;
      for (const Origin& o : candidates) {
        std::string file;
        if (const FileConstant* c = lookup(o.owner, o.member, user, lang, file)) {
          found = c;
          foundFile = file;
          ++count;
        }
      }
      if (count == 1) {
        resolved.emplace(name, RepoConstant{foundFile, *found});
        if (std::find(index->defining_.begin(), index->defining_.end(), foundFile) ==
            index->defining_.end())
          index->defining_.push_back(foundFile);
      }
    }
  }
  std::sort(index->defining_.begin(), index->defining_.end());
  return index;
}

const RepoConstant* RepoConstants::find(std::string_view path, std::string_view name) const {
  auto user = byUser_.find(path);
  if (user == byUser_.end())
    return nullptr;
  auto it = user->second.find(name);
  return it == user->second.end() ? nullptr : &it->second;
}

std::vector<std::string> RepoConstants::definingFiles() const {
  return defining_;
}

} // namespace godwit
