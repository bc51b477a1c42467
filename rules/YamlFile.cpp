#include "rules/YamlFile.h"

#include "rules/Text.h"
#include "rules/YamlCheck.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>

namespace godwit {
namespace {
constexpr std::string_view kApiVersion = "godwit/v1";
} // namespace

std::string listOf(const std::vector<std::string_view>& words) {
  std::string out;
  for (std::string_view w : words) {
    if (!out.empty())
      out += ", ";
    out += w;
  }
  return out;
}

const YamlEntry* findYamlEntry(const std::vector<YamlEntry>& entries, std::string_view key) {
  for (const YamlEntry& e : entries)
    if (e.key == key)
      return &e;
  return nullptr;
}

std::string tick(std::string_view s) {
  return "`" + printable(s) + "`";
}

Expected<std::string> readYamlFile(const std::string& path, size_t maxBytes,
                                   std::string_view what) {
  const std::string name(what);
  const std::string hint = "check the path and its permissions";
  // O_NONBLOCK: a FIFO must not stall the run; it is refused below as not a regular file.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return Error{"cannot read the " + name + ": " + std::strerror(errno), path, 0, 0, hint};
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    const bool dir = S_ISDIR(st.st_mode);
    ::close(fd);
    return Error{"cannot read the " + name + ": it is " +
                     (dir ? "a directory" : "not a regular file"),
                 path, 0, 0, "pass the path of the " + name};
  }
  std::string text;
  text.resize(std::min<size_t>(static_cast<size_t>(st.st_size), maxBytes) + 1);
  size_t got = 0;
  for (;;) {
    if (got == text.size()) {
      if (got > maxBytes)
        break;
      text.resize(std::min(2 * text.size(), maxBytes + 1));
    }
    const ssize_t n = ::read(fd, text.data() + got, text.size() - got);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return Error{"cannot read the " + name + ": " + std::strerror(err), path, 0, 0, hint};
    }
    if (n == 0)
      break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  if (got > maxBytes)
    return Error{"the " + name + " is larger than " + std::to_string(maxBytes >> 20) + " MiB", path,
                 0, 0, "split it into several files"};
  text.resize(got);
  return text;
}

Error YamlFile::at(const YAML::Node& node, std::string message, std::string hint) const {
  YAML::Mark mark = node.Mark();
  if (mark.is_null())
    return Error{std::move(message), path_, 0, 0, std::move(hint)};
  return Error{std::move(message), path_, mark.line + 1, mark.column + 1, std::move(hint)};
}

Error YamlFile::at(int line, int column, std::string message, std::string hint) const {
  return Error{std::move(message), path_, line, column, std::move(hint)};
}

Expected<YAML::Node> YamlFile::parse(std::string_view text, std::string_view example) const {
  if (auto bad = checkYamlText(text, path_, kind_))
    return *bad;
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    Error error{"invalid YAML: " + e.msg, path_, 0, 0,
                "fix the YAML syntax (indentation, quotes, brackets) at this position"};
    if (!e.mark.is_null()) {
      error.line = e.mark.line + 1;
      error.column = e.mark.column + 1;
    }
    return error;
  }
  if (docs.empty() || docs[0].IsNull())
    return Error{"the " + kind_.file + " is empty", path_, 1, 1, std::string(example)};
  for (size_t i = 1; i < docs.size(); ++i)
    if (!docs[i].IsNull())
      return at(docs[i], "a " + kind_.file + " holds one YAML document",
                "remove the `---` separator; write one per file");
  if (!docs[0].IsMap())
    return at(docs[0], "the " + kind_.file + " must be a mapping of keys", std::string(example));
  return docs[0];
}

Expected<void> YamlFile::checkHeader(const YAML::Node& root, std::string_view kind) const {
  std::vector<YamlEntry> top;
  for (auto it = root.begin(); it != root.end(); ++it)
    if (it->first.IsScalar())
      top.push_back(YamlEntry{it->first.Scalar(), it->first, it->second});
  const std::string kindLine = "`kind: " + std::string(kind) + "`";
  const YamlEntry* apiVersion = findYamlEntry(top, "apiVersion");
  if (!apiVersion)
    return at(root, "missing `apiVersion`", "add `apiVersion: godwit/v1` as the first line");
  auto version = scalar(*apiVersion);
  if (!version)
    return version.error();
  if (*version != kApiVersion)
    return at(valueAnchor(*apiVersion), "unsupported apiVersion " + tick(*version),
              "use `apiVersion: godwit/v1`");
  const YamlEntry* kindEntry = findYamlEntry(top, "kind");
  if (!kindEntry)
    return at(root, "missing `kind`", "add " + kindLine);
  auto kindValue = scalar(*kindEntry);
  if (!kindValue)
    return kindValue.error();
  if (*kindValue != kind)
    return at(valueAnchor(*kindEntry),
              "`kind` is " + tick(*kindValue) + ", not `" + std::string(kind) + "`",
              "use " + kindLine);
  return {};
}

Expected<std::vector<YamlEntry>> YamlFile::entries(const YAML::Node& map,
                                                   const std::vector<std::string_view>& known,
                                                   std::string_view where) const {
  std::vector<YamlEntry> out;
  for (auto it = map.begin(); it != map.end(); ++it) {
    const YAML::Node key = it->first;
    if (!key.IsScalar())
      return at(key, "a key " + std::string(where) + " must be a plain word",
                "valid keys here: " + listOf(known));
    YamlEntry entry{key.Scalar(), key, it->second};
    if (const YamlEntry* first = findYamlEntry(out, entry.key))
      return at(key,
                "duplicate key " + tick(entry.key) + " (first at line " +
                    std::to_string(first->keyNode.Mark().line + 1) + ")",
                "keep one " + tick(entry.key) + " and remove the other");
    if (std::find(known.begin(), known.end(), entry.key) == known.end()) {
      std::string hint = "valid keys here: " + listOf(known);
      if (auto guess = closestWord(entry.key, known))
        hint = "did you mean " + tick(*guess) + "? " + hint;
      return at(key, "unknown key " + tick(entry.key) + " " + std::string(where), hint);
    }
    out.push_back(std::move(entry));
  }
  return out;
}

Expected<std::string> YamlFile::scalar(const YamlEntry& e, bool allowEmpty) const {
  if (e.value.IsNull()) {
    if (allowEmpty)
      return std::string();
    return at(e.keyNode, tick(e.key) + " is empty", "give " + tick(e.key) + " a value");
  }
  if (!e.value.IsScalar())
    return at(e.value,
              tick(e.key) + " must be a string, not a " +
                  (e.value.IsSequence() ? "list" : "mapping"),
              "write it on one line, e.g. `" + e.key + ": value`");
  if (e.value.Scalar().empty() && !allowEmpty)
    return at(e.value, tick(e.key) + " is empty", "give " + tick(e.key) + " a value");
  return e.value.Scalar();
}

Expected<std::vector<std::string>> YamlFile::stringList(const YamlEntry& e, std::string_view item,
                                                        std::string_view example) const {
  std::vector<std::string> out;
  if (e.value.IsNull())
    return out;
  if (!e.value.IsSequence())
    return at(e.value, tick(e.key) + " must be a list", std::string(example));
  for (const YAML::Node& node : e.value) {
    if (!node.IsScalar() || node.Scalar().empty())
      return at(node, "a " + tick(e.key) + " entry must be a non-empty " + std::string(item),
                std::string(example));
    out.push_back(node.Scalar());
  }
  return out;
}

Expected<int64_t> YamlFile::integer(const YamlEntry& e, int64_t minimum) const {
  const std::string hint =
      "e.g. `" + e.key + ": " + std::to_string(std::max<int64_t>(minimum, 10)) + "`";
  if (!e.value.IsScalar() || e.value.Scalar().empty())
    return at(valueAnchor(e), tick(e.key) + " must be a whole number", hint);
  const std::string& text = e.value.Scalar();
  int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9' || value > (int64_t(1) << 40))
      return at(e.value, tick(e.key) + " must be a whole number, not " + tick(text), hint);
    value = value * 10 + (c - '0');
  }
  if (value < minimum)
    return at(e.value, tick(e.key) + " must be at least " + std::to_string(minimum), hint);
  return value;
}

Expected<double> YamlFile::ratio(const YamlEntry& e) const {
  const std::string hint = "a number from 0 to 1, e.g. `" + e.key + ": 0.2`";
  if (!e.value.IsScalar() || e.value.Scalar().empty())
    return at(valueAnchor(e), tick(e.key) + " must be a number from 0 to 1", hint);
  const std::string& text = e.value.Scalar();
  char* end = nullptr;
  errno = 0;
  double value = std::strtod(text.c_str(), &end);
  if (errno != 0 || end != text.c_str() + text.size() || !(value >= 0 && value <= 1))
    return at(e.value, tick(e.key) + " must be a number from 0 to 1, not " + tick(text), hint);
  return value;
}

Expected<bool> YamlFile::boolean(const YamlEntry& e) const {
  if (!e.value.IsScalar() || (e.value.Scalar() != "true" && e.value.Scalar() != "false"))
    return at(valueAnchor(e), tick(e.key) + " must be true or false", "e.g. `" + e.key + ": true`");
  return e.value.Scalar() == "true";
}

} // namespace godwit
