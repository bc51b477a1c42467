// godwit-genfleet DIR [FILES]: writes the synthetic benchmark fleet of files (bench/run).
// godwit-genfleet --repos N DIR: writes N bare repositories and their fleet file (bench/fleet-run).
#include "bench/FleetGenerator.h"

#include <iostream>
#include <string>

int main(int argc, char** argv) {
  const std::string usage = "usage: godwit-genfleet DIR [FILES] | godwit-genfleet --repos N DIR";
  if (argc < 2) {
    std::cerr << usage << "\n";
    return 2;
  }
  if (std::string(argv[1]) == "--repos") {
    if (argc != 4) {
      std::cerr << usage << "\n";
      return 2;
    }
    godwit::RepoFleetSpec spec;
    spec.repos = std::stoul(argv[2]);
    auto stats = godwit::generateRepoFleet(argv[3], spec);
    if (!stats) {
      std::cerr << stats.error().str() << "\n";
      return 1;
    }
    std::cout << stats->repos << " repositories, " << stats->files.files << " files, "
              << stats->files.bytes / 1000000 << " MB, " << stats->consumers
              << " with references\n";
    return 0;
  }
  godwit::FleetSpec spec;
  if (argc > 2)
    spec.files = std::stoul(argv[2]);
  auto stats = godwit::generateFleet(argv[1], spec);
  if (!stats) {
    std::cerr << stats.error().str() << "\n";
    return 1;
  }
  std::cout << stats->files << " files, " << stats->bytes / 1000000 << " MB, "
            << stats->withReferences << " with references, " << stats->withNearMisses
            << " with look-alikes\n";
  return 0;
}
