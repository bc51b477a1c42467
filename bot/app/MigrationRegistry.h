#pragma once
// The App's registry of active migrations (docs/app.md#the-migration-registry): one migration
// file per `*.yaml`/`*.yml` in a folder, or in a subfolder of a registry repository, reloaded on
// SIGHUP or on a push there. Workers read an immutable snapshot; a reload publishes a new one.

#include "bot/git/Workspace.h"
#include "bot/github/CodeHost.h"
#include "rules/Expected.h"
#include "rules/Migration.h"

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace godwit {

/// One active migration and where it came from.
struct RegistryEntry {
  Migration migration;
  /// The file as errors name it: its path, or `owner/name:subdir/file` from a repository.
  std::string file;
  std::string digest;                             ///< migrationDigest of the file's text.
  std::chrono::system_clock::time_point loadedAt; ///< When this version was first loaded.
};

/// The active migrations at one moment, by name; never changed once published.
struct RegistrySnapshot {
  std::map<std::string, RegistryEntry> migrations;

  /// The entry named `name`, or nullptr.
  const RegistryEntry* find(const std::string& name) const;
};

/// What one reload did, by migration name (each list sorted), and the files that did not load.
struct RegistryReload {
  std::vector<std::string> added;
  std::vector<std::string> changed; ///< Its text changed (or it moved to another file).
  std::vector<std::string> removed; ///< Its file is gone, or no longer names it.
  /// Loaded before, from a file that does not load now: the previous version stays active.
  std::vector<std::string> kept;
  std::vector<Error> errors; ///< One per file that does not load, `file:line:col`.
  std::string commit;        ///< The registry repository's commit, when loaded from one.
};

/// The reload as log lines: one per added, changed, removed and kept migration and per error.
std::vector<std::string> reloadLines(const RegistryReload& reload);

/// The registry. snapshot() and the reloads may be called from any thread; reloads run one at a
/// time.
class MigrationRegistry {
public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  /// A registry of the folder `dir` (may be empty when it is only loaded with reloadFrom), with
  /// nothing loaded yet.
  explicit MigrationRegistry(
      std::filesystem::path dir = {},
      Clock clock = [] { return std::chrono::system_clock::now(); });

  /// The active migrations now; cheap (a shared pointer copied under a lock).
  std::shared_ptr<const RegistrySnapshot> snapshot() const;

  /// Reloads the folder given at construction: see reloadFrom.
  Expected<RegistryReload> reload();

  /// Loads every `*.yaml`/`*.yml` file directly in `dir` (not in subfolders; hidden files are
  /// skipped) and publishes the result. A file that does not load, or that names the same
  /// migration as another file (an error for both, naming both), keeps what was loaded from it
  /// before. A missing or unreadable `dir` is an error and changes nothing. Files are named
  /// `label` followed by their file name, `dir/` when `label` is empty.
  Expected<RegistryReload> reloadFrom(const std::filesystem::path& dir,
                                      const std::string& label = {});

private:
  std::filesystem::path dir_;
  Clock clock_;
  std::mutex reloading_;     ///< Held for a whole reload.
  mutable std::mutex mutex_; ///< Guards snapshot_ (the pointer, not what it points to).
  std::shared_ptr<const RegistrySnapshot> snapshot_;
};

/// The registry repository of `--registry-repo OWNER/NAME[:SUBDIR]`.
struct RegistryRepository {
  std::string fullName;              ///< `owner/name`.
  std::string subdir = "migrations"; ///< The folder of migration files in it.
};

/// Parses `OWNER/NAME[:SUBDIR]`; the subfolder is relative, without `..`, trailing `/` dropped.
Expected<RegistryRepository> parseRegistryRepository(const std::string& text);

/// Loads `registry` from the folder `subdir` of `repo` at commit `sha` (empty: the tip of its
/// default branch): opens and fetches the repository's bare cache (Workspace), checks the commit
/// out into a temporary folder and calls reloadFrom with the label `owner/name:subdir/`. An error
/// (fetch, unknown commit, no such folder) changes nothing.
Expected<RegistryReload> reloadFromRepository(MigrationRegistry& registry, const Repository& repo,
                                              const WorkspaceOptions& options,
                                              const std::string& subdir,
                                              const std::string& sha = {});

/// reloadFromRepository for `registry` as configured: the repository as `host` reports it (its
/// clone URL), fetched into the caches under `cacheDir` with `host`'s token.
Expected<RegistryReload> loadRegistryRepository(MigrationRegistry& registry,
                                                const RegistryRepository& where, CodeHost& host,
                                                const std::filesystem::path& cacheDir,
                                                const std::string& sha = {});

} // namespace godwit
