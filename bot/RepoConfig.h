#pragma once
// A consumer repository's say over the bot: `.godwit.yaml` at its root can opt out of every
// migration or of named ones, add exclude globs and add reviewers (docs/runner.md). The sweep
// and discover read it from the checkout before the analysis, through LifecycleOptions::prepare.

#include "bot/PullRequestBody.h"
#include "rewriters/Engine.h"
#include "rules/Expected.h"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace godwit {

/// The file's name at the repository's root.
inline constexpr std::string_view kRepoConfigFile = ".godwit.yaml";

/// What `.godwit.yaml` says; every key is optional.
struct RepoConfig {
  bool optOut = false;                ///< `optOut: true`: no migration touches the repository.
  std::vector<std::string> skip;      ///< Names of migrations that leave the repository alone.
  std::vector<std::string> exclude;   ///< Globs added to every migration's excludes.
  std::vector<std::string> reviewers; ///< Logins or `org/team`, added to the migration's.
};

/// Parses and validates the text of a `.godwit.yaml`; errors are `path:line:col` with a hint.
Expected<RepoConfig> parseRepoConfig(std::string_view text, const std::string& path);

/// Reads `.godwit.yaml` from the root of `checkout`; nullopt when there is none. A symbolic
/// link, a folder or a file over 64 KiB is an error.
Expected<std::optional<RepoConfig>> loadRepoConfig(const std::filesystem::path& checkout);

/// Why the repository is left alone by `migration`, or nullopt when it takes part.
std::optional<std::string> optOutReason(const RepoConfig& config, const std::string& migration);

/// Narrows a run by the configuration: its excludes join `run.exclude`, its reviewers join the
/// pull request's (each once).
void applyRepoConfig(const RepoConfig& config, RunOptions& run, PullRequestOptions& pullRequest);

/// The LifecycleOptions::prepare hook of `migration`: reads the checkout's `.godwit.yaml`,
/// answers false when the repository opts out, otherwise narrows the run; an invalid file is
/// the error.
std::function<Expected<bool>(const std::filesystem::path&, RunOptions&, PullRequestOptions&)>
repoConfigHook(std::string migration);

} // namespace godwit
