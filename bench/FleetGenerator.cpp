#include "bench/FleetGenerator.h"

#include <git2.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <random>
#include <string>
#include <vector>

namespace godwit {
namespace {

constexpr std::array kWords = {"user",  "event",   "session", "count",  "window", "metric", "record",
                               "table", "country", "device",  "stream", "score",  "region", "batch",
                               "job",   "profile", "click",   "search", "ads",    "report"};

// Every spelling godwit must find, and look-alikes it must not rewrite.
constexpr std::array kReferences = {
    "\"acme-prod.core_users.user_profile_v1\"",
    "\"acme-prod:core_users.user_profile_v1\"",
    "\"`acme-prod.core_users.user_profile_v1`\"",
    "\"[acme-prod:core_users.user_profile_v1]\"",
    "\"acme-prod:core_users.user_profile_v1$20240101\"",
    "\"gs://acme-raw/events/playback/2024/01/*.avro\"",
    "\"clicks,playback-events,searches\"",
};
constexpr std::array kNearMisses = {
    "\"acme-prod.core_users.user_profile_v10\"",
    "\"acme-prod.core_users.user_profile_v1_backup\"",
    "\"other-proj.core_users.user_profile_v1\"",
    "\"gs://acme-raw/events/playback_archive/\"",
    "\"playback-events-dlq\"",
};

// The same datasets as SQL names them (BigQuery Runner style `queries/*.sql`).
constexpr std::array kSqlReferences = {
    "`acme-prod.core_users.user_profile_v1`",
    "`acme-prod`.`core_users`.`user_profile_v1`",
    "acme-prod.core_users.user_profile_v1",
};
constexpr std::array kSqlNearMisses = {
    "`acme-prod.core_users.user_profile_v10`",
    "`other-proj.core_users.user_profile_v1`",
    "`acme-prod.core_users.user_profile_v1_backup`",
};

enum class Kind { Scala, Java, Python, Yaml, Json, Conf, Sql };

struct Generator {
  std::mt19937_64 rng;

  size_t pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); }
  std::string word() { return kWords[pick(kWords.size())]; }
  std::string ident() { return word() + "_" + word() + std::to_string(pick(100)); }
  std::string camel() {
    std::string w = word() + word();
    w[0] = static_cast<char>(w[0] - 'a' + 'A');
    return w;
  }

  std::string line(Kind kind, const char* literal) {
    std::string value = "\"";
    value += ident();
    value += ".";
    value += word();
    value += "\"";
    if (literal)
      value = literal;
    else if (kind == Kind::Sql)
      value = "`acme-prod." + word() + "." + ident() + "`";
    switch (kind) {
    case Kind::Scala:
      return "    val " + ident() + " = sc.textFile(" + value + ").map(_.split(\",\")).filter(_.nonEmpty) // " + word() + "\n";
    case Kind::Java:
      return "    String " + ident() + " = options.get" + camel() + "().concat(" + value + "); // " + word() + "\n";
    case Kind::Python:
      return "    " + ident() + " = client.query(" + value + ", timeout=" + std::to_string(pick(60)) + ")  # " + word() + "\n";
    case Kind::Yaml:
      return "  " + ident() + ": " + value + "\n";
    case Kind::Json:
      return "  \"" + ident() + "\": " + value + ",\n";
    case Kind::Conf:
      return ident() + " = " + value + "\n";
    case Kind::Sql:
      return "  SELECT user_id, " + ident() + " FROM " + value + " WHERE " + word() + " > " +
             std::to_string(pick(100)) + "\n  UNION ALL\n";
    }
    return {};
  }

  std::string file(Kind kind, size_t bytes, const std::vector<const char*>& literals) {
    std::string out;
    switch (kind) {
    case Kind::Scala:
      out = "package com.acme." + word() + "\n\nimport com.spotify.scio._\n\nobject " + camel() + "Job {\n  def run(sc: ScioContext): Unit = {\n";
      break;
    case Kind::Java:
      out = "package com.acme." + word() + ";\n\nimport org.apache.beam.sdk.Pipeline;\n\npublic class " + camel() + "Job {\n  void run() {\n";
      break;
    case Kind::Python:
      out = "from google.cloud import bigquery\n\n\ndef " + ident() + "(client):\n";
      break;
    case Kind::Yaml:
      out = word() + ":\n";
      break;
    case Kind::Json:
      out = "{\n";
      break;
    case Kind::Conf:
      out = "# " + word() + " settings\n";
      break;
    case Kind::Sql:
      out = "-- " + word() + " report, scheduled daily\nSELECT user_id, COUNT(*) AS n FROM (\n";
      break;
    }
    // Spread the given literals over the body.
    std::vector<size_t> at;
    for (size_t i = 0; i < literals.size(); ++i)
      at.push_back(pick(bytes / 80 + 1));
    size_t n = 0;
    while (out.size() < bytes) {
      const char* literal = nullptr;
      for (size_t i = 0; i < at.size(); ++i)
        if (at[i] == n)
          literal = literals[i];
      out += line(kind, literal);
      ++n;
    }
    for (size_t i = 0; i < at.size(); ++i)
      if (at[i] >= n)
        out += line(kind, literals[i]);
    switch (kind) {
    case Kind::Scala:
    case Kind::Java:
      out += "  }\n}\n";
      break;
    case Kind::Json:
      out += "  \"end\": true\n}\n";
      break;
    case Kind::Sql:
      out += "  SELECT user_id, 0 FROM `acme-prod.reporting.empty`\n)\nGROUP BY user_id\n";
      break;
    default:
      break;
    }
    return out;
  }
};

/// One generated file: where it goes (`src/<word>-<i>.<ext>`) and what it holds.
struct GeneratedFile {
  std::string path;
  std::string text;
};

/// File `i` of a fleet: the kind by `i`, a reference or look-alike by chance.
GeneratedFile nextFile(Generator& g, size_t i, const FleetSpec& spec, FleetStats& stats) {
  static const std::array<std::pair<Kind, const char*>, 7> kinds = {
      {{Kind::Scala, ".scala"},
       {Kind::Java, ".java"},
       {Kind::Python, ".py"},
       {Kind::Sql, ".sql"},
       {Kind::Yaml, ".yaml"},
       {Kind::Json, ".json"},
       {Kind::Conf, ".conf"}}};
  {
    // 25% Scala, 25% Java, 20% Python, 10% SQL, 20% YAML, JSON and HOCON.
    const size_t slot = i % 20;
    const auto& [kind, ext] = kinds[slot < 5    ? 0
                                    : slot < 10 ? 1
                                    : slot < 14 ? 2
                                    : slot < 16 ? 3
                                                : 4 + g.pick(3)];
    std::vector<const char*> literals;
    const double roll = std::uniform_real_distribution<double>(0, 1)(g.rng);
    const bool sql = kind == Kind::Sql;
    if (roll < spec.referenceShare) {
      literals.push_back(sql ? kSqlReferences[g.pick(kSqlReferences.size())]
                             : kReferences[g.pick(kReferences.size())]);
      ++stats.withReferences;
    } else if (roll < spec.referenceShare + spec.nearMissShare) {
      literals.push_back(sql ? kSqlNearMisses[g.pick(kSqlNearMisses.size())]
                             : kNearMisses[g.pick(kNearMisses.size())]);
      ++stats.withNearMisses;
    }
    const size_t bytes = spec.meanBytes / 2 + g.pick(spec.meanBytes);
    GeneratedFile out{"src/" + g.word() + "-" + std::to_string(i) + ext, ""};
    out.text = g.file(kind, bytes, literals);
    ++stats.files;
    stats.bytes += out.text.size();
    return out;
  }
}

} // namespace

Expected<FleetStats> generateFleet(const std::filesystem::path& dir, const FleetSpec& spec) {
  namespace fs = std::filesystem;
  Generator g{std::mt19937_64(spec.seed)};
  FleetStats stats;
  std::error_code ec;
  for (size_t i = 0; i < spec.files; ++i) {
    const GeneratedFile file = nextFile(g, i, spec, stats);
    const fs::path path = dir / ("repo-" + std::to_string(i / 100)) / file.path;
    fs::create_directories(path.parent_path(), ec);
    if (ec)
      return Error{"cannot create folder: " + ec.message(), path.parent_path().string(), 0, 0, ""};
    std::ofstream out(path, std::ios::binary);
    out << file.text;
    if (!out)
      return Error{"cannot write file", path.string(), 0, 0, "check free disk space"};
  }
  return stats;
}

namespace {

/// Writes `files` as the one commit of `main` in a new bare repository at `path`.
Expected<void> writeBareRepo(const std::filesystem::path& path,
                             const std::vector<GeneratedFile>& files) {
  git_repository* repo = nullptr;
  git_repository_init_options init = GIT_REPOSITORY_INIT_OPTIONS_INIT;
  init.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_MKPATH;
  init.initial_head = "main";
  if (git_repository_init_ext(&repo, path.c_str(), &init) < 0)
    return Error{"cannot create a bare repository", path.string(), 0, 0, "check free disk space"};
  auto fail = [&](const char* what) {
    git_repository_free(repo);
    const git_error* e = git_error_last();
    return Error{std::string(what) + ": " + (e ? e->message : "unknown"), path.string(), 0, 0,
                 "check free disk space"};
  };
  git_treebuilder* src = nullptr;
  if (git_treebuilder_new(&src, repo, nullptr) < 0)
    return fail("cannot build a tree");
  for (const GeneratedFile& f : files) {
    git_oid blob;
    if (git_blob_create_from_buffer(&blob, repo, f.text.data(), f.text.size()) < 0 ||
        git_treebuilder_insert(nullptr, src, f.path.substr(4).c_str(), &blob,
                               GIT_FILEMODE_BLOB) < 0) {
      git_treebuilder_free(src);
      return fail("cannot write a file");
    }
  }
  git_oid srcTree, rootTree, commitId;
  git_treebuilder* root = nullptr;
  const bool built = git_treebuilder_write(&srcTree, src) == 0 &&
                     git_treebuilder_new(&root, repo, nullptr) == 0 &&
                     git_treebuilder_insert(nullptr, root, "src", &srcTree, GIT_FILEMODE_TREE) ==
                         0 &&
                     git_treebuilder_write(&rootTree, root) == 0;
  git_treebuilder_free(src);
  git_treebuilder_free(root);
  if (!built)
    return fail("cannot write a tree");
  git_tree* tree = nullptr;
  git_signature* sig = nullptr;
  const bool committed =
      git_tree_lookup(&tree, repo, &rootTree) == 0 &&
      git_signature_new(&sig, "Fleet Bench", "bench@example.invalid", 1767225600, 0) == 0 &&
      git_commit_create_v(&commitId, repo, "refs/heads/main", sig, sig, nullptr,
                          "Initial commit\n", tree, 0) == 0;
  git_signature_free(sig);
  git_tree_free(tree);
  if (!committed)
    return fail("cannot commit");
  git_repository_free(repo);
  return {};
}

} // namespace

Expected<RepoFleetStats> generateRepoFleet(const std::filesystem::path& dir,
                                           const RepoFleetSpec& spec) {
  namespace fs = std::filesystem;
  git_libgit2_init();
  Generator g{std::mt19937_64(spec.files.seed)};
  RepoFleetStats stats;
  std::ostringstream fleet, tsv;
  fleet << "apiVersion: godwit/v1\nkind: Fleet\nrepositories:\n";
  size_t file = 0;
  for (size_t r = 0; r < spec.repos; ++r) {
    char name[32];
    std::snprintf(name, sizeof name, "acme/repo-%05zu", r);
    const size_t before = stats.files.withReferences;
    std::vector<GeneratedFile> files;
    for (size_t f = 0; f < spec.filesPerRepo; ++f)
      files.push_back(nextFile(g, file++, spec.files, stats.files));
    stats.consumers += stats.files.withReferences > before ? 1 : 0;
    const fs::path path = dir / "remotes" / (std::string(name) + ".git");
    if (Expected<void> w = writeBareRepo(path, files); !w) {
      git_libgit2_shutdown();
      return w.error();
    }
    ++stats.repos;
    const std::string url = "file://" + fs::absolute(path).string();
    fleet << "  - repo: " << name << "\n    owner: team-" << r % 50 << "\n    tier: " << r % 3
          << "\n    cloneUrl: " << url << "\n";
    tsv << name << "\t" << url << "\n";
  }
  git_libgit2_shutdown();
  std::ofstream(dir / "fleet.yaml") << fleet.str();
  std::ofstream(dir / "repos.tsv") << tsv.str();
  if (!std::ifstream(dir / "repos.tsv"))
    return Error{"cannot write the fleet file", (dir / "fleet.yaml").string(), 0, 0,
                 "check free disk space"};
  return stats;
}

} // namespace godwit
