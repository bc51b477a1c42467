#pragma once
// The webhook payloads of npm @octokit/webhooks-examples (pinned in third_party/octokit): every
// example of every event, as GitHub documents them, for the tests to read or to edit.

#include <nlohmann/json.hpp>

#include <fstream>
#include <stdexcept>
#include <string>

namespace godwit::webhooktest {

/// The whole index: `[{name, examples: [payload, …]}, …]`, read once.
inline const nlohmann::json& examplesIndex() {
  static const nlohmann::json index = [] {
    const std::string path = std::string(GODWIT_SOURCE_DIR) +
                             "/third_party/octokit/node_modules/@octokit/webhooks-examples/"
                             "api.github.com/index.json";
    std::ifstream in(path);
    if (!in)
      throw std::runtime_error("cannot read " + path + " (run scripts/install-deps)");
    return nlohmann::json::parse(in);
  }();
  return index;
}

/// Every example of `event`.
inline const nlohmann::json& examplesOf(const std::string& event) {
  for (const nlohmann::json& e : examplesIndex())
    if (e.at("name") == event)
      return e.at("examples");
  throw std::runtime_error("no examples of " + event);
}

/// The example push of a commit to the default branch (`master`), as an App receives it.
inline nlohmann::json pushToDefaultBranch() {
  for (const nlohmann::json& payload : examplesOf("push"))
    if (payload.at("ref") == "refs/heads/master" && payload.contains("installation"))
      return payload;
  throw std::runtime_error("no example of a push to master");
}

/// The first example of `event` whose action is `action` (empty: one without an action) and,
/// when `withInstallation`, that has `installation` as an App receives it.
inline nlohmann::json example(const std::string& event, const std::string& action = {},
                              bool withInstallation = false) {
  for (const nlohmann::json& payload : examplesOf(event)) {
    const std::string a = payload.value("action", "");
    if (a == action && (!withInstallation || payload.contains("installation")))
      return payload;
  }
  throw std::runtime_error("no example of " + event + " " + action);
}

} // namespace godwit::webhooktest
