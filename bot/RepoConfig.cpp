#include "bot/RepoConfig.h"

#include "rules/Glob.h"
#include "rules/Text.h"
#include "rules/YamlCheck.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace godwit {
namespace {

constexpr size_t kMaxConfigBytes = 64 * 1024;
const YamlFileKind kConfigText{".godwit.yaml file", ".godwit.yaml"};
const std::vector<std::string_view> kKeys{"optOut", "skip", "exclude", "reviewers"};

std::string tick(std::string_view s) {
  return "`" + printable(s) + "`";
}

std::string known() {
  std::string out;
  for (std::string_view k : kKeys)
    out += (out.empty() ? "" : ", ") + std::string(k);
  return out;
}

// One parse; every error names the file and the node at fault.
class ConfigParser {
public:
  explicit ConfigParser(std::string path) : path_(std::move(path)) {}

  Error at(const YAML::Node& node, std::string message, std::string hint) const {
    const YAML::Mark mark = node.Mark();
    if (mark.is_null())
      return Error{std::move(message), path_, 0, 0, std::move(hint)};
    return Error{std::move(message), path_, mark.line + 1, mark.column + 1, std::move(hint)};
  }

  /// A list of non-empty strings (a single string is not taken: it is too easy to misread).
  Expected<std::vector<std::string>> list(const YAML::Node& key, const YAML::Node& value,
                                          const std::string& example) const {
    const std::string name = key.Scalar();
    if (value.IsNull())
      return std::vector<std::string>{};
    if (!value.IsSequence())
      return at(value, tick(name) + " must be a list", "e.g. `" + name + ": " + example + "`");
    std::vector<std::string> out;
    for (const YAML::Node& item : value) {
      if (!item.IsScalar() || item.Scalar().empty())
        return at(item, "each item of " + tick(name) + " must be a non-empty string",
                  "e.g. `" + name + ": " + example + "`");
      out.push_back(item.Scalar());
    }
    return out;
  }

  Expected<RepoConfig> parse(std::string_view text) const {
    if (auto bad = checkYamlText(text, path_, kConfigText))
      return *bad;
    YAML::Node root;
    try {
      root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
      Error error{"invalid YAML: " + e.msg, path_, 0, 0, "fix the YAML syntax at this position"};
      if (!e.mark.is_null()) {
        error.line = e.mark.line + 1;
        error.column = e.mark.column + 1;
      }
      return error;
    }
    RepoConfig config;
    if (root.IsNull())
      return config;
    if (!root.IsMap())
      return at(root, ".godwit.yaml must be a mapping of keys", "valid keys: " + known());
    std::vector<std::string> seen;
    for (auto it = root.begin(); it != root.end(); ++it) {
      const YAML::Node key = it->first;
      const YAML::Node value = it->second;
      if (!key.IsScalar())
        return at(key, "a key must be a plain word", "valid keys: " + known());
      const std::string& name = key.Scalar();
      if (std::find(seen.begin(), seen.end(), name) != seen.end())
        return at(key, "duplicate key " + tick(name), "keep one " + tick(name));
      seen.push_back(name);
      if (name == "optOut") {
        if (!value.IsScalar() || (value.Scalar() != "true" && value.Scalar() != "false"))
          return at(value.IsNull() ? key : value, "`optOut` must be true or false",
                    "e.g. `optOut: true` to keep every migration away from this repository");
        config.optOut = value.Scalar() == "true";
      } else if (name == "skip") {
        auto names = list(key, value, "[user-profile-v2]");
        if (!names)
          return names.error();
        config.skip = std::move(*names);
      } else if (name == "exclude") {
        auto globs = list(key, value, "[\"legacy/**\"]");
        if (!globs)
          return globs.error();
        for (size_t i = 0; i < globs->size(); ++i)
          if (auto glob = Glob::compile((*globs)[i]); !glob)
            return at(value[i],
                      glob.error().message + " (at character " +
                          std::to_string(glob.error().column) + ")",
                      glob.error().hint);
        config.exclude = std::move(*globs);
      } else if (name == "reviewers") {
        auto logins = list(key, value, "[octocat, acme/data-platform]");
        if (!logins)
          return logins.error();
        for (size_t i = 0; i < logins->size(); ++i)
          if (!isValidReviewer((*logins)[i]))
            return at(value[i], "invalid reviewer " + tick((*logins)[i]),
                      "a GitHub login (letters, digits and `-`) or `org/team`");
        config.reviewers = std::move(*logins);
      } else {
        std::string hint = "valid keys: " + known();
        if (auto guess = closestWord(name, kKeys))
          hint = "did you mean " + tick(*guess) + "? " + hint;
        return at(key, "unknown key " + tick(name) + " in .godwit.yaml", hint);
      }
    }
    return config;
  }

private:
  std::string path_;
};

void addOnce(std::vector<std::string>& to, const std::vector<std::string>& items) {
  for (const std::string& item : items)
    if (std::find(to.begin(), to.end(), item) == to.end())
      to.push_back(item);
}

} // namespace

Expected<RepoConfig> parseRepoConfig(std::string_view text, const std::string& path) {
  return ConfigParser(path).parse(text);
}

Expected<std::optional<RepoConfig>> loadRepoConfig(const std::filesystem::path& checkout) {
  const std::filesystem::path file = checkout / kRepoConfigFile;
  const std::string name(kRepoConfigFile);
  struct stat st {};
  if (::lstat(file.c_str(), &st) != 0)
    return std::optional<RepoConfig>();
  if (!S_ISREG(st.st_mode))
    return Error{"cannot read .godwit.yaml: it is not a regular file", name, 0, 0,
                 "make .godwit.yaml a plain file at the repository's root (not a link or folder)"};
  if (static_cast<size_t>(st.st_size) > kMaxConfigBytes)
    return Error{".godwit.yaml is larger than 64 KiB", name, 0, 0,
                 "it holds a few keys; check that the right file was committed"};
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in && !in.eof())
    return Error{"cannot read .godwit.yaml", name, 0, 0, "check the file"};
  auto config = parseRepoConfig(text.str(), name);
  if (!config)
    return config.error();
  return std::optional<RepoConfig>(std::move(*config));
}

std::optional<std::string> optOutReason(const RepoConfig& config, const std::string& migration) {
  if (config.optOut)
    return std::string(".godwit.yaml opts out of every migration");
  if (std::find(config.skip.begin(), config.skip.end(), migration) != config.skip.end())
    return ".godwit.yaml skips " + migration;
  return std::nullopt;
}

void applyRepoConfig(const RepoConfig& config, RunOptions& run, PullRequestOptions& pullRequest) {
  addOnce(run.exclude, config.exclude);
  addOnce(pullRequest.reviewers, config.reviewers);
}

std::function<Expected<bool>(const std::filesystem::path&, RunOptions&, PullRequestOptions&)>
repoConfigHook(std::string migration) {
  return [migration = std::move(migration)](const std::filesystem::path& checkout, RunOptions& run,
                                            PullRequestOptions& pullRequest) -> Expected<bool> {
    auto config = loadRepoConfig(checkout);
    if (!config)
      return config.error();
    if (!*config)
      return true;
    if (optOutReason(**config, migration))
      return false;
    applyRepoConfig(**config, run, pullRequest);
    return true;
  };
}

} // namespace godwit
