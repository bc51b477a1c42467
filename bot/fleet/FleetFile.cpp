#include "bot/fleet/FleetFile.h"
#include "rules/Text.h"

#include "rules/YamlFile.h"

#include <algorithm>
#include <cctype>
#include <map>

namespace godwit {
namespace {

const YamlFileKind kFleetText{"fleet file", "fleet"};
const std::vector<std::string_view> kTopKeys{"apiVersion", "kind", "repositories"};
const std::vector<std::string_view> kRepoKeys{"repo", "owner", "tier", "labels", "cloneUrl"};
constexpr std::string_view kExample = "start with `apiVersion: godwit/v1`, `kind: Fleet` and "
                                      "`repositories:` (see docs/runner.md)";
constexpr std::string_view kRepoExample =
    "e.g. `- {repo: acme/user-metrics, owner: team-analytics, tier: 1}`";

/// GitHub's owner and repository names: letters, digits, `-`, `_` and `.` (not `.` or `..`).
bool validPart(std::string_view s, size_t max) {
  if (s.empty() || s.size() > max || s == "." || s == "..")
    return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_' || c == '.';
  });
}

bool validFullName(std::string_view s) {
  const size_t slash = s.find('/');
  return slash != std::string_view::npos && validPart(s.substr(0, slash), 39) &&
         validPart(s.substr(slash + 1), 100);
}

class FleetParser : private YamlFile {
public:
  explicit FleetParser(const std::string& path) : YamlFile(path, kFleetText) {}

  Expected<std::vector<FleetRepo>> parse(std::string_view text) {
    auto root = YamlFile::parse(text, kExample);
    if (!root)
      return root.error();
    if (auto header = checkHeader(*root, "Fleet"); !header)
      return header.error();
    auto top = entries(*root, kTopKeys, "at the top level");
    if (!top)
      return top.error();
    const YamlEntry* list = findYamlEntry(*top, "repositories");
    if (!list)
      return at(*root, "missing `repositories`", "list the fleet under `repositories:`; " +
                                                     std::string(kRepoExample));
    if (!list->value.IsNull() && !list->value.IsSequence())
      return at(valueAnchor(*list), "`repositories` must be a list", std::string(kRepoExample));
    std::vector<FleetRepo> fleet;
    std::map<std::string, int> firstLine; // GitHub names are case-insensitive.
    for (const YAML::Node& node : list->value) {
      auto repo = parseRepo(node);
      if (!repo)
        return repo.error();
      const auto [it, fresh] = firstLine.emplace(lower(repo->fullName), node.Mark().line + 1);
      if (!fresh)
        return at(node,
                  "repository " + tick(repo->fullName) + " is listed twice (first at line " +
                      std::to_string(it->second) + ")",
                  "keep one entry per repository");
      fleet.push_back(std::move(*repo));
    }
    return fleet;
  }

private:
  Expected<FleetRepo> parseRepo(const YAML::Node& node) const {
    if (!node.IsMap())
      return at(node, "a `repositories` entry must be a mapping", std::string(kRepoExample));
    auto keys = entries(node, kRepoKeys, "in a repository");
    if (!keys)
      return keys.error();
    FleetRepo repo;
    repo.source = path() + ":" + std::to_string(node.Mark().line + 1) + ":" +
                  std::to_string(node.Mark().column + 1);
    for (const YamlEntry& k : *keys) {
      if (k.key == "tier") {
        auto tier = integer(k, 0);
        if (!tier)
          return tier.error();
        if (*tier > 1000)
          return at(k.value, "`tier` must be at most 1000", "tiers are small numbers, e.g. 0–3");
        repo.tier = static_cast<int>(*tier);
      } else if (k.key == "labels") {
        auto labels = stringList(k, "label", "e.g. `labels: [scala, batch]`");
        if (!labels)
          return labels.error();
        repo.labels = std::move(*labels);
      } else {
        auto value = scalar(k);
        if (!value)
          return value.error();
        if (k.key == "repo")
          repo.fullName = *value;
        else if (k.key == "owner")
          repo.owner = *value;
        else
          repo.cloneUrl = *value;
      }
    }
    const YamlEntry* name = findYamlEntry(*keys, "repo");
    if (!name)
      return at(node, "a repository needs `repo`", "name it as `repo: owner/name`");
    if (!validFullName(repo.fullName))
      return at(name->value, "invalid repository " + tick(repo.fullName),
                "write `owner/name`, as on GitHub (letters, digits, `-`, `_`, `.`)");
    if (repo.owner.empty())
      repo.owner = repo.fullName.substr(0, repo.fullName.find('/'));
    return repo;
  }
};

} // namespace

Expected<std::vector<FleetRepo>> parseFleetFile(std::string_view yaml, const std::string& path) {
  return FleetParser(path).parse(yaml);
}

Expected<std::vector<FleetRepo>> loadFleetFile(const std::string& path) {
  auto text = readYamlFile(path, kMaxFleetFileBytes, "fleet file");
  if (!text)
    return text.error();
  return parseFleetFile(*text, path);
}

} // namespace godwit
