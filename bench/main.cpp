// godwit-genfleet DIR [FILES]: writes the synthetic benchmark fleet.
#include "bench/FleetGenerator.h"

#include <iostream>
#include <string>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: godwit-genfleet DIR [FILES]\n";
    return 2;
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
