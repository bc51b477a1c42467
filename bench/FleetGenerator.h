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

} // namespace godwit
