#include "bot/app/MigrationRegistry.h"

#include "bot/fleet/Campaign.h"
#include "rules/YamlFile.h"

#include <algorithm>
#include <set>
#include <system_error>

namespace godwit {
namespace {

namespace fs = std::filesystem;

/// A file that loaded: the migration and its digest.
struct Loaded {
  Migration migration;
  std::string digest;
  SourcePos namePos; ///< Where `name:` is, for the duplicate-name error.
};

// The position of the top-level `name:` key, the only place a migration's name is written.
SourcePos namePosition(std::string_view text) {
  int line = 1;
  for (size_t at = 0; at < text.size(); ++line) {
    const size_t end = std::min(text.find('\n', at), text.size());
    if (text.substr(at, end - at).starts_with("name:"))
      return {line, 1};
    at = end + 1;
  }
  return {};
}

bool isMigrationFile(const fs::path& name) {
  const std::string file = name.filename().string();
  return !file.starts_with(".") && (name.extension() == ".yaml" || name.extension() == ".yml");
}

void sortNames(std::vector<std::string>& names) {
  std::sort(names.begin(), names.end());
}

} // namespace

const RegistryEntry* RegistrySnapshot::find(const std::string& name) const {
  const auto it = migrations.find(name);
  return it == migrations.end() ? nullptr : &it->second;
}

std::vector<std::string> reloadLines(const RegistryReload& reload) {
  std::vector<std::string> lines;
  for (const std::string& name : reload.added)
    lines.push_back("migration added: " + name);
  for (const std::string& name : reload.changed)
    lines.push_back("migration changed: " + name);
  for (const std::string& name : reload.removed)
    lines.push_back("migration removed: " + name);
  for (const std::string& name : reload.kept)
    lines.push_back("migration kept: " + name +
                    ": its file does not load now, the version loaded before stays active");
  for (const Error& error : reload.errors) {
    Error oneLine = error;
    oneLine.hint.clear();
    lines.push_back(oneLine.str() + (error.hint.empty() ? "" : "; hint: " + error.hint));
  }
  return lines;
}

MigrationRegistry::MigrationRegistry(fs::path dir, Clock clock)
    : dir_(std::move(dir)), clock_(std::move(clock)),
      snapshot_(std::make_shared<const RegistrySnapshot>()) {}

std::shared_ptr<const RegistrySnapshot> MigrationRegistry::snapshot() const {
  std::lock_guard lock(mutex_);
  return snapshot_;
}

Expected<RegistryReload> MigrationRegistry::reload() {
  return reloadFrom(dir_);
}

Expected<RegistryReload> MigrationRegistry::reloadFrom(const fs::path& dir,
                                                       const std::string& label) {
  std::lock_guard reloading(reloading_);
  const std::string folderName = label.empty() ? dir.string() : label;
  const auto named = [&](const fs::path& file) {
    return label.empty() ? file.string() : label + file.filename().string();
  };

  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return Error{"the migration folder does not exist or is not a folder", folderName, 0, 0,
                 label.empty() ? "give --migrations the folder that holds the migration files"
                               : "the registry repository's folder of migration files is missing "
                                 "at this commit"};
  std::vector<fs::path> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code typeError;
    if (isMigrationFile(it->path()) && it->is_regular_file(typeError))
      files.push_back(it->path());
  }
  if (ec)
    return Error{"cannot read the migration folder: " + ec.message(), folderName, 0, 0, ""};
  std::sort(files.begin(), files.end());

  RegistryReload report;
  std::set<std::string> badFiles;
  std::map<std::string, Loaded> loaded;                    // by file name
  std::map<std::string, std::vector<std::string>> filesOf; // migration name → its files
  for (const fs::path& path : files) {
    const std::string file = named(path);
    auto text = readYamlFile(path.string(), kMaxMigrationBytes, "migration file");
    if (!text) {
      Error error = text.error();
      error.file = file;
      report.errors.push_back(std::move(error));
      badFiles.insert(file);
      continue;
    }
    auto migration = parseMigration(*text, file);
    if (!migration) {
      report.errors.push_back(migration.error());
      badFiles.insert(file);
      continue;
    }
    filesOf[migration->name].push_back(file);
    loaded.emplace(file,
                   Loaded{std::move(*migration), migrationDigest(*text), namePosition(*text)});
  }

  const std::shared_ptr<const RegistrySnapshot> before = snapshot();
  const auto now = clock_();
  auto next = std::make_shared<RegistrySnapshot>();
  std::set<std::string> duplicated;
  for (const auto& [name, names] : filesOf) {
    if (names.size() > 1) {
      duplicated.insert(name);
      for (const std::string& file : names) {
        std::string others;
        for (const std::string& other : names)
          if (other != file)
            others += (others.empty() ? "" : ", ") + other;
        const SourcePos pos = loaded.at(file).namePos;
        report.errors.push_back(Error{"migration `" + name + "` is also named in " + others, file,
                                      pos.line, pos.column,
                                      "each migration is in one file: rename or remove one"});
      }
      continue;
    }
    Loaded& one = loaded.at(names.front());
    const RegistryEntry* old = before->find(name);
    if (old && old->digest == one.digest && old->file == names.front()) {
      next->migrations.emplace(name, *old);
      continue;
    }
    (old ? report.changed : report.added).push_back(name);
    next->migrations.emplace(
        name, RegistryEntry{std::move(one.migration), names.front(), one.digest, now});
  }
  // What a bad file (or a duplicated name) held before stays active.
  for (const auto& [name, entry] : before->migrations) {
    if (next->migrations.contains(name))
      continue;
    if (badFiles.contains(entry.file) || duplicated.contains(name)) {
      report.kept.push_back(name);
      next->migrations.emplace(name, entry);
    } else {
      report.removed.push_back(name);
    }
  }
  sortNames(report.added);
  sortNames(report.changed);
  sortNames(report.removed);
  sortNames(report.kept);

  std::lock_guard lock(mutex_);
  snapshot_ = std::move(next);
  return report;
}

Expected<RegistryRepository> parseRegistryRepository(const std::string& text) {
  const auto bad = [&text](const std::string& why) {
    return makeError("--registry-repo " + text + ": " + why,
                     "give OWNER/NAME or OWNER/NAME:SUBDIR, e.g. acme/migrations:migrations");
  };
  RegistryRepository out;
  const size_t colon = text.find(':');
  out.fullName = text.substr(0, colon);
  const size_t slash = out.fullName.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == out.fullName.size() ||
      out.fullName.find('/', slash + 1) != std::string::npos)
    return bad("the repository is not OWNER/NAME");
  if (colon == std::string::npos)
    return out;
  std::string subdir = text.substr(colon + 1);
  while (!subdir.empty() && subdir.back() == '/')
    subdir.pop_back();
  if (subdir.starts_with("/"))
    return bad("the folder must be relative to the repository's root");
  for (const fs::path& part : fs::path(subdir))
    if (part == "..")
      return bad("the folder must not leave the repository (`..`)");
  out.subdir = subdir;
  return out;
}

Expected<RegistryReload> reloadFromRepository(MigrationRegistry& registry, const Repository& repo,
                                              const WorkspaceOptions& options,
                                              const std::string& subdir, const std::string& sha) {
  auto workspace = Workspace::open(repo, options);
  if (!workspace)
    return workspace.error();
  std::string commit = sha;
  if (commit.empty()) {
    const std::string branch =
        repo.defaultBranch.empty() ? workspace->remoteHead() : repo.defaultBranch;
    auto tip = workspace->remoteTip(branch);
    if (!tip)
      return tip.error();
    if (!*tip)
      return makeError("the registry repository " + repo.fullName + " has no branch `" + branch +
                           "`",
                       "push the migration files to its default branch");
    commit = **tip;
  }
  auto checkout = workspace->checkout(commit);
  if (!checkout)
    return checkout.error();
  std::string folder = subdir;
  while (!folder.empty() && folder.back() == '/')
    folder.pop_back();
  auto reload = registry.reloadFrom(folder.empty() ? checkout->path() : checkout->path() / folder,
                                    repo.fullName + ":" + (folder.empty() ? "" : folder + "/"));
  if (reload)
    reload->commit = commit;
  return reload;
}

Expected<RegistryReload> loadRegistryRepository(MigrationRegistry& registry,
                                                const RegistryRepository& where, CodeHost& host,
                                                const std::filesystem::path& cacheDir,
                                                const std::string& sha) {
  Expected<Repository> repo = host.repository(where.fullName);
  if (!repo)
    return repo.error();
  WorkspaceOptions options;
  options.cacheDir = cacheDir;
  options.token = [&host] { return host.gitToken(); };
  return reloadFromRepository(registry, *repo, options, where.subdir, sha);
}

} // namespace godwit
