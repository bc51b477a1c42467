#pragma once
// A deterministic synthetic fleet for the scan benchmark: Scala, Java, Python, SQL and config
// (YAML, JSON, HOCON) files with references to the example migration's datasets in about 1% of
// them.

#include "rules/Expected.h"

#include <cstdint>
#include <filesystem>

namespace godwit {

/// What to generate.
struct FleetSpec {
  size_t files = 20000;          ///< Total files.
  size_t meanBytes = 10000;      ///< Mean file size.
  double referenceShare = 0.01;  ///< Share of files that refer to a migrated dataset.
  double nearMissShare = 0.01;   ///< Share of files with look-alikes (`user_profile_v10`, …).
  uint64_t seed = 42;
};

/// Counts of what was written.
struct FleetStats {
  size_t files = 0;
  size_t bytes = 0;
  size_t withReferences = 0;
  size_t withNearMisses = 0;
};

/// Writes the fleet under `dir` (created; existing files are overwritten).
Expected<FleetStats> generateFleet(const std::filesystem::path& dir, const FleetSpec& spec);

/// A fleet of repositories for the fleet-runner benchmark: the same files, a few per repository.
struct RepoFleetSpec {
  size_t repos = 10000;
  size_t filesPerRepo = 4;
  FleetSpec files{0, 3000, 0.02, 0.01, 42}; ///< `files` is unused; the rest shapes each file.
};

/// Counts of what generateRepoFleet wrote.
struct RepoFleetStats {
  size_t repos = 0;
  size_t consumers = 0; ///< Repositories with at least one reference.
  FleetStats files;
};

/// Writes `repos` bare repositories `dir/remotes/acme/repo-NNNNN.git`, each with one commit on
/// `main`, and beside them `fleet.yaml` (kind: Fleet, file:// clone URLs) and `repos.tsv`
/// (`owner/name<TAB>clone URL` per line, for godwit-contract-server).
Expected<RepoFleetStats> generateRepoFleet(const std::filesystem::path& dir,
                                           const RepoFleetSpec& spec);

} // namespace godwit
